"""Read a CSV or XLSX sheet into rows of text, find its header, map headers to fields.

Office spreadsheets come as UTF-8 (often with a BOM) or GB18030 CSV, or XLSX, with Chinese
headers and sometimes a title row above the header. Rows are numbered as Excel shows them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from optimizer.domain.errors import InputProblem

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
    """All cells of the file's first sheet as text, or the problems that stopped reading."""
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as e:
        return None, [InputProblem(label, None, None, f"无法读取文件: {e.strerror}")]
    if suffix == ".csv":
        text = decode_csv(data)
        if text is None:
            msg = "无法识别的文字编码"
            return None, [InputProblem(label, None, None, msg, "UTF-8 或 GB18030 编码的 CSV")]
        try:
            return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))], []
        except csv.Error as e:
            return None, [InputProblem(label, None, None, f"CSV 格式错误: {e}")]
    if suffix == ".xlsx":
        return _read_xlsx(data, label)
    msg = f"不支持的文件类型 {suffix}"
    return None, [InputProblem(label, None, None, msg, "CSV 或 XLSX（.xls 请另存为 .xlsx）")]


def _read_xlsx(data: bytes, label: str) -> tuple[list[list[str]] | None, list[InputProblem]]:

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            cells = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    # openpyxl raises a zoo of exceptions (BadZipFile, KeyError, ValueError, lxml errors…) on
    # damaged workbooks; every one of them means "not a readable xlsx".
    except Exception as e:
        msg = f"无法读取 XLSX 文件: {type(e).__name__}"
        return None, [InputProblem(label, None, None, msg, "Excel 2007 及以上的 .xlsx 文件")]
    return cells, []


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
    for offset, row in enumerate(cells[header_index + 1 :]):
        if not any(row):
            continue
        values = {name: (row[i] if i < len(row) else "") for name, i in found.items()}
        sheet.rows.append((sheet.header_row + 1 + offset, values))
    return sheet
