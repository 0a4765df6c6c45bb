"""The field app under load, and the cadre page on a slow phone network.

(a) 300 cadres sync 20 outcomes each at once (one POST per cadre, all sent together over
    kept-alive loopback connections) against one ``zoufang serve`` process on PostgreSQL (and
    then two, the connections spread over them as a reverse proxy would):
    p50/p95/max latency, rows lost (sent but not stored) and duplicated (stored twice); then
    every phone resends everything (all must be ``duplicate``). Repeated ``--rounds`` times on
    a cleared outcome table; medians reported.
(b) The cadre page in Debian's Chromium at 390 × 844 behind CDP network throttling: bytes
    transferred and first contentful paint, for the profile of WebPageTest's "3G Slow"
    (400 kbit/s, 400 ms RTT) and of DevTools' "3G" (ex "Slow 3G": 400 kbit/s, 2 s RTT).

Needs PostgreSQL (``--db``, default a new database on 127.0.0.1, dropped afterwards) and
``/usr/bin/chromium``. Run: ``python benchmarks/field.py [--cadres 300] [--rows 20]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select

from optimizer.sample import generate_sample, write_sample
from workers.commands.campaign import open_campaign
from workers.commands.plan import plan_campaign
from workers.store import Store, schema
from workers.store.field import field_attempts
from workers.tasks.config import current
from workers.web import links
from workers.web.config import china_now

SERVE_LOG = Path(tempfile.gettempdir()) / "zoufang-field-serve.log"
FIRST_PAINT = "() => performance.getEntriesByName('first-contentful-paint')[0].startTime"
PROFILES = {  # name: (download bytes/s, upload bytes/s, latency ms)
    "WebPageTest 3G Slow": (50_000, 50_000, 400),
    "DevTools 3G": (50_000, 50_000, 2000),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(folder: Path, port: int, env: dict) -> subprocess.Popen:
    """``zoufang serve`` itself, one process; its log in ``SERVE_LOG``."""
    command = [sys.executable, "-m", "workers", "serve", str(folder), "--port", str(port)]
    log = SERVE_LOG.open("ab")
    return subprocess.Popen(
        [*command, "--no-schedule"], env=env, stdout=subprocess.DEVNULL, stderr=log
    )


def new_database(admin: str) -> tuple[str, str]:
    import psycopg

    name = f"zoufang_field_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}", name


def drop_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname=%s", (name,)
        )
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')


def build_town(folder: Path, targets: int, cadres: int, rows: int):
    """A sample town planned on the store; ``cadres`` cadres with ``rows`` planned stops each."""
    # The campaign starts today (China): a phone records today's visits, never a day to come.
    write_sample(folder, generate_sample("chaihudian", targets, seed=5, start=china_now().date()))
    plan_campaign(folder, time_limit_s=0.05, maps=False)
    _, store, campaign_id = open_campaign(folder)
    plan = store.plan(campaign_id, 1)
    stops: dict[str, list[tuple[str, int]]] = {}
    for route in plan.routes:
        stops.setdefault(route.cadre_id, []).extend((s.target_id, route.day) for s in route.stops)
    chosen = [c for c, s in sorted(stops.items()) if len(s) >= rows][:cadres]
    if len(chosen) < cadres:
        raise SystemExit(f"only {len(chosen)} cadres with {rows} stops: raise --targets")
    links.issue_links(folder, "http://127.0.0.1")
    return store, campaign_id, {c: stops[c][:rows] for c in chosen}


def tokens(folder: Path) -> dict[str, str]:
    import csv

    with (folder / "out" / "access" / links.CSV_NAME).open(encoding="utf-8-sig") as f:
        return {r["cadre_id"]: r["url"].rsplit("/c/", 1)[1] for r in csv.DictReader(f)}


async def post(reader, writer, path: str, token: str, body: bytes) -> tuple[float, list]:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    started = time.perf_counter()
    writer.write(head + body)
    await writer.drain()
    status = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    payload = await reader.readexactly(length)
    elapsed = time.perf_counter() - started
    if b" 200 " not in status:
        raise RuntimeError(f"{status!r} {payload[:200]!r}")
    return elapsed, json.loads(payload)


async def wave(ports: list[int], batches: list[tuple[str, bytes]]) -> tuple[list[float], list]:
    """Every phone's POST at once, each on its own kept-alive connection (opened first),
    spread over the servers' ports in turn as a proxy would."""
    connections = [
        await asyncio.open_connection("127.0.0.1", ports[i % len(ports)])
        for i in range(len(batches))
    ]
    results = await asyncio.gather(
        *(
            post(r, w, "/api/me/outcomes", t, b)
            for (r, w), (t, b) in zip(connections, batches, strict=True)
        )
    )
    for _, w in connections:
        w.close()
    return [r[0] for r in results], [x for r in results for x in r[1]]


