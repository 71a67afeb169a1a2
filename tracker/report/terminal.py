"""The terminal tracker writes to: page text is shown, never obeyed.

Every command prints through :func:`console` and :func:`warn`, which neutralise
control characters (:func:`tracker.text.controls.neutral`), so a page holding
ESC can neither clear the screen, fake a hyperlink nor retitle the window.
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.text import Text

from ..text.controls import neutral


class Terminal(Console):
    """A rich console whose every printed string and text is neutralised first."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(_shown(o) for o in objects), **kwargs)


def _shown(thing: Any) -> Any:
    if isinstance(thing, str):
        return neutral(thing)
    if isinstance(thing, Text):
        shown = thing.copy()
        shown.plain = neutral(thing.plain)  # one character for one: the styles keep their places
        return shown
    return thing


def console() -> Terminal:
    """Plain text on stdout: page text is never read as rich markup, nor highlighted."""
    return Terminal(highlight=False)


def out(line: str) -> None:
    """One line on stdout, as is but for control characters."""
    sys.stdout.write(neutral(line) + "\n")


def warn(line: str) -> None:
    """One line on stderr, after ``tracker: ``."""
    print(f"tracker: {neutral(line)}", file=sys.stderr)
