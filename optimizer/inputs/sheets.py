"""Read a CSV or XLSX sheet into rows of text, find its header, map headers to fields.

Office spreadsheets come as UTF-8 (often with a BOM) or GB18030 CSV, or XLSX, with Chinese
headers and sometimes a title row above the header. Rows are numbered as Excel shows them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from optimizer.domain.errors import InputProblem
from optimizer.inputs.limits import (
    CONTROL,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    size_problem,
    xlsx_problem,
)

#: How far down a sheet the header row may sit (title rows above it are skipped).
HEADER_SCAN_ROWS = 6


def normalize_header(text: str) -> str:
    """Fold a header cell so that variants compare equal (全角, spaces, units in brackets)."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)
    return re.sub(r"[\s*:_\-/]", "", text)


@dataclass(frozen=True, slots=True)
class Column:
    """A field of a sheet: its canonical name and the header texts that mean it."""

    name: str
    aliases: tuple[str, ...]
    required: bool = False


@dataclass(slots=True)
class Sheet:
    """The data rows of one sheet, keyed by canonical field name."""

    file: str
    header_row: int
    headers: dict[str, str]  # field → header text as written
    rows: list[tuple[int, dict[str, str]]]
    problems: list[InputProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def decode_csv(data: bytes) -> str | None:
    """Decode CSV bytes as UTF-8 (with or without BOM), else GB18030; None if neither works."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:5] if re.fullmatch(r"\d\d:\d\d:00", text) else text
    return str(value).strip()


def read_cells(path: Path, label: str) -> tuple[list[list[str]] | None, list[InputProblem]]:
    """All cells of the file's first sheet as text, or the problems that stopped reading.

    The limits of ``optimizer.inputs.limits`` (bytes, rows, columns, an XLSX's inflated size)
    are checked first, so an oversized file is refused before it is parsed."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        msg = f"不支持的文件类型 {suffix}"
        return None, [InputProblem(label, None, None, msg, "CSV 或 XLSX（.xls 请另存为 .xlsx）")]
    try:
        too_big = size_problem(path.stat().st_size)
        data = b"" if too_big else path.read_bytes()
    except OSError as e:
        return None, [InputProblem(label, None, None, f"无法读取文件: {e.strerror}")]
    if too_big:
        return None, [InputProblem(label, None, None, too_big, "按文件上限拆分或精简表格")]
    if suffix == ".csv":
        return _read_csv(data, label)
    too_big = xlsx_problem(data)
    if too_big:
        return None, [InputProblem(label, None, None, too_big, "正常保存的 .xlsx 表格")]
    return _read_xlsx(data, label)


def _too_many(label: str, rows: int | None = None) -> list[InputProblem]:
    if rows is None:
        msg = f"表格超过 {MAX_COLUMNS} 列"
        return [InputProblem(label, None, None, msg, f"不超过 {MAX_COLUMNS} 列")]
    msg = f"表格超过 {MAX_ROWS:,} 行数据"
    return [InputProblem(label, None, None, msg, f"不超过 {MAX_ROWS:,} 行，或分成几个活动")]


def _bounded_rows(rows, label: str, cells: list[list[str]], text) -> list[InputProblem]:
    """Append ``rows`` to ``cells`` as text (``text`` converts a value), refusing a table of
    more than ``MAX_COLUMNS`` columns or ``MAX_ROWS`` rows (blank rows count half)."""
    data_bound = MAX_ROWS + HEADER_SCAN_ROWS + 1
    data = 0
    for row in rows:
        if not any(row):
            cells.append([])
            if len(cells) > 2 * data_bound:
                return _too_many(label, len(cells))
            continue
        if len(row) > MAX_COLUMNS and any(v not in (None, "") for v in row[MAX_COLUMNS:]):
            return _too_many(label)
        cells.append([text(v) for v in row[:MAX_COLUMNS]])
        data += 1
        if data > data_bound or len(cells) > 2 * data_bound:
            return _too_many(label, data)
    return []


def _read_csv(data: bytes, label: str) -> tuple[list[list[str]] | None, list[InputProblem]]:
    # Without a quote every line is a row (UTF-8 and GB18030 never use the bytes of '"' or a
    # line break inside a character): a million lines are refused before they are parsed.
    lines = data.count(b"\n")
    if lines > 2 * (MAX_ROWS + HEADER_SCAN_ROWS + 1) + 1 and b'"' not in data:
        return None, _too_many(label, lines)
    text = decode_csv(data)
    if text is None:
        msg = "无法识别的文字编码"
        return None, [InputProblem(label, None, None, msg, "UTF-8 或 GB18030 编码的 CSV")]
    cells: list[list[str]] = []
    try:
        problems = _bounded_rows(csv.reader(io.StringIO(text)), label, cells, str.strip)
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            msg = f"第{len(cells) + 1}行附近有单元格超过 {MAX_CELL_CHARS:,} 个字符"
            return None, [InputProblem(label, None, None, msg)]
        return None, [InputProblem(label, None, None, f"CSV 格式错误: {e}")]
    return (None, problems) if problems else (cells, [])


def _read_xlsx(data: bytes, label: str) -> tuple[list[list[str]] | None, list[InputProblem]]:
    bound = 2 * (MAX_ROWS + HEADER_SCAN_ROWS + 1) + 1
    cells: list[list[str]] = []
    import openpyxl  # here: a CSV town never pays for it (nor for the numpy it imports)

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            # Bounded reads: a sheet claiming ``A1:XFD1048576`` would otherwise be padded
            # out to that size, cell by empty cell.
            rows = book.worksheets[0].iter_rows(
                max_row=bound, max_col=MAX_COLUMNS + 1, values_only=True
            )
            problems = _bounded_rows(rows, label, cells, _cell_text)
        finally:
            book.close()
    # openpyxl raises a zoo of exceptions (BadZipFile, KeyError, ValueError, lxml errors…) on
    # damaged workbooks; every one of them means "not a readable xlsx".
    except Exception as e:
        msg = f"无法读取 XLSX 文件: {type(e).__name__}"
        return None, [InputProblem(label, None, None, msg, "Excel 2007 及以上的 .xlsx 文件")]
    return (None, problems) if problems else (cells, [])


def cell_problem(text: str) -> str | None:
    """What makes a text cell unusable, or None: control characters or too many characters."""
    if len(text) > MAX_CELL_CHARS:
        return f"单元格有 {len(text):,} 个字符，超过上限 {MAX_CELL_CHARS:,}"
    bad = CONTROL.search(text)
    if bad:
        return f"含有控制字符 U+{ord(bad.group(0)):04X}"
    return None


def cells_problem(cells: Mapping[str, str]) -> tuple[str, str] | None:
    """The first cell of ``cells`` that ``cell_problem`` refuses, as (name, problem), or None.

    The cells are asked joined first, by a character the rules allow: one cell breaks them
    only if the joined text does, so a row of good cells (nearly every row of a phone's
    burst) costs one search instead of one a cell."""
    joined = "\n".join(cells.values())
    if len(joined) <= MAX_CELL_CHARS and not CONTROL.search(joined):
        return None
    for name, text in cells.items():
        problem = cell_problem(text)
        if problem:
            return name, problem
    return None


def _match_headers(row: list[str], columns: Iterable[Column]) -> dict[str, int]:
    lookup = {normalize_header(a): c.name for c in columns for a in (c.name, *c.aliases)}
    found: dict[str, int] = {}
    for index, text in enumerate(row):
        name = lookup.get(normalize_header(text)) if text else None
        if name is not None and name not in found:
            found[name] = index
    return found


def _find_header(cells: list[list[str]], columns: tuple[Column, ...]) -> tuple[int, dict[str, int]]:
    """Index of the header row: the first of the top rows holding every required column."""
    required = {c.name for c in columns if c.required}
    best, best_found = 0, {}
    for index, row in enumerate(cells[:HEADER_SCAN_ROWS]):
        found = _match_headers(row, columns)
        if required <= found.keys() and found:
            return index, found
        if len(found) > len(best_found):
            best, best_found = index, found
    return best, best_found


def _duplicate_header_problems(
    header: list[str], found: dict[str, int], columns: tuple[Column, ...], label: str, row: int
) -> list[InputProblem]:
    lookup = {normalize_header(a): c.name for c in columns for a in (c.name, *c.aliases)}
    problems = []
    for index, text in enumerate(header):
        name = lookup.get(normalize_header(text)) if text else None
        if name is not None and found.get(name) != index:
            first = header[found[name]]
            msg = f"列「{text}」与列「{first}」重复，都表示 {name}"
            problems.append(InputProblem(label, row, text, msg, "每个字段只出现一列"))
    return problems


def _data_rows(sheet: Sheet, rows: list[list[str]], header: list[str], found) -> None:
    """The non-empty rows under the header, each mapped field checked (``cell_problem``)."""
    expected = f"不含控制字符、不超过 {MAX_CELL_CHARS:,} 个字符的文字"
    for offset, row in enumerate(rows):
        if not any(row):
            continue
        values = {name: (row[i] if i < len(row) else "") for name, i in found.items()}
        number = sheet.header_row + 1 + offset
        for name, value in values.items():
            problem = cell_problem(value) if value else None
            if problem:
                column = header[found[name]]
                sheet.problems.append(InputProblem(sheet.file, number, column, problem, expected))
        sheet.rows.append((number, values))


def read_sheet(path: Path, columns: tuple[Column, ...], label: str | None = None) -> Sheet:
    """Read ``path`` and map its rows onto ``columns``; problems are collected, not raised."""
    label = label or path.name
    cells, problems = read_cells(path, label)
    sheet = Sheet(label, 1, {}, [], problems)
    if cells is None:
        return sheet
    while cells and not any(cells[-1]):
        cells.pop()
    if not cells:
        sheet.problems.append(InputProblem(label, None, None, "文件是空的", "表头行和数据行"))
        return sheet
    header_index, found = _find_header(cells, columns)
    sheet.header_row = header_index + 1
    header = cells[header_index]
    for skipped in range(header_index):
        text = " ".join(c for c in cells[skipped] if c)
        if text:
            sheet.notes.append(f"{label} 第{skipped + 1}行是标题行「{text[:30]}」，已跳过")
    sheet.problems += _duplicate_header_problems(header, found, columns, label, sheet.header_row)
    for column in columns:
        if column.required and column.name not in found:
            names = "、".join(column.aliases[:3])
            msg = f"缺少必填列「{column.name}」"
            sheet.problems.append(InputProblem(label, sheet.header_row, column.name, msg, names))
    sheet.headers = {name: header[index] for name, index in found.items()}
    if sheet.problems:  # rows of a sheet without its required columns cannot be read sensibly
        return sheet
    _data_rows(sheet, cells[header_index + 1 :], header, found)
    return sheet
