"""A run's progress on a terminal, gone when the run ends.

Each source's line appears as soon as it and every source before it are done (so
the lines keep configuration order), above one line that counts what is done:
``checking: 12 of 40 done · 2 changed · 1 error``.  That line is rewritten in
place and erased at the end, leaving the same lines a run without it prints.
It is shown only on a terminal, for a run over more than a few sources, and
never with ``--json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.text import Text

from ..config import Source
from ..model import Status
from ..pipeline.result import Result
from ..text.counts import counted
from .console import id_width, source_line

SHOWN_FROM = 4  # sources in a run; fewer are done before a progress line helps


def wanted(sources: Sequence[Source], console: Console, json: bool) -> bool:
    """Whether this run shows its progress: on a terminal, for enough sources, no JSON."""
    terminal = console.is_terminal and not console.is_dumb_terminal
    return terminal and not json and len(sources) >= SHOWN_FROM


class Progress:
    """The progress display of one run: a context manager; :meth:`checked` is its listener."""

    def __init__(self, sources: Sequence[Source], console: Console) -> None:
        self.total, self.width = len(sources), id_width(sources)
        self.console = console
        self.done: dict[int, Result] = {}
        self.shown = 0  # sources whose lines are printed: every one before this index
        self.changed = self.errors = 0
        self.live = Live(self._line(), console=console, transient=True, auto_refresh=False)

    def __enter__(self) -> Progress:
        self.live.start(refresh=True)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.live.stop()

    def checked(self, index: int, result: Result) -> None:
        """Source ``index`` (in configuration order) is done."""
        self.done[index] = result
        self.changed += result.status is Status.CHANGED
        self.errors += result.status is Status.ERROR
        while self.shown in self.done:
            self.console.print(source_line(self.done[self.shown], self.width), soft_wrap=True)
            self.shown += 1
        self.live.update(self._line(), refresh=True)

    def _line(self) -> Text:
        line = Text(f"checking: {len(self.done)} of {self.total} done", style="bold")
        line.append(f" · {self.changed} changed", style="yellow" if self.changed else "dim")
        line.append(f" · {counted(self.errors, 'error')}", style="red" if self.errors else "dim")
        return line
