"""Every output file, written from the store: what ``plan`` and ``replan`` write, and
``zoufang export`` writes again after a full disk, a read-only folder or a killed command.

The store is the record; files are views of it, each written whole (``outputs.files``). A
command publishes first and writes files after, so a failure while writing loses nothing:
``export`` brings every file back, and every command says when the files lag the store.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

from optimizer.domain.model import MapOptions, Plan
from optimizer.outputs.attachment2 import write_attachment2
from optimizer.outputs.day_routes import write_day_routes
from optimizer.outputs.files import remove_partials, write_json
from optimizer.outputs.routes import write_assignment_csv, write_routes_csv
from optimizer.outputs.weekly import write_report
from workers.commands.followup_files import export_followups
from workers.commands.ledger import REPORTS_DIR, write_ledger_files
from workers.errors import OutputError
from workers.store import Store


def _move_current_to_history(out: Path, version: int) -> None:
    """The routes.csv being replaced becomes history/routes-vNNN.csv (cheaper than rebuilding)
    when it holds another version: an earlier one, or a later one being rolled back."""
    current = out / "routes.csv"
    if not current.exists():
        return
    with current.open(encoding="utf-8") as f:
        row = next(csv.DictReader(f), None)
    old = row.get("plan_version", "") if row else ""
    if old.isdigit() and int(old) != version:
        target = out / "history" / f"routes-v{int(old):03d}.csv"
        if not target.exists():
            shutil.move(current, target)


def export_version(
    store: Store, campaign_id: int, version: int, out: Path, plan: Plan | None = None
) -> dict:
    """Write a published version's files (idempotent): routes.csv, history/ of every earlier
    published version, 日路线.xlsx. ``plan``: the version's plan when the caller holds it
    already (else it is read from the store). Returns the summary, which the caller writes
    last (``write_summary``), after the maps too."""
    out = Path(out)
    (out / "history").mkdir(parents=True, exist_ok=True)
    campaign = store.load_campaign(campaign_id)
    published = {v for v, _ in store.published_versions(campaign_id)}
    _move_current_to_history(out, version)
    for older in sorted(v for v in published if v < version):
        path = out / "history" / f"routes-v{older:03d}.csv"
        if not path.exists():
            write_routes_csv(path, campaign, store.plan(campaign_id, older))
    plan = plan or store.plan(campaign_id, version)
    write_routes_csv(out / "routes.csv", campaign, plan)
    write_day_routes(out, campaign, plan)
    return json.loads(store.version_info(campaign_id, version).summary)


def write_summary(store: Store, campaign_id: int, version: int, out: Path) -> dict:
    """summary.json, written after every other file of the version: it names the version the
    files hold, so a command killed while writing them leaves the old one (``stale_outputs``
    then says the files lag)."""
    summary = json.loads(store.version_info(campaign_id, version).summary)
    write_json(Path(out) / "summary.json", summary)
    return summary


def write_assignment_files(store: Store, campaign_id: int, out: Path) -> None:
    """assignment.csv and 附件2, from the published assignment; 附件2's 计划完成日期 come from
    the routes ``plan`` published with it (the table as printed), not from later re-plans."""
    campaign = store.load_campaign(campaign_id)
    assignment = store.assignment(campaign_id)
    first = max((v for v, base in store.published_versions(campaign_id) if base is None))
    plan = store.plan(campaign_id, first)
    finish = {
        cp.cadre_id: campaign.settings.date_of(cp.finish_day) if cp.finish_day else None
        for cp in plan.cadre_plans
    }
    late = Counter(u.cadre_id for u in plan.unscheduled)
    remarks = {c: f"期限内排不下 {n} 个，见 summary.json" for c, n in late.items()}
    Path(out).mkdir(parents=True, exist_ok=True)
    write_assignment_csv(out, assignment)
    write_attachment2(out, campaign, assignment, finish, remarks=remarks)


def stale_outputs(store: Store, campaign_id: int, out: Path) -> str | None:
    """A warning when the files in ``out`` are not those of the store's current version
    (a command was killed, or the disk was full), else None."""
    current = store.current_version(campaign_id)
    if current is None:
        return None
    try:
        shown = json.loads((Path(out) / "summary.json").read_text(encoding="utf-8"))
        version = int(shown.get("plan_version", -1))
    except (OSError, ValueError, TypeError, AttributeError):
        version = None
    if version == current[0] and (Path(out) / "routes.csv").is_file():
        return None
    have = "缺少输出文件" if version is None else f"输出文件是第 {version} 版"
    return (
        f"注意：{have}，库中当前为第 {current[0]} 版；运行 zoufang export 重新生成 / "
        "the output files lag the store: run `zoufang export`"
    )


def write_week_reports(store: Store, campaign_id: int, out: Path) -> list[str]:
    """Each week's report as it was last written (``zoufang report``), from its stored
    figures; returns what was written."""
    written = []
    for report in store.week_reports(campaign_id):
        xlsx, page = write_report(Path(out) / REPORTS_DIR, report)
        written += [f"{REPORTS_DIR}/{xlsx.name}", f"{REPORTS_DIR}/{page.name}"]
    return written


def export_campaign(
    store: Store,
    campaign_id: int,
    out: Path,
    *,
    maps: bool = True,
    workers: int | None = None,
    options: MapOptions | None = None,
) -> list[str]:
    """Every output of the campaign from the store: 附件2, assignment.csv, routes.csv,
    history/, summary.json, 日路线.xlsx, maps, the ledger's lists and the spot-check sheet
    when there is anything to list, each return-visit plan's 回访-NN/ folder and each week's
    report. ``options``: the campaign.toml's ``[maps]`` as it is now (else the stored one).
    Returns what was written (for the message).

    Raises
    ------
    OutputError
        When a file cannot be written (nothing in the store changes).
    """
    out = Path(out)
    version, _ = store.current_version(campaign_id)
    options = options or store.load_campaign(campaign_id).settings.maps
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        remove_partials(out)
        write_assignment_files(store, campaign_id, out)
        written += ["assignment.csv", "附件2"]
        export_version(store, campaign_id, version, out)
        written += ["routes.csv", "history/", "日路线.xlsx", "summary.json"]
        if maps:
            from workers.commands.maps import render_maps  # folium: only when drawing

            count = render_maps(
                store, campaign_id, version, out, workers=workers, offline=options.offline
            )
            written.append(f"maps/（{count} 张）")
        written += write_ledger_files(store, campaign_id, out)
        written += export_followups(store, campaign_id, out, maps=maps, options=options)
        written += write_week_reports(store, campaign_id, out)
        write_summary(store, campaign_id, version, out)
    except OSError as e:
        raise output_error(e, version) from e
    return written


def output_error(e: OSError, version: int) -> OutputError:
    """The message of a file that could not be written, after the store was updated."""
    return OutputError.unwritten(e, f"第 {version} 版", "the plan")
