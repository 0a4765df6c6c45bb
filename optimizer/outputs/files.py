"""How every output file is written: whole or not at all, with inert cells and safe names.

- A file appears only complete: it is written under a temporary name in its own folder and
  renamed over the old one (a full disk or a kill leaves the previous file, never half of one).
- Text from the public never becomes a live spreadsheet formula: CSV cells that start with
  ``= + - @`` (or a tab / carriage return) get a leading ``'``; XLSX cells are written as text
  cells (``write_string``), never through xlsxwriter's guessing ``write``.
- File and folder names made from ids are slugs: an id is never a path.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SLUG = re.compile(r"^[\w][\w.\-]{0,63}$")
# Names Windows refuses for a file or folder, whatever the extension.
RESERVED = {"con", "prn", "aux", "nul", *(f"{d}{i}" for d in ("com", "lpt") for i in range(10))}
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def file_slug(ident: str) -> str:
    """A file or folder name for an id: the id itself when it is a plain name (letters of any
    script, digits, ``_ . -``; not starting with a dot or dash; not a Windows device name),
    else ``id-`` + a digest of it. Never a path, never ``.`` or ``..``."""
    text = unicodedata.normalize("NFC", str(ident))
    plain = (
        SLUG.match(text)
        and not text.startswith((".", "-"))
        and text.split(".")[0].lower() not in RESERVED
        and not text.endswith(".")
    )
    if plain:
        return text
    return "id-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def inside(folder: Path, path: Path) -> bool:
    """Whether ``path`` lies inside ``folder`` (after resolving links)."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except ValueError:
        return False
    return True


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed over it when the block succeeds, removed when
    it fails. Readers see the old file or the new one, never a partial one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


def write_bytes(path: Path, data: bytes) -> Path:
    with replacing(path) as temp:
        temp.write_bytes(data)
    return Path(path)


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes(path, text.encode(encoding))


def write_json(path: Path, data: dict) -> Path:
    return write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def csv_cell(value: object) -> object:
    """A CSV value that a spreadsheet will not run: text starting with a formula prefix gets
    a leading ``'``; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(
    path: Path, header: list[str], rows: Iterable[Iterable[object]], encoding: str = "utf-8"
) -> Path:
    """A CSV file, every text cell inert (see ``csv_cell``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return write_text(path, buffer.getvalue(), encoding)


def write_cell(sheet, row: int, col: int, value: object, fmt=None) -> None:
    """One XLSX cell by its Python type: numbers as numbers, everything else as a text cell
    (so ``=…`` from the public is shown, not computed)."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def write_cells(sheet, row: int, values: Iterable[object], fmt=None, first_col: int = 0) -> None:
    for j, value in enumerate(values, start=first_col):
        write_cell(sheet, row, j, value, fmt)


def sheet_name(text: str, used: set[str] | None = None) -> str:
    """A legal, unique worksheet name: no ``[]:*?/\\``, not starting or ending with ``'``,
    at most 31 characters."""
    name = SHEET_FORBIDDEN.sub("_", str(text)).strip("'").strip() or "Sheet"
    name = name[:31]
    if used is not None:
        base, n = name, 2
        while name.lower() in {u.lower() for u in used}:
            suffix = f"({n})"
            name = base[: 31 - len(suffix)] + suffix
            n += 1
        used.add(name)
    return name


def header_text(text: str) -> str:
    """Text for an XLSX page header or footer, where ``&`` starts a control code."""
    return str(text).replace("&", "&&")


@contextlib.contextmanager
def workbook(path: Path, **options) -> Iterator[object]:
    """An xlsxwriter workbook written to a temporary file and renamed into place on success."""

    with replacing(path) as temp:
        book = xlsxwriter.Workbook(str(temp), options or None)
        try:
            yield book
        finally:
            book.close()
