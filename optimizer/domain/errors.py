"""The error family: one root, input problems that name file, row and column."""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.domain.privacy import mask_free_text

#: An error report lists this many problems, then says how many more there are: a file of a
#: million bad rows must not print for ten minutes (every problem is still collected).
PROBLEMS_SHOWN = 100


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
        """Where, what and what was expected; a phone or ID-card number quoted from a cell
        (a phone typed one column to the left) is masked, as in every error."""
        where = self.file
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" 列「{self.column}」"
        text = f"{where}: {mask_free_text(self.message)}"
        if self.expected:
            text += f"（应为: {mask_free_text(self.expected)}）"
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

    def report(self, shown: int = PROBLEMS_SHOWN) -> str:
        """Every problem, or the first ``shown`` of them and how many more there are."""
        n = len(self.problems)
        lines = [f"输入有误，共 {n} 处："]
        lines += [f"  - {p}" for p in self.problems[:shown]]
        if n > shown:
            lines.append(f"  …… 另有 {n - shown} 处未列出")
        return "\n".join(lines)


class LedgerError(ZoufangError):
    """An illegal change to the 诉求 ledger (nothing was changed)."""


class PairingError(ZoufangError):
    """A change that 一访到底 forbids (the published pairing is locked; an override to a
    cadre who may not visit the target; …). Nothing was changed."""
