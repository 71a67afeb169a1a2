"""Benchmark: `tracker check` over N agreement pages, side by side with urlwatch.

    pip install -e '.[bench]'
    python bench/scale_bench.py [--pages 100 300 1000] [--repeat 3] [--no-urlwatch] [--no-etag]
                                [--processes auto|N]

Serves N generated agreement pages (20-60 KB of Chinese text inside page
chrome) from a local server process, then times three phases for each tool,
each run a fresh process:

1. first run: every page is new;
2. unchanged run: nothing changed;
3. changed run: 5 % of the pages changed a clause, another 5 % only chrome.

For each it reports wall time, CPU time and peak memory (of the measured
process and any it starts, sampled; as PSS, where pages two processes share count
once, and as summed RSS, where they count in each), how many pages the server
sent whole (200) or as "not modified" (304), and whether the set of changed
sources is exactly the 5 % whose wording changed.  urlwatch runs on the same
pages with an equivalent CSS filter (`css: "#docArticleContent"` then `html2text`, its default
method).  The disk is synced and left to settle before every measured run, the
tools take turns going first, and the table shows the median of --repeat
rounds (each from scratch), after the server has served every page once.
It prints a table; it is not a test.

--no-etag serves the pages without validators, so an unchanged run has to
fall back on comparing the bytes it downloads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pages import AGREEMENT, body_html, cloud_page  # noqa: E402

OUT = ROOT / "bench" / "out"
PHASES = ("first run", "unchanged", "5% changed")


# -- pages ---------------------------------------------------------------------------------


def agreement(i: int, rng: random.Random) -> str:
    """A unique agreement of 20-60 KB: the developer agreement renamed, chapters repeated."""
    target = rng.randint(9, 34) * 1024  # of text, for 20-60 KB of page
    text = AGREEMENT.replace("腾讯会议", f"腾讯产品{i}号")
    chapters = re.split(r"(?m)^(?=## \d+\.)", text)
    text = "".join(chapters[:4])  # the preamble and chapters 1-3 (with clause 2.7)
    extra, n = [], 4
    while len((text + "".join(extra)).encode()) < target:
        chapter = rng.choice(chapters[3:])
        old = re.match(r"## (\d+)\.", chapter)
        if old:
            renumbered = rf"(?m)^(\**)(## )?{old.group(1)}(\.)"
            extra.append(re.sub(renumbered, rf"\g<1>\g<2>{n}\3", chapter))
            n += 1
    return text + "".join(extra)


def page(text: str, rng: random.Random) -> bytes:
    """The agreement inside page chrome whose timestamp, view count and token vary."""
    day, hour, minute = rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)
    return cloud_page(
        body=body_html(text),
        updated=f"2026-11-{day:02d} {hour:02d}:{minute:02d}:00",
        views=rng.randint(100, 99999),
        token=f"{rng.getrandbits(64):016x}",
    ).encode()


class Handler(BaseHTTPRequestHandler):
    """Serves pages/N.html, with an ETag (and 304 to a matching If-None-Match) unless told not.

    HTTP/1.1 with keep-alive, as every real web server speaks; a client that opens a
    new connection per page pays for it, as it would on the internet.
    """

    root: Path
    etags = True
    counts: dict[int, multiprocessing.Value]  # type: ignore[valid-type]
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as real servers do on keep-alive connections

    def do_GET(self) -> None:
        path = self.root / (self.path.strip("/") + ".html")
        try:
            body = path.read_bytes()
        except OSError:
            self.send_error(404)
            return
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if self.etags and self.headers.get("If-None-Match") == etag:
            self._count(304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._count(200)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.etags:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def _count(self, status: int) -> None:
        with self.counts[status].get_lock():
            self.counts[status].value += 1

    def log_message(self, *args: object) -> None:
        pass


def serve(root: Path, etags: bool, counts: dict, port: multiprocessing.Value) -> None:  # type: ignore[type-arg, valid-type]
    Handler.root, Handler.etags, Handler.counts = root, etags, counts
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port.value = server.server_address[1]
    server.serve_forever()


# -- tools ---------------------------------------------------------------------------------


@dataclass
class Tool:
    name: str
    command: list[str]
    changed: Callable[[str], set[str]]
    warmup: list[str]  # loads the tool's code and does nothing else


def tracker_tool(
    folder: Path, base: str, n: int, processes: str, settings: tuple[str, ...] = ()
) -> Tool:
    """tracker on the N pages; ``settings``: more ``[tracker]`` lines (bench/store_bench.py)."""
    lines = ["[tracker]", 'state_dir = "state"', "retries = 0", *settings]  # else the defaults
    lines.append(f"processes = {processes if processes.isdigit() else json.dumps(processes)}")
    for i in range(n):
        lines += [
            "[[source]]",
            f'id = "p{i}"',
            f'url = "{base}/{i}"',
            'selector = "#docArticleContent"',
            'remove = [".doc-share"]',
        ]
    (folder / "tracker.toml").write_text("\n".join(lines) + "\n")
    cmd = [sys.executable, "-m", "tracker", "check", "--json", "--config", "tracker.toml"]

    def changed(out: str) -> set[str]:
        return {s["id"] for s in json.loads(out)["sources"] if s["status"] == "changed"}

    return Tool("tracker", cmd, changed, [sys.executable, "-m", "tracker", "--help"])


def urlwatch_tool(folder: Path, base: str, n: int) -> Tool | None:
    exe = shutil.which("urlwatch") or str(Path(sys.executable).parent / "urlwatch")
    if not Path(exe).exists():
        return None
    job = 'name: "p{i}"\nurl: "{base}/{i}"\nfilter:\n  - css: "#docArticleContent"\n  - html2text\n'
    (folder / "urls.yaml").write_text("---\n".join(job.format(i=i, base=base) for i in range(n)))
    (folder / "urlwatch.yaml").write_text(
        "display:\n  new: true\n  error: true\n  unchanged: false\n"
        "report:\n  text:\n    details: true\n    footer: false\n    line_length: 75\n"
        "  stdout:\n    enabled: true\n    color: false\n"
    )
    (folder / "hooks.py").write_text("")
    cmd = [exe, "--urls", "urls.yaml", "--config", "urlwatch.yaml", "--cache", "cache.db"]
    cmd += ["--hooks", "hooks.py"]

    def changed(out: str) -> set[str]:
        return set(re.findall(r"^CHANGED: (p\d+)", out, re.M))

    return Tool("urlwatch", cmd, changed, [exe, "--help"])


def floor_tool(folder: Path, base: str, n: int) -> Tool:
    """A bare httpx loop over the same pages (bench/floor.py): the distance to the limit."""
    cmd = [sys.executable, str(ROOT / "bench" / "floor.py"), base, str(n), "etags.json"]
    return Tool("floor", cmd, lambda out: set(), [sys.executable, "-c", "import httpx"])


def warm(base: str, n: int) -> None:
    """Fetch every page once, so that whichever tool goes first finds the server warm."""
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: urllib.request.urlopen(f"{base}/{i}").read(), range(n)))


def settle() -> None:
    """Flush what earlier runs wrote, and wait for the disk to go quiet, so runs start even."""
    os.sync()
    pressure = Path("/proc/pressure/io")
    for _ in range(60):
        if not pressure.exists():
            time.sleep(1)
            return
        some = pressure.read_text().split()[1]  # "avg10=0.12"
        if float(some.split("=")[1]) < 0.5:
            return
        time.sleep(1)


def tree_memory(root: int) -> tuple[int, int]:
    """Kilobytes ``root`` and all its descendants hold right now: summed resident size, and
    summed proportional set size (each shared page divided among the processes that map it,
    so the interpreter and libraries two processes share count once).  Linux /proc."""
    rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # it ended meanwhile
    return rss, pss


def run_measured(cmd: list[str], cwd: Path) -> tuple[float, float, float, float, str]:
    """Wall seconds, CPU seconds, peak MB (summed RSS, then PSS) of one run, and its output.

    CPU time includes the processes the run started (wait4 counts the ones it
    waited for).  The peak is the most the whole process tree held at once, sampled
    every 10 ms: a tool that spreads its work over several processes pays for all
    of them.  (wait4's own peak would not do: a process started from this large
    one is charged with this one's memory at the moment it starts.)
    """
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    with ThreadPoolExecutor(1) as pool:
        output = pool.submit(proc.stdout.read)
        peak_kb = pss_kb = 0
        while not output.done():
            rss, pss = tree_memory(proc.pid)
            peak_kb, pss_kb = max(peak_kb, rss), max(pss_kb, pss)
            time.sleep(0.01)
        out = output.result()
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0  # reaped by wait4
    wall = time.perf_counter() - started
    return wall, usage.ru_utime + usage.ru_stime, peak_kb / 1024, pss_kb / 1024, out.decode()


# -- phases --------------------------------------------------------------------------------


@dataclass
class Measure:
    wall: float
    cpu: float
    peak: float  # MB, summed RSS
    pss: float  # MB, summed PSS
    exact: bool
    changed: int
    sent: int  # pages sent whole (200)
    not_modified: int  # 304s


def round_of(args: argparse.Namespace, pages: int, number: int, base: str, counts: dict) -> dict:  # type: ignore[type-arg]
    """One round of the three phases for every tool, from scratch."""
    rng = random.Random(args.seed + number)
    pages_dir = OUT / "pages"
    for old in pages_dir.iterdir():  # a smaller size after a larger one: no stray pages
        old.unlink()
    texts = [agreement(i, rng) for i in range(pages)]
    for i, text in enumerate(texts):
        (pages_dir / f"{i}.html").write_bytes(page(text, rng))
    run = OUT / f"{pages}-round{number}"
    folders = {name: run / name for name in ("tracker", "urlwatch", "floor")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    tools = [(tracker_tool(folders["tracker"], base, pages, args.processes), folders["tracker"])]
    watcher = None if args.no_urlwatch else urlwatch_tool(folders["urlwatch"], base, pages)
    if watcher is not None:
        tools.append((watcher, folders["urlwatch"]))
    tools.append((floor_tool(folders["floor"], base, pages), folders["floor"]))
    k = max(1, pages // 20)
    picks = rng.sample(range(pages), 2 * k)
    clause_changed, chrome_changed = picks[:k], picks[k:]
    results: dict[tuple[str, str], Measure] = {}
    for phase in PHASES:
        if phase == "5% changed":
            for i in clause_changed:
                days = f"提前{rng.randint(1, 9)}个自然日"
                texts[i] = texts[i].replace("提前10个自然日", days, 1)
                (pages_dir / f"{i}.html").write_bytes(page(texts[i], rng))
            for i in chrome_changed:
                (pages_dir / f"{i}.html").write_bytes(page(texts[i], rng))  # new stamp, token
        if phase != "unchanged":
            warm(base, pages)
        for tool, folder in tools:  # load each tool's code once, so none starts cold
            subprocess.run(tool.warmup, cwd=folder, capture_output=True)
        wording = {f"p{i}" for i in clause_changed} if phase == "5% changed" else set()
        order = tools if number % 2 else tools[::-1]  # take turns going first
        for tool, folder in order:
            settle()
            for c in counts.values():
                c.value = 0
            wall, cpu, peak, pss, out = run_measured(tool.command, folder)
            changed = tool.changed(out)
            expected = wording if tool.name != "floor" else set()  # it reads no wording
            if args.verbose:
                sent = f"{counts[200].value} sent, {counts[304].value} not modified"
                line = f"{wall:6.2f}s {cpu:6.2f}s cpu {peak:5.0f} MB  {sent}"
                where = f"{pages} pages, round {number}"
                print(f"{where} {phase:<11} {tool.name:<9} {line}", file=sys.stderr)
            results[(phase, tool.name)] = Measure(
                wall, cpu, peak, pss, changed == expected, len(changed),
                counts[200].value, counts[304].value,
            )  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--pages", type=int, nargs="+", default=[100, 300, 1000], help="sizes, each its own table"
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the table shows medians")
    parser.add_argument("--no-urlwatch", action="store_true")
    parser.add_argument("--no-etag", action="store_true", help="serve pages without validators")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--processes", default="auto", help="tracker's [tracker] processes")
    parser.add_argument("--verbose", action="store_true", help="print every run as it ends")
    parser.add_argument("--keep", action="store_true", help=f"keep {OUT} for inspection")
    args = parser.parse_args()
    # Bytecode compiled, as an installed package has it (pip compiles on install; an
    # editable install under PYTHONDONTWRITEBYTECODE would compile every module per run).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "tracker")], check=True)
    if OUT.exists():  # left by an interrupted run; deleting thousands of files takes a while
        shutil.rmtree(OUT)
        settle()
    (OUT / "pages").mkdir(parents=True)

    mp = multiprocessing.get_context("spawn")  # a server that shares nothing with this process
    counts = {200: mp.Value("i", 0), 304: mp.Value("i", 0)}
    port = mp.Value("i", 0)
    server = mp.Process(
        target=serve, args=(OUT / "pages", not args.no_etag, counts, port), daemon=True
    )
    server.start()
    while not port.value:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port.value}"

    tables = []
    for pages in args.pages:
        rounds = [round_of(args, pages, n, base, counts) for n in range(args.repeat)]
        sizes = [p.stat().st_size for p in (OUT / "pages").iterdir()]
        tables.append(table(args, pages, rounds, sizes))
    server.terminate()
    if not args.keep:  # after the timing: the next run starts on a quiet disk
        shutil.rmtree(OUT)
    print("\n\n".join(tables))


def goal(pages: int) -> float:
    """The most tracker may take, as a share of urlwatch's wall time (issue 21)."""
    return 0.5 if pages >= 1000 else 0.8


def table(args: argparse.Namespace, pages: int, rounds: list[dict], sizes: list[int]) -> str:  # type: ignore[type-arg]
    """The summary (Markdown, as the README shows it) and every tool's figures."""
    head = (
        f"{pages} pages, {min(sizes) // 1024}-{max(sizes) // 1024} KB each; median of "
        f"{args.repeat} rounds; validators {'off' if args.no_etag else 'on'}; tracker "
        f"processes {args.processes}"
    )
    names = sorted(
        {name for r in rounds for _, name in r}, key=("tracker", "urlwatch", "floor").index
    )
    med = {
        (phase, name): statistics.median(r[(phase, name)].wall for r in rounds)
        for phase in PHASES
        for name in names
    }
    lines = [head, ""]
    if "urlwatch" in names:
        lines += [
            "| run | tracker | urlwatch | ratio | goal | floor (bare httpx) "
            "| tracker peak, PSS (summed RSS) |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for phase in PHASES:
            ratio = med[(phase, "tracker")] / med[(phase, "urlwatch")]
            peak = max(r[(phase, "tracker")].peak for r in rounds)
            pss = max(r[(phase, "tracker")].pss for r in rounds)
            mark = "" if ratio <= goal(pages) else " (over)"
            lines.append(
                f"| {phase} | {med[(phase, 'tracker')]:.2f} s | {med[(phase, 'urlwatch')]:.2f} s "
                f"| {ratio:.2f}{mark} | {goal(pages)} | {med[(phase, 'floor')]:.2f} s "
                f"| {pss:.0f} MB ({peak:.0f} MB) |"
            )
        lines.append("")
    lines.append(
        f"{'phase':<11} {'tool':<9} {'wall s':>7} {'cpu s':>6} {'RSS MB':>7} {'PSS MB':>7} "
        f"{'200s':>5} {'304s':>5} {'changed':>8}  exact"
    )
    for phase in PHASES:
        for name in names:
            ms = [r[(phase, name)] for r in rounds]
            lines.append(
                f"{phase:<11} {name:<9} {med[(phase, name)]:>7.2f} "
                f"{statistics.median(m.cpu for m in ms):>6.2f} {max(m.peak for m in ms):>7.0f} "
                f"{max(m.pss for m in ms):>7.0f} "
                f"{ms[-1].sent:>5} {ms[-1].not_modified:>5} {ms[-1].changed:>8}  "
                f"{'yes' if all(m.exact for m in ms) else 'NO'}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
