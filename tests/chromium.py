"""The real Chromium the browser tests use: Debian's, on PATH (``.ci/run`` installs it)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

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


@contextlib.contextmanager
def offline_tab() -> Iterator[Any]:
    """A Chromium tab that loads nothing from anywhere: pages are set as content."""
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=flags)
        page = browser.new_page()
        page.route("**/*", lambda route: route.abort())
        try:
            yield page
        finally:
            browser.close()
