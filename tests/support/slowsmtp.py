"""A hostile SMTP peer on 127.0.0.1: it speaks just enough SMTP (no TLS, no AUTH) to take mail,
but slowly: each reply after ``reply_delay_s``, or dripped one byte every ``drip_s`` seconds.

Usage::

    with SlowSmtpServer(drip_s=2.0) as srv:        # drips even its greeting
        ... EmailChannel(... smtp_host=srv.host, smtp_port=srv.port, security="none") ...
    srv.messages      # the DATA of every message accepted (bytes)
    srv.sessions      # connections accepted

Sleeping replies wake up when the server stops, so a dripping session never holds up teardown.
"""

from __future__ import annotations

import socket
import threading


class SlowSmtpServer:
    def __init__(self, *, reply_delay_s: float = 0.0, drip_s: float = 0.0) -> None:
        self.reply_delay_s = reply_delay_s
        self.drip_s = drip_s
        self.host = "127.0.0.1"
        self.messages: list[bytes] = []
        self.sessions = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sock = socket.socket()
        self._sock.bind((self.host, 0))
        self._sock.listen(16)
        self.port = int(self._sock.getsockname()[1])
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> SlowSmtpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._sock.close()
        self._thread.join(5)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.sessions += 1
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        conn.settimeout(60)
        reader = conn.makefile("rb")
        try:
            self._reply(conn, b"220 slow.test ESMTP\r\n")
            while not self._stopping.is_set():
                line = reader.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    self._reply(conn, b"250-slow.test\r\n250 8BITMIME\r\n")
                elif verb == b"DATA":
                    self._reply(conn, b"354 go ahead\r\n")
                    self._take_message(reader)
                    self._reply(conn, b"250 queued\r\n")
                elif verb == b"QUIT":
                    self._reply(conn, b"221 bye\r\n")
                    return
                else:  # MAIL, RCPT, RSET, NOOP
                    self._reply(conn, b"250 ok\r\n")
        except OSError:
            return  # the client cut the session (its deadline)
        finally:
            reader.close()
            conn.close()

    def _take_message(self, reader: object) -> None:
        data = b""
        while not data.endswith(b"\r\n.\r\n"):
            chunk = reader.readline()  # type: ignore[attr-defined]
            if not chunk:
                raise OSError("client went away mid-message")
            data += chunk
        with self._lock:
            self.messages.append(data)

    def _reply(self, conn: socket.socket, data: bytes) -> None:
        if self.drip_s:
            for i in range(len(data)):
                if self._stopping.wait(self.drip_s):
                    raise OSError("server stopping")
                conn.sendall(data[i : i + 1])
            return
        if self.reply_delay_s and self._stopping.wait(self.reply_delay_s):
            raise OSError("server stopping")
        conn.sendall(data)
