"""Small truths (issue 14, point 9): what the docs and the metrics say is what is.

``monitor_alerts_total`` counts alerts (by kind) and the claims they carry have their own
counter; every metric the daemon exports is in README's list; the apprise channel is in README
and in the example config's comments; ``timeline.toml`` cites each source by outlet and date,
never by a file path that a clone does not have.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from tests.support.feeds import NewsSite, load_articles, write_config
from tests.support.httpserver import HttpServer

from monitor.config.load import load_config
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.metrics import Metrics
from monitor.pipeline.runtime import Runtime
from monitor.store import Store

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
A = load_articles()


def _sample(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def test_alerts_total_counts_alerts_and_claims_have_their_own_counter(
    tmp_path: Path, server: HttpServer
) -> None:
    site = NewsSite(server)
    site.publish("dijla", [A["erbil-plan"], A["basra-dates"]])
    config = load_config(write_config(tmp_path, site.sources()))
    rt = Runtime(config=config, store=Store.open(config.state_dir))
    try:
        report = run_cycle(rt, alert_on_first_run=True)
        (alert,) = rt.store.alerts_after(0)
    finally:
        rt.store.close()

    assert report.alerts == 1 and len(alert.findings) >= 2  # one alert, several claims
    m = rt.metrics
    assert _sample(m, "monitor_alerts_total", kind="new_story") == 1
    claims = sum(
        _sample(m, "monitor_claims_alerted_total", verdict=v)
        for v in ("consistent", "conflicting", "completed", "new")
    )
    assert claims == len(alert.findings)


def test_every_exported_metric_is_in_the_readme() -> None:
    names = {
        f"{family.name}_total" if family.type == "counter" else family.name
        for family in Metrics().registry.collect()
    }
    assert names, "no metric exported"
    missing = sorted(n for n in names if f"`{n}" not in README)
    assert not missing, f"metrics not in README: {missing}"


def test_the_apprise_channel_is_documented() -> None:
    assert "apprise" in README and "pip install '.[apprise]'" in README
    example = (ROOT / "config" / "monitor.toml").read_text(encoding="utf-8")
    assert '# type = "apprise"' in example and "urls_env" in example


def test_the_timeline_cites_outlets_and_dates_not_paths() -> None:
    for path in (ROOT / "config" / "timeline.toml", ROOT / "src/monitor/defaults/timeline.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for event in data["events"]:
            for source in event.get("sources", []):
                where = f"{path.name} {event['id']}: {source!r}"
                assert not re.search(r"\bseeds?\b|\.txt\b|\.\./|shared/", source), where
                assert re.search(r"\b(19|20)\d\d\b|undated", source), where
