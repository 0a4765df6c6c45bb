"""The header names each input table accepts (English or Chinese, contract §4)."""

from __future__ import annotations

from optimizer.inputs.sheets import Column

TARGET_COLUMNS = (
    Column("id", ("编号", "对象编号", "走访对象编号", "target_id"), required=True),
    Column("type", ("类型", "对象类型", "走访对象类型")),
    Column("name", ("名称", "户主姓名", "户主", "姓名", "单位名称", "对象名称")),
    Column(
        "village",
        ("村", "社区", "村/社区", "村社区", "村（社区）", "所属村", "村居"),
        required=True,
    ),
    Column("grid", ("网格", "所属网格", "网格名称")),
    Column("lat", ("纬度", "latitude"), required=True),
    Column("lon", ("经度", "lng", "longitude"), required=True),
    Column("address", ("地址", "住址", "详细地址")),
    Column("phone", ("联系电话", "电话", "手机", "手机号")),
    Column("service_min", ("走访时长", "service_minutes", "时长")),
    Column("window", ("可走访时段", "走访时段", "时段")),
    Column("priority", ("重点", "重点户", "重点对象")),
)

CADRE_COLUMNS = (
    Column("id", ("编号", "人员编号", "走访人员编号", "cadre_id"), required=True),
    Column("name", ("姓名", "走访人员"), required=True),
    Column("role", ("职务",)),
    Column("unit", ("单位", "所在单位")),
    Column("phone", ("联系电话", "电话", "手机")),
    Column("base_lat", ("出发点纬度", "纬度")),
    Column("base_lon", ("出发点经度", "经度")),
    Column("village", ("所包村", "包村", "村", "所在村", "负责村")),
    Column("grid", ("负责网格", "网格")),
    Column("types", ("走访对象类型", "对象类型", "类型")),
    Column("minutes_per_day", ("每日走访时长", "每日时长", "每日分钟")),
    Column("window", ("每日可走访时段", "可走访时段", "时段")),
    Column("off_days", ("休息日", "不可走访日")),
)

OUTCOME_COLUMNS = (
    Column("target_id", ("对象编号", "编号", "走访对象编号"), required=True),
    Column("day", ("天", "第几天", "活动日"), required=True),
    Column("status", ("结果", "走访结果", "状态"), required=True),
    Column("time", ("时间", "走访时间")),
    Column("cadre_id", ("走访人员编号", "人员编号")),
    Column("category", ("诉求分类", "问题分类")),
    Column("request", ("诉求内容", "诉求", "问题")),
    Column("satisfied", ("满意", "是否满意", "回访满意")),
)

#: Headers written when a table is written in Chinese (the contract's names).
ZH_HEADERS = {
    "targets": {
        "id": "编号",
        "type": "类型",
        "name": "户主姓名",
        "village": "村/社区",
        "grid": "网格",
        "lat": "纬度",
        "lon": "经度",
        "address": "地址",
        "phone": "联系电话",
        "service_min": "走访时长",
        "window": "可走访时段",
        "priority": "重点",
    },
    "cadres": {
        "id": "编号",
        "name": "姓名",
        "role": "职务",
        "unit": "单位",
        "phone": "联系电话",
        "base_lat": "出发点纬度",
        "base_lon": "出发点经度",
        "village": "所包村",
        "grid": "负责网格",
        "types": "走访对象类型",
        "minutes_per_day": "每日走访时长",
        "window": "每日可走访时段",
        "off_days": "休息日",
    },
}
