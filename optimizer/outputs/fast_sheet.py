"""A worksheet that stores and writes a big table's plain cells the short way, byte for byte
as xlsxwriter writes them.

The day sheets (日路线) of a 15,000-target town are ~240,000 cells. xlsxwriter's general path
(argument conversion, a dimension check and a type dispatch per cell, then a list of
attributes per cell when writing the XML) took ~1.9 of the 2.4 processor seconds of that
workbook. ``FastSheet`` keeps xlsxwriter's cell records and its XML, and only shortens the
path of the plain kinds (text, finite number, formatted blank, a merged row of text);
anything else goes through xlsxwriter itself. Measured 2026-12-04 with
``benchmarks/day_sheets.py`` (15,000 stops, processor seconds, median of 5 alternated runs):
2.43 s → 1.41 s. The tests hold a workbook written with it against ``PlainSheet``
(xlsxwriter's own calls), every part byte for byte, so an xlsxwriter release that changes
what it writes, or the records it keeps, fails them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xlsxwriter.utility import xl_col_to_name, xl_range
from xlsxwriter.worksheet import CellBlankTuple, CellNumberTuple, CellStringTuple, Worksheet

from optimizer.outputs.files import write_cell


class FastSheet(Worksheet):
    """An xlsxwriter worksheet with ``put_row`` (a row of cells as ``write_cell`` writes them)
    and ``merge_row`` (``merge_range`` over one row)."""

    def __init__(self) -> None:
        super().__init__()
        self._blanks: dict[object, CellBlankTuple] = {}

    def _blank(self, fmt) -> CellBlankTuple:
        # A blank cell is its format alone: one record per format serves every such cell.
        if fmt not in self._blanks:
            self._blanks[fmt] = CellBlankTuple(fmt)
        return self._blanks[fmt]

    def put_row(self, row: int, values: Sequence[object], formats: Sequence[object]) -> None:
        """Write ``values[j]`` in column ``j`` with ``formats[j]``, exactly as ``write_cell``
        would (text cells for text, never formulas; numbers when finite; formatted blanks)."""
        last = len(values) - 1
        if (
            last < 0
            or self.constant_memory  # xlsxwriter flushes rows there: its own path
            or any(f is None for f in formats)  # an unformatted blank is no cell at all
            or self._check_dimensions(row, 0)  # every column is a cell: the row's extent
            or self._check_dimensions(row, last)
        ):
            for col, value in enumerate(values):
                write_cell(self, row, col, value, formats[col])
            return
        cells = self.table[row]
        index = self.str_table._get_shared_string_index
        half = self.xls_strmax // 2  # longer texts may need xlsxwriter's UTF-16 cut
        for col, value in enumerate(values):
            fmt = formats[col]
            kind = value.__class__
            if value is None or value == "":
                cells[col] = self._blank(fmt)
            elif kind is str and len(value) <= half:  # type: ignore[arg-type]
                cells[col] = _new(CellStringTuple, (index(value), fmt))
            elif kind is int or (kind is float and math.isfinite(value)):  # type: ignore[arg-type]
                cells[col] = _new(CellNumberTuple, (value, fmt))
            else:  # bool, a long text, an object: write_cell's own way
                write_cell(self, row, col, value, fmt)

    def merge_row(self, row: int, first_col: int, last_col: int, text: str, fmt) -> None:
        """``merge_range`` over columns ``first_col``–``last_col`` of one row, ``text`` in it."""
        if (
            self.constant_memory
            or self.write_handlers
            or self.strings_to_formulas  # then merge_range's text could be a formula:
            or self.strings_to_urls  # its own path decides, as it always did
            or self.strings_to_numbers
            or fmt is None
            or last_col <= first_col
            or text.__class__ is not str
            or not text
            or len(text) > self.xls_strmax // 2
            or self._check_dimensions(row, first_col)
            or self._check_dimensions(row, last_col)
            or any(
                (row, c) in self.merged_cells or (row, c) in self.table_cells
                for c in range(first_col, last_col + 1)
            )
        ):
            self.merge_range(row, first_col, row, last_col, text, fmt)  # and its errors
            return
        cell_range = xl_range(row, first_col, row, last_col)
        for col in range(first_col, last_col + 1):
            self.merged_cells[(row, col)] = cell_range
        self.merge.append([row, first_col, row, last_col])
        cells = self.table[row]
        cells[first_col] = _new(
            CellStringTuple, (self.str_table._get_shared_string_index(text), fmt)
        )
        blank = self._blank(fmt)
        for col in range(first_col + 1, last_col + 1):
            cells[col] = blank

    def _calculate_spans(self) -> None:
        # Each block of 16 rows' first and last used columns ("1:11"), as xlsxwriter's own
        # loop over every column of every row finds them; notes count too: its own way.
        if self.comments:
            super()._calculate_spans()
            return
        spans: dict[int, str] = {}
        low, high = _NO_COLUMN, -1
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = self.table.get(row)
            if cells:
                low, high = min(low, *cells), max(high, *cells)
            if ((row + 1) % 16 == 0 or row == self.dim_rowmax) and high >= 0:
                spans[row // 16] = f"{low + 1}:{high + 1}"
                low, high = _NO_COLUMN, -1
        self.row_spans = spans

    def _write_rows(self) -> None:
        # xlsxwriter's loop and its cell XML, the same bytes, shorter: a row's cells in column
        # order (not a membership test per column), the plain cells' XML written directly (a
        # reference and two integers need no escaping), each format's index asked once (it
        # does not change). A sheet with notes goes xlsxwriter's own way.
        if self.comments:
            super()._write_rows()
            return
        self._calculate_spans()
        spans, info, write = self.row_spans, self.row_info, self.fh.write
        names = [xl_col_to_name(col) for col in range(self.dim_colmax + 1)]
        xf: dict[object, int] = {}
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = self.table.get(row)
            if not cells:
                if row in info:
                    self._write_empty_row(row, spans.get(row // 16), info[row])
                continue
            self._write_row(row, spans.get(row // 16), info.get(row))
            number = row + 1
            for col in sorted(cells):
                cell = cells[col]
                fmt, kind = cell.format, cell.__class__
                if fmt is None or kind not in _PLAIN:
                    self._write_cell(row, col, cell)
                    continue
                if fmt not in xf:
                    xf[fmt] = fmt._get_xf_index()
                head = f'<c r="{names[col]}{number}" s="{xf[fmt]}"'
                if kind is CellStringTuple:
                    write(f'{head} t="s"><v>{cell.string}</v></c>')
                elif kind is CellBlankTuple:
                    write(f"{head}/>")
                else:
                    write(f"{head}><v>{cell.number:.16G}</v></c>")
            write("</row>")


class PlainSheet(Worksheet):
    """``put_row`` and ``merge_row`` through xlsxwriter's own calls (``write_cell`` per value,
    ``merge_range``): what the day sheets were written with before, the reference that the
    tests and ``benchmarks/day_sheets.py`` hold ``FastSheet`` against."""

    def put_row(self, row: int, values: Sequence[object], formats: Sequence[object]) -> None:
        for col, value in enumerate(values):
            write_cell(self, row, col, value, formats[col])

    def merge_row(self, row: int, first_col: int, last_col: int, text: str, fmt) -> None:
        self.merge_range(row, first_col, row, last_col, text, fmt)


_new = tuple.__new__  # a named tuple without its Python-level constructor (half the time)
_NO_COLUMN = 1 << 30  # above any column: the lowest used column of no cells yet
_PLAIN = frozenset((CellStringTuple, CellBlankTuple, CellNumberTuple))
