"""Canonical URLs and entry keys: how an item of a feed is known across polls.

``canonical_url`` (for comparing, never for fetching a different resource):

* scheme and host lower-cased, a trailing dot on the host dropped, default ports (80 for http,
  443 for https) dropped, an empty path becomes ``/``;
* percent-escapes normalised: non-ASCII path/query characters (Arabic slugs) encoded as UTF-8,
  escapes upper-cased, escapes of unreserved characters decoded, so the raw and the encoded
  spelling of one Arabic slug give the same URL;
* tracking parameters removed (``utm_*``, ``fbclid``, ``gclid``, ``ref``, ``ref_src``,
  ``igshid``, ``mc_cid``, ``mc_eid``, ``_ga``… see ``TRACKING_PARAMS``); the rest sorted;
* the fragment dropped.

``entry_key`` (the identity of an entry, prefixed with its kind):

1. ``guid:<guid>`` when the GUID looks stable: not empty and not a URL. A URL-valued GUID is
   often the link itself, and some publishers add changing query strings to it, so it is
   treated as a URL (rule 2).
2. ``url:<canonical link>`` (or the canonical URL-valued GUID when there is no link).
3. ``hash:<sha256>`` of the normalised title and summary.

GUID keys are unique only within one feed: the store should scope them by source.
Long keys are hashed so that a hostile feed cannot make keys of unbounded size.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from monitor.normalize import normalize_text

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok",
        "ref", "ref_src", "ref_url", "referrer", "cmpid", "ocid", "smid", "s_cid",
        "__twitter_impression", "oly_anon_id", "oly_enc_id", "vero_id", "rb_clickid", "wt_mc",
        "at_medium", "at_campaign",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")  # Google Analytics, Piwik, Matomo campaigns
MAX_KEY_CHARS = 512

_DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = "/:@!$'()*,;-._~%?"


# Already canonical: lower-case scheme and host, no port, userinfo, query, fragment or escape,
# a path of characters that need no quoting. Most feed links are; a big feed's keys are read
# 50,000 at a time (issue 13), and this skips the parse for them.
_PLAIN = re.compile(
    r"https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?:/[A-Za-z0-9/._~!$&'()*+,;=:@-]*)?"
)


def is_plain_url(url: str) -> bool:
    """An absolute http(s) URL already in canonical form (``_PLAIN``)."""
    return bool(_PLAIN.fullmatch(url))


def canonical_url(url: str) -> str:
    """The canonical form of ``url`` (see the module docstring); other inputs come back stripped."""
    url = url.strip()
    if _PLAIN.fullmatch(url):
        return url if url.count("/") > 2 else url + "/"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.rstrip(".").lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    path = _normalise_escapes(quote(parts.path or "/", safe=_PATH_SAFE))
    return urlunsplit((scheme, netloc, path, _canonical_query(parts.query), ""))


def _canonical_query(query: str) -> str:
    pairs = sorted(
        (k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _is_tracking(k)
    )
    return "&".join(f"{quote(k, safe=_QUERY_SAFE)}={quote(v, safe=_QUERY_SAFE)}" for k, v in pairs)


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _normalise_escapes(text: str) -> str:
    """Decode escapes of unreserved characters, upper-case the others (RFC 3986 6.2.2)."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(0)[1:], 16))
        return char if char in _UNRESERVED else match.group(0).upper()

    return _ESCAPE.sub(fix, text)


def is_web_url(value: str | None) -> bool:
    """True for an absolute http(s) URL with a host."""
    if not value:
        return False
    if _PLAIN.fullmatch(value):
        return True
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.netloc)


_URL_START = re.compile(r"(?:https?:)?//|www\.", re.IGNORECASE)


def looks_like_url(value: str) -> bool:
    return bool(_URL_START.match(value))


def entry_key(guid: str | None, url: str | None, title: str, summary: str, scope: str = "") -> str:
    """The identity of a feed entry: ``guid:…``, ``url:…`` or ``hash:…`` (module docstring).

    A GUID or a content hash is only unique within one feed, so it is prefixed with ``scope``
    (the source id); a canonical URL is global, so one article listed by two feeds is one entry.
    """
    guid = (guid or "").strip()
    where = f"{scope}:" if scope else ""
    if guid and not looks_like_url(guid):
        return _bounded(f"guid:{where}", guid)
    for candidate in (url, guid):
        if candidate and is_web_url(candidate):
            return _bounded("url:", canonical_url(candidate))
    text = f"{_words(title)}\n{_words(summary)}"
    return f"hash:{where}" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _words(text: str) -> str:
    return " ".join(normalize_text(text).split())


def _bounded(prefix: str, value: str) -> str:
    if len(value) <= MAX_KEY_CHARS:
        return prefix + value
    return prefix + "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()
