"""Lines that change from one load to the next, and the settings that leave them out."""

from __future__ import annotations

import re

import pytest

from tracker.compare.volatile import changing_lines, ignore_pattern, line_pattern, remedy
from tracker.text.normalise import ignored


def test_only_the_lines_that_differ_are_changing():
    first = "第一条 总则\n阅读量：8412\n相关：计费概述\n第二条 费用"
    second = "第一条 总则\n阅读量：17558\n相关：错误码\n第二条 费用"
    assert changing_lines(first, second) == [
        "阅读量：8412",
        "相关：计费概述",
        "阅读量：17558",
        "相关：错误码",
    ]
    assert changing_lines(first, first) == []


@pytest.mark.parametrize(
    ("line", "matches", "misses"),
    [
        (
            "阅读量：8412",
            ["阅读量：17558", "阅读量: 1,234", "**阅读量：9**"],
            ["阅读：17558", "阅读量：很多"],
        ),
        ("3 天前更新", ["12 天前更新"], ["3 天前"]),
        ("Viewed 1.2k times", ["Viewed 3.4k times"], ["Viewed many times"]),
    ],
)
def test_a_counter_line_matches_whatever_its_figures(line, matches, misses):
    pattern = re.compile(line_pattern(line) or "")
    assert all(ignored(m, [pattern]) for m in matches)
    assert not any(ignored(m, [pattern]) for m in misses)


def test_a_line_without_figures_is_ignored_as_itself():
    assert line_pattern("相关文章：计费概述") is None
    pattern = re.compile(ignore_pattern("相关文章：计费概述"))
    assert ignored("相关文章:计费概述", [pattern]) and not ignored("相关文章：错误码", [pattern])


def test_the_element_holding_a_changing_list_is_removed_not_the_agreement():
    page = """<article><p class="count">阅读量：1</p><div id="terms"><p>第一条 {x}</p></div>
    <ul class="related"><li>{y}</li></ul></article>"""
    first = page.format(x="总则" * 50, y="计费概述")
    second = page.format(x="总则" * 50, y="错误码")
    cure = remedy(["计费概述", "错误码", "阅读量：1"], ["article"], [first, second])
    assert cure.remove == ["ul.related"]
    assert cure.ignore == [line_pattern("阅读量：1")]  # held by a small element, yet a counter
    assert cure.settings().splitlines()[0] == 'remove = ["ul.related"]'
    whole = remedy(["总则" * 50], ["article"], [first])  # its holder is most of the page
    assert whole.remove == [] and len(whole.ignore) == 1
