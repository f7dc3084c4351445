"""Background task of quotations: the daily expiry of sent quotations past their validity.

It runs early each morning (GENDAN_QUOTATION_EXPIRY_AT, default 00:30), so the lists, the report and the chase
lists of the day read the stored status; the selectors show such a quotation as expired before the job has run.
"""

import logging

from django_tasks import task

from gendan.core.schedule import register_daily, reschedule
from gendan.quotations import services

logger = logging.getLogger(__name__)

EXPIRY_JOB = "expire-quotations"


@task()
def expire_quotations() -> int:
    try:
        count = services.expire_quotations()
        logger.info("quotations expired: %s", count)
        return count
    finally:
        reschedule(EXPIRY_JOB)


def register_jobs() -> None:
    register_daily(expire_quotations, at="00:30", name=EXPIRY_JOB, setting="GENDAN_QUOTATION_EXPIRY_AT")
