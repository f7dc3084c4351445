"""Background work of the office: the e-mail that takes a notice to a supplier's contacts, and the end-of-day
summaries (a daily job at GENDAN_DAILY_SUMMARY_AT, default 18:00, on working days)."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from gendan.core import clock, links
from gendan.core.calendar import company_calendar
from gendan.core.models import User
from gendan.core.schedule import register_daily, reschedule

logger = logging.getLogger(__name__)

SUMMARY_JOB = "daily-summaries"


def notice_email(recipient_id: int) -> EmailMessage | None:
    """The e-mail of a notice to one supplier recipient's contacts (Chinese for suppliers in China, else English),
    with its link; None when there is nothing to send (no address, no live link, notice withdrawn)."""
    from django.urls import reverse

    from gendan.core.documents import company_name
    from gendan.followup.digest import absolute_url
    from gendan.office.choices import NoticeStatus
    from gendan.office.models import NoticeRecipient

    recipient = (
        NoticeRecipient.objects.select_related("notice__sender", "supplier", "link").filter(pk=recipient_id).first()
    )
    if recipient is None or not recipient.emailed_to or recipient.link is None:
        return None
    notice, link = recipient.notice, recipient.link
    if notice.status != NoticeStatus.SENT or link.revoked_at is not None or link.expires_at <= clock.now():
        return None
    language = "zh-hans" if recipient.supplier.country == "CN" else "en"
    with translation.override(language):
        context = {
            "notice": notice,
            "supplier": recipient.supplier,
            "url": absolute_url(reverse("office:public_notice", args=[links.token_for(link)])),
            "expires": link.expires_at.date().isoformat(),
            "company": company_name(language),
            "sender": notice.sender.get_full_name() or notice.sender.username,
        }
        subject = render_to_string("office/email/notice_subject.txt", context).strip()
        body = render_to_string("office/email/notice.txt", context)
    reply_to = [notice.sender.email] if notice.sender.email else None
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[a.strip() for a in recipient.emailed_to.split(",") if a.strip()],
        reply_to=reply_to,
    )


@task()
def send_notice_email(recipient_id: int) -> int:
    """E-mail a notice's link to one supplier's contacts (queued when the notice is sent or the link renewed)."""
    message = notice_email(recipient_id)
    if message is None:
        return 0
    try:
        return message.send()
    except Exception:  # a mail server hiccup must not fail the notice: the sender still has the link to pass on
        logger.exception("notice e-mail for recipient %s failed", recipient_id)
        return 0


@task()
def send_daily_summaries() -> int:
    """E-mail each active user with an address the summary of their day (managers: with their team's); the number
    sent. Nothing on the company's days off."""
    from gendan.office.summary import summaries, summary_email, team_members

    try:
        day = clock.today()
        calendar = company_calendar()
        if not calendar.is_working_day(day):
            logger.info("daily summaries: %s is a day off, none sent", day.isoformat())
            return 0
        users = list(User.objects.filter(is_active=True).exclude(email="").order_by("pk"))
        members = team_members()
        by_language: dict[str, list[User]] = {}
        for user in users:
            by_language.setdefault(user.language or settings.LANGUAGE_CODE, []).append(user)
        sent = 0
        for language, people in by_language.items():
            # the lines of a summary are written in the reader's language: one pass per language
            with translation.override(language):
                managers = any(u.has_perm("office.view_team_summary") for u in people)
                found = summaries(
                    {u.pk: u for u in [*people, *(members if managers else [])]}.values(), day, calendar=calendar
                )
                team = [found[u.pk] for u in members] if managers else None
            for user in people:
                email = summary_email(user, day, team=team, own=found[user.pk])
                if email is None:
                    continue
                subject, text, html = email
                message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
                message.attach_alternative(html, "text/html")
                try:
                    sent += message.send()
                except Exception:  # one bad address or a mail server hiccup must not stop the others
                    logger.exception("daily summary to %s failed", user.username)
        logger.info("daily summaries: %s sent for %s", sent, day.isoformat())
        return sent
    finally:
        reschedule(SUMMARY_JOB)


def register_jobs() -> None:
    """Register the office's daily job (called by OfficeConfig.ready())."""
    register_daily(send_daily_summaries, at="18:00", name=SUMMARY_JOB, setting="GENDAN_DAILY_SUMMARY_AT")
