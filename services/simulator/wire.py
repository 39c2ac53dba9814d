"""A minimal HTTP/1.1 client connection on raw asyncio streams: keep-alive, Content-Length or chunked answers.

httpx costs about a millisecond of CPU per request; on a 2-core machine that shares its cores with every
service, a client that spends that much would measure itself. Writing the request bytes and parsing the
status line and headers costs tens of microseconds. Used by ``sangkien simulate`` and by ``bench/``.
"""

from __future__ import annotations

import asyncio

# What a request on a Connection raises when the connection broke or the answer was not HTTP.
TRANSPORT_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


def multipart(filename: str, data: bytes, media_type: str, *, name: str = "file") -> tuple[str, bytes]:
    """One file as a multipart/form-data body: (Content-Type header value, body)."""
    boundary = "sangkien7MA4YWxkTrZu0gW"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {media_type}\r\n\r\n").encode()
    return f"multipart/form-data; boundary={boundary}", head + data + f"\r\n--{boundary}--\r\n".encode()


class Connection:
    """One keep-alive HTTP/1.1 connection; one request at a time."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=2**22)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
        status, _, content = await self.exchange(method, path, headers, body)
        return status, content

    async def exchange(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b"",
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request; the status, the headers (lower-case names) and the body of the answer."""
        for attempt in range(2):  # a keep-alive connection the server closed meanwhile: reconnect once
            if self.writer is None:
                await self.open()
            assert self.reader is not None and self.writer is not None
            head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
            head += [f"{k}: {v}" for k, v in headers.items()]
            self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            try:
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
        raise ConnectionError("unreachable")

    async def _response(self) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            length = int(headers.get("content-length", "0") or 0)
            body = await self.reader.readexactly(length) if length else b""
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body
