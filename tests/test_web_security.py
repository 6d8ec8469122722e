"""The pages against strangers' text and strangers' requests.

Titles, outlets, links and sentences with script tags, ``javascript:`` links and bidi overrides
are shown inert; off loopback the config refuses to start without a password and the pages
refuse requests without it; a loopback server refuses a foreign ``Host`` (DNS rebinding).
"""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from tests.support.feeds import write_config
from tests.support.web import client

from monitor.cli import main
from monitor.config.load import Config, default_config, load_config
from monitor.errors import ConfigError
from monitor.models import Claim, DateSpan, Finding, StoryClaim, StoryMember, Verdict
from monitor.settings import WebSettings, parse_listen
from monitor.store import Store
from monitor.web.security import host_ok, password_ok
from monitor.web.text import safe_url

SCRIPT = "<script>alert(1)</script>"
RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"
HOSTILE_TITLE = f"{SCRIPT}انسحاب {RLO}txe.exe{PDI} من قاعدة"
HOSTILE_URLS = (
    "javascript:alert(document.cookie)",
    " JavaScript:alert(1)",
    'https://x.example/a"><script>alert(1)</script>',
    "data:text/html;base64,PHNjcmlwdD4=",
    "//evil.example/no-scheme",
    "https://ok.example/news/1?a=1&b=2",
)


@pytest.fixture
def hostile(tmp_path: Path) -> Config:
    config = default_config(tmp_path / "state")
    store = Store.open(config.state_dir)
    now = datetime.now(UTC)
    store.create_story("s1", HOSTILE_TITLE, now)
    for i, url in enumerate(HOSTILE_URLS):
        member = StoryMember(
            article_key=f"k{i}",
            source_id="x",
            outlet=f'<img src=x onerror="alert({i})">{LRI}منفذ',
            title=f"{HOSTILE_TITLE} {i}",
            url=url,
            published=None,
            first_seen=now,
        )
        store.save_member("s1", member, (), shingles=b"", signature=b"", now=now)
    sentence = f"قال {SCRIPT} إن القوات {RLO}ستغادر{PDI} في 2026"
    claim = Claim(
        kind="withdrawal",
        sentence=sentence,
        date=DateSpan(
            "2026",
            date(2026, 1, 1),
            date(2026, 12, 31),
            "year",
            span=(len(sentence) - 4, len(sentence)),
        ),
        places=('"><svg onload=alert(1)>',),
    )
    verdict = Verdict("conflicting", 'x" onmouseover="alert(1)', f"reason {SCRIPT}", f"سبب {RLO}")
    store.save_story_claims("s1", [StoryClaim(Finding(claim, verdict), (f"{SCRIPT}",))])
    store.close()
    return config


