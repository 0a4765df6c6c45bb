"""Synthetic names, addresses and phone numbers for sample towns (no real person's data)."""

from __future__ import annotations

import numpy as np

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文斌波志宏海峰庆云亮成春梅凤林"
    "立新永福德胜利喜荣长生金山宝珍淑贞俊卫东浩然子涵梓轩欣怡雨桐"
)
ENTERPRISE_WORDS = (
    "机械",
    "化工",
    "建材",
    "食品",
    "纺织",
    "电子",
    "物流",
    "装备",
    "农业科技",
    "包装",
)
ENTERPRISE_KINDS = ("有限公司", "股份有限公司", "合作社", "加工厂")
SHOP_WORDS = (
    "超市",
    "饭店",
    "五金店",
    "理发店",
    "药店",
    "农资店",
    "服装店",
    "家电维修",
    "烟酒店",
    "早餐店",
)
INSTITUTION_WORDS = (
    "派出所",
    "供电所",
    "财政所",
    "司法所",
    "税务分局",
    "邮政所",
    "信用社",
    "农业服务中心",
)
SITE_WORDS = ("安置房工程", "道路改造工程", "厂房建设项目", "污水管网工程", "商住楼项目")


class NameMaker:
    """Seeded maker of plausible Chinese names and numbers."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def person(self) -> str:
        surname = SURNAMES[self.rng.integers(len(SURNAMES))]
        n = 1 if self.rng.random() < 0.35 else 2
        return surname + "".join(GIVEN[self.rng.integers(len(GIVEN))] for _ in range(n))

    def phone(self) -> str:
        prefix = ("138", "139", "150", "151", "158", "176", "186", "187", "133", "177")
        head = prefix[self.rng.integers(len(prefix))]
        return head + "".join(str(d) for d in self.rng.integers(0, 10, 8))

    def pick(self, words: tuple[str, ...]) -> str:
        return words[self.rng.integers(len(words))]

    def enterprise(self, place: str) -> str:
        return (
            f"{place.removesuffix('村')}{self.pick(ENTERPRISE_WORDS)}{self.pick(ENTERPRISE_KINDS)}"
        )

    def shop(self, place: str) -> str:
        return f"{place.removesuffix('村')}{self.person()[0]}记{self.pick(SHOP_WORDS)}"

    def institution(self, town: str) -> str:
        return f"{town}{self.pick(INSTITUTION_WORDS)}"

    def site(self, place: str) -> str:
        return f"{place.removesuffix('村')}{self.pick(SITE_WORDS)}"
