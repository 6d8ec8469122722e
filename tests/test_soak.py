"""A soak: 30 cycles against good and hostile sources and sinks, then the counts (issue 13).

Sources: three outlets publishing a little every cycle, and hostile ones: a feed that drips,
one that answers 500, one of garbage, one dated year 0001, a 1,200-item feed listed oldest
first. Sinks: a JSON-Lines file, a webhook that fails every other request (503), and one that
drips its answer. After the 30 cycles, time moves on (dispatch with a later clock) so the
retries come due. Then: every alert reached each good sink exactly once (the flaky webhook
answered 2xx once per webhook-id), no article the outlets published was lost, the dripping
sink held nothing up, and the process's resident memory stayed flat.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from tests.support.feeds import Article, NewsSite, load_articles, write_config
from tests.support.httpserver import HttpServer, Request, Response

from monitor.config.load import load_config
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.store import Store, utcnow

CYCLES = 30
OUTLETS = ("dijla", "furat", "zawraa")
ALL = '["conflicting", "completed", "new", "consistent"]'


def rss_kb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 1024


def variant(article: Article, n: int) -> Article:
    """Article ``n`` of an outlet's stream: the fixture texts again under new ids."""
    return replace(article, id=f"{article.id}-{n}")


def hostile_routes(server: HttpServer) -> list[tuple[str, str, str]]:
    server.route("/drip/feed.xml", Response(200, b"<rss>" + b" " * 400 + b"</rss>", drip_s=0.5))
    server.route("/err/feed.xml", Response(500, b"oops"))
    server.route("/junk/feed.xml", Response(200, bytes(range(256)) * 40))
    year1 = load_articles()["erbil-plan"]
    server.route(
        "/year1/feed.xml",
        Response(
            200,
            (
                '<rss version="2.0"><channel><title>y</title><item>'
                f"<title>{year1.title}</title><link>{server.url('/year1/1')}</link>"
                f"<description>{year1.description}</description>"
                "<pubDate>Mon, 01 Jan 0001 00:00:00 +0000</pubDate></item></channel></rss>"
            ).encode(),
            content_type="application/rss+xml",
        ),
    )
    filler = "".join(
        f"<item><title>سوق {i}</title><link>{server.url(f'/big/{i}')}</link></item>"
        for i in range(1200)
    )
    server.route(
        "/big/feed.xml",
        Response(200, f'<rss version="2.0"><channel><title>b</title>{filler}</channel></rss>'),
    )
    return [
        (name, name, server.url(f"/{name}/feed.xml"))
        for name in ("drip", "err", "junk", "year1", "big")
    ]


def test_thirty_cycles_against_good_and_hostile_peers(tmp_path: Path, server: HttpServer) -> None:
    site = NewsSite(server)
    pool = [a for k, a in load_articles().items() if k != "kurdistan-cp1256"]
    published: dict[str, list[Article]] = {o: [pool[i]] for i, o in enumerate(OUTLETS)}
    for outlet, articles in published.items():
        site.publish(outlet, articles)

    flaky: Counter[tuple[str, int]] = Counter()
    lock = threading.Lock()

    def flaky_hook(request: Request) -> Response:
        key = request.headers["webhook-id"]
        with lock:
            tries = sum(n for (k, _), n in flaky.items() if k == key)
            status = 503 if tries % 2 == 0 else 200
            flaky[(key, status)] += 1
        return Response(status, b"")

    server.route("/flaky", flaky_hook, methods=("POST",))
    server.route("/slow", Response(200, b"ok" * 20, drip_s=0.5), methods=("POST",))
    sinks = "".join(
        f'[[channels]]\nname = "{name}"\ntype = "webhook"\nurl = "{server.url(path)}"\n'
        f"timeout_seconds = 5\nimmediate = {ALL}\ndigest = []\n\n"
        for name, path in (("flaky", "/flaky"), ("slow", "/slow"))
    )
    config = write_config(
        tmp_path,
        site.sources() + hostile_routes(server),
        monitor="alert_on_first_run = true",
        extra=sinks + "[delivery]\nsend_deadline_seconds = 1\nround_deadline_seconds = 2\n",
    )
    rt = Runtime(config=load_config(config), store=Store.open(tmp_path / "state"))
    rss: list[float] = []
    try:
        for cycle in range(1, CYCLES + 1):
            outlet = OUTLETS[cycle % len(OUTLETS)]
            published[outlet].append(variant(pool[cycle % len(pool)], cycle))
            site.publish(outlet, published[outlet][-5:])  # a feed lists its latest five
            report = run_cycle(rt)
            assert report.store_error is None
            rss.append(rss_kb())
        for hours in range(1, 8):  # the retries come due: the flaky hook answers at last
            rt.dispatcher().dispatch(utcnow() + timedelta(hours=hours))
        outbox = {(r.alert_id, r.channel): r for r in rt.store.outbox_rows()}
        keys = {r[0] for r in rt.store.conn.execute("SELECT key FROM entries")}
    finally:
        rt.store.close()

    alerts = [json.loads(x) for x in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    ids = [a["alert_id"] for a in alerts]
    assert ids and len(ids) == len(set(ids))  # the file got each alert once
    stored = {a for a, _ in outbox}
    assert set(ids) <= stored
    sent_ok = Counter(k for (k, status), n in flaky.items() if status == 200 for _ in range(n))
    assert sent_ok and max(sent_ok.values()) == 1  # one 2xx per webhook-id
    assert all(outbox[(a, "flaky")].status == "sent" for a in ids)
    assert all(outbox[(a, "slow")].status != "sent" for a in ids)  # cut each time, never hung
    for outlet, articles in published.items():  # no article lost
        assert all(any(a.id in k for k in keys) for a in articles), outlet
    assert any("year1" in k for k in keys)  # the year-0001 item was processed, not failed
    grown_mb = (rss[-1] - rss[4]) / 1024
    assert grown_mb < 40, [round(x / 1024) for x in rss]  # flat after warm-up (figure logged)
    print(f"soak rss MB after cycle 5: {rss[4] / 1024:.0f}, after {CYCLES}: {rss[-1] / 1024:.0f}")
