"""``kind = "json"``: an endpoint returning JSON, whose ``field`` holds the agreement.

Single-page apps load their agreement with ``fetch()``; tracking the endpoint
itself needs no browser.  ``field`` is a dotted path (``data.content``,
``data.items.0.body``); ``format`` says what the field holds: ``html`` (read
as a page: selectors, emphasis, links), ``markdown`` or ``text``.  From there
on everything is as for a page; conditional GET works the same.  Invalid
JSON, a missing field or a value that is not text is an error of the source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..config import Options, setting
from ..config.checks import dotted
from ..config.values import choice
from ..errors import ExtractError
from ..model import Reading
from ..store.source import pack
from ..text.decode import decode
from ..text.extract import extract_page
from ..text.markdown import from_markdown
from .base import Context, Getter, register

if TYPE_CHECKING:
    from ..config import Source
    from ..model import Page
    from ..store.state import State

ACCEPT = "application/json, text/plain;q=0.5, */*;q=0.1"


@dataclass(frozen=True)
class JsonOptions(Options):
    """A json source's own keys: where in the JSON the agreement is, and what it holds."""

    field: str = setting(read=dotted)  # a dotted path: data.items.0.body
    format: str = setting("html", read=choice("html", "markdown", "text"))

    rereadable: ClassVar[frozenset[str]] = frozenset({"field", "format"})


def options_of(source: Source) -> JsonOptions:
    options = source.options
    if not isinstance(options, JsonOptions):
        raise ExtractError(f"{source.id} is not a json source")
    return options


@register
class JsonGetter(Getter):
    kind = "json"
    options = JsonOptions

    async def fetch(
        self, source: Source, state: State, ctx: Context, etag: str | None, modified: str | None
    ) -> Page:
        return await ctx.fetcher.fetch(source.url, etag=etag, last_modified=modified, accept=ACCEPT)

    def read(self, page: Page, source: Source) -> Reading:
        body, codec = decode(page.body, page.content_type)
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise ExtractError(f"the response is not JSON ({exc})") from None
        except RecursionError:
            raise ExtractError("the response is not usable JSON (nested too deep)") from None
        options = options_of(source)
        text = _as_text(field_value(data, options.field), options, source, page.url)
        if len(text) < source.min_length:
            raise ExtractError(
                f"field {options.field!r} holds no agreement text ({len(text.strip())} characters)"
            )
        return Reading(text, None, codec, pack(page.body), page.url, source.settings)


def field_value(data: Any, path: str) -> Any:
    """The value at a dotted path (``data.items.0.body``), or ExtractError naming what is there."""
    here: Any = data
    walked: list[str] = []
    for part in path.split("."):
        if isinstance(here, dict) and part in here:
            here = here[part]
        elif isinstance(here, list) and part.isdigit() and int(part) < len(here):
            here = here[int(part)]
        else:
            where = ".".join(walked) or "the top level"
            raise ExtractError(f"no field {path!r} in the JSON: {where} has {_has(here)}")
        walked.append(part)
    return here


def _has(value: Any) -> str:
    if isinstance(value, dict):
        keys = ", ".join(list(map(str, value))[:8])
        return f"keys {keys}" if keys else "no keys"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return f"a {type(value).__name__}"


def _as_text(value: Any, options: JsonOptions, source: Source, url: str) -> str:
    if not isinstance(value, str):
        raise ExtractError(f"field {options.field!r} holds {_has(value)}, not text")
    if options.format == "markdown":
        return from_markdown(value)
    if options.format == "text":
        return "\n".join(line.strip() for line in value.splitlines() if line.strip()) + "\n"
    return extract_page(value, source.selectors, source.remove, url, min_length=0).text
