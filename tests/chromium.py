"""The real Chromium the browser tests use: Debian's, on PATH (``.ci/run`` installs it)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import TypeVar

import pytest

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
F = TypeVar("F", bound=Callable[..., object])
_without = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on PATH: apt-get install chromium (as .ci/run does)"
)
BROWSER_TESTS = [pytest.mark.browser, _without]  # a whole module's ``pytestmark``


def needs_chromium(test: F) -> F:
    """A test that drives the real Chromium: marked ``browser``, skipped when there is none."""
    marked: F = pytest.mark.browser(_without(test))
    return marked