@pytest.mark.parametrize("path", ["/", "/story/s1", "/timeline", "/?q=%3Cscript%3E"])
def test_hostile_text_is_shown_inert(hostile: Config, path: str) -> None:
    html = client(hostile).get(path).text
    assert "<script" not in html.lower()
    assert "<img" not in html and "<svg onload" not in html
    assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert 'onmouseover="' not in html
    for control in (RLO, LRI, PDI):  # no override reaches the page to reverse what follows
        assert control not in html
    assert not re.search(r'href="\s*(javascript|data):', html, re.IGNORECASE)
    if path == "/story/s1":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text
        hrefs = re.findall(r'href="(https?://[^"]*)"', html)
        assert hrefs == ["https://ok.example/news/1?a=1&amp;b=2"]  # the one sound link
        assert html.count("بلا رابط صالح") == len(HOSTILE_URLS) - 1
        assert '<mark class="m-date">2026</mark>' in html


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://a.example/x", True),
        ("http://a.example", True),
        ("HTTPS://A.EXAMPLE/", True),
        ("javascript:alert(1)", False),
        ("jav\tascript:alert(1)", False),
        ("https://a.example/x y", False),
        ("https://", False),
        ("ftp://a.example/", False),
        ("/relative", False),
        ("", False),
        (None, False),
    ],
)
def test_only_absolute_http_links_are_kept(url: str | None, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


# --------------------------------------------------------------------------- listen and auth


def test_off_loopback_without_a_password_is_a_config_error(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, [("a", "A", "http://127.0.0.1:1/")], web='listen = "0.0.0.0:8080"'
    )
    with pytest.raises(ConfigError, match=r"not a loopback address: set \[web\] 'password_env'"):
        load_config(path)
    assert main(["--config", str(path), "check-config"]) == 1


def test_off_loopback_with_a_password_file_loads(tmp_path: Path) -> None:
    secret = tmp_path / "web_password"
    secret.write_text("s3cret\n")
    path = write_config(
        tmp_path,
        [("a", "A", "http://127.0.0.1:1/")],
        web=f'listen = "0.0.0.0:8080"\npassword_file = "{secret}"',
    )
    web = load_config(path).web
    assert (web.host, web.port, web.password, web.loopback) == ("0.0.0.0", 8080, "s3cret", False)
    assert load_config(path).redacted()["web"]["password"] == "***"


def test_a_disabled_web_needs_no_password(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, [("a", "A", "http://127.0.0.1:1/")], web='enabled = false\nlisten = "0.0.0.0:1"'
    )
    assert load_config(path).web.enabled is False


def test_serve_refuses_to_listen_off_loopback_without_a_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, [("a", "A", "http://127.0.0.1:1/")])
    Store.open(tmp_path / "state").close()
    assert main(["--config", str(path), "serve", "--listen", "0.0.0.0:0"]) == 1
    assert "not a loopback address" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("[::1]:80", ("::1", 80)),
        ("localhost:0", ("localhost", 0)),
        ("::1:80", None),
        ("127.0.0.1", None),
        (":8080", None),
        ("127.0.0.1:99999", None),
    ],
)
def test_listen_addresses(value: str, parsed: tuple[str, int] | None) -> None:
    assert parse_listen(value) == parsed


def _with_password(config: Config, password: str) -> Config:
    return replace(config, web=WebSettings(True, "0.0.0.0:8080", "0.0.0.0", 8080, password))


def test_pages_need_the_password_off_loopback(hostile: Config) -> None:
    web = client(_with_password(hostile, "pa55"))
    refused = web.get("/")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Basic ")
    assert "content-security-policy" in refused.headers
    basic = base64.b64encode(b"anyone:pa55").decode()
    assert web.get("/", headers={"Authorization": f"Basic {basic}"}).status_code == 200
    assert web.get("/", headers={"Authorization": "Bearer pa55"}).status_code == 200
    wrong = base64.b64encode(b"anyone:nope").decode()
    assert web.get("/", headers={"Authorization": f"Basic {wrong}"}).status_code == 401
    assert web.post("/outbox/retry", data={"id": "1"}).status_code == 401
    assert web.get("/healthz").status_code == 200  # the one open path, one line, no data


def test_loopback_refuses_a_foreign_host_header(hostile: Config) -> None:
    web = client(hostile)
    assert web.get("/", headers={"Host": "127.0.0.1:8080"}).status_code == 200
    assert web.get("/", headers={"Host": "localhost"}).status_code == 200
    r = web.get("/", headers={"Host": "rebound.example:8080"})
    assert r.status_code == 421


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("127.0.0.1:8080", True),
        ("127.8.9.10", True),
        ("localhost:1", True),
        ("[::1]:8080", True),
        ("LOCALHOST", True),
        ("evil.example", False),
        ("127.0.0.1.evil.example", False),
        ("", False),
        ("[::1", False),
    ],
)
def test_host_check(host: str, ok: bool) -> None:
    assert host_ok(host) is ok


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("Bearer pw", True),
        ("bearer pw", True),
        ("Basic " + base64.b64encode(b"u:pw").decode(), True),
        ("Basic " + base64.b64encode(b":pw").decode(), True),
        ("Basic " + base64.b64encode(b"pw").decode(), False),
        ("Basic not-base64!", False),
        ("Bearer ", False),
        ("", False),
    ],
)
def test_password_check(header: str, ok: bool) -> None:
    assert password_ok(header, "pw") is ok
