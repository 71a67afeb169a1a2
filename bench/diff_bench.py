"""Benchmark: comparing two versions of a long agreement, up to a rewrite of every clause.

    python bench/diff_bench.py [--size 100 360] [--repeat 5]

Builds a Chinese agreement of about --size KB from the developer agreement (its
chapters repeated under new numbers), then times `tracker.compare.verdict.compare`
(what a check does with a changed text) between it and five kinds of next version,
the last two rewriting every clause: reworded, or its characters shuffled (as
unlike itself as a clause can be: the worst case of a character diff).  Goals:
well under 100 ms for the usual edits, under 1 s for a rewrite of 360 KB.  Not a
test: it prints a table.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.compare.segment import _segmented  # noqa: E402
from tracker.compare.verdict import compare  # noqa: E402
from tracker.text.markdown import from_markdown  # noqa: E402
from tracker.text.normalise import _line_forms  # noqa: E402


def _renumber(line: str, offset: int) -> str:
    """Shift a chapter heading's or a dotted clause number's first part by ``offset``."""
    line = re.sub(r"^## (\d+)\.", lambda m: f"## {int(m.group(1)) + offset}.", line)
    return re.sub(
        r"^(\**)(\d+)((?:\.\d+)+)",
        lambda m: f"{m.group(1)}{int(m.group(2)) + offset}{m.group(3)}",
        line,
    )


def big_agreement(kb: int) -> str:
    """The developer agreement's chapters, repeated and renumbered, to about ``kb`` KB."""
    source = ROOT / "tracker" / "data" / "meeting-api-agreement.md"
    lines = from_markdown(source.read_text("utf-8")).splitlines()
    body = [line for line in lines if not line.startswith(("**", "欢迎"))]
    out, chapter = lines[:5], 0
    while len("\n".join(out).encode()) < kb * 1024:
        out.extend(_renumber(line, chapter) for line in body)
        chapter += 9
    return "\n".join(out) + "\n"


def _scrambled(line: str, rng: random.Random) -> str:
    """The line's number kept, its words shuffled: as unlike itself as a clause can get."""
    m = re.match(r"(\**\d+(?:\.\d+)*\**\s*|#+\s*\d+\.\s*)?(.*)", line)
    assert m is not None
    head, body = m.group(1) or "", list(m.group(2))
    rng.shuffle(body)
    return head + "".join(body)


def variants(text: str) -> dict[str, str]:
    lines = text.splitlines()
    n = len(lines)
    few = list(lines)
    few[n // 3] = few[n // 3] + "（经双方书面确认）"
    few[n // 2] = few[n // 2] + "本条另有约定的除外。"
    few[2 * n // 3] = few[2 * n // 3].replace("10", "30", 1) + "（30个自然日）"
    new_chapter = ["## 99. 新增章节", "99.1 新条款一。", "99.2 新条款二。"]
    inserted = [*lines[: n // 4], *new_chapter, *lines[n // 4 :]]
    rewritten = [ln.replace("您", "开发者") if i % 3 == 0 else ln for i, ln in enumerate(lines)]
    everything = [
        ln.replace("您", "开发者").replace("腾讯", "本公司").replace("应当", "须") + "（已修订）"
        if ln.strip()
        else ln
        for ln in lines
    ]
    rng = random.Random(7)
    return {
        "three clauses edited": "\n".join(few),
        "chapter inserted": "\n".join(inserted),
        "a third of clauses reworded": "\n".join(rewritten),
        "every clause reworded": "\n".join(everything),
        "every clause scrambled": "\n".join(_scrambled(ln, rng) for ln in lines),
    }


def timed(old: str, new: str) -> tuple[float, int]:
    """Milliseconds for what a check does with a changed text, from scratch: ``compare``
    (segment, align, diff each pair, read the figures), with no text's forms kept."""
    _segmented.cache_clear()
    _line_forms.cache_clear()
    start = time.perf_counter()
    found = compare(old, new, source_id="bench")
    return (time.perf_counter() - start) * 1000, len(found.changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, nargs="+", default=[100, 360], help="KB, each a table")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for size in args.size:
        old = big_agreement(size)
        print(f"\nagreement: {len(old.encode()) / 1024:.0f} KB, {len(old.splitlines())} lines")
        print(f"{'next version':<30} {'changes':>8} {'median ms':>10} {'max ms':>8}")
        for name, new in variants(old).items():
            runs = [timed(old, new) for _ in range(args.repeat)]
            times = [ms for ms, _ in runs]
            line = f"{statistics.median(times):>10.1f} {max(times):>8.1f}"
            print(f"{name:<30} {runs[0][1]:>8} {line}")


if __name__ == "__main__":
    main()
