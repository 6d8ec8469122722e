"""``monitor status``: the sources with their health, the last cycle and the outbox counts.

Read-only: the CLI opens the store without the daemon's lock, so this works beside a running
daemon. ``status_json`` is the data (stable keys, for scripts); ``status_text`` a table for
people. Times are UTC, ISO 8601. ``pages`` is what the article pages of a source's last fetch
that asked for any did (ok, failed, the first error): a feed can be fine while its pages fail.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from monitor.config.load import Config
from monitor.errors import redact_url
from monitor.models import ArticleFailure, PageFetches, SourceHealth
from monitor.pipeline.cycle import QUARANTINE_AFTER
from monitor.store import Store, to_db, utcnow
from monitor.store.beacon import read_beacon

_ERROR_WIDTH = 80
QUARANTINE_NOTE = f"{QUARANTINE_AFTER} times"


def status_json(config: Config, store: Store) -> dict[str, Any]:
    health = {h.source_id: h for h in store.all_health()}
    sources = [_source(s.id, s.name, s.url, s.enabled, health.get(s.id)) for s in config.sources]
    last = store.last_cycle()
    last_ok = store.last_cycle(ok_only=True)
    outbox = Counter(row.status for row in store.outbox_rows())
    return {
        "now": to_db(utcnow()),
        "sources": sources,
        "last_cycle": None
        if last is None
        else {"finished_at": to_db(last[0]), "ok": last[1], **last[2]},
        "last_good_cycle": None if last_ok is None else to_db(last_ok[0]),
        "outbox": dict(outbox),
        "entries": store.count_entries(),
        "store_error": _store_error(config),
        "quarantined": {
            "count": store.count_quarantined(),
            "latest": [_failure(f) for f in store.article_failures(quarantined=True, limit=5)],
        },
    }


def _failure(f: ArticleFailure) -> dict[str, Any]:
    return {
        "key": f.key,
        "source_id": f.source_id,
        "url": redact_url(f.url) if f.url else None,
        "title": f.title,
        "failures": f.failures,
        "error": f.last_error,
        "at": to_db(f.quarantined_at or f.last_failed),
    }


def _store_error(config: Config) -> dict[str, Any] | None:
    """What the beacon says while writes to the state fail (the database cannot say it)."""
    beacon = read_beacon(config.state_dir)
    if beacon is None or not beacon.store_error:
        return None
    return {
        "error": beacon.store_error,
        "since": beacon.store_error_since,
        "disk_full": beacon.disk_full,
    }


def _source(sid: str, name: str, url: str, enabled: bool, h: SourceHealth | None) -> dict[str, Any]:
    return {
        "id": sid,
        "name": name,
        "url": redact_url(url),  # as in check-config: credentials never printed
        "enabled": enabled,
        "state": _state(enabled, h),
        "last_attempt": to_db(h.last_attempt) if h else None,
        "last_success": to_db(h.last_success) if h else None,
        "last_new_item": to_db(h.last_new_item) if h else None,
        "consecutive_failures": h.consecutive_failures if h else 0,
        "last_error_kind": h.last_error_kind if h else None,
        "last_error": h.last_error if h else None,
        "next_attempt_at": to_db(h.next_attempt_at) if h else None,
        "pages": _pages(h.pages if h else None),
    }


def _pages(pages: PageFetches | None) -> dict[str, Any] | None:
    """The article pages of the source's last fetch that asked for any."""
    if pages is None:
        return None
    return {
        "ok": pages.ok,
        "failed": pages.failed,
        "first_error": pages.first_error,
        "at": to_db(pages.at),
    }


def _state(enabled: bool, h: SourceHealth | None) -> str:
    if not enabled:
        return "disabled"
    if h is None or h.last_attempt is None:
        return "never polled"
    if h.consecutive_failures:
        return f"failing ({h.consecutive_failures})"
    if h.pages is not None and h.pages.failed and not h.pages.ok:
        return "ok, pages failing"  # the feed answers, every article page behind it fails
    return "ok"


def status_text(data: dict[str, Any]) -> str:
    rows = [
        (
            "source",
            "state",
            "last success",
            "last new item",
            "pages ok/failed",
            "next try",
            "last error",
        )
    ]
    for s in data["sources"]:
        pages = s.get("pages")
        error = _error(s["last_error_kind"], s["last_error"])
        if not error and pages and pages["failed"]:
            error = _error("page", pages["first_error"])
        rows.append(
            (
                s["id"],
                s["state"],
                _short(s["last_success"]),
                _short(s["last_new_item"]),
                f"{pages['ok']}/{pages['failed']}" if pages else "-",
                _short(s["next_attempt_at"]) if s["next_attempt_at"] else "next poll",
                error,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = [f"status at {data['now']}", ""]
    if data.get("store_error"):
        failing = data["store_error"]
        lines += [f"STATE FAILING since {failing['since']}: {failing['error']}", ""]
    for row in rows:
        cells = [*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]
        lines.append("  ".join(cells).rstrip())
    last = data["last_cycle"]
    lines.append("")
    if last:
        lines.append(
            f"last cycle: {last['finished_at']} ok={last['ok']}"
            f" sources_ok={last.get('sources_ok', 0)} sources_failed={last.get('sources_failed', 0)}"
            f" articles={last.get('articles', 0)} relevant={last.get('relevant', 0)}"
            f" alerts={last.get('alerts', 0)}"
        )
    else:
        lines.append("last cycle: none yet")
    lines.append(f"last good cycle: {data['last_good_cycle'] or 'none yet'}")
    counts = ", ".join(f"{k}={v}" for k, v in sorted(data["outbox"].items())) or "empty"
    lines.append(f"outbox: {counts}  (details: monitor outbox)")
    lines.append(f"entries kept: {data['entries']}")
    quarantined = data.get("quarantined") or {}
    if quarantined.get("count"):
        lines.append(
            f"quarantined articles: {quarantined['count']} (failed {QUARANTINE_NOTE}; not retried)"
        )
        for f in quarantined["latest"]:
            lines.append(f"  {_short(f['at'])}  {f['source_id']}  {f['url'] or f['key']}")
            lines.append(f"    {_error(None, f['error'])}")
    if "integrity" in data:
        found = data["integrity"]
        lines.append(f"integrity check: {found if found == 'ok' else '; '.join(found)}")
    return "\n".join(lines)


def _short(stamp: str | None) -> str:
    """``2026-01-18T21:10:00+00:00`` -> ``2026-01-18 21:10``: the table stays narrow."""
    return "-" if not stamp else stamp[:16].replace("T", " ")


def _error(kind: str | None, error: str | None) -> str:
    if not error:
        return ""
    text = " ".join(error.split())
    if kind and not text.startswith(f"{kind}:"):
        text = f"{kind}: {text}"
    return text if len(text) <= _ERROR_WIDTH else text[: _ERROR_WIDTH - 1] + "…"
