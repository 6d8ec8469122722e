"""The pages' words in Arabic and English, shown in ``[monitor] alert_language``.

``"ar"`` shows the Arabic word, ``"en"`` the English one, ``"ar+en"`` both (Arabic first, the
English in a smaller, left-to-right isolate). Verdicts, claim kinds, alert kinds and place names
come from the alerts' own tables (``alerts.words``), so a page and an email never name a verdict
differently; the words below are the pages' own.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from monitor.alerts.words import ALERT_KINDS, CLAIM_KINDS, VERDICTS, Lang, Words

WORDS: dict[str, tuple[str, str]] = {
    "site": ("غرفة القراءة", "Reading room"),
    "stories": ("القصص", "Stories"),
    "story": ("القصة", "Story"),
    "timeline": ("الجدول الزمني", "Timeline"),
    "sources": ("المصادر", "Sources"),
    "outbox": ("صندوق الإرسال", "Outbox"),
    "search": ("بحث", "Search"),
    "search_hint": ("كلمات من العنوان أو الادعاء", "words of a title or a claim"),
    "verdict": ("الحكم", "verdict"),
    "place": ("المكان", "place"),
    "period": ("الفترة", "period"),
    "any": ("الكل", "any"),
    "day": ("آخر يوم", "last day"),
    "week": ("آخر أسبوع", "last week"),
    "month": ("آخر شهر", "last month"),
    "from": ("من تاريخ", "from"),
    "to": ("إلى تاريخ", "to"),
    "apply": ("تطبيق", "Apply"),
    "clear": ("مسح", "Clear"),
    "outlets": ("وسائل الإعلام", "outlets"),
    "reports": ("التقارير", "reports"),
    "claims": ("الادعاءات", "claims"),
    "updates": ("التحديثات", "updates"),
    "last_activity": ("آخر نشاط", "last activity"),
    "retired": ("مغلقة", "closed"),
    "no_stories": ("لا قصص تطابق هذا الطلب.", "No story matches."),
    "newer": ("الأحدث", "newer"),
    "older": ("الأقدم", "older"),
    "of": ("من", "of"),
    "published": ("نُشر", "published"),
    "fetched": ("جُلب (وقت النشر غير معروف)", "fetched (publication time unknown)"),
    "link": ("الرابط", "link"),
    "no_link": ("بلا رابط صالح", "no usable link"),
    "reason": ("السبب", "reason"),
    "event": ("الحدث في الجدول الزمني", "timeline event"),
    "no_event": ("لا حدث مطابق", "no matching event"),
    "date": ("التاريخ", "date"),
    "places": ("الأماكن", "places"),
    "destinations": ("الوجهة", "going to"),
    "number": ("العدد", "number"),
    "kind": ("النوع", "kind"),
    "carried_by": ("ورد في", "carried by"),
    "alerts_sent": ("التنبيهات المرسلة", "Alerts sent"),
    "no_alerts": ("لم يُرسل تنبيه عن هذه القصة.", "No alert was sent about this story."),
    "channel": ("القناة", "channel"),
    "outcome": ("النتيجة", "outcome"),
    "time": ("الوقت", "time"),
    "not_routed": ("لم يوجَّه لأي قناة", "routed to no channel"),
    "absorbed": ("قصص ضُمّت إليها", "Stories it absorbed"),
    "absorbed_note": ("تبيّن لاحقاً أنها التطور نفسه: تقاريرها وادعاءاتها صارت في هذه القصة.",
                      "Found later to be the same development: their reports and claims are in this story now."),
    "absorbed_by": ("ضُمّت هذه القصة إلى", "This story was joined into"),
    "absorbed_by_note": ("تقاريرها وادعاءاتها وتحديثاتها هناك.",
                         "Its reports, claims and updates are there."),
    "absorbed_state": ("مضمومة", "joined"),
    "first_seen": ("أول ظهور", "first seen"),
    "not_found": ("غير موجود", "Not found"),
    "story_gone": ("لا قصة بهذا المعرف (ربما حُذفت بعد انتهاء مدتها).",
                   "No story with this id (it may have been pruned)."),
    "planned": ("مخطط", "planned"),
    "completed": ("مكتمل", "completed"),
    "overdue": ("متأخر", "overdue"),
    "completed_by": ("أكملته القصة", "completed by story"),
    "supported_by": ("تؤيده", "supported by"),
    "contradicted_by": ("تعارضه", "contradicted by"),
    "milestone": ("المرحلة", "milestone"),
    "status": ("الحالة", "status"),
    "today": ("اليوم", "today"),
    "chart_range": ("المدى", "range"),
    "recent_years": ("السنوات الأخيرة", "recent years"),
    "all_years": ("كل السنوات", "all years"),
    "other_claims": ("ادعاءات بلا حدث", "claims with no event"),
    "undated_conflicts": ("ادعاءات متعارضة لا تذكر تاريخاً", "Conflicting claims that state no date"),
    "more_stories": ("رُسمت ادعاءات أحدث 300 قصة فقط؛ الأقدم في صفحة القصص.",
                     "Only the claims of the 300 most recent stories are drawn; older ones are in Stories."),
    "earlier": ("قبل المدى", "before the range"),
    "legend": ("المفتاح", "legend"),
    "table": ("جدول", "Table"),
    "source": ("المصدر", "source"),
    "state": ("الحالة", "state"),
    "last_success": ("آخر نجاح", "last success"),
    "failures": ("إخفاقات متتالية", "failures in a row"),
    "backoff_until": ("التأجيل حتى", "backoff until"),
    "last_new_item": ("آخر جديد", "last new item"),
    "silence": ("الصمت", "silence"),
    "hours": ("ساعة", "hours"),
    "last_error": ("آخر خطأ", "last error"),
    "page_fetches": ("جلب الصفحات", "page fetches"),
    "fetched_ok": ("نجح", "ok"),
    "pages_failing": ("الصفحات تفشل", "pages failing"),
    "page_error": ("أول خطأ في الصفحات", "first page error"),
    "ok": ("سليم", "ok"),
    "failing": ("متعثر", "failing"),
    "never_polled": ("لم يُجلب بعد", "never polled"),
    "disabled": ("معطل", "disabled"),
    "silent": ("صامت", "silent"),
    "operator_alerts": ("التنبيهات التشغيلية", "Operator alerts"),
    "no_operator_alerts": ("لا تنبيهات تشغيلية.", "No operator alert."),
    "last_cycle": ("آخر دورة", "last cycle"),
    "none_yet": ("لا شيء بعد", "none yet"),
    "pending": ("معلق", "pending"),
    "failed": ("فشل", "failed"),
    "dead": ("متوقف نهائياً", "dead"),
    "sent": ("أُرسل", "sent"),
    "bundled": ("أُرسل ضمن ملخص", "sent in a digest"),  # not "held for the digest"
    "digest": ("بانتظار الملخص", "held for the digest"),
    "digest_queue": ("بانتظار الملخص", "waiting for the digest"),
    "attempts": ("المحاولات", "attempts"),
    "next_attempt": ("المحاولة التالية", "next attempt"),
    "alert": ("التنبيه", "alert"),
    "retry": ("إعادة المحاولة", "Retry"),
    "send_digest": ("أرسل الملخص الآن", "Send the digest now"),
    "nothing_here": ("لا شيء هنا.", "Nothing here."),
    "queued_note": ("أُدرج في الطابور: يرسله البرنامج خلال دقيقة.",
                    "Queued: the daemon sends it within a minute."),
    "retry_refused": ("لا يمكن إعادة المحاولة: أُرسل أو ينتظر الملخص أو غير موجود.",
                      "Cannot retry: already sent, held for the digest, or unknown."),
    "no_digest": ("لا شيء بانتظار الملخص في هذه القناة.", "Nothing waits for this channel's digest."),
    "forbidden": ("طلب مرفوض", "Request refused"),
    "csrf_stale": ("انتهت صلاحية النموذج: أعد تحميل الصفحة وحاول مجدداً.",
                   "The form has expired: reload the page and try again."),
    "read_only_note": ("الصفحات تقرأ الحالة فقط؛ زرّا إعادة المحاولة وإرسال الملخص يكتبان في صندوق الإرسال.",
                       "The pages only read the state; the Retry and Send-digest buttons write to the outbox."),
}  # fmt: skip


def _pair(table: dict[str, Words], key: str) -> tuple[str, str]:
    found = table.get(key)
    return (found.ar, found.en) if found else (key, key)


@dataclass(frozen=True, slots=True)
class Labels:
    """The words of the pages in one language setting; templates call it as ``t("key")``."""

    language: Lang = "ar+en"

    def __call__(self, key: str) -> Markup:
        return self.show(*WORDS[key])

    def plain(self, key: str) -> str:
        """One language only, for attributes (``title``, ``aria-label``) and the page title."""
        ar, en = WORDS[key]
        return en if self.language == "en" else ar

    def show(self, ar: str, en: str) -> Markup:
        if self.language == "ar":
            return Markup(escape(ar))
        if self.language == "en":
            return Markup('<bdi dir="ltr" lang="en">{}</bdi>').format(en)
        return Markup('{} <bdi class="en" dir="ltr" lang="en">{}</bdi>').format(ar, en)

    def verdict(self, verdict: str) -> Markup:
        return self.show(*_pair(VERDICTS, verdict))

    def verdict_plain(self, verdict: str) -> str:
        """``الحكم: متعارض / conflicting`` as plain text (a tooltip)."""
        ar, en = _pair(VERDICTS, verdict)
        label = self.plain("verdict")
        word = ar if self.language == "ar" else en if self.language == "en" else f"{ar} / {en}"
        return f"{label}: {word}"

    def claim_kind(self, kind: str) -> Markup:
        return self.show(*_pair(CLAIM_KINDS, kind))

    def alert_kind(self, kind: str) -> Markup:
        return self.show(*_pair(ALERT_KINDS, kind))

    @property
    def arabic(self) -> bool:
        return self.language != "en"

    @property
    def english(self) -> bool:
        return self.language != "ar"
