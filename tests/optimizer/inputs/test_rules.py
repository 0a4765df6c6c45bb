"""One test per input-validation rule: each bad file yields the named problem, nothing else."""

from __future__ import annotations

import pytest

from optimizer.domain.errors import InvalidInputError
from optimizer.inputs import read_campaign
from tests.helpers import CADRES, TARGETS, TOML, write_folder

HEADER = "id,type,name,village,grid,lat,lon,phone,window,priority\n"


def problems_of(folder) -> list:
    with pytest.raises(InvalidInputError) as info:
        read_campaign(folder)
    return list(info.value.problems)


def only_problem(folder, file: str, row: int | None, column: str | None, fragment: str):
    problems = problems_of(folder)
    assert len(problems) == 1, [str(p) for p in problems]
    p = problems[0]
    assert (p.file, p.row, p.column) == (file, row, column), str(p)
    assert fragment in p.message, str(p)
    return p


def test_good_folder_reads(tiny):
    """The tiny town reads into 4 targets and 3 cadres with resolved defaults."""
    campaign = read_campaign(tiny)
    assert len(campaign.targets) == 4 and len(campaign.cadres) == 3
    t3 = campaign.target_index()["T3"]
    assert t3.service_minutes == 10 and t3.type.value == "shop"
    c1 = campaign.cadre_index()["C1"]
    assert c1.base_lat == pytest.approx((35.0 + 35.001 + 35.002) / 3)  # village centroid
    assert campaign.cadre_index()["C2"].off_days == (3,)


def test_missing_required_column(tmp_path):
    """A targets file without a lat column names that column at the header row."""
    bad = "id,village,lon\nT1,高桥村,117.2\n"
    cadres = "id,name,base_lat,base_lon\nC1,刘一,35.0,117.2\n"
    only_problem(
        write_folder(tmp_path, targets=bad, cadres=cadres), "targets.csv", 1, "lat", "缺少必填列"
    )


def test_empty_id(tmp_path):
    """A row with an empty id is reported with its Excel row number."""
    bad = TARGETS + ",household,无名,高桥村,1网格,35.0,117.2,,,\n"
    only_problem(write_folder(tmp_path, targets=bad), "targets.csv", 6, "id", "编号为空")


def test_duplicate_id(tmp_path):
    """A repeated id names the row that had it first."""
    bad = TARGETS + "T2,household,重复,高桥村,1网格,35.0,117.2,,,\n"
    p = only_problem(write_folder(tmp_path, targets=bad), "targets.csv", 6, "id", "重复")
    assert "第3行" in p.message


def test_coordinate_not_a_number(tmp_path):
    """A latitude that is not a number is named with its column."""
    bad = HEADER + "T1,household,甲,高桥村,1网格,三十五,117.2,,,\n"
    only_problem(
        write_folder(tmp_path, targets=bad, cadres="id,name,village\nC1,刘一,高桥村\n"),
        "targets.csv",
        2,
        "lat",
        "不是数字",
    )


def test_coordinate_out_of_range(tmp_path):
    """A latitude beyond ±90 is out of range."""
    bad = HEADER + "T1,household,甲,高桥村,1网格,135.0,317.2,,,\n"
    only_problem(
        write_folder(tmp_path, targets=bad, cadres="id,name,village\nC1,刘一,高桥村\n"),
        "targets.csv",
        2,
        "lat",
        "超出范围",
    )


def test_coordinates_swapped(tmp_path):
    """lat ≈ 117 and lon ≈ 35 is reported as swapped."""
    bad = HEADER + "T1,household,甲,高桥村,1网格,117.2,35.0,,,\n"
    only_problem(
        write_folder(tmp_path, targets=bad, cadres="id,name,village\nC1,刘一,高桥村\n"),
        "targets.csv",
        2,
        "lat",
        "填反",
    )


def test_unknown_target_type(tmp_path):
    """A type that is neither an English nor a Chinese type name is rejected."""
    bad = HEADER + "T1,农场,甲,高桥村,1网格,35.0,117.2,,,\n"
    only_problem(
        write_folder(tmp_path, targets=bad, cadres="id,name,village\nC1,刘一,高桥村\n"),
        "targets.csv",
        2,
        "type",
        "未知的走访对象类型",
    )


def test_malformed_window(tmp_path):
    """A window that is neither a name from [windows] nor HH:MM-HH:MM is rejected."""
    bad = HEADER + "T1,household,甲,高桥村,1网格,35.0,117.2,,下午晚些,\n"
    only_problem(
        write_folder(tmp_path, targets=bad, cadres="id,name,village\nC1,刘一,高桥村\n"),
        "targets.csv",
        2,
        "window",
        "不是时段",
    )


