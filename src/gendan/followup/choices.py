"""Follow-up constants: milestone statuses, order risk, follow-up parties and channels, the default T&A template."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.core.choices import Role
from gendan.sales.choices import RISK_COLORS, Risk

__all__ = ["RISK_COLORS", "Risk"]  # the order's risk lives on the order (sales); re-exported here


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("milestone", "Pending")
    DONE = "done", pgettext_lazy("milestone", "Done")
    LATE = "late", pgettext_lazy("milestone", "Overdue")  # planned date passed without an actual date


MILESTONE_STATUS_COLORS = {MilestoneStatus.PENDING: "blue", MilestoneStatus.DONE: "green", MilestoneStatus.LATE: "red"}


class Party(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    SUPPLIER = "supplier", _("Supplier")
    FACTORY = "factory", _("Factory")
    COLLEAGUE = "colleague", _("Colleague")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    VISIT = "visit", _("Visit")


class ChaseKind(models.TextChoices):
    MILESTONE = "milestone", _("Milestone")
    FOLLOW_UP = "follow_up", _("Follow-up")
    ORDER = "order", _("Order at risk")


# Roles that can own a milestone (the merchandiser owns what no other role does).
OWNER_ROLES = [
    Role.MERCHANDISER,
    Role.SALES,
    Role.PURCHASING,
    Role.PLANNER,
    Role.QC,
    Role.SHIPPING,
    Role.FINANCE,
]

EX_FACTORY_CODE = "EXF"
MATERIALS_CODE = "MIH"  # materials in house: purchasing feeds its forecast; its plan is the need-by date

# The default T&A template (标准跟单计划): code, Chinese name, English name, owning role,
# offset in working days from the ex-factory date, predecessors as (code, lag in working days).
DEFAULT_TEMPLATE: list[tuple[str, str, str, str, int, tuple[tuple[str, int], ...]]] = [
    ("OC", "订单确认", "Order confirmed", Role.MERCHANDISER, -45, ()),
    ("MO", "物料下单", "Materials ordered", Role.PURCHASING, -42, (("OC", 2),)),
    ("PPS", "产前样确认", "PP sample approved", Role.MERCHANDISER, -30, (("OC", 10),)),
    ("MIH", "物料到齐", "Materials in house", Role.PURCHASING, -25, (("MO", 15),)),
    ("PS", "开始生产", "Production start", Role.PLANNER, -22, (("MIH", 2), ("PPS", 2))),
    ("P50", "完成50%产量", "50% output", Role.PLANNER, -12, (("PS", 8),)),
    ("PC", "生产完成", "Production complete", Role.PLANNER, -5, (("P50", 6),)),
    ("FI", "尾期检验", "Final inspection", Role.QC, -3, (("PC", 1),)),
    ("BK", "订舱确认", "Booking confirmed", Role.SHIPPING, -7, ()),
    (EX_FACTORY_CODE, "出厂", "Ex-factory", Role.SHIPPING, 0, (("FI", 1), ("BK", 1))),
    ("DOC", "单据寄出", "Documents sent", Role.SHIPPING, 5, ((EX_FACTORY_CODE, 5),)),
    ("PAY", "收到货款", "Payment received", Role.FINANCE, 30, (("DOC", 20),)),
]
