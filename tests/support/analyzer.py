"""The analyzer with the packaged keyword rules and timeline, for tests that need real claims."""

from __future__ import annotations

from monitor.analysis import Analyzer
from monitor.confkit import Problems
from monitor.keywords import default_rules_path, load_rules
from monitor.timeline import default_timeline_path, load_timeline


def default_analyzer() -> Analyzer:
    """A fresh ``Analyzer`` over the packaged defaults (a bad default file fails the test)."""
    problems = Problems()
    rules = load_rules(default_rules_path(), problems)
    timeline = load_timeline(default_timeline_path(), problems)
    problems.raise_if_any()
    return Analyzer(rules, timeline)
