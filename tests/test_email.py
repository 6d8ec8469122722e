"""Email channel against a real SMTP server (aiosmtpd) on 127.0.0.1: TLS, AUTH, MIME, threading."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from tests.support.sample_alerts import channel, make_alert
from tests.support.smtp import SmtpServer

from monitor.alerts.dispatch import Dispatcher
from monitor.settings import ChannelConfig, DeliverySettings
from monitor.store import Store, delivery_key, utcnow

SETTINGS = DeliverySettings(max_attempts=5, backoff_base_seconds=10, backoff_max_seconds=600)
FROM = "monitor@alerts.example"
TO = ["desk@newsroom.example"]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
    return ctx


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def mail(server: SmtpServer, **options: Any) -> ChannelConfig:
    base = {
        "smtp_host": server.host,
        "smtp_port": server.port,
        "security": "none",
        "from_addr": FROM,
        "to": TO,
        "timeout_seconds": 5,
    }
    return channel("mail", "email", **{**base, **options})


def send(store: Store, config: ChannelConfig, *alerts: Any) -> Any:
    for alert in alerts or (make_alert(),):
        store.enqueue_alert(alert, [(config.name, "now")])
    return Dispatcher(store, [config], SETTINGS).dispatch(utcnow())


def row(store: Store) -> Any:
    return store.outbox_rows()[-1]


# ---------------------------------------------------------------------- transport security


def test_plain_smtp_when_configured(store: Store) -> None:
    with SmtpServer() as server:
        report = send(store, mail(server))
    assert report.sent == 1 and len(server.messages) == 1
    assert server.messages[0].rcpt_tos == TO


def test_arabic_display_names_are_encoded_and_kept_out_of_the_envelope(store: Store) -> None:
    sender = f"مراقب الانسحاب <{FROM}>"
    with SmtpServer() as server:
        report = send(store, mail(server, from_addr=sender, to=["المكتب <desk@newsroom.example>"]))
    assert report.sent == 1
    received = server.messages[0]
    assert (received.mail_from, received.rcpt_tos) == (FROM, TO)
    assert str(received.message["From"]) == sender
    assert _raw_header(received.data, "From").startswith("=?utf-8?")


def test_starttls_with_the_configured_ca(
    store: Store, server_tls: ssl.SSLContext, ca_file: str
) -> None:
    with SmtpServer(starttls=server_tls) as server:
        report = send(store, mail(server, security="starttls", ca_file=ca_file))
    assert report.sent == 1 and len(server.messages) == 1


def test_implicit_tls(store: Store, server_tls: ssl.SSLContext, ca_file: str) -> None:
    with SmtpServer(implicit_tls=server_tls) as server:
        report = send(store, mail(server, security="tls", ca_file=ca_file))
    assert report.sent == 1 and len(server.messages) == 1


def test_an_untrusted_certificate_is_refused(store: Store, server_tls: ssl.SSLContext) -> None:
    with SmtpServer(starttls=server_tls) as server:
        report = send(store, mail(server, security="starttls"))  # no ca_file: system CAs only
    assert report.sent == 0 and server.messages == []
    assert row(store).status == "failed" and "certificate" in row(store).last_error


def test_a_missing_ca_file_leaves_the_delivery_pending(store: Store, tmp_path: Path) -> None:
    ca = tmp_path / "gone.pem"
    ca.write_text("")  # there when the config is read, gone by the time of the delivery
    with SmtpServer() as server:
        config = mail(server, security="starttls", ca_file=str(ca))
        ca.unlink()
        report = send(store, config)
    assert report.sent == 0 and server.messages == []
    assert row(store).status == "pending"


def test_starttls_never_falls_back_to_plain_text(store: Store) -> None:
    with SmtpServer() as server:  # offers no STARTTLS
        report = send(store, mail(server, security="starttls"))
    assert report.sent == 0 and server.messages == []
    assert "STARTTLS" in row(store).last_error


def test_auth_with_username_and_password(
    store: Store, server_tls: ssl.SSLContext, ca_file: str
) -> None:
    with SmtpServer(starttls=server_tls, auth=("desk", "s3cret")) as server:
        opts = {"security": "starttls", "ca_file": ca_file, "username": "desk"}
        report = send(store, mail(server, **opts, password="s3cret"))
    assert report.sent == 1 and len(server.messages) == 1


def test_auth_failure_is_permanent(store: Store, server_tls: ssl.SSLContext, ca_file: str) -> None:
    with SmtpServer(starttls=server_tls, auth=("desk", "s3cret")) as server:
        opts = {"security": "starttls", "ca_file": ca_file, "username": "desk"}
        report = send(store, mail(server, **opts, password="wrong"))
    assert report.dead == 1 and row(store).status == "dead"
    assert "authentication failed" in row(store).last_error


def test_a_refused_address_is_permanent(store: Store) -> None:
    with SmtpServer(refuse=set(TO)) as server:
        report = send(store, mail(server))
    assert report.dead == 1 and "550" in row(store).last_error


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and never says a word (no SMTP greeting)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_silent_server_is_cut_by_the_timeout(store: Store, silent_server: int) -> None:
    config = channel(
        "mail",
        "email",
        smtp_host="127.0.0.1",
        smtp_port=silent_server,
        security="none",
        from_addr=FROM,
        to=TO,
        timeout_seconds=0.3,
    )
    report = send(store, config)
    assert report.failed == 1 and "timed out" in row(store).last_error


# ---------------------------------------------------------------------- the message


def test_multipart_alternative_rtl_utf8_and_encoded_subject(store: Store) -> None:
    alert = make_alert()
    with SmtpServer() as server:
        send(store, mail(server), alert)
    received = server.messages[0]
    msg = received.message
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.iter_parts()
    assert plain.get_content_type() == "text/plain" and plain.get_content_charset() == "utf-8"
    assert html.get_content_type() == "text/html" and html.get_content_charset() == "utf-8"
    assert '<html dir="rtl" lang="ar">' in html.get_content()
    assert '<bdi dir="ltr">Ain al-Asad</bdi>' in html.get_content()
    assert "متعارض / \u2066conflicting\u2069" in plain.get_content()  # isolated Latin
    raw_subject = _raw_header(received.data, "Subject")
    assert raw_subject.lower().startswith("=?utf-8?")  # RFC 2047
    assert str(msg["Subject"]) == f"[متعارض] {alert.title}"
    assert msg["Message-ID"] == f"<{delivery_key(alert.id, 'mail')}@alerts.example>"


@pytest.mark.parametrize(
    "title",
    [
        "خبر =?UTF-8?Q?=0A?=Bcc: evil@attacker.example",
        "خبر\r\nBcc: evil@attacker.example",
        "خبر =?utf-8?b?DQpCY2M6IGV2aWxAYXR0YWNrZXIuZXhhbXBsZQ==?= عاجل",
        "\r\n\r\nBcc: evil@attacker.example\r\n\r\nbody",
    ],
    ids=["q-encoded-lf", "crlf", "b-encoded-crlf", "blank-lines"],
)
def test_a_title_cannot_smuggle_a_header(store: Store, title: str) -> None:
    with SmtpServer() as server:
        report = send(store, mail(server), make_alert(title=title))
    assert report.sent == 1
    received = server.messages[0]
    assert received.rcpt_tos == TO
    msg = received.message
    assert msg["Bcc"] is None
    expected = {"Subject", "From", "To", "Date", "Message-ID", "Content-Language"}
    assert expected | {"Auto-Submitted", "MIME-Version", "Content-Type"} == set(msg.keys())
    assert "evil@attacker.example" not in _raw_header(received.data, "To")


def test_an_update_threads_onto_the_first_alert(store: Store) -> None:
    first = make_alert("first")
    update = make_alert("second", kind="story_update", follows="first")
    with SmtpServer() as server:
        send(store, mail(server), first, update)
    one, two = (m.message for m in server.messages)
    assert one["In-Reply-To"] is None
    assert two["In-Reply-To"] == one["Message-ID"]
    assert two["References"] == one["Message-ID"]
    assert str(two["Subject"]).startswith("Re: ")


def _raw_header(data: bytes, name: str) -> str:
    """A header as it went over the wire, unfolded (not decoded)."""
    head = data.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")
    for line in head.split(b"\r\n"):
        key, _, value = line.partition(b":")
        if key.decode().lower() == name.lower():
            return value.strip().decode("ascii")
    raise AssertionError(f"no {name} header")
