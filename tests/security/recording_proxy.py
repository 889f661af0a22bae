"""A recording HTTP proxy in front of the kube-apiserver: which verbs on which resources did
a client really use? (The local control plane has no audit log.)

Clients speak plain HTTP to the proxy on 127.0.0.1; it forwards each request, with the
client's own bearer token, to the API server over TLS and streams the answer back (watches
included), recording `(verb, group, resource)` for every resource request.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web

HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "content-encoding"}


@dataclass(frozen=True)
class Use:
    verb: str
    group: str
    resource: str  # with "/subresource" when there is one


def classify(method: str, path: str, query: str) -> Use | None:
    """The RBAC verb and resource of one API request (None for discovery and other URLs)."""
    parts = [p for p in path.split("/") if p]
    if parts[:2] == ["api", "v1"]:
        group, rest = "", parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, rest = parts[1], parts[3:]
    else:
        return None
    if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) != 2:
        rest = rest[2:]  # namespaced: drop namespaces/<ns>
    if not rest:
        return None
    resource = rest[0]
    named = len(rest) >= 2
    if len(rest) >= 3:
        resource = f"{resource}/{rest[2]}"
    watching = parse_qs(query).get("watch", ["false"])[0] in ("true", "1")
    verb = {
        "GET": "watch" if watching else ("get" if named else "list"),
        "POST": "create",
        "PUT": "update",
        "PATCH": "patch",
        "DELETE": "delete" if named else "deletecollection",
    }.get(method, method.lower())
    return Use(verb, group, resource)


@dataclass
class RecordingProxy:
    upstream: str
    ca_file: Path
    uses: set[Use] = field(default_factory=set)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None

    def start(self) -> RecordingProxy:
        ready = threading.Event()
        thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        thread.start()
        if not ready.wait(30):
            raise RuntimeError("recording proxy did not start")
        return self

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        context = ssl.create_default_context(cafile=str(self.ca_file))

        async def forward(request: web.Request) -> web.StreamResponse:
            use = classify(request.method, request.path, request.query_string)
            if use is not None:
                self.uses.add(use)
            headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
            body = await request.read()
            timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.request(
                    request.method,
                    self.upstream + request.path_qs,
                    headers=headers,
                    data=body or None,
                    ssl=context,
                    auto_decompress=False,
                ) as answer,
            ):
                response = web.StreamResponse(
                    status=answer.status,
                    headers={
                        k: v for k, v in answer.headers.items() if k.lower() not in HOP_HEADERS
                    },
                )
                await response.prepare(request)
                try:
                    async for chunk in answer.content.iter_any():
                        await response.write(chunk)
                except (aiohttp.ClientPayloadError, ConnectionResetError):
                    return response  # a watch cut off when either side went away
                await response.write_eof()
                return response

        async def begin() -> None:
            app = web.Application(client_max_size=64 * 1024 * 1024)
            app.router.add_route("*", "/{tail:.*}", forward)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()

        self._loop.run_until_complete(begin())
        self._loop.run_forever()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._loop is None:
            return
        loop = self._loop

        async def end() -> None:
            if self._runner is not None:
                await self._runner.cleanup()
            loop.stop()

        asyncio.run_coroutine_threadsafe(end(), loop)
