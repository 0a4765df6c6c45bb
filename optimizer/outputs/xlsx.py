"""Government-style XLSX helpers: fonts, borders, widths that fit Chinese text, A4 printing.

xlsxwriter measures a CJK character as one narrow glyph, so widths are set here from the
display width (a full-width character counts two).
"""

from __future__ import annotations

import math
import unicodedata

from optimizer.outputs.files import header_text

BODY_FONT = "仿宋"
TITLE_FONT = "宋体"


def display_width(text: object) -> int:
    """Columns a text needs: 2 for a wide (CJK, full-width) character, 1 otherwise."""
    text = str(text)
    if text.isascii():  # most cells: ids, times, numbers
        return len(text)
    widths = list(map(unicodedata.east_asian_width, text))  # a C call per character
    return len(text) + widths.count("W") + widths.count("F")


class Formats:
    """The handful of cell formats a printable table needs."""

    def __init__(self, book):
        base = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter", "border": 1}
        self.title = book.add_format(
            {
                "font_name": TITLE_FONT,
                "font_size": 18,
                "bold": True,
                "align": "center",
                "valign": "vcenter",
            }
        )
        self.tag = book.add_format({"font_name": "黑体", "font_size": 12})
        self.header = book.add_format(
            {**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#F2F2F2"}
        )
        self.text = book.add_format({**base, "text_wrap": True})
        self.centre = book.add_format({**base, "align": "center"})
        self.number = book.add_format({**base, "align": "right", "num_format": "0"})
        self.total = book.add_format({**base, "bold": True, "align": "center"})
        self.note = book.add_format({"font_name": BODY_FONT, "font_size": 10, "text_wrap": True})


def column_widths(
    headers: list[str], rows: list[list[object]], limits: dict[int, int] | None = None
):
    """Width per column from its longest cell, within 6–``limits[col]`` (default 40)."""
    limits = limits or {}
    widths = []
    for j, head in enumerate(headers):
        longest = max([display_width(head), *(display_width(r[j]) for r in rows)])
        widths.append(max(6, min(longest + 2, limits.get(j, 40))))
    return widths


def row_height(row: list[object], widths: list[int], line_pt: float = 15.0) -> float:
    """Height that shows every wrapped line of the row."""
    lines = max(
        (math.ceil(display_width(v) / max(1, w - 1)) for v, w in zip(row, widths, strict=True)),
        default=1,
    )
    return max(1, lines) * line_pt + 3


def setup_a4_landscape(sheet, header_row: int, title: str) -> None:
    """A4 landscape, fit to the page width, header row repeated on every printed page."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_footer(f'&C&"{BODY_FONT}"第 &P 页 共 &N 页')
    sheet.set_header(f'&R&"{BODY_FONT}"{header_text(title)}')
