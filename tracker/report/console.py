"""What a run tells the person or program that started it.

Human output: one line per source in configuration order, then the changes,
each with its clause, heading path, severity, watches, facts and an inline
diff: coloured on a terminal, ``[-old-]{+new+}`` otherwise.  Page text is
passed to rich as plain :class:`~rich.text.Text`, never as markup, so
``[red]`` inside an agreement prints as written.  ``--json`` prints one object.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from ..compare.changes import Change, Span, diff
from ..notify.outbox import Delivery
from ..notify.text import following_lines, heading_parts, reference_lines
from ..pipeline.events import message
from ..pipeline.result import Result
from ..sources.probe import Inspection

if TYPE_CHECKING:
    from ..pipeline.dry_run import Trial

_MARKS = {
    "unchanged": ("✓", "green"),
    "baseline": ("+", "cyan"),
    "changed": ("●", "yellow bold"),
    "error": ("✗", "red bold"),
}
_SEVERITY_STYLE = {"info": "cyan", "warning": "yellow", "critical": "red bold"}


def as_json(results: Sequence[Result], deliveries: Sequence[dict[str, Any]] = ()) -> str:
    payload = {"sources": [r.to_json() for r in results], "deliveries": list(deliveries)}
    return json.dumps(payload, ensure_ascii=False, indent=2)


def print_human(results: Sequence[Result], console: Console) -> None:
    width = max((len(r.source.id) for r in results), default=0)
    for r in results:
        line = _marked(r, width) + Text(f"  {r.elapsed:5.2f}s  ", style="dim")
        console.print(line + _styled(r, _summary(r)), soft_wrap=True)
    for r in results:
        _notices(r, [*map(str, r.following), *r.notes], console)
    for r in results:
        if r.changes:
            print_changes(r, console)


def print_trials(trials: Sequence[Trial], console: Console) -> None:
    """What ``check --dry-run`` found: what a check would report, and the text it read."""
    width = max((len(t.result.source.id) for t in trials), default=0)
    for t in trials:
        r = t.result
        line = _marked(r, width) + Text("  ") + _styled(r, _would(r))
        if t.compared_with and r.status != "error":
            line.append(f" (compared with {t.compared_with})", style="dim")
        console.print(line, soft_wrap=True)
    for t in trials:
        _notices(t.result, t.result.notes, console)
    for t in trials:
        if t.result.status == "error":
            continue
        head = f"{t.result.source.id}: {t.clauses} numbered clauses, {t.characters:,} characters"
        console.print()
        console.print(Text(head + "; the text begins:", style="bold"), soft_wrap=True)
        for text_line in t.lines:
            console.print(Text("  │ " + text_line), soft_wrap=True)
        if t.result.changes:
            print_changes(t.result, console)
    console.print(Text("\ndry run: nothing recorded, nothing sent", style="dim"))


def _marked(r: Result, width: int) -> Text:
    """``● source-id``: the status mark, then the id padded to ``width``."""
    mark, style = _MARKS[r.status]
    return Text(f"{mark} ", style=style) + Text(r.source.id.ljust(width))


def _styled(r: Result, summary: str) -> Text:
    return Text(summary, style=_MARKS[r.status][1] if r.status != "unchanged" else "")


def _notices(r: Result, notices: Sequence[str], console: Console) -> None:
    for notice in notices:
        console.print(Text(f"! {r.source.id}: {notice}", style="yellow"), soft_wrap=True)


def _would(r: Result) -> str:
    if r.status == "changed":
        n = len(r.changes)
        return f"would report: {n} change{'s' if n != 1 else ''}, {r.severity}"
    if r.status == "baseline":
        return "would record the first version"
    return _summary(r)


def _summary(r: Result) -> str:
    if r.status == "error":
        return f"error: {r.error}"
    if r.status == "baseline":
        return f"baseline recorded ({r.version})"
    if r.status == "changed":
        n = len(r.changes)
        note = ", large removal" if r.large_removal else ""
        if r.replaced:
            note += f", replaced: {r.replaced['old']} → {r.replaced['new']}"
        return f"changed: {n} change{'s' if n != 1 else ''}, {r.severity}{note} ({r.version})"
    return "unchanged"


def print_changes(r: Result, console: Console) -> None:
    colour = console.is_terminal and console.color_system is not None
    console.print()
    console.print(Text(f"{r.source.name} — {r.source.url}", style="bold"), soft_wrap=True)
    for alert in r.alerts:
        console.print(
            Text(
                f"  watch {alert.watch} ({alert.severity}): ", style=_SEVERITY_STYLE[alert.severity]
            )
            + Text(", ".join(alert.clauses)),
            soft_wrap=True,
        )
    for change in r.changes:
        console.print(_headline(change), soft_wrap=True)
        for line in _body(change, colour):
            console.print(Text("    ") + line, soft_wrap=True)


_ROLE_STYLE = {"clause": "bold", "what": "", "path": "dim"}


def _headline(c: Change) -> Text:
    """The same parts as every other rendering (notify.text.heading_parts), in colour."""
    head = Text("  ")
    for role, text in heading_parts(c.to_json()):
        style = _SEVERITY_STYLE[c.severity] if role == "severity" else _ROLE_STYLE[role]
        head.append(("" if role == "clause" else "  · " if role != "what" else "  ") + text, style)
    return head


def _body(c: Change, colour: bool) -> list[Text]:
    if c.kind == "moved":
        return [Text("wording unchanged", style="dim")]
    if c.kind == "added":
        lines = [Text("+ " + line, style="green") for line in (c.new or "").splitlines()]
    elif c.kind == "removed":
        lines = [Text("- " + line, style="red") for line in (c.old or "").splitlines()]
    else:
        lines = [inline(c.spans, colour)]
        retargeted = {"references": [r.to_json() for r in c.references]}
        lines += [Text(line, style="bold") for line in reference_lines(retargeted)]
    if c.facts:
        lines.append(Text("facts: " + "; ".join(map(str, c.facts)), style="bold"))
    return lines


def inline(spans: Sequence[Span], colour: bool) -> Text:
    """One clause with its changes marked: colours on a terminal, ``[-…-]{+…+}`` otherwise."""
    out = Text()
    for span in spans:
        if span.op == "equal":
            out.append(span.text)
        elif colour:
            style = "red strike" if span.op == "delete" else "green bold"
            out.append(span.text, style=style)
        else:
            out.append(f"[-{span.text}-]" if span.op == "delete" else f"{{+{span.text}+}}")
    return out


def print_deliveries(deliveries: Sequence[Delivery], pending: int, console: Console) -> None:
    for d in deliveries:
        if d.status == "sent":
            line = Text(f"→ {d.channel}: sent {d.message}", style="green")
        elif d.status == "failed":
            line = Text(f"✗ {d.channel}: failed {d.message}: {d.error}", style="red")
        else:
            line = Text(f"✗ {d.channel}: not sent {d.message}: {d.error}", style="red")
        console.print(line, soft_wrap=True)
    if pending:
        plural = "s" if pending > 1 else ""
        note = f"{pending} alert{plural} wait in the outbox (tracker outbox)"
        console.print(Text(note, style="yellow"), soft_wrap=True)


def print_outbox(
    entries: Sequence[dict[str, Any]],
    damaged: Sequence[str],
    requeued: Sequence[str],
    console: Console,
) -> None:
    for mid in requeued:
        note = f"queued again from its version folder: {mid} (the outbox had lost it)"
        console.print(Text(note, style="yellow"), soft_wrap=True)
    for name in damaged:
        note = f"damaged entry set aside: outbox/damaged/{name} (its alert is re-queued if known)"
        console.print(Text(note, style="red"), soft_wrap=True)
    if not entries and not damaged:
        console.print("outbox is empty: every alert has been delivered")
        return
    for entry in entries:
        head = f"{entry['id']}  {entry['event']}  {entry['severity']}  queued {entry['created']}"
        console.print(Text(head, style="bold"), soft_wrap=True)
        for name, state in entry["deliveries"].items():
            detail = f"    {name}: {state['status']}, {state['attempts']} attempts"
            if state.get("error"):
                detail += f", last error: {state['error']}"
            if state["status"] == "failed":
                detail += f" (tracker outbox --retry {entry['id']}, or --drop)"
            style = "red" if state["status"] == "failed" else ""
            console.print(Text(detail, style=style), soft_wrap=True)


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
    for f in found.fields:
        say(f"JSON: {f.url} holds it in field {f.path} ({f.format}, {f.characters:,} characters)")
    say("\nPaste into tracker.toml:\n")
    say(found.source_block())
    if block := found.json_block():
        say("Or read the JSON itself, without a browser:\n")
        say(block)


def sample_message() -> dict[str, Any]:
    """A realistic alert for ``tracker notify --test``: clause 2.7's notice period changed."""
    old = "2.7 腾讯将会提前10个自然日通过网站页面、弹窗、短信或邮件等方式公布收费规则。"
    new = old.replace("10个自然日", "3个自然日")
    [change] = diff(old, new)
    change = replace(change, path=("2. 重要提示", "2.7"), severity="warning")
    source = {
        "id": "tracker-test",
        "name": "tracker test message",
        "url": "https://example.com/",
        "status": "changed",
        "error": None,
        "severity": "warning",
        "changes": [change.to_json()],
        "alerts": [],
    }
    return message("tracker-test", "test", "warning", source)


def print_status(
    rows: Sequence[dict[str, Any]], daemon: dict[str, Any] | None, console: Console
) -> None:
    if daemon:
        console.print(f"daemon: running (pid {daemon['pid']}, since {daemon['started']})")
    else:
        console.print("daemon: not running")
    headers = ("source", "last check", "status", "last change", "failures", "next run", "alerts")
    table = [headers] + [
        (
            r["id"],
            r["last_check"] or "never",
            r["last_status"] or "-",
            r["last_change"] or "-",
            str(r["failures"]),
            r["next_run"] or "-",
            str(r["pending_alerts"]),
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    for row in table:
        console.print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        )
    for r in rows:
        if r["last_status"] == "error" and r["last_error"]:
            console.print(Text(f"{r['id']}: {r['last_error']}", style="red"), soft_wrap=True)
        for note in following_lines(r):
            console.print(Text(f"! {r['id']}: {note}", style="yellow"), soft_wrap=True)
