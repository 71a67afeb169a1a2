"""The dates an agreement states about itself: updated, effective, published, its version.

``更新日期：2024年11月1日``, ``生效日期``, ``版本生效日期``, ``发布日期``, ``最近更新日期``,
``（2024年11月版）``, ``本协议自2025年1月1日起生效``, "Last updated: August 18, 2023",
"Effective date", "Dernière mise à jour : 18 août 2023", ``02.09.2025`` (day first),
full-width digits, month-only dates.  They are metadata, not wording: a version whose
only difference is its stated date changes nothing a reader is bound by, and a
wording change under an unchanged date is a *silent edit*.  A timestamp with a time
of day (a CMS's ``最近更新时间：2024-06-24 16:07:21``) is the page's, not the
agreement's, and is left alone.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Sequence

from ..meaning import Backdated, Said, Stated
from .dates import COMPILED, MONTH_NAMES, Day, read_date
from .numerals import ascii_digits

_SEP = re.compile(r"[\s:：,，*_]*(?:is\s+|on\s+|le\s+|为\s*|：)?[\s*_]*", re.I)
_LABELS: tuple[tuple[str, Said], ...] = (
    (r"(?:版本)?生效(?:日期|时间)", Said.EFFECTIVE),
    (r"(?:最近|最后|最新)?(?:更新|修订|修改)(?:日期|时间)", Said.UPDATED),
    (r"发布(?:日期|时间)", Said.PUBLISHED),
    (r"版本(?:日期|时间)", Said.VERSION),
    (r"\blast\s+(?:updated|modified|revised)(?:\s+on)?", Said.UPDATED),
    (r"\bupdated\s+on", Said.UPDATED),
    (r"\beffective\s+(?:date|as\s+of|from|on)", Said.EFFECTIVE),
    (r"\bdate\s+of\s+(?:last\s+)?(?:update|revision)", Said.UPDATED),
    (r"derni[eè]re\s+mise\s+[aà]\s+jour", Said.UPDATED),
    (r"date\s+d[’']entr[ée]e\s+en\s+vigueur", Said.EFFECTIVE),
)
# One pass finds every label, and each hit is then told apart.  The lookahead names the
# characters a label can begin with (a new label adds its own): with it, the scan skips
# to them instead of trying every label at every character (0.2 ms, not 2.5, a 40 KB text).
_LABEL = re.compile("(?=[版生最更修发LUED])(?:" + "|".join(p for p, _ in _LABELS) + ")", re.I)
_KINDS = tuple((re.compile(p, re.I), kind) for p, kind in _LABELS)
_FRENCH_MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()
_MONTH_YEAR = re.compile(rf"\b({'|'.join(MONTH_NAMES)})\s+(\d{{4}})\b", re.I)
_FRENCH = re.compile(rf"(\d{{1,2}})(?:er)?\s+({'|'.join(_FRENCH_MONTHS)})\s+(\d{{4}})", re.I)
_FORMS = ("cn", "iso", "dmy", "month_day", "day_month")
_CLOCK = re.compile(r"\s*(?:T|\s)\d{1,2}:\d{2}")  # a time of day: a page's timestamp
_VERSION = re.compile(
    r"[（(]\s*((?:\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*\d{1,2}\s*月)\s*版\s*[)）]"
)
_TAKES_EFFECT = re.compile(
    r"本(?:协议|条款|规则|政策|声明|服务协议|补充协议)(?:将)?(?:自|于|从)\s*(\S{4,20}?)\s*(?:起|之日起)?"
    r"\s*(?:正式)?(?:生效|施行|实施)"
)


def stated(text: str) -> tuple[Stated, ...]:
    """Every date ``text`` states about itself, in order (one per place it is said)."""
    return tuple(s for s, _ in _found(text))


def masked(text: str) -> str:
    """``text`` with each stated date replaced by one mark: equal for two texts whose
    only difference is the dates they state."""
    out, end = [], 0
    for _, (start, stop) in _found(text):
        out += [text[end:start], "\x00date\x00"]
        end = stop
    return "".join([*out, text[end:]])


def _found(text: str) -> Iterator[tuple[Stated, tuple[int, int]]]:
    text = ascii_digits(text)
    taken: list[tuple[int, int]] = []
    for m in _LABEL.finditer(text):
        kind = next(k for p, k in _KINDS if p.match(text, m.start()))
        sep = _SEP.match(text, m.end())
        at = sep.end() if sep else m.end()
        hit = _date_at(text, at)
        if hit is None:
            continue
        day, stop = hit
        if _CLOCK.match(text, stop):
            continue  # 2024-06-24 16:07:21: when a CMS saved the page
        taken.append((at, stop))
        yield _stated(kind, day, _wording(text, m.start(), stop)), (at, stop)
    for m in _VERSION.finditer(text):
        if (month := read_date("cn", m.group(1))) is not None:
            yield _stated(Said.VERSION, month, m.group(0)), m.span(1)
    for m in _TAKES_EFFECT.finditer(text):
        hit = _date_at(m.group(1), 0)
        if hit is not None and not any(a <= m.start(1) < b for a, b in taken):
            span = (m.start(1), m.start(1) + hit[1])
            yield _stated(Said.EFFECTIVE, hit[0], _wording(text, m.start(), m.end())), span


def _stated(kind: Said, day: Day, wording: str) -> Stated:
    parts = (day.year, day.month, day.day)
    return Stated(kind, "-".join(f"{p:02d}" for p in parts if p), wording)


def _date_at(text: str, at: int) -> tuple[Day, int] | None:
    """The date written at ``at`` in ``text``, and where it ends."""
    for form in _FORMS:
        m = COMPILED[form].match(text, at)
        day = read_date(form, m.group(0)) if m is not None else None
        if m is not None and day is not None and (form != "cn" or day.year is not None):
            return day, m.end()  # (11月 alone is no version's date)
    if m := _FRENCH.match(text, at):
        month = _FRENCH_MONTHS.index(m.group(2).lower()) + 1
        return Day(int(m.group(3)), month, int(m.group(1))), m.end()
    if m := _MONTH_YEAR.match(text, at):
        month = MONTH_NAMES.index(m.group(1).lower()) + 1
        return Day(int(m.group(2)), month, None), m.end()
    return None


def _wording(text: str, start: int, stop: int) -> str:
    """The words a date is stated in, marks and spacing tidied."""
    return re.sub(r"\s+", " ", text[start:stop].replace("*", "").replace("_", " ")).strip()


# -- what two versions' stated dates say ------------------------------------------------

_CLAIMS = (Said.UPDATED, Said.VERSION, Said.PUBLISHED)  # when the text says it was made


def dates_only(old: str, new: str, same: Callable[[str, str], bool]) -> bool:
    """Whether ``old`` and ``new`` differ only in the dates they state (``same``: whether
    two texts read alike, as the comparison reads them)."""
    return stated(old) != stated(new) and same(masked(old), masked(new))


def silent_edit(before: Sequence[Stated], after: Sequence[Stated]) -> str | None:
    """The date a changed text still claims, unchanged (``Last updated August 18, 2023``)."""
    kept = [s for s in after if s.kind in _CLAIMS and s in before]
    claims = [s for s in after if s.kind in _CLAIMS]
    return kept[0].wording if kept and len(kept) == len(claims) else None


def backdated(
    before: Sequence[Stated], after: Sequence[Stated], seen: datetime.date | None
) -> list[Backdated]:
    """Each newly stated date earlier than ``seen``, the day the old text was last served."""
    if seen is None:
        return []
    out = []
    for s in after:
        year, month, day = (*s.parts, None, None, None)[:3]
        if s in before or year is None or month is None:
            continue
        early = (year, month, day or 99) < (seen.year, seen.month, seen.day)
        if day is None:  # a month: earlier only if the whole month is
            early = (year, month) < (seen.year, seen.month)
        if early:
            out.append(Backdated(s, seen.isoformat()))
    return out
