"""A story's update alerts, bounded (issue 13): 10,000 copies in one cycle once made 5,806
alerts from 66 stories.

- One per story per cycle: a later update folds into the story's update that no channel has
  tried yet (``compose.merge_updates``; the alert keeps its id, ``updates`` counts the moves;
  its routes follow what it now carries).
- At most ``max_updates_per_hour`` per story in any hour; past that, one summary is queued and
  held to the end of that hour, and every further update folds into it: when it goes out it
  says the story moved N times and carries what changed.
- New-story alerts are never held or folded.

Part of the orchestration layer: it reads and writes the outbox in the caller's transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from monitor.alerts.compose import merge_updates
from monitor.alerts.digest import route
from monitor.models import Alert
from monitor.pipeline.runtime import Runtime

log = logging.getLogger("monitor.pipeline.storm")
WINDOW = timedelta(hours=1)


def queue_alert(rt: Runtime, alert: Alert, now: datetime) -> tuple[Alert, bool]:
    """Queue ``alert`` under the bounds; the alert that carries it, and whether it is new."""
    channels = rt.config.channels
    routes = route(alert, channels)
    if alert.kind != "story_update" or alert.story_id is None:
        rt.store.enqueue_alert(alert, routes, now=now)
        return alert, True
    waiting = rt.store.waiting_update(alert.story_id)
    if waiting is not None:
        earlier, held = waiting
        merged = merge_updates(earlier, alert)
        if rt.store.rewrite_unsent_alert(merged, route(merged, channels), not_before=held):
            log.info(
                "update merged",
                extra={"kv": {"story_id": alert.story_id, "alert_id": merged.id}},
            )
            return merged, False
    recent = rt.store.update_times(alert.story_id, now - WINDOW)
    held = None
    if len(recent) >= rt.config.stories.max_updates_per_hour:
        held = recent[0] + WINDOW  # the summary goes when the oldest leaves the hour
    rt.store.enqueue_alert(alert, routes, now=now, not_before=held)
    return alert, True
