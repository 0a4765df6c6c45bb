"""Zoo travel ÷ PyVRP with PyVRP cached: one experiment re-solves our side only.

``build`` writes, per seed, each zoo town's per-cadre ``RouteProblem`` as ``zoufang plan``
builds them (``assign_areas`` at seed 0, ``first_problems``) with PyVRP's travel on each (1
processor second a cadre, as ``benchmarks/zoo.py``), and the 15,000-target sample's problems
(``zoufang sample --targets 15000 --seed 1``; no PyVRP). ``run`` solves them with
``solve_cadre`` at the plan's time limit in 2 processes and prints, per seed, the pooled
median and 90th percentile of travel ÷ PyVRP (cadres PyVRP routed fully, as zoo.py) and the
processor seconds of our solves; ``--p15 K`` adds every K-th cadre of the 15,000 sample
(processor seconds and travel). ``--set module.NAME=value`` overrides a constant in the worker
processes, ``--search field=value`` a ``SearchSettings`` field: an experiment on the
command line, no edit.

Run: ``python benchmarks/travel_lab.py build --seeds 1,2,3,4`` once, then
``python benchmarks/travel_lab.py run --seeds 3,4 [--p15 3] [--set ...] [--search ...]``
"""

from __future__ import annotations

import argparse
import importlib
import pickle
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pyvrp_peer import solve_pyvrp
from optimizer.assign.solve import assign_areas
from optimizer.domain.defaults import PLAN_TIME_LIMIT_S, REPLAN_TIME_LIMIT_S
from optimizer.domain.errors import InvalidInputError
from optimizer.inputs import read_campaign
from optimizer.replan import first_problems
from optimizer.route.collapse import node_count
from optimizer.route.ortools_model import DEFAULT_SEARCH, SearchSettings
from optimizer.route.parallel import solve_cadre
from optimizer.sample import generate_sample, write_sample
from optimizer.sample.zoo import ZOO_KINDS, generate_zoo_town

CACHE = Path("/tmp/travel_lab")
PYVRP_S = 1.0


def _problems(folder: Path):
    campaign = read_campaign(folder)
    assignment = assign_areas(campaign, seed=0)
    from optimizer.travel import travel_model

    model = travel_model(campaign.settings.travel, str(folder))
    return [p for p in first_problems(campaign, assignment, [], 0, model) if p.size]


def _peer(problem) -> tuple[int, int]:
    result = solve_pyvrp(problem, PYVRP_S)
    return result.travel_s, sum(len(r.stops) for r in result.routes)


def build(seeds: list[int]) -> None:
    CACHE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            rows = []
            for kind in ZOO_KINDS:
                folder = write_sample(
                    Path(tmp) / f"{seed}-{kind}", generate_zoo_town(ZOO_KINDS[kind], seed)
                )
                try:
                    problems = _problems(folder)
                except InvalidInputError:  # far-off: the plan refuses it, zoo.py compares none
                    continue
                with ProcessPoolExecutor(2) as pool:
                    peers = list(pool.map(_peer, problems))
                rows += [
                    (kind, p, theirs, planned)
                    for p, (theirs, planned) in zip(problems, peers, strict=True)
                ]
                print(f"  seed {seed} {kind}: {len(problems)} cadres", file=sys.stderr, flush=True)
            (CACHE / f"zoo{seed}.pkl").write_bytes(pickle.dumps(rows))
        if not (CACHE / "p15.pkl").exists():
            folder = write_sample(Path(tmp) / "p15", generate_sample("chaihudian", 15_000, 1))
            (CACHE / "p15.pkl").write_bytes(pickle.dumps(_problems(folder)))


def _set_field(params, path: str, value: str) -> None:
    *parents, name = path.split(".")
    for part in parents:
        params = getattr(params, part)
    field = params.DESCRIPTOR.fields_by_name[name]
    if field.enum_type is not None:
        setattr(params, name, field.enum_type.values_by_name[value].number)
    elif field.message_type is not None:  # a Duration: seconds
        getattr(params, name).FromMilliseconds(int(float(value) * 1000))
    else:
        setattr(params, name, type(getattr(params, name))(value))


def _wrap_parameters(items: list[str]) -> None:
    """``ortools_model._parameters`` with OR-Tools search parameters overridden."""
    from optimizer.route import ortools_model

    original = ortools_model._parameters

    def parameters(*args, **kwargs):
        params = original(*args, **kwargs)
        for item in items:
            path, value = item.split("=", 1)
            _set_field(params, path, value)
        return params

    ortools_model._parameters = parameters


