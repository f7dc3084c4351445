"""Background tasks of follow-up: the nightly re-forecast and the morning chase digests.

Both are daily jobs (gendan.core.schedule): `register_jobs()` runs in FollowupConfig.ready(), `gendan worker`
queues them, and each queues its next run when it finishes.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task

from gendan.core import clock
from gendan.core.calendar import company_calendar
from gendan.core.models import User
from gendan.core.schedule import register_daily, reschedule
from gendan.followup import services
from gendan.followup.digest import digest_for

logger = logging.getLogger(__name__)

REFORECAST_JOB = "nightly-reforecast"
DIGEST_JOB = "chase-digests"


@task()
def nightly_reforecast() -> dict[str, int]:
    """Re-forecast every planned open order (the forecasts move with the calendar as days pass)."""
    try:
        counts = services.reforecast_orders()
        logger.info(
            "nightly re-forecast: %(orders)s orders, %(milestones_changed)s milestones changed, "
            "%(risk_changed)s risks changed",
            counts,
        )
        return counts
    finally:
        reschedule(REFORECAST_JOB)


@task()
def send_chase_digests() -> int:
    """E-mail each active user with an address their chase list of today, if they have one; the number sent.
    Nothing on the company's days off (the list waits for the next working day)."""
    try:
        day = clock.today()
        if not company_calendar().is_working_day(day):
            logger.info("chase digests: %s is a day off, none sent", day.isoformat())
            return 0
        sent = 0
        users = User.objects.filter(is_active=True).exclude(email="").order_by("pk")
        for user in users.iterator():
            digest = digest_for(user, day)
            if digest is None:
                continue
            subject, text, html = digest
            message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
            message.attach_alternative(html, "text/html")
            try:
                sent += message.send()
            except Exception:  # one bad address or a mail server hiccup must not stop the others
                logger.exception("chase digest to %s failed", user.username)
        logger.info("chase digests: %s sent for %s", sent, day.isoformat())
        return sent
    finally:
        reschedule(DIGEST_JOB)


def register_jobs() -> None:
    """Register follow-up's daily jobs (called by FollowupConfig.ready())."""
    register_daily(nightly_reforecast, at="01:30", name=REFORECAST_JOB, setting="GENDAN_REFORECAST_AT")
    register_daily(send_chase_digests, at="07:30", name=DIGEST_JOB, setting="GENDAN_DIGEST_AT")
