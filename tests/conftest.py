"""Shared fixtures: tiny hand-checkable campaign folders and the real services."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import write_folder


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """The tiny hand-checkable town: 4 targets in 2 villages, 3 cadres."""
    return write_folder(tmp_path / "tiny")


@pytest.fixture(autouse=True)
def fresh_config():
    """Each test reads the ZOUFANG_* environment afresh (a process reads it once: tests that
    set a variable stand for a new process)."""
    from workers.tasks.config import current

    current.cache_clear()
    yield
    current.cache_clear()
