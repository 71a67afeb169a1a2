"""Readers for the values of a ``[[source]]`` that need more than a type: ids, URLs, CSS
selectors, patterns and cron expressions, each checked when the file is read, not when a
fetch fails."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..store.layout import RESERVED
from ..text.extract import InvalidSelector, check_selector
from .values import Context, Invalid, line, one_or_more, strings

_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
ID_MAX = 64  # a folder name, with room to spare on any file system
# Pseudo-classes that match only what a user is doing: never anything in a fetched page.
_USER_ACTION = re.compile(r":(?:hover|focus|focus-within|focus-visible|active|visited|target)\b")


def url_problem(url: str) -> str | None:
    """What is wrong with a page URL, or None."""
    if any(c.isspace() for c in url):
        return "has spaces (percent-encode them as %20)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port out of range or a broken IPv6 host)
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an http(s) URL"
    return None


def page_url(value: Any, ctx: Context) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("missing" if value is None else "must be a string")
    url = value.strip()
    if problem := url_problem(url):
        raise Invalid(f"{url!r} {problem}")
    return url


def source_id(value: Any, ctx: Context) -> str:
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise Invalid(f"{value!r} is not of the form [a-z0-9-]")
    if len(value) > ID_MAX:
        raise Invalid(f"longer than {ID_MAX} characters")
    if value in RESERVED:
        raise Invalid(f"{value!r} is reserved for tracker's own folder")
    return value


def _css(found: tuple[str, ...]) -> tuple[str, ...]:
    for selector in found:
        try:
            check_selector(selector)
        except InvalidSelector as exc:
            raise Invalid(f"invalid CSS selector {selector!r}: {exc}") from None
        if m := _USER_ACTION.search(selector):
            never = "matches what a user does, never a fetched page"
            raise Invalid(f"{selector!r}: {m.group(0)} {never}")
    return found


def selectors(value: Any, ctx: Context) -> tuple[str, ...]:
    return _css(one_or_more(value, ctx))


def removed(value: Any, ctx: Context) -> tuple[str, ...]:
    return _css(strings(value, ctx))


def patterns(value: Any, ctx: Context) -> tuple[re.Pattern[str], ...]:
    out = []
    for pattern in strings(value, ctx):
        try:
            out.append(re.compile(pattern))
        except re.error as exc:
            raise Invalid(f"invalid regex {pattern!r}: {exc}") from None
    return tuple(out)


def timezone(value: Any, ctx: Context) -> str:
    """An IANA time zone (``Asia/Shanghai``): where the source's days begin and end."""
    name = line(value, ctx)
    import zoneinfo  # only when a source names one

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        reason = f"{name!r} is not a time zone (an IANA name such as 'Asia/Shanghai')"
        raise Invalid(reason) from None
    return name


def cron(value: Any, ctx: Context) -> str:
    expression = line(value, ctx)
    from apscheduler.triggers.cron import CronTrigger  # the scheduler's own parser, only if used

    try:
        trigger = CronTrigger.from_crontab(expression, timezone="UTC")
    except ValueError as exc:
        raise Invalid(f"invalid cron expression: {exc}") from None
    now = datetime.now(UTC)
    if trigger.get_next_fire_time(None, now) is None:
        raise Invalid(f"{expression!r} never fires: the source would never be checked")
    return expression


def dotted(value: Any, ctx: Context) -> str:
    """A dotted path into JSON (``data.items.0.body``)."""
    path = line(value, ctx)
    if any(not part for part in path.split(".")):
        raise Invalid(f"{path!r} is not a dotted path")
    return path
