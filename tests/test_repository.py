"""The history queries: versions by name, prefix, latest, previous, and the one before."""

from __future__ import annotations

import re

import pytest

from tracker.store.source import SourceStore


@pytest.fixture
def three(tmp_path):
    store = SourceStore(tmp_path, "doc")
    with store.lock():
        names = [
            store.record(f"{n}. 第{n}版。\n", {"origin": "fetch"}, None).name for n in (1, 2, 3)
        ]
    return store.versions, names


def test_versions_by_name_prefix_latest_and_previous(three):
    versions, (v1, v2, v3) = three
    assert versions.names() == [v1, v2, v3]
    assert versions.find(v2).name == v2
    assert versions.find("0003").name == v3  # a prefix that is unambiguous
    assert versions.find("latest").name == v3 and versions.find("previous").name == v2
    assert versions.find("latest").text == "3. 第3版。\n"


@pytest.mark.parametrize(
    ("ref", "problem"),
    [("000", "matches 3 versions"), ("0009", "matches 0 versions (none)")],
)
def test_an_ambiguous_or_unknown_version_says_what_matched(three, ref, problem):
    versions, _ = three
    with pytest.raises(LookupError, match=re.escape(problem)):
        versions.find(ref)


def test_the_version_before_another(three):
    versions, (v1, v2, v3) = three
    assert versions.before(v3).name == v2 and versions.before(v1) is None


def test_no_previous_version_before_the_first(tmp_path):
    store = SourceStore(tmp_path, "doc")
    with store.lock():
        store.record("1. 唯一。\n", {"origin": "fetch"}, None)
    with pytest.raises(LookupError, match="no previous version"):
        store.versions.find("previous")
