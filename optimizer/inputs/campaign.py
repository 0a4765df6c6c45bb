"""``read_campaign``: a campaign folder → a validated ``Campaign``, or every problem at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from optimizer.domain.errors import InputProblem, InvalidInputError
from optimizer.domain.model import Cadre, Campaign, Settings, Target, Window
from optimizer.inputs.columns import CADRE_COLUMNS, TARGET_COLUMNS
from optimizer.inputs.extent import extent_problems, isolation_problems
from optimizer.inputs.rows import RowReader, TownIndex, read_cadre, read_target
from optimizer.inputs.settings import read_settings
from optimizer.inputs.sheets import Sheet, read_sheet

INPUT_NAMES = {
    "targets": ("targets", "走访对象"),
    "cadres": ("cadres", "走访人员"),
}
# Used to read the tables when campaign.toml itself is broken, so all problems show at once.
FALLBACK_SETTINGS = Settings(
    name="", start_date=dt.date(2000, 1, 1), days=366, day_window=Window(0, 24 * 60)
)


def find_input(folder: Path, kind: str, problems: list[InputProblem]) -> Path | None:
    """The one ``targets``/``cadres`` file (CSV or XLSX) in ``folder``."""
    found = [
        folder / f"{stem}{suffix}"
        for stem in INPUT_NAMES[kind]
        for suffix in (".csv", ".xlsx", ".CSV", ".XLSX")
        if (folder / f"{stem}{suffix}").is_file()
    ]
    found = list(dict.fromkeys(p.resolve() for p in found))
    if not found:
        names = "、".join(f"{s}.csv/.xlsx" for s in INPUT_NAMES[kind])
        problems.append(InputProblem(f"{kind}.csv", None, None, f"找不到{kind}文件", names))
        return None
    if len(found) > 1:
        names = "、".join(p.name for p in found)
        problems.append(
            InputProblem(found[0].name, None, None, f"有多个{kind}文件: {names}", "只保留一个")
        )
    return found[0]


def _duplicate_id(seen: dict[str, int], ident: str, sheet: Sheet, row: int) -> InputProblem | None:
    if not ident:
        return None
    if ident in seen:
        column = sheet.headers.get("id", "id")
        msg = f"编号「{ident}」重复（第{seen[ident]}行已有）"
        return InputProblem(sheet.file, row, column, msg, "每行唯一的编号")
    seen[ident] = row
    return None


def _read_targets(path: Path, settings: Settings, problems, notes, places, rows) -> list[Target]:
    sheet = read_sheet(path, TARGET_COLUMNS)
    problems += sheet.problems
    notes += sheet.notes
    targets, seen = [], {}
    for row, values in sheet.rows:
        r = RowReader(sheet, row, values)
        if r.text("village"):
            places.append((r.text("village"), r.text("grid")))
        target = read_target(r, settings)
        duplicate = _duplicate_id(seen, r.text("id"), sheet, row)
        problems += r.problems + ([duplicate] if duplicate else [])
        if target is not None and duplicate is None:
            targets.append(target)
            rows[target.id] = (sheet.file, row, sheet.headers.get("lat", "lat"))
    if not sheet.rows and not sheet.problems:
        problems.append(InputProblem(sheet.file, None, None, "没有走访对象", "至少一行数据"))
    return targets


def _read_cadres(path: Path, settings: Settings | None, town: TownIndex, problems, notes, rows):
    sheet = read_sheet(path, CADRE_COLUMNS)
    problems += sheet.problems
    notes += sheet.notes
    cadres: list[Cadre] = []
    seen: dict[str, int] = {}
    for row, values in sheet.rows:
        r = RowReader(sheet, row, values)
        cadre = read_cadre(r, settings, town)
        duplicate = _duplicate_id(seen, r.text("id"), sheet, row)
        problems += r.problems + ([duplicate] if duplicate else [])
        if cadre is not None and duplicate is None:
            cadres.append(cadre)
            if r.text("base_lat"):  # a base of its own (else the village's centroid)
                rows[cadre.id] = (sheet.file, row, sheet.headers.get("base_lat", "base_lat"))
    if not sheet.rows and not sheet.problems:
        msg = "没有走访人员（0 名）"
        problems.append(InputProblem(sheet.file, None, None, msg, "至少一名走访人员"))
    return cadres


def _shared_grid_note(town: TownIndex) -> list[str]:
    shared = {g: vs for g, vs in town.villages_of_grid.items() if len(vs) > 1}
    if not shared:
        return []
    grid, villages = next(iter(sorted(shared.items())))
    return [
        f"注意: {len(shared)} 个网格名出现在多个村（如「{grid}」在 {'、'.join(villages[:4])}），"
        "已按「村+网格」视为不同网格"
    ]


def read_campaign(folder: str | Path) -> Campaign:
    """Read and validate a campaign folder.

    Raises
    ------
    InvalidInputError
        With every problem found in ``campaign.toml``, the targets and the cadres.
    """
    folder = Path(folder)
    problems: list[InputProblem] = []
    notes: list[str] = []
    if not folder.is_dir():
        raise InvalidInputError([InputProblem(str(folder), None, None, "活动文件夹不存在")])
    settings, settings_problems = read_settings(folder)
    problems += settings_problems
    target_path = find_input(folder, "targets", problems)
    cadre_path = find_input(folder, "cadres", problems)
    targets: list[Target] = []
    places: list[tuple[str, str]] = []
    target_rows: dict[str, tuple[str, int, str]] = {}
    cadre_rows: dict[str, tuple[str, int, str]] = {}
    if target_path:
        targets = _read_targets(
            target_path, settings or FALLBACK_SETTINGS, problems, notes, places, target_rows
        )
    town = TownIndex(targets, places)
    cadres = []
    if cadre_path:
        cadres = _read_cadres(cadre_path, settings, town, problems, notes, cadre_rows)
    problems += extent_problems(targets, cadres, target_rows, cadre_rows)
    problems += isolation_problems(targets, target_rows)
    if problems or settings is None:
        raise InvalidInputError(problems)
    notes += _shared_grid_note(town)
    notes += [
        f"注意: {text}，该人员不分配走访区域（附件2: 无可走访对象）" for text in town.empty_grids
    ]
    return Campaign(settings, tuple(targets), tuple(cadres), str(folder), tuple(notes))
