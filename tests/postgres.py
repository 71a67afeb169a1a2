"""A throwaway PostgreSQL server for the tests: Debian's, in a temporary folder, on loopback.

Started once per test session (``initdb`` then ``postgres``); each test gets a
database of its own.  As root, the server runs as the ``postgres`` user (or
``nobody``), since PostgreSQL refuses to run as root.  When no server can be
started, the tests that need one are skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def _bindir() -> Path | None:
    """Where ``initdb`` and ``postgres`` are: on PATH, else Debian's versioned folder."""
    found = shutil.which("initdb")
    if found and shutil.which("postgres"):
        return Path(found).resolve().parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    folder: Path
    port: int
    process: subprocess.Popen[bytes]
    _count: int = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://tracker@127.0.0.1:{self.port}/{database}"

    def fresh(self) -> str:
        """The URL of a new, empty database."""
        import psycopg

        self._count += 1
        name = f"t{os.getpid()}_{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
        return self.url(name)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def start(durable: bool = False) -> Server:
    """Start a server; RuntimeError saying why one cannot run here.

    The tests' server skips syncing (a throwaway cluster); ``durable`` keeps
    PostgreSQL's defaults, for a benchmark that should pay what production pays.
    """
    try:
        import psycopg
    except ImportError as exc:
        raise RuntimeError(f"psycopg is not installed ({exc})") from None
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL server (initdb) installed")
    user = None
    if os.geteuid() == 0:  # PostgreSQL will not run as root
        for name in ("postgres", "nobody"):
            try:
                user = pwd.getpwnam(name)
                break
            except KeyError:
                continue
        if user is None:
            raise RuntimeError("running as root with no unprivileged user to run PostgreSQL")
    folder = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    data = folder / "data"
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
    as_user = {"user": user.pw_uid, "group": user.pw_gid} if user else {}
    init = subprocess.run(
        [
            bindir / "initdb",
            "-D",
            data,
            "-U",
            "tracker",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ],
        capture_output=True,
        text=True,
        **as_user,  # type: ignore[arg-type]
    )
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr.strip()[-300:]}")
    port = _free_port()
    options = [
        "-c", "listen_addresses=127.0.0.1", "-c", f"port={port}",
        "-c", f"unix_socket_directories={folder}", "-c", "max_connections=400",
    ]  # fmt: skip
    if not durable:
        options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - the server writes it until stopped
    process = subprocess.Popen(
        [bindir / "postgres", "-D", data, *options],
        stdout=log,
        stderr=log,
        **as_user,  # type: ignore[arg-type]
    )
    server = Server(folder, port, process)
    deadline = time.monotonic() + 30
    import psycopg

    while True:
        try:
            psycopg.connect(server.url(), connect_timeout=2).close()
            return server
        except psycopg.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                tail = (folder / "server.log").read_text(errors="replace")[-300:]
                raise RuntimeError(f"postgres did not start: {tail}") from None
            time.sleep(0.1)
