"""Where a field's documented character set refuses a payload, the refusal names its cell.

Ids (targets, cadres, outcome rows) keep to letters, digits, ``_ . -``; no text cell holds a
control character. Each payload is exit 2 with its row and column, and nothing is stored.
"""

from __future__ import annotations

import csv
import re

from optimizer.inputs.cells import ID_PATTERN
from tests.security import corpus
from tests.security.checks import planned_routes, run_in_process

ID_PAYLOADS = [p for p in (*corpus.SHORT, corpus.LONG[:80], *corpus.CONTROLS)
               if not ID_PATTERN.fullmatch(p.strip())]  # fmt: skip


def _rewrite(path, column: str, values: list[str]) -> list[int]:
    """Put ``values`` in ``column`` of the first rows of a CSV; their spreadsheet rows."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    index = rows[0].index(column)
    assert len(values) < len(rows)
    for i, value in enumerate(values, start=1):
        rows[i][index] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return [i + 1 for i in range(1, len(values) + 1)]


def _named(stderr: str, file: str, row: int, column: str) -> bool:
    return f"{file} 第{row}行 列「{column}」" in stderr


def test_id_payloads_are_refused_with_row_and_column(tmp_path):
    """Every payload as a target id is exit 2 naming its row and the id column."""
    assert len(ID_PAYLOADS) > 15
    town = corpus.payload_town(tmp_path / "town")
    payloads = ID_PAYLOADS[:20]
    rows = _rewrite(town / "targets.csv", "id", payloads)
    result = run_in_process(tmp_path, "validate", str(town))
    assert result.code == 2
    missing = [p for p, r in zip(payloads, rows, strict=True)
               if not _named(result.err, "targets.csv", r, "id")]  # fmt: skip
    assert missing == []
    assert "\x1b" not in result.err and "\x00" not in result.err


def test_cadre_id_payloads_are_refused_with_row_and_column(tmp_path):
    """A path, a device name, a template as a cadre id: exit 2 at its row."""
    town = corpus.payload_town(tmp_path / "town")
    payloads = ["..", "/tmp/zf-abs", "CON\\x", "{{7*7}}"]
    rows = _rewrite(town / "cadres.csv", "id", payloads)
    result = run_in_process(tmp_path, "validate", str(town))
    assert result.code == 2
    assert all(_named(result.err, "cadres.csv", r, "id") for r in rows)
    assert not (tmp_path / "town" / "out").exists()


def test_control_characters_are_refused_in_every_text_column(tmp_path):
    """NUL, ESC, BEL, DEL and C1 controls in any text column of either table: exit 2 with
    every (row, column), escaped in the message (never sent raw to the terminal)."""
    town = corpus.payload_town(tmp_path / "town")
    expected = []
    for file, columns in (
        ("targets.csv", ("name", "village", "grid", "address", "phone")),
        ("cadres.csv", ("name", "role", "unit", "phone")),
    ):
        for k, column in enumerate(columns):
            value = corpus.CONTROLS[k % len(corpus.CONTROLS)]
            with (town / file).open(encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            j = rows[0].index(column)
            rows[1 + k][j] = rows[1 + k][j] + value
            with (town / file).open("w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows(rows)
            expected.append((file, k + 2, column))
    result = run_in_process(tmp_path, "validate", str(town))
    assert result.code == 2
    assert [e for e in expected if not _named(result.err, *e)] == []
    assert "控制字符" in result.err
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", result.err)


def test_bad_outcome_rows_are_refused_and_nothing_is_stored(tmp_path):
    """Outcome rows with payload ids or control characters in a request: exit 2 naming each
    row; the good rows of the same file are not stored either."""
    town = corpus.payload_town(tmp_path / "town")
    assert run_in_process(tmp_path, "plan", str(town), "--time-limit", "0.05",
                          "--workers", "1", "--no-maps").code == 0  # fmt: skip
    day1 = corpus.day_outcomes(tmp_path / "day1.csv", planned_routes(town / "out"), 1)
    with day1.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][0] = "../../etc/passwd"
    rows[2][0] = "{{7*7}}"
    rows[3][6] = "诉求\x1b]0;标题\x07"
    rows[5][4] = "C1\x00"
    rows[6][2] = corpus.JINJA_BARE  # status
    rows[7][3] = corpus.FORMULAS[0]  # time
    rows[8][5] = corpus.HTML  # category
    rows[0].append("satisfied")
    for k, row in enumerate(rows[1:], start=1):
        row.append(corpus.JINJA_BARE if k == 9 else "")
    with day1.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    result = run_in_process(tmp_path, "record", str(town), str(day1))
    assert result.code == 2
    cells = ((2, "target_id"), (3, "target_id"), (4, "request"), (6, "cadre_id"), (7, "status"),
             (8, "time"), (9, "category"), (10, "satisfied"))  # fmt: skip
    for row, column in cells:
        assert _named(result.err, "day1.csv", row, column), (row, column, result.err[:600])
    status = run_in_process(tmp_path, "status", str(town), "--json")
    assert '"coverage": 0.0' in status.out


def test_a_campaign_name_longer_than_its_column_is_refused(tmp_path):
    """The store keeps a campaign's name in 200 characters: a 10 kB name is exit 2 at once."""
    town = corpus.payload_town(tmp_path / "town")
    toml = (town / "campaign.toml").read_text(encoding="utf-8")
    name = toml.splitlines()[0]
    (town / "campaign.toml").write_text(toml.replace(name, f"name = '{corpus.LONG}'"), "utf-8")
    result = run_in_process(tmp_path, "validate", str(town))
    assert result.code == 2 and "超过上限 200" in result.err and "列「name」" in result.err


