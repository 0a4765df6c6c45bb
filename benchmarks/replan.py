"""The night's re-plan on Redis workers, the closed-loop simulation, and plan stability.

(a) A 15,000-target / ~250-cadre town, planned; day 1 simulated with 20 % not-home by day and
    recorded; then ``zoufang replan`` through Redis with 1 and with 2 worker processes (the
    same starting state each time): wall seconds and re-planned cadres per second.
(b) ``zoufang simulate`` on both committed samples, 20 % not-home by day, 5 % absent cadre-days:
    coverage at the deadline beside a static plan, and pairing changes.
(c) Stability: after a day where the unchanged cadres did everything as planned, the share of
    them whose next day is identical, and for changed cadres the share of tomorrow's announced
    stops kept.

Needs Redis (``--redis``, default redis://127.0.0.1:6379/14; it is flushed) and PostgreSQL
(``--db``, default: a new database on 127.0.0.1, dropped afterwards).
Run: ``python benchmarks/replan.py [--targets 15000] [--skip-simulation]``
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, delete, select

from optimizer.inputs import read_campaign
from optimizer.outputs.routes import write_outcomes_csv
from optimizer.sample import generate_sample, write_sample
from optimizer.sample.field import Field, simulate_day
from workers.commands.simulation import simulate_campaign
from workers.store import Store, schema

ROOT = Path(__file__).resolve().parents[1]


def zoufang(args, env, **kw):
    return subprocess.run(
        [sys.executable, "-m", "workers", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        **kw,
    )


def reset_to_version_one(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as db:
        for table in (
            schema.stops,
            schema.cadre_results,
            schema.version_cadres,
            schema.plan_versions,
        ):
            db.execute(delete(table).where(table.c.version > 1))
        db.execute(delete(schema.campaign_locks))
    engine.dispose()


def timed_replan(folder: Path, env: dict, processes: int) -> tuple[float, float, int, float]:
    """(end-to-end wall of `zoufang replan`, the workers' share, cadres re-planned, the
    command's own processor seconds — the workers' not included: a busy machine stretches
    the wall, much less the processor seconds)."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "workers", "worker", "--processes", str(processes)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_idle(worker.pid)  # workers up, warmed and listening
        started, cpu = time.perf_counter(), _children_cpu_s()
        result = zoufang(["replan", str(folder), "--no-maps"], env)
        wall, cpu = time.perf_counter() - started, _children_cpu_s() - cpu
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    print("   ", " ".join(result.stdout.split("用时：")[-1].split()))
    workers_s = float(re.search(r"求解 ([\d.]+) 秒", result.stdout).group(1))
    cadres = int(re.search(r"重排 (\d+) 名人员", result.stdout).group(1))
    return wall, workers_s, cadres, cpu


