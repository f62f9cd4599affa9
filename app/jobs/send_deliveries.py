"""send_deliveries(as_of): the e-mails and robot messages not sent yet, sent now.

Queued after a 督促 by hand (app/web/urging.py), so the office's page does not wait for a
mail server; the daily send_reminders sends (and retries) them too. A delivery is claimed
before it is sent (app/jobs/delivery.py), so runs at once never send one twice.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app

from app.jobs import delivery


def run(as_of: dt.date) -> dict:
    sent, failed = delivery.deliver_pending(current_app.config)
    return {"sent": sent, "failed": failed}
