"""The field app (``zoufang serve``): each cadre's day on the phone, a live board, the night's
re-plan on a schedule.

FastAPI over the same store as the command line. Pages are plain server-rendered Jinja2 with
autoescape (campaign text only ever arrives as variables or ``|tojson``, never as template
source) and a little plain JavaScript; no build step.
"""

from workers.web.app import create_app

__all__ = ["create_app"]
