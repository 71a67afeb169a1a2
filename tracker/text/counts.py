"""Counts that agree with their nouns: "1 attempt", "2 attempts", "1 message waits"."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "was": "were", "waits": "wait", "is": "are", "has": "have"}


def counted(n: int, noun: str, verb: str | None = None) -> str:
    """``n noun`` (``1 change``, ``3 changes``), then ``verb`` agreeing with it, if given."""
    words = [f"{n:,} {noun if n == 1 else plural(noun)}"]
    if verb:
        words.append(verb if n == 1 else _IRREGULAR.get(verb, verb))
    return " ".join(words)


def plural(noun: str) -> str:
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"