def test_reversed_window(tmp_path):
    """A window whose start is not before its end is rejected."""
    bad = HEADER + "T1,household,甲,高桥村,1网格,35.0,117.2,,19:00-18:00,\n"
    only_problem(
        write_folder(tmp_path, targets=bad, cadres="id,name,village\nC1,刘一,高桥村\n"),
        "targets.csv",
        2,
        "window",
        "开始不早于结束",
    )


def test_negative_service_minutes(tmp_path):
    """Negative service minutes are rejected."""
    bad = "id,village,lat,lon,service_min\nT1,高桥村,35.0,117.2,-5\n"
    only_problem(
        write_folder(tmp_path, targets=bad, cadres="id,name,village\nC1,刘一,高桥村\n"),
        "targets.csv",
        2,
        "service_min",
        "小于 0",
    )


def test_bad_priority_value(tmp_path):
    """A priority that is not yes/no is rejected."""
    bad = HEADER + "T1,household,甲,高桥村,1网格,35.0,117.2,,,也许\n"
    only_problem(
        write_folder(tmp_path, targets=bad, cadres="id,name,village\nC1,刘一,高桥村\n"),
        "targets.csv",
        2,
        "priority",
        "是/否",
    )


def test_negative_minutes_per_day(tmp_path):
    """A cadre's negative daily minutes are rejected."""
    bad = "id,name,village,minutes_per_day\nC1,刘一,高桥村,-30\n"
    only_problem(write_folder(tmp_path, cadres=bad), "cadres.csv", 2, "minutes_per_day", "小于 1")


def test_off_day_not_a_number(tmp_path):
    """An off-day list with a word in it is rejected."""
    bad = "id,name,village,off_days\nC1,刘一,高桥村,3;周日\n"
    only_problem(write_folder(tmp_path, cadres=bad), "cadres.csv", 2, "off_days", "不是整数")


def test_off_day_outside_campaign(tmp_path):
    """An off day beyond the campaign's days is rejected."""
    bad = "id,name,village,off_days\nC1,刘一,高桥村,2、9\n"
    only_problem(write_folder(tmp_path, cadres=bad), "cadres.csv", 2, "off_days", "不在活动期")


def test_unknown_cadre_type(tmp_path):
    """A cadre type that is not a target type is rejected."""
    bad = "id,name,village,types\nC1,刘一,高桥村,户;农场\n"
    only_problem(write_folder(tmp_path, cadres=bad), "cadres.csv", 2, "types", "未知的走访对象类型")


def test_cadre_village_without_targets(tmp_path):
    """A cadre's village that no target names is rejected."""
    bad = "id,name,village\nC1,刘一,不存在村\n"
    only_problem(write_folder(tmp_path, cadres=bad), "cadres.csv", 2, "village", "没有对象")


def test_cadre_grid_without_targets(tmp_path):
    """A cadre's grid that has no targets yet is valid (附件2: 无可走访对象), with a warning."""
    cadres = "id,name,village,grid\nC1,刘一,高桥村,9网格\nC2,王二,高桥村\n"
    campaign = read_campaign(write_folder(tmp_path, cadres=cadres))
    assert any("9网格" in w and "无可走访对象" in w for w in campaign.warnings)


def test_cadre_grid_ambiguous(tmp_path):
    """A grid name used in two villages needs the cadre's village."""
    bad = "id,name,base_lat,base_lon,grid\nC1,刘一,35.0,117.2,1网格\n"
    only_problem(write_folder(tmp_path, cadres=bad), "cadres.csv", 2, "grid", "无法确定")


def test_cadre_without_base_or_village(tmp_path):
    """A cadre with neither base coordinates nor a village has no start point."""
    bad = "id,name,types\nC1,刘一,household\n"
    only_problem(write_folder(tmp_path, cadres=bad), "cadres.csv", 2, "base_lat", "出发点")


def test_zero_cadres(tmp_path):
    """A cadres file with a header and no rows is an input error."""
    only_problem(
        write_folder(tmp_path, cadres="id,name,village\n"), "cadres.csv", None, None, "0 名"
    )


def test_missing_campaign_toml(tmp_path):
    """A folder without campaign.toml says so."""
    only_problem(write_folder(tmp_path, toml=None), "campaign.toml", None, None, "找不到")


def test_toml_syntax_error(tmp_path):
    """A broken campaign.toml is reported, not raised as a TOML exception."""
    only_problem(write_folder(tmp_path, toml="name = \n"), "campaign.toml", None, None, "TOML")


def test_toml_reversed_day(tmp_path):
    """day_end before day_start is rejected."""
    toml = TOML.replace('day_end = "20:30"', 'day_end = "07:00"')
    only_problem(write_folder(tmp_path, toml=toml), "campaign.toml", None, "day_end", "不晚于")


def test_toml_missing_days(tmp_path):
    """campaign.toml without days is rejected."""
    toml = TOML.replace("days = 5\n", "")
    only_problem(write_folder(tmp_path, toml=toml), "campaign.toml", None, "days", "缺少活动天数")


