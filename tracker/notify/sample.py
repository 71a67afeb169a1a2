"""The message ``tracker notify --test`` sends: clause 2.7's notice period shortened."""

from __future__ import annotations

from dataclasses import replace

from ..compare.changes import diff
from ..message import Message, Outcome
from ..model import Event, Status
from ..stamps import isoformat, utcnow


def sample_message() -> Message:
    """A realistic message, so each channel shows what a real one will look like."""
    old = "2.7 腾讯将会提前10个自然日通过网站页面、弹窗、短信或邮件等方式公布收费规则。"
    new = old.replace("10个自然日", "3个自然日")
    [change] = diff(old, new)
    change = replace(change, path=("2. 重要提示", "2.7"), severity="warning")
    about = Outcome(
        id="tracker-test",
        name="tracker test message",
        url="https://example.com/",
        status=Status.CHANGED,
        severity="warning",
        changes=(change,),
    )
    return Message("tracker-test", Event.TEST, "warning", isoformat(utcnow()), about)
