"""A planned tiny town whose first day is today (in China), with links and a coordinator."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.helpers import TOML, write_folder
from workers.commands import plan
from workers.web import create_app, links
from workers.web.config import WebConfig, china_now

PASSWORD = "correct horse 9"


def town_toml(replan_at: str | None = "21:30") -> str:
    toml = TOML.replace("start_date = 2027-03-01", f"start_date = {china_now().date()}")
    return toml + (f'[schedule]\nreplan_at = "{replan_at}"\n' if replan_at else "")


def read_links(folder: Path) -> dict[str, str]:
    path = folder / "out" / "access" / links.CSV_NAME
    with path.open(encoding="utf-8-sig") as f:
        return {r["cadre_id"]: r["url"] for r in csv.DictReader(f)}


@pytest.fixture
def town(request, tmp_path, monkeypatch) -> Path:
    """The tiny town planned (no maps), every cadre's link issued, coordinator 王主任; on
    SQLite, or on PostgreSQL where a test module parametrizes ``town`` with "postgresql"."""
    if getattr(request, "param", "sqlite") == "postgresql":
        from tests.workers.conftest import fresh_database

        url = request.getfixturevalue("pg_url")
        fresh_database(url)
        monkeypatch.setenv("ZOUFANG_DB", url)
    else:
        monkeypatch.delenv("ZOUFANG_DB", raising=False)
    folder = write_folder(tmp_path / "town", toml=town_toml())
    plan.plan_campaign(folder, time_limit_s=0.05, workers=1, maps=False)
    links.issue_links(folder, "http://testserver")
    links.set_coordinator(folder, "王主任", PASSWORD)
    return folder


@pytest.fixture
def app(town):
    return create_app(WebConfig(town, schedule=False))


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def cadre_client(app, town, cadre_id: str) -> TestClient:
    """A phone that opened the cadre's link (session cookie set)."""
    client = TestClient(app)
    response = client.get(path_of(read_links(town)[cadre_id]), follow_redirects=False)
    assert response.status_code == 303
    return client


def board_client(app, password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    assert login(client, "王主任", password).status_code == 303
    return client


def login(client: TestClient, name: str, password: str):
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    return client.post(
        "/login", data={"name": name, "password": password, "csrf": csrf}, follow_redirects=False
    )


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)
