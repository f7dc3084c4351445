"""The nightly learned forecast: after the re-forecast, learn the delays from history and store each open order's
chance of leaving on time (gendan.core.schedule daily job, registered in ForesightConfig.ready())."""

import logging

from django_tasks import task

from gendan.core.schedule import register_daily, reschedule
from gendan.foresight import services

logger = logging.getLogger(__name__)

LEARNED_FORECAST_JOB = "learned-forecast"


@task()
def nightly_learned_forecast() -> dict[str, int]:
    """Learn the delays and store the learned outlook of every planned open order."""
    try:
        counts = services.learn_forecasts()
        logger.info(
            "learned forecast: %(orders)s orders from %(observations)s observations, %(changed)s changed, "
            "%(flagged)s flagged, %(cleared)s cleared",
            counts,
        )
        return counts
    finally:
        reschedule(LEARNED_FORECAST_JOB)


def register_jobs() -> None:
    """Register the learned forecast, a quarter of an hour after the nightly re-forecast by default."""
    register_daily(
        nightly_learned_forecast, at="01:45", name=LEARNED_FORECAST_JOB, setting="GENDAN_LEARNED_FORECAST_AT"
    )
