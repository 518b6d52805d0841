"""A quiet request handler base for the small local servers tests start: one call sends a whole answer."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler


class Responder(BaseHTTPRequestHandler):
    def respond(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass
