"""Campaign text never becomes template source, and ids never become paths.

A Jinja payload without quotes (it would survive ``tojson``) sits in every text field that
reaches a map; planning with maps and re-rendering must neither run it (it would create a
folder named by the payload in the working directory) nor crash on ``{#``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import CADRES, TARGETS, TOML, write_folder

ZOUFANG = [sys.executable, "-m", "workers"]
# Creates the folder ``zfmarker`` in the working directory if ever evaluated by Jinja.
RUNS = "{{lipsum.__globals__.os.mkdir(dict(zfmarker=1)|first)}}"
COMMENT = "{# 不是注释"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ZOUFANG, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def payload_town(folder: Path, comment: str = COMMENT) -> Path:
    targets = TARGETS.replace("张三明", f"张{RUNS}").replace("王记超市", f"王记{comment}超市")
    targets = targets.replace(",1网格,", f",1网格{comment},").replace("高桥村", f"高桥{RUNS}村")
    cadres = CADRES.replace("高桥村", f"高桥{RUNS}村").replace("1网格", f"1网格{comment}")
    cadres = cadres.replace("刘一", f"刘{RUNS}").replace("网格员", f"网格员{comment}")
    toml = TOML.replace('name = "测试镇大走访"', f'name = "测试{RUNS}{comment}镇大走访"')
    folder = write_folder(folder, targets, cadres, toml)
    # An address column full of payloads.
    lines = (folder / "targets.csv").read_text(encoding="utf-8").splitlines()
    lines[0] += ",address"
    lines[1:] = [f"{line},{RUNS}{comment}<img src=x onerror=alert(1)>" for line in lines[1:]]
    (folder / "targets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("comment", ["", COMMENT], ids=["expression", "comment"])
def test_jinja_in_campaign_text_never_runs(tmp_path, comment):
    """plan (with maps) and maps: exit 0, the payload is shown as text, nothing ran."""
    town = payload_town(tmp_path / "town", comment)
    work = tmp_path / "cwd"
    work.mkdir()
    result = run(work, "plan", str(town), "--time-limit", "0.05", "--workers", "1")
    assert result.returncode == 0, result.stderr
    result = run(work, "maps", str(town), "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert not (work / "zfmarker").exists() and not (town / "zfmarker").exists()
    pages = list((town / "out" / "maps").rglob("*.html"))
    assert len(pages) >= 2
    overview = (town / "out" / "maps" / "overview.html").read_text(encoding="utf-8")
    assert "lipsum.__globals__" in overview  # shown, as data
    assert "<img src=x" not in "".join(p.read_text(encoding="utf-8") for p in pages)


@pytest.mark.parametrize("bad", ["..", ".", "../..", "/tmp/zf", "a/b", "C1\\x", " ", "C:1"])
def test_unsafe_cadre_ids_are_input_errors(tmp_path, bad):
    """A cadre id that is a path (or holds path characters) is exit 2 with row and column."""
    town = write_folder(tmp_path / "town", cadres=CADRES.replace("C3,", f"{bad},"))
    result = run(tmp_path, "validate", str(town))
    assert result.returncode == 2
    assert "cadres.csv 第4行" in result.stderr and "编号" in result.stderr


def test_maps_never_delete_what_we_did_not_write(tmp_path):
    """Re-rendering removes only day maps of days no longer planned, never other files."""
    town = write_folder(tmp_path / "town")
    assert (
        run(tmp_path, "plan", str(town), "--time-limit", "0.05", "--workers", "1").returncode == 0
    )
    keep = town / "out" / "maps" / "C1" / "notes.txt"
    keep.write_text("mine", encoding="utf-8")
    assert run(tmp_path, "maps", str(town), "--workers", "1").returncode == 0
    assert keep.read_text(encoding="utf-8") == "mine"


def test_links_planted_in_the_output_folder_stop_every_writer(tmp_path, plain_environment):
    """A link inside ``out/`` (a folder of ledger lists pointing elsewhere, a cadre's maps
    folder, a history file) is exit 2 naming it, for every command that writes there;
    nothing outside the output folder is written or removed."""
    from tests.security.checks import run_in_process, snapshot
    from tests.security.faults import PLAN, record_day1

    town = write_folder(tmp_path / "town")
    assert run_in_process(tmp_path, "plan", str(town), *PLAN).code == 0
    assert run_in_process(tmp_path, "record", str(town), str(record_day1(town, tmp_path))).code == 0
    elsewhere = tmp_path / "elsewhere"
    for name in ("ledger", "maps"):
        (elsewhere / name).mkdir(parents=True)
        (elsewhere / name / "day-09.html").write_text("theirs", encoding="utf-8")
    out = town / "out"
    (out / "ledger").symlink_to(elsewhere / "ledger")
    shutil.rmtree(out / "maps" / "C1")
    (out / "maps" / "C1").symlink_to(elsewhere / "maps")
    (out / "history").mkdir(exist_ok=True)
    (out / "history" / "routes-v009.csv").symlink_to(elsewhere / "routes.csv")
    before = snapshot(elsewhere)
    commands = (
        ("maps", "--workers", "1"),
        ("ledger", "export"),
        ("spotcheck", "--share", "1"),
        ("report", "--week", "1"),
        ("replan", "--workers", "1"),
        ("export", "--workers", "1"),
    )
    for command, *options in commands:
        result = run_in_process(tmp_path, *command.split(), str(town), *options)
        assert result.code == 2, (command, result.err[-500:])
        assert "符号链接" in result.err and "out/ledger" in result.err, command
        assert "maps/C1" in result.err and "routes-v009.csv" in result.err, command
        assert "Traceback" not in result.err
    assert snapshot(elsewhere) == before
    assert not (elsewhere / "routes.csv").exists()


def test_online_maps_pin_every_script_and_stylesheet(tmp_path, plain_environment):
    """Maps drawn with ``--online`` load Leaflet from a CDN: every external script and
    stylesheet carries its sha384 integrity (a changed file on the CDN does not run)."""
    import re

    from tests.security.checks import run_in_process
    from tests.security.faults import PLAN

    town = write_folder(tmp_path / "town")
    assert run_in_process(tmp_path, "plan", str(town), *PLAN, "--no-maps").code == 0
    assert run_in_process(tmp_path, "maps", str(town), "--online", "--workers", "1").code == 0
    pages = list((town / "out" / "maps").rglob("*.html"))
    external = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"https?://[^>]*>", html):
            external += 1
            assert re.search(r'integrity="sha384-[A-Za-z0-9+/=]{64}"', tag), (page.name, tag)
            assert 'crossorigin="anonymous"' in tag, (page.name, tag)
    assert len(pages) >= 2 and external >= 2 * len(pages)
