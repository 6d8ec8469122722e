"""Local channels: the console (readable Arabic text) and a JSON-Lines file (the webhook payload).

The console prints ``render.render_text`` with ISO dates and ids in LTR isolates only (a
terminal with bidi keeps them in order; the rest of a line is left to the terminal).
Demo alerts never reach a JSON-Lines archive (the channel refuses them, permanently). The
JSON-Lines channel appends one line per delivery, the webhook's versioned payload plus the
idempotency key as ``delivery_id``, flushed and fsynced before the delivery counts as sent; a
line repeated after a crash carries the same ``delivery_id``, so readers can drop it.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from monitor.alerts.channel import Outgoing
from monitor.alerts.cutoff import Cutoff
from monitor.alerts.render import DEFAULT, render_text
from monitor.alerts.webhook import build_payload
from monitor.alerts.words import Presentation
from monitor.errors import DeliveryError


class ConsoleChannel:
    """Print each alert, then a blank line, to a text stream (stdout by default)."""

    def __init__(
        self, name: str, stream: TextIO | None = None, pres: Presentation = DEFAULT
    ) -> None:
        self.name = name
        self.stream = stream or sys.stdout
        self.pres = pres

    def send(self, message: Outgoing, cutoff: Cutoff | None = None) -> None:
        try:
            self.stream.write(render_text(message.alert, message.parts, pres=self.pres) + "\n")
            self.stream.flush()
        except (OSError, ValueError) as exc:  # ValueError: write to a closed stream
            raise DeliveryError(f"console: {exc}", channel=self.name) from exc

    def close(self) -> None:
        """The stream belongs to the caller."""


@dataclass(frozen=True, slots=True)
class JsonlOptions:
    """A JSON-Lines channel's options: the file it appends to."""

    path: str

    @property
    def target(self) -> str | None:
        return self.path

    def redacted(self) -> dict[str, Any]:
        return {"path": self.path}


class JsonLinesChannel:
    """Append each alert's payload as one JSON line to ``path``."""

    def __init__(self, name: str, options: JsonlOptions, pres: Presentation = DEFAULT) -> None:
        self.name = name
        self.path = Path(options.path)
        self.pres = pres

    def send(self, message: Outgoing, cutoff: Cutoff | None = None) -> None:
        if self.pres.demo:  # the archive is a record of real alerts: invented ones stay out
            raise DeliveryError(
                f"jsonl: {self.path}: demo alerts are never archived",
                channel=self.name,
                permanent=True,
            )
        payload = build_payload(message.alert, message.parts, self.pres)
        record = {"delivery_id": message.key, **payload}
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise DeliveryError(f"jsonl: {self.path}: {exc.strerror}", channel=self.name) from exc

    def close(self) -> None:
        """Each send opens and closes the file."""
