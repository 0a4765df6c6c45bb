"""``zoufang access``: cadres' personal links (CSV and a printable QR page), coordinator logins.

A link holds a secret that only its hash keeps in the store, so the CSV written here is the
only copy: it is written readable by its owner only, and holds the links that are live. Issuing
again for a cadre revokes the old link and replaces its row; ``--revoke`` removes it.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import segno

from optimizer.domain.errors import ZoufangError
from optimizer.domain.privacy import mask_name
from optimizer.outputs.files import FORMULA_PREFIXES, csv_cell
from workers.commands.campaign import default_out, open_campaign
from workers.web.auth import hash_password, make_token
from workers.web.pages import TEMPLATES

CSV_NAME = "走访人员链接.csv"
PAGE_NAME = "走访人员二维码.html"
HEADERS = ("cadre_id", "姓名", "url")
BASE_URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(/[A-Za-z0-9._~\-/]*)?")
MIN_PASSWORD = 8


def check_base_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not BASE_URL.fullmatch(url):
        raise ZoufangError(f"--base-url「{url}」应为 http(s)://主机[:端口][/路径]，不含查询参数")
    return url


def access_folder(campaign_dir: Path) -> Path:
    return default_out(campaign_dir, None) / "access"


def _private(path: Path, text: str) -> Path:
    """Write ``text`` readable by its owner only from the first byte (links are secrets)."""
    temporary = path.with_name(path.name + ".tmp")
    # O_NOFOLLOW: a link planted at the temporary name must not be written through.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(temporary, path)
    return path


def _read_rows(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = {r["cadre_id"]: r for r in csv.DictReader(f)}
    for r in rows.values():  # the quote that kept a name inert is not part of it
        if r["姓名"].startswith("'") and r["姓名"][1:].startswith(FORMULA_PREFIXES):
            r["姓名"] = r["姓名"][1:]
    return rows


def _write(folder: Path, rows: dict[str, dict], campaign_name: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, HEADERS, lineterminator="\r\n")
    writer.writeheader()
    for cadre_id in sorted(rows):
        writer.writerow({k: csv_cell(rows[cadre_id][k]) for k in HEADERS})  # names: inert
    csv_path = _private(folder / CSV_NAME, "\ufeff" + buffer.getvalue())
    cards = [
        {
            "cadre_id": r["cadre_id"],
            "name": r["姓名"],
            "qr": segno.make(r["url"], error="m").svg_data_uri(scale=4, border=2),
            "url": r["url"],
        }
        for _, r in sorted(rows.items())
    ]
    page = TEMPLATES.get_template("qr.html").render(campaign=campaign_name, cards=cards)
    return csv_path, _private(folder / PAGE_NAME, page)


def issue_links(
    campaign_dir: Path, base_url: str, cadre_ids: list[str] | None = None
) -> tuple[int, Path, Path]:
    """New links for ``cadre_ids`` (every cadre when None); returns (count, CSV, QR page)."""
    base_url = check_base_url(base_url)
    settings, store, campaign_id = open_campaign(campaign_dir)
    campaign = store.load_campaign(campaign_id)
    cadres = campaign.cadre_index()
    wanted = list(cadres) if cadre_ids is None else cadre_ids
    unknown = [c for c in wanted if c not in cadres]
    if unknown:
        raise ZoufangError(f"没有编号为 {'、'.join(unknown)} 的走访人员")
    folder = access_folder(campaign_dir)
    rows = {} if cadre_ids is None else _read_rows(folder / CSV_NAME)
    live = store.live_links(campaign_id)
    rows = {c: r for c, r in rows.items() if c in live}
    key = store.web_key()
    for cadre_id in wanted:
        token = make_token(key, campaign_id, store.issue_token(campaign_id, cadre_id))
        rows[cadre_id] = {
            "cadre_id": cadre_id,
            "姓名": mask_name(cadres[cadre_id].name),
            "url": f"{base_url}/c/{token}",
        }
    csv_path, page_path = _write(folder, rows, settings.name)
    return len(wanted), csv_path, page_path


def revoke_link(campaign_dir: Path, cadre_id: str) -> int:
    """End a cadre's link (and the sessions opened with it); returns how many were live."""
    settings, store, campaign_id = open_campaign(campaign_dir)
    ended = store.revoke_tokens(campaign_id, cadre_id)
    folder = access_folder(campaign_dir)
    rows = _read_rows(folder / CSV_NAME)
    if cadre_id in rows:
        del rows[cadre_id]
        _write(folder, rows, settings.name)
    return ended


def set_coordinator(campaign_dir: Path, name: str, password: str) -> bool:
    """Create or change a coordinator login (argon2); True when it was new."""
    name = name.strip()
    if not re.fullmatch(r"[\w.\-@]{1,100}", name):
        raise ZoufangError("协调员用户名只能含字母、数字、汉字及 _ . - @")
    if len(password) < MIN_PASSWORD:
        raise ZoufangError(f"密码至少 {MIN_PASSWORD} 个字符")
    _, store, campaign_id = open_campaign(campaign_dir)
    return store.set_coordinator(campaign_id, name, hash_password(password))
