"""What every channel says, before each dresses it for its medium.

They all read the one typed :class:`~tracker.message.Message`.  These helpers
pick the title, the top clause and each change's headline, and cut long clauses
down to the changes with some context around them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from ..message import Message, Outcome
from ..model import Change, ChangeKind, Event, highest, rank
from ..stamps import parsed
from ..text.controls import neutral
from ..text.counts import counted
from ..text.shown import Piece, marked, pieces, shortened, text_pieces


def top_change(message: Message) -> Change | None:
    """The first of the most severe changes: what a subject line should name."""
    changes = message.outcome.changes
    if not changes:
        return None
    worst = highest([c.severity for c in changes])
    return next(c for c in changes if c.severity == worst)


def title(message: Message) -> str:
    about = message.outcome
    name = about.name
    if message.event is Event.FAILING:
        return f"{name}: cannot be checked ({counted(about.failures, 'time')} in a row)"
    if message.event is Event.RECOVERED:
        return f"{name}: {recovery(message)}"
    if message.event is Event.TEST:
        return f"{name}: test message from tracker"
    if message.event is Event.DRIFT and about.drift:
        return f"[{message.severity}] {about.drift}"
    if message.event is Event.DIGEST:
        sources = counted(len({m.outcome.id for m in message.items}), "source")
        return f"[{message.severity}] {name}: {counted(len(about.changes), 'change')} in {sources}"
    if about.replaced:
        old, new = about.replaced
        return f"[{message.severity}] {name}: now holds another document: {old} → {new}"
    top = top_change(message)
    n = len(about.changes)
    what = f"{top.clause or 'unnumbered text'} {top.kind}" if top else "changed"
    more = f" and {counted(n - 1, 'more change')}" if n > 1 else ""
    return f"[{message.severity}] {name}: {what}{more}"


def recovery(message: Message) -> str:
    """``recovered after 3 failed checks over 5 hours``: how long the source was out."""
    about = message.outcome
    checks = counted(about.failures, "failed check") if about.failures else "failed checks"
    over = _span(about.failing_since, message.created)
    return f"recovered after {checks}" + (f" over {over}" if over else "")


def event_line(message: Message) -> str | None:
    """What a failing or recovered message says of the source, with the last error."""
    about = message.outcome
    if message.event is Event.DRIFT and about.drift:
        return f"{about.drift}: review the translation, or say it differs on purpose."
    error = f" (last error: {about.error})" if about.error else ""
    if message.event is Event.RECOVERED:
        return f"{about.name} {recovery(message)}{error}."
    if message.event is Event.FAILING:
        since = f" since {shown_time(about.failing_since)}" if about.failing_since else ""
        runs = counted(about.failures, "check")
        return f"{about.name} could not be checked the last {runs}{since}{error}."
    return None


def recorded_line(message: Message) -> str | None:
    """The evidence of when: the new text first seen (as which version), the old last seen."""
    about = message.outcome
    if message.event is not Event.CHANGE or not about.version:
        return None
    return seen_line(about.first_seen or message.created, about.last_seen, about.version) + "."


def seen_line(first_seen: str | None, last_seen: str | None, version: str | None = None) -> str:
    """``First seen 2026-12-03 09:00 UTC (version …); the old text was last seen …``."""
    line = f"First seen {shown_time(first_seen)}"
    if version:
        line += f" (version {version})"
    if last_seen:
        line += f"; the old text was last seen {shown_time(last_seen)}"
    return line


def footer_lines(message: Message) -> list[str]:
    """How to see the whole change: the command, and the report page when there is one."""
    about = message.outcome
    out = []
    if about.version and message.event is Event.CHANGE:
        out.append(f"See it whole: tracker diff {about.id} {about.version}")
    if message.report:
        out.append(f"Report: {message.report}")
    return out


def shown_time(stamp: str | None) -> str:
    """``2026-12-03T09:00:00Z`` as people read it: ``2026-12-03 09:00 UTC``."""
    if not stamp:
        return "unknown"
    moment = parsed(stamp)
    return stamp if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def _span(start: str | None, end: str | None) -> str | None:
    """The time between two stamps, in hours (minutes under one hour)."""
    a, b = parsed(start), parsed(end)
    if a is None or b is None:
        return None
    seconds = max(0.0, (b - a).total_seconds())
    if seconds < 3600:
        return counted(max(1, round(seconds / 60)), "minute")
    hours = seconds / 3600
    return f"{hours:.1f} hours" if hours < 10 else counted(round(hours), "hour")


def heading_parts(change: Change) -> list[tuple[str, str]]:
    """A change's headline as ``(role, text)`` parts: every rendering shows these, its own way.

    Roles: ``clause``, ``what`` (kind, renumbering, size, aspect), ``words`` (a moved
    unnumbered text's first words), ``path`` (for a move: from where to where), ``severity``.
    """
    what = [str(change.kind)]
    clause = change.clause or "(unnumbered)"
    if change.through:  # siblings renumbered together: one entry for the run
        unit = "chapters" if "." not in clause else "clauses"
        clause = f"{unit} {clause}–{change.through}"
        what = [f"renumbered from {change.old_clause}–{change.old_through}, wording unchanged"]
    elif change.old_clause:
        what[0] += f" (was {change.old_clause})"
    if change.count > 1:
        unit = "paragraphs" if change.clause is None else "clauses"
        what.append(f"{change.count} {unit}")
    if note := aspect_note(change.aspect):
        what.append(note)
    parts = [("clause", clause), ("what", ", ".join(what))]
    if change.kind is ChangeKind.MOVED and change.words and not change.clause:
        parts.append(("words", f"“{change.words}”"))  # what names an unnumbered text
    if change.through:
        pass  # a run of chapters: the first one's headings would name only it
    elif change.kind is ChangeKind.MOVED and change.old_path != change.path:
        was, now = " › ".join(change.old_path) or "the top", change.path_text or "the top"
        parts.append(("path", f"from {was} to {now}"))
    elif change.path:
        parts.append(("path", change.path_text))
    watches = f" ({', '.join(change.watches)})" if change.watches else ""
    parts.append(("severity", change.severity + watches))
    return parts


def change_heading(change: Change) -> str:
    clause, what, *rest = (text for _, text in heading_parts(change))
    return " · ".join([f"{clause} {what}", *rest])


def ranked(changes: Sequence[Change]) -> list[Change]:
    """The most severe first, then document order: what a cut-short message keeps."""
    return sorted(changes, key=lambda c: -rank(c.severity))  # sorted() is stable


def see_all(message: Message) -> str:
    """Where to read the whole change, when a message is cut short: its report page, if the
    report is configured, else the command that prints it."""
    if message.report:
        return f"the whole change is at {message.report}"
    about = message.outcome
    if about.version:
        return f"see the whole change with: tracker diff {about.id} {about.version}"
    return "see the whole change with: tracker history"


def aspect_note(aspect: str | None) -> str | None:
    """How a heading qualifies a modification that is not, or not only, one of wording."""
    parts = [a for a in (aspect or "").split("+") if a]
    others = [a for a in parts if a != "wording"]
    if not others:
        return None
    return " and ".join(others) + (" changed too" if "wording" in parts else " only")


def reference_lines(change: Change) -> list[str]:
    """A line per named document whose link now leads elsewhere."""
    return [f"Link {r}" for r in change.references]


def following_lines(message: Message) -> list[str]:
    """What the message notes besides its changes: what they mean (a silent edit, a
    backdated date), then the watches whose clauses were renumbered."""
    return [*meaning_lines(message.outcome), *(str(f) for f in message.outcome.following)]


def meaning_lines(about: Outcome) -> list[str]:
    """What a change means, a sentence each: a silent edit, a backdated date, when it takes
    effect (or the notice it gave, when a promise covers it), who incorporates it."""
    out = []
    if about.silent_edit:
        out.append(
            f"Silent edit: the wording changed, but the page still says “{about.silent_edit}”."
        )
    effective = dict.fromkeys(c.effective for c in about.changes if c.effective and not c.notice)
    out += [_sentence(x) for x in [*about.backdated, *filter(None, effective)]]
    out += list(dict.fromkeys(notice_line(c) for c in about.changes if c.notice))
    out += [_sentence(i) for i in about.incorporated_by]
    return out


def _sentence(said: object) -> str:
    """``backdated: …`` as a sentence: ``Backdated: ….``."""
    text = str(said)
    return f"{text[:1].upper()}{text[1:]}."


def notice_line(change: Change) -> str:
    """``Fee rules (2.8) effective 2027-01-01, first seen 2026-12-25: 6 natural days'
    notice; 《腾讯会议 API 开发者协议》 2.7 promises 10: too short.``"""
    assert change.notice is not None and change.effective is not None
    what = "Fee rules" if change.notice.covers == "fees" else "The change"
    when = dt.date.fromisoformat(change.effective.date)
    seen = ""
    if change.effective.after is not None:
        seen = f", first seen {when - dt.timedelta(days=change.effective.after)}"
    return f"{what} ({change.clause}) effective {when}{seen}: {change.notice}."


def facts_line(change: Change) -> str | None:
    return "; ".join(map(str, change.facts)) or None


def body_lines(change: Change) -> list[str]:
    """An added or removed clause's lines as a reader sees them (nothing for other kinds)."""
    return ["".join(p.text for p in line) for line in body_pieces(change)]


def body_pieces(change: Change) -> list[list[Piece]]:
    """An added or removed clause, line by line, as pieces with their emphasis."""
    if change.kind is ChangeKind.ADDED:
        text = change.new or ""
    elif change.kind is ChangeKind.REMOVED:
        text = change.old or ""
    else:
        return []
    return [text_pieces(line) for line in text.splitlines() if line.strip()]


def change_lines(
    change: Change,
    escape: Callable[[str], str],
    inline: Callable[[Sequence[Piece]], str],
    bold: str,
    minus: str = "-",
) -> list[str]:
    """A change's lines for a text medium (Slack's mrkdwn, Markdown): its heading in
    ``bold`` marks, the marked excerpt, an added or removed clause line by line, the links
    that now lead elsewhere and the facts; ``escape`` and ``inline`` are the medium's own."""
    lines = [f"{bold}{escape(change_heading(change))}{bold}"]
    if change.kind is ChangeKind.MODIFIED:
        lines.append(inline(excerpt(change)))
    sign = "+" if change.kind is ChangeKind.ADDED else minus
    lines += [f"{sign} {inline(line)}" for line in body_pieces(change)]
    lines += [escape(line) for line in reference_lines(change)]
    if facts := facts_line(change):
        lines.append(f"Facts: {escape(facts)}")
    return lines


def excerpt(change: Change, full: bool = False) -> list[Piece]:
    """A modified clause's diff as pieces, its long unchanged stretches cut to some context
    around the changes (``full``: whole)."""
    found = pieces((s.op, s.text) for s in change.spans)
    return found if full else shortened(found)


def cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    note = f"… ({len(text) - limit + 40} more characters)"
    return text[: limit - len(note)] + note


def digest_line(message: Message) -> str:
    """What a digest gathers: the changes held for it until it came due."""
    held = counted(len(message.items), "message")
    return f"Changes held for this digest until {shown_time(message.created)}: {held}."


def plain_text(message: Message, limit: int = 20_000) -> str:
    """The message as plain text, with ``[-old-]{+new+}`` marks: email's text part."""
    if message.event is Event.DIGEST:
        lines = [title(message), digest_line(message)]
        for item in message.items:
            lines += ["", f"== {title(item)} ==", plain_text(item, limit).split("\n", 1)[1]]
        return neutral(cut("\n".join(lines), limit)) + "\n"
    about = message.outcome
    lines = [title(message), f"{about.name} — {about.url}", ""]
    if said := event_line(message):
        lines.append(said)
        return neutral("\n".join(lines)) + "\n"
    if recorded := recorded_line(message):
        lines.append(recorded)
    for fired in about.fired:
        lines.append(f"Watch {fired.watch} ({fired.severity}): {', '.join(fired.clauses)}")
    notes = following_lines(message)
    tail = ["", *notes] if notes else []
    if footer := footer_lines(message):
        tail += ["", "--", *footer]
    text = "\n".join([*lines, *(line for c in about.changes for line in _block(c)), *tail])
    if len(text) > limit:  # cut to fit: the most severe clauses first
        overflow = [f"(Cut to fit: {see_all(message)})"]
        ranked_lines = (line for c in ranked(about.changes) for line in _block(c))
        text = "\n".join([*lines, *overflow, *ranked_lines, *tail])
    return neutral(cut(text, limit)) + "\n"


def _block(change: Change) -> list[str]:
    """One change in plain text: its headline, the marked diff or its lines, its facts."""
    lines = ["", change_heading(change)]
    if change.kind is ChangeKind.MODIFIED:
        lines.append(marked(excerpt(change)))
    sign = "+" if change.kind is ChangeKind.ADDED else "-"
    lines += [f"{sign} {line}" for line in body_lines(change)]
    lines += reference_lines(change)
    if facts := facts_line(change):
        lines.append(f"Facts: {facts}")
    return lines
