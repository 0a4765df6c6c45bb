"""Usage errors (a missing argument, an unknown option, a value of the wrong kind) in Chinese.

Click and Typer word them in English, in their code; the command line catches them (Typer
runs with ``standalone_mode=False``) and says the same thing in Chinese from the error's own
fields: which parameter, what was expected. ``--lang en`` keeps Click's own words.
"""

from __future__ import annotations

import re

from workers.cli.text import click_module

CHOICES = re.compile(r"is not one of (.+?)\.?$")
PLAIN = (
    (re.compile(r"No such command '(.+)'"), "没有命令「{0}」"),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), "多余的参数：{0}"),
    (re.compile(r"Missing command"), "缺少命令"),
    (re.compile(r"Option '(.+)' requires an argument"), "选项 {0} 需要一个值"),
    (re.compile(r"Option '(.+)' requires (\d+) arguments"), "选项 {0} 需要 {1} 个值"),
    (re.compile(r"Option '(.+)' does not take a value"), "选项 {0} 不带值"),
)
#: pydantic's error types (Typer ≥ 0.25 converts values with it) → what was expected.
EXPECTED = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "date_parsing": "应为日期 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
}
BOUNDS = {
    "greater_than_equal": ("ge", "不能小于 {0}"),
    "less_than_equal": ("le", "不能大于 {0}"),
    "greater_than": ("gt", "应大于 {0}"),
    "less_than": ("lt", "应小于 {0}"),
}


def usage_error_types() -> tuple[type[Exception], ...]:
    click = click_module()
    types = [click.exceptions.UsageError]
    try:
        import click as package

        types.append(package.exceptions.UsageError)
    except ImportError:  # pragma: no cover - Typer's own copy only
        pass
    return tuple(dict.fromkeys(types))


def _name(param) -> str:
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "argument":
        return (getattr(param, "metavar", None) or param.name or "").upper()
    return "/".join(getattr(param, "opts", ()) or [param.name or ""])


def _reason(error) -> str:
    """Why the value was refused, in Chinese when the error says it in a known way."""
    cause = error.__cause__
    details = cause.errors() if hasattr(cause, "errors") else []
    message = getattr(error, "message", "") or str(error)
    if details:
        kind, limits = details[0].get("type", ""), details[0].get("ctx", {}) or {}
        if kind in EXPECTED:
            return EXPECTED[kind]
        if kind in BOUNDS:
            key, text = BOUNDS[kind]
            return text.format(limits.get(key, "?"))
        message = str(details[0].get("msg", message))
    choices = CHOICES.search(message)
    if choices:
        names = [c.strip(" '\"") for c in choices[1].split(",")]
        return "可选：" + "、".join(names)
    return f"（{message}）"


def usage_error_zh(error) -> str:
    """The whole message: what is wrong, the usage line, where to find help."""
    click = click_module()
    exceptions = click.exceptions
    param = getattr(error, "param", None)
    if isinstance(error, exceptions.NoSuchOption):
        text = f"没有选项 {error.option_name}"
        if error.possibilities:
            text += "，是否想用：" + "、".join(sorted(error.possibilities))
    elif isinstance(error, exceptions.MissingParameter):
        kind = "参数" if getattr(param, "param_type_name", "") == "argument" else "选项"
        help_text = getattr(param, "help", "") or ""
        text = f"缺少{kind} {_name(param)}" + (f"（{help_text}）" if help_text else "")
    elif isinstance(error, exceptions.BadParameter):
        text = f"{_name(param) or '参数'} 的值无效：{_reason(error)}"
    else:
        message = error.format_message()
        text = next(
            (zh.format(*m.groups()) for pattern, zh in PLAIN if (m := pattern.search(message))),
            f"用法有误（{message}）",
        )
    lines = [f"错误：{text}"]
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        lines.append(ctx.get_usage())
        lines.append(f"用「{ctx.command_path} --help」查看帮助")
    return "\n".join(lines)
