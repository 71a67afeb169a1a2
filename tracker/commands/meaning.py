"""What the tracked agreements promise and incorporate, from the stored versions alone.

``tracker promises`` lists the notice each agreement promises, clause by clause (fees,
changes, maintenance, termination, assignment), as its latest version says it (the
baseline file where nothing is recorded yet); ``tracker discover`` lists the agreements
they link by name that no source tracks yet.  Nothing is fetched.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from rich.table import Table
from rich.text import Text

from .. import config
from ..compare.incorporated import Cited, cited
from ..compare.promises import Promise, promises
from ..pipeline.incorporation import latest_text
from ..report import terminal
from ..text.links import document
from . import EXIT_OK, Wiring
from .look import reading


@reading
def promised(w: Wiring) -> int:
    """``tracker promises [SOURCE] [--json]``."""
    cfg, args = w.config, w.args
    sources = [cfg.source(args.source)] if args.source else list(cfg.sources)
    found: list[tuple[config.Source, list[Promise] | None]] = []
    for source in sources:
        text = latest_text(cfg, source)
        found.append((source, None if text is None else promises(text, source.ignore)))
    if args.json:
        terminal.emit_json(
            {
                "sources": [
                    {
                        "id": s.id,
                        "name": s.name,
                        "recorded": p is not None,
                        "promises": [x.to_json() for x in p or ()],
                    }
                    for s, p in found
                ]
            }
        )
        return EXIT_OK
    console = terminal.console()
    for source, kept in found:
        console.print(Text(f"{source.id}  《{source.name}》", style="bold"), soft_wrap=True)
        if kept is None:
            console.print("  nothing recorded yet (run tracker check first)", style="dim")
            continue
        if not kept:
            console.print("  no notice promised", style="dim")
            continue
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="dim")
        for name in ("clause", "covers", "notice", "counted", "words"):
            table.add_column(name, overflow="fold", no_wrap=name != "words")
        for p in kept:
            notice = "none" if p.period is None else str(p.period)
            table.add_row(p.clause, str(p.covers), notice, p.counted, p.wording)
        console.print(table)
    return EXIT_OK


@reading
def discover(w: Wiring) -> int:
    """``tracker discover [--json]``: the agreements the tracked ones link by name that no
    source tracks yet, each with a ``[[source]]`` block ready to paste; nothing fetched."""
    cfg, args = w.config, w.args
    tracked = {document(s.url) for s in cfg.sources}
    offered: dict[str, tuple[Cited, list[tuple[str, tuple[str, ...]]]]] = {}
    for source in cfg.sources:
        if (text := latest_text(cfg, source)) is None:
            continue
        for c in cited(text, source.ignore):
            if c.document not in tracked:
                offered.setdefault(c.document, (c, []))[1].append((source.id, c.where))
    taken = {s.id for s in cfg.sources}
    rows = []
    for c, by in offered.values():
        sid = _new_id(c.target, taken)
        taken.add(sid)
        rows.append((sid, c, by))
    if args.json:
        terminal.emit_json(
            {
                "agreements": [
                    {
                        "name": c.words,
                        "url": c.target,
                        "linked_by": [{"source": s, "where": list(where)} for s, where in by],
                        "source": _block(sid, c),
                    }
                    for sid, c, by in rows
                ]
            }
        )
        return EXIT_OK
    if not rows:
        terminal.out("every agreement the tracked ones link by name is tracked already")
        return EXIT_OK
    for sid, c, by in rows:
        linked = "; ".join(f"{s} ({', '.join(where)})" for s, where in by)
        terminal.out(f"# 《{c.words}》, linked by {linked}")
        terminal.out(_block(sid, c))
    return EXIT_OK


def _block(sid: str, c: Cited) -> str:
    """A ``[[source]]`` block that loads as printed (``tracker inspect URL`` finds a selector)."""
    return "\n".join(
        [
            "[[source]]",
            f"id = {json.dumps(sid)}",
            f"name = {json.dumps(c.words, ensure_ascii=False)}",
            f"url = {json.dumps(c.target)}",
            "",
        ]
    )


def _new_id(url: str, taken: set[str]) -> str:
    """An id for a new source, from its URL: lowercase words joined by ``-``, unique."""
    parts = urlsplit(url)
    raw = f"{parts.hostname or ''}{parts.path}".removeprefix("www.")
    base = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")[:56].strip("-") or "agreement"
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}-{n}", n + 1
    return sid
