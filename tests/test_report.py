"""Human output: inline diffs marked for terminals and for pipes, page text never read as markup."""

from __future__ import annotations

import io

from rich.console import Console

from tests.pages import AGREEMENT
from tracker.cli import load_config
from tracker.compare.changes import diff
from tracker.compare.inline import inline_diff
from tracker.compare.severity import assess
from tracker.model import Status
from tracker.pipeline.result import Result
from tracker.report.console import inline, print_human
from tracker.text.shown import pieces


def _render(result: Result, terminal: bool) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=terminal,
        width=200,
        color_system="standard" if terminal else None,
    )
    print_human([result], console)
    return buffer.getvalue()


def _result(new: str) -> Result:
    cfg = load_config(cwd=__import__("pathlib").Path("/nonexistent"))
    changes, fired = assess(diff(AGREEMENT, new), cfg.sources[0].id, cfg.watches)
    return Result(cfg.sources[0], Status.CHANGED, changes=changes, fired=fired, version="0002_x")


def test_markers_when_not_a_terminal():
    out = _render(_result(AGREEMENT.replace("提前10个自然日", "提前3个自然日")), terminal=False)
    assert "提前[-10-]{+3+}个自然日" in out
    assert "\x1b[" not in out
    assert "watch fee-notice (critical): 2.7" in out


def test_colour_on_a_terminal_instead_of_markers():
    out = _render(_result(AGREEMENT.replace("提前10个自然日", "提前3个自然日")), terminal=True)
    assert "[-10-]" not in out and "\x1b[" in out
    text = inline(pieces((s.op, s.text) for s in inline_diff("提前10个", "提前3个")), colour=True)
    styles = {str(span.style) for span in text.spans}
    assert styles == {"red strike", "green bold"}


def test_page_text_is_never_rich_markup():
    new = AGREEMENT.replace("9.2 本协议签订地", "9.2 [bold red]本协议[/] 签订地")
    out = _render(_result(new), terminal=False)
    assert "{+[bold red]+}" in out or "[bold red]" in out


def test_moved_and_grouped_entries_are_brief():
    new = AGREEMENT.replace("## 9. 其他", "## 10. 其他")
    for n in range(1, 7):
        new = new.replace(f"\n9.{n} ", f"\n10.{n} ")
    out = _render(_result(new), terminal=False)
    assert "10  moved (was 9), 7 clauses" in out
    assert "wording unchanged" in out
