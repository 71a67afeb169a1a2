"""Reaching people: channels (Slack, email, webhook, and apprise for every other service), the
outbox they are sent from, and what every channel says.

``channel`` defines what a channel is and registers the kinds; ``text`` is the
headline and body every rendering shares; ``outbox`` keeps messages until each
channel has them; ``courier`` is the HTTP client a delivery run shares.
"""

from __future__ import annotations

from . import apprise, email, slack, webhook  # noqa: F401  (each registers its kind)
from .channel import Channel, DeliveryError, kinds, register

__all__ = ["Channel", "DeliveryError", "kinds", "register"]
