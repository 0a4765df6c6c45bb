"""Formats: GB18030/UTF-8 CSV and XLSX read to the same campaign; bytes never crash the reader."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import shutil

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.domain.errors import InvalidInputError
from optimizer.inputs import read_campaign
from optimizer.sample import generate_sample, write_sample
from tests.helpers import CADRES, TARGETS, write_folder


def comparable(campaign):
    return dataclasses.replace(campaign, folder="")


@pytest.fixture(scope="module")
def town():
    return generate_sample("huangtun", 400, seed=7, days=6)


def test_gb18030_csv_and_xlsx_read_identically(tmp_path, town):
    """GB18030 CSV with Chinese headers and an XLSX copy of the same town are equal campaigns."""
    gb = read_campaign(write_sample(tmp_path / "gb", town, fmt="csv", encoding="gb18030"))
    xl = read_campaign(write_sample(tmp_path / "xl", town, fmt="xlsx"))
    utf = read_campaign(write_sample(tmp_path / "utf", town, fmt="csv", encoding="utf-8"))
    assert (tmp_path / "gb" / "targets.csv").read_bytes()[:2] != b"\xef\xbb"
    assert comparable(gb) == comparable(xl) == comparable(utf)
    assert len(gb.targets) == len(town.targets) and len(gb.cadres) == len(town.cadres)


def test_xlsx_with_title_row(tmp_path):
    """An XLSX whose first row is a merged-looking title reads from the header below it."""
    folder = write_folder(tmp_path, targets=None, cadres=CADRES)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["高桥村大走访对象花名册"])
    for line in TARGETS.strip().splitlines():
        sheet.append(line.split(","))
    book.save(folder / "targets.xlsx")
    campaign = read_campaign(folder)
    assert [t.id for t in campaign.targets] == ["T1", "T2", "T3", "T4"]
    assert any("标题行" in w for w in campaign.warnings)


def test_two_target_files_is_a_problem(tmp_path, tiny):
    """targets.csv beside targets.xlsx is ambiguous and reported."""
    shutil.copy(tiny / "targets.csv", tiny / "targets.xlsx")
    with pytest.raises(InvalidInputError, match="多个"):
        read_campaign(tiny)


def _xlsx_bytes(text: str) -> bytes:
    book = openpyxl.Workbook()
    for line in text.strip().splitlines():
        book.active.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_XLSX = _xlsx_bytes(TARGETS)
GOOD_CSV = TARGETS.encode("gb18030")


def _read_or_invalid(folder, name: str, data: bytes) -> None:
    for old in ("targets.csv", "targets.xlsx"):
        (folder / old).unlink(missing_ok=True)
    (folder / name).write_bytes(data)
    with contextlib.suppress(InvalidInputError):
        read_campaign(folder)


FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.binary(max_size=600), name=st.sampled_from(["targets.csv", "targets.xlsx"]))
def test_random_bytes_never_crash(tiny, data, name):
    """Random bytes as targets read to a campaign or an input error, never another exception."""
    _read_or_invalid(tiny, name, data)


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(GOOD_XLSX)))
def test_truncated_xlsx_never_crashes(tiny, cut):
    """A truncated XLSX reads or fails as an input error."""
    _read_or_invalid(tiny, "targets.xlsx", GOOD_XLSX[:cut])


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(GOOD_CSV)), junk=st.binary(max_size=8))
def test_truncated_csv_never_crashes(tiny, cut, junk):
    """A truncated GB18030 CSV with junk appended reads or fails as an input error."""
    _read_or_invalid(tiny, "targets.csv", GOOD_CSV[:cut] + junk)


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list(",\n\"'1.3x高村-:;T ")), max_size=200))
def test_csv_like_text_never_crashes(tiny, text):
    """CSV-shaped random text under a valid header reads or fails as an input error."""
    _read_or_invalid(
        tiny, "targets.csv", ("id,village,lat,lon,window,type,service_min\n" + text).encode()
    )
