"""Browser security headers on every HTML page: CSP (inline scripts allowed by hash only), HSTS, framing, sniffing."""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_BASE = ("default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; "
         "connect-src 'self'")
# Origins each kind of page loads from. The API docs still come from CDNs (FastAPI's and FastStream's defaults);
# exactly those origins are allowed, and nothing else, until the docs are self-hosted.
_SWAGGER_AND_REDOC = {
    "script-src": "https://cdn.jsdelivr.net",
    "style-src": "https://cdn.jsdelivr.net https://fonts.googleapis.com",
    "font-src": "https://fonts.gstatic.com",
    "img-src": "https://fastapi.tiangolo.com https://cdn.redoc.ly",
    "worker-src": "blob:",
}
_ASYNCAPI = {
    "script-src": "https://unpkg.com",
    "style-src": "https://unpkg.com",
    "img-src": "https://www.asyncapi.com",
}
API_PREFIX = "/v1/"
STATIC_HEADERS = {
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def _origins(path: str) -> dict[str, str]:
    if path in ("/docs", "/redoc") or path.startswith("/docs/"):
        return _SWAGGER_AND_REDOC
    if path.startswith("/asyncapi"):
        return _ASYNCAPI
    return {}


def content_security_policy(path: str, body: bytes) -> str:
    """The page's policy: its own origin, the CDN origins its kind of page needs, and its inline scripts' hashes.

    Styles keep 'unsafe-inline' (the pages set style attributes; a style cannot run code), scripts never do.
    """
    extra = _origins(path)
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(body)
    )
    directives = [
        _BASE,
        " ".join(filter(None, ("script-src 'self'", extra.get("script-src", ""), hashes))),
        " ".join(filter(None, ("style-src 'self' 'unsafe-inline'", extra.get("style-src", "")))),
        " ".join(filter(None, ("img-src 'self' data:", extra.get("img-src", "")))),
        " ".join(filter(None, ("font-src 'self'", extra.get("font-src", "")))),
    ]
    if "worker-src" in extra:
        directives.append(f"worker-src 'self' {extra['worker-src']}")
    return "; ".join(directives)


class SecurityHeaders:
    """ASGI middleware: an HTML response is held until complete (pages are small) to hash its inline scripts;
    every other response passes untouched, so JSON reads and the SSE stream pay nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The API under /v1/ answers JSON, problem+json, SSE and files, never a page: it goes straight through,
        # so votes and dashboard reads pay nothing for this.
        if scope["type"] != "http" or scope.get("path", "").startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                # Raw bytes compared in place: this runs on every answer, and only HTML pages are held.
                content_type = next((v for k, v in message.get("headers", ()) if k.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    message["headers"] = list(message["headers"])  # mutable, for the headers added below
                    start = message
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                headers = MutableHeaders(raw=start["headers"])
                for name, value in STATIC_HEADERS.items():
                    headers[name] = value
                headers["content-security-policy"] = content_security_policy(scope.get("path", ""), body)
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)
