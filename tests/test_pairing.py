"""A rewritten clause is one change: split, merged, rewritten in place, or renumbered."""

from __future__ import annotations

import pytest

from tests.pages import SHARED
from tracker.compare.changes import diff
from tracker.compare.facts import Fact
from tracker.text.markdown import from_markdown

CLOUD_2019 = (
    SHARED / "corpus" / "tencent-cloud-intl-2019"
    / "2019-04-19_5fb61abc23_PRC_Terms_of_Service_Chinese__intl.md"
)  # fmt: skip

LATE_FEE_SPLIT = (
    "**4.4 您应当按时付款。**\n"
    "**4.4.1 若您使用后付费服务且逾期付款的，您除应依约支付到期费用外，还应按所欠费用每天加收1‰的标准"
    "向腾讯云公司支付迟延履行金，直至缴清全部费用为止。**\n"
    "**4.4.2 若您逾期15天未支付到期费用的，腾讯云公司有权单方终止本协议。**\n"
    "**4.4.3 若您同时使用了预付费服务的，则您未使用的服务期限对应的费用将作为违约金归腾讯云公司所有。**"
)


def _late_fee_clause(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("**4.4 "))


@pytest.mark.corpus
@pytest.mark.skipif(not CLOUD_2019.is_file(), reason="../shared/corpus is absent")
def test_late_fee_clause_split_into_three_is_one_modified_change():
    """《腾讯云服务协议》 2019 → 2019年11月版: 4.4 at 3‰ a day becomes 4.4 + 4.4.1-4.4.3 at 1‰."""
    old = from_markdown(CLOUD_2019.read_text("utf-8"))
    new = old.replace(_late_fee_clause(old), LATE_FEE_SPLIT)
    [change] = diff(old, new)
    assert (change.kind, change.clause, change.old_clause) == ("modified", "4.4", None)
    assert change.members == ("4.4", "4.4.1", "4.4.2", "4.4.3")
    assert change.count == 4
    assert change.facts == (Fact("3‰", "1‰"),)
    assert change.old == _late_fee_clause(old)
    assert change.new == LATE_FEE_SPLIT
    assert [(s.op, s.text) for s in change.spans if s.op == "delete"][:1] == [
        ("delete", "３")
    ]  # as written


@pytest.mark.corpus
@pytest.mark.skipif(not CLOUD_2019.is_file(), reason="../shared/corpus is absent")
def test_sub_clauses_merged_back_are_one_modified_change():
    old = from_markdown(CLOUD_2019.read_text("utf-8"))
    split = old.replace(_late_fee_clause(old), LATE_FEE_SPLIT)
    [change] = diff(split, old)
    assert (change.kind, change.clause) == ("modified", "4.4")
    assert change.members == ("4.4", "4.4.1", "4.4.2", "4.4.3")
    assert change.facts == (Fact("1‰", "3‰"),)


CHAPTERS = """\
## 1. 总则
1.1 本协议适用于您使用本服务的全部行为。
1.2 您应当遵守国家法律法规。
## 2. 账户
2.1 您应当使用真实身份信息注册账户。
2.2 您应妥善保管账户密码，因保管不善造成的损失由您自行承担。
2.3 账户仅限您本人使用，不得转让、出借或出售。
## 3. 费用
3.1 本服务按月结算，您应在每月5日前付清上月费用。
3.2 逾期付款的，每日加收欠款的千分之三作为违约金。
"""


def test_clause_rewritten_in_place_is_one_modified_change():
    new = CHAPTERS.replace(
        "2.2 您应妥善保管账户密码，因保管不善造成的损失由您自行承担。",
        "2.2 腾讯可以在发现异常登录时冻结账户并要求重新验证身份。",
    )
    [change] = diff(CHAPTERS, new)
    assert (change.kind, change.clause, change.old_clause) == ("modified", "2.2", None)


def test_renumbered_chapter_pairs_a_rewritten_clause_by_its_place():
    new = CHAPTERS.replace(
        "## 3. 费用\n3.1", "## 3. 隐私\n3.1 我们按隐私政策处理您的信息。\n## 4. 费用\n4.1"
    )
    new = new.replace(
        "3.2 逾期付款的，每日加收欠款的千分之三作为违约金。",
        "4.2 如您未按时付款，腾讯有权暂停服务。",
    )
    changes = diff(CHAPTERS, new)
    summary = [(c.kind, c.clause, c.old_clause) for c in changes]
    assert ("modified", "4.2", "3.2") in summary  # old 3.2 is now 4.2, reworded
    assert ("added", "3", None) in summary  # the new chapter 3 is new, its 3.1 included
    assert not any(kind == "removed" for kind, _, _ in summary)


def test_unrelated_clauses_that_share_a_number_stay_apart():
    old = (
        CHAPTERS
        + "## 4. 终止\n4.1 任何一方可提前30日书面通知终止本协议。\n4.2 本协议终止后，相关条款继续有效。\n"
    )
    # Chapter 3 is dropped; chapter 4 becomes chapter 3, its 4.1 lightly edited.
    new = old.split("## 3. 费用")[0] + (
        "## 3. 终止\n3.1 任何一方可提前30日书面通知对方终止本协议。\n3.2 本协议终止后，相关条款继续有效。\n"
    )
    changes = diff(old, new)
    summary = {(c.kind, c.clause, c.old_clause) for c in changes}
    assert ("modified", "3.1", "4.1") in summary  # the termination clause, renumbered
    assert ("removed", "3", None) in summary  # the fee chapter, as a whole
    assert not any(
        c.kind == "modified" and c.old_clause is None and c.clause == "3.1" for c in changes
    )


def test_a_new_sub_clause_beside_an_edited_one_is_its_own_change():
    new = CHAPTERS.replace(
        "2.3 账户仅限您本人使用，不得转让、出借或出售。",
        "2.3 账户仅限您本人使用，不得转让、出借、出租或出售。\n2.3.1 企业账户可以授权员工使用。",
    )
    changes = diff(CHAPTERS, new)
    assert [(c.kind, c.clause) for c in changes] == [("modified", "2.3"), ("added", "2.3.1")]


def test_pairing_is_deterministic():
    new = CHAPTERS.replace("1.1 本协议适用于", "1.1 本协议仅适用于").replace(
        "3.1 本服务按月", "3.1 本服务按季度"
    )
    first = [c.to_json() for c in diff(CHAPTERS, new)]
    assert all([c.to_json() for c in diff(CHAPTERS, new)] == first for _ in range(5))
