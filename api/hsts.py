"""HTTP Strict Transport Security in production: browsers use HTTPS only, for a year.

Every response gets the header, JSON as well as pages, so no request of a signed-in user
can be downgraded to plain HTTP once a browser has seen the site. Development answers over
plain HTTP on localhost and gets no header (it would pin localhost to HTTPS).
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from api.asgi import HttpMiddleware

HEADER = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class HSTSMiddleware(HttpMiddleware):
    """Adds Strict-Transport-Security to every HTTP response."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the header to the response start."""

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), HEADER]
            await send(message)

        await self.app(scope, receive, with_header)
