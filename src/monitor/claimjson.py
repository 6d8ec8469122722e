"""The JSON shape of a claim's date and number, for every output that publishes claims.

The webhook payload (``alerts/webhook.py``, documented in ``docs/webhook.md``) and the
``monitor analyze`` output (``analysis.finding_json``) both carry them; one definition keeps the
two contracts from drifting apart. A leaf beside ``models`` (it imports nothing else from the
package), so a stage can use it without importing another stage.
"""

from __future__ import annotations

from typing import Any

from monitor.models import DateSpan, Quantity


def date_json(span: DateSpan | None) -> dict[str, str] | None:
    """``{"text", "start", "end", "granularity"}`` with ISO 8601 days, or None."""
    if span is None:
        return None
    return {
        "text": span.text,
        "start": span.start.isoformat(),
        "end": span.end.isoformat(),
        "granularity": span.granularity,
    }


def number_json(number: Quantity | None, *, with_text: bool = False) -> dict[str, Any] | None:
    """``{"value", "qualifier"}`` (and ``unit`` and ``text`` with ``with_text``), or None."""
    if number is None:
        return None
    out: dict[str, Any] = {"value": number.value, "qualifier": number.qualifier}
    if with_text:
        out.update(unit=number.unit, text=number.text)
    return out
