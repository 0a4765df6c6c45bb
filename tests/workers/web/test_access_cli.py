"""`zoufang access` and `[schedule] replan_at` through the real command line."""

from __future__ import annotations

import csv
import stat
import subprocess
import sys

from tests.helpers import write_folder
from tests.workers.web.conftest import town_toml
from workers.commands import plan
from workers.commands.campaign import open_campaign
from workers.web.auth import check_password

ZOUFANG = [sys.executable, "-m", "workers"]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [*ZOUFANG, *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def links_csv(folder):
    with (folder / "out" / "access" / "走访人员链接.csv").open(encoding="utf-8-sig") as f:
        return {r["cadre_id"]: r for r in csv.DictReader(f)}


def test_access_writes_links_qr_page_and_reissues(tmp_path, monkeypatch):
    """CSV (masked names) and a QR page (no phone), owner-only; a cadre re-issued gets a new
    link and the old one stops; --revoke removes it; a coordinator password from stdin."""
    monkeypatch.delenv("ZOUFANG_DB", raising=False)
    town = write_folder(tmp_path / "town", toml=town_toml())
    plan.plan_campaign(town, time_limit_s=0.05, workers=1, maps=False)
    result = run("access", str(town), "--base-url", "https://zf.example.cn/")
    assert result.returncode == 0, result.stderr
    rows = links_csv(town)
    assert set(rows) == {"C1", "C2", "C3"} and rows["C1"]["姓名"] == "刘*"
    assert all(r["url"].startswith("https://zf.example.cn/c/") for r in rows.values())
    page = (town / "out" / "access" / "走访人员二维码.html").read_text(encoding="utf-8")
    assert page.count("data:image/svg+xml") == 3 and "刘一" not in page and "138" not in page
    for name in ("走访人员链接.csv", "走访人员二维码.html"):
        assert stat.S_IMODE((town / "out" / "access" / name).stat().st_mode) == 0o600
    _, store, campaign_id = open_campaign(town)
    first = store.live_links(campaign_id)
    assert run("access", str(town), "--cadre", "C1").returncode == 0
    again = links_csv(town)
    assert again["C1"]["url"] != rows["C1"]["url"] and again["C2"] == rows["C2"]
    assert first == store.live_links(campaign_id) == {"C1", "C2", "C3"}
    assert run("access", str(town), "--revoke", "C2").returncode == 0
    assert set(links_csv(town)) == {"C1", "C3"} and store.live_links(campaign_id) == {"C1", "C3"}
    made = run(
        "access", str(town), "--coordinator", "王主任", "--password-stdin", stdin="s3cret-pass\n"
    )
    assert made.returncode == 0 and "创建" in made.stdout
    assert check_password("s3cret-pass", store.coordinator_hash(campaign_id, "王主任"))
    assert store.coordinator_hash(campaign_id, "王主任").startswith("$argon2")
    short = run("access", str(town), "--coordinator", "x", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "至少" in short.stderr
    assert run("access", str(town), "--base-url", "ftp://x").returncode == 1


def test_bad_replan_at_is_an_input_error(tmp_path):
    """`[schedule] replan_at` must be a time of day: anything else is exit 2 naming the key."""
    for bad in ('"25:00"', '"24:00"', '"晚上"', "2130"):
        toml = town_toml(None) + f"[schedule]\nreplan_at = {bad}\n"
        town = write_folder(tmp_path / f"t{abs(hash(bad))}", toml=toml)
        result = run("validate", str(town))
        assert result.returncode == 2 and "schedule.replan_at" in result.stderr, bad
    good = write_folder(tmp_path / "good", toml=town_toml("21:30"))
    assert run("validate", str(good)).returncode == 0
