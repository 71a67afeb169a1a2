"""Real page histories, replayed through `tracker check` one snapshot at a time.

``../shared/corpus/ota-snapshots`` holds pages as sites served them over
years, with the selectors that pick the document out and, per step, what the
step is: ``identical`` (the same words; no change), ``minor`` and
``substantive`` (a change), ``return`` (back to an earlier text), ``empty``
(the selector matches nothing: an error, never a change) and ``truncated``
(a capture cut short: never a change).  On top of that, a reported change must
never flip back: its text must not be one recorded two or more versions ago,
unless the step is a ``return``.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import versions, write_config
from tests.pages import SHARED
from tracker.text.normalise import comparable

SNAPSHOTS = SHARED / "corpus" / "ota-snapshots"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,
    pytest.mark.skipif(not SNAPSHOTS.is_dir(), reason="../shared/corpus is absent"),
]
DOCUMENTS = sorted(
    str(p.parent.relative_to(SNAPSHOTS)) for p in SNAPSHOTS.glob("*/*/*/INDEX.txt")
) if SNAPSHOTS.is_dir() else []  # fmt: skip
CHANGES = ("minor", "substantive", "return")
# The one step where the URL started serving another document: Parship's Trackers Policy
# page ("Informations sur les cookies…") now holds its Privacy Policy ("Politique de
# protection des données…").  Every other change is a revision of the same document.
REPLACED = {("dating/Parship/Trackers Policy", "07_2025-12-11.html")}


def _steps(document: str) -> list[tuple[str, str]]:
    """(snapshot file, class) in order."""
    steps = []
    for row in (SNAPSHOTS / document / "INDEX.txt").read_text("utf-8").splitlines():
        if row and not row.startswith("#"):
            snapshot, _date, kind, _words = row.split("\t")
            steps.append((snapshot, kind))
    return steps


def _source(document: str, url: str) -> dict[str, object]:
    declaration = json.loads((SNAPSHOTS / document / "declaration.json").read_text("utf-8"))
    select = declaration["select"]
    return {
        "id": "doc",
        "name": document,
        "url": url,
        "selector": select if isinstance(select, list) else [select],
        "remove": declaration.get("remove", []),
    }


@pytest.mark.parametrize("document", DOCUMENTS)
def test_replay(site, tmp_path, tracker, document):
    cfg = write_config(tmp_path, [_source(document, site.url("/page"))])
    state = tmp_path / "snapshots"
    recorded: list[str] = []  # comparison forms of the versions recorded so far
    for n, (snapshot, kind) in enumerate(_steps(document)):
        body = (SNAPSHOTS / document / snapshot).read_bytes()
        site.page("/page", body, content_type="text/html")
        before = versions(state, "doc")
        src = tracker("check", "--config", cfg, "--json").source("doc")
        where = f"{document} {snapshot} ({kind}): {src['status']} {src['error'] or ''}"
        after = versions(state, "doc")
        if n == 0:
            assert src["status"] == "baseline", where
        elif kind == "minor" and src["status"] == "unchanged":
            # A new stated date over the same words ("Dernière mise à jour: 17.09.2024"):
            # recorded as a version, never alerted (issue 20), though it counts as words.
            assert any(n.startswith("only the stated date changed") for n in src["notes"]), where
            assert len(after) == len(before) + 1, where
        elif kind in CHANGES:
            assert src["status"] == "changed" and src["changes"], where
            assert (src["replaced"] is not None) == ((document, snapshot) in REPLACED), where
        elif kind == "identical":
            assert src["status"] != "changed" or all(
                c["aspect"] == "reference" for c in src["changes"]
            ), where
        elif kind == "truncated":
            assert src["status"] != "changed", where
        elif kind == "empty":
            assert src["status"] == "error" and "matched nothing" in src["error"], where
            assert after == before, where
        if after != before:
            text = (state / "doc" / "versions" / after[-1] / "text.md").read_text("utf-8")
            form = comparable(text)
            if src["status"] == "changed" and kind != "return":
                assert form not in recorded[:-1], f"{where}: flips back to an earlier version"
            recorded.append(form)
