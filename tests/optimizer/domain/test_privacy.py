"""Masking personal data in free text: phone and ID-card numbers however they are typed."""

from __future__ import annotations

import pytest

from optimizer.domain.privacy import mask_free_text, mask_name


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("请回电13812345678谢谢", "请回电138****5678谢谢"),
        ("138 1234 5678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("008613812345678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("座机0632-1234567", "座机063****4567"),
        ("小区电话 6123456", "小区电话 *****56"),
        ("身份证370402199001011234", "身份证370402************"),
        ("37040219900101123X", "370402************"),
        ("370402 19900101 123x", "370402************"),
        ("老证370402900101123", "老证370402*********"),
        ("13812345678、13912345678", "138****5678、139****5678"),
    ],
)
def test_numbers_are_masked(text, masked):
    """Mobile (with +86, spaces, dashes, full-width digits), landline and ID-card numbers."""
    assert mask_free_text(text) == masked


@pytest.mark.parametrize(
    "text",
    ["2027-03-01 前解决", "1号楼1单元101室", "35.0812, 117.2", "T000001", "面积120平方米", ""],
)
def test_other_text_is_kept(text):
    """Dates, house numbers, coordinates, ids and short numbers are not phone numbers."""
    assert mask_free_text(text) == text


def test_names():
    assert (mask_name("张三明"), mask_name("李四"), mask_name("王")) == ("张*明", "李*", "王")
