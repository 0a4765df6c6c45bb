"""The real Chromium the browser tests drive (Debian's package, no browser download)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from maps import fetch_assets
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, service_or_skip


@pytest.fixture(scope="module")
def browser():
    """Chromium through Playwright, offline map assets fetched (or a skip naming the fix)."""
    if shutil.which("chromium") is None and not Path(CHROMIUM).exists():
        service_or_skip("chromium", "Debian's chromium is not installed (apt-get install chromium)")
    fetch_assets()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=list(CHROMIUM_ARGS),
        )
        yield launched
        launched.close()
