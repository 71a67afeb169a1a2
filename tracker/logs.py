"""Logging for one run, set up alike in every process it uses.

The daemon logs one line per event (``check source=… status=…``), or one JSON
object per line with ``--log-format json``: then every line is JSON, a
library's warning or a traceback included, so that a log shipper never has to
guess.  An event carries its fields on the record (``extra={"fields": …}``);
the formatter decides how they look.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from .stamps import isoformat
from .text.controls import neutral


def to_stderr(level: int) -> None:
    """Log at ``level`` to stderr, one line per record.

    httpx logs every request URL at INFO, and webhook URLs carry secrets, so it
    and httpcore say only what goes wrong, whatever the level.
    """
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    _quiet_http(level)


def for_daemon(log_format: str, verbose: bool) -> None:
    """One line per record on stderr: text lines start with the time (UTC), unless journald
    reads them (``JOURNAL_STREAM`` set: it adds its own timestamps)."""
    handler = logging.StreamHandler()
    journald = bool(os.environ.get("JOURNAL_STREAM"))
    handler.setFormatter(JsonLines() if log_format == "json" else TextLines(stamped=not journald))
    root = logging.getLogger()
    root.handlers[:] = [handler]  # every library's records, in the same form
    root.setLevel(logging.WARNING)
    ours = logging.getLogger("tracker")
    ours.handlers[:] = []
    ours.setLevel(logging.DEBUG if verbose else logging.INFO)
    ours.propagate = True
    logging.captureWarnings(True)  # warnings.warn(...) becomes a record like any other
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("apscheduler.scheduler").addFilter(_still_running)
    _quiet_http(logging.WARNING)


def _still_running(record: logging.LogRecord) -> bool:
    """A source's check still under way when its next one comes due is not news: the next
    runs when it ends (``coalesce``).  APScheduler warns of it on every tick."""
    return "maximum number of running instances reached" not in record.getMessage()


def event(logger: logging.Logger, level: int, name: str, **fields: Any) -> None:
    """Log event ``name`` with its fields (None values left out)."""
    kept = {k: v for k, v in fields.items() if v is not None}
    logger.log(level, name, extra={"fields": kept})


class TextLines(logging.Formatter):
    """``[TIME] LEVEL event key=value …``; other records as ``[TIME] LEVEL logger: message``."""

    def __init__(self, stamped: bool = True) -> None:
        super().__init__()
        self.stamped = stamped

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        if fields is not None:
            body = " ".join(
                [record.getMessage(), *(f"{k}={_logfmt(v)}" for k, v in fields.items())]
            )
        else:
            body = f"{record.name}: {record.getMessage()}"
            if record.exc_info:
                body += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        line = f"{record.levelname} {body}"
        if self.stamped:
            line = f"{isoformat(datetime.fromtimestamp(record.created, UTC))} {line}"
        return neutral(line)  # a page's text never drives the terminal


class JsonLines(logging.Formatter):
    """One JSON object per record, whatever the record: a traceback is a field, not lines."""

    def format(self, record: logging.LogRecord) -> str:
        when = isoformat(datetime.fromtimestamp(record.created, UTC))
        fields = getattr(record, "fields", None)
        if fields is not None:
            data: dict[str, Any] = {"time": when, "event": record.getMessage(), **fields}
        else:
            data = {"time": when, "event": "log", "logger": record.name}
            data["message"] = record.getMessage()
        data["level"] = record.levelname.lower()
        if record.exc_info:
            data["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(data, ensure_ascii=False, default=str)


def _logfmt(value: Any) -> str:
    text = str(value)
    return (
        json.dumps(text, ensure_ascii=False) if (" " in text or '"' in text or not text) else text
    )


def _quiet_http(level: int) -> None:
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
