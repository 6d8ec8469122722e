"""Webhook channel: a versioned JSON payload (docs/webhook.md), signed as Standard Webhooks do.

Rules:
- The payload is its own schema (``PAYLOAD_VERSION``), never a dump of internal records.
- Headers ``webhook-id`` (the delivery's idempotency key, the same on every retry),
  ``webhook-timestamp`` and ``webhook-signature`` (``v1,`` + base64 HMAC-SHA256 of
  ``id.timestamp.body`` with the ``whsec_`` secret), computed by the ``standardwebhooks`` library.
- 2xx is success. Redirects are not followed and count as failures. 410 disables the channel.
  408, 429 and 5xx are retried (``Retry-After`` honoured); any other 4xx is permanent.
- The connection goes through ``netguard``'s transport: the target is resolved, checked against
  the SSRF policy and connected to at the checked address (issue 8).
- Each request has a total deadline (the dispatcher's ``Cutoff``), not only per-read timeouts: a
  receiver that answers one byte every two seconds is cut off there, and the delivery is
  retried later. The request runs on a private event loop so that it can be cancelled.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks import Webhook

from monitor.alerts.channel import Outgoing, short_url
from monitor.alerts.cutoff import DEFAULT_SECONDS, Cutoff, run_until_cut
from monitor.alerts.render import DEFAULT, clean, headline_verdict
from monitor.alerts.words import Presentation
from monitor.claimjson import date_json, number_json
from monitor.errors import BlockedAddressError, ConfigError, DeliveryError, redact_url
from monitor.models import Alert, Finding
from monitor.net import guard as netguard
from monitor.net.wire import retry_after_seconds

PAYLOAD_VERSION = 2  # 2: ``absorbed`` (stories joined after the fact)
EVENT_TYPES = {
    "new_story": "story.new",
    "story_update": "story.update",
    "operator": "operator",
    "digest": "digest",
}
USER_AGENT = "monitor-webhook/1 (Arabic news monitor)"
_MAX_ERROR_BODY = 300


# ---------------------------------------------------------------------- payload


def build_payload(
    alert: Alert, parts: Sequence[Alert] = (), pres: Presentation = DEFAULT
) -> dict[str, Any]:
    """The documented payload (version 2) of ``alert``; a digest nests its parts' payloads.

    ``created_at_local`` is in ``[monitor] timezone``; ``demo`` is true for ``monitor demo``'s
    invented stories; each claim's ``reason`` is English and ``reason_ar`` Arabic, whatever
    ``alert_language`` says (a program reads the payload, not a person).
    """
    body: dict[str, Any] = {
        "version": PAYLOAD_VERSION,
        "type": EVENT_TYPES[alert.kind],
        "alert_id": alert.id,
        "story_id": alert.story_id,
        "follows": alert.follows,
        "absorbed": list(alert.absorbed),
        "title": clean(alert.title),
        "created_at": _utc(alert.created_at),
        "created_at_local": alert.created_at.astimezone(pres.zone).isoformat(),
        "timezone": pres.timezone,
        "demo": pres.demo,
        "verdict": headline_verdict(alert),
        "outlet_count": len(alert.story_outlets or alert.outlets),
        "outlets": [
            {
                "name": m.outlet,
                "url": m.url,
                "title": clean(m.title),
                "published": _utc(m.published) if m.published else None,
            }
            for m in alert.members
        ],
        "claims": [_claim(f) for f in alert.findings],
        "claims_omitted": alert.omitted_findings,
        "updates": alert.updates,
        "terms": list(alert.terms),
        "text": alert.text,
    }
    if alert.kind == "digest":
        body["alerts"] = [build_payload(p, pres=pres) for p in parts]
    return body


def encode_payload(alert: Alert, parts: Sequence[Alert] = (), pres: Presentation = DEFAULT) -> str:
    """The exact body that is signed and sent (UTF-8 JSON, Arabic unescaped)."""
    payload = build_payload(alert, parts, pres)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _claim(finding: Finding) -> dict[str, Any]:
    c, v = finding.claim, finding.verdict
    return {
        "sentence": c.sentence,
        "kind": c.kind,
        "verdict": v.verdict,
        "timeline_event": v.timeline_event,
        "reason": v.reason,
        "reason_ar": v.reason_ar or None,
        "date": date_json(c.date),
        "places": list(c.places),
        "number": number_json(c.number, with_text=True),
        "negated": c.negated,
        "hedged": c.hedged,
        "reports_done": c.reports_done,
    }


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------------- the channel


@dataclass(frozen=True, slots=True)
class WebhookOptions:
    """A webhook channel's options."""

    url: str
    secret: str | None = None
    timeout_seconds: float = 10.0

    @property
    def target(self) -> str | None:
        return self.url

    def redacted(self) -> dict[str, Any]:
        return {
            "url": redact_url(self.url, whole_path=True),  # webhook paths are tokens as a rule
            "secret": "***" if self.secret else None,
            "timeout_seconds": self.timeout_seconds,
        }


