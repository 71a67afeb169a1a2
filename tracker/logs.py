"""Logging for one run, set up alike in every process it uses."""

from __future__ import annotations

import logging
import sys


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
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
