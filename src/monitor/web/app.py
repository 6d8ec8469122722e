"""The Starlette app: routes, request parsing, templates; ``create_app(WebContext)``.

Routes: ``/`` stories, ``/story/{id}``, ``/timeline``, ``/sources``, ``/outbox`` (GET pages);
``/outbox/retry`` and ``/outbox/digest`` (POST, CSRF token, then 303 back to the outbox);
``/healthz`` and ``/metrics``; ``/static/style.css``. Each GET opens a read-only connection to
the state for the request (WAL: the daemon keeps writing meanwhile); a POST opens a read-write
one for its one transaction. Query values are checked against fixed choices; an unknown value
is ignored, never echoed into SQL or HTML unescaped.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from typing import Any, cast
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from monitor.alerts.digest import queue_digest_now
from monitor.alerts.words import QUALIFIERS, Lang, word
from monitor.config.load import Config
from monitor.models import StoryFilter
from monitor.pipeline.metrics import Metrics
from monitor.settings import VERDICTS
from monitor.store import Store, utcnow
from monitor.web import pages
from monitor.web.chart import RangeChoice
from monitor.web.labels import Labels
from monitor.web.security import Guard, csrf_ok, csrf_token
from monitor.web.text import local_time, marked_sentence, reason_html, safe_url, title

_CSS = resources.files("monitor.web").joinpath("static", "style.css").read_bytes()
_MESSAGES = ("queued_note", "retry_refused", "no_digest", "csrf_stale")


@dataclass
class WebContext:
    """What the pages need: the config (state dir, timeline, places, alert_language, time
    zone), and in the daemon its metrics and health; ``key`` signs the CSRF token (new per
    process)."""

    config: Config
    healthy: Callable[[], tuple[bool, str]]  # the daemon's, or the store's (monitor serve)
    metrics: Metrics | None = None  # None: not the daemon, no counters to show
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    clock: Callable[[], datetime] = utcnow

    @contextmanager
    def reader(self) -> Iterator[Store]:
        store = Store.open_readonly(self.config.state_dir)
        try:
            yield store
        finally:
            store.close()

    @contextmanager
    def writer(self) -> Iterator[Store]:
        store = Store.open(self.config.state_dir, lock=False)
        try:
            yield store
        finally:
            store.close()


def create_app(ctx: WebContext) -> Guard:
    """The ASGI app, wrapped in the guard (host check, password, security headers)."""
    env = _environment(ctx)
    pages_ = _Pages(ctx, env)
    app = Starlette(
        routes=[
            Route("/", pages_.stories),
            Route("/story/{story_id}", pages_.story),
            Route("/timeline", pages_.timeline),
            Route("/sources", pages_.sources),
            Route("/outbox", pages_.outbox),
            Route("/outbox/retry", pages_.retry, methods=["POST"]),
            Route("/outbox/digest", pages_.digest, methods=["POST"]),
            Route("/healthz", pages_.healthz),
            Route("/metrics", pages_.metrics),
            Route("/static/style.css", _stylesheet),
        ],
    )
    return Guard(app, ctx.config.web)


def _environment(ctx: WebContext) -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.web", "templates"),
        autoescape=True,  # every template, whatever its name: all text is a stranger's
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    zone = ZoneInfo(ctx.config.timezone)
    places = dict(pages.place_options(ctx.config))
    labels = Labels(cast(Lang, ctx.config.alert_language))
    env.globals.update(
        t=labels,
        # plain words for the chart's many tooltips (one Markup call per dot adds up)
        verdict_words={v: labels.verdict_plain(v) for v in VERDICTS},
        verdicts=VERDICTS,
        place_options=pages.place_options(ctx.config),
        periods=tuple(pages.PERIODS),
        timezone=ctx.config.timezone,
        csrf=csrf_token(ctx.key),
    )
    env.filters.update(
        when=lambda value: local_time(value, zone),
        title=title,
        reason=reason_html,
        url=safe_url,
        marks=lambda claim: marked_sentence(claim, ctx.config.rules),
        place=lambda pid: places.get(pid, pid),
        iso=lambda value: value.isoformat() if value else "",
        qualifier=lambda key: word(QUALIFIERS, key, labels.language),
    )
    return env


async def _stylesheet(request: Request) -> Response:
    return Response(_CSS, media_type="text/css", headers={"cache-control": "max-age=3600"})


class _Pages:
    """The handlers. Sync ones run in Starlette's thread pool (SQLite is blocking)."""

    def __init__(self, ctx: WebContext, env: Environment) -> None:
        self.ctx = ctx
        self.env = env
        self.places = frozenset(p for p, _ in pages.place_options(ctx.config))
        # the "today" label's length, so the chart keeps it inside the drawing
        self.today_chars = len(Labels(cast(Lang, ctx.config.alert_language)).plain("today"))

    def _render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(**values)
        return HTMLResponse(html, status_code=status)

    # ------------------------------------------------------------------ pages

    def stories(self, request: Request) -> HTMLResponse:
        q = request.query_params
        verdict = q.get("verdict", "")
        place = q.get("place", "")
        since, until = _day(q.get("from", "")), _day(q.get("to", ""), next_day=True)
        flt = StoryFilter(
            verdict=verdict if verdict in VERDICTS else None,  # type: ignore[arg-type]
            place=place if place in self.places else None,
            since=since,
            until=until,
            query=q.get("q", "")[:200],
        )
        period = q.get("period", "") if q.get("period", "") in pages.PERIODS else ""
        with self.ctx.reader() as store:
            view = pages.stories_view(
                store, self.ctx.config, flt, period, _int(q.get("page", "1")), self.ctx.clock()
            )
        dates = (q.get("from", "") if since else "", q.get("to", "") if until else "")
        kept = {
            "q": flt.query,
            "verdict": flt.verdict or "",
            "place": flt.place or "",
            "period": period,
            "from": dates[0],
            "to": dates[1],
        }

        def page_url(n: int) -> str:
            return "/?" + urlencode({k: v for k, v in {**kept, "page": str(n)}.items() if v})

        return self._render(
            "stories.html", view=view, nav="stories", dates=dates, page_url=page_url
        )

    def story(self, request: Request) -> HTMLResponse:
        story_id = request.path_params["story_id"]
        with self.ctx.reader() as store:
            view = pages.story_page(store, self.ctx.config, story_id)
        if view is None:
            return self._render("missing.html", status=404, nav="stories")
        return self._render("story.html", view=view, nav="stories")

    def timeline(self, request: Request) -> HTMLResponse:
        choice: RangeChoice = "all" if request.query_params.get("range") == "all" else "recent"
        with self.ctx.reader() as store:
            view = pages.timeline_view(
                store, self.ctx.config, choice, self._today(), self.today_chars
            )
        return self._render("timeline.html", view=view, nav="timeline")

    def sources(self, request: Request) -> HTMLResponse:
        with self.ctx.reader() as store:
            view = pages.sources_view(store, self.ctx.config, self.ctx.clock())
        return self._render("sources.html", view=view, nav="sources")

    def outbox(self, request: Request) -> HTMLResponse:
        done = request.query_params.get("done", "")
        with self.ctx.reader() as store:
            view = pages.outbox_view(store, self.ctx.config)
        message = done if done in _MESSAGES else None
        return self._render("outbox.html", view=view, nav="outbox", message=message)

    def _today(self) -> date:
        return self.ctx.clock().astimezone(ZoneInfo(self.ctx.config.timezone)).date()

    # ------------------------------------------------------------------ actions

    async def retry(self, request: Request) -> Response:
        form = await _form(request)
        if not csrf_ok(self.ctx.key, form.get("csrf", "")):
            return self._refused()
        delivery = _int(form.get("id", ""))

        def requeue() -> bool:
            with self.ctx.writer() as store:
                return delivery > 0 and store.requeue_delivery(delivery)

        done = "queued_note" if await run_in_threadpool(requeue) else "retry_refused"
        return RedirectResponse(f"/outbox?done={done}", status_code=303)

    async def digest(self, request: Request) -> Response:
        form = await _form(request)
        if not csrf_ok(self.ctx.key, form.get("csrf", "")):
            return self._refused()
        channel = next((c for c in self.ctx.config.channels if c.name == form.get("channel")), None)

        def queue() -> bool:
            if channel is None:
                return False
            with self.ctx.writer() as store:
                return queue_digest_now(store, channel, self.ctx.clock()) is not None

        done = "queued_note" if await run_in_threadpool(queue) else "no_digest"
        return RedirectResponse(f"/outbox?done={done}", status_code=303)

    def _refused(self) -> HTMLResponse:
        return self._render("refused.html", status=403, nav="outbox")

    # ------------------------------------------------------------------ health and metrics

    def healthz(self, request: Request) -> PlainTextResponse:
        ok, why = self.ctx.healthy()
        return PlainTextResponse(why + "\n", status_code=200 if ok else 503)

    def metrics(self, request: Request) -> Response:
        if self.ctx.metrics is None:
            return PlainTextResponse(
                "metrics are counted by the daemon: see /metrics of `monitor run`\n",
                status_code=404,
            )
        return Response(
            self.ctx.metrics.render(),
            media_type="text/plain; version=0.0.4; charset=utf-8",
        )


async def _form(request: Request) -> dict[str, str]:
    """A urlencoded form (our forms are small and have no files)."""
    body = (await request.body())[:10_000].decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def _int(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 10 else 0


def _day(value: str, *, next_day: bool = False) -> datetime | None:
    """A ``YYYY-MM-DD`` form value as the start of that day (UTC), or of the next one."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    if next_day:
        day = date.fromordinal(day.toordinal() + 1)
    return datetime(day.year, day.month, day.day, tzinfo=utcnow().tzinfo)
