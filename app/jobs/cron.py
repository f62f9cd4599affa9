"""`rq cron app/jobs/cron.py`: the schedule with Redis. Ticks every 5 minutes; each tick
claims its runs in the database (app/jobs/timetable.py), so two cron processes started by
mistake queue each run once."""

from rq import cron

from app.jobs import QUEUE
from app.jobs.worker import cron_tick

cron.register(cron_tick, QUEUE, interval=300)
