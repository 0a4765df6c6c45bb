"""Finding a campaign's store and its output folder: what every command starts with."""

from __future__ import annotations

import os
from pathlib import Path

from optimizer.domain.errors import InputProblem, InvalidInputError
from optimizer.domain.model import Settings
from optimizer.inputs.limits import CONTROL
from optimizer.inputs.settings import read_settings
from workers.errors import NotPlannedError, SampleFolderInUse
from workers.store import Store
from workers.tasks.config import current


def check_option_text(option: str, text: str | None, limit: int = 10_000) -> None:
    """Text typed on the command line (a reason, a note, a unit) obeys the rules of a text
    cell: no control characters, at most ``limit`` characters (the store's column)."""
    text = text or ""
    problem = None
    if len(text) > limit:
        problem = f"有 {len(text)} 个字符，超过上限 {limit}"
    elif CONTROL.search(text):
        problem = "含有控制字符"
    if problem:
        raise InvalidInputError([InputProblem(option, None, None, problem, "普通文字")])


def default_out(campaign_dir: Path, out: Path | None) -> Path:
    """The output folder (``CAMPAIGN/out`` unless given), checked to hold no link."""
    folder = Path(out) if out else Path(campaign_dir) / "out"
    refuse_links(folder)
    return folder


def refuse_links(folder: Path) -> None:
    """Exit 2 when the output folder holds a symbolic link: every file is written and removed
    under it, and a planted link (``ledger -> /elsewhere``) would take writes out of it. The
    folder itself may be a link: that is where the user chose to put it."""
    links = []
    for root, dirs, files in os.walk(folder):  # never follows a link
        links += [Path(root) / n for n in (*dirs, *files) if (Path(root) / n).is_symlink()]
    if links:
        expected = "输出文件夹内只有本程序写的文件与文件夹（删除链接后重试）"
        raise InvalidInputError(
            [InputProblem(str(p), None, None, "输出文件夹内有符号链接，已拒绝写入", expected)
             for p in links[:10]]
        )  # fmt: skip


def campaign_store(campaign_dir: Path) -> Store:
    """The campaign's store: ``ZOUFANG_DB`` if set, else its embedded SQLite file."""
    return Store.for_campaign(campaign_dir, current().db_url)


def open_campaign(campaign_dir: Path) -> tuple[Settings, Store, int]:
    """The campaign's settings, its store and its id there (it must have been planned).

    Only ``campaign.toml`` is read: targets and cadres come from the store's snapshot, the
    ones that were planned (re-plan after changing them with ``plan --reassign``)."""
    settings, problems = read_settings(Path(campaign_dir))
    if problems:
        raise InvalidInputError(problems)
    store = campaign_store(campaign_dir)
    campaign_id = store.find_campaign_key(settings)
    if campaign_id is None or store.current_version(campaign_id) is None:
        raise NotPlannedError("这个活动还没有发布计划，请先运行 zoufang plan")
    return settings, store, campaign_id


def followup_last_day(settings: Settings, start_date, days: int) -> int:
    """The campaign day number of a return-visit plan's last day."""
    return (start_date - settings.start_date).days + days


#: The files of a campaign folder that ``zoufang sample`` writes (and only these are
#: replaced by ``sample --force``).
CAMPAIGN_FILES = (
    "campaign.toml",
    "targets.csv",
    "targets.xlsx",
    "cadres.csv",
    "cadres.xlsx",
    "README.txt",
)


def check_sample_folder(folder: Path, force: bool) -> list[Path]:
    """Whether ``zoufang sample`` may write ``folder``; the campaign files it would replace.

    A folder holding campaign files is never overwritten without ``force``; a campaign with
    a published plan (its store has one) is never overwritten at all: its pairing and
    outcomes would no longer match its files.
    """
    folder = Path(folder)
    present = [folder / name for name in CAMPAIGN_FILES if (folder / name).is_file()]
    if not present and not (folder / ".zoufang").exists():
        return []
    if not force:
        raise SampleFolderInUse(
            f"{folder} 里已有活动文件（{'、'.join(p.name for p in present) or '.zoufang'}），"
            "未做任何改动。请换一个文件夹；确要覆盖未排过计划的样例，加 --force"
        )
    settings, _ = read_settings(folder)
    if settings is not None:
        store = campaign_store(folder)
        campaign_id = store.find_campaign_key(settings)
        current = store.current_version(campaign_id) if campaign_id is not None else None
        if current is not None:
            raise SampleFolderInUse(
                f"{folder} 的活动已经发布了计划（第 {current[0]} 版），不能用样例覆盖；"
                "请换一个文件夹"
            )
    return present
