"""Refusals of the running system (not rules of the notices, not bad input): exit 1."""

from __future__ import annotations

from optimizer.domain.errors import ZoufangError


class ConcurrentReplanError(ZoufangError):
    """Another re-plan of the same campaign is running."""


class NotPlannedError(ZoufangError):
    """The campaign has no published plan yet."""


class RecordConflict(ZoufangError):
    """A file of outcomes says something else about a (target, day) already recorded; nothing
    was stored. ``changes``: the ``recording.Change`` list; ``refusals``: why a ``--replace``
    could not be applied (it would drop a request, or undo a return visit), by change."""

    def __init__(self, changes, refusals: dict | None = None):
        self.changes = list(changes)
        self.refusals = dict(refusals or {})
        super().__init__(f"{len(self.changes)} 处与已登记的结果不同")


class CampaignLockedError(ConcurrentReplanError):
    """Another plan or re-plan of the same campaign holds its lock."""


class NoWorkerError(ZoufangError):
    """A re-plan through Redis found no worker to answer; nothing was published."""


class OutputError(ZoufangError):
    """The store holds the result, but its files could not be written (full disk, a
    read-only folder): ``zoufang export`` writes them again."""

    @classmethod
    def unwritten(cls, e: OSError, what: str, english: str) -> OutputError:
        """The message of a file that could not be written after ``what`` was stored."""
        where = f"{e.filename}: " if e.filename else ""
        return cls(
            f"{what}已保存在库中，但无法写出输出文件（{where}{e.strerror or e}）；"
            "腾出空间或改正文件夹权限后运行 zoufang export CAMPAIGN 重新生成 / "
            f"{english} is stored, its files are not: run `zoufang export`"
        )


class RestoreRefused(ZoufangError):
    """A roll-back that would break the published pairing, or to a version never published
    (nothing was changed)."""


class ReplanHeld(ZoufangError):
    """The re-plan guard stopped a version that would drop scheduled work for many cadres;
    it is kept, unpublished, until ``--force``. Carries the version and the findings."""

    def __init__(self, message: str, version: int, guard: dict):
        super().__init__(message)
        self.version = version
        self.guard = guard


class SampleFolderInUse(ZoufangError):
    """``zoufang sample`` was asked to write over a campaign folder (nothing was written)."""


class ProposalChanged(ZoufangError):
    """``rebalance --apply`` named a proposal that is no longer the current one."""
