"""Ways of getting a page, one module each, registered by the ``kind`` a source names.

``page`` (a web page, fetched and, when it needs JavaScript, rendered in a real
browser) and ``json`` (an endpoint whose field holds the agreement).  A new
way (a PDF, say) is a module with a :class:`Getter` subclass decorated with
:func:`register`, and an import below: nothing else changes.
"""

from __future__ import annotations

from . import jsonapi, page  # noqa: F401  (registers the kinds)
from .base import Context, Getter, fetch_in_full, getter_for, kinds, read_page, register

__all__ = [
    "Context",
    "Getter",
    "fetch_in_full",
    "getter_for",
    "kinds",
    "read_page",
    "register",
]
