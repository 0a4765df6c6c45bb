"""Helpers of the fault tests: commands killed or run in a separate process, small and
read-only file systems, and what a consistent campaign looks like after any of them (their
fixtures are in ``conftest``)."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from tests.helpers import service_or_skip
from tests.security.checks import planned_routes, run_in_process
from workers.store import Store
from workers.store import schema as t

ROOT = Path(__file__).resolve().parents[2]
PLAN = ("--time-limit", "0.05", "--workers", "1")


def z(town, *args: str):
    """A follow-up command, in this process (fast)."""
    return run_in_process(town.parent, *args)


def record_day1(town, tmp_path):
    rows = [r for r in planned_routes(town / "out") if r["day"] == "1"]
    path = tmp_path / "day1.csv"
    lines = ["target_id,day,status,time,category,request"]
    for i, r in enumerate(rows):
        status = "not_home" if i % 2 else "visited"
        lines.append(f"{r['target_id']},1,{status},{r['arrive']},2-1,路灯不亮 请回电13912345678")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_whole(out: Path) -> None:
    """No half-written file: every file complete, no temporary left."""
    for path in out.rglob("*"):
        assert not path.name.endswith(".part"), path
        if path.is_file():
            assert path.stat().st_size > 0, path


def environment(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("ZOUFANG_DB", "ZOUFANG_BROKER")}
    env["PYTHONPATH"] = str(ROOT)
    return {**env, **extra}


def zoufang(*args: str, env: dict | None = None, timeout: float = 300):
    return subprocess.run(
        [sys.executable, "-m", "workers", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or environment(),
    )


def killed(target: str, nth: int, *args: str, env: dict | None = None):
    """``zoufang ARGS`` SIGKILLed at the ``nth`` call of ``target`` (see ``killpoint``)."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.security.killpoint", target, str(nth), "--", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env or environment(),
    )
    assert result.returncode == -9, (target, result.returncode, result.stderr[-2000:])
    return result


#: folium names every element of a map ``kind_<32 hex digits>``, from a fresh uuid4 each time.
FOLIUM_ID = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")


def comparable(path: Path) -> object:
    """What a file says, to compare two writes of it: an XLSX's sheets and cell values (its
    zip holds the time it was made), a map page with folium's random element ids numbered in
    order of appearance, any other file's bytes."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        try:
            return [(s.title, list(s.iter_rows(values_only=True))) for s in book.worksheets]
        finally:
            book.close()
    if path.suffix == ".html":
        names: dict[str, str] = {}
        text = path.read_text(encoding="utf-8")
        return FOLIUM_ID.sub(lambda m: names.setdefault(m[0], f"id{len(names)}"), text)
    return path.read_bytes()


def contents(out: Path) -> dict[str, object]:
    """Every file under ``out`` (relative path) and what it says (``comparable``)."""
    return {str(p.relative_to(out)): comparable(p) for p in sorted(out.rglob("*")) if p.is_file()}


def assert_brought_back(before: dict[str, object], out: Path) -> None:
    """Every file of ``before`` is in ``out`` again, saying the same."""
    after = contents(out)
    missing = sorted(set(before) - set(after))
    assert not missing, f"not written again: {missing}"
    changed = [name for name in before if after[name] != before[name]]
    assert not changed, f"written again differently: {changed}"


def store_of(town: Path, url: str | None = None) -> Store:
    return Store(url or f"sqlite:///{town / '.zoufang' / 'zoufang.db'}")


def versions(store: Store) -> list[tuple[int, str, int | None]]:
    v = t.plan_versions.c
    with store.engine.connect() as db:
        rows = db.execute(select(v.version, v.status, v.base_version).order_by(v.version)).all()
    return [tuple(r) for r in rows]


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as db:
        return {
            name: db.execute(select(func.count()).select_from(table)).scalar()
            for name, table in (
                ("assignment", t.assignment),
                ("publications", t.publications),
                ("outcomes", t.outcomes),
                ("requests", t.requests),
                ("locks", t.campaign_locks),
            )
        }


def assert_consistent(store: Store) -> None:
    """Nothing published and no assignment, or a published assignment of every target with
    the routes of a plan; every published version complete, no target twice in one."""
    numbers = counts(store)
    published = [v for v, status, _ in versions(store) if status == "published"]
    if numbers["publications"] == 0:
        assert numbers["assignment"] == 0 and published == []
        return
    campaign_id = 1  # the one campaign of a test's store
    campaign = store.load_campaign(campaign_id)
    assert numbers["assignment"] == len(campaign.targets)
    assert any(base is None for v, s, base in versions(store) if s == "published")
    for version in published:
        done, total = store.version_counts(campaign_id, version)
        assert done == total
        stops = [s.target_id for r in store.plan(campaign_id, version).routes for s in r.stops]
        assert len(stops) == len(set(stops))


def assert_files_match_store(store: Store, out: Path, maps: bool = True) -> None:
    """Every file whole and of the store's current version."""
    campaign_id = 1
    version, _ = store.current_version(campaign_id)
    for path in out.rglob("*"):
        assert not path.name.endswith(".part"), path
        if path.is_file():
            assert path.stat().st_size > 0, path
            if path.suffix == ".xlsx":
                openpyxl.load_workbook(path).close()
            if path.suffix == ".html":
                assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["plan_version"] == version
    with (out / "routes.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    plan = store.plan(campaign_id, version)
    assert {r["plan_version"] for r in rows} <= {str(version)}
    assert sorted(r["target_id"] for r in rows) == sorted(
        s.target_id for r in plan.routes for s in r.stops
    )
    for name in ("assignment.csv", "附件2_大走访活动安排表.xlsx", "日路线.xlsx"):
        assert (out / name).is_file(), name
    for older, status, _ in versions(store):
        if status == "published" and older < version:
            assert (out / "history" / f"routes-v{older:03d}.csv").is_file()
    if maps:
        assert (out / "maps" / "overview.html").is_file()
        for route in plan.routes:
            assert (out / "maps" / route.cadre_id / f"day-{route.day:02d}.html").is_file()


@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    """A small file system at ``path`` (root only: skipped elsewhere, failed in CI)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        service_or_skip("tmpfs", f"cannot mount a tmpfs (root needed): {mounted.stderr}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount(path: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True)
