"""Shards: which sources one of N machines checks (``tracker check --shard K/N``).

A source belongs to the shard its id hashes to, so adding or removing a source
never moves another one; only a new N does.  K counts from 0 to N-1, as a
Kubernetes Indexed Job counts ``JOB_COMPLETION_INDEX``, so a manifest can say
``--shard $(JOB_COMPLETION_INDEX)/4``.  This splits the work between machines;
``[tracker] processes`` still splits one shard between cores.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..config import Config


@dataclass(frozen=True)
class Shard:
    index: int  # K, from 0
    count: int  # N

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``K/N``; ValueError saying what is wrong."""
        k, slash, n = text.partition("/")
        if not slash or not k.strip().isdigit() or not n.strip().isdigit():
            raise ValueError(f"{text!r} is not K/N (two whole numbers, as in 0/3)")
        shard = cls(int(k), int(n))
        if shard.count < 1:
            raise ValueError(f"{text!r}: N must be at least 1")
        if shard.index >= shard.count:
            raise ValueError(f"{text!r}: K counts from 0 to N-1 (0 to {shard.count - 1})")
        return shard

    def holds(self, source_id: str) -> bool:
        return shard_of(source_id, self.count) == self.index

    def of(self, config: Config) -> Config:
        """``config`` checking only this shard's sources, still knowing every other."""
        return config.part(tuple(s for s in config.sources if self.holds(s.id)))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(source_id: str, count: int) -> int:
    """The shard (0 to ``count``-1) a source id belongs to: the same on every machine."""
    digest = hashlib.sha256(source_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count
