"""A real sequence of versions to look back on: a baseline, two changes, an upgrade.

The source is seeded from the shipped agreement; the live page then changes
clause 2.7 (10 → 3 days), then clause 9.1, and then the configuration widens
the selector to the whole document area, which the next check records as an
``upgrade`` without an alert.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .conftest import ROOT, Run, Site, doc_source, write_config
from .pages import AGREEMENT, change_clause, cloud_page

BASELINE = ROOT / "tracker" / "data" / "meeting-api-agreement.md"
FEES = ("提前10个自然日", "提前3个自然日")
WHOLE = ("腾讯有权在必要时单方修改本协议", "腾讯有权随时单方修改本协议")
WIDER = [".doc-main"]


@dataclass
class Story:
    folder: Path
    site: Site
    run: Callable[..., Run]
    source: dict[str, Any] = field(default_factory=dict)
    checks: list[Run] = field(default_factory=list)  # the check --json of each step
    text: str = ""  # the agreement the page serves now
    settings: dict[str, Any] = field(default_factory=dict)
    extra: str = '\n[[watch]]\nname = "fees"\nclauses = ["2.7"]\nseverity = "critical"\n'

    @property
    def config(self) -> Path:
        return self.folder / "tracker.toml"

    @property
    def state(self) -> Path:
        return self.folder / "snapshots"

    def configure(self, **changes: Any) -> None:
        self.source = {**self.source, **changes}
        write_config(self.folder, [self.source], self.settings, self.extra)

    def check(self, *more: str) -> Run:
        done = self.run("check", "--json", "-c", self.config, *more)
        self.checks.append(done)
        return done

    def tracker(self, *args: str | Path) -> Run:
        return self.run(*args, "-c", self.config)


def told(folder: Path, site: Site, run: Callable[..., Run], upgrade: bool = True) -> Story:
    """Baseline, change of 2.7, change of 9.1 and (if ``upgrade``) a wider selector."""
    story = Story(folder, site, run)
    site.page("/doc", cloud_page())
    story.configure(**doc_source(site.url("/doc")), baseline=str(BASELINE))
    assert story.check().code == 0  # the page is the baseline: nothing recorded
    text = change_clause(AGREEMENT, *FEES)
    site.page("/doc", cloud_page(text, updated="2026-11-25 09:00:00"))
    assert story.check().code == 1
    text = change_clause(text, *WHOLE)
    site.page("/doc", cloud_page(text, updated="2026-11-28 09:00:00"))
    assert story.check().code == 1
    story.text = text
    if upgrade:
        story.configure(selector=WIDER)
        assert story.check().code == 0
    return story
