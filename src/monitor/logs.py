"""Logging setup: one event per line, key=value (default) or JSON, with stable keys.

Call sites log a short event message and put the details in ``extra={"kv": {...}}``:
``log.info("feed not modified", extra={"kv": {"source_id": s.id}})``. Secrets are never
passed to the logger; URLs are logged without userinfo.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

_RESERVED = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message"}


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        parts = [f"{k}={_quote(v)}" for k, v in fields.items()]
        return " ".join(parts)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_fields(record), ensure_ascii=False, default=str)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    ts = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
    out: dict[str, Any] = {
        "ts": ts,
        "level": record.levelname.lower(),
        "logger": record.name,
        "event": record.getMessage(),
    }
    out.update(getattr(record, "kv", {}) or {})
    if record.exc_info:
        out["error"] = repr(record.exc_info[1])
    return out


def _quote(value: Any) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' "=\n'):
        return json.dumps(text, ensure_ascii=False)
    return text


def setup_logging(level: str = "info", fmt: str = "kv") -> None:
    """Configure the root logger to write structured lines to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in (
        "httpx",
        "httpcore",
        "apscheduler",
        "trafilatura",
        "htmldate",
        "charset_normalizer",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
