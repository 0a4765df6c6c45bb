"""The error family: one root, input problems that name file, row and column."""

from __future__ import annotations

from dataclasses import dataclass


class ZoufangError(Exception):
    """Root of every error this package raises on purpose."""


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One thing wrong with one cell, row or file.

    ``row`` is the spreadsheet line (header = row 1); ``None`` for whole-file problems.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    expected: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" 列「{self.column}」"
        text = f"{where}: {self.message}"
        if self.expected:
            text += f"（应为: {self.expected}）"
        return text


class InvalidInputError(ZoufangError):
    """Bad input: carries every problem found, so the user fixes them all at once."""

    def __init__(self, problems: list[InputProblem] | tuple[InputProblem, ...]):
        self.problems = tuple(problems)
        super().__init__(self.report())

    @property
    def file(self) -> str:
        return self.problems[0].file if self.problems else ""

    @property
    def row(self) -> int | None:
        return self.problems[0].row if self.problems else None

    @property
    def column(self) -> str | None:
        return self.problems[0].column if self.problems else None

    def report(self) -> str:
        head = f"输入有误，共 {len(self.problems)} 处："
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class LedgerError(ZoufangError):
    """An illegal change to the 诉求 ledger (nothing was changed)."""


class PairingError(ZoufangError):
    """A change that 一访到底 forbids (the published pairing is locked; an override to a
    cadre who may not visit the target; …). Nothing was changed."""
