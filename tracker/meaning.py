"""What a change means for the people bound by it: the dates the agreement states, when
a change takes effect, the notice it gave against the notice promised.

Plain values, below the change model that carries them (:class:`tracker.model.Change`)
and the message that says them; the readings that find them live in
:mod:`tracker.compare` (``stated``, ``effective``, ``promises``, ``notice``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Effective:
    """When a change takes effect, where that is said, and the words that say it."""

    date: str  # YYYY-MM-DD
    where: str  # the clause that says it, or "the page" (its stated effective date)
    wording: str  # 自2027年1月1日起生效
    after: int | None = None  # days after the new text was first seen (the source's days)

    def to_json(self) -> dict[str, object]:
        return {
            "date": self.date,
            "where": self.where,
            "wording": self.wording,
            "after": self.after,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Effective:
        after = data.get("after")
        return cls(str(data["date"]), str(data["where"]), str(data["wording"]), after)

    def __str__(self) -> str:
        days = f", {self.after} days after it was first seen" if self.after is not None else ""
        return f"takes effect {self.date}{days} ({self.where}: “{self.wording}”)"


@dataclass(frozen=True)
class Notice:
    """The notice a change gave, against what a clause promises for what it is about."""

    covers: str  # fees, changes, maintenance, termination, assignment
    given: int  # whole days (or hours) after the first sighting and before it takes effect
    promised: int
    counted: str  # natural days | working days | hours
    clause: str  # the clause that promises it
    agreement: str  # the agreement that clause is in
    enough: bool
    guessed: bool = False  # working days of a year the official calendar does not know yet

    def to_json(self) -> dict[str, object]:
        return {
            "covers": self.covers,
            "given": self.given,
            "promised": self.promised,
            "counted": self.counted,
            "clause": self.clause,
            "agreement": self.agreement,
            "enough": self.enough,
            "guessed": self.guessed,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Notice:
        return cls(
            str(data["covers"]),
            int(data["given"]),
            int(data["promised"]),
            str(data["counted"]),
            str(data["clause"]),
            str(data["agreement"]),
            bool(data["enough"]),
            bool(data.get("guessed")),
        )

    def __str__(self) -> str:
        unit = self.counted.removesuffix("s") if self.given == 1 else self.counted
        said = (
            f"{self.given} {unit}' notice; 《{self.agreement}》 {self.clause} promises "
            f"{self.promised}"
        )
        if self.guessed:
            said += " (working days of a year the official calendar does not know yet: Mon–Fri)"
        return said + ("" if self.enough else ": too short")


class Said(StrEnum):
    """What an agreement says a date it states is."""

    UPDATED = "updated"
    EFFECTIVE = "effective"
    PUBLISHED = "published"
    VERSION = "version"


@dataclass(frozen=True)
class Stated:
    """A date the agreement states about itself, and the words it states it in."""

    kind: Said
    date: str  # 2023-08-18, or 2024-11 for a month
    wording: str  # Last updated: August 18, 2023

    @property
    def parts(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.date.split("-"))

    def to_json(self) -> dict[str, str]:
        return {"kind": str(self.kind), "date": self.date, "wording": self.wording}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Stated:
        return cls(Said(data["kind"]), str(data["date"]), str(data["wording"]))


@dataclass(frozen=True)
class Backdated:
    """A newly stated date earlier than the day the old text was still being served."""

    stated: Stated
    seen: str  # that day, YYYY-MM-DD in the source's time zone

    def to_json(self) -> dict[str, str]:
        return {**self.stated.to_json(), "last_seen": self.seen}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Backdated:
        return cls(Stated.from_json(data), str(data["last_seen"]))

    def __str__(self) -> str:
        return (
            f"backdated: the page now says “{self.stated.wording}”, but the old text was "
            f"still served on {self.seen}"
        )


@dataclass(frozen=True)
class Incorporation:
    """Another tracked agreement that links this one by name, binding its readers to it."""

    source: str  # its id
    name: str
    where: tuple[str, ...]  # its clauses that link this one ("preamble" before the first)

    def to_json(self) -> dict[str, object]:
        return {"source": self.source, "name": f"《{self.name}》", "where": list(self.where)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Incorporation:
        name = str(data["name"]).removeprefix("《").removesuffix("》")
        return cls(str(data["source"]), name, tuple(data.get("where") or ()))

    def __str__(self) -> str:
        where = list(self.where)
        places = " and ".join([", ".join(where[:-1]), where[-1]] if len(where) > 1 else where)
        return f"incorporated by 《{self.name}》, {places}"


@dataclass(frozen=True)
class Drift:
    """A translation that has not followed a change of the agreement it translates."""

    source: str  # the translation that lags
    name: str
    original: str  # the source it translates (translation_of), or the other way round
    original_name: str
    changed: str  # the day the original's change was first seen, YYYY-MM-DD
    version: str  # the original's version that changed
    after: int  # days allowed (drift_after), all passed

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "original": self.original,
            "original_name": self.original_name,
            "changed": self.changed,
            "version": self.version,
            "after_days": self.after,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], name: str = "", other: str = "") -> Drift:
        return cls(
            str(data["source"]),
            name or str(data["source"]),
            str(data["original"]),
            other or str(data["original"]),
            str(data["changed"]),
            str(data["version"]),
            int(data["after_days"]),
        )

    def __str__(self) -> str:
        return (
            f"《{self.name}》 has not followed the change of 《{self.original_name}》 of "
            f"{self.changed} after {self.after} days"
        )
