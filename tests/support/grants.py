"""Permissions given or taken on the role screen, as an administrator would, inside a test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from app.extensions import appbuilder, db


@contextmanager
def granted(app: Flask, role: str, permission: str, resource: str,
            given: bool = True) -> Iterator[None]:
    """The role holds (or, with given=False, lacks) the permission inside; as before after."""
    with app.app_context():
        sm = appbuilder().sm
        row, pv = sm.find_role(role), sm.find_permission_view_menu(permission, resource)
        held = pv in row.permissions
        if given != held:
            (row.permissions.append if given else row.permissions.remove)(pv)
            db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            row, pv = sm.find_role(role), sm.find_permission_view_menu(permission, resource)
            if (pv in row.permissions) != held:
                (row.permissions.append if held else row.permissions.remove)(pv)
                db.session.commit()
