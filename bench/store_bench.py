"""Benchmark: one `tracker check` round at N sources, the state folder against PostgreSQL.

    pip install -e '.[bench,postgresql]'
    python bench/store_bench.py [--pages 1000] [--repeat 3] [--shards 1]

Serves N generated agreement pages (as bench/scale_bench.py does), starts a
throwaway PostgreSQL server (tests/postgres.py: Debian's, in a temporary folder,
fsync on), and times the three phases of scale_bench (first run, unchanged, 5 %
changed) with the versions in the state folder and in a fresh database, the two
stores taking turns to go first.  With --shards N the PostgreSQL runs are N
`tracker check --shard K/N` processes at once, as N machines would run them.
It prints a table; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale_bench import (  # noqa: E402
    PHASES,
    agreement,
    page,
    run_measured,
    serve,
    settle,
    tracker_tool,
    warm,
)

from tests import postgres  # noqa: E402

OUT = ROOT / "bench" / "out-store"
DSN_VAR = "TRACKER_BENCH_DSN"


def write_config(folder: Path, base: str, n: int, database: bool) -> None:
    tracker_tool(folder, base, n, "auto", (f'store_env = "{DSN_VAR}"',) if database else ())


def command(shard: str | None) -> list[str]:
    cmd = [sys.executable, "-m", "tracker", "check", "--json", "--config", "tracker.toml"]
    return [*cmd, "--shard", shard] if shard else cmd


def timed_shards(folder: Path, shards: int) -> tuple[float, float, set[str]]:
    """N shards at once: wall time of the slowest, CPU of all, the changed sources."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    quiet = subprocess.DEVNULL
    procs = [
        subprocess.Popen(command(f"{k}/{shards}"), cwd=folder, stdout=subprocess.PIPE, stderr=quiet)
        for k in range(shards)
    ]
    changed: set[str] = set()
    for proc in procs:
        text, _ = proc.communicate()
        changed |= {s["id"] for s in json.loads(text)["sources"] if s["status"] == "changed"}
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, changed


def round_of(args: argparse.Namespace, number: int, base: str, server: postgres.Server) -> dict:  # type: ignore[type-arg]
    rng = random.Random(args.seed + number)
    pages_dir = OUT / "pages"
    for old in pages_dir.iterdir():
        old.unlink()
    texts = [agreement(i, rng) for i in range(args.pages)]
    for i, text in enumerate(texts):
        (pages_dir / f"{i}.html").write_bytes(page(text, rng))
    folders = {name: OUT / f"round{number}" / name for name in ("folder", "postgresql")}
    for name, folder in folders.items():
        folder.mkdir(parents=True)
        write_config(folder, base, args.pages, name == "postgresql")
    os.environ[DSN_VAR] = server.fresh()
    k = max(1, args.pages // 20)
    picks = rng.sample(range(args.pages), 2 * k)
    results = {}
    for phase in PHASES:
        if phase == "5% changed":
            for i in picks[:k]:
                texts[i] = texts[i].replace("提前10个自然日", f"提前{rng.randint(1, 9)}个自然日", 1)
                (pages_dir / f"{i}.html").write_bytes(page(texts[i], rng))
            for i in picks[k:]:
                (pages_dir / f"{i}.html").write_bytes(page(texts[i], rng))
        warm(base, args.pages)
        wording = {f"p{i}" for i in picks[:k]} if phase == "5% changed" else set()
        order = list(folders.items())
        for name, folder in order if number % 2 else order[::-1]:
            settle()
            if name == "postgresql" and args.shards > 1:
                wall, cpu, changed = timed_shards(folder, args.shards)
            else:
                wall, cpu, _, _, out = run_measured(command(None), folder)
                changed = {s["id"] for s in json.loads(out)["sources"] if s["status"] == "changed"}
            results[(phase, name)] = (wall, cpu, changed == wording)
            line = f"round {number} {phase:<11} {name:<10} {wall:6.2f} s {cpu:6.2f} s cpu"
            print(line, file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shards", type=int, default=1, help="PostgreSQL runs as N shards")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "tracker")], check=True)
    shutil.rmtree(OUT, ignore_errors=True)
    (OUT / "pages").mkdir(parents=True)
    server = postgres.start(durable=True)
    mp = multiprocessing.get_context("spawn")
    counts = {200: mp.Value("i", 0), 304: mp.Value("i", 0)}
    port = mp.Value("i", 0)
    web = mp.Process(target=serve, args=(OUT / "pages", True, counts, port), daemon=True)
    web.start()
    while not port.value:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port.value}"
    try:
        rounds = [round_of(args, n, base, server) for n in range(args.repeat)]
    finally:
        web.terminate()
        server.stop()
        shutil.rmtree(OUT, ignore_errors=True)
    shards = f", PostgreSQL as {args.shards} shards at once" if args.shards > 1 else ""
    print(f"{args.pages} sources, median of {args.repeat} rounds{shards}\n")
    print("| run | state folder | PostgreSQL | ratio | changes found exactly |")
    print("| --- | --- | --- | --- | --- |")
    for phase in PHASES:
        folder = statistics.median(r[(phase, "folder")][0] for r in rounds)
        database = statistics.median(r[(phase, "postgresql")][0] for r in rounds)
        exact = all(r[(phase, n)][2] for r in rounds for n in ("folder", "postgresql"))
        ratio = database / folder
        mark = "yes" if exact else "NO"
        print(f"| {phase} | {folder:.2f} s | {database:.2f} s | {ratio:.2f} | {mark} |")


if __name__ == "__main__":
    main()
