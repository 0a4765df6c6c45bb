"""The command line's language: Chinese, whole; English only with ``--lang en``.

Every text the command line prints or shows as help goes through ``t(zh, en)``. The language
is chosen once, before the commands are declared (``set_lang``), so help texts follow it.
Click's and Typer's own words (panel titles, the help option, "Usage:"; usage errors in
``usage``) are put in Chinese too: a township office reads the whole message, not half of it.
Messages about the campaign's data (an input problem, a ledger refusal) are Chinese in every
language.
"""

from __future__ import annotations

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


HELP_OPTION_ZH = "显示本帮助并退出"
USAGE_ZH = "用法："

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


def click_module():
    """The Click that Typer runs on: its own copy (Typer ≥ 0.25) or the click package."""
    core = importlib.import_module("typer.core")
    return getattr(core, "_click", None) or importlib.import_module("click")


def _chinese_click() -> None:
    """Typer's panel words are module constants; the help option's text and the usage line's
    "Usage:" are Click's, fixed in its code: both are put in Chinese here. (Usage errors are
    translated where they are caught, ``usage``.)"""
    rich_utils = importlib.import_module("typer.rich_utils")
    for constant, text in TYPER_ZH.items():
        if hasattr(rich_utils, constant):
            setattr(rich_utils, constant, text)
    click = click_module()
    command = click.core.Command
    if not getattr(command.get_help_option, "chinese", False):
        original_help = command.get_help_option

        def get_help_option(self, ctx):
            option = original_help(self, ctx)
            if option is not None:
                option.help = HELP_OPTION_ZH
            return option

        get_help_option.chinese = True
        command.get_help_option = get_help_option
    formatter = click.formatting.HelpFormatter
    if not getattr(formatter.write_usage, "chinese", False):
        original_usage = formatter.write_usage

        def write_usage(self, prog, args="", prefix=None):
            original_usage(self, prog, args, USAGE_ZH if prefix is None else prefix)

        write_usage.chinese = True
        formatter.write_usage = write_usage


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
