"""Whether a text is still the document a source watches: pure measures and a judgement.

A page can stop being the agreement without any error status: a wrong URL
serves some other document page, a moved agreement is answered with a home,
login or "not found" page (a soft 404), a Trackers Policy URL starts serving
the Privacy Policy.  Two measures tell these from a revision, which can keep
as little as 2 % of its paragraphs (real rewrites in the test corpus do):

* **overlap**: how many of the old text's clauses have a counterpart in the
  new one (the same words, or most of the same words; Latin text compared by
  words, Chinese by characters).  Revisions of one document keep half or more
  of them unless they are rewrites; different documents of one site keep at
  most a fifth of each other's (0.19 at most in the test corpus).
* **name**: what the text calls itself (its first heading or title line, or
  ``《X》（以下简称“本协议”）``) and the page's ``<title>``.  A rewrite keeps its
  name; another document has another one.

A text that keeps three in ten of the old clauses, or its name, is the same
document: every real revision in the test corpus does (the rewrites that keep
fewer keep their name), and no two different documents do.
"""

from __future__ import annotations

import collections
import itertools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..text.normalise import normalise_line
from .facts import Kind, figures
from .segment import Clause, plain
from .similarity import dice

_SAME_CLAUSE = 0.5  # token similarity at which two clauses are one, reworded
_SAME_DOCUMENT = 0.3  # share of the old clauses kept, at which a text is the same document
_SAME_NAME = 0.6  # token similarity at which two names are one
_TOKEN = re.compile(r"[^\W\d_]+|\d+|[\u3400-\u9fff\uf900-\ufaff]")
_SELF_NAME = re.compile(r"《([^》]{2,40})》\s*[（(]\s*(?:以下|下文)?(?:简称|称)[^）)]{0,12}本协议")
_NOT_A_NAME = re.compile(
    r"^(?:last|effective|updated|revised|modified|version|最近更新|更新|生效|发布|版本)", re.I
)
_TITLE_MAX = 80

# Soft 404s: a page with little text that says it is not the page asked for.
_LITTLE_TEXT = 1500  # characters (comparison form); the shortest real agreement here has 2,500
_FEW_LINES = 12
_NOT_FOUND = re.compile(
    r"\b(?:404|page not found|not found|cannot be found|can ?not be found|could not be found"
    r"|couldn'?t find|no longer (?:available|exists)|does ?n[o']t exist"
    r"|has been (?:removed|deleted)|sign in|log ?in|search results|no results)\b|"
    r"页面不存在|页面未找到|找不到|文档不存在|内容不存在|不存在或已|已下线|已被删除|已删除|"
    r"无法访问|请先登录|扫码登录|登录后|搜索结果|返回首页",
    re.I,
)


@dataclass(frozen=True)
class Identity:
    """What a version of a document calls itself."""

    names: tuple[str, ...]  # its first heading or title line, and names it gives itself
    title: str | None = None  # the page's <title>

    @property
    def known(self) -> bool:
        return bool(self.names or self.title)

    def described(self) -> str:
        """The name to show a reader: what the text calls itself, else the page title."""
        return self.names[0] if self.names else self.title or "an unnamed document"


def identify(text: str, title: str | None = None) -> Identity:
    """The names ``text`` gives itself; ``title`` is the page's, when read from a page."""
    names: list[str] = []
    for line in text.splitlines()[:3]:
        seen = plain(line).strip()
        if seen and _is_name(line, seen):
            names.append(seen)
            break
    names += [m.group(1).strip() for m in _SELF_NAME.finditer(text[:3000])]
    title = " ".join(title.split()) if title else None
    return Identity(tuple(dict.fromkeys(names)), title or None)


def overlap(old: Sequence[Clause], new: Sequence[Clause]) -> tuple[int, int]:
    """``(kept, of)``: how many of the old clauses with words have a counterpart in the new.

    Each old clause is weighed only against the new ones that could be as alike as
    :data:`_SAME_CLAUSE`: those sharing one of its rarest word pairs (a prefix filter,
    exact for this measure).  A rewrite of every clause then costs about what an edit of
    a few does, where weighing every pair would cost old × new comparisons.
    """
    bodies = {c.body for c in new}
    olds = [c for c in old if c.body]
    sets = [_tokens(c.body) for c in new]
    candidates: _Candidates | None = None
    kept = misses = 0
    for clause in olds:
        if clause.body in bodies:
            kept += 1
            continue
        mine, misses = _tokens(clause.body), misses + 1
        if misses > _FEW_MISSES and candidates is None:  # many clauses changed: index them
            candidates = _Candidates(sets)
        pool = sets if candidates is None else candidates(mine)
        if mine and any(dice(mine, theirs) >= _SAME_CLAUSE for theirs in pool):
            kept += 1
    return kept, len(olds)


_FEW_MISSES = 16  # changed clauses weighed against every new one, before indexing them


