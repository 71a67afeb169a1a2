"""The report's pages: the index, a page per source, a page per change, and a lone redline.

Links between pages are relative, so the folder can be opened from disk,
copied, or served from any path.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...config import Source, change_path
from ...message import Outcome
from ...model import Origin, Status
from ...notify.text import meaning_lines, seen_line
from ...store.history import Entry
from ...text.counts import counted
from .data import ChangeRecord, SourceReport, source_path
from .markup import badge, change_block, esc, fired_list, notes_list, page

RECENT = 20  # changes listed on the index, across sources


def index_page(reports: Sequence[SourceReport], generated: str) -> str:
    cards = "".join(_source_card(r) for r in reports)
    recent = sorted(
        (c for r in reports for c in r.changes), key=lambda c: c.entry.time, reverse=True
    )[:RECENT]
    items = "".join(
        f'<li><a href="{esc(c.path)}">{esc(c.title)}</a> '
        f'<span class="dim">{esc(c.entry.time)}</span></li>'
        for c in recent
    )
    body = (
        "<h1>Agreements tracked</h1>"
        f'<p class="dim">Report made {esc(generated)} · <a href="feed.xml">Atom feed</a></p>'
        f"{cards}<h2>Recent changes</h2>"
        + (f'<ul class="rows">{items}</ul>' if items else "<p>No change recorded yet.</p>")
    )
    return page("tracker: agreements tracked", body, feed="feed.xml")


def _source_card(r: SourceReport) -> str:
    s, state = r.source, r.state
    status = state.last_status or "never checked"
    lines = [
        f'<h2><a href="{esc(source_path(s.id))}">{esc(s.name)}</a></h2>',
        f'<div class="meta">{esc(s.id)} · {esc(s.shown_url)}</div>',
        f"<p>{badge(status, status)} last check {esc(state.last_check or 'never')}",
    ]
    if state.failures:
        lines.append(f" · {counted(state.failures, 'failed check')}")
    lines.append("</p>")
    if state.last_status is Status.ERROR and state.last_error:
        lines.append(f'<p class="error">{esc(state.last_error)}</p>')
    last = r.last_change
    if last is not None:
        watches = f" · watches: {', '.join(last.entry.watches)}" if last.entry.watches else ""
        lines.append(
            f'<p>Last change: <a href="{esc(last.path)}">{esc(last.entry.version)}</a> '
            f"{badge(last.entry.severity or 'info', last.entry.severity or 'info')}"
            f"{esc(watches)}</p>"
        )
    else:
        lines.append('<p class="dim">No change recorded.</p>')
    return f'<article class="card">{"".join(lines)}</article>'


def source_page(r: SourceReport) -> str:
    s = r.source
    rows = "".join(_history_row(e, {c.entry.version for c in r.changes}, s.id) for e in r.entries)
    body = (
        f"<h1>{esc(s.name)}</h1>"
        f'<div class="meta">{esc(s.id)} · <a href="{esc(s.shown_url)}">{esc(s.shown_url)}</a> · '
        f'<a href="{esc(s.id)}.xml">Atom feed</a></div>'
        f"<p>{badge(r.state.last_status or 'never checked', r.state.last_status or '')} "
        f"last check {esc(r.state.last_check or 'never')}</p>"
        + (f'<p class="error">{esc(r.state.last_error)}</p>' if r.state.last_error else "")
        + "<h2>History</h2>"
        + (f'<ul class="rows">{rows}</ul>' if rows else "<p>Nothing recorded yet.</p>")
    )
    return page(f"{s.name}: history", body, feed=f"{s.id}.xml", home="../index.html")


def _history_row(e: Entry, changed: set[str], sid: str) -> str:
    name = esc(e.version)
    if e.version in changed:
        name = f'<a href="../{esc(change_path(sid, e.version))}">{name}</a>'
    what = [e.origin]
    if e.origin == Origin.UPGRADE:
        what.append(f"settings changed: {', '.join(e.settings) or 'reading'}")
    if e.changes:
        what.append(counted(e.changes, "change"))
    if e.watches:
        what.append(f"watches: {', '.join(e.watches)}")
    what += e.flags
    sev = f" {badge(e.severity, e.severity)}" if e.severity else ""
    return f'<li>{name} <span class="dim">{esc(e.time)}</span> {esc(" · ".join(what))}{sev}</li>'


def change_page(c: ChangeRecord) -> str:
    since = f" · compared with {c.previous}" if c.previous else ""
    seen = seen_line(c.entry.first_seen or c.entry.time, c.entry.last_seen)
    return _redline(
        c.source,
        c.title,
        f"{c.entry.version} · {seen}{since}",
        c.message.outcome,
        c.notes,
        home="../../index.html",
        history=f"../../{source_path(c.source.id)}",
    )


def redline_page(source: Source, heading: str, about: Outcome, notes: Sequence[str]) -> str:
    """``tracker diff --html``: a version's changes, as a page that stands alone."""
    n = len(about.changes)
    return _redline(source, heading, counted(n, "change"), about, notes)


def _redline(
    source: Source,
    heading: str,
    meta: str,
    about: Outcome,
    notes: Sequence[str],
    home: str | None = None,
    history: str | None = None,
) -> str:
    back = f' · <a href="{esc(history)}">history</a>' if history else ""
    blocks = "".join(change_block(c) for c in about.changes)
    url = esc(source.shown_url)
    body = (
        f"<h1>{esc(heading)}</h1>"
        f'<div class="meta">{esc(meta)} · <a href="{url}">{url}</a>{back}</div>'
        f"{fired_list(about.fired)}{notes_list([*meaning_lines(about), *notes])}"
        + (blocks or "<p>No difference a reader could see.</p>")
    )
    return page(heading, body, home=home)
