"""Benchmark: clause-aware diff of two versions of a ~100 KB agreement.

    python bench/diff_bench.py [--size 100] [--repeat 20]

Builds a Chinese agreement of about --size KB from the developer agreement
(its chapters repeated under new numbers), then times `tracker.compare.changes.diff`
between it and three kinds of next version.  Goal: well under 100 ms each.
Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.compare.changes import diff  # noqa: E402
from tracker.text.markdown import from_markdown  # noqa: E402
from tracker.text.normalise import comparable  # noqa: E402


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
    return {
        "three clauses edited": "\n".join(few),
        "chapter inserted": "\n".join(inserted),
        "a third of clauses reworded": "\n".join(rewritten),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100, help="agreement size in KB")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    old = big_agreement(args.size)
    print(f"agreement: {len(old.encode()) / 1024:.0f} KB, {len(old.splitlines())} lines\n")
    print(f"{'next version':<30} {'changes':>8} {'median ms':>10} {'max ms':>8}")
    start = time.perf_counter()
    comparable(old)
    elapsed = (time.perf_counter() - start) * 1000
    print(f"{'(unchanged: comparison form)':<30} {0:>8} {elapsed:>10.1f}")
    for name, new in variants(old).items():
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            changes = diff(old, new)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{name:<30} {len(changes):>8} {statistics.median(times):>10.1f} {max(times):>8.1f}")


if __name__ == "__main__":
    main()
