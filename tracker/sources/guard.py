"""Where a page may lead: never into private networks the source is not itself on.

A watched page that redirects to a cloud's metadata service (169.254.169.254) or
to an address of the network tracker runs in would have tracker fetch it and
record, then send, what it answers.  Redirects, and what a rendered page loads,
are checked: an address that is private, link-local, loopback, reserved or
multicast is refused, unless it is the source's own host, or loopback for a
source on loopback (tests and local use), or ``allow_private = true``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from ..errors import FetchError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class PrivateAddressError(FetchError):
    """A redirect (or a rendered page) led to an address in a private network."""

    transient = False


def _inner(address: Address) -> bool:
    """Whether an address is one a page on the Internet has no business leading to."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


class Guard:
    """The addresses one source's pages may lead to."""

    def __init__(self, source_url: str, allow_private: bool) -> None:
        parts = urlsplit(source_url)
        self.home = (parts.hostname or "").lower()
        self.allow = allow_private
        self._loopback_home: bool | None = None
        self._seen: dict[str, list[Address]] = {}

    async def check(self, url: str) -> None:
        """Raise :class:`PrivateAddressError` if ``url`` leads where it may not."""
        if self.allow:
            return
        host = (urlsplit(url).hostname or "").lower()
        if not host or host == self.home:
            return
        for address in await self._addresses(host):
            if not _inner(address):
                continue
            if address.is_loopback and await self._home_on_loopback():
                continue
            raise PrivateAddressError(
                f"redirected to a private address ({host}, {address}): refused; "
                "set allow_private = true in [tracker] if this network is yours to watch"
            )

    async def _home_on_loopback(self) -> bool:
        if self._loopback_home is None:
            home = await self._addresses(self.home) if self.home else []
            self._loopback_home = bool(home) and all(a.is_loopback for a in home)
        return self._loopback_home

    async def _addresses(self, host: str) -> list[Address]:
        if host in self._seen:
            return self._seen[host]
        try:
            found: list[Address] = [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, None, type=socket.SOCK_STREAM
                )
            except OSError:  # unknown: the fetch itself will fail, and say so
                infos = []
            found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        self._seen[host] = found
        return found
