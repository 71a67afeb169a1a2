"""``tracker inspect URL``: what a page holds, and the source block to paste (plain text)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..sources.probe import Inspection

_SHOWN = 10  # changing lines listed


def print_inspection(found: Inspection, console: Console) -> None:
    """What ``tracker inspect`` found, and the source block to paste (all plain text)."""

    def say(line: str, style: str = "") -> None:
        console.print(Text(line, style=style), soft_wrap=True)

    say(f"{found.url}  {found.title or ''}".rstrip(), "bold")
    width = max(len(c.selector) for c in found.containers)
    say(f"  {'container'.ljust(width)}  {'static':>8}  {'rendered':>8}")
    for c in found.containers:
        rendered = "-" if c.rendered is None else f"{c.rendered:,}"
        say(f"  {c.selector.ljust(width)}  {c.static:>8,}  {rendered:>8}")
    js = found.needs_javascript
    if found.best is None:
        where = "the static page" + (" nor the rendered one" if found.rendered else "")
        say(f"No container holds agreement text in {where}: pick a selector by hand.", "yellow")
    elif js is None:
        say("JavaScript: not known (no browser to render with)")
    else:
        say(f"JavaScript: {'needed: the text is built by scripts' if js else 'not needed'}")
    if changing := found.volatile.lines:
        say(f"Changes from one load to the next ({len(changing)} lines, left out below):", "yellow")
        for line in changing[:_SHOWN]:
            say(f"  ~ {line}")
        if len(changing) > _SHOWN:
            say(f"  … and {len(changing) - _SHOWN} more")
    for f in found.fields:
        say(f"JSON: {f.url} holds it in field {f.path} ({f.format}, {f.characters:,} characters)")
    say("\nPaste into tracker.toml:\n")
    say(found.source_block())
    if block := found.json_block():
        say("Or read the JSON itself, without a browser:\n")
        say(block)
