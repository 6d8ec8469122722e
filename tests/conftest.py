"""Fixtures shared by the test files: real local peers and the default rules.

Files that need a peer set up differently (a server with routes already in place, a slow
receiver) define their own fixture of the same name, which takes precedence in that file.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.support.httpserver import HttpServer
from tests.support.webhook_receiver import WebhookReceiver

from monitor.analysis.analyzer import Analyzer
from monitor.analysis.keywords import KeywordRules, default_rules_path, load_rules
from monitor.confkit import Problems
from monitor.store import Store
from monitor.timeline.load import default_timeline_path, load_timeline


@pytest.fixture
def server() -> Iterator[HttpServer]:
    """A real HTTP server on 127.0.0.1 with no routes yet."""
    with HttpServer() as srv:
        yield srv


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A real webhook receiver on 127.0.0.1 that answers 200."""
    with WebhookReceiver() as r:
        yield r


@pytest.fixture
def store() -> Store:
    """An empty state in memory."""
    return Store.memory()


@pytest.fixture(scope="session")
def rules() -> KeywordRules:
    """The shipped keyword rules (they must load without a problem; immutable, so shared)."""
    problems = Problems()
    loaded = load_rules(default_rules_path(), problems)
    assert not problems.items
    return loaded


@pytest.fixture
def analyzer(rules: KeywordRules) -> Analyzer:
    """An analyser with the shipped rules and timeline."""
    problems = Problems()
    timeline = load_timeline(default_timeline_path(), problems)
    assert not problems.items
    return Analyzer(rules, timeline)
