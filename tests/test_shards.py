"""``tracker check --shard K/N``: each source in exactly one shard, stable as sources come and go."""

from __future__ import annotations

import pytest

from tests.conftest import doc_source, run_subprocess, write_config
from tests.pages import cloud_page
from tracker.run.shards import Shard, shard_of

IDS = [f"doc-{n:03d}" for n in range(200)]


def test_every_source_is_in_exactly_one_shard_and_the_shards_are_even():
    for n in (1, 2, 3, 7):
        shards = [Shard(k, n) for k in range(n)]
        assert all(sum(s.holds(i) for s in shards) == 1 for i in IDS)
        sizes = [sum(s.holds(i) for i in IDS) for s in shards]
        assert min(sizes) >= 200 / n * 0.6, sizes


def test_adding_or_removing_sources_moves_no_other_source():
    before = {i: shard_of(i, 5) for i in IDS}
    fewer = IDS[::2] + [f"new-{n}" for n in range(50)]
    assert all(shard_of(i, 5) == before[i] for i in fewer if i in before)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("3", "is not K/N"),
        ("a/3", "is not K/N"),
        ("-1/3", "is not K/N"),
        ("3/3", "K counts from 0 to N-1 (0 to 2)"),
        ("0/0", "N must be at least 1"),
    ],
)
def test_a_bad_shard_is_refused_with_what_is_wrong(text, problem):
    with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        Shard.parse(text)


def test_shards_of_a_check_cover_the_sources_once(site, tmp_path, tracker):
    ids = [f"s{n}" for n in range(9)]
    for sid in ids:
        site.page(f"/{sid}", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url(f"/{sid}"), sid) for sid in ids])
    seen: list[str] = []
    for k in range(3):
        run = tracker("check", "--config", cfg, "--json", "--shard", f"{k}/3")
        assert run.code == 0
        got = [s["id"] for s in run.json["sources"]]
        assert got == [i for i in ids if shard_of(i, 3) == k]
        seen += got
    assert sorted(seen) == sorted(ids)
    bad = run_subprocess("check", "--config", cfg, "--shard", "3/3")
    assert bad.code == 2 and "K counts from 0 to N-1" in bad.err and "Traceback" not in bad.err
