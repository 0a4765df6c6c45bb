"""Each documented limit refuses its file in seconds with exit 2 — through the real command
line in a fresh process, start-up included (``optimizer.inputs.limits``).

The times are kept in ``test-artifacts/limits.json``; each must be under ``SECONDS`` with room
to spare on a loaded machine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from optimizer.inputs.limits import MAX_ROWS
from tests.helpers import CADRES, TARGETS, TOML, write_folder

SECONDS = 5.0
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMES: dict[str, float] = {}


@pytest.fixture(scope="module", autouse=True)
def keep_times():
    yield
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "limits.json").write_text(json.dumps(TIMES, indent=2), encoding="utf-8")


def refused(name: str, folder: Path, *words: str, command: str = "validate") -> str:
    """Run ``zoufang COMMAND folder``: exit 2 within ``SECONDS``, saying ``words``."""
    env = {k: v for k, v in os.environ.items() if k not in ("ZOUFANG_DB", "ZOUFANG_BROKER")}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "workers", command, str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    seconds = time.perf_counter() - started
    TIMES[name] = round(seconds, 2)
    assert result.returncode == 2, (result.returncode, result.stderr[-1500:])
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr[-1500:])
    assert seconds < SECONDS, f"{name}: {seconds:.1f} s"
    return result.stderr


def _targets_xlsx(folder: Path, sheet_xml: bytes | None = None, shared: bytes | None = None):
    """A valid targets.xlsx, then (optionally) its sheet or shared strings replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "targets.csv").unlink(missing_ok=True)
    plain = folder / "plain.xlsx"
    book = xlsxwriter.Workbook(str(plain))
    sheet = book.add_worksheet()
    for i, line in enumerate(TARGETS.strip().splitlines()):
        sheet.write_row(i, 0, line.split(","))
    book.close()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(folder / "targets.xlsx", "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml" and sheet_xml is not None:
                data = sheet_xml
            if info.filename == "xl/sharedStrings.xml" and shared is not None:
                data = shared
            dst.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    plain.unlink()
    return folder / "targets.xlsx"


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def _add_bomb(path: Path, mib: int = 300) -> Path:
    """A second sheet of ``mib`` MiB of blanks: a few hundred kB once deflated."""
    book = zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED)
    with book, book.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as part:
        part.write(SHEET_HEAD)
        block = b" " * (1 << 20)
        for _ in range(mib):
            part.write(block)
        part.write(SHEET_TAIL)
    return path


def test_file_bytes(tmp_path):
    """A 65 MiB table (sparse: no time spent writing it) is refused before it is read."""
    town = write_folder(tmp_path / "town")
    with (town / "targets.csv").open("r+b") as f:
        f.truncate(65 * 1024 * 1024)
    refused("bytes per file", town, "超过上限 64 MiB")


def test_rows(tmp_path):
    """A million-row CSV stops at the row limit instead of printing problems for minutes."""
    town = write_folder(tmp_path / "town")
    line = "T{0},household,,高桥村,1网格,35.0,117.2,,,,\n"
    with (town / "targets.csv").open("w", encoding="utf-8") as f:
        f.write(TARGETS.splitlines()[0] + "\n")
        f.writelines(line.format(i) for i in range(1_000_000))
    refused("rows (CSV, 1,000,000)", town, f"超过 {MAX_ROWS:,} 行")


def test_rows_in_xlsx_are_counted_before_openpyxl(tmp_path):
    """250,000 rows in a 1 MB workbook: counted in one streaming pass, refused."""
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (i, i)
        for i in range(1, 250_001)
    )
    town = write_folder(tmp_path / "town")
    _targets_xlsx(town, SHEET_HEAD + rows + SHEET_TAIL)
    refused("rows (XLSX, 250,000)", town, "超过 200,000 行")


def test_columns(tmp_path):
    """A row of 20,000 cells is refused at that row, not padded into memory."""
    town = write_folder(tmp_path / "town")
    lines = TARGETS.splitlines()
    lines[1] += "," * 20_000 + "x"
    (town / "targets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused("columns (CSV, 20,000)", town, "超过 64 列")


def test_padded_sheet(tmp_path):
    """A sheet that claims A1:XFD1048576 and has a cell at the last row: bounded reads."""
    head = TARGETS.splitlines()
    cells = b"".join(
        b'<row r="%d">' % (i + 1)
        + b"".join(
            b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>'
            % (bytes([65 + j]), i + 1, value.encode())
            for j, value in enumerate(line.split(","))
            if value
        )
        + b"</row>"
        for i, line in enumerate(head)
    )
    last = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    xml = (
        SHEET_HEAD.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
        + cells
        + last
        + SHEET_TAIL
    )
    town = write_folder(tmp_path / "town")
    _targets_xlsx(town, xml)
    refused("padded sheet (XLSX, A1:XFD1048576)", town, "超过")


def test_zip_bomb(tmp_path):
    """300 MiB of XML inside a small workbook: the zip's directory says so; refused unread."""
    town = write_folder(tmp_path / "town")
    path = _add_bomb(_targets_xlsx(town))
    assert path.stat().st_size < 2 * 1024 * 1024
    refused("zip bomb (XLSX, 300 MiB inflated)", town, "解压后", "超过上限 256 MiB")


def test_xml_entities(tmp_path):
    """A document type (billion laughs) in the shared strings is refused before parsing."""
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>&lol9;</t></si></sst>"
    )
    town = write_folder(tmp_path / "town")
    _targets_xlsx(town, shared=laughs)
    refused("XML entities (XLSX)", town, "文档类型声明")


