"""``monitor status``: the sources with their health, the last cycle and the outbox counts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from monitor.config import Config
from monitor.store import Store, to_db, utcnow


def status_json(config: Config, store: Store) -> dict[str, Any]:
    health = {h.source_id: h for h in store.all_health()}
    sources = []
    for source in config.sources:
        h = health.get(source.id)
        sources.append(
            {
                "id": source.id,
                "name": source.name,
                "url": source.url,
                "enabled": source.enabled,
                "state": _state(h.consecutive_failures if h else 0, h is not None),
                "last_attempt": to_db(h.last_attempt) if h else None,
                "last_success": to_db(h.last_success) if h else None,
                "last_new_item": to_db(h.last_new_item) if h else None,
                "consecutive_failures": h.consecutive_failures if h else 0,
                "last_error_kind": h.last_error_kind if h else None,
                "last_error": h.last_error if h else None,
                "next_attempt_at": to_db(h.next_attempt_at) if h else None,
            }
        )
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
    }


def _state(failures: int, polled: bool) -> str:
    if not polled:
        return "never polled"
    return "ok" if failures == 0 else f"failing ({failures})"


def status_text(data: dict[str, Any]) -> str:
    lines = [f"status at {data['now']}", ""]
    lines.append(f"{'source':<20} {'state':<14} {'last success':<26} last error")
    for s in data["sources"]:
        err = f"{s['last_error_kind']}: {s['last_error']}" if s["last_error"] else ""
        lines.append(f"{s['id']:<20} {s['state']:<14} {s['last_success'] or '-':<26} {err[:80]}")
    last = data["last_cycle"]
    lines.append("")
    if last:
        lines.append(
            f"last cycle: {last['finished_at']} ok={last['ok']} articles={last.get('articles', 0)}"
            f" relevant={last.get('relevant', 0)} alerts={last.get('alerts', 0)}"
        )
    else:
        lines.append("last cycle: none yet")
    lines.append(f"last good cycle: {data['last_good_cycle'] or 'none yet'}")
    counts = ", ".join(f"{k}={v}" for k, v in sorted(data["outbox"].items())) or "empty"
    lines.append(f"outbox: {counts}")
    lines.append(f"entries kept: {data['entries']}")
    return "\n".join(lines)
