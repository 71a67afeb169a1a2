"""Real version histories (Open Terms Archive), replayed through `tracker check` on a local site.

Each recorded version is served in turn, as a document page, and checked once.
"Refilter" and "Apply technical or declaration upgrade" versions re-extract an
unchanged page, so they must give no change; the recorded real changes must
give one.  Truncated captures must be flagged as failures, never reported as
the agreement shrinking; a real rewrite that is much shorter is a change at
once, flagged as a large removal.
"""

from __future__ import annotations

import pytest

from tests.conftest import doc_source, write_config
from tests.pages import SHARED, body_html, cloud_page
from tracker.text.markdown import from_markdown

OTA = SHARED / "corpus" / "open-terms-archive"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not OTA.is_dir(), reason="../shared/corpus is absent"),
]

NO_CHANGE = ("Refilter", "Apply technical or declaration upgrade")
REAL = ("Update", "Record new changes")

# Captures that stop part-way (each is the start of the version before it, cut off).
TRUNCATED = {
    "033f7c1b7", "c29cd01de", "927c32a44", "56b68e6f0", "2fabe59dd",  # WeChat privacy, 2020
    "46a5cbdd3",  # Tencent terms, 2021 refilter: stops inside the liability section
    "cf2205053",  # Tencent privacy, 2020 refilter: 4 KB of the 10 KB policy
}  # fmt: skip

# Real rewrites to a much shorter text, mostly new wording (2 % and 19 % of their
# paragraphs are the old text's): a change at once, flagged as a large removal.
SHORTER_REWRITES = {"1e40123b5", "01410b59c"}

# "Real" changes of nothing but link targets under the words "here", which name no
# document: a contact address (dataprotection@wechat.com → @corp.wechat.com), the
# support form (…/dsr/desktop → …/dsr/index) and the page listing Weixin's features.
# A reader sees the same words.
LINK_ONLY = {"976675b6a", "1f4e2aec3", "09ea5b725"}

# Refilters whose text really differs from the version before them, checked against
# the pages themselves: 2021-04-29 drops the USA-specific section that the preceding
# "Rename files" capture had (and is word for word the 2020-07-29 version); 2021-09-01
# re-extracted a page that had changed meanwhile (a new table of contracting
# entities, renamed Weixin agreements).
REFILTERS_WITH_REAL_CHANGES = {"c5c78e626", "7fe3fc615"}


def _history(document: str) -> list[tuple[str, str, str]]:
    """(commit, subject, text) for each version, oldest first."""
    folder = OTA / document
    out = []
    for row in (folder / "INDEX.txt").read_text("utf-8").splitlines():
        if row.startswith("#"):
            continue
        date, commit = row.split()[:2]
        subject = row.split("|", 1)[1].strip()
        text = from_markdown(next(folder.glob(f"{date}_{commit}.md")).read_text("utf-8"))
        out.append((commit, subject, text))
    return out


DOCUMENTS = (
    sorted(str(p.parent.relative_to(OTA)) for p in OTA.glob("*/*/INDEX.txt"))
    if OTA.is_dir()
    else []
)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_history_replay(site, tmp_path, tracker, document):
    cfg = write_config(tmp_path, [doc_source(site.url("/terms"), min_length=0)])
    history = _history(document)
    seen_kinds = set()
    for n, (commit, subject, text) in enumerate(history):
        site.page("/terms", cloud_page(body=body_html(text)))
        run = tracker("check", "--config", cfg, "--json")
        src = run.source("doc")
        where = f"{document} {commit} ({subject})"
        if n == 0:
            assert src["status"] == "baseline", where
            continue
        if commit in TRUNCATED:
            assert src["status"] == "error" and "truncated" in src["error"], where
            seen_kinds.add("truncated")
        elif commit in SHORTER_REWRITES:
            assert src["status"] == "changed" and src["large_removal"] is True, where
        elif commit in LINK_ONLY:
            assert src["status"] == "unchanged" and src["changes"] == [], where
        elif commit in REFILTERS_WITH_REAL_CHANGES:
            assert src["status"] == "changed", where
        elif subject.startswith(NO_CHANGE):
            assert src["status"] == "unchanged", where
            assert src["changes"] == []
            seen_kinds.add("no-change")
        elif subject.startswith(REAL) and src["status"] == "unchanged":
            # Only its stated date changed: recorded, never alerted (issue 20).
            assert any(n.startswith("only the stated date changed") for n in src["notes"]), where
            seen_kinds.add("date-only")
        elif subject.startswith(REAL):
            assert src["status"] == "changed" and src["changes"], where
            assert src["replaced"] is None, where  # a revision of the same document
            assert run.code == 1
            seen_kinds.add("real")
    assert seen_kinds  # every history exercised at least one expectation


def test_refilter_that_drops_a_capture_artefact_equals_the_original():
    history = {commit: text for commit, _, text in _history("WeChat/Terms_of_Service")}
    from tracker.text.normalise import comparable

    assert comparable(history["1ed5c41f4"]) == comparable(history["c5c78e626"])
