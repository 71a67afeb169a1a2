"""Copying one store's whole history into another (``tracker store copy``), either way.

Each version keeps its name, text, metadata, raw page and message; each source
its state.  What the target already holds is left alone, so a copy run twice,
or run again after a kill, changes nothing the first did.  Messages waiting in
the outbox are the queue's to copy (:mod:`tracker.commands.store`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .base import Store
from .source import pack


@dataclass
class Copied:
    """What a copy did."""

    sources: int = 0
    versions: int = 0
    present: int = 0  # versions the target held already
    states: int = 0
    skipped: list[str] = field(default_factory=list)  # versions that could not be read


def copy_store(source: Store, target: Store, lock_timeout: float = 30.0) -> Copied:
    """Copy every source's versions and state from ``source`` into ``target``."""
    done = Copied()
    for sid in source.source_ids():
        done.sources += 1
        history = source.versions(sid)
        record = target.source(sid, lock_timeout)
        with record.lock():
            held = set(record.versions.names())
            for name in history.names():
                if name in held:
                    done.present += 1
                    continue
                try:
                    version = history.get(name)
                    text, raw, message = version.text, version.raw, version.message
                except (OSError, ValueError) as exc:
                    done.skipped.append(f"{sid} {name}: {type(exc).__name__}")
                    continue
                packed = pack(raw) if raw is not None else None
                record.record(text, dict(version.meta), packed, message=message, name=name)
                done.versions += 1
            state = source.source(sid).read_state()
            if record.read_state() != state:
                record.write_state(state)
                done.states += 1
    return done
