"""A town whose every free-text field is a payload, through the whole campaign.

plan → record → replan → maps → ledger update/export → report → spotcheck → followup → export
→ status, each through the real command line (in this process: one import, fast). Then:
nothing ran, every path written stays in the output folder, no spreadsheet cell is a formula,
personal data only where the contract allows, and the terminal got plain text.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from optimizer.outputs.files import SHEET_FORBIDDEN
from tests.security import corpus
from tests.security.checks import (
    FORMULA_PREFIXES,
    csv_cells,
    output_text,
    planned_routes,
    run_in_process,
    snapshot,
    touched,
    xlsx_cells,
)

FOLLOWUP_FROM = "2027-03-04"


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """The whole campaign on the payload town; every command's result kept by name."""
    from workers.tasks.config import current

    root = tmp_path_factory.mktemp("corpus")
    town = corpus.payload_town(root / "town")
    inputs, cwd = root / "inputs", root / "cwd"
    inputs.mkdir()
    cwd.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        for name in ("ZOUFANG_DB", "ZOUFANG_BROKER"):
            mp.delenv(name, raising=False)
        current.cache_clear()
        before = snapshot(root)
        runs = {}

        def z(label: str, *args: str):
            runs[label] = run_in_process(cwd, *args)
            assert runs[label].code == 0, (label, runs[label].err[-2000:])
            return runs[label]

        t = str(town)
        z("validate", "validate", t)
        z("plan", "plan", t, "--time-limit", "0.05", "--workers", "1")
        day1 = corpus.day_outcomes(inputs / "day1.csv", planned_routes(town / "out"), 1)
        z("record", "record", t, str(day1))
        z("record again", "record", t, str(day1))
        z("replan", "replan", t, "--workers", "1")
        z("maps", "maps", t, "--workers", "1")
        z("ledger list", "ledger", t, "list")
        z("ledger json", "ledger", t, "list", "--json")
        note = f"{corpus.JINJA_BARE}{corpus.MARKUP}{corpus.RTL}{corpus.HTML}"
        escape = run_in_process(cwd, "ledger", t, "update", "--id", "1", "--to", "办理中",
                                "--note", "改\x1b[31m")  # fmt: skip
        assert escape.code == 2 and "\x1b" not in escape.err and "--note" in escape.err
        z("update", "ledger", t, "update", "--id", "1", "--to", "办理中", "--unit",
          corpus.FORMULAS[4] + corpus.MARKUP, "--note", note)  # fmt: skip
        z("resolve", "ledger", t, "update", "--id", "1", "--to", "已办结", "--note", note)
        z("export lists", "ledger", t, "export")
        z("report", "report", t, "--week", "1")
        z("spotcheck", "spotcheck", t, "--share", "1", "--seed", "1")
        z("followup", "followup", "plan", t, "--from", FOLLOWUP_FROM, "--days", "2",
          "--workers", "1")  # fmt: skip
        z("export", "export", t, "--workers", "1")
        z("status", "status", t)
        z("status json", "status", t, "--json")
        z("unlock", "unlock", t, "--reason", note)
        after = snapshot(root)
        current.cache_clear()
    return SimpleNamespace(root=root, town=town, out=town / "out", cwd=cwd, runs=runs,
                           touched=touched(before, after), after=after)  # fmt: skip


def _outputs(out: Path, *suffixes: str) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and p.suffix in suffixes)


def test_nothing_ran(flow):
    """No template was evaluated: no marker folder appeared anywhere (working folder, the
    campaign's, the outputs')."""
    names = {Path(p).name for p in flow.after}
    assert not names & set(corpus.MARKERS)
    assert not any((flow.cwd / m).exists() for m in corpus.MARKERS)
    assert list(flow.cwd.iterdir()) == []


def test_written_and_deleted_paths_stay_in_the_campaign(flow):
    """Every path created, changed or deleted lies under the output folder or the store's
    folder (or is an outcomes file the test wrote); the inputs are untouched."""
    allowed = ("town/out/", "town/.zoufang/", "inputs/")
    outside = sorted(p for p in flow.touched if not p.startswith(allowed))
    assert outside == ["town/.zoufang", "town/out"], outside
    for name in ("campaign.toml", "targets.csv", "cadres.csv"):
        assert f"town/{name}" not in flow.touched
    assert not Path("/tmp/zf-abs").exists()


