"""Email channel (smtplib): multipart/alternative, Arabic right to left, threaded, over TLS.

Rules:
- ``security = "starttls"`` (default, port 587) upgrades with STARTTLS and refuses to go on in
  clear text when the server does not offer it; ``"tls"`` (port 465) is implicit TLS; ``"none"``
  (port 25) only when configured so. The SSL context verifies the certificate and the host
  name; a self-signed certificate is refused unless its CA is given as ``ca_file``.
- ``timeout_seconds`` bounds the connect and every command (it is the socket's timeout); the
  whole session (greeting to QUIT) is bounded by the dispatcher's ``Cutoff``: a server that
  drips its replies is cut off there (the socket is shut down) and the delivery retried later.
- Subject RFC 2047-encoded UTF-8 (every byte, so a stranger's ``=?…?=`` is inert) from a
  cleaned one-line title (``render.safe_header``): CR/LF cannot add a header. Envelope recipients are the configured
  ones only, whatever the headers say.
- Message-ID is the delivery's idempotency key; an update carries In-Reply-To and References
  naming the story's first alert on this channel, so mail clients thread them.
- Permanent (dead at once): authentication failure, 5xx replies (bad address, policy).
  Everything else (4xx, timeouts, TLS trouble, dropped connections) is retried.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

from monitor.alerts.channel import Outgoing
from monitor.alerts.cutoff import DEFAULT_SECONDS, Cutoff, shut_down_when_cut
from monitor.alerts.render import DEFAULT, render_html, render_text, safe_header, subject
from monitor.alerts.words import Presentation
from monitor.errors import ConfigError, DeliveryError

log = logging.getLogger(__name__)
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
SECURITIES = tuple(DEFAULT_PORTS)


@dataclass(frozen=True, slots=True)
class EmailOptions:
    """An email channel's options, checked by the config (``security`` one of ``SECURITIES``)."""

    smtp_host: str
    from_addr: str
    to: tuple[str, ...]
    security: str = "starttls"
    smtp_port: int | None = None  # None: the port of ``security``
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    timeout_seconds: float = 30.0

    @property
    def port(self) -> int:
        return self.smtp_port or DEFAULT_PORTS[self.security]

    @property
    def target(self) -> str | None:
        return self.smtp_host

    def redacted(self) -> dict[str, Any]:
        return {
            "smtp_host": self.smtp_host,
            "smtp_port": self.port,
            "security": self.security,
            "from_addr": self.from_addr,
            "to": list(self.to),
            "username": self.username,
            "password": "***" if self.password else None,
            "ca_file": self.ca_file,
            "timeout_seconds": self.timeout_seconds,
        }


def build_message(
    message: Outgoing, from_addr: str, to: list[str], pres: Presentation = DEFAULT
) -> MIMEMultipart:
    """The MIME message for one delivery (no I/O).

    Built with the compat32 MIME classes and an explicit ``Header``: the modern
    ``EmailMessage`` folder drops the space between two encoded words of a long Arabic
    subject (readers then see two words glued together); ``Header`` puts the spaces inside
    the base64-encoded words, where they survive.
    """
    alert, parts = message.alert, message.parts
    domain = parseaddr(from_addr)[1].rpartition("@")[2] or "monitor.invalid"
    msg = MIMEMultipart("alternative")
    msg["Subject"] = Header(safe_header(subject(alert, parts, pres)), "utf-8")  # type: ignore[assignment]
    msg["From"] = _address(from_addr)
    msg["To"] = ", ".join(_address(a) for a in to)
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = f"<{message.key}@{domain}>"
    if message.thread_key:
        msg["In-Reply-To"] = f"<{message.thread_key}@{domain}>"
        msg["References"] = f"<{message.thread_key}@{domain}>"
    msg["Content-Language"] = {"ar": "ar", "en": "en", "ar+en": "ar, en"}[pres.lang]
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
    msg.attach(MIMEText(render_text(alert, parts, isolates=True, pres=pres), "plain", "utf-8"))
    msg.attach(MIMEText(render_html(alert, parts, pres), "html", "utf-8"))
    return msg


def _address(value: str) -> str:
    """``Name <addr>`` with a non-ASCII display name RFC 2047-encoded (config, not strangers)."""
    name, addr = parseaddr(value)
    return formataddr((name, addr), charset="utf-8") if addr else value


