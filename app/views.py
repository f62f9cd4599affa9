"""The portal's table of contents: every screen in its menu, and the APIs (app/web/ holds them)."""

from __future__ import annotations

from flask import current_app
from flask_appbuilder import AppBuilder

from app.web.menu import APIS, HIDDEN, MENU, NO_MENU, menu_resources
from app.web.permission_labels import MENU_RESOURCES


def register(appbuilder: AppBuilder) -> None:
    """Add every view to the menu, and the APIs."""
    for category, category_label, name, label, view in MENU:
        appbuilder.add_view(view, name, label=label, category=category,
                            category_label=category_label)
    for view in (*HIDDEN, *NO_MENU):
        appbuilder.add_view_no_menu(view)
    for api in APIS:
        appbuilder.add_api(api)
    current_app.extensions[MENU_RESOURCES] = menu_resources()
