"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd): plain, STARTTLS, implicit TLS, AUTH.

``SmtpServer`` collects every accepted message. It can refuse recipients (550) and require
AUTH; certificates come from a ``trustme`` CA made by the caller.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> Message:
        return message_from_bytes(self.data, policy=default)


@dataclass
class _Handler:
    refuse: set[str] = field(default_factory=set)
    messages: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """``with SmtpServer(...) as srv:`` then send to ``srv.host``/``srv.port``.

    Args:
        starttls: a server ``SSLContext`` offered through STARTTLS (required when given).
        implicit_tls: a server ``SSLContext`` for TLS from the first byte (port 465 style).
        auth: ``(user, password)``; when given, AUTH is required before MAIL.
        refuse: recipient addresses answered with 550.
    """

    def __init__(
        self,
        *,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
        auth: tuple[str, str] | None = None,
        refuse: set[str] | None = None,
    ) -> None:
        self.handler = _Handler(refuse=refuse or set())
        self.host = "127.0.0.1"
        self.port = free_port()
        self.auth = auth
        kwargs: dict[str, Any] = {}
        if starttls is not None:
            kwargs.update(tls_context=starttls, require_starttls=True)
        if implicit_tls is not None:
            kwargs.update(ssl_context=implicit_tls)
        if auth is not None:
            kwargs.update(
                authenticator=self._authenticate,
                auth_required=True,
                auth_require_tls=starttls is not None or implicit_tls is not None,
            )
        self.controller = Controller(
            self.handler, hostname=self.host, port=self.port, ready_timeout=5.0, **kwargs
        )

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.auth is not None
            and auth_data.login.decode() == self.auth[0]
            and auth_data.password.decode() == self.auth[1]
        )
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