class EmailChannel:
    """Send each alert as one message; one SMTP session per message."""

    def __init__(self, name: str, options: EmailOptions, pres: Presentation = DEFAULT) -> None:
        self.name = name
        self.pres = pres
        self.host = options.smtp_host
        self.security = options.security
        if self.security not in DEFAULT_PORTS:
            raise ConfigError(f"channel {name!r}: security must be starttls, tls or none")
        self.port = options.port
        self.username = options.username
        self.password = options.password
        self.timeout = options.timeout_seconds
        self.from_addr = options.from_addr
        self.to = list(options.to)
        ca_file = options.ca_file
        # A verifying context; with ca_file only that CA is trusted (a private or test CA).
        try:
            self._context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        except OSError as exc:  # the file went missing or is not PEM (ssl.SSLError)
            # ConfigError: the dispatcher keeps the deliveries pending instead of crashing.
            raise ConfigError(f"channel {name!r}: ca_file {ca_file}: {exc}") from exc

    def send(self, message: Outgoing, cutoff: Cutoff | None = None) -> None:
        msg = build_message(message, self.from_addr, self.to, self.pres)
        cutoff = cutoff or Cutoff(DEFAULT_SECONDS)
        try:
            refused = self._deliver(msg, cutoff)
        except (smtplib.SMTPException, OSError) as exc:
            if cutoff.passed():  # whatever the cut socket raised, the cause is the cutoff
                raise self._error(cutoff.reason()) from exc
            raise self._classified(exc) from exc
        if refused:  # some recipients took it: it is sent; the others are worth a log line
            log.warning(
                "email recipients refused",
                extra={"kv": {"channel": self.name, "refused": sorted(refused)}},
            )

    def _classified(self, exc: Exception) -> DeliveryError:
        """The ``DeliveryError`` for what smtplib or the socket raised (module docstring)."""
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return self._error("authentication failed", permanent=True)
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _ in exc.recipients.values()]
            permanent = all(c >= 500 for c in codes)
            return self._error(f"all recipients refused {codes}", permanent=permanent)
        if isinstance(exc, smtplib.SMTPResponseException):
            raw = exc.smtp_error
            reply = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            return self._error(f"{exc.smtp_code} {reply}", permanent=exc.smtp_code >= 500)
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return self._error(str(exc), permanent=True)
        if isinstance(exc, ssl.SSLCertVerificationError):
            hint = "certificate not trusted (set ca_file for a private CA)"
            return self._error(f"{hint}: {exc.verify_message}")
        return self._error(f"{type(exc).__name__}: {exc}")

    def _deliver(self, msg: MIMEMultipart, cutoff: Cutoff) -> dict[str, tuple[int, bytes]]:
        smtp = _Session(self.host, self._context if self.security == "tls" else None, self.timeout)
        try:
            with shut_down_when_cut(cutoff, smtp.live_fd):
                smtp.connect(self.host, self.port)  # the greeting is read here, under the cutoff
                self._secure_and_login(smtp)
                # The envelope takes bare addresses; display names live in the headers only.
                sender = parseaddr(self.from_addr)[1] or self.from_addr
                recipients = [parseaddr(a)[1] or a for a in self.to]
                refused = smtp.send_message(msg, sender, recipients)
                # The message is accepted once DATA got its 250: a failed QUIT must not make
                # the dispatcher send it again.
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    smtp.quit()
                return refused
        finally:
            smtp.close()

    def _secure_and_login(self, smtp: smtplib.SMTP) -> None:
        smtp.ehlo()
        if self.security == "starttls":
            if not smtp.has_extn("starttls"):
                # Never fall back to clear text: a missing STARTTLS may be a downgrade attack.
                raise smtplib.SMTPException(
                    "server does not offer STARTTLS; refusing to send in clear text"
                )
            smtp.starttls(context=self._context)
            smtp.ehlo()
        if self.username:
            smtp.login(str(self.username), str(self.password or ""))

    def _error(self, what: str, *, permanent: bool = False) -> DeliveryError:
        return DeliveryError(
            f"email: {self.host}:{self.port}: {what}", channel=self.name, permanent=permanent
        )

    def close(self) -> None:
        """Nothing to release: each message has its own SMTP session."""


class _Session(smtplib.SMTP):
    """An SMTP session whose connection the cutoff can find and cut at any stage.

    Implicit TLS (port 465) is done here rather than by ``smtplib.SMTP_SSL`` so that the raw
    descriptor is known during the TLS handshake too (a server can drip that as well).
    """

    def __init__(self, host: str, tls: ssl.SSLContext | None, timeout: float) -> None:
        super().__init__(timeout=timeout)  # no host: connect() comes later, under the cutoff
        # smtplib checks the STARTTLS certificate against ``_host``, which only its __init__
        # sets (when it connects at once).
        vars(self)["_host"] = host
        self._tls = tls
        self._connecting_fd: int | None = None

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        raw = socket.create_connection((host, port), timeout, self.source_address)
        self._connecting_fd = raw.fileno()
        try:
            if self._tls is None:
                return raw
            return self._tls.wrap_socket(raw, server_hostname=host)
        finally:
            self._connecting_fd = None

    def live_fd(self) -> int | None:
        """The connection's descriptor while it is open (STARTTLS keeps the same one)."""
        if self.sock is not None:
            return self.sock.fileno()
        return self._connecting_fd