def _apply(overrides: list[str], params: list[str] = ()) -> None:
    if params:
        _wrap_parameters(list(params))
    for item in overrides:
        name, value = item.split("=", 1)
        module, attr = name.rsplit(".", 1)
        current = getattr(importlib.import_module(module), attr)
        if isinstance(current, tuple):  # names, comma-separated
            new = tuple(v for v in value.split(",") if v)
        else:
            new = type(current)(value)
        setattr(importlib.import_module(module), attr, new)


def _solve(job):
    problem, search = job
    started = time.process_time()
    plan = solve_cadre(problem, PLAN_TIME_LIMIT_S, 0, search)
    cpu = time.process_time() - started
    travel = sum(r.travel_s for r in plan.routes)
    return travel, sum(len(r.stops) for r in plan.routes), cpu


def _replan(job):
    """The night re-plan's search on a planned cadre: its routes as the warm start, the
    re-plan's time limit; processor seconds of that search only."""
    problem, search = job
    first = solve_cadre(problem, PLAN_TIME_LIMIT_S, 0, search)
    start = {r.day: tuple(s.target_id for s in r.stops) for r in first.routes}
    started = time.process_time()
    plan = solve_cadre(problem, REPLAN_TIME_LIMIT_S, 0, search, start)
    cpu = time.process_time() - started
    return sum(r.travel_s for r in plan.routes), sum(len(r.stops) for r in plan.routes), cpu


def _search(items: list[str]) -> SearchSettings:
    types = {f.name: type(getattr(DEFAULT_SEARCH, f.name)) for f in fields(SearchSettings)}
    changes = {k: types[k](v) for k, v in (i.split("=", 1) for i in items)}
    return replace(DEFAULT_SEARCH, **changes)


def run(seeds, p15: int, overrides, params, search: SearchSettings, dump=None, replan=0) -> None:
    with ProcessPoolExecutor(2, initializer=_apply, initargs=(overrides, params)) as pool:
        for seed in seeds:
            rows = pickle.loads((CACHE / f"zoo{seed}.pkl").read_bytes())
            out = list(pool.map(_solve, [(p, search) for _, p, _, _ in rows]))
            ratios, by_kind = [], {}
            for (kind, p, theirs, planned), (ours, _, cpu) in zip(rows, out, strict=True):
                if theirs > 0 and planned == p.size:
                    ratios.append(ours / theirs)
                    by_kind.setdefault(kind, []).append(ours / theirs)
                    if dump:
                        row = (seed, kind, p.cadre.id, node_count(p), ours / theirs, cpu)
                        dump.write("{},{},{},{},{:.4f},{:.3f}\n".format(*row))
            cpu = sum(c for _, _, c in out)
            missing = sum(p.size for _, p, _, _ in rows) - sum(s for _, s, _ in out)
            kinds = " ".join(f"{k} {statistics.median(v):.3f}" for k, v in by_kind.items())
            print(
                f"seed {seed}: median {statistics.median(ratios):.4f}  p90 "
                f"{statistics.quantiles(ratios, n=10)[-1]:.4f}  mean {statistics.fmean(ratios):.4f}"
                f"  ({len(ratios)} cadres)  cpu {cpu:.1f} s  unrouted {missing} | {kinds}",
                flush=True,
            )
        # The 15,000 sample: the plan's solve, and the night's (its plan as the warm start).
        for label, step, solve in (("p15", p15, _solve), ("replan p15", replan, _replan)):
            if not step:
                continue
            problems = pickle.loads((CACHE / "p15.pkl").read_bytes())[::step]
            out = list(pool.map(solve, [(p, search) for p in problems]))
            cpu, travel_h = sum(c for *_, c in out), sum(t for t, *_ in out) / 3600
            print(
                f"{label} 1/{step}: {len(problems)} cadres  cpu {cpu:.2f} s  travel "
                f"{travel_h:.1f} h  stops {sum(s for _, s, _ in out)}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("what", choices=("build", "run"))
    parser.add_argument("--seeds", default="3,4")
    parser.add_argument("--p15", type=int, default=0, help="also every K-th 15,000-sample cadre")
    parser.add_argument("--set", action="append", default=[], help="module.NAME=value")
    parser.add_argument("--search", action="append", default=[], help="SearchSettings field=value")
    parser.add_argument("--replan", type=int, default=0, help="re-plan every K-th 15k cadre")
    parser.add_argument("--dump", type=argparse.FileType("w"), help="per-cadre CSV")
    parser.add_argument(
        "--param", action="append", default=[], help="OR-Tools search parameter path=value"
    )
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s]
    if args.what == "build":
        build(seeds)
    else:
        run(seeds, args.p15, args.set, args.param, _search(args.search), args.dump, args.replan)


if __name__ == "__main__":
    main()
