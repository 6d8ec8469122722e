"""Headless Chromium for tests that look at what a person sees (HTML email, web pages).

Debian's ``chromium`` (``apt-get install -y chromium``), driven by Playwright from PyPI with
``executable_path``: Playwright's own browser download is never used, so the tests work offline.
Use::

    from tests.support.browser import chromium, open_page, save_screenshot

    @pytest.fixture(scope="module")
    def browser():
        with chromium() as context:
            yield context

    def test_page(browser, capsys):
        page = open_page(browser, 420)
        page.set_content(html)
        ...
        save_screenshot(page, "email-420", capsys)   # prints the path in the test output

Without a browser the tests skip with the reason (``make test`` shows it in its summary);
with ``MONITOR_REQUIRE_BROWSER=1`` (set by ``.ci/run``) a missing browser fails instead, so CI
never passes by skipping. ``MONITOR_CHROMIUM`` overrides the executable's path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

# The flags the machine's Chromium needs to start quietly as root on a closed network: no
# sandbox (root), no GPU (headless server), and no background connections, which this machine
# refuses many at a time (component updates, sync, QUIC probes, first-run pings).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
DEFAULT_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# Screenshots and other files for a person to look at; ignored by git, kept by CI as artefacts.
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def chromium_path() -> str | None:
    """The Chromium executable to drive, or None when there is none."""
    override = os.environ.get("MONITOR_CHROMIUM")
    if override:
        return override if Path(override).is_file() else None
    for path in DEFAULT_PATHS:
        if Path(path).is_file():
            return path
    return shutil.which("chromium")


def missing_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (make .venv/.dev installs the dev extras)"
    if chromium_path() is None:
        return "no Chromium at /usr/bin/chromium (apt-get install -y chromium)"
    return None


def require_browser() -> str:
    """The executable's path; skips the test (or fails it under MONITOR_REQUIRE_BROWSER=1)."""
    reason = missing_reason()
    if reason is not None:
        if os.environ.get("MONITOR_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser test cannot run: {reason}")
        pytest.skip(f"browser test skipped: {reason}")
    path = chromium_path()
    assert path is not None
    return path


@contextmanager
def chromium() -> Iterator[Any]:
    """A Playwright ``BrowserContext`` in headless Chromium with a fresh, throw-away profile."""
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="monitor-chromium-") as profile,
        sync_playwright() as pw,
    ):
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=list(CHROMIUM_FLAGS),
        )
        try:
            yield context
        finally:
            context.close()


def open_page(context: Any, width: int, height: int = 800) -> Any:
    """A new tab in ``context`` with a viewport ``width`` CSS pixels wide (420 = a phone)."""
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    return page


def save_screenshot(page: Any, name: str, capsys: pytest.CaptureFixture[str] | None = None) -> Path:
    """Write a full-page PNG under ``artifacts/`` and print its path in the test output."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    line = f"\nscreenshot: {path}"
    if capsys is not None:
        with capsys.disabled():
            print(line)
    else:
        print(line)
    return path
