"""The real Chromium the browser tests use: Debian's, on PATH (``.ci/run`` installs it)."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on PATH: apt-get install chromium (as .ci/run does)"
)
