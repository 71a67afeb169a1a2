"""One suite, both stores: the state folder and PostgreSQL answer the same interface alike."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.conftest import wait_until
from tracker.errors import LockTimeout
from tracker.message import Message, Outcome
from tracker.model import Event, Status
from tracker.store.opened import open_store
from tracker.store.source import pack
from tracker.store.state import State

TEXT = "## 第一条\n\n1.1 本协议自发布之日起生效。\n"


@pytest.fixture(params=["folder", "postgresql"])
def store(request, tmp_path: Path):
    if request.param == "folder":
        return open_store(tmp_path / "snapshots")
    url = request.getfixturevalue("pg_url")
    return open_store(tmp_path / "snapshots", url)


def _message(version: str) -> Message:
    about = Outcome(id="doc", name="协议", url="https://example.com/", status=Status.CHANGED,
                    version=version)  # fmt: skip
    return Message(f"doc__{version}", Event.CHANGE, "high", "2026-12-03T00:00:00Z", about)


def test_versions_are_recorded_in_order_and_found_by_name_prefix_and_word(store):
    record = store.source("doc")
    assert not record.exists() and record.versions.names() == []
    with record.lock():
        first = record.record(TEXT, {"origin": "fetch"}, pack(b"<p>one</p>"))
        second_name = record.next_name()
        record.record(TEXT + "改", {}, None, message=_message(second_name), name=second_name)
    assert record.exists()
    history = store.versions("doc")
    assert history.names() == [first.name, second_name]
    assert first.name.startswith("0001_") and second_name.startswith("0002_")
    latest = history.latest()
    assert latest.name == second_name and latest.text == TEXT + "改"
    assert latest.meta["text_hash"] and latest.meta["version"] == second_name
    assert history.find("0001").text == TEXT and history.find("previous").name == first.name
    assert history.before(second_name).name == first.name and history.before(first.name) is None
    assert history.get(first.name).raw == b"<p>one</p>" and latest.raw is None
    assert history.get(first.name).message is None
    assert latest.message.id == f"doc__{second_name}"
    assert history.newest_message().id == f"doc__{second_name}"
    with pytest.raises(LookupError, match="matches 2 versions"):
        history.find("000")
    assert list(store.source_ids()) == ["doc"]


def test_a_state_written_reads_back_and_a_touch_reads_as_an_unchanged_sighting(store):
    record = store.source("doc")
    assert record.read_state() == State()
    state = State(etag='"e1"', body_hash="h", last_status=Status.CHANGED, failures=0,
                  last_check="2026-12-03T10:00:00Z", last_seen="2026-12-03T10:00:00Z",
                  follows={"w": {"2.7": "2.8"}})  # fmt: skip
    with record.lock():
        record.write_state(state)
    again = store.source("doc").read_state()
    assert again.etag == '"e1"' and again.follows == {"w": {"2.7": "2.8"}}
    assert again.last_status is Status.CHANGED and again.last_check == "2026-12-03T10:00:00Z"
    store.source("doc").touch_state()
    touched = store.source("doc").read_state()
    assert touched.last_status is Status.UNCHANGED and touched.last_check > again.last_check
    # The touching check read the page and found its text: that is when it was last seen
    # (before: last_seen stayed at the last write, so a change said the old text was last
    # seen days before the unchanged checks that had seen it since).
    assert touched.last_seen == touched.last_check


def test_a_source_is_locked_against_every_other_holder(store):
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.source("doc").lock():
            holding.set()
            release.wait(20)

    holder = threading.Thread(target=hold)
    holder.start()
    wait_until(holding.is_set)
    busy = store.source("doc", lock_timeout=0.3)
    with pytest.raises(LockTimeout, match="locked by another tracker process"), busy.lock():
        pass
    with store.source("other", lock_timeout=0.3).lock():  # another source is free
        pass
    release.set()
    holder.join()
    with store.source("doc", lock_timeout=5).lock():
        pass


def test_recorders_taking_turns_under_the_lock_number_versions_without_a_gap(store):
    errors: list[BaseException] = []

    def recorder(n: int) -> None:
        try:
            for k in range(5):
                record = store.source("doc", lock_timeout=20)
                with record.lock():
                    record.record(f"{TEXT}{n}-{k}", {}, None)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=recorder, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    names = store.versions("doc").names()
    assert [int(n.split("_")[0]) for n in names] == list(range(1, 21))
    texts = {store.versions("doc").get(n).text for n in names}
    assert len(texts) == 20
