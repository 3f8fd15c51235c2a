"""A local Jetstream: Jetstream-shaped frames over WebSocket on loopback, written from the
protocol description in the bluesky-social/jetstream README (events with `did`, `time_us` and
`kind` commit/identity/account; `/subscribe?wantedCollections=...&cursor=<time_us>` replays
from that instant; absent cursor: from the start here, standing in for the live tail).

It can drop a connection abruptly after a number of frames, and records each connection's
cursor, so tests check resume without gaps or repeats. `ProfileApi` serves
`app.bsky.actor.getProfiles` over HTTP for the enrichment tests.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

POST = "app.bsky.feed.post"


def post(
    did: str,
    rkey: str,
    time_us: int,
    text: str,
    *,
    facets: list[dict[str, Any]] | None = None,
    langs: list[str] | None = None,
    reply_to: str | None = None,
    embed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": POST,
        "text": text,
        "createdAt": "2024-09-09T19:46:02.102Z",  # client-supplied: never the event time
    }
    if facets is not None:
        record["facets"] = facets
    if langs is not None:
        record["langs"] = langs
    if reply_to is not None:
        ref = {"uri": reply_to, "cid": "bafyreib2rxk3rh6kzwq"}
        record["reply"] = {"root": ref, "parent": ref}
    if embed is not None:
        record["embed"] = embed
    commit = {"rev": f"3l{rkey}", "operation": "create", "collection": POST, "rkey": rkey}
    commit |= {"record": record, "cid": "bafyreidc6sydkkbchcyg"}
    return {"did": did, "time_us": time_us, "kind": "commit", "commit": commit}


def facet(text: str, fragment: str, feature: dict[str, Any]) -> dict[str, Any]:
    """A facet over the first occurrence of `fragment`, with UTF-8 byte offsets."""
    encoded, part = text.encode("utf-8"), fragment.encode("utf-8")
    start = encoded.index(part)
    return {"index": {"byteStart": start, "byteEnd": start + len(part)}, "features": [feature]}


def tag(name: str) -> dict[str, Any]:
    return {"$type": "app.bsky.richtext.facet#tag", "tag": name}


def mention(did: str) -> dict[str, Any]:
    return {"$type": "app.bsky.richtext.facet#mention", "did": did}


def link(uri: str) -> dict[str, Any]:
    return {"$type": "app.bsky.richtext.facet#link", "uri": uri}


def identity(did: str, handle: str, time_us: int) -> dict[str, Any]:
    event = {"did": did, "handle": handle, "seq": 1, "time": "2024-09-05T06:11:04Z"}
    return {"did": did, "time_us": time_us, "kind": "identity", "identity": event}


def delete(did: str, rkey: str, time_us: int) -> dict[str, Any]:
    commit = {"rev": f"3x{rkey}", "operation": "delete", "collection": POST, "rkey": rkey}
    return {"did": did, "time_us": time_us, "kind": "commit", "commit": commit}


class Jetstream:
    """frames: events (dicts) or raw text frames, in stream order."""

    def __init__(self, frames: list[dict[str, Any] | str], drops: tuple[int, ...] = ()) -> None:
        self.frames: list[tuple[int, str]] = []
        last = 0
        for frame in frames:
            if isinstance(frame, dict):
                last = int(frame.get("time_us") or last)
                self.frames.append((last, json.dumps(frame, ensure_ascii=False)))
            else:
                self.frames.append((last, frame))
        self.drops = list(drops)  # the n-th connection is dropped after drops[n] frames
        self.cursors: list[int | None] = []
        self.stopping = threading.Event()
        self.server = serve(self._handle, "127.0.0.1", 0)
        self.port = self.server.socket.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Jetstream:
        self._thread.start()
        return self

    def close(self) -> None:
        self.stopping.set()
        self.server.shutdown()

    def _handle(self, ws: ServerConnection) -> None:
        query = parse_qs(urlparse(ws.request.path if ws.request else "").query)
        if query.get("wantedCollections") != [POST]:
            ws.close(1008, "tweetflow's tests expect wantedCollections=app.bsky.feed.post")
            return
        cursor = int(query["cursor"][0]) if "cursor" in query else None
        connection = len(self.cursors)
        self.cursors.append(cursor)
        budget = self.drops[connection] if connection < len(self.drops) else None
        sent = 0
        for time_us, payload in self.frames:
            if cursor is not None and time_us < cursor:
                continue
            if budget is not None and sent >= budget:
                ws.socket.shutdown(socket.SHUT_RDWR)  # abrupt: no close frame
                return
            ws.send(payload)
            sent += 1
        while not self.stopping.is_set():  # the live tail: quiet, open
            try:
                ws.recv(timeout=0.2)
            except TimeoutError:
                continue
            except ConnectionClosed:
                return


@contextmanager
def running(frames: list[dict[str, Any] | str], drops: tuple[int, ...] = ()) -> Iterator[Jetstream]:
    server = Jetstream(frames, drops).start()
    try:
        yield server
    finally:
        server.close()


class ProfileApi:
    """app.bsky.actor.getProfiles on loopback; records the DIDs of every call."""

    def __init__(self, profiles: dict[str, dict[str, Any]]) -> None:
        self.profiles = profiles
        self.calls: list[list[str]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path != "/xrpc/app.bsky.actor.getProfiles":
                    self.send_error(404)
                    return
                dids = parse_qs(url.query).get("actors", [])
                api.calls.append(dids)
                found = [api.profiles[d] for d in dids if d in api.profiles]
                body = json.dumps({"profiles": found}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