def test_xml_entities_after_a_long_comment(tmp_path):
    """A document type may follow any length of comment in the prolog: still refused."""
    laughs = (
        b'<?xml version="1.0"?><!--' + b"x" * 3_000_000 + b'--><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>&lol;</t></si></sst>"
    )
    town = write_folder(tmp_path / "town")
    _targets_xlsx(town, shared=laughs)
    refused("XML entities after 3 MB of comment (XLSX)", town, "文档类型声明")


def test_shared_strings_no_cell_uses(tmp_path):
    """Twelve million shared strings in a 0.5 MB workbook whose sheet uses a few dozen: refused
    before openpyxl reads the table (it took 4 minutes and 1.2 GB, then called it valid)."""
    town = write_folder(tmp_path / "town")
    plain = _targets_xlsx(town)
    with zipfile.ZipFile(plain) as book:
        table = book.read("xl/sharedStrings.xml")
    end = table.rindex(b"</sst>")
    unused = table[:end] + b"<si><t>x</t></si>" * 12_000_000 + table[end:]
    assert _targets_xlsx(town, shared=unused).stat().st_size < 1024 * 1024
    refused("shared strings (XLSX, 12,000,000 unused)", town, "共享字符串表有", "文字单元格")


def test_cell_length(tmp_path):
    """A 40,000-character name is refused at its row and column (Excel holds 32,767)."""
    town = write_folder(tmp_path / "town", targets=TARGETS.replace("张三明", "张" * 40_000))
    refused("cell length (40,000 characters)", town, "第2行 列「name」", "32,767")


def test_problems_shown_then_a_count(tmp_path):
    """5,000 bad rows: a hundred are listed, then how many more; quickly."""
    town = write_folder(tmp_path / "town")
    lines = [TARGETS.splitlines()[0]]
    lines += [f"X{i},household,,高桥村,1网格,纬度,117.2,,,," for i in range(5_000)]
    (town / "targets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    stderr = refused("problems shown (5,000 bad rows)", town, "处未列出")
    total = int(re.search(r"共 (\d+) 处", stderr)[1])
    assert total > 5_000 and f"另有 {total - 100} 处未列出" in stderr
    assert len(stderr.splitlines()) < 110


@pytest.mark.parametrize(
    ("name", "targets", "cadres", "words"),
    [
        (
            "service_min 17,789,088,417",
            TARGETS.replace("id,type", "service_min,id,type")
            .replace("\nT1,", "\n17789088417,T1,")
            .replace("\nT2,", "\n,T2,")
            .replace("\nT3,", "\n,T3,")
            .replace("\nT4,", "\n,T4,"),
            CADRES,
            ("第2行 列「service_min」", "0 到 480"),
        ),
        (
            "minutes_per_day 100,000",
            TARGETS,
            CADRES.replace(",240,", ",100000,"),
            ("第2行 列「minutes_per_day」", "1 到 1440"),
        ),
        (
            "a point 500 km away",
            TARGETS.replace("35.0100,117.2100", "39.9000,116.4000"),
            CADRES,
            ("targets.csv 第5行 列「lat」", "距全镇中位点"),
        ),
    ],
)
def test_absurd_values(tmp_path, name, targets, cadres, words):
    """Values no campaign has — a phone number shifted into 走访时长, a 1,666-hour day, a
    point in another province — are exit 2 at their cell."""
    town = write_folder(tmp_path / "town", targets=targets, cadres=cadres)
    stderr = refused(name, town, *words)
    assert "17789088417" not in stderr  # a phone number in the wrong column is quoted masked


@pytest.mark.parametrize(
    ("name", "toml", "word"),
    [
        ("toml: a table replaced by a scalar", TOML.replace("[travel]\n", "travel = 5\n[x]\n"),
         "[travel] 应为表"),
        ("toml: NaN", TOML.replace("speed_kmh = 12.0", "speed_kmh = nan"), "不是有限的数"),
        ("toml: deep nesting", TOML + "deep = " + "[" * 5000 + "]" * 5000 + "\n", "嵌套过深"),
        ("toml: a key 12,000 parts deep", TOML + "x" + ".x" * 12_000 + " = 1\n", "嵌套过深"),
        ("toml: a table 12,000 parts deep", TOML + "[" + "y." * 12_000 + "y]\n", "嵌套过深"),
        ("toml: 70 KiB", TOML + "# " + "x" * 70_000 + "\n", "超过上限 64 KiB"),
    ],
)  # fmt: skip
def test_malformed_campaign_toml(tmp_path, name, toml, word):
    """A malformed campaign.toml is exit 2 with the key, never a traceback."""
    town = write_folder(tmp_path / "town", toml=toml)
    refused(name, town, word)


def test_plan_refuses_as_fast_as_validate(tmp_path):
    """plan reads through the same limits: the zip bomb is exit 2 before any solver starts,
    and nothing is written or stored."""
    town = write_folder(tmp_path / "town")
    _add_bomb(_targets_xlsx(town))
    refused("plan: zip bomb", town, "解压后", command="plan")
    assert not (town / "out").exists() and not (town / ".zoufang").exists()