def test_no_spreadsheet_cell_is_a_formula(flow):
    """Every XLSX cell is a value (none a formula) and the payloads did arrive as text; every
    CSV cell starting with = + - @ carries a leading quote."""
    books = _outputs(flow.out, ".xlsx")
    assert {str(b.relative_to(flow.out)) for b in books} == {
        "附件2_大走访活动安排表.xlsx",
        "日路线.xlsx",
        "ledger/附件5_无问题群众清单.xlsx",
        "ledger/附件6_问题清单.xlsx",
        "ledger/市平台转办事项.xlsx",
        "ledger/电话抽查清单.xlsx",
        "reports/周调度_第1周.xlsx",
        "回访-01/日路线.xlsx",
    }
    prefixed = 0
    for book in books:
        for sheet, cell in xlsx_cells(book):
            assert cell.data_type != "f", (book.name, sheet.title, cell.coordinate, cell.value)
            prefixed += isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES)
    assert prefixed > 20
    quoted = 0
    for table in _outputs(flow.out, ".csv"):
        for cell in csv_cells(table):
            assert not cell.startswith(FORMULA_PREFIXES), (table.name, cell[:40])
            quoted += cell.startswith("'") and cell[1:2] in "=+-@"
    assert quoted > 5


def test_sheet_names_and_page_headers_take_any_campaign_name(flow):
    """A campaign name with []:*?/\\ and & makes legal sheet names and literal headers."""
    import openpyxl

    for book in _outputs(flow.out / "ledger", ".xlsx"):
        for sheet in openpyxl.load_workbook(book).worksheets:
            assert not SHEET_FORBIDDEN.search(sheet.title) and len(sheet.title) <= 31
            header = sheet.oddHeader.right.text or ""
            assert "&" not in header.replace("&&", "")  # every & doubled: shown, not a code


def _everything_shown(flow) -> dict[str, str]:
    shown = {str(p.relative_to(flow.out)): output_text(p) for p in _outputs(
        flow.out, ".xlsx", ".csv", ".html", ".json")}  # fmt: skip
    for label, result in flow.runs.items():
        shown[f"[{label}]"] = result.out + result.err
    return shown


def test_personal_data_only_where_the_contract_allows(flow):
    """Target phones only on the spot-check sheet; phone and ID-card numbers typed into
    requests nowhere; a household head's full name nowhere; cadres' names masked on maps."""
    shown = _everything_shown(flow)
    spot = "ledger/电话抽查清单.xlsx"
    assert corpus.TARGET_PHONE in shown[spot]
    for name, text in shown.items():
        if name != spot:
            assert corpus.TARGET_PHONE not in text, name
        assert corpus.REQUEST_PHONE not in text, name
        assert corpus.ID_CARD not in text, name
        assert corpus.HOUSEHOLD_NAME not in text, name
    assert "139****5678" in shown["ledger/市平台转办事项.csv"]
    for name, text in shown.items():
        if name.endswith(".html") and "maps" in name:
            assert "@SUM(1,1)吴" not in text and corpus.TARGET_PHONE not in text, name


def test_terminal_gets_plain_text(flow):
    """No ESC and no direction mark reaches the terminal; markup is printed, not applied."""
    for label, result in flow.runs.items():
        text = result.out + result.err
        assert "\x1b" not in text and "\u202e" not in text, label
        assert "Traceback" not in text, label
    assert "[/]" in flow.runs["status"].out  # the campaign's name, as written
    assert "[bold red]" in flow.runs["validate"].out  # a role, in a table
    assert "\\u202e" in flow.runs["ledger json"].out


def test_html_outputs_hold_payloads_as_data(flow):
    """The pages carry the payload text (escaped), never as markup."""
    pages = _outputs(flow.out, ".html")
    assert len(pages) >= 5
    overview = (flow.out / "maps" / "overview.html").read_text(encoding="utf-8")
    assert "lipsum.__globals__" in overview
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<img src=x" not in text and "<script>alert" not in text, page.name
        assert not re.search(r"<[^>]*\sonerror=", text), page.name


def test_a_second_run_of_export_writes_the_same_files(flow, tmp_path):
    """export is idempotent: into a fresh folder it writes the same set of files, the
    return-visit folders and the weekly report included."""
    fresh = tmp_path / "again"
    result = run_in_process(flow.cwd, "export", str(flow.town), "--out", str(fresh),
                            "--workers", "1")  # fmt: skip
    assert result.code == 0, result.err
    mine = {str(p.relative_to(fresh)) for p in fresh.rglob("*") if p.is_file()}
    theirs = {str(p.relative_to(flow.out)) for p in flow.out.rglob("*") if p.is_file()}
    assert any(p.startswith("回访-01/maps/") for p in mine)
    assert {"reports/周调度_第1周.xlsx", "reports/周调度_第1周.html"} <= mine
    assert mine == theirs
    shutil.rmtree(fresh)


BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)
OPEN_EVERYTHING = """() => {
  let opened = 0;
  for (const value of Object.values(window)) {
    if (value && window.L && value instanceof L.Map) {
      value.eachLayer((layer) => {
        if (layer.getPopup && layer.getPopup()) { layer.openPopup(); opened++; }
        if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); opened++; }
      });
    }
  }
  return opened;
}"""


@pytest.fixture(scope="module")
def chromium():
    from tests.helpers import CHROMIUM, CHROMIUM_ARGS, service_or_skip

    if not Path(CHROMIUM).exists():
        service_or_skip("chromium", "Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=list(CHROMIUM_ARGS),
        )
        yield browser
        browser.close()


def _serve(route, assets: Path) -> None:
    """Leaflet from the CDN is answered with the verified npm files (their integrity must
    match the page's), every other request (tiles) with a blank tile: no network."""
    url = route.request.url
    if "cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/" in url:
        name = url.split("/dist/", 1)[1]
        kind = {"js": "application/javascript", "css": "text/css"}.get(name.rsplit(".")[-1])
        route.fulfill(
            status=200,
            content_type=kind or "image/png",
            body=(assets / name).read_bytes(),
            headers={"Access-Control-Allow-Origin": "*"},
        )
    else:
        route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)


def _dialogs(browser, page_path: Path, assets: Path) -> tuple[list[str], int, bool]:
    """Open a page, every popup and tooltip of its map; the dialogs that fired, how many
    popups and tooltips were opened, and whether Leaflet ran."""
    page = browser.new_page()
    fired: list[str] = []
    page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
    page.route("http*://**/*", lambda route: _serve(route, assets))
    page.goto(page_path.as_uri(), wait_until="load")
    opened = page.evaluate(OPEN_EVERYTHING)
    page.wait_for_timeout(200)  # image errors fire after load
    leaflet = page.evaluate("typeof L !== 'undefined'")
    page.close()
    return fired, opened, leaflet


@pytest.mark.browser
def test_no_dialog_fires_on_any_html_output(flow, chromium, tmp_path):
    """Every page we wrote (day maps, overview, return-visit maps, weekly report), every popup
    and tooltip opened, in Chromium: no script of the corpus runs. A page that does run one
    is caught (so the check can fail)."""
    from maps import fetch_assets
    from maps.assets import DEFAULT_DIR

    fetch_assets()
    assets = DEFAULT_DIR / "leaflet-1.9.4" / "dist"
    pages = _outputs(flow.out, ".html")
    # Controls: a script in a page, and one planted unescaped in a day map's popup, do fire.
    control = tmp_path / "control.html"
    control.write_text("<img src=x onerror=alert('control')>", encoding="utf-8")
    assert _dialogs(chromium, control, assets)[0] == ["control"]
    day_map = next(p for p in pages if p.name.startswith("day-"))
    unescaped = "\\u003cimg src=x onerror=alert('popup')\\u003e"
    planted = day_map.read_text(encoding="utf-8")
    for key in ('"popup":"', '"line":"'):  # a place of one stop, or of several
        planted = planted.replace(key, key + unescaped)
    (tmp_path / "planted.html").write_text(planted, encoding="utf-8")
    assert "popup" in _dialogs(chromium, tmp_path / "planted.html", assets)[0]
    assert len(pages) >= 7
    opened_total = 0
    for page in pages:
        fired, opened, leaflet = _dialogs(chromium, page, assets)
        assert fired == [], (page, fired)
        assert leaflet or "reports" in page.parts, page  # the map drew (integrity matched)
        opened_total += opened
    assert opened_total > 10


def test_the_store_and_the_spot_check_sheet_are_private(flow):
    """The store's folder is 0700, its SQLite file and journals 0600; the spot-check sheet
    (phone numbers) 0600; the other outputs are made like any file (umask)."""
    folder = flow.town / ".zoufang"
    assert folder.stat().st_mode & 0o777 == 0o700
    files = [p for p in folder.iterdir() if p.name.startswith("zoufang.db")]
    assert any(p.name == "zoufang.db" for p in files)
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in files), files
    assert (flow.out / "ledger" / "电话抽查清单.xlsx").stat().st_mode & 0o777 == 0o600
    umask = os.umask(0)
    os.umask(umask)
    assert (flow.out / "routes.csv").stat().st_mode & 0o777 == 0o666 & ~umask
