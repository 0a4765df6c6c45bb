"""The night's re-plan on its own: ``[schedule] replan_at`` (Asia/Shanghai), once per day.

The re-plan is ``zoufang replan CAMPAIGN`` itself, run as a child process: the same command,
through the Dramatiq workers when ``ZOUFANG_BROKER`` is set (the child inherits the
environment), and its solves never hold this server's GIL or fork its threads. Several
servers on one database each schedule it; the first to claim the date runs it. A day with no
recorded outcome is skipped, with the reason logged and shown on the board.
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
import threading
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from workers.web.config import CHINA, campaign_day

log = logging.getLogger("zoufang.web.schedule")
JOB_ID = "nightly-replan"
REPLAN_TIMEOUT_S = 3600


@dataclass(frozen=True, slots=True)
class RunResult:
    at: dt.datetime
    by: str
    ok: bool
    message: str


class ReplanRunner:
    """Runs ``zoufang replan`` for the campaign, one at a time."""

    def __init__(self, field):
        self.field = field
        self.lock = threading.Lock()
        self.running_since: dt.datetime | None = None
        self.last: RunResult | None = None

    def run(self, by: str) -> RunResult:
        """Re-plan now and wait; a run already going makes this one refused."""
        if not self.lock.acquire(blocking=False):
            return RunResult(self.field.config.now(), by, False, "另一次重排正在进行")
        return self._run_locked(by)

    def start(self, by: str) -> bool:
        """Re-plan in the background; False if one is running already."""
        if not self.lock.acquire(blocking=False):
            return False
        threading.Thread(
            target=self._run_locked, args=(by,), daemon=True, name="zoufang-replan"
        ).start()
        return True

    def _run_locked(self, by: str) -> RunResult:
        try:
            self.running_since = self.field.config.now()
            command = [
                sys.executable,
                "-m",
                "workers",
                "replan",
                str(self.field.config.campaign_dir),
            ]
            try:
                done = subprocess.run(
                    command, capture_output=True, text=True, timeout=REPLAN_TIMEOUT_S
                )
                lines = (done.stdout if done.returncode == 0 else done.stderr).strip().splitlines()
                message = lines[0] if lines else f"退出码 {done.returncode}"
                ok = done.returncode == 0
            except subprocess.TimeoutExpired:
                ok, message = False, f"重排超过 {REPLAN_TIMEOUT_S} 秒未完成"
            result = RunResult(self.field.config.now(), by, ok, message)
            log.info("re-plan by %s: %s (%s)", by, "done" if ok else "failed", message)
            self.last = result
            return result
        finally:
            self.running_since = None
            self.lock.release()


def nightly(field, runner: ReplanRunner) -> str:
    """The scheduled job: claim today, skip with a reason or re-plan; returns the state."""
    today = field.config.now().astimezone(CHINA).date()
    if not field.store.claim_run(field.campaign_id, today.isoformat()):
        log.info("scheduled re-plan of %s: another server has it", today)
        return "claimed"
    day = campaign_day(field.settings, today)
    reason = ""
    if not 1 <= day <= field.settings.days:
        reason = f"{today} 不在活动期内（第 {day} 天）"
    elif field.store.outcomes_on_day(field.campaign_id, day) == 0:
        reason = f"第 {day} 天（{today}）没有登记任何走访结果，无需重排"
    if reason:
        log.info("scheduled re-plan skipped: %s", reason)
        field.store.end_run(field.campaign_id, today.isoformat(), "skipped", reason)
        return "skipped"
    result = runner.run("定时重排")
    state = "done" if result.ok else "failed"
    field.store.end_run(field.campaign_id, today.isoformat(), state, result.message)
    return state


def start(app) -> BackgroundScheduler | None:
    """Schedule the nightly job if ``campaign.toml`` asks for it."""
    field, runner = app.state.field, app.state.replan
    minute = field.settings.replan_at_min
    if minute is None:
        log.info("no [schedule] replan_at: the nightly re-plan is not scheduled")
        return None
    scheduler = BackgroundScheduler(timezone=CHINA)
    scheduler.add_job(
        nightly,
        CronTrigger(hour=minute // 60, minute=minute % 60, timezone=CHINA),
        args=(field, runner),
        id=JOB_ID,
        coalesce=True,
        misfire_grace_time=3600,  # a server restarted a little late still runs it
        max_instances=1,
    )
    scheduler.start()
    app.state.scheduler = scheduler
    log.info("nightly re-plan scheduled at %02d:%02d Asia/Shanghai", minute // 60, minute % 60)
    return scheduler