def check_webhook(options: WebhookOptions) -> list[str]:
    """Problems with a webhook channel's options (for config validation)."""
    problems = []
    if not options.url.startswith(("http://", "https://")):
        problems.append(f"key 'url' must be an http(s) URL, got {options.url!r}")
    secret = options.secret or ""
    if secret and not secret.startswith("whsec_"):
        problems.append("key 'secret' must be a Standard Webhooks secret: 'whsec_' + base64")
    elif secret:
        try:
            Webhook(secret)
        except Exception as exc:  # binascii.Error, RuntimeError or the library's own errors
            problems.append(f"key 'secret': invalid base64 after 'whsec_' ({exc})")
    return problems


class WebhookChannel:
    """POST each alert to one URL; one ``httpx.AsyncClient`` per dispatch round, on a private
    event loop that lives in the channel's delivery thread."""

    def __init__(
        self,
        name: str,
        options: WebhookOptions,
        *,
        allow_private_addresses: bool = False,
        pres: Presentation = DEFAULT,
    ) -> None:
        problems = check_webhook(options)
        if problems:
            raise ConfigError([f"channel {name!r}: {p}" for p in problems])
        self.name = name
        self.url = options.url
        self.allow_private = allow_private_addresses
        self.pres = pres
        self._signer = Webhook(options.secret) if options.secret else None
        self._timeout = options.timeout_seconds
        self._runner: asyncio.Runner | None = None
        self._client: httpx.AsyncClient | None = None

    def send(self, message: Outgoing, cutoff: Cutoff | None = None) -> None:
        cutoff = cutoff or Cutoff(DEFAULT_SECONDS)
        body = encode_payload(message.alert, message.parts, self.pres)
        try:
            netguard.check_url_syntax(self.url, self.allow_private)
            if self._runner is None:
                self._runner = asyncio.Runner()
            run_until_cut(cutoff, self._runner, self._post(message, body))
        except BlockedAddressError as exc:
            raise DeliveryError(f"webhook: {exc}", channel=self.name, permanent=True) from exc
        except TimeoutError as exc:
            raise DeliveryError(
                f"webhook: {short_url(self.url)}: {cutoff.reason()}", channel=self.name
            ) from exc
        except httpx.HTTPError as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise DeliveryError(
                f"webhook: {short_url(self.url)}: {reason}", channel=self.name
            ) from exc

    async def _post(self, message: Outgoing, body: str) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self._timeout),
                follow_redirects=False,  # a redirect is a failure (issue 7), never a silent hop
                headers={"User-Agent": USER_AGENT},
                transport=netguard.async_transport(allow_private=self.allow_private),
                trust_env=False,
            )
        content = body.encode("utf-8")
        headers = self.headers(message, body)
        async with self._client.stream("POST", self.url, content=content, headers=headers) as reply:
            await _check_response(self.name, reply)

    def headers(self, message: Outgoing, body: str) -> dict[str, str]:
        """Standard Webhooks headers for ``body``; the timestamp is the time of this attempt."""
        now = datetime.now(UTC)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "webhook-id": message.key,
            "webhook-timestamp": str(int(now.timestamp())),
            "X-Monitor-Event": EVENT_TYPES[message.alert.kind],
        }
        if self._signer is not None:
            headers["webhook-signature"] = self._signer.sign(message.key, now, body)
        return headers

    def close(self) -> None:
        if self._runner is None:
            return
        try:
            if self._client is not None:
                self._runner.run(self._client.aclose())
        finally:
            self._client = None
            self._runner.close()
            self._runner = None


async def _check_response(channel: str, response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    retry_after = retry_after_seconds(response.headers.get("retry-after"))
    if 300 <= status < 400:
        where = response.headers.get("location", "?")
        raise DeliveryError(
            f"webhook: HTTP {status} redirect to {short_url(where)} not followed", channel=channel
        )
    detail = f"webhook: HTTP {status}{await _snippet(response)}"
    if status == 410:
        raise DeliveryError(detail, channel=channel, permanent=True, disable_channel=True)
    if status in (408, 429) or status >= 500:
        raise DeliveryError(detail, channel=channel, retry_after_s=retry_after)
    raise DeliveryError(detail, channel=channel, permanent=True)


async def _snippet(response: httpx.Response) -> str:
    """The start of an error body, for the operator (never the whole of a stranger's reply)."""
    data = b""
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= _MAX_ERROR_BODY:
            break
    text = clean(data[:_MAX_ERROR_BODY].decode("utf-8", "replace"))
    return f": {text}" if text else ""
