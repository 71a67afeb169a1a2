"""The floor: a bare httpx loop fetching the benchmark's pages, and nothing else.

    python bench/floor.py BASE N VALIDATORS.json

Fetches BASE/0 … BASE/N-1 on one event loop with tracker's default limit for one
host (4 at once, on kept-alive connections), sending each page's ETag from the
previous run as If-None-Match and keeping the new ones in VALIDATORS.json.  It
reads each body and does nothing with it: the time no tool that fetches these
pages with httpx can beat.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx


async def main(base: str, n: int, store: Path) -> None:
    etags: dict[str, str] = json.loads(store.read_text()) if store.exists() else {}
    limit = asyncio.Semaphore(4)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    async with httpx.AsyncClient(limits=limits) as client:

        async def one(i: int) -> None:
            url = f"{base}/{i}"
            headers = {"If-None-Match": etags[url]} if url in etags else {}
            async with limit:
                resp = await client.get(url, headers=headers)
            if etag := resp.headers.get("etag"):
                etags[url] = etag

        await asyncio.gather(*(one(i) for i in range(n)))
    store.write_text(json.dumps(etags))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])))
