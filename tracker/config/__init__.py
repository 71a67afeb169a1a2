"""Configuration: TOML in, validated dataclasses out.

``schema`` holds the dataclasses, ``values`` the typed readers, ``source`` reads
one ``[[source]]``, ``load`` the whole file.  Every problem becomes one
:class:`~tracker.errors.ConfigError` naming the file, the key and what is wrong.
"""

from __future__ import annotations

from .load import BUILTIN, load, parse, resolve
from .schema import (
    DEFAULT_ACCEPT_LANGUAGE,
    DEFAULT_USER_AGENT,
    Config,
    Settings,
    Source,
    Watch,
)
from .source import url_problem
from .values import parse_duration

__all__ = [
    "BUILTIN",
    "DEFAULT_ACCEPT_LANGUAGE",
    "DEFAULT_USER_AGENT",
    "Config",
    "Settings",
    "Source",
    "Watch",
    "load",
    "parse",
    "parse_duration",
    "resolve",
    "url_problem",
]
