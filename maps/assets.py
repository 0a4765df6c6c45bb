"""Offline assets: Leaflet from its npm package, pinned by version and integrity.

Maps are self-contained by default (a CDN such as jsDelivr is often blocked in mainland
China, and a map that loads Leaflet from it is then a blank page). The first map rendered —
or ``zoufang assets`` — downloads the tarball from the npm registry (``ZOUFANG_NPM_REGISTRY``;
a mirror such as https://registry.npmmirror.com works from China), checks its sha512 against
``assets.lock.json`` and keeps the listed files in the assets folder (``ZOUFANG_ASSETS``,
default ``~/.cache/zoufang/assets``); the command line passes both. An offline map inlines
them, so it opens with no network but tiles. An online map loads them from the CDN with
``integrity`` (the lock's sha384 of each file, the same bytes as in the tarball) and
``crossorigin``: a CDN serving anything else is refused by the browser.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import tarfile
import urllib.request
from pathlib import Path

from optimizer.domain.errors import ZoufangError

LOCK = Path(__file__).with_name("assets.lock.json")
DEFAULT_DIR = Path.home() / ".cache" / "zoufang" / "assets"
DEFAULT_REGISTRY = "https://registry.npmjs.org"


def _lock() -> list[dict]:
    return json.loads(LOCK.read_text(encoding="utf-8"))["packages"]


def _package_dir(pkg: dict, folder: Path) -> Path:
    return Path(folder) / f"{pkg['name']}-{pkg['version']}"


def cdn_url(name: str, file: str) -> str:
    """The online (CDN) address of a packaged file, e.g. ``cdn_url("leaflet", "leaflet.js")``."""
    pkg = next(p for p in _lock() if p["name"] == name)
    return pkg["cdn"] + file


def sri(data: bytes) -> str:
    """A Subresource Integrity value: ``sha384-`` and the base64 digest."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def _tags(pkg: dict, file: str) -> tuple[str, str] | None:
    """The tag folium writes for a packaged file, and the same tag with its integrity."""
    name = file.removeprefix("dist/")
    url = pkg["cdn"] + name
    integrity = pkg.get("sri", {}).get(file)
    if integrity is None:
        return None
    checked = f'integrity="{integrity}" crossorigin="anonymous"'
    if name.endswith(".js"):
        return f'<script src="{url}"></script>', f'<script src="{url}" {checked}></script>'
    return (
        f'<link rel="stylesheet" href="{url}"/>',
        f'<link rel="stylesheet" href="{url}" {checked}/>',
    )


def add_integrity(html: str) -> str:
    """Every CDN script and stylesheet of the locked packages with ``integrity`` and
    ``crossorigin``; a page that loads one of them without it is an error."""
    for pkg in _lock():
        for file in pkg.get("sri", {}):
            plain, checked = _tags(pkg, file)
            html = html.replace(plain, checked)
            if plain in html:
                raise ZoufangError(f"地图引用的 {file} 缺少完整性校验")
    return html


def fetch_assets(registry: str = DEFAULT_REGISTRY, folder: Path = DEFAULT_DIR) -> list[Path]:
    """Download, verify and unpack every locked package not already in ``folder``."""
    registry = registry.rstrip("/")
    written = []
    for pkg in _lock():
        target = _package_dir(pkg, folder)
        if all((target / f).is_file() for f in pkg["files"]):
            continue
        url = f"{registry}/{pkg['name']}/-/{pkg['name']}-{pkg['version']}.tgz"
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                data = response.read()
        except OSError as e:
            raise ZoufangError(
                f"无法下载离线地图所需的 Leaflet（{url}：{e}）。请检查网络；在国内可设置 "
                "ZOUFANG_NPM_REGISTRY=https://registry.npmmirror.com 使用镜像；或在 campaign.toml "
                "的 [maps] 中设 offline = false（或 zoufang maps --online）改为在线加载"
            ) from e
        digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
        if digest != pkg["integrity"]:
            raise ZoufangError(f"{url} 的校验值不符（{digest[:20]}…），已拒绝使用")
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for file in pkg["files"]:
                member = tar.extractfile(f"package/{file}")
                content = member.read()
                expected = pkg.get("sri", {}).get(file)
                if expected and sri(content) != expected:
                    raise ZoufangError(f"{file} 的校验值与 assets.lock.json 不符，已拒绝使用")
                path = target / file
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
                written.append(path)
    return written


def _local(name: str, file: str, folder: Path) -> Path:
    pkg = next(p for p in _lock() if p["name"] == name)
    path = _package_dir(pkg, folder) / "dist" / file
    if not path.is_file():
        raise ZoufangError("离线地图资源尚未下载：请先运行 zoufang assets")
    return path


def _inline_css(name: str, file: str, folder: Path) -> str:
    """The stylesheet with its images as data: URIs."""
    path = _local(name, file, folder)
    css = path.read_text(encoding="utf-8")

    def data_uri(match: re.Match) -> str:
        image = path.parent / match.group(1)
        encoded = base64.b64encode(image.read_bytes()).decode()
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\((images/[\w\-]+\.png)\)", data_uri, css)


def _default_icon_script(name: str, folder: Path) -> str:
    """Leaflet finds its default marker images next to its stylesheet; inline, point it at
    data: URIs instead (a marker is created with the default icon before ours replaces it)."""
    images = {}
    for option, file in (
        ("iconUrl", "marker-icon.png"),
        ("iconRetinaUrl", "marker-icon-2x.png"),
        ("shadowUrl", "marker-shadow.png"),
    ):
        encoded = base64.b64encode(_local(name, f"images/{file}", folder).read_bytes()).decode()
        images[option] = f"data:image/png;base64,{encoded}"
    return f"\nL.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({json.dumps(images)});"


def inline_assets(html: str, folder: Path = DEFAULT_DIR) -> str:
    """Replace every CDN script and stylesheet of the locked packages with its contents."""
    for pkg in _lock():
        for file in pkg["files"]:
            name = file.removeprefix("dist/")
            url = pkg["cdn"] + name
            if name.endswith(".js"):
                script = (
                    _local(pkg["name"], name, folder)
                    .read_text(encoding="utf-8")
                    .replace("</script", "<\\/script")
                )
                if pkg["name"] == "leaflet":
                    script += _default_icon_script(pkg["name"], folder)
                html = html.replace(f'<script src="{url}"></script>', f"<script>{script}</script>")
            elif name.endswith(".css"):
                html = html.replace(
                    f'<link rel="stylesheet" href="{url}"/>',
                    f"<style>{_inline_css(pkg['name'], name, folder)}</style>",
                )
    if re.search(r'<script src="https?://|<link rel="stylesheet" href="https?://', html):
        raise ZoufangError("离线地图仍引用了网络资源")
    return html
