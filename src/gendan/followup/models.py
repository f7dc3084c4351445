"""T&A templates, the milestones of each order's plan and the follow-up log (跟单计划、节点、跟进记录)."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role
from gendan.core.fields import VersionedModel
from gendan.followup.choices import Channel, MilestoneStatus, Party
from gendan.partners.models import Customer
from gendan.sales.models import Order

__all__ = ["FollowUp", "Milestone", "RiskFlag", "TaTemplate", "TemplateMilestone", "bilingual"]


def bilingual(zh: str, en: str) -> str:
    """The Chinese or the English name, as the active language wants (the other when one is empty)."""
    return (zh or en) if (get_language() or "en").startswith("zh") else (en or zh)


class BilingualName(models.Model):
    """A Chinese and an English name; `name` gives the one of the active language."""

    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)


class TaTemplate(VersionedModel):
    """A time-and-action template (跟单计划模板): the milestones an order's plan is made of.

    The template of an order is the first of: one linked to its customer, one linked to the product category of
    its first line, the default.
    """

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default template"), default=False)
    customers = models.ManyToManyField(Customer, verbose_name=_("customers"), blank=True, related_name="ta_templates")
    product_categories = models.JSONField(_("product categories"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-is_default", "code"]
        verbose_name = _("T&A template")
        verbose_name_plural = _("T&A templates")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_ta_template"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TemplateMilestone(BilingualName):
    """One milestone of a template: offset in working days from the ex-factory date, owner role, predecessors."""

    template = models.ForeignKey(TaTemplate, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveIntegerField(default=0)
    code = models.CharField(_("code"), max_length=10)
    owner_role = models.CharField(_("owning role"), max_length=20, choices=Role.choices, default=Role.MERCHANDISER)
    offset_days = models.IntegerField(
        _("offset (working days)"), help_text=_("Working days from the ex-factory date: negative before it.")
    )
    # [{"code": "MO", "lag": 15}, ...]
    depends_on = models.JSONField(_("depends on"), default=list, blank=True)
    is_ex_factory = models.BooleanField(_("ex-factory milestone"), default=False)
    done_on_confirm = models.BooleanField(_("done when the order is confirmed"), default=False)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("template milestone")
        verbose_name_plural = _("template milestones")
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="template_milestone_code_once")]

    def __str__(self) -> str:
        return f"{self.template_id}:{self.code}"


class Milestone(VersionedModel, BilingualName):
    """One milestone of an order's plan (跟单节点): planned, forecast and actual dates, owner, status.

    `promised_date` is a forecast someone recorded (a supplier's promise); `forecast_date` is computed by the
    forward pass from plans, promises, fed dates, predecessors and today. `fed_date` is set by another domain's
    service (purchasing feeds "materials in house"), never by hand. `compressed` marks a planned date that was already
    past when the plan was made.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveIntegerField(default=0)
    code = models.CharField(_("code"), max_length=10)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="milestones"
    )
    owner_role = models.CharField(_("owning role"), max_length=20, choices=Role.choices, default=Role.MERCHANDISER)
    depends_on = models.JSONField(_("depends on"), default=list, blank=True)
    is_ex_factory = models.BooleanField(_("ex-factory milestone"), default=False)
    done_on_confirm = models.BooleanField(_("done when the order is confirmed"), default=False)
    planned_date = models.DateField(_("planned date"))
    forecast_date = models.DateField(_("forecast date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    forecast_note = models.CharField(_("forecast note"), max_length=300, blank=True)
    # a date fed by another domain (purchase orders feed "materials in house" with their latest promised delivery)
    fed_date = models.DateField(_("fed date"), null=True, blank=True)
    fed_note = models.CharField(_("fed by"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MilestoneStatus.choices, default=MilestoneStatus.PENDING
    )
    compressed = models.BooleanField(_("compressed"), default=False)
    driven_by = models.CharField(_("pushed by"), max_length=10, blank=True)

    class Meta:
        ordering = ["order", "position", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [models.UniqueConstraint(fields=["order", "code"], name="milestone_code_once_per_order")]
        indexes = [models.Index(fields=["owner", "status", "planned_date"])]
        permissions = [("manage_plans", _("Can add, move and remove milestones of any order and reassign owners"))]

    def __str__(self) -> str:
        return f"{self.order} · {self.code}"

    @property
    def predecessor_codes(self) -> list[str]:
        return [d["code"] for d in self.depends_on]

    @property
    def slip_days(self) -> int:
        """Calendar days the forecast (or actual) is after the plan; 0 when on plan or early."""
        end = self.actual_date or self.forecast_date
        return max((end - self.planned_date).days, 0)


class FollowUp(models.Model):
    """One chase (跟进记录): whom, how, what was said, a promised date, the next follow-up date."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="follow_ups")
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    summary = models.TextField(_("what was said"))
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    next_follow_up_date = models.DateField(_("next follow-up"), null=True, blank=True)
    # set when a later follow-up on the same order and milestone (or the milestone's completion) answers this one
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["created_by", "closed_at", "next_follow_up_date"]),
            models.Index(fields=["order", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.get_party_display()} {self.created_at:%Y-%m-%d}"


class RiskFlag(models.Model):
    """One stretch of days an order was flagged (预警): from the day a forecast first put its ex-factory date after
    the committed one (or the committed date passed unshipped) to the day it no longer did.

    Kept per forecasting method: `plan` is the deterministic forward pass (the order's `risk`), `learned` the forecast
    that expects each remaining step to run as late as its source has run (on-time probability below the threshold).
    The foresight report reads these stretches: how many working days before its committed date a late order was
    first flagged, and how long orders that shipped on time stayed flagged (false alarms)."""

    class Method(models.TextChoices):
        PLAN = "plan", _("Plan (deterministic)")
        LEARNED = "learned", _("Learned delays")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="risk_flags")
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.PLAN)
    flagged_on = models.DateField(_("flagged on"))
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)
    driver = models.CharField(_("driving milestone"), max_length=10, blank=True)
    forecast_ex_factory_date = models.DateField(_("forecast ex-factory date"), null=True, blank=True)
    committed_date = models.DateField(_("committed ex-factory date"))

    class Meta:
        ordering = ["order", "method", "flagged_on"]
        verbose_name = _("risk flag")
        verbose_name_plural = _("risk flags")
        indexes = [models.Index(fields=["method", "flagged_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "method"],
                condition=models.Q(cleared_on__isnull=True),
                name="risk_flag_one_open_per_order_and_method",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.method} · {self.flagged_on}"
