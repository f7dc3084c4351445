"""Core models: users and departments, API tokens, the audit trail, notifications, numbering, attachments, the
monthly exchange rates."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import AuditAction, DepartmentCode, Role
from gendan.core.fields import VersionedModel
from gendan.core.money import Currency

__all__ = [
    "ApiToken",
    "Attachment",
    "CalendarDay",
    "CompanySettings",
    "Department",
    "ExchangeRate",
    "ExternalLink",
    "Notification",
    "ObjectChange",
    "Sequence",
    "User",
]


class Department(models.Model):
    """A department (部门): reviews orders and receives the order-change notices that concern it."""

    code = models.CharField(_("code"), max_length=30, unique=True, choices=DepartmentCode.choices)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.get_code_display()


class User(AbstractUser):
    """A person who signs in. Roles are groups; the department decides which review items they answer."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.SET_NULL, related_name="users"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.username

    @property
    def role_names(self) -> list[str]:
        return [g.name for g in self.groups.all()]

    @property
    def role_labels(self) -> list[str]:
        """The roles' names in the current language (a role's group is named by its code)."""
        labels = dict(Role.choices)
        return [str(labels.get(name, name)) for name in self.role_names]


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 hash is stored; the owner sees the secret once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ObjectChange(models.Model):
    """One audit record per write: who, when, what, and each changed field's old and new value.

    Written by services (never by signals), so the CLI and background tasks are recorded too.
    `related_*` points at the parent (an order for its lines and review items) so the parent's
    page shows its children's changes.
    """

    time = models.DateTimeField(_("time"), db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user_name = models.CharField(_("user"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    object_repr = models.CharField(_("object"), max_length=200)
    related_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    related_object_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)

    changed_object = GenericForeignKey("content_type", "object_id")

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["related_content_type", "related_object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.user_name} {self.action} {self.object_repr}"


class Notification(models.Model):
    """An inbox entry for one user; the header shows the unread count."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    actor_name = models.CharField(_("from"), max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class Sequence(models.Model):
    """The last number issued for one document kind and year (SO-2026-00001)."""

    key = models.CharField(max_length=50, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.content_type_id}/{instance.object_id}/{filename}"


class Attachment(models.Model):
    """A file attached to any business object (customer spec, process sheet, swatch card…)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.name


class ExternalLink(models.Model):
    """A link for an outside party (a supplier, a factory, a customer's contact): it shows that party exactly one
    object and lets it do the few things that object allows, without an account.

    The URL carries a signature of (id, nonce), so it cannot be guessed or altered; it stops working when it
    expires or is revoked. Whatever is done through it is audited in the party's name.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField(_("purpose"), max_length=30)
    party = models.CharField(_("party"), max_length=200)
    nonce = models.CharField(max_length=32)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("uses"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("external link")
        verbose_name_plural = _("external links")
        indexes = [models.Index(fields=["content_type", "object_id", "purpose"])]

    def __str__(self) -> str:
        return f"{self.purpose} · {self.party}"


def default_rest_weekdays() -> list[int]:
    return [6, 7]


class CompanySettings(models.Model):
    """The company-wide settings row (one per database): the weekly rest days of the working calendar."""

    rest_weekdays = models.JSONField(_("weekly rest days"), default=default_rest_weekdays)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")

    def __str__(self) -> str:
        return str(_("company settings"))

    @classmethod
    def current(cls) -> "CompanySettings":
        return cls.objects.order_by("pk").first() or cls.objects.get_or_create(pk=1)[0]


class CalendarDay(models.Model):
    """A special day of the working calendar: a public holiday (法定节假日) or a make-up working day (调休上班日)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")  # a rest day although it is a weekday
        WORKING_DAY = "working_day", _("Make-up working day")  # a working day on a rest weekday

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ExchangeRate(VersionedModel):
    """How many CNY one unit of `currency` was worth in `month` (the first day of the month): 1 USD = 7.12 CNY.

    Gendan's one table of exchange rates (汇率): the statistics convert at it, a new quotation takes its quoted rate
    from it, purchase prices in another currency are costed at it. One rate per currency and month; a month
    without its own rate takes the latest earlier one (see `gendan.core.fx`). CNY itself is always 1 and never
    stored."""

    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    month = models.DateField(_("month"), help_text=_("The first day of the month the rate is for."))
    rate = models.DecimalField(
        _("rate to CNY"),
        max_digits=14,
        decimal_places=6,
        validators=[MinValueValidator(0)],
        help_text=_("CNY for one unit of the currency."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-month", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "month"], name="core_exchange_rate_once_per_month"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="core_exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.month:%Y-%m}: {self.rate}"
