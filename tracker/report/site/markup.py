"""The report's HTML: one page frame with its style inline, and a change as a redline.

Every piece of page text goes through :func:`esc`, so an agreement holding
``<script>`` or ``<!channel>`` shows it as written.  Pages load nothing: the
style is inline, there are no scripts or fonts, and the icon is a data URL
(a browser would otherwise ask the server for ``/favicon.ico``).  Long words
and URLs wrap, and the side-by-side view stacks below about 34 rem, so a
page reads on a phone 375 px wide without scrolling sideways.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ...model import Change, ChangeKind, Fired
from ...notify.html import pieces_html
from ...notify.text import aspect_note, body_pieces, excerpt, facts_line, heading_parts
from ...text.controls import neutral
from ...text.shown import Piece

STYLE = """
:root { color-scheme: light dark; --del: #ffd7d5; --ins: #ccf2d1; --dim: #667; --line: #ccd; }
@media (prefers-color-scheme: dark) {
  :root { --del: #5c2323; --ins: #1f4a2a; --dim: #99a; --line: #445; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; overflow-wrap: anywhere;
  font: 16px/1.6 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; }
h1 { font-size: 1.5rem; line-height: 1.3; } h2 { font-size: 1.25rem; } h3 { font-size: 1.05rem; }
a { color: inherit; }
nav, .dim, .meta { color: var(--dim); font-size: .9rem; }
.card, .change { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem;
  margin: 1rem 0; }
.text { white-space: pre-wrap; margin: .5rem 0; }
del { background: var(--del); text-decoration: line-through; }
ins { background: var(--ins); text-decoration: none; }
del span, ins span { color: var(--dim); font-size: .8em; }
details summary { cursor: pointer; color: var(--dim); font-size: .9rem; }
.sxs { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
.sxs h4 { margin: .25rem 0; font-size: .85rem; color: var(--dim); }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .85rem;
  border: 1px solid var(--line); }
.info { border-color: #38c; } .warning { border-color: #d90; } .critical { border-color: #d33; }
.error { border-color: #d33; } .changed { border-color: #d90; }
ul.rows { list-style: none; padding: 0; } ul.rows li { padding: .4rem 0;
  border-bottom: 1px solid var(--line); }
"""


def esc(text: object) -> str:
    """Any text as HTML shows it: escaped, its control characters made visible."""
    return html.escape(neutral(str(text)), quote=True)


def page(title: str, body: str, *, feed: str | None = None, home: str | None = None) -> str:
    """A whole page: its title, an optional feed to announce, and a way back home."""
    alternate = (
        f'<link rel="alternate" type="application/atom+xml" title="{esc(title)}" '
        f'href="{esc(feed)}">'
        if feed
        else ""
    )
    back = f'<nav><a href="{esc(home)}">All sources</a></nav>' if home else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{esc(title)}</title>{alternate}\n"
        f"<style>{STYLE}</style></head>\n"
        f"<body>{back}\n{body}\n</body></html>\n"
    )


def badge(text: str, kind: str = "") -> str:
    return f'<span class="badge {esc(kind)}">{esc(text)}</span>'


def redline(found: Sequence[Piece], keep: Sequence[str] = ("delete", "insert")) -> str:
    """Pieces as marked-up text; pieces of an op not in ``keep`` are left out."""
    shown = [p for p in found if p.op == "equal" or p.op in keep]
    return str(pieces_html(shown, marks=len(keep) == 2, styled=False))


def change_block(change: Change) -> str:
    """One change as a redline: heading, the inline diff, the two versions side by side."""
    parts = dict(heading_parts(change))
    severity = change.severity
    head = (
        f'<h3>{esc(parts["clause"])} <span class="dim">{esc(parts["what"])}</span> '
        f"{badge(parts['severity'], severity)}</h3>"
    )
    for role in ("words", "path"):
        if parts.get(role):
            head += f'<div class="meta">{esc(parts[role])}</div>'
    return f'<section class="change {esc(severity)}">{head}{_change_body(change)}</section>'


def _change_body(change: Change) -> str:
    out = []
    if change.kind is ChangeKind.MOVED and change.through:
        pass  # its heading says it all: which, from which, wording unchanged
    elif change.kind is ChangeKind.MOVED:
        was = f" (was {change.old_clause})" if change.old_clause else ""
        out.append(f'<p class="dim">Wording unchanged{esc(was)}.</p>')
    elif change.kind in (ChangeKind.ADDED, ChangeKind.REMOVED):
        tag = "ins" if change.kind is ChangeKind.ADDED else "del"
        lines = (redline(line, ()) for line in body_pieces(change))
        out.append(f'<div class="text"><{tag}>{"<br>".join(lines)}</{tag}></div>')
    else:
        if note := aspect_note(change.aspect):
            out.append(f'<p class="dim">{esc(note.capitalize())}.</p>')
        cut, whole = excerpt(change), excerpt(change, full=True)
        out.append(f'<div class="text inline">{redline(cut)}</div>')
        sxs = (
            '<div class="sxs">'
            f'<div class="old"><h4>Before</h4><div class="text">{redline(whole, ("delete",))}'
            "</div></div>"
            f'<div class="new"><h4>After</h4><div class="text">{redline(whole, ("insert",))}'
            "</div></div></div>"
        )
        if cut != whole:  # the whole clause one click away
            sxs = f"<details><summary>The whole clause, before and after</summary>{sxs}</details>"
        out.append(sxs)
    if line := facts_line(change):
        out.append(f"<p><strong>Figures:</strong> {esc(line)}</p>")
    if change.references:
        items = "".join(f"<li>{esc(r)}</li>" for r in change.references)
        out.append(
            f"<p><strong>Links to named documents that now lead elsewhere:</strong></p>"
            f"<ul>{items}</ul>"
        )
    return "".join(out)


def fired_list(fired: Sequence[Fired]) -> str:
    """The watches that fired."""
    if not fired:
        return ""
    items = "".join(
        f"<li>{badge(f.severity, f.severity)} watch <strong>{esc(f.watch)}</strong>: "
        f"{esc(', '.join(f.clauses))}</li>"
        for f in fired
    )
    return f"<ul>{items}</ul>"


def notes_list(notes: Sequence[str]) -> str:
    if not notes:
        return ""
    return "<ul>" + "".join(f'<li class="dim">{esc(n)}</li>' for n in notes) + "</ul>"