def test_not_home_rate_read_and_defaulted(tmp_path):
    """[policy].not_home_rate is read as given; a campaign.toml without it gets 0.2."""
    assert read_campaign(write_folder(tmp_path / "a")).settings.policy.not_home_rate == 0.2
    toml = TOML.replace("max_attempts = 3", "max_attempts = 3\nnot_home_rate = 0.35")
    campaign = read_campaign(write_folder(tmp_path / "b", toml=toml))
    assert campaign.settings.policy.not_home_rate == 0.35


@pytest.mark.parametrize("value", ["1.0", "-0.1", '"高"'])
def test_not_home_rate_out_of_range(tmp_path, value):
    """A not-home rate that is no share below 1 is named by its campaign.toml key."""
    toml = TOML.replace("max_attempts = 3", f"max_attempts = 3\nnot_home_rate = {value}")
    fragment = "不是有限的数" if value.startswith('"') else "超出范围"
    folder = write_folder(tmp_path, toml=toml)
    only_problem(folder, "campaign.toml", None, "policy.not_home_rate", fragment)


def test_every_problem_listed_at_once(tmp_path):
    """Problems in all three files come back together, in one report."""
    targets = (
        HEADER + "T1,农场,甲,高桥村,1网格,117.2,35.0,,,\nT1,household,乙,高桥村,1网格,x,117.2,,,\n"
    )
    cadres = "id,name,village,minutes_per_day\nC1,刘一,高桥村,-1\n"
    toml = TOML.replace("days = 5\n", "")
    problems = problems_of(write_folder(tmp_path, targets=targets, cadres=cadres, toml=toml))
    files = [p.file for p in problems]
    assert files.count("targets.csv") >= 3 and "campaign.toml" in files and "cadres.csv" in files


def test_title_row_is_skipped(tmp_path):
    """A title row above the header is skipped and said, never read as a target."""
    folder = write_folder(tmp_path, targets="测试镇大走访对象名单,,,,\n" + TARGETS)
    campaign = read_campaign(folder)
    assert len(campaign.targets) == 4
    assert any("标题行" in w for w in campaign.warnings)


def test_title_row_keeps_excel_row_numbers(tmp_path):
    """Below a title row, problems still carry the spreadsheet line number."""
    bad = "大走访对象名单\n" + HEADER + "T1,household,甲,高桥村,1网格,35.0,x,,,\n"
    only_problem(
        write_folder(tmp_path, targets=bad, cadres="id,name,village\nC1,刘一,高桥村\n"),
        "targets.csv",
        3,
        "lon",
        "不是数字",
    )


def test_grid_in_two_villages_is_a_warning(tmp_path):
    """The same grid name under two villages is allowed, with one warning."""
    campaign = read_campaign(write_folder(tmp_path, cadres=CADRES))
    assert any("多个村" in w for w in campaign.warnings)


def test_chinese_headers_and_names(tmp_path):
    """Chinese headers, Chinese type names and list separators read like the English ones."""
    targets = (
        "编号,类型,户主,村（社区）,网格,纬度,经度,重点\n"
        "T1,户,甲,高桥村,1网格,35.0,117.2,是\nT2,商铺,乙,高桥村,1网格,35.001,117.2,\n"
    )
    cadres = "编号,姓名,所包村,走访对象类型,休息日\nC1,刘一,高桥村,户、商铺,1；2\n"
    campaign = read_campaign(write_folder(tmp_path, targets=targets, cadres=cadres))
    assert campaign.targets[0].priority and campaign.targets[1].type.value == "shop"
    assert {t.value for t in campaign.cadres[0].types} == {"household", "shop"}
    assert campaign.cadres[0].off_days == (1, 2)


def test_target_far_from_every_other(tmp_path):
    """A target 33 km from every other (a latitude typed 35.31 for 35.01) is named at its
    row and latitude column; the town is still within the 100 km range."""
    bad = TARGETS.replace("35.0100,117.2100", "35.3100,117.2100")
    only_problem(
        write_folder(tmp_path, targets=bad), "targets.csv", 5, "lat", "距最近的其他走访对象"
    )


def test_target_near_a_neighbour_is_not_isolated(tmp_path):
    """9 km from its nearest neighbour (a hamlet across the fields) is within the range."""
    near = TARGETS.replace("35.0100,117.2100", "35.0830,117.2100")
    assert len(read_campaign(write_folder(tmp_path, targets=near)).targets) == 4


def test_far_off_point_is_one_problem(tmp_path):
    """A point 900 km off is the town-range problem only, once; its neighbours stay valid."""
    bad = TARGETS.replace("35.0100,117.2100", "43.1100,117.2100")
    only_problem(write_folder(tmp_path, targets=bad), "targets.csv", 5, "lat", "距全镇中位点")
