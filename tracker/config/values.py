"""Typed access to TOML values: each problem is one ConfigError naming the file and key."""

from __future__ import annotations

import re
from typing import Any

from ..errors import ConfigError

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
_SIZE_RE = re.compile(r"^\s*(\d+)\s*(b|kb|kib|mb|mib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2}
MAX_DURATION = 366 * 86400.0  # a year: longer is a typo, and overflows the scheduler
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse_duration(value: object) -> float | None:
    """``"30m"``, ``"6h"``, ``"1d"``, ``"500ms"`` or a number of seconds; None if invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if isinstance(value, str) and (m := _DURATION_RE.match(value)):
        return float(m.group(1)) * _UNITS[m.group(2)]
    return None


class Reader:
    """Typed access to TOML values that fails with a ConfigError naming the key."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, key: str, problem: str) -> ConfigError:
        return ConfigError(self.name, f"{where}.{key}" if where else key, problem)

    def keys(self, t: dict[str, Any], where: str, allowed: set[str]) -> None:
        for key in t:
            if key not in allowed:
                raise self.fail(where, key, "unknown key")

    def table(self, t: dict[str, Any], key: str) -> dict[str, Any]:
        value = t.get(key, {})
        if not isinstance(value, dict):
            raise self.fail("", key, "must be a table, [" + key + "]")
        return value

    def array_of_tables(self, t: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = t.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail("", key, f"must be an array of tables, [[{key}]]")
        return value

    def string(self, t: dict[str, Any], where: str, key: str, default: str) -> str:
        value = t.get(key, default)
        if not isinstance(value, str):
            raise self.fail(where, key, "must be a string")
        return value

    def strings(
        self, t: dict[str, Any], where: str, key: str, default: list[str], one_allowed: bool = False
    ) -> list[str]:
        value = t.get(key, default)
        if one_allowed and isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(where, key, "must be a list of non-empty strings")
        if one_allowed and not value:
            raise self.fail(where, key, "must not be empty")
        return value

    def boolean(self, t: dict[str, Any], where: str, key: str, default: bool) -> bool:
        value = t.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(where, key, "must be true or false")
        return value

    def integer(self, t: dict[str, Any], where: str, key: str, default: int, minimum: int) -> int:
        value = t.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where, key, f"must be a whole number >= {minimum}")
        return value

    def ratio(self, t: dict[str, Any], where: str, key: str, default: float) -> float:
        value = t.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
            raise self.fail(where, key, "must be a number from 0 to below 1")
        return float(value)

    def duration(
        self, t: dict[str, Any], where: str, key: str, default: Any, zero: bool = False
    ) -> Any:
        """A duration in seconds, above zero (or zero, if ``zero``) and at most a year."""
        if key not in t:
            return default
        seconds = parse_duration(t[key])
        if seconds is None:
            problem = f"{t[key]!r} is not a duration like '30s', '30m' or '6h'"
            raise self.fail(where, key, problem)
        if seconds == 0 and not zero:
            raise self.fail(where, key, "must be more than zero")
        if seconds > MAX_DURATION:
            raise self.fail(where, key, f"{t[key]!r} is longer than a year")
        return seconds

    def choice(
        self, t: dict[str, Any], where: str, key: str, default: str, allowed: tuple[str, ...]
    ) -> str:
        value = self.string(t, where, key, default)
        if value not in allowed:
            raise self.fail(where, key, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def line(self, t: dict[str, Any], where: str, key: str, default: str) -> str:
        """A non-empty string of one line: names go into headers and log lines."""
        value = self.string(t, where, key, default)
        if not value.strip():
            raise self.fail(where, key, "must not be empty")
        if _CONTROL.search(value):
            raise self.fail(where, key, "must be one line, without control characters")
        return value

    def size(self, t: dict[str, Any], where: str, key: str, default: int) -> int:
        value = t.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if isinstance(value, str) and (m := _SIZE_RE.match(value)):
            return int(m.group(1)) * _SIZE_UNITS[(m.group(2) or "b").lower()]
        raise self.fail(where, key, f'{value!r} is not a size like 5000000 or "5MB"')
