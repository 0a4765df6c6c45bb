"""Shared fixtures: tiny hand-checkable campaign folders and the real services."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import write_folder


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """The tiny hand-checkable town: 4 targets in 2 villages, 3 cadres."""
    return write_folder(tmp_path / "tiny")
