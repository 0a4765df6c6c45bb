"""The ledger's commands: lists and exports, the weekly report, phone spot checks."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.errors import InputProblem, InvalidInputError, LedgerError
from optimizer.domain.ledger import SPOT_RESULTS, Request, SpotCheck
from optimizer.domain.privacy import display_name
from optimizer.domain.revisits import target_states
from optimizer.inputs.cells import CellError, parse_category
from optimizer.inputs.sheets import Column, read_sheet
from optimizer.outputs import lists
from optimizer.outputs.weekly import write_report
from optimizer.reports.status import silent_cadres
from optimizer.reports.weekly import build_week_report, week_days
from workers.commands.campaign import check_option_text, default_out, open_campaign
from workers.errors import OutputError

LEDGER_DIR = "ledger"
REPORTS_DIR = "reports"


def ledger_rows(
    campaign_dir: Path, state: str | None = None, responsibility: int | None = None
) -> list[Request]:
    _, store, campaign_id = open_campaign(campaign_dir)
    return store.requests(campaign_id, state, responsibility)


#: Lengths of the ledger's columns (``workers/store/schema``): longer text is refused.
UNIT_CHARS, ACTOR_CHARS, NOTE_CHARS = 200, 100, 10_000


def ledger_update(
    campaign_dir: Path,
    request_id: int,
    to: str | None,
    actor: str,
    note: str,
    unit: str | None,
    category: str | None = None,
):
    """Move a request and/or classify it (``category``: R-S or the Chinese names)."""
    check_option_text("--unit", unit, UNIT_CHARS)
    check_option_text("--by", actor, ACTOR_CHARS)
    check_option_text("--note", note, NOTE_CHARS)
    _, store, campaign_id = open_campaign(campaign_dir)
    parsed = None
    if category:
        try:
            parsed = parse_category(category)
        except CellError as e:
            raise LedgerError(f"{e.message}（应为 {e.expected}）") from None
    return store.update_request(campaign_id, request_id, to, actor, note, unit, parsed)


def ledger_export(campaign_dir: Path, out: Path | None = None) -> list[Path]:
    """附件5, 附件6 and the city-platform export of class 2 and 3 items."""
    _, store, campaign_id = open_campaign(campaign_dir)
    return write_lists(store, campaign_id, default_out(campaign_dir, out) / LEDGER_DIR)


def write_lists(store, campaign_id: int, folder: Path) -> list[Path]:
    """附件5, 附件6 and the platform export, from the store, into ``folder``."""
    campaign = store.load_campaign(campaign_id)
    folder.mkdir(parents=True, exist_ok=True)
    requests = store.requests(campaign_id)
    visited: dict[str, tuple[int, str]] = {}
    for o in store.outcomes(campaign_id):
        if o.status is OutcomeStatus.VISITED and o.target_id not in visited:
            visited[o.target_id] = (o.day, o.cadre_id)
    with_requests = {r.target_id for r in requests}
    name = campaign.settings.name
    return [
        lists.write_list(
            folder / lists.NO_PROBLEM_FILE,
            f"{name} 无问题群众清单（附件5）",
            lists.NO_PROBLEM_HEADERS,
            lists.no_problem_rows(campaign, visited, with_requests),
            {6: 30},
        ),
        lists.write_list(
            folder / lists.PROBLEM_FILE,
            f"{name} 问题清单（附件6）",
            lists.PROBLEM_HEADERS,
            lists.problem_rows(campaign, requests),
            {5: 26, 8: 36, 12: 36},
        ),
        *lists.write_platform(folder, lists.platform_rows(campaign, requests)),
    ]


def write_ledger_files(store, campaign_id: int, out: Path) -> list[str]:
    """For ``zoufang export``: the lists once anything was recorded, and the spot-check
    sheet once a sample was drawn; returns what was written."""
    written = []
    if store.last_night(campaign_id) or store.outcomes(campaign_id):
        write_lists(store, campaign_id, out / LEDGER_DIR)
        written.append("ledger/（附件5、附件6、市平台转办事项）")
    checks = store.spotchecks(campaign_id)
    if checks:
        campaign = store.load_campaign(campaign_id)
        states = target_states(campaign, store.outcomes(campaign_id))
        _write_spotcheck_sheet(campaign, checks, states, out)
        written.append("ledger/电话抽查清单.xlsx")
    return written


def sample_spotchecks(
    campaign_dir: Path, share: float, seed: int, out: Path | None = None
) -> tuple[int, Path]:
    """A reproducible sample of completed visits per cadre for phone checks, as an xlsx."""
    _, store, campaign_id = open_campaign(campaign_dir)
    campaign = store.load_campaign(campaign_id)
    owner = store.owners(campaign_id)
    states = target_states(campaign, store.outcomes(campaign_id))
    done: dict[str, list[str]] = defaultdict(list)
    for tid, s in sorted(states.items()):
        if s.final is OutcomeStatus.VISITED:
            done[owner[tid]].append(tid)
    picked = []
    for cadre_id, ids in sorted(done.items()):
        rng = np.random.default_rng([seed, sum(map(ord, cadre_id))])
        k = max(1, round(share * len(ids)))
        picked += [
            (tid, cadre_id) for tid in sorted(rng.choice(ids, size=min(k, len(ids)), replace=False))
        ]
    store.save_spotchecks(campaign_id, picked, seed)
    path = _write_spotcheck_sheet(
        campaign, store.spotchecks(campaign_id), states, default_out(campaign_dir, out)
    )
    return len(picked), path


def _write_spotcheck_sheet(campaign, checks: list[SpotCheck], states, out: Path) -> Path:
    targets, cadres = campaign.target_index(), campaign.cadre_index()
    rows = []
    for i, c in enumerate(checks, start=1):
        t = targets[c.target_id]
        visit = next((o for o in states[t.id].history if o.status is OutcomeStatus.VISITED), None)
        rows.append(
            [
                i,
                cadres[c.cadre_id].name,
                t.id,
                display_name(t),
                t.village,
                t.address,
                t.phone,
                campaign.settings.date_of(visit.day).isoformat() if visit else "",
                SPOT_RESULTS.get(c.result or "", ""),
                c.note,
            ]
        )
    folder = out / LEDGER_DIR
    folder.mkdir(parents=True, exist_ok=True)
    headers = [
        "序号",
        "走访人员",
        "对象编号",
        "户主/名称",
        "村/社区",
        "地址",
        "联系电话（仅供抽查核实）",
        "走访日期",
        "核实结果",
        "备注",
    ]
    return lists.write_list(
        folder / "电话抽查清单.xlsx",
        f"{campaign.settings.name} 电话回访抽查清单",
        headers,
        rows,
        {5: 28},
        private=True,  # the one list with phone numbers: for the checkers only
    )


RESULT_WORDS = {
    "confirmed": "confirmed",
    "属实": "confirmed",
    "是": "confirmed",
    "not_confirmed": "not_confirmed",
    "不属实": "not_confirmed",
    "否": "not_confirmed",
    # The phone was not answered: the check is still to do, the visit stands.
    "no_answer": "no_answer",
    "未接通": "no_answer",
    "无人接听": "no_answer",
    "关机": "no_answer",
}


def record_spotchecks(campaign_dir: Path, results_file: Path, actor: str = "") -> int:
    """Store phone-check results (对象编号, 核实结果 属实/不属实/未接通, 备注); returns how
    many. 不属实 reopens the visit: the next re-plan has the target's own cadre visit again."""

    _, store, campaign_id = open_campaign(campaign_dir)
    columns = (
        Column("target_id", ("对象编号",), required=True),
        Column("result", ("核实结果", "结果"), required=True),
        Column("note", ("备注",)),
    )
    sheet = read_sheet(Path(results_file), columns)
    problems, rows = list(sheet.problems), []
    sampled = {c.target_id for c in store.spotchecks(campaign_id)}
    for row, values in sheet.rows:
        result = RESULT_WORDS.get(values.get("result", "").strip())
        if values["target_id"] not in sampled:
            problems.append(
                InputProblem(
                    sheet.file,
                    row,
                    sheet.headers["target_id"],
                    f"{values['target_id']} 不在抽查名单中",
                )
            )
        elif values.get("result") and result is None:
            problems.append(
                InputProblem(
                    sheet.file,
                    row,
                    sheet.headers["result"],
                    f"无法识别「{values['result']}」",
                    "属实/不属实/未接通",
                )
            )
        elif result:
            rows.append((values["target_id"], result, values.get("note", "")))
    if problems:
        raise InvalidInputError(problems)
    return sum(store.record_spotcheck(campaign_id, t, r, n, actor) for t, r, n in rows)


