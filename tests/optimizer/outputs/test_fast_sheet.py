"""FastSheet writes what xlsxwriter's own path writes, byte for byte: for odd cells, and for a
whole 日路线 workbook (day sheets and 回访 sheets)."""

from __future__ import annotations

import io
import math
import zipfile

import openpyxl
import pytest
import xlsxwriter
from xlsxwriter.exceptions import OverlappingRange

from optimizer.assign.solve import assign_areas
from optimizer.inputs import read_campaign
from optimizer.outputs import day_routes
from optimizer.outputs.day_routes import ReturnItem, write_day_routes
from optimizer.outputs.fast_sheet import FastSheet, PlainSheet
from optimizer.outputs.files import XLSX_CELL_CHARS
from optimizer.replan import plan_routes
from optimizer.sample import generate_sample, write_sample


def _parts(data: bytes) -> dict[str, bytes]:
    """Every part of a workbook but core.xml, which holds the time it was made."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


ODD_ROWS = [
    [1, 2.5, -0.0, 10**15, "文本", "=1+1", "+86", "-3", "@x", "\ttab", " lead ", 'a&b<c>"d"'],
    ["", None, True, False, math.nan, math.inf, "x" * 20_000, "长" * 40_000, 3, "", "", ""],
    ["𠀀" * 17_000, "\x01控制", "line\nbreak", "重点", "", "", "", "", "", "", "", 0],
]


def _odd_book(sheet_class, *, unformatted: bool) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    a = book.add_format({"border": 1})
    b = book.add_format({"bold": True, "text_wrap": True})
    sheet = book.add_worksheet("表", sheet_class)
    for i, values in enumerate(ODD_ROWS):
        formats = [a if j % 2 else b for j in range(len(values))]
        if unformatted:
            formats[-1] = None
        sheet.put_row(2 * i + 1, values, formats)
        sheet.set_row(2 * i + 1, 30)
    sheet.merge_row(9, 0, 5, "=标题 & <总>", a)
    sheet.merge_row(10, 2, 4, "", b)
    sheet.merge_row(11, 0, 11, "长" * 20_000, a)
    sheet.merge_row(12, 3, 3, "one cell", a)  # refused with a warning, as merge_range does
    sheet.put_row(1_048_576, ["out of the sheet"], [a])  # ignored, as xlsxwriter does
    sheet.put_row(7, [], [])
    sheet.set_row(20, 40)  # a row with a height and no cells
    book.close()
    return buffer.getvalue()


@pytest.mark.filterwarnings("ignore:Can't merge single cell")
@pytest.mark.parametrize("unformatted", [False, True])
def test_odd_cells_are_written_as_xlsxwriter_writes_them(unformatted):
    """Numbers, texts that look like formulas, blanks, bools, NaN, over-long and astral texts,
    control characters, a cell without a format: the same bytes as the plain path."""
    fast = _parts(_odd_book(FastSheet, unformatted=unformatted))
    assert fast == _parts(_odd_book(PlainSheet, unformatted=unformatted))
    cells = openpyxl.load_workbook(io.BytesIO(_odd_book(FastSheet, unformatted=False)))["表"]
    assert cells["F2"].value == "=1+1" and cells["F2"].data_type == "s"  # shown, not computed
    assert cells["A2"].value == 1 and cells["C4"].value == "是"
    assert len(cells["H4"].value) == XLSX_CELL_CHARS and cells["H4"].value.endswith("…")
    assert cells["A10"].value == "=标题 & <总>" and "A10:F10" in cells.merged_cells


@pytest.mark.parametrize("sheet_class", [FastSheet, PlainSheet])
def test_an_overlapping_merge_is_refused(sheet_class):
    """A merge over merged cells raises as xlsxwriter's merge_range does, and changes nothing."""
    book = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True, "strings_to_formulas": False})
    fmt = book.add_format({"border": 1})
    sheet = book.add_worksheet("表", sheet_class)
    sheet.merge_row(0, 0, 3, "标题", fmt)
    with pytest.raises(OverlappingRange):
        sheet.merge_row(0, 2, 5, "又一个", fmt)
    assert sheet.merge == [[0, 0, 0, 3]] and (0, 4) not in sheet.merged_cells
    book.close()


def _book_bytes(monkeypatch, tmp_path, sheet_class, name, campaign, plan, returns=None):
    monkeypatch.setattr(day_routes, "FastSheet", sheet_class)
    folder = tmp_path / name
    folder.mkdir()
    return write_day_routes(folder, campaign, plan, returns=returns).read_bytes()


def test_day_routes_are_the_same_bytes_as_xlsxwriters_own(tmp_path, monkeypatch):
    """日路线 and a 回访 sheet written through FastSheet: every part as xlsxwriter writes it
    (values, merged cells, formats, widths, heights, page breaks, print setup)."""
    folder = write_sample(tmp_path / "t", generate_sample("huangtun", 300, seed=6))
    campaign = read_campaign(folder)
    plan = plan_routes(campaign, assign_areas(campaign, seed=1), time_limit_s=0.05, workers=1)
    first = next(r for r in plan.routes if r.stops).stops[0].target_id
    returns = {first: [ReturnItem(3, "=HYPERLINK(1)", "已办结：已修复")]}
    for name, items in (("day", None), ("return", returns)):
        fast = _book_bytes(monkeypatch, tmp_path, FastSheet, f"{name}-fast", campaign, plan, items)
        plain = _book_bytes(
            monkeypatch, tmp_path, PlainSheet, f"{name}-plain", campaign, plan, items
        )
        assert _parts(fast) == _parts(plain)
        assert len(_parts(fast)) > 8  # a real workbook, sheets and all
