"""Configuration: TOML in, validated dataclasses out.

``schema`` holds the dataclasses, whose fields say how each key is read;
``values`` is the one reader (with the readers of single values), ``checks``
the readers that need more than a type; ``load`` reads a whole file with the
kinds the composition root registered.  Every problem becomes one
:class:`~tracker.errors.ConfigError` naming the file, the key and what is wrong.
"""

from __future__ import annotations

from .checks import url_problem
from .load import BUILTIN, Registry, load, parse, resolve
from .schema import (
    DEFAULT_ACCEPT_LANGUAGE,
    DEFAULT_USER_AGENT,
    Config,
    Options,
    Settings,
    Source,
    Watch,
    change_path,
)
from .values import Context, Invalid, Secret, parse_duration, secret_setting, setting

__all__ = [
    "BUILTIN",
    "DEFAULT_ACCEPT_LANGUAGE",
    "DEFAULT_USER_AGENT",
    "Config",
    "Context",
    "Invalid",
    "Options",
    "Registry",
    "Secret",
    "Settings",
    "Source",
    "Watch",
    "change_path",
    "load",
    "parse",
    "parse_duration",
    "resolve",
    "secret_setting",
    "setting",
    "url_problem",
]
