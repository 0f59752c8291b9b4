"""Programmes: list with filters and search, page, create, edit, actions, participation,
approvals of both sides, exchange slots and history.

One blueprint, ``programmes``: made in ``pages``, with the routes of ``actions`` and
``forms`` added to it when they are imported here.
"""

from console.views.programmes import actions, forms, pages
from console.views.programmes.pages import blp

__all__ = ["actions", "blp", "forms", "pages"]
