"""How every output file is written: whole or not at all, with inert cells and safe names.

- A file appears only complete: it is written under a temporary name in its own folder and
  renamed over the old one (a full disk or a kill leaves the previous file, never half of one).
- Text from the public never becomes a live spreadsheet formula: CSV cells that start with
  ``= + - @`` (or a tab / carriage return) get a leading ``'``; XLSX cells are written as text
  cells (``write_string``), never through xlsxwriter's guessing ``write``.
- File and folder names made from ids are slugs: an id is never a path.
- Files are created like any other (mode 0666 less the umask), except ``private`` ones, which
  only their owner may read (0600): the spot-check sheet, with its phone numbers.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: The most characters an XLSX cell holds; a longer text is cut, and says so.
XLSX_CELL_CHARS = 32_767
#: Temporary files are named ``.<name>.<random>.part`` beside their target.
PARTIAL = re.compile(r"^\..+\.[a-z0-9_]{8}\.part$")
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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def replacing(path: Path, *, private: bool = False) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed over it when the block succeeds, removed when
    it fails. Readers see the old file or the new one, never a partial one; a kill leaves at
    most a ``.part`` file, which ``remove_partials`` clears."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.fchmod(fd, 0o600 if private else 0o666 & ~_umask())
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(temp, path)
    except OSError as e:  # name the file we were writing, not its temporary
        if e.filename in (None, str(temp), temp):
            raise OSError(e.errno, e.strerror, str(path)) from e
        raise
    finally:
        if temp.exists():
            temp.unlink()


def remove_partials(folder: Path) -> int:
    """Remove the temporary files a killed writer left under ``folder`` (only names of the
    ``replacing`` pattern); returns how many."""
    count = 0
    for path in Path(folder).rglob(".*.part"):
        if PARTIAL.match(path.name) and path.is_file() and not path.is_symlink():
            path.unlink()
            count += 1
    return count


def write_bytes(path: Path, data: bytes, *, private: bool = False) -> Path:
    with replacing(path, private=private) as temp:
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


def xlsx_text(value: object) -> str:
    """Text that fits an XLSX cell: cut to ``XLSX_CELL_CHARS``, ending in ``…`` when cut."""
    text = str(value)
    return text if len(text) <= XLSX_CELL_CHARS else text[: XLSX_CELL_CHARS - 1] + "…"


def write_cell(sheet, row: int, col: int, value: object, fmt=None) -> None:
    """One XLSX cell by its Python type: finite numbers as numbers, everything else as a text
    cell (so ``=…`` from the public is shown, not computed)."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int | float) and math.isfinite(value):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, xlsx_text(value), fmt)


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
def workbook(path: Path, *, private: bool = False, **options) -> Iterator[object]:
    """An xlsxwriter workbook, built in memory and written whole (``write_bytes``) when the
    block succeeds: a full disk or a read-only folder is a plain ``OSError`` and leaves the
    previous file.

    Every cell goes through ``write_cell`` (or ``write_string``): the workbook is made with
    ``strings_to_formulas`` off, so not even xlsxwriter's generic ``write`` could make one."""
    options = {"strings_to_formulas": False, "strings_to_urls": False, **options}
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {**options, "in_memory": True})
    try:
        yield book
    finally:
        book.close()
    write_bytes(path, buffer.getvalue(), private=private)
