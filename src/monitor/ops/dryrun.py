"""``monitor once --dry-run``: the real cycle on a private copy of the state; nothing is sent.

The cycle is the one ``monitor once`` runs (fetch, analyse, stories, alerts into the outbox),
on a copy of the state (``store/snapshot.py``) in a temporary directory that is deleted after:
the state, the HTTP validators, the channels and the JSON-Lines archive are left as they were,
and the command works beside a running daemon (it takes no lock on the real state). What the
cycle queued is printed as the console shows alerts, each headed by the channels that would get
it (at once, or in the digest).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from monitor.alerts.digest import route
from monitor.alerts.render import render_text
from monitor.config.load import Config
from monitor.models import Alert, CycleReport
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.store import Store
from monitor.store.snapshot import copy_state


@dataclass(frozen=True, slots=True)
class DryRun:
    """What a dry run found: the cycle's report and the alerts it would have sent."""

    report: CycleReport
    alerts: tuple[Alert, ...]
    text: str  # the alerts as the console shows them, each with its channels


def dry_run(config: Config, *, alert_on_first_run: bool | None = None) -> DryRun:
    """Run one cycle on a copy of ``config``'s state and say what it would alert.

    Raises:
        StoreError: the state cannot be read.
    """
    with tempfile.TemporaryDirectory(prefix="monitor-dry-run-") as tmp:
        copy_dir = Path(tmp) / "state"
        copy_state(config.state_dir, copy_dir)
        rt = Runtime(
            config=replace(config, state_dir=copy_dir),
            store=Store.open(copy_dir),
            dry_run=True,
        )
        try:
            mark = rt.store.alert_mark()
            report = run_cycle(rt, alert_on_first_run=alert_on_first_run)
            alerts = tuple(rt.store.alerts_after(mark))
        finally:
            rt.store.close()
    blocks = [_block(alert, config, rt) for alert in alerts]
    return DryRun(report, alerts, "\n\n".join(blocks))


def _block(alert: Alert, config: Config, rt: Runtime) -> str:
    routes = route(alert, config.channels)
    if routes:
        where = ", ".join(
            f"{name} ({'now' if mode == 'now' else 'digest'})" for name, mode in routes
        )
    else:
        where = "no channel (its verdicts are in no channel's immediate or digest list)"
    return f"would alert → {where}\n{render_text(alert, pres=rt.presentation).rstrip()}"
