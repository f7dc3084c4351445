from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """T&A plans, forecasts, the chase list and the risk board (跟单计划、预计、每日跟进清单、风险看板)."""

    name = "gendan.followup"
    label = "followup"
    verbose_name = _("Follow-up")