def run_wave(ports: list[int], batches: list[tuple[str, bytes]]) -> tuple[list[float], list]:
    """``wave`` on uvloop (as the server runs): the load generator shares the 2 cores with
    the server and the database, so its own processor time is kept low."""
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(wave(ports, batches))


def batches_of(chosen, token_of, round_no: int) -> list[tuple[str, bytes]]:
    out = []
    for cadre_id, stops in chosen.items():
        rows = [
            {
                "attempt_id": f"r{round_no}-{cadre_id}-{k:03d}",
                "target_id": t,
                "day": 1,  # today: the first day of the campaign
                "status": "visited",
                "time": f"{9 + k // 4:02d}:{(k % 4) * 15:02d}",
                "category": "1-1" if k == 0 else "",
                "request": "路灯不亮" if k == 0 else "",
            }
            for k, (t, _) in enumerate(stops)
        ]
        out.append((token_of[cadre_id], json.dumps(rows, ensure_ascii=False).encode()))
    return out


def clear(url: str) -> None:
    """Empty the outcome tables, then ``VACUUM ANALYZE`` them: every round starts on the same
    table sizes and statistics, not on the dead rows of the round before."""
    engine = create_engine(url)
    tables = (schema.request_events, schema.requests, field_attempts, schema.outcomes)
    with engine.begin() as db:
        for table in tables:
            db.execute(table.delete())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
        db.exec_driver_sql(f"VACUUM ANALYZE {', '.join(t.name for t in tables)}")
    engine.dispose()


