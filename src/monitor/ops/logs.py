"""Logging setup: one event per line, key=value (default) or JSON, with stable keys.

Every line starts with the same four keys, in this order: ``ts`` (UTC, ISO 8601 with
milliseconds), ``level``, ``logger``, ``event`` (a short fixed message). The details follow as
keys given by the call site: ``log.info("feed not modified", extra={"kv": {"source_id": s.id}})``.
A detail named like a stable key is renamed with a trailing ``_`` so it can never overwrite it.
An exception adds ``error`` (its repr) and ``traceback`` (escaped, so still one line).

Secrets are never passed to the logger (channels log their name, never their options); every
URL in a line is logged without its credentials, query values and token-like path segments
(``errors.redact_url``). ``tests/test_ops.py`` checks both formats and that no secret
reaches the log or ``check-config``.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from monitor.errors import redact_url

STABLE_KEYS = ("ts", "level", "logger", "event")
NOISY_LOGGERS = (
    "httpx",
    "httpcore",
    "apscheduler",
    "trafilatura",
    "htmldate",
    "charset_normalizer",
)


class KeyValueFormatter(logging.Formatter):
    """``ts=… level=info logger=monitor.pipeline.cycle event="cycle finished" articles=3``."""

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(f"{k}={_quote(v)}" for k, v in fields(record).items())


class JsonFormatter(logging.Formatter):
    """One JSON object per line, non-ASCII kept (Arabic titles stay readable)."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(fields(record), ensure_ascii=False, default=str)


def fields(record: logging.LogRecord) -> dict[str, Any]:
    """The ordered keys of one log line."""
    ts = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
    out: dict[str, Any] = {
        "ts": ts,
        "level": record.levelname.lower(),
        "logger": record.name,
        "event": redact_url(record.getMessage()),
    }
    for key, value in (getattr(record, "kv", None) or {}).items():
        name = str(key)
        out[f"{name}_" if name in STABLE_KEYS else name] = _safe(value)
    if record.exc_info and record.exc_info[1] is not None:
        out["error"] = redact_url(repr(record.exc_info[1]))
        trace = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        out["traceback"] = redact_url(trace)
    return out


def _safe(value: Any) -> Any:
    """URLs in a detail lose their credentials, query values and path tokens (issue 13)."""
    if isinstance(value, str):
        return redact_url(value)
    if isinstance(value, list | tuple):
        return [_safe(v) for v in value]
    return value


def _quote(value: Any) -> str:
    text = "" if value is None else str(value)
    if text == "" or any(c in text for c in ' "=\n\r\t\\'):
        return json.dumps(text, ensure_ascii=False)
    return text


def setup_logging(level: str = "info", fmt: str = "kv") -> None:
    """Configure the root logger to write structured lines to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in NOISY_LOGGERS:  # their debug lines carry full URLs and headers
        logging.getLogger(noisy).setLevel(logging.WARNING)
