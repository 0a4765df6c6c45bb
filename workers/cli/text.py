"""The command line's language: Chinese, whole; English only with ``--lang en``.

Every text the command line prints or shows as help goes through ``t(zh, en)``. The language
is chosen once, before the commands are declared (``set_lang``), so help texts follow it.
Click's and Typer's own words (usage errors, "Missing argument", panel titles) are put in
Chinese here too: a township office reads the whole message, not half of it. Messages about
the campaign's data (an input problem, a ledger refusal) are Chinese in every language.
"""

from __future__ import annotations

import gettext
import importlib

LANGS = ("zh", "en")
_lang = "zh"


def set_lang(lang: str) -> None:
    global _lang
    _lang = lang if lang in LANGS else "zh"
    if _lang == "zh":
        _chinese_click()


def lang() -> str:
    return _lang


def t(zh: str, en: str) -> str:
    """The text in the chosen language."""
    return en if _lang == "en" else zh


#: Click's message ids (its gettext catalogue) in Chinese. Placeholders stay as Click fills
#: them; an id not listed stays as Click says it.
CLICK_ZH = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing command.": "缺少命令",
    "Invalid value: {message}": "值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "No such option: {name}": "没有选项 {name}",
    "No such option {name!r}.": "没有选项 {name!r}",
    "No such command {name!r}.": "没有命令 {name!r}",
    "Try '{command} {option}' for help.": "用「{command} {option}」查看帮助",
    "Error: {message}": "错误：{message}",
    "Aborted!": "已中止",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值",
    "Did you mean {possibility}?": "是否想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否想用其中之一：{possibilities}？）",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}",
    "{value!r} is not one of {choices}.": "{value!r} 不是可选值之一：{choices}",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} 不是是/否值：{states}"
    ),
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，不是文件夹",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合格式 {formats}",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "default: {default}": "默认：{default}",
}

TYPER_ZH = {
    "ERRORS_PANEL_TITLE": "错误",
    "OPTIONS_PANEL_TITLE": "选项",
    "ARGUMENTS_PANEL_TITLE": "参数",
    "COMMANDS_PANEL_TITLE": "命令",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEFAULT_STRING": "[默认：{}]",
    "ABORTED_TEXT": "已中止",
    "RICH_HELP": "用 [blue]「{command_path} {help_option}」[/] 查看帮助",
}


def _zh(message: str) -> str:
    return CLICK_ZH.get(message, message)


def _zh_plural(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


def _chinese_click() -> None:
    """Click looks its messages up with module-level ``_``/``ngettext`` (gettext) at call
    time; these point them at the table above. Typer's panel words are module constants."""
    for name in ("core", "exceptions", "types", "parser", "formatting", "decorators"):
        module = importlib.import_module(f"click.{name}")
        if getattr(module, "_", None) is gettext.gettext:
            module._ = _zh
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = _zh_plural
    rich_utils = importlib.import_module("typer.rich_utils")
    for constant, text in TYPER_ZH.items():
        if hasattr(rich_utils, constant):
            setattr(rich_utils, constant, text)


def fold_long_help() -> None:
    """Typer lays help out in rich tables, whose cells cut a long run of Chinese (no spaces
    to break at) with "…". Chinese breaks between any two characters: fold instead."""
    rich_utils = importlib.import_module("typer.rich_utils")
    original = getattr(rich_utils, "_make_rich_text", None)
    if original is None or getattr(original, "folds", False):
        return

    def folding(*args, **kwargs):
        text = original(*args, **kwargs)
        if hasattr(text, "overflow"):
            text.overflow = "fold"
        return text

    folding.folds = True
    rich_utils._make_rich_text = folding
