"""Rendering: every alert explains itself, in Arabic, right to left, safe from stranger text."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.support.sample_alerts import SENTENCE, channel, make_alert

from monitor.alerts.bidi import FSI, LRI, PDI, RLI, text_runs
from monitor.alerts.digest import last_slot, route
from monitor.alerts.render import (
    claim_fields,
    clean,
    place_name,
    render_html,
    render_text,
    safe_header,
    subject,
)
from monitor.alerts.words import Presentation
from monitor.config.load import default_config
from monitor.models import Alert, Claim, Finding, Verdict


@pytest.mark.parametrize(
    ("verdict", "arabic", "english"),
    [
        ("consistent", "متسق", "consistent"),
        ("conflicting", "متعارض", "conflicting"),
        ("completed", "مكتمل", "completed"),
        ("new", "جديد", "new"),
    ],
    ids=["consistent", "conflicting", "completed", "new"],
)
def test_text_explains_the_claim_and_its_verdict(verdict: str, arabic: str, english: str) -> None:
    text = _plain(render_text(make_alert(verdicts=(verdict,))))  # type: ignore[arg-type]
    assert f"الحكم / verdict: {arabic} / {english}" in text
    for expected in (
        "مصادر: التحالف الدولي يغادر عين الأسد",  # the title
        "وسائل الإعلام (3): وكالة الرافدين، صحيفة المدى الجديد، Shafaq Daily",  # count and names
        f"«{SENTENCE}»",  # the original sentence
        "الحدث في الجدول الزمني: phase-one-federal",
        "reason: says 2026-09; timeline: 2025-09",
        "2026-09-01 … 2026-09-30",  # the date interval
        "قاعدة عين الأسد (ain_al_asad)، أربيل (erbil)",
        "2,500",
        "https://news1.example/story/1?id=2026",
        "2026-09-30 11:15 بتوقيت بغداد | 2026-09-30 08:15 UTC",
    ):
        assert expected in text


def _plain(text: str) -> str:
    return text.replace(LRI, "").replace(PDI, "")


def test_console_text_is_one_line_per_field_isolating_only_dates_and_ids() -> None:
    alert = make_alert(title="عنوان\r\nفيه\x1b[31m سطر مكسور")
    text = render_text(alert)
    assert FSI not in text and RLI not in text and "\x1b" not in text
    first = text.splitlines()[0]
    assert first == "■ [متعارض] عنوان فيه [31m سطر مكسور"
    assert all(":" in line for line in text.splitlines()[1:] if line.strip())
    # ISO dates and ids keep their order on a terminal with bidi
    assert f"{LRI}2026-09-30 11:15{PDI}" in text
    assert f"{LRI}phase-one-federal{PDI}" in text


def test_console_pins_a_digits_only_story_id() -> None:
    text = render_text(make_alert(story_id="20260930"))
    assert f"{LRI}20260930{PDI}" in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("سطر\r\nBcc: x@y", "سطر Bcc: x@y"),
        ("a\x00b\x7fc\x85d", "a b c d"),
        ("\u202eعكس\u202c النص", "عكس النص"),  # a right-to-left override cannot flip our text
        ("\u2066عزل\u2069", "عزل"),
        ("  مسافات\t\tكثيرة  ", "مسافات كثيرة"),
    ],
    ids=["crlf", "controls", "bidi-override", "isolates", "whitespace"],
)
def test_clean_strips_what_strangers_could_smuggle(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_safe_header_defuses_encoded_words() -> None:
    value = safe_header("خبر =?UTF-8?Q?=0A?=Bcc: evil@example.com")
    assert "=?" not in value and "?=" not in value and "\n" not in value
    assert "Bcc: evil@example.com" in value  # still readable, now inert


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("غادرت القوات قاعدة Ain al-Asad أمس", ["Ain al-Asad"]),
        ("بحلول 2026-09-30 وفق البيان", ["2026-09-30"]),
        ("نحو 2,500 جندي و٣٠٠ مستشار", ["2,500", "٣٠٠"]),
        ("المصدر: https://example.org/a?b=1، أمس", ["https://example.org/a?b=1"]),
    ],
    ids=["latin-name", "date", "numbers", "url"],
)
def test_isolate_wraps_latin_numbers_dates_and_urls(text: str, runs: list[str]) -> None:
    out = text_runs(text, "rtl")
    for run in runs:
        assert f"{LRI}{run}{PDI}" in out
    assert out.replace(LRI, "").replace(PDI, "") == text


def test_email_text_isolates_numbers_and_latin() -> None:
    text = render_text(make_alert(), isolates=True)
    assert f"{LRI}Ain al-Asad{PDI}" in text
    assert f"{LRI}2026-09-30 11:15{PDI}" in text


def test_email_text_gives_each_value_its_direction_by_script() -> None:
    text = render_text(make_alert(), isolates=True)
    # the English reason is left to right as a whole, whatever it quotes
    assert f"reason: {LRI}says 2026-09; timeline: 2025-09" in text
    # an Arabic value is right to left as a whole, its Latin runs isolated inside
    assert f"{RLI}«وقال مصدر" in text


def test_html_is_rtl_arabic_with_bdi_and_escaped() -> None:
    alert = make_alert(title="<script>alert(1)</script> خبر عن Erbil")
    page = render_html(alert)
    assert '<html dir="rtl" lang="ar">' in page
    assert '<meta charset="utf-8">' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert '<bdi dir="ltr">Erbil</bdi>' in page
    assert '<bdi dir="ltr">Ain al-Asad</bdi>' in page
    assert '<a href="https://news0.example/story/0?id=2026"' in page
    assert 'متعارض / <bdi dir="ltr">conflicting</bdi>' in page
    assert "<bdi>" not in page  # no value is left to the first strong character's guess


def test_html_links_only_http_urls() -> None:
    alert = make_alert()
    bad = alert.members[0].__class__(**{**_asdict(alert.members[0]), "url": "javascript:alert(1)"})
    page = render_html(Alert(**{**_asdict(alert), "members": (bad,)}))
    assert 'href="javascript' not in page


def _asdict(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kind", "follows", "expected"),
    [
        ("new_story", None, "[متعارض] "),
        ("story_update", "alert-0", "Re: [تحديث: متعارض] "),
        ("operator", None, "[تنبيه تشغيلي / operator] "),
    ],
    ids=["new", "update", "operator"],
)
def test_subject_names_the_kind(kind: str, follows: str | None, expected: str) -> None:
    alert = make_alert(kind=kind, follows=follows)  # type: ignore[arg-type]
    assert subject(alert).startswith(expected)


def test_digest_renders_each_part() -> None:
    parts = [make_alert("a1", verdicts=("consistent",)), make_alert("a2", title="خبر ثان")]
    digest = Alert(
        id="d", kind="digest", title="ملخص", created_at=datetime.now(UTC), includes=("a1", "a2")
    )
    text = _plain(render_text(digest, parts))
    assert subject(digest, parts).startswith("ملخص التنبيهات / digest: 2")
    assert "خبر ثان" in text and text.count("الحكم / verdict") == 2
    assert render_html(digest, parts).count("<h3") == 2


@pytest.mark.parametrize(
    ("verdicts", "immediate", "digest", "expected"),
    [
        (("conflicting",), ("conflicting",), ("consistent",), "now"),
        (("consistent",), ("conflicting",), ("consistent",), "digest"),
        (("consistent", "conflicting"), ("conflicting",), ("consistent",), "now"),
        (("consistent", "new"), ("conflicting",), ("consistent",), None),
        ((), ("new",), (), "now"),  # a story without claims counts as new
        ((), ("conflicting",), ("new",), "digest"),
        (("completed",), (), (), None),
    ],
    ids=[
        "any-immediate",
        "all-digest",
        "mixed-immediate",
        "mixed-none",
        "no-claims",
        "no-claims-digest",
        "routed-nowhere",
    ],
)
def test_route(verdicts, immediate, digest, expected) -> None:  # type: ignore[no-untyped-def]
    alert = make_alert(verdicts=verdicts)
    routes = route(alert, [channel("c", "console", immediate=immediate, digest=digest)])
    assert routes == ([("c", expected)] if expected else [])


def test_operator_alerts_always_go_now() -> None:
    alert = make_alert(kind="operator", verdicts=())
    chans = [channel("a", "console", immediate=(), digest=("consistent",)), channel("b", "console")]
    assert route(alert, chans) == [("a", "now"), ("b", "now")]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 9, 30, 5, 0, tzinfo=UTC), datetime(2026, 9, 30, 5, 0, tzinfo=UTC)),
        (datetime(2026, 9, 30, 4, 59, tzinfo=UTC), datetime(2026, 9, 29, 5, 0, tzinfo=UTC)),
        (datetime(2026, 9, 30, 23, 0, tzinfo=UTC), datetime(2026, 9, 30, 5, 0, tzinfo=UTC)),
    ],
    ids=["at-the-slot", "just-before", "evening"],
)
def test_last_slot_is_0800_baghdad(now: datetime, expected: datetime) -> None:
    assert last_slot(now, "08:00", "Asia/Baghdad") == expected


def _arabic_reason(alert: Alert) -> Alert:
    f = alert.findings[0]
    v = f.verdict.__class__(
        f.verdict.verdict, f.verdict.timeline_event, f.verdict.reason, "يقول 2026-09"
    )
    return Alert(**{**_asdict(alert), "findings": (f.__class__(f.claim, v),)})


@pytest.mark.parametrize(
    ("lang", "present", "absent"),
    [
        (
            "ar",
            ["السبب: يقول 2026-09", "الحكم: متعارض", "النوع: انسحاب"],
            ["says 2026-09", "conflicting"],
        ),
        (
            "en",
            ["reason: says 2026-09", "verdict: conflicting", "kind: withdrawal"],
            ["يقول", "متعارض"],
        ),
        (
            "ar+en",
            [
                "السبب: يقول 2026-09",
                "reason: says 2026-09",
                "الحكم / verdict: متعارض / conflicting",
            ],
            [],
        ),
    ],
    ids=["ar", "en", "ar+en"],
)
def test_alert_language_chooses_the_words(lang: str, present: list[str], absent: list[str]) -> None:
    text = _plain(render_text(_arabic_reason(make_alert()), pres=Presentation(lang)))  # type: ignore[arg-type]
    for expected in present:
        assert expected in text
    for missing in absent:
        assert missing not in text


def test_english_only_html_is_left_to_right() -> None:
    page = render_html(make_alert(), pres=Presentation("en"))
    assert '<html dir="ltr" lang="en">' in page


def test_times_follow_the_configured_timezone() -> None:
    text = _plain(render_text(make_alert(), pres=Presentation(timezone="Europe/Berlin")))
    assert "2026-09-30 10:15 بتوقيت Europe/Berlin | 2026-09-30 08:15 UTC" in text
    assert "بغداد" not in text


def test_demo_alerts_are_marked_in_subject_and_body() -> None:
    pres = Presentation(demo=True)
    assert subject(make_alert(), pres=pres).startswith("[تجريبي / DEMO] ")
    line = render_text(make_alert(), pres=pres).splitlines()[1]
    assert "تجريبي" in line and "أخبار مختلقة" in line and "تجريبي / DEMO" not in line


def test_a_claim_shows_where_forces_go_and_each_granularity_in_words() -> None:
    from datetime import date

    from monitor.alerts.render import claim_fields
    from monitor.models import Claim, DateSpan, Finding, Verdict

    claim = Claim(
        "relocation",
        "نقل المستشارين من بغداد إلى قاعدة حرير في أربيل منتصف الشهر المقبل",
        DateSpan("منتصف الشهر المقبل", date(2026, 10, 11), date(2026, 10, 20), "part_of_month"),
        places=("baghdad",),
        destinations=("harir", "erbil"),
    )
    fields = claim_fields(1, Finding(claim, Verdict("new", None, "no event")), Presentation("ar"))
    by_label = {f.label: f.value for f in fields}
    assert "بغداد" in by_label["الأماكن"] and "حرير" not in by_label["الأماكن"]
    assert "حرير" in by_label["الوجهة"] and "أربيل" in by_label["الوجهة"]
    assert "(جزء من الشهر)" in by_label["التاريخ"]


def test_every_gazetteer_place_is_named_in_the_readers_language(tmp_path: Path) -> None:
    """A place the alerts' own table lacks (one of the shipped gazetteer's, or one a user adds
    to keywords.toml) is named from the gazetteer, not shown as its bare id."""
    config = default_config(tmp_path)
    named = {p.id for p in config.rules.places if p.ar}
    claim = Claim("handover", "سلّم التحالف قاعدة الحبانية", places=("habbaniyah", "mosul"))
    for lang, name in (("ar", "الحبانية"), ("en", "Habbaniyah")):
        pres = dataclasses.replace(config.presentation(), lang=lang)
        fields = claim_fields(1, Finding(claim, Verdict("new", None, "no event")), pres)
        places = next(f.value for f in fields if f.label in ("الأماكن", "places"))
        assert f"{name} (habbaniyah)" in places and "(mosul)" in places
        assert all(place_name(p, pres) != p for p in named)  # every one has a name
    assert place_name("habbaniyah") == "habbaniyah"  # without the gazetteer: the id
