"""Split an agreement into clauses by its own numbering.

Recognised, at the start of a line (after emphasis, heading and bullet marks):

* chapters: ``第十二条`` / ``第三章``, ``一、``, and single numbers ``2.`` / ``2、``
  when they head a section (a heading, a short title, or the next number in
  sequence; otherwise ``2.`` inside a clause is a list item);
* dotted numbers: ``2.7``, ``3.4.1``, and ``Section 5`` / ``Article 5.1``;
* list items inside a clause: ``(1)``, ``（1）``, ``①``, ``(a)``, ``a.``.

A clause is its numbered line plus the unnumbered paragraphs that follow it.
Text before the first number is the preamble; unnumbered paragraphs under
unnumbered headings (common in English terms) are clauses without an id.
Every clause knows its heading path, e.g. ``("2. 重要提示", "2.7")``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ..text.dialect import LINK
from ..text.normalise import ignored, line_forms, normalise_line
from .references import Reference, references

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_NUM = "零〇一二三四五六七八九十百两"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

_MARKUP = re.compile(r"</?u>|\*+|(?<!\\)_|\\(?=[!-/:-@\[-`{-~])")
_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|[-+]\s+)")

_CHAPTER_CN = re.compile(rf"^第\s*([{_CN_NUM}]+|\d+)\s*([条章节])")
_ENUM_CN = re.compile(rf"^([{_CN_NUM}]+)\s*[、.．]")
_NOT_A_UNIT = r"(?!\s*[%‰％元倍万亿]|[\d])"  # 0.5元 and 3.5% are amounts, not clauses
_DOTTED = re.compile(
    rf"^(?:(?:section|article|clause)\s+)?([1-9]\d*(?:\s*[.．]\s*\d+)+){_NOT_A_UNIT}[.．]?", re.I
)
_SECTION = re.compile(r"^(?:section|article|clause)\s+(\d+)\b[.．:]?", re.I)
_SINGLE = re.compile(r"^(\d+)\s*[.．、](?![\d])")
_BARE = re.compile(r"^(\d{1,2})\s+(?=\S)")  # "6 Termination": a number heading a title
_ITEM = re.compile(
    rf"^(?:[（(]\s*(\d+|[{_CN_NUM}]+|[a-zA-Z]|[ivxIVX]+)\s*[)）]"  # (1) （一） (a) (iv)
    rf"|([{_CIRCLED}])"  # ①
    r"|([a-z])[.)](?=\s))"  # a. a)
)
_SENTENCE_END = re.compile(r"[。；;.:：!?！？,，…]\s*$|[。；;！？!?]")
_TITLE_MAX = 40
_LEADING_MARKS = re.compile(r"(?:\*+|</?u>)*")


@dataclass(frozen=True)
class Clause:
    """A numbered clause (or an unnumbered paragraph) with the lines that belong to it."""

    id: str | None  # "2.7", "3.4.1(7)", "第十二条"; None for the preamble and unnumbered text
    key: tuple[object, ...]  # hierarchy: (3, 4, 1, "(7)"); () when unnumbered
    path: tuple[str, ...]  # heading path, ending with the clause itself
    lines: tuple[str, ...]  # as stored
    label: str = ""  # the number as written at the start of the first line
    heading: bool = False
    forms: tuple[str, ...] = field(default=(), repr=False)  # comparison form of each line

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def form(self) -> str:
        """Comparison form of the whole clause."""
        return "\n".join(self.forms)

    @cached_property
    def body(self) -> str:
        """Comparison form without the clause's own number: equal bodies = same words."""
        first = self.forms[0] if self.forms else ""
        label = normalise_line(self.label) if self.label else ""
        marks = _LEADING_MARKS.match(first).group(0)  # type: ignore[union-attr]
        rest = first[len(marks) :]
        if label and rest.startswith(label):
            first = marks + rest[len(label) :].lstrip(".．、 ")
        return "\n".join((first, *self.forms[1:]))

    @cached_property
    def references(self) -> tuple[Reference, ...]:
        """Links in this clause whose words name another document."""
        return references(self.lines)

    def within(self, other_key: tuple[object, ...]) -> bool:
        """Whether this clause is ``other_key`` or lies inside it."""
        return bool(other_key) and self.key[: len(other_key)] == other_key


def plain(line: str) -> str:
    """A line without the dialect's markup: what a reader sees."""
    line = LINK.sub(r"\1", line)
    line = _PREFIX.sub("", line)
    return _MARKUP.sub("", line).strip()


