"""One ``[[source]]`` table read into a :class:`Source`, or one ConfigError naming the key."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..errors import ConfigError
from ..store.layout import RESERVED
from ..text.extract import InvalidSelector, check_selector
from .schema import Source, keys
from .values import Reader

_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_ID_MAX = 64  # a folder name, with room to spare on any file system
# Pseudo-classes that match only what a user is doing: never anything in a fetched page.
_USER_ACTION = re.compile(r":(?:hover|focus|focus-within|focus-visible|active|visited|target)\b")


def url_problem(url: str) -> str | None:
    """What is wrong with a page URL, or None: checked now, not when the fetch fails."""
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


def read_source(r: Reader, t: dict[str, Any], index: int, base: Path) -> Source:
    where = f"source[{index}]"
    sid = t.get("id")
    if not isinstance(sid, str) or not _ID_RE.match(sid):
        problem = "missing" if sid is None else f"{sid!r} is not of the form [a-z0-9-]"
        raise ConfigError(r.name, f"{where}.id", problem)
    if len(sid) > _ID_MAX:
        raise ConfigError(r.name, f"{where}.id", f"longer than {_ID_MAX} characters")
    if sid in RESERVED:
        raise ConfigError(r.name, f"{where}.id", f"{sid!r} is reserved for tracker's own folder")
    where = f"source.{sid}"
    r.keys(t, where, keys(Source))
    url: object = t.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(r.name, f"{where}.url", "missing")
    if wrong := url_problem(url.strip()):
        raise ConfigError(r.name, f"{where}.url", f"{url!r} {wrong}")
    selectors = r.strings(t, where, "selector", ["body"], one_allowed=True)
    remove = r.strings(t, where, "remove", [])
    for key, values in (("selector", selectors), ("remove", remove)):
        for sel in values:
            try:
                check_selector(sel)
            except InvalidSelector as exc:
                raise ConfigError(
                    r.name, f"{where}.{key}", f"invalid CSS selector {sel!r}: {exc}"
                ) from None
            if m := _USER_ACTION.search(sel):
                never = f"{sel!r}: {m.group(0)} matches what a user does, never a fetched page"
                raise ConfigError(r.name, f"{where}.{key}", never)
    ignore = []
    for pattern in r.strings(t, where, "ignore", []):
        try:
            ignore.append(re.compile(pattern))
        except re.error as exc:
            invalid = f"invalid regex {pattern!r}: {exc}"
            raise ConfigError(r.name, f"{where}.ignore", invalid) from None
    baseline = None
    if "baseline" in t:
        baseline = base / r.string(t, where, "baseline", "")
        if not baseline.is_file():
            raise ConfigError(r.name, f"{where}.baseline", f"no such file: {baseline}")
    cron = None
    if "cron" in t:
        cron = r.string(t, where, "cron", "")
        if "interval" in t:
            raise ConfigError(r.name, f"{where}.cron", "give interval or cron, not both")
        from apscheduler.triggers.cron import CronTrigger  # the scheduler, only when needed

        try:
            CronTrigger.from_crontab(cron)
        except ValueError as exc:
            raise ConfigError(r.name, f"{where}.cron", f"invalid cron expression: {exc}") from None
    kind, render, field, fmt = _getting(r, t, where)
    return Source(
        id=sid,
        name=r.line(t, where, "name", sid),
        url=url.strip(),
        selectors=tuple(selectors),
        remove=tuple(remove),
        ignore=tuple(ignore),
        min_length=r.integer(t, where, "min_length", 100, minimum=0),
        interval=r.duration(t, where, "interval", None),
        cron=cron,
        baseline=baseline,
        kind=kind,
        render=render,
        field=field,
        format=fmt,
    )


def _getting(r: Reader, t: dict[str, Any], where: str) -> tuple[str, str, str | None, str]:
    """How the page is got: ``kind``, and the keys that belong to it."""
    from ..sources import kinds  # the getters register their kinds on import

    kind = r.choice(t, where, "kind", "page", kinds())
    render = r.choice(t, where, "render", "auto", ("auto", "never", "always"))
    if kind == "json":
        if "render" in t:
            raise ConfigError(r.name, f"{where}.render", "applies to page sources, not json")
        if "field" not in t:
            raise ConfigError(r.name, f"{where}.field", "missing: the dotted path to the text")
        field = r.line(t, where, "field", "")
        if any(not part for part in field.split(".")):
            raise ConfigError(r.name, f"{where}.field", f"{field!r} is not a dotted path")
        return (
            kind,
            render,
            field,
            r.choice(t, where, "format", "html", ("html", "markdown", "text")),
        )
    for key in ("field", "format"):
        if key in t:
            raise ConfigError(r.name, f"{where}.{key}", 'applies to kind = "json" sources')
    return kind, render, None, "html"
