"""The portal's day in tests: read it, or fix it (config TODAY) for a block, and app.config
values set for a block in general. A test about a rule takes its day from here or from a
literal date, never from the machine's clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager


@contextmanager
def config(app, **values: object) -> Iterator[None]:
    """Set app.config values for a block; put the old ones back afterwards."""
    missing = object()
    old = {key: app.config.get(key, missing) for key in values}
    app.config.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is missing:
                app.config.pop(key, None)
            else:
                app.config[key] = value


def on_day(app, day: dt.date) -> AbstractContextManager[None]:
    """The portal behaves as on `day` inside the block (app/domain/clock.py's TODAY)."""
    return config(app, TODAY=day)


def today(app) -> dt.date:
    """The portal's today, as its pages and jobs see it."""
    from app.domain import clock

    with app.app_context():
        return clock.today()
