"""Background task of purchasing: the nightly netting of every order's material requirements.

It runs before the nightly re-forecast (GENDAN_REQUIREMENTS_AT, default 01:00), so a purchase line whose promised
date passed yesterday feeds "materials in house" with today's date before the plans are re-forecast.
"""

import logging

from django_tasks import task

from gendan.core.schedule import register_daily, reschedule
from gendan.procurement import services

logger = logging.getLogger(__name__)

REQUIREMENTS_JOB = "nightly-requirements"


@task()
def nightly_requirements() -> dict[str, int]:
    try:
        counts = services.rerun_all()
        logger.info("nightly requirements: %(orders)s orders netted, %(changed)s changed", counts)
        return counts
    finally:
        reschedule(REQUIREMENTS_JOB)


def register_jobs() -> None:
    register_daily(nightly_requirements, at="01:00", name=REQUIREMENTS_JOB, setting="GENDAN_REQUIREMENTS_AT")
