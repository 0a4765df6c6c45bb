"""Files of a published version: routes.csv (current), history/routes-vNNN.csv, summary.json
and the day sheets (日路线.xlsx)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from optimizer.domain.model import Plan
from optimizer.outputs.day_routes import write_day_routes
from optimizer.outputs.files import write_json
from optimizer.outputs.routes import write_routes_csv
from workers.store import Store


def _move_current_to_history(out: Path, version: int) -> None:
    """The routes.csv being replaced becomes history/routes-vNNN.csv (cheaper than rebuilding);
    a later version being rolled back goes there too."""
    current = out / "routes.csv"
    if not current.exists():
        return
    with current.open(encoding="utf-8") as f:
        row = next(csv.DictReader(f), None)
    if row and row["plan_version"].isdigit() and int(row["plan_version"]) != version:
        target = out / "history" / f"routes-v{int(row['plan_version']):03d}.csv"
        if not target.exists():
            shutil.move(current, target)


def export_version(
    store: Store, campaign_id: int, version: int, out: Path, plan: Plan | None = None
) -> dict:
    """Write the version's files (idempotent); earlier versions go to history/. ``plan``: the
    version's plan when the caller holds it already (else it is read from the store)."""
    out = Path(out)
    (out / "history").mkdir(parents=True, exist_ok=True)
    campaign = store.load_campaign(campaign_id)
    _move_current_to_history(out, version)
    for older in range(1, version):
        path = out / "history" / f"routes-v{older:03d}.csv"
        info = store.version_info(campaign_id, older)
        if not path.exists() and info and info.published:
            write_routes_csv(path, campaign, store.plan(campaign_id, older))
    plan = plan or store.plan(campaign_id, version)
    write_routes_csv(out / "routes.csv", campaign, plan)
    write_day_routes(out, campaign, plan)
    summary = json.loads(store.version_info(campaign_id, version).summary)
    write_json(out / "summary.json", summary)
    return summary
