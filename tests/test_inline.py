"""The character diff inside a changed clause: precise for edits, bounded for rewrites."""

from __future__ import annotations

import random

import pytest

from tracker.compare.inline import BUDGET, inline_diff

_HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"


def _words(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(_HAN) for _ in range(n))


def _sides(spans):
    old = "".join(s.text for s in spans if s.op != "insert")
    new = "".join(s.text for s in spans if s.op != "delete")
    return old, new


LONG_PHRASES = "，".join(_words(90, k) for k in range(6)) + "。"

CASES = [
    # (old, new, the changed texts expected: (deleted, inserted))
    ("9.1 本协议与《腾讯云服务协议》", "9.1 本协议及《腾讯云服务协议》", [("与", "及")]),
    ("3.1 " + "甲" * 5000 + "提前10个自然日" + "乙" * 5000, None, [("10", "3")]),
    (LONG_PHRASES, LONG_PHRASES.replace(LONG_PHRASES[200:203], "收费标准"), None),
]


@pytest.mark.parametrize(("old", "new", "changed"), CASES, ids=["short", "long", "phrases"])
def test_an_edit_is_marked_to_the_character_however_long_the_clause(old, new, changed):
    new = new or old.replace("10个", "3个")
    spans = inline_diff(old, new)
    assert _sides(spans) == (old, new)
    deleted = [s.text for s in spans if s.op == "delete"]
    inserted = [s.text for s in spans if s.op == "insert"]
    assert sum(map(len, deleted)) <= 4 and sum(map(len, inserted)) <= 4
    if changed:
        assert list(zip(deleted, inserted, strict=True)) == changed
    assert len(old) * len(new) > BUDGET or old.startswith("9.1")  # past the budget: by phrase


def test_a_rewrite_is_shown_whole_old_against_new():
    old, new = _words(800, 1), _words(800, 2)  # unlike each other: the costliest diff
    spans = inline_diff(old, new)
    assert [(s.op, s.text) for s in spans] == [("delete", old), ("insert", new)]


def test_a_clause_reworded_throughout_keeps_what_it_kept():
    old = "，".join(f"您应当遵守第{k}项约定" for k in range(60)) + "。"
    new = old.replace("您应当", "开发者须")
    spans = inline_diff(old, new)
    assert _sides(spans) == (old, new)
    kept = "".join(s.text for s in spans if s.op == "equal")
    assert "遵守第59项约定" in kept and len(kept) > len(old) // 2


def test_the_cpp_diff_and_the_python_one_mark_the_same(monkeypatch):
    """The C++ diff-match-patch, when installed, only makes it sooner."""
    from tracker.compare import inline

    if inline._fast is None:
        pytest.skip("fast-diff-match-patch is not installed here")
    pairs = [(old, new or old.replace("10个", "3个")) for old, new, _ in CASES]
    pairs.append((_words(300, 3), _words(300, 3)[:100] + "新增" + _words(300, 3)[120:]))
    fast = [inline_diff(old, new) for old, new in pairs]
    monkeypatch.setattr(inline, "_fast", None)
    assert [inline_diff(old, new) for old, new in pairs] == fast
