"""``monitor outbox``: the deliveries that are not done yet, as a text table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.alerts.render import clean

if TYPE_CHECKING:
    from monitor.store import Store

_SHOWN = ("pending", "failed", "dead", "digest")


def outbox_report(store: Store) -> str:
    """Counts by status, disabled channels, then one row per pending, failed or dead delivery.

    The ``id`` column is what ``monitor outbox retry ID`` takes.
    """
    counts = store.outbox_counts()
    summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "empty"
    lines = [f"outbox: {summary}"]
    for state in store.disabled_channels():
        lines.append(
            f"channel {state.name} DISABLED since {state.disabled_at}: {state.disabled_reason}"
        )
    rows = [r for r in store.outbox_rows() if r.status in _SHOWN]
    if not rows:
        lines.append("nothing waiting")
        return "\n".join(lines)
    header = ("id", "status", "channel", "tries", "next attempt (UTC)", "alert", "last error")
    table = [header]
    for r in rows:
        nxt = f"{r.next_attempt_at:%Y-%m-%d %H:%M:%S}" if r.next_attempt_at else "-"
        alert = f"{r.alert_kind}:{clean(r.title)[:30]}"
        table.append(
            (
                str(r.id),
                r.status,
                r.channel,
                str(r.attempts),
                nxt,
                alert,
                (r.last_error or "-")[:80],
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]))
    return "\n".join(lines)
