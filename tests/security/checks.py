"""What the security tests look for in a campaign's files: formulas, paths, personal data.

Spreadsheets are read back cell by cell (openpyxl, formulas kept as formulas), CSV row by row;
a folder tree is snapshot before and after a run to see every path written or deleted.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def snapshot(root: Path) -> dict[str, tuple[int, int] | None]:
    """Every file and folder under ``root``: relative path → (size, mtime) of a file, None
    for a folder (a folder changes only by being made or removed)."""
    found: dict[str, tuple[int, int] | None] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            found[str((Path(folder) / name).relative_to(root))] = None
        for name in files:
            path = Path(folder) / name
            st = path.lstat()
            found[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return found


def touched(before: dict, after: dict) -> set[str]:
    """Paths created, changed or deleted between two snapshots."""
    keys = before.keys() | after.keys()
    return {k for k in keys if (k in before) != (k in after) or before.get(k) != after.get(k)}


def xlsx_cells(path: Path):
    """(sheet, cell) of every cell of every sheet, formulas as written (not computed)."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                yield sheet, cell


def xlsx_text(path: Path) -> str:
    """All text an XLSX shows: cells, sheet names, page headers and footers."""
    book = openpyxl.load_workbook(path)
    parts = []
    for sheet in book.worksheets:
        parts.append(sheet.title)
        for part in (sheet.oddHeader, sheet.oddFooter):
            for side in (part.left, part.center, part.right):
                parts.append(side.text or "")
        for row in sheet.iter_rows(values_only=True):
            parts += [str(v) for v in row if v is not None]
    return "\n".join(parts)


def csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [cell for row in csv.reader(f) for cell in row]


def output_text(path: Path) -> str:
    """What a person sees of an output file, as text."""
    if path.suffix == ".xlsx":
        return xlsx_text(path)
    return path.read_text(encoding="utf-8-sig", errors="replace")


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_in_process(cwd: Path, *args: str) -> Result:
    """``zoufang ARGS`` in this process (fast: imports once), in ``cwd``; the exit code and
    what it printed."""
    from workers.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    old = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                main(list(args))
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        os.chdir(old)
    return Result(code, stdout.getvalue(), stderr.getvalue())


def zoufang_command() -> list[str]:
    return [sys.executable, "-m", "workers"]


def planned_routes(out: Path) -> list[dict]:
    """The rows of ``routes.csv``."""
    with (out / "routes.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))
