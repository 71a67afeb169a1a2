"""One clock format and one hash, for every file and message tracker writes.

Times are UTC, to the second, written ``2026-12-03T09:00:00Z``; a version's
name carries its time as ``20261203T090000Z``.  Hashes are SHA-256 in hex.
"""

from __future__ import annotations

import hashlib
import zoneinfo
from datetime import UTC, date, datetime

CLOCK = "%Y-%m-%dT%H:%M:%SZ"  # everywhere else: 2026-12-03T09:00:00Z
NAME_TIME = "%Y%m%dT%H%M%SZ"  # in a version's name: 0002_20261203T090000Z


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def isoformat(moment: datetime) -> str:
    return moment.strftime(CLOCK)


def parsed(stamp: str | None) -> datetime | None:
    """The UTC moment :func:`isoformat` wrote as ``stamp``; None if it is no such stamp."""
    try:
        return datetime.strptime(stamp or "", CLOCK).replace(tzinfo=UTC)
    except ValueError:
        return None


def sha256(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def name_stamp(moment: datetime) -> str:
    """A time as a version's name carries it (``20261203T090000Z``)."""
    return moment.strftime(NAME_TIME)


def recorded_at(version: str) -> str:
    """A version's time, from its name (``0002_20261201T213235Z``), as ``isoformat`` writes it."""
    stamp = version.split("_", 1)[1]
    return isoformat(datetime.strptime(stamp, NAME_TIME).replace(tzinfo=UTC))


def local_day(stamp: str | None, zone: str) -> date | None:
    """The day ``stamp`` (as :func:`isoformat` writes it) fell on in time zone ``zone``."""
    moment = parsed(stamp)
    return None if moment is None else moment.astimezone(zoneinfo.ZoneInfo(zone)).date()


def today(zone: str) -> date:
    """Today, in time zone ``zone``."""
    return utcnow().astimezone(zoneinfo.ZoneInfo(zone)).date()