def test_control_characters_in_campaign_toml_text_are_refused(tmp_path):
    """The name, the town and a window's name (TOML escapes make any character) are text
    cells too: a control character is exit 2 naming its key, a list is no town."""
    town = corpus.payload_town(tmp_path / "town")
    toml = (town / "campaign.toml").read_text(encoding="utf-8")
    lines = toml.splitlines()
    lines[0] = 'name = "测试\\u001b[31m镇"'
    lines[1] = 'town = "柴胡店\\u0000镇"'
    window = 'evening = "18:00-20:30"'
    text = "\n".join(lines).replace(window, window + '\n"窗\\u0007口" = "09:00-10:00"')
    (town / "campaign.toml").write_text(text + "\n", encoding="utf-8")
    result = run_in_process(tmp_path, "validate", str(town))
    assert result.code == 2, result.out[-500:]
    for key in ("列「name」", "列「town」", "时段名称含有控制字符"):
        assert key in result.err, (key, result.err[-800:])
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", result.err)
    lines[0], lines[1] = 'name = "测试镇大走访"', 'town = ["柴胡店镇"]'
    (town / "campaign.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_in_process(tmp_path, "validate", str(town))
    assert result.code == 2 and "列「town」" in result.err and "不是文字" in result.err


def test_a_road_graph_outside_the_campaign_is_refused(tmp_path):
    """[travel].roads must name a file inside the campaign folder: ../, absolute paths and
    links out of it are exit 2."""
    town = corpus.payload_town(tmp_path / "town")
    (tmp_path / "outside.graphml").write_text("<graphml/>", encoding="utf-8")
    (town / "link.graphml").symlink_to(tmp_path / "outside.graphml")
    toml = (town / "campaign.toml").read_text(encoding="utf-8")
    for roads in ("../outside.graphml", str(tmp_path / "outside.graphml"), "link.graphml"):
        text = toml.replace("detour = 1.3", f"detour = 1.3\nroads = '{roads}'")
        (town / "campaign.toml").write_text(text, encoding="utf-8")
        result = run_in_process(tmp_path, "validate", str(town))
        assert result.code == 2 and "不在活动文件夹内" in result.err, roads


def _add_columns(path, *names: str) -> None:
    """Empty columns ``names`` at the end of a CSV."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows = [rows[0] + list(names)] + [r + [""] * len(names) for r in rows[1:]]
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def _set(path, cells: dict[tuple[int, str], str]) -> None:
    """Set (spreadsheet row, column name) cells of a CSV."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    for (row, column), value in cells.items():
        rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def test_payloads_in_typed_columns_are_refused_at_their_cell(tmp_path):
    """Types, windows, yes/no, minutes, off days: a payload is no value of theirs — exit 2
    at every (row, column), for targets and cadres alike."""
    town = corpus.payload_town(tmp_path / "town")
    targets = {(2, "type"): corpus.JINJA_BARE, (3, "window"): corpus.FORMULAS[0],
               (4, "priority"): corpus.HTML}  # fmt: skip
    cadres = {(2, "types"): "../..;" + corpus.BACKTICK, (3, "minutes_per_day"): "=240",
              (4, "window"): corpus.JINJA_BARE, (5, "off_days"): "../..;" + corpus.FORMULAS[0],
              (2, "off_days"): corpus.HTML, (3, "window"): "=08:00-12:00"}  # fmt: skip
    _add_columns(town / "cadres.csv", "window", "off_days")
    _set(town / "targets.csv", targets)
    _set(town / "cadres.csv", cadres)
    result = run_in_process(tmp_path, "validate", str(town))
    assert result.code == 2
    for file, cells in (("targets.csv", targets), ("cadres.csv", cadres)):
        for row, column in cells:
            assert _named(result.err, file, row, column), (file, row, column)