def week_report(campaign_dir: Path, week: int, out: Path | None = None) -> tuple[Path, Path]:
    """周调度: the week's xlsx and self-contained HTML page under ``OUT/reports``; its figures
    are kept in the store as that week's report."""

    _, store, campaign_id = open_campaign(campaign_dir)
    campaign = store.load_campaign(campaign_id)
    last_night = store.last_night(campaign_id)
    week_days(campaign, week, last_night)  # refuse a week not begun before reading more
    version, _ = store.current_version(campaign_id)
    summary = json.loads(store.version_info(campaign_id, version).summary or "{}")
    planned = store.planned_by_day(campaign_id, last_night)
    outcomes = store.outcomes(campaign_id)
    owner = store.owners(campaign_id)
    report = build_week_report(
        campaign,
        week,
        last_night=last_night,
        planned=planned,
        outcomes=outcomes,
        requests=ledger_rows(campaign_dir),
        owner=owner,
        at_risk=summary.get("at_risk", []),
        checks=store.spotchecks(campaign_id),
        silent=silent_cadres(campaign, planned, outcomes, owner),
    )
    store.save_week_report(campaign_id, report)  # first: ``export`` writes it again
    try:
        return write_report(default_out(campaign_dir, out) / REPORTS_DIR, report)
    except OSError as e:
        raise OutputError.unwritten(e, f"第 {week} 周调度报告", "the weekly report") from e
