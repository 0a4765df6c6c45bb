"""Not-home retries on towns of day-only cadres: the closed loop's coverage at the deadline.

(a) ``simulate_campaign`` on both committed samples as they are (some cadres work evenings).
(b) A day-only variant of a generated sample: every cadre works 08:30–17:30 only, households
    that can only be met in the evening are made all-day (no cadre could see them), and cadres
    are dropped (town-level household visitors, most minutes first), then every cadre's minutes
    a day cut by one factor, until the planner's workload ÷ capacity (all minutes, no slack)
    reaches ``--utilization``; ``retry_slack = 0``.

Field: 20 % of daytime households not home per attempt, a quarter of that in the evening, 5 %
absent cadre-days; seed 1. Prints coverage at the deadline, escalated targets, targets still
pending at the end (retries and first visits) and pairing changes.
Run: ``python benchmarks/retries.py [--targets 1500] [--utilization 0.7] [--skip-samples]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.domain.model import Window
from optimizer.inputs import read_campaign
from optimizer.sample import generate_sample, write_sample
from optimizer.sample.field import Field
from optimizer.workload import workload_minutes
from workers.commands.simulation import simulate_campaign

ROOT = Path(__file__).resolve().parents[1]
FIELD = Field(not_home=0.2, evening_factor=0.25, absent=0.05)
DAY_ONLY = Window(8 * 60 + 30, 17 * 60 + 30)


def utilization(folder: Path) -> float:
    """The planner's workload ÷ every cadre's minutes by the deadline."""
    campaign = read_campaign(folder)
    work = float(workload_minutes(campaign.targets, campaign.settings).sum())
    days = campaign.settings.days
    minutes = sum(c.minutes_per_day * len(c.work_days(days)) for c in campaign.cadres)
    return work / minutes


def day_only_town(folder: Path, town: str, targets: int, seed: int, target_util: float) -> Path:
    """Write the day-only variant of a generated sample at about ``target_util``."""
    sample = generate_sample(town, targets, seed=seed)
    for row in sample.targets:
        if row.get("window") == "evening":
            row["window"] = ""
    cadres = [dict(c, window=str(DAY_ONLY)) for c in sample.cadres]
    toml = sample.toml.replace("retry_slack = 0.15", "retry_slack = 0")

    def write(rows: list[dict[str, str]]) -> float:
        write_sample(folder, type(sample)(sample.spec, toml, sample.targets, rows))
        return utilization(folder)

    # Town-level household visitors go first: dropping a village's own cadre can leave the
    # village short however much the others have (the flow's exit 3).
    spare = [c["id"] for c in cadres if c["types"] == "household" and not c.get("village")]
    spare.sort(key=lambda i: -int(next(c for c in cadres if c["id"] == i)["minutes_per_day"]))
    util = write(cadres)
    for cadre_id in spare:
        trial = [c for c in cadres if c["id"] != cadre_id]
        if write(trial) > target_util + 0.02:
            break
        cadres, util = trial, utilization(folder)
    # The rest of the way by fewer minutes a day for everyone, in steps of 10 minutes.
    if util < target_util:
        scale = util / target_util
        cadres = [
            dict(c, minutes_per_day=str(max(60, round(int(c["minutes_per_day"]) * scale, -1))))
            for c in cadres
        ]
    write(cadres)
    return folder


def run(label: str, folder: Path, seed: int) -> None:
    campaign = read_campaign(folder)
    started = time.perf_counter()
    result = simulate_campaign(folder, FIELD, seed, workers=1)
    last = result.days[-1]
    pending = round((1 - last.coverage) * len(campaign.targets)) - result.escalated
    print(
        f"  {label}: {len(campaign.targets)} targets, {len(campaign.cadres)} cadres, "
        f"utilization {utilization(folder):.2f}; coverage at deadline {last.coverage:.2%} "
        f"(static plan {last.static_coverage:.2%}), escalated {result.escalated}, "
        f"pending {pending}, pairing changes {result.pairing_changes}, "
        f"{time.perf_counter() - started:.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--town", default="chaihudian")
    parser.add_argument("--targets", type=int, default=1500)
    parser.add_argument("--utilization", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-samples", action="store_true")
    args = parser.parse_args()
    print("closed loop: 20 % not home by day (a quarter of that in the evening), 5 % absent")
    if not args.skip_samples:
        print("(a) the committed samples")
        for town in ("huangtun", "chaihudian"):
            run(town, ROOT / "data" / "samples" / town, args.seed)
    print(f"(b) day-only {args.town}, {args.targets} targets")
    with tempfile.TemporaryDirectory() as scratch:
        folder = day_only_town(
            Path(scratch) / "town", args.town, args.targets, args.seed, args.utilization
        )
        run("day-only", folder, args.seed)


if __name__ == "__main__":
    main()
