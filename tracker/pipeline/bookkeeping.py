"""What a check leaves in a source's state, and the messages a source's state owes.

Every check ends here, however it went: a success records the page's
validators and clears the failure streak (telling "recovered" once if the
streak had been told); a failure counts the streak and tells "failing" once
when it persists; and the newest version's message is made sure to be heard.
``tracker check``, the daemon and ``tracker accept`` share it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..compare.severity import followings, prune
from ..config import Config, Source
from ..errors import LockTimeout, RefusedError, SourceError
from ..message import Message
from ..model import Event, Following, Page, Severity, Status
from ..stamps import isoformat, utcnow
from ..store.base import SourceRecord
from ..store.state import State
from .events import Listener
from .result import Result

# What a check that recorded or found nothing new leaves as its status.
_SETTLED = (Status.BASELINE, Status.UNCHANGED, Status.CHANGED, Status.ACCEPTED)


class Bookkeeping:
    """One source's state between checks (callers hold its lock, but for failed_unlocked)."""

    def __init__(
        self, source: Source, config: Config, store: SourceRecord, listeners: Sequence[Listener]
    ) -> None:
        self.source = source
        self.config = config
        self.store = store
        self.listeners = listeners

    def tell(self, message: Message) -> None:
        """Tell every listener (the outbox, when there are channels) what happened."""
        for listener in self.listeners:
            listener.heard(message)

    def succeeded(
        self,
        state: State,
        page: Page,
        body_hash: str | None,
        status: Status,
        version: str | None = None,
        form_hash: str | None = None,
        notes: Sequence[str] = (),
    ) -> Result:
        """Record a successful check: the page's validators now describe the last good text.

        ``notes`` are what the check found and worked around, for its result.
        """
        now = isoformat(utcnow())
        if version is not None or form_hash is not None:
            state.form_hash = form_hash  # the comparison form of the latest version, if known
        last_error = state.last_error
        if not page.not_modified:
            state.etag, state.last_modified = page.etag, page.last_modified
            state.body_hash = body_hash
        state.fingerprint = self.source.fingerprint
        state.last_check, state.last_status, state.last_error = now, status, None
        state.last_seen = now
        state.shrink_hash, state.shrink_count, state.refused = None, 0, None
        if status is Status.CHANGED:
            state.last_change = now
        if state.failure_alerted:
            recovered = Result(
                self.source,
                status,
                error=last_error,
                failures=state.failures,
                since=state.failing_since,
            )
            self._failure_message(Event.RECOVERED, state, recovered)
        state.failures, state.failing_since, state.failure_alerted = 0, None, False
        state.follows = prune(state.follows, self.source.id, self.config.watches)
        self._catch_up(state)
        self.store.write_state(state)
        following = self.following(state)
        return Result(self.source, status, version=version, following=following, notes=[*notes])

    def following(self, state: State) -> list[Following]:
        return followings(self.source.id, self.config.watches, state.follows)

    def _catch_up(self, state: State) -> None:
        """Make sure the newest version's message is heard, then note it in the state.

        ``state.version`` names the newest version whose message is known to have
        been told; a run killed between recording and telling leaves it behind.
        """
        names = self.store.versions.names()
        newest = names[-1] if names else None
        if (
            newest != state.version
            and self.listeners
            and (message := self.store.versions.newest_message())
        ):
            self.tell(message)
        state.version = newest

    def settled(self, state: State, names: list[str]) -> bool:
        """Whether an unchanged page leaves nothing in the state to update but the time."""
        return (
            state.last_status in _SETTLED
            and bool(names)
            and state.version == names[-1]
            and state.fingerprint == self.source.fingerprint
            and not (state.failures or state.failure_alerted or state.shrink_count)
        )

    def failed_unlocked(self, exc: SourceError) -> Result:
        """Count a failure that happened before the lock was taken."""
        if isinstance(exc, LockTimeout):  # waiting again would only double the delay
            return Result(self.source, Status.ERROR, error=exc.reason)
        try:
            with self.store.lock():
                return self.failed(self.store.read_state(), exc)
        except (SourceError, OSError):  # locked elsewhere, or no folder to count in
            return Result(self.source, Status.ERROR, error=exc.reason, blocked=exc.blocked)

    def failed(self, state: State, exc: SourceError) -> Result:
        """Count the failure, alerting once when it persists; versions stay as they were."""
        now = isoformat(utcnow())
        reason = self.source.scrub(exc.reason)
        state.last_check, state.last_status, state.last_error = now, Status.ERROR, reason
        if isinstance(exc, RefusedError):  # what `tracker accept` may record
            state.refused = exc.key
        state.failures += 1
        state.failing_since = state.failing_since or now
        result = Result(
            self.source,
            Status.ERROR,
            error=exc.reason,
            blocked=exc.blocked,
            failures=state.failures,
            following=self.following(state),
            since=state.failing_since,
        )
        if state.failures >= self.config.settings.failure_alert_after and not state.failure_alerted:
            self._failure_message(Event.FAILING, state, result)
            state.failure_alerted = True
        self.store.write_state(state)
        return result

    def _failure_message(self, event: Event, state: State, result: Result) -> None:
        if not self.listeners:
            return
        since = (state.failing_since or "").replace("-", "").replace(":", "")
        message_id = f"{self.source.id}__{event}__{since}"
        warning = Severity.WARNING
        self.tell(Message(message_id, event, warning, isoformat(utcnow()), result.outcome()))