class _Candidates:
    """The token sets that could reach :data:`_SAME_CLAUSE` with a given one.

    Two sets alike by Dice ≥ t share at least t / (2 - t) of each one's tokens, so with
    every set's tokens in one order (rarest first), they share a token among the first
    ``len - shared + 1`` of each: the prefixes, the only tokens indexed and probed.
    """

    _SHARE = _SAME_CLAUSE / (2 - _SAME_CLAUSE)

    def __init__(self, sets: Sequence[frozenset[object]]) -> None:
        self.sets = sets
        self.rarity = collections.Counter(t for tokens in sets for t in tokens)
        self.index: dict[object, list[int]] = {}
        for k, tokens in enumerate(sets):
            for t in self._prefix(tokens):
                self.index.setdefault(t, []).append(k)

    def __call__(self, tokens: frozenset[object]) -> Iterator[frozenset[object]]:
        seen: set[int] = set()
        for t in self._prefix(tokens):
            for k in self.index.get(t, ()):
                if k not in seen:
                    seen.add(k)
                    yield self.sets[k]

    def _prefix(self, tokens: frozenset[object]) -> list[object]:
        shared = math.ceil(self._SHARE * len(tokens) - 1e-9)
        ordered = sorted(tokens, key=lambda t: (self.rarity[t], hash(t)))
        return ordered[: len(tokens) - shared + 1]


def same_name(old: Iterable[str], new: Iterable[str]) -> bool:
    """Whether any of the old names is any of the new ones (one inside the other counts)."""
    news = [(normalise_line(n).lower(), _tokens(n)) for n in new]
    for name in old:
        form, tokens = normalise_line(name).lower(), _tokens(name)
        for other, other_tokens in news:
            if form and other and (form in other or other in form):
                return True
            if dice(tokens, other_tokens) >= _SAME_NAME:
                return True
    return False


def same_title(old: str, new: str) -> bool:
    """Whether two page titles name one document, once the site's name is set aside.

    Titles share the site's name at one end ("Cookies Policy-文档中心-腾讯云",
    "Parship | …"): what the two have in common at the start and at the end is
    dropped, and what is left must be the same, or nothing on one side.
    """
    a, b = _TOKEN.findall(old.lower()), _TOKEN.findall(new.lower())
    while a and b and a[0] == b[0]:
        a, b = a[1:], b[1:]
    while a and b and a[-1] == b[-1]:
        a, b = a[:-1], b[:-1]
    return not a or not b or dice(_pairs(a), _pairs(b)) >= _SAME_NAME


def same_document(
    kept: int, of: int, old: Identity, new: Identity, declared: Sequence[str] = ()
) -> bool:
    """Whether the new text is the old document: enough clauses kept, or its name kept.

    ``declared`` are names the configuration gives the document.  A name may be
    found in the other side's names or page title; two titles are compared
    with the site's name set aside.
    """
    if of == 0 or kept >= _SAME_DOCUMENT * of:
        return True
    olds, news = [*old.names, *declared], list(new.names)
    if same_name(olds, news):
        return True
    if new.title and same_name(olds, [new.title]):
        return True
    if old.title and same_name(news, [old.title]):
        return True
    return bool(old.title and new.title and same_title(old.title, new.title))


# What is never wording in the stored dialect: link targets, whitespace, marks.
_NOT_WORDING = re.compile(r"\]\([^)\s]*\)|[\s#*_>|`~\u200b-\u200d\u2060\ufeff\u00ad-]+")


def surely_long(text: str, ignore: Sequence[re.Pattern[str]] = ()) -> bool:
    """Whether ``text`` is far too long to be a "not found" page, told without reading it
    in comparison form (a first version is not compared with anything: this is all it
    needs).  Its characters less those that are never wording must be three times the
    limit, room for Unicode compositions; ``ignore`` may drop any line, so a source
    with patterns is always read closer."""
    if ignore or len(text) < 3 * _LITTLE_TEXT:
        return False
    return len(_NOT_WORDING.sub("", text)) >= 3 * _LITTLE_TEXT


def short(form: str) -> bool:
    """Whether a text in comparison form is short enough to be a "not found" page: the
    cheap question, asked before the text is segmented."""
    return len(form) < _LITTLE_TEXT and form.count("\n") + 1 < _FEW_LINES


def not_a_document(form: str, clauses: Sequence[Clause]) -> str | None:
    """Why a text is a "not found", login or search page rather than a document, or None.

    Only a short text can be one: real agreements, even the shortest, have far more
    to say.  It must also say so, or hold no clause structure at all.
    """
    if not short(form):
        return None
    lines = form.splitlines()
    numbered = sum(1 for c in clauses if c.id)
    found = _NOT_FOUND.search(form)
    if found:
        said = f"it says {found.group(0)!r}"
    elif numbered == 0:
        said = "it has no clauses"
    else:
        return None
    return f"{said} and holds only {len(form)} characters in {len(lines)} lines"


def _is_name(line: str, seen: str) -> bool:
    """A heading or a short title line, not a date line such as "Last updated …"."""
    if _NOT_A_NAME.match(seen) or any(f.kind is Kind.DATE for f in figures(seen)):
        return False
    if line.lstrip().startswith("#"):
        return True
    return len(seen) <= _TITLE_MAX and not re.search(r"[。；;.!?！？:：,，]$", seen)


def _tokens(text: str) -> frozenset[object]:
    """Word pairs for Latin text, character pairs for Chinese: what two clauses share."""
    return _pairs([t.lower() for t in _TOKEN.findall(text)])


def _pairs(words: list[str]) -> frozenset[object]:
    return frozenset(itertools.pairwise(words)) or frozenset(words)
