"""The documented limits of an input file, checked before any heavy work.

A clerk's table is small; a file far beyond these sizes is a mistake or an attack, and must be
refused in seconds, not after minutes of parsing and gigabytes of memory. The figures leave
room for the largest town the sample generator makes (200,000 targets: a 21 MB CSV, a 14 MB
XLSX holding 110 MB of XML, validated in about 30 s).

| limit | value | why |
| --- | --- | --- |
| bytes per table file | 64 MiB | three times the largest sample town |
| bytes of ``campaign.toml`` | 64 KiB | a settings file of a few dozen lines |
| data rows per table | 200,000 | the sample generator's maximum |
| columns per table | 64 | the widest table has 13 columns |
| characters per cell | 32,767 | Excel's own limit: a longer text cannot be written back |
| XLSX parts, inflated bytes | 10,000, 256 MiB | a zip bomb is refused before openpyxl |
| XLSX shared strings | 2 × the string cells + 10,000 | Excel keeps only the strings in use |
| problems listed | 100, then a count | ``optimizer.domain.errors.PROBLEMS_SHOWN`` |

The XLSX checks read the zip's own directory (stdlib ``zipfile``; its reader never inflates a
part beyond the size the directory declares) and count the sheets' rows and string cells and
the shared strings in one streaming pass, before openpyxl is given the file.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_TOML_BYTES = 64 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 64
MAX_CELL_CHARS = 32_767
MAX_XLSX_PARTS = 10_000
MAX_XLSX_UNCOMPRESSED = 256 * 1024 * 1024
#: Shared strings beyond twice the string cells that may refer to them (see ``xlsx_problem``).
MAX_UNUSED_STRINGS = 10_000

#: Characters a text cell may not hold: C0 controls but tab and line breaks, DEL, C1 controls.
#: No resident says them; PostgreSQL refuses NUL; ESC would drive a terminal.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_EOCD = b"PK\x05\x06"
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row[\s/>]")
_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# Counted with ``bytes.count`` (a regular expression takes 50 ns a byte on a table of
# millions of entries): ``<si>``, ``<x:si>``; ``t="s"`` is only a shared-string cell's.
# A row numbered (six digits or more) beyond twice the row limit: openpyxl would hand over
# every blank row before it (``A1`` … ``XFD1048576``), and blank rows count half.
_FAR_ROW = re.compile(rb"""<(?:[A-Za-z_][\w.\-]*:)?row\s[^>]*?\br\s*=\s*["'](\d{6,})["']""")
_SHARED = (b"<si>", b"<si ", b":si>", b":si ")
_STRING_CELL = (b't="s"', b"t='s'")
_CHUNK = 1 << 20


def mib(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KiB"


def size_problem(size: int, limit: int = MAX_FILE_BYTES) -> str | None:
    """What is wrong with a file of ``size`` bytes, or None."""
    if size > limit:
        return f"文件有 {mib(size)}，超过上限 {mib(limit)}"
    return None


def _declared_parts(data: bytes) -> int | None:
    """The number of parts the zip's end record declares, read before ``zipfile`` parses the
    directory (a directory of a million entries is itself slow to read)."""
    at = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    (entries,) = struct.unpack_from("<H", data, at + 10)
    return entries


def xlsx_problem(data: bytes) -> str | None:
    """What makes an XLSX file too big to read, or None: too many parts, too many bytes once
    inflated, an XML document type (entities), more rows than ``MAX_ROWS`` in its sheets, or
    a shared-string table far larger than the cells that could use it."""
    parts = _declared_parts(data)
    if parts is None:
        return None  # not a zip: openpyxl will say it cannot read it
    if parts >= 0xFFFF or parts > MAX_XLSX_PARTS:
        return f"XLSX 文件含有过多部件（{parts}），超过上限 {MAX_XLSX_PARTS}"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    with archive:
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        if total > MAX_XLSX_UNCOMPRESSED:
            return (
                f"XLSX 文件解压后有 {mib(total)}，超过上限 {mib(MAX_XLSX_UNCOMPRESSED)}"
                "（可能是压缩炸弹）"
            )
        for info in infos:
            if info.flag_bits & 0x1:
                return "XLSX 文件已加密，无法读取"
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                return f"XLSX 文件使用了不支持的压缩方式（{info.compress_type}）"
        counts = {"shared": 0, "strings": 0}
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                problem = _part_problem(archive, info, counts)
                if problem:
                    return problem
    # Excel writes only the strings its cells use: a table of strings no cell refers to is
    # work for openpyxl (every entry is read before the first row) and nothing else.
    if counts["shared"] > 2 * counts["strings"] + MAX_UNUSED_STRINGS:
        return (
            f"XLSX 文件的共享字符串表有 {counts['shared']:,} 项，"
            f"而工作表只用到 {counts['strings']:,} 个文字单元格"
        )
    return None


def _count(pattern: re.Pattern | tuple[bytes, ...], tail: bytes, chunk: bytes) -> int:
    """Matches of ``pattern`` (or of any of the literals) in ``chunk``; one may straddle
    ``tail``, the end of the chunk before it."""
    if isinstance(pattern, tuple):
        window = tail + chunk
        return sum(window.count(p) - tail.count(p) for p in pattern)
    return len(pattern.findall(tail + chunk)) - len(pattern.findall(tail))


def _part_problem(archive: zipfile.ZipFile, info: zipfile.ZipInfo, counts: dict) -> str | None:
    """One streaming pass over an XML part: no document type anywhere (one may follow a long
    comment), and the counts of worksheet rows, of string cells and of shared strings."""
    worksheet = info.filename.startswith("xl/worksheets/")
    rows, tail = 0, b""
    try:
        with archive.open(info) as part:
            while chunk := part.read(_CHUNK):
                if b"<!" in tail + chunk and _DOCTYPE.search(tail + chunk):
                    return f"XLSX 文件的 {info.filename} 含有 XML 文档类型声明，已拒绝读取"
                if worksheet:
                    rows += _count(_ROW, tail, chunk)
                    far = [int(n) for n in _FAR_ROW.findall(tail + chunk)]
                    if far and max(far) > 2 * (MAX_ROWS + 10):
                        return f"XLSX 工作表超过 {MAX_ROWS:,} 行（第 {max(far):,} 行有内容）"
                    counts["strings"] += _count(_STRING_CELL, tail, chunk)
                    if rows > MAX_ROWS + 10:
                        return f"XLSX 工作表超过 {MAX_ROWS:,} 行"
                else:  # the table's name is the workbook's choice: count in every part
                    counts["shared"] += _count(_SHARED, tail, chunk)
                tail = chunk[-64:]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return None  # damaged: openpyxl will say it cannot read it
    return None