def _children_cpu_s() -> float:
    """Processor seconds of the waited-for children so far (the workers are waited later)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _group_cpu_ticks(pgid: int) -> int:
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # process group; utime + stime follow at 11, 12
            total += int(fields[11]) + int(fields[12])
    return total


def wait_until_idle(pgid: int, timeout_s: float = 60) -> None:
    """Until the worker processes have finished starting (imports, database warm-up)."""
    deadline = time.monotonic() + timeout_s
    time.sleep(1)
    previous = _group_cpu_ticks(pgid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _group_cpu_ticks(pgid)
        if now - previous <= 2:  # under 4 % of a core over half a second
            return
        previous = now
    raise RuntimeError("workers did not settle")


def night(args, tmp: Path) -> None:
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    db_url = args.db or create_database()
    try:
        _night(args, tmp, db_url)
    finally:
        if not args.db:
            drop_database(db_url)


def _night(args, tmp: Path, db_url: str) -> None:
    folder = write_sample(tmp / "town", generate_sample("huangtun", args.targets, 1))
    env = {**os.environ, "ZOUFANG_DB": db_url, "PYTHONPATH": str(ROOT)}
    env.pop("ZOUFANG_BROKER", None)
    zoufang(["plan", str(folder), "--no-maps"], env)
    store = Store(db_url)
    campaign = read_campaign(folder)
    campaign_id = store.find_campaign(campaign)
    day1 = Field(not_home=0.2, evening_factor=1.0, absent=0.0)  # 20 % of all visits miss
    outcomes = simulate_day(campaign, store.plan(campaign_id, 1), 1, day1, seed=1)
    zoufang(["record", str(folder), str(write_outcomes_csv(tmp / "day1.csv", outcomes))], env)
    missed = sum(1 for o in outcomes if o.status.value == "not_home")
    print(
        f"\n(a) night re-plan: {len(campaign.targets)} targets, {len(campaign.cadres)} cadres; "
        f"day 1: {len(outcomes)} visits, {missed} not home ({missed / len(outcomes):.0%})"
    )
    broker_env = {**env, "ZOUFANG_BROKER": args.redis}
    runs: dict[int, list[tuple[float, float, int, float]]] = {1: [], 2: []}
    for _ in range(args.repeat):  # alternating, so a slow spell of the machine hits both
        for processes in (1, 2):
            reset_to_version_one(db_url)
            runs[processes].append(timed_replan(folder, broker_env, processes))
    medians = {}
    for processes, measured in runs.items():
        wall = statistics.median(m[0] for m in measured)
        workers_s = statistics.median(m[1] for m in measured)
        cpu = statistics.median(m[3] for m in measured)
        cadres = measured[0][2]
        medians[processes] = (wall, workers_s, cadres)
        print(
            f"  {processes} worker process(es), median of {len(measured)}: `zoufang replan` "
            f"{wall:5.1f} s wall (runs {', '.join(f'{m[0]:.1f}' for m in measured)}), "
            f"{cpu:4.1f} processor s of its own; workers "
            f"{workers_s:5.1f} s for {cadres} cadres = {cadres / workers_s:5.1f} cadres/s"
        )
    (wall1, work1, n1), (wall2, work2, n2) = medians[1], medians[2]
    print(
        f"  throughput 2 ÷ 1 processes: workers {(n2 / work2) / (n1 / work1):.2f}, "
        f"end to end {(n2 / wall2) / (n1 / wall1):.2f} (target ≥ 1.7)"
    )
    print(f"  2-process wall {wall2:.1f} s (target ≤ 10 s)")
    stability(store, campaign_id, campaign)
    store.engine.dispose()


def stability(store: Store, campaign_id: int, campaign) -> None:
    before, after = store.plan(campaign_id, 1), store.plan(campaign_id, 2)
    with store.engine.connect() as db:
        modes = dict(
            db.execute(
                select(schema.version_cadres.c.cadre_id, schema.version_cadres.c.mode).where(
                    (schema.version_cadres.c.campaign_id == campaign_id)
                    & (schema.version_cadres.c.version == 2)
                )
            ).all()
        )

    def day2(plan, cadre):
        return [
            s.target_id for r in plan.routes if r.cadre_id == cadre and r.day == 2 for s in r.stops
        ]

    carried = [c for c, m in modes.items() if m == "carry"]
    same = sum(day2(before, c) == day2(after, c) for c in carried)
    kept = total = 0
    for c, m in modes.items():
        if m == "solve":
            announced = set(day2(before, c))
            total += len(announced)
            kept += len(announced & set(day2(after, c)))
    print(
        f"\n(c) stability: {len(carried)} cadres did day 1 as planned, {same} of them keep day 2 "
        f"unchanged ({same / max(1, len(carried)):.0%}); changed cadres keep "
        f"{kept / max(1, total):.0%} of the day-2 stops they were told"
    )


def simulation() -> None:
    print("\n(b) closed-loop simulation, 20 % not-home by day, 5 % absent cadre-days, seed 1")
    for town in ("huangtun", "chaihudian"):
        started = time.perf_counter()
        result = simulate_campaign(
            ROOT / "data" / "samples" / town, Field(not_home=0.2, absent=0.05), 1, workers=2
        )
        last = result.days[-1]
        print(
            f"  {town}: coverage at deadline {last.coverage:.2%} "
            f"(static plan {last.static_coverage:.2%}), "
            f"escalated {result.escalated}, pairing changes {result.pairing_changes}, "
            f"{result.versions} plan versions, {time.perf_counter() - started:.0f} s"
        )


def drop_database(db_url: str) -> None:
    import psycopg

    name = db_url.rsplit("/", 1)[1]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database() -> str:
    import psycopg

    name = f"zoufang_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--targets", type=int, default=15_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--db", default=None)
    parser.add_argument("--skip-simulation", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="re-plans timed per setting")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    try:
        night(args, tmp)
        if not args.skip_simulation:
            simulation()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
