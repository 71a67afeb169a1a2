"""What the tracked agreements promise and incorporate, from the stored versions alone.

``tracker promises`` lists the notice each agreement promises, clause by clause (fees,
changes, maintenance, termination, assignment), as its latest version says it (the
baseline file where nothing is recorded yet); nothing is fetched.
"""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text

from .. import config
from ..compare.promises import Promise, promises
from ..report import terminal
from ..store.versions import Versions
from ..text.markdown import from_markdown
from . import EXIT_OK, Wiring
from .look import reading


def _text_of(cfg: config.Config, source: config.Source) -> str | None:
    """The latest recorded text of ``source``, else its baseline file's, else None."""
    versions = Versions.of(cfg.settings.state_dir, source.id)
    if names := versions.names():
        return versions.get(names[-1]).text
    if source.baseline is not None:
        return from_markdown(Path(source.baseline).read_text("utf-8"))
    return None


@reading
def promised(w: Wiring) -> int:
    """``tracker promises [SOURCE] [--json]``."""
    cfg, args = w.config, w.args
    sources = [cfg.source(args.source)] if args.source else list(cfg.sources)
    found: list[tuple[config.Source, list[Promise] | None]] = []
    for source in sources:
        text = _text_of(cfg, source)
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
