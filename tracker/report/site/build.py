"""Writing the report: a whole new site beside the old one, then one rename to switch.

``DIR`` is a symbolic link to the current build, kept in ``.DIR.builds/``
beside it.  A refresh writes a complete build there, points a new link at it
and renames the link over ``DIR``: a reader (a browser, a web server) sees
the old site or the new one, never half of either.  Older builds are then
removed.  Builds from a cron run and the daemon at once take turns (a file
lock).  A folder at ``DIR`` that tracker did not write is never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import filelock

from ...config import Config, change_path
from ...errors import Failed, Refused, describe_os_error
from ...stamps import isoformat, utcnow
from .data import collect, source_path
from .feed import feed
from .pages import change_page, index_page, source_page

MARKER = ".tracker-report"  # in every build: says the folder is tracker's to replace
BUILDS_MARKER = ".tracker-builds"  # in the builds folder beside the report: tracker's to sweep
LOCK_TIMEOUT = 60.0


class ReportError(Refused):
    """The report cannot be written where it was asked for (one line, for the user)."""


class ReportFailed(Failed):
    """Writing the report failed (the disk, or another tracker holding it)."""


@dataclass(frozen=True)
class Built:
    path: Path
    sources: int
    changes: int


def build(config: Config, out: Path) -> Built:
    """Write the report of every configured source to ``out``, switching it as a whole.

    Raises ReportError when ``out`` is not tracker's to write, ReportFailed when writing fails.
    """
    out = out.absolute()
    try:
        return _build(config, out)
    except filelock.Timeout:  # an OSError too: first
        raise ReportFailed(f"{out}: another tracker is writing it") from None
    except OSError as exc:
        raise ReportFailed(describe_os_error(exc)) from None


def _build(config: Config, out: Path) -> Built:
    if not out.name or out.parent == out:
        raise ReportError(f"{out} is not a folder tracker can write a report to")
    builds = out.parent / f".{out.name}.builds"
    _must_be_ours(out, builds)  # before anything is made: a refused folder leaves nothing
    _builds_must_be_ours(builds)
    if not builds.exists():
        builds.mkdir(parents=True)
        (builds / BUILDS_MARKER).write_text("Builds of tracker's report, swept by tracker.\n")
    with filelock.FileLock(builds / ".lock", timeout=LOCK_TIMEOUT):
        _must_be_ours(out, builds)
        stage = builds / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.time_ns()}"
        stage.mkdir()
        served = config.settings.report_url if out == _report_dir(config) else None
        try:
            built = _write(config, stage, served)
            _publish(stage, out, builds)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        _sweep(builds, keep=stage)
    return Built(out, *built)


def _must_be_ours(out: Path, builds: Path) -> None:
    if out.is_symlink():
        target = Path(os.path.realpath(out))
        if target.parent != Path(os.path.realpath(builds)):
            raise ReportError(f"{out} is a link that tracker did not make; choose another folder")
    elif out.is_dir():
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise ReportError(
                f"{out} holds files tracker did not write; choose an empty or new folder"
            )
    elif out.exists():
        raise ReportError(f"{out} is a file, not a folder")


def _builds_must_be_ours(builds: Path) -> None:
    """The builds folder beside the report is tracker's, or it is never written or swept."""
    refused = f"{builds} is a folder tracker did not make; move it, or choose another folder"
    if builds.is_symlink() or (builds.exists() and not builds.is_dir()):
        raise ReportError(refused)
    if not builds.exists() or (builds / BUILDS_MARKER).is_file():
        return
    # One an earlier release made has no marker: its lock, links and builds, nothing else.
    for entry in builds.iterdir():
        ours = entry.name == ".lock" or entry.name.startswith(".link-")
        if not ours and not (_a_build(entry) or _empty_folder(entry)):
            raise ReportError(refused)
    (builds / BUILDS_MARKER).write_text("Builds of tracker's report, swept by tracker.\n")


def _a_build(entry: Path) -> bool:
    return entry.is_dir() and not entry.is_symlink() and (entry / MARKER).is_file()


def _empty_folder(entry: Path) -> bool:
    return entry.is_dir() and not entry.is_symlink() and not any(entry.iterdir())


def _report_dir(config: Config) -> Path | None:
    folder = config.settings.report_dir
    return folder.absolute() if folder is not None else None


def _write(config: Config, stage: Path, served: str | None) -> tuple[int, int]:
    """Every page and feed into ``stage``; feeds link absolutely where the report is served."""
    reports = collect(config)
    generated = isoformat(utcnow())
    (stage / MARKER).write_text(
        "Written by tracker (tracker report). The whole folder is replaced at each refresh.\n",
        "utf-8",
    )
    (stage / "sources").mkdir()
    (stage / "index.html").write_text(index_page(reports, generated), "utf-8")
    everything = [c for r in reports for c in r.changes]
    title = "tracker: changes to the agreements tracked"
    top = f"{served}/" if served else ""
    (stage / "feed.xml").write_bytes(feed(title, "all", everything, top, generated))
    for r in reports:
        sid = r.source.id
        (stage / source_path(sid)).write_text(source_page(r), "utf-8")
        own = feed(f"tracker: {r.source.name}", f"source/{sid}", r.changes, top or "../", generated)
        (stage / "sources" / f"{sid}.xml").write_bytes(own)
        if r.changes:
            (stage / "changes" / sid).mkdir(parents=True)
        for c in r.changes:
            (stage / change_path(sid, c.entry.version)).write_text(change_page(c), "utf-8")
    return len(reports), len(everything)


def _publish(stage: Path, out: Path, builds: Path) -> None:
    """Point ``out`` at ``stage`` in one rename (the first time, a folder there moves aside)."""
    link = builds / f".link-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    os.symlink(os.path.relpath(stage, out.parent), link)
    if out.is_dir() and not out.is_symlink():  # an earlier plain folder of ours, or empty
        os.replace(out, builds / f"previous-{time.time_ns()}")
    os.replace(link, out)


def _sweep(builds: Path, keep: Path) -> None:
    """Remove the builds before ``keep``: folders tracker wrote, never through a link."""
    for entry in builds.iterdir():
        if entry != keep and (_a_build(entry) or _empty_folder(entry)):
            shutil.rmtree(entry, ignore_errors=True)


def refresh(config: Config) -> str | None:
    """Rebuild the configured report; a problem is one line to show, never a failed run."""
    if config.settings.report_dir is None:
        return None
    try:
        build(config, config.settings.report_dir)
    except (ReportError, ReportFailed) as exc:
        return f"report: {exc.reason}"
    return None
