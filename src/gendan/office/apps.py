from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    """The daily office: tasks a manager assigns (主管交办事项), notices and meeting minutes to departments and
    factories (传达通知, 会议记录), each person's daily summary (每天总结)."""

    name = "gendan.office"
    label = "office"
    verbose_name = _("Office")