def cn_number(text: str) -> int | None:
    """``十二`` → 12, ``一百零五`` → 105, ``12`` → 12."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


@dataclass
class _Builder:
    clauses: list[Clause] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    meta: dict[str, object] = field(default_factory=dict)

    def start(self, **meta: object) -> None:
        self.flush()
        self.meta = meta

    def add(self, line: str, form: str) -> None:
        self.lines.append(line.strip())
        self.forms.append(form)

    def flush(self) -> None:
        if self.lines:
            self.clauses.append(
                Clause(lines=tuple(self.lines), forms=tuple(self.forms), **self.meta)  # type: ignore[arg-type]
            )
        self.lines, self.forms, self.meta = [], [], {}


def numbered(clauses: Iterable[Clause]) -> int:
    """How many numbered clauses a text has (a clause's paragraphs and headings not counted)."""
    return len({c.id for c in clauses if c.id and not c.heading})


def segment(text: str, ignore: Iterable[re.Pattern[str]] = ()) -> list[Clause]:
    """The clauses of ``text`` in document order.

    A recorded change segments its two texts for the diff, then again for the dates,
    promises and links each says of itself: the last few are kept (the clauses are
    immutable; each caller gets its own list).
    """
    return list(_segmented(text, tuple(ignore)))


@lru_cache(maxsize=4)
def _segmented(text: str, patterns: tuple[re.Pattern[str], ...]) -> tuple[Clause, ...]:
    out = _Builder()
    titles: list[tuple[int, str]] = []  # (level, title) of the headings above this point
    parent: tuple[tuple[object, ...], str] = ((), "")  # the clause list items belong to
    items: list[tuple[str, tuple[object, ...], str]] = []  # open lists: (style, key, id)
    last_top: int | None = None
    # Where an unnumbered paragraph goes: "clause" continues the clause before it; a
    # heading makes each paragraph under it a unit of its own, carrying the heading's id.
    host: str = "preamble"
    under: dict[str, object] = {"id": None, "key": (), "path": ("preamble",)}
    paragraphs = 0
    for line, form in line_forms(text):
        if not form or (patterns and ignored(line, patterns, form)):
            continue
        seen = plain(line)
        stripped = line.lstrip()
        md_level = len(stripped) - len(stripped.lstrip("#")) if stripped.startswith("#") else 0
        titled = bool(md_level) or _bold_title(line)
        number = _number(seen, titled, last_top)
        if number is None:
            if titled:
                level = md_level or 9
                titles = [t for t in titles if t[0] < level] + [(level, seen)]
                under = {"id": None, "key": (), "path": tuple(t[1] for t in titles)}
                out.start(**under, heading=True)
                host, paragraphs = "heading", 0
            elif host != "clause":
                paragraphs += 1
                key = under["key"]
                out.start(**{**under, "key": (*key, "¶", paragraphs) if key else ()})  # type: ignore[misc]
            out.add(line, form)
            continue
        kind, label, part = number
        if kind == "item":
            style = _item_style(str(part))
            while items and items[-1][0] != style and style in (i[0] for i in items):
                items.pop()  # back out of a nested list to the one this item continues
            if items and items[-1][0] == style:
                items.pop()
            base_key, base_id = (items[-1][1], items[-1][2]) if items else parent
            key, cid = (*base_key, part), base_id + str(part)
            items.append((style, key, cid))
            level = len(key)
            title = False
        else:
            key = part if isinstance(part, tuple) else (part,)
            cid = label.rstrip(".．、 ") if kind == "article" else ".".join(map(str, key))
            if len(key) == 1 and isinstance(key[0], int):
                last_top = key[0]
            parent, items = (key, cid), []
            level = len(key)
            title = titled or _is_title(seen, label)
        titles = [t for t in titles if t[0] < level]
        path = (*(t[1] for t in titles), seen if title else cid)
        if title:
            titles.append((level, seen))
        out.start(id=cid, key=key, path=path, label=label, heading=title)
        out.add(line, form)
        host, paragraphs = ("heading" if title else "clause"), 0
        under = {"id": cid, "key": key, "path": path}
    out.flush()
    return tuple(out.clauses)


def _number(seen: str, titled: bool, last_top: int | None) -> tuple[str, str, object] | None:
    """``(kind, label as written, key part)`` for a numbered line, else None."""
    if m := _CHAPTER_CN.match(seen):
        n = cn_number(m.group(1))
        if n is not None:
            key: object = (n,) if m.group(2) == "条" else (m.group(2), n)
            return "article", re.sub(r"\s+", "", m.group(0)), key
    if m := _DOTTED.match(seen):
        parts = tuple(int(p) for p in re.split(r"\s*[.．]\s*", m.group(1)))
        return "dotted", m.group(0), parts
    if m := _SECTION.match(seen):
        return "dotted", m.group(0), (int(m.group(1)),)
    if m := _ITEM.match(seen):
        return "item", m.group(0), _item_label(m.group(1) or m.group(2) or m.group(3))
    if m := (_SINGLE.match(seen) or _ENUM_CN.match(seen)):
        n = cn_number(m.group(1))
        if n is None:
            return None
        rest = seen[m.end() :]
        if titled or _is_title(rest, "") or n == (last_top or 0) + 1:
            return "dotted", m.group(0), (n,)
        return "item", m.group(0), f"({n})"
    if (m := _BARE.match(seen)) and _is_title(seen[m.end() :], ""):
        return "dotted", m.group(0), (int(m.group(1)),)
    return None


def _item_label(inner: str) -> str:
    """``（1）`` and ``(1)`` are both ``(1)``, ``a.`` is ``(a)``; ``①`` stays itself."""
    return inner if inner in _CIRCLED else f"({inner})"


def _item_style(label: str) -> str:
    inner = label.strip("()")
    if inner in _CIRCLED:
        return "circled"
    if inner.isdigit():
        return "digit"
    if inner.isascii() and inner.isalpha():
        return "roman" if set(inner.lower()) <= set("ivx") and len(inner) > 1 else "letter"
    return "cn"


def _is_title(seen: str, label: str) -> bool:
    rest = seen[len(label) :].strip() if label and seen.startswith(label) else seen.strip()
    return 0 < len(rest) <= _TITLE_MAX and not _SENTENCE_END.search(rest)


def _bold_title(line: str) -> bool:
    s = line.strip()
    return (
        s.startswith("**")
        and s.endswith("**")
        and s.count("**") == 2
        and len(s) <= _TITLE_MAX + 4
        and not _SENTENCE_END.search(s[2:-2])
    )
