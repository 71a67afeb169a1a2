"""The terminal tracker writes to: page text is shown, never obeyed.

Every command prints through :func:`console` and :func:`warn`, which neutralise
control characters (:func:`tracker.text.controls.neutral`), so a page holding
ESC can neither clear the screen, fake a hyperlink nor retitle the window.

How it prints is set once from the command line (:func:`setup`): colour
(``--color``; ``auto`` follows the terminal, ``NO_COLOR`` and ``TERM=dumb``),
JSON indented or one line (a terminal, or ``--pretty``), clauses whole or cut.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.text import Text

from ..text.controls import neutral


class Terminal(Console):
    """A rich console whose every printed string and text is neutralised first."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(_shown(o) for o in objects), **kwargs)

    def on_broken_pipe(self) -> None:
        """The reader went away (``| head``): the command line ends quietly, not rich."""
        self.quiet = True
        raise BrokenPipeError


def _shown(thing: Any) -> Any:
    if isinstance(thing, str):
        return neutral(thing)
    if isinstance(thing, Text):
        shown = thing.copy()
        shown.plain = neutral(thing.plain)  # one character for one: the styles keep their places
        return shown
    return thing


@dataclass(frozen=True)
class Display:
    """How this run prints."""

    color: str = "auto"  # auto | always | never
    pretty: bool = False  # JSON indented even when stdout is not a terminal
    full: bool = False  # long clauses whole, not cut to their changes


_display = Display()


def setup(display: Display) -> None:
    """Set how this process prints (the command line does, once)."""
    global _display
    _display = display


def display() -> Display:
    return _display


def console() -> Terminal:
    """Plain text on stdout: page text is never read as rich markup, nor highlighted."""
    if _display.color == "always":  # over NO_COLOR, TERM=dumb and a pipe alike
        return Terminal(
            highlight=False, force_terminal=True, no_color=False, color_system="standard"
        )
    if _display.color == "never":
        return Terminal(highlight=False, no_color=True, color_system=None)
    return Terminal(highlight=False)


def coloured(con: Console) -> bool:
    """Whether ``con`` shows colour: otherwise changes are marked ``[-old-]{+new+}``."""
    return con.color_system is not None and not con.no_color


def emit_json(payload: object) -> None:
    """One JSON document on stdout: one line when piped (JSON Lines), indented on a terminal."""
    indent = 2 if _display.pretty or sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=indent) + "\n")


def out(line: str) -> None:
    """One line on stdout, as is but for control characters."""
    sys.stdout.write(neutral(line) + "\n")


def warn(line: str) -> None:
    """One line on stderr, after ``tracker: ``."""
    print(f"tracker: {neutral(line)}", file=sys.stderr)
