"""``zoufang access`` (links and logins) and ``zoufang serve`` (the field app)."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from workers.cli.app import app, err, out
from workers.cli.options import CampaignArg

SYNC_PATH = "/api/me/outcomes"  # workers.web.sync_endpoint.PATH, without importing the app


class RedactLinks(logging.Filter):
    """Access logs never show a link's token (``/c/…``), and leave out the syncs that were
    answered 200: when 300 phones post at once their 300 lines are written from the event
    loop while the phones wait (paired runs, p95 0.34–0.56 s without them, 0.46–0.66 s
    with). The writers log each group they stored (``zoufang.web.intake``), the board shows
    each phone's last sync, and a sync refused or failed is still logged here."""

    TOKEN = re.compile(r"/c/[^\s\"?]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            args = record.args
            if len(args) == 5 and args[1:3] == ("POST", SYNC_PATH) and args[4] == 200:
                return False
            record.args = tuple(
                self.TOKEN.sub("/c/***", a) if isinstance(a, str) else a for a in args
            )
        return True


@app.command()
def access(
    campaign: CampaignArg,
    base_url: Annotated[
        str, typer.Option("--base-url", help="手机访问本服务的地址，如 https://zf.example.gov.cn")
    ] = "http://127.0.0.1:8000",
    cadre: Annotated[
        list[str] | None, typer.Option("--cadre", help="只为这些人员重新发放（可重复）")
    ] = None,
    revoke: Annotated[str | None, typer.Option("--revoke", help="作废这名人员的链接")] = None,
    coordinator: Annotated[
        str | None, typer.Option("--coordinator", help="创建或修改协调员登录")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="从标准输入读取协调员密码")
    ] = False,
) -> None:
    """发放走访人员专属链接与二维码、作废链接、设置协调员登录 / links, QR codes, logins."""
    from workers.web import links

    if coordinator is not None:
        if not password_stdin:
            err.print("请用 --password-stdin 从标准输入提供密码（不要写在命令行里）")
            raise typer.Exit(2)
        password = sys.stdin.readline().rstrip("\r\n")
        new = links.set_coordinator(campaign, coordinator, password)
        out.print(f"已{'创建' if new else '修改'}协调员登录 {coordinator}")
        return
    if revoke is not None:
        ended = links.revoke_link(campaign, revoke)
        out.print(f"已作废 {revoke} 的链接（{ended} 个生效中的链接）")
        return
    if base_url.startswith("http://127.") or base_url.startswith("http://localhost"):
        err.print("提示：手机需能访问 --base-url 的地址；本机地址只适合测试。")
    count, csv_path, page_path = links.issue_links(campaign, base_url, cadre or None)
    out.print(f"已发放 {count} 个链接（旧链接已作废）：{csv_path}，打印用二维码页：{page_path}")


@app.command()
def serve(
    campaign: CampaignArg,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    forwarded_allow_ips: Annotated[
        str, typer.Option("--forwarded-allow-ips", help="信任其 X-Forwarded-* 头的反向代理地址")
    ] = "127.0.0.1",
    schedule: Annotated[
        bool, typer.Option("--schedule/--no-schedule", help="按 [schedule] replan_at 自动重排")
    ] = True,
) -> None:
    """启动外业应用：走访人员手机页面、协调员看板、定时夜间重排 / serve the field app."""
    import uvicorn

    from workers.web import create_app
    from workers.web.config import WebConfig

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("uvicorn.access").addFilter(RedactLinks())
    application = create_app(WebConfig(Path(campaign), schedule=schedule))
    out.print(
        f"外业应用：http://{host}:{port}/login（协调员），走访人员用 zoufang access 发放的链接"
    )
    uvicorn.run(
        application,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        log_config=None,
    )
