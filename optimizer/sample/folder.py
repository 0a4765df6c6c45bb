"""Write a campaign folder's input tables (sample towns, tests, conversions)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import xlsxwriter

from optimizer.domain.codes import TargetType
from optimizer.inputs.columns import ZH_HEADERS

NUMERIC_FIELDS = {"lat", "lon", "base_lat", "base_lon", "service_min", "minutes_per_day"}


def _zh_value(kind: str, field: str, value: str) -> str:
    if kind == "targets" and field == "type" and value:
        return TargetType(value).zh
    if kind == "cadres" and field == "types" and value:
        return "、".join(TargetType(v).zh for v in value.split(";"))
    return value


def write_table(
    path: Path,
    kind: str,
    rows: list[dict[str, str]],
    *,
    chinese: bool = True,
    encoding: str = "utf-8-sig",
    title: str | None = None,
) -> Path:
    """Write ``rows`` (canonical field names) as CSV or XLSX by ``path``'s suffix.

    ``chinese`` writes the contract's Chinese headers and type names; ``title`` adds a title
    row above the header, as office spreadsheets often have.
    """
    fields = list(ZH_HEADERS[kind])
    headers = [ZH_HEADERS[kind][f] for f in fields] if chinese else fields
    table = [
        [_zh_value(kind, f, r.get(f, "")) if chinese else r.get(f, "") for f in fields]
        for r in rows
    ]
    if title:
        table.insert(0, [title])
    table.insert(1 if title else 0, headers)
    if path.suffix.lower() == ".xlsx":
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet(kind)
        numeric = {i for i, f in enumerate(fields) if f in NUMERIC_FIELDS}
        for i, row in enumerate(table):
            for j, value in enumerate(row):
                if j in numeric and i > (1 if title else 0) and value:
                    sheet.write_number(i, j, float(value))  # as a person typing into Excel
                else:
                    sheet.write_string(i, j, value)
        book.close()
    else:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(table)
        path.write_bytes(buffer.getvalue().encode(encoding))
    return path
