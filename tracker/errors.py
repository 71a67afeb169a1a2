"""Typed errors.

A source that cannot be checked raises a :class:`SourceError`.  The class, not
the message, decides what happens next: ``transient`` errors are retried within
the run, ``blocked`` ones tell the user that the site refused us.  None of them
is ever read as "the agreement changed".
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence


class TrackerError(Exception):
    """Base of every error tracker raises on purpose."""


class ConfigError(TrackerError):
    """A configuration problem, reported as one line: file, key, problem."""

    def __init__(self, file: str, key: str | None, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {problem}")


class CommandError(TrackerError):
    """A command that stopped, with one line saying why; the subclass says whose fault."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class Refused(CommandError):
    """A command that did nothing, because what it was asked makes no sense here."""


class Failed(CommandError):
    """A command that could not do its work (the disk, a lock held by another tracker)."""


class StoreUnavailable(Failed):
    """The store cannot be used: its database cannot be reached, or its schema is too new."""


class UnknownSource(Refused):
    """A command named a source the configuration does not have: the same line everywhere."""

    def __init__(self, source_id: str, file: str, known: Sequence[str]) -> None:
        self.source_id = source_id
        listed = ", ".join(known) or "none"
        super().__init__(f"no source with id {source_id!r} in {file} (sources: {listed})")


class SourceError(TrackerError):
    """A source could not be checked this time; its snapshots stay untouched."""

    transient = False  # worth retrying within the run
    blocked = False  # the site served a refusal or a verification page

    def __init__(
        self, reason: str, *, transient: bool | None = None, blocked: bool | None = None
    ) -> None:
        self.reason = " ".join(reason.split())  # always one line
        if transient is not None:
            self.transient = transient
        if blocked is not None:
            self.blocked = blocked
        super().__init__(self.reason)


class FetchError(SourceError):
    """The page could not be downloaded (connection, DNS, TLS, timeout)."""

    transient = True


class HTTPError(FetchError):
    """The server answered with an error status."""

    def __init__(self, status: int, reason: str, retry_after: float | None = None) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(
            reason, transient=status == 429 or status >= 500, blocked=status in (401, 403, 429)
        )


class TooLargeError(FetchError):
    """The response is bigger than the configured cap; retrying will not help."""

    transient = False


class RenderError(SourceError):
    """The browser could not render the page: it crashed, could not start, or timed out."""

    transient = True


class BlockedError(SourceError):
    """An anti-bot, captcha or verification page was served instead of the agreement."""

    blocked = True


class ExtractError(SourceError):
    """The page holds no agreement text where the source says it should."""


class UnreadableError(SourceError):
    """The page cannot be read safely (nested past what any browser keeps): not retried, and
    never handed to a browser either."""


class RefusedError(SourceError):
    """The page was read, but is not taken as the agreement's next version.

    ``key`` identifies what was read (its comparison key), so that ``tracker
    accept`` can record that very page, and only that one, if the user says it
    is right after all.
    """

    def __init__(self, reason: str, *, key: str) -> None:
        self.key = key
        super().__init__(reason)


class TruncatedError(RefusedError):
    """The text is implausibly shorter than the last good version, made of its lines."""


class NotTheDocumentError(RefusedError):
    """The page holds some other document than the one the source watches."""


class NotADocumentError(RefusedError):
    """The page is a "not found", login, search or home page served as if it were the agreement."""


class StateError(SourceError):
    """The source's folder in the state folder cannot be read or written (disk full, …)."""


class LockTimeout(SourceError):
    """Another tracker process kept the source's state locked for too long."""


def describe_os_error(exc: OSError) -> str:
    """One line for a file-system error: what went wrong, and where."""
    what = "disk full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else exc.strerror
    what = (what or type(exc).__name__).lower() if what != "disk full" else what
    where = exc.filename if exc.filename is not None else ""
    return f"{what}: {os.fsdecode(where)}" if where else what
