"""日路线 for a 15,000-target town: FastSheet beside xlsxwriter's own path, and the proof that
the two workbooks are the same.

The town is planned once in this process (short route budgets: the files do not depend on how
good the routes are, only on how many stops there are). Then 日路线.xlsx is written ``--repeat``
times each way, alternating, and the processor and wall seconds of each are printed; then the
two workbooks are compared: every part byte for byte (but ``docProps/core.xml``, which holds the
time of writing), and what openpyxl reads — sheet names, every cell's value, type, number
format, font, border, alignment and fill, merged cells, column widths, row heights, page
breaks, paper, orientation, scale, margins, centring, footer and print area.

Run: ``python benchmarks/day_sheets.py [--targets 15000] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl

from optimizer.assign.solve import assign_areas
from optimizer.inputs import read_campaign
from optimizer.outputs import day_routes
from optimizer.outputs.fast_sheet import FastSheet, PlainSheet
from optimizer.replan import plan_routes
from optimizer.sample import generate_sample, write_sample

WAYS = {"FastSheet": FastSheet, "xlsxwriter": PlainSheet}


def write(folder: Path, campaign, plan, sheet_class) -> tuple[float, float, bytes]:
    """(processor s, wall s, the file) of one 日路线.xlsx written with ``sheet_class``."""
    day_routes.FastSheet = sheet_class  # the one name the module writes its sheets with
    folder.mkdir(parents=True, exist_ok=True)
    cpu, wall = time.process_time(), time.perf_counter()
    path = day_routes.write_day_routes(folder, campaign, plan)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    day_routes.FastSheet = FastSheet
    return cpu, wall, path.read_bytes()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def facts(sheet) -> tuple:
    """What a reader of the sheet sees and what its printout depends on."""
    cells = [
        (
            *(c.coordinate, c.value, c.data_type, c.number_format),
            *(c.font.name, c.font.sz, c.font.b, c.border.left.style, c.border.bottom.style),
            *(c.alignment.horizontal, c.alignment.vertical, c.alignment.wrap_text),
            c.fill.fgColor.rgb,
        )
        for row in sheet.iter_rows()
        for c in row
    ]
    setup = sheet.page_setup
    return (
        cells,
        sorted(str(r) for r in sheet.merged_cells.ranges),
        {k: d.width for k, d in sheet.column_dimensions.items()},
        {k: d.height for k, d in sheet.row_dimensions.items()},
        [b.id for b in sheet.row_breaks.brk],
        (setup.paperSize, setup.orientation, setup.scale, setup.fitToWidth),
        (sheet.page_margins.left, sheet.page_margins.top, sheet.page_margins.bottom),
        (sheet.print_options.horizontalCentered, sheet.print_area, sheet.oddFooter.center.text),
    )


def compare(a: bytes, b: bytes) -> None:
    pa, pb = parts(a), parts(b)
    different = sorted(n for n in pa.keys() | pb.keys() if pa.get(n) != pb.get(n))
    print(f"  parts: {len(pa)} and {len(pb)}, byte for byte different: {different or 'none'}")
    wa, wb = (openpyxl.load_workbook(io.BytesIO(x)) for x in (a, b))
    same = wa.sheetnames == wb.sheetnames
    cells = 0
    for name in wa.sheetnames if same else []:
        fa, fb = facts(wa[name]), facts(wb[name])
        same = same and fa == fb
        cells += len(fa[0])
    print(
        f"  openpyxl: {len(wa.sheetnames)} sheets, {cells} cells, merged cells, widths, heights, "
        f"breaks and print setup {'the same' if same else 'DIFFERENT'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=15_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_sample(Path(tmp) / "town", generate_sample("huangtun", args.targets, 1))
        campaign = read_campaign(folder)
        plan = plan_routes(campaign, assign_areas(campaign, seed=1), time_limit_s=0.02)
        stops = sum(len(r.stops) for r in plan.routes)
        print(
            f"日路线: {len(campaign.targets)} targets, {len(campaign.cadres)} cadres, {stops} stops"
        )
        runs: dict[str, list[tuple[float, float]]] = {way: [] for way in WAYS}
        files = {}
        for i in range(args.repeat):  # alternating, so a slow spell of the machine hits both
            for way, sheet_class in WAYS.items():
                cpu, wall, files[way] = write(Path(tmp) / f"{way}-{i}", campaign, plan, sheet_class)
                runs[way].append((cpu, wall))
        for way, measured in runs.items():
            cpus, walls = [m[0] for m in measured], [m[1] for m in measured]
            print(
                f"  {way:>10}: median {statistics.median(cpus):.2f} processor s "
                f"({', '.join(f'{c:.2f}' for c in cpus)}), {statistics.median(walls):.2f} s wall"
            )
        compare(files["FastSheet"], files["xlsxwriter"])


if __name__ == "__main__":
    main()