def cpu_s(processes: list[subprocess.Popen]) -> float:
    """Processor seconds (user + system) the server processes have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in processes:
        fields = Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def counted(url: str) -> tuple[int, int]:
    o = schema.outcomes.c
    engine = create_engine(url)
    with engine.connect() as db:
        total = db.execute(select(func.count()).select_from(schema.outcomes)).scalar_one()
        distinct = db.execute(
            select(func.count()).select_from(
                select(o.target_id, o.day, o.status, o.time_key).distinct().subquery()
            )
        ).scalar_one()
    engine.dispose()
    return total, distinct


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def wait_for(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("zoufang serve did not start") from None
            time.sleep(0.2)


def load_benchmark(url: str, folder: Path, chosen, servers: int, rounds: int) -> dict:
    env = {**os.environ, "ZOUFANG_DB": url}
    env.pop("ZOUFANG_BROKER", None)
    ports = [free_port() for _ in range(servers)]
    processes = [serve(folder, port, env) for port in ports]
    try:
        for port, server in zip(ports, processes, strict=True):
            wait_for(port, server)
        token_of = tokens(folder)
        figures = []
        for round_no in range(rounds):
            clear(url)
            batches = batches_of(chosen, token_of, round_no)
            sent = sum(len(json.loads(b)) for _, b in batches)
            load = os.getloadavg()[0]
            cpu = cpu_s(processes)
            latencies, results = run_wave(ports, batches)
            cpu = cpu_s(processes) - cpu
            total, distinct = counted(url)
            accepted = sum(1 for r in results if r["result"] == "accepted")
            cpu_again = cpu_s(processes)
            again, results2 = run_wave(ports, batches)
            cpu_again = cpu_s(processes) - cpu_again
            after, _ = counted(url)
            figures.append(
                {
                    "p50_ms": 1000 * statistics.median(latencies),
                    "p95_ms": 1000 * percentile(latencies, 0.95),
                    "max_ms": 1000 * max(latencies),
                    "server_cpu_s": cpu,
                    "load": load,
                    "sent": sent,
                    "accepted": accepted,
                    "lost": sent - total,
                    "duplicated": total - distinct,
                    "resend_p95_ms": 1000 * percentile(again, 0.95),
                    "resend_duplicates": sum(1 for r in results2 if r["result"] == "duplicate"),
                    "resend_added": after - total,
                    "resend_cpu_s": cpu_again,
                }
            )
            f = figures[-1]
            print(
                f"  round {round_no + 1}: p50 {f['p50_ms']:.0f} ms, p95 {f['p95_ms']:.0f} ms, "
                f"max {f['max_ms']:.0f} ms, server CPU {f['server_cpu_s']:.2f} s (load "
                f"{f['load']:.1f}); {f['accepted']}/{sent} accepted, lost {f['lost']}, "
                f"duplicated {f['duplicated']}; resend p95 {f['resend_p95_ms']:.0f} ms, CPU "
                f"{f['resend_cpu_s']:.2f} s, {f['resend_duplicates']} duplicate, "
                f"{f['resend_added']} added"
            )
        return {k: statistics.median(f[k] for f in figures) for k in figures[0]}
    except Exception:
        print(f"see {SERVE_LOG}")
        raise
    finally:
        for server in processes:
            server.terminate()
            server.wait(timeout=20)


def page_benchmark(folder: Path, port: int, runs: int) -> None:
    """Bytes and first paint of the cadre's page, a returning phone (session cookie)."""
    from playwright.sync_api import sync_playwright

    env = {k: v for k, v in os.environ.items() if k not in ("ZOUFANG_DB", "ZOUFANG_BROKER")}
    server = serve(folder, port, env)
    time.sleep(3)
    link = next(iter(tokens(folder).items()))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for name, (down, up, latency) in PROFILES.items():
                paints, sizes, via_link = [], [], []
                for _ in range(runs):
                    # No service worker: its fetches escape the page's throttling (and a kept
                    # page would make a second visit look free).
                    context = browser.new_context(
                        viewport={"width": 390, "height": 844}, service_workers="block"
                    )
                    page = context.new_page()
                    page.goto(f"http://127.0.0.1:{port}/c/{link[1]}")  # the cookie, unthrottled
                    page.goto("about:blank")
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                    cdp.send(
                        "Network.emulateNetworkConditions",
                        {"offline": False, "latency": latency, "downloadThroughput": down,
                         "uploadThroughput": up},
                    )  # fmt: skip
                    for target, out in (("/m/?day=1", paints), (f"/c/{link[1]}", via_link)):
                        page.goto(f"http://127.0.0.1:{port}{target}", wait_until="load")
                        page.wait_for_timeout(300)
                        fcp = page.evaluate(FIRST_PAINT)
                        size = page.evaluate(
                            "() => performance.getEntriesByType('navigation').concat("
                            "performance.getEntriesByType('resource'))"
                            ".reduce((n, e) => n + e.transferSize, 0)"
                        )
                        out.append(fcp)
                        if target.startswith("/m/"):
                            sizes.append(size)
                    context.close()
                print(
                    f"  {name}: page {statistics.median(sizes) / 1024:.1f} KB transferred; first "
                    f"render {statistics.median(paints):.0f} ms (median of {runs}; max "
                    f"{max(paints):.0f}); opened through the link (one redirect) "
                    f"{statistics.median(via_link):.0f} ms"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=300)
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--targets", type=int, default=24_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--servers", type=int, nargs="+", default=[1, 2], help="server processes, each run"
    )
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-page", action="store_true", help="skip (b), the cadre page")
    args = parser.parse_args()
    url, name = new_database(args.db)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "town"
            os.environ["ZOUFANG_DB"] = url
            current.cache_clear()  # this process stands for `zoufang` run with it set
            started = time.perf_counter()
            store, _, chosen = build_town(folder, args.targets, args.cadres, args.rows)
            store.engine.dispose()
            planned = time.perf_counter() - started
            for servers in args.servers:
                print(
                    f"(a) {len(chosen)} cadres × {args.rows} outcomes at once, {servers} "
                    f"zoufang serve on PostgreSQL (town planned in {planned:.0f} s)"
                )
                m = load_benchmark(url, folder, chosen, servers, args.rounds)
                print(
                    f"  median of {args.rounds}: p50 {m['p50_ms']:.0f} ms, p95 "
                    f"{m['p95_ms']:.0f} ms (target ≤ 300), max {m['max_ms']:.0f} ms, server CPU "
                    f"{m['server_cpu_s']:.2f} s (load {m['load']:.1f}); lost "
                    f"{m['lost']:.0f}, duplicated {m['duplicated']:.0f}; resend p95 "
                    f"{m['resend_p95_ms']:.0f} ms, added {m['resend_added']:.0f}"
                )
            os.environ.pop("ZOUFANG_DB")
            current.cache_clear()
            if args.no_page:
                return
            small = Path(tmp) / "small"
            write_sample(small, generate_sample("huangtun", 2000, seed=4, start=china_now().date()))
            plan_campaign(small, time_limit_s=0.05, maps=False)
            links.issue_links(small, "http://127.0.0.1")
            print("(b) the cadre page (busiest first cadre of a 2,000-target town, day 1)")
            page_benchmark(small, free_port(), runs=3)
    finally:
        Store._shared.clear()
        drop_database(args.db, name)


if __name__ == "__main__":
    main()
