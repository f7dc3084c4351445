"""Background tasks of customer relations: survey e-mails to customers' contacts, and the daily upkeep of survey
rounds (rounds past their answering date closed, reminders to those who have not answered) at
GENDAN_SURVEY_REMINDERS_AT (default 09:00, company time)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from gendan.core.schedule import register_daily, reschedule

logger = logging.getLogger(__name__)

SURVEY_JOB = "survey-reminders"


@task()
def send_survey_email(recipient: str, subject: str, body: str) -> int:
    """A survey invitation or reminder to a customer's contact (no "[Gendan]" prefix: it goes outside)."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=True)


@task()
def survey_upkeep() -> dict[str, int]:
    from gendan.relations.services import daily_round_upkeep

    try:
        counts = daily_round_upkeep()
        logger.info("survey rounds: %(closed)s closed, %(reminded)s contacts reminded", counts)
        return counts
    finally:
        reschedule(SURVEY_JOB)


def register_jobs() -> None:
    register_daily(survey_upkeep, at="09:00", name=SURVEY_JOB, setting="GENDAN_SURVEY_REMINDERS_AT")
