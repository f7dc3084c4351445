"""Customer visits (客户来访接待): the plan, its visitors, agenda, factories to see, preparation tasks, the minutes and
the follow-up actions. Satisfaction surveys (顾客满意度调查): templates of questions in Chinese and English, rounds
sent to customers' contacts through signed links, their answers and the follow-ups of low scores."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.catalog.models import Product
from gendan.core.fields import VersionedModel
from gendan.partners.choices import CustomerTier
from gendan.partners.models import Contact, Customer, Supplier
from gendan.relations.choices import (
    QuestionCategory,
    QuestionKind,
    RoundStatus,
    TaskKind,
    TaskPhase,
    VisitPurpose,
    VisitStatus,
)

__all__ = [
    "AgendaItem",
    "SurveyAnswer",
    "SurveyFollowUp",
    "SurveyInvitation",
    "SurveyQuestion",
    "SurveyRound",
    "SurveyTemplate",
    "Visit",
    "VisitSite",
    "VisitTask",
    "Visitor",
]


# ---- visits ------------------------------------------------------------------------------------------------------


class Visit(VersionedModel):
    """A customer's visit (客户来访): who comes, when, why, where they stay, who picks them up, what they see and
    what is prepared for them; after it, the minutes and the actions agreed."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=20, choices=VisitPurpose.choices, default=VisitPurpose.BUSINESS)
    objectives = models.TextField(_("objectives"), blank=True)
    arrival_date = models.DateField(_("arrival"))
    departure_date = models.DateField(_("departure"))
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("host"), on_delete=models.PROTECT, related_name="hosted_visits"
    )
    hotel = models.CharField(_("hotel"), max_length=300, blank=True)
    hotel_note = models.CharField(_("hotel booking"), max_length=300, blank=True)
    pickup_date = models.DateField(_("pick-up date"), null=True, blank=True)
    pickup_time = models.TimeField(_("pick-up time"), null=True, blank=True)
    pickup_place = models.CharField(_("pick-up place"), max_length=200, blank=True)
    pickup_driver = models.CharField(_("driver"), max_length=100, blank=True)
    pickup_car = models.CharField(_("car"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minutes by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    minutes_at = models.DateTimeField(_("minutes recorded"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["arrival_date", "id"]
        verbose_name = _("customer visit")
        verbose_name_plural = _("customer visits")
        indexes = [
            models.Index(fields=["status", "arrival_date"]),
            models.Index(fields=["customer", "arrival_date"]),
            models.Index(fields=["host", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(departure_date__gte=models.F("arrival_date")), name="visit_departs_after_arrival"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def has_minutes(self) -> bool:
        return bool(self.minutes.strip())

    @property
    def days(self) -> int:
        return (self.departure_date - self.arrival_date).days + 1


class Visitor(models.Model):
    """A person who comes: one of the customer's contacts, or a name and title."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="visitors")
    position = models.PositiveSmallIntegerField(default=0)
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["visit", "position"]
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")

    def __str__(self) -> str:
        return self.name


class AgendaItem(models.Model):
    """One item of the visit's agenda (日程): a day, a time, what, where, who of ours is there."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(default=0)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("to"), null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=300)
    place = models.CharField(_("place"), max_length=200, blank=True)
    people = models.CharField(_("our people"), max_length=200, blank=True)

    class Meta:
        ordering = ["visit", "date", "start_time", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.topic


class VisitSite(models.Model):
    """A factory the visitors see: a subcontract factory (supplier), or one of our own sites (named)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="sites")
    position = models.PositiveSmallIntegerField(default=0)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("factory"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("site"), max_length=200)
    date = models.DateField(_("date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["visit", "position"]
        verbose_name = _("factory to see")
        verbose_name_plural = _("factories to see")

    def __str__(self) -> str:
        return self.name

    @property
    def in_house(self) -> bool:
        return self.supplier_id is None


class VisitTask(VersionedModel):
    """A preparation task before the visitors arrive (a sample to prepare, the hotel, the pick-up…) or a follow-up
    action agreed at the visit: an owner, a due date, done or not. Open ones are in the owner's chase list."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="tasks")
    phase = models.CharField(_("phase"), max_length=20, choices=TaskPhase.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices, default=TaskKind.OTHER)
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("description"), max_length=300)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="visit_tasks"
    )
    due_date = models.DateField(_("due"))
    done_date = models.DateField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["visit", "phase", "position", "id"]
        verbose_name = _("visit task")
        verbose_name_plural = _("visit tasks")
        indexes = [models.Index(fields=["owner", "done_date", "due_date"])]

    def __str__(self) -> str:
        return self.description

    @property
    def is_done(self) -> bool:
        return self.done_date is not None


# ---- surveys -----------------------------------------------------------------------------------------------------


class SurveyTemplate(VersionedModel):
    """A questionnaire (调查问卷). Its revisions share a code: once a round used a revision it is frozen, and editing
    makes the next revision (the questions keep their keys, so rounds of different revisions compare)."""

    code = models.CharField(_("code"), max_length=30)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    is_current = models.BooleanField(_("current revision"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code", "-revision"]
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        constraints = [models.UniqueConstraint(fields=["code", "revision"], name="survey_template_revision_unique")]

    def __str__(self) -> str:
        return f"{self.code} r{self.revision} {self.name}"


class SurveyQuestion(models.Model):
    """A question: its Chinese and English text, a score from 1 to 5 or free text, an optional category."""

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    key = models.SlugField(_("key"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SCORE)
    category = models.CharField(_("category"), max_length=20, choices=QuestionCategory.choices, blank=True)
    text_zh = models.CharField(_("question (Chinese)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="survey_question_key_unique")]

    def __str__(self) -> str:
        return self.text_en or self.text_zh

    def text(self, language: str) -> str:
        return (self.text_zh or self.text_en) if language.startswith("zh") else (self.text_en or self.text_zh)


class SurveyRound(VersionedModel):
    """A survey round (一次满意度调查): a template sent to the chosen customer contacts for a period; answers are
    accepted until `closes_on`."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="rounds"
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    closes_on = models.DateField(_("answers until"))
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="survey_rounds"
    )
    selection = models.TextField(_("selection"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        indexes = [models.Index(fields=["status", "closes_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="survey_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.number


class SurveyInvitation(models.Model):
    """One contact asked to answer a round, through a signed link of its own. The customer's tier and merchandiser
    are kept as they were when it was made, so the analysis of a round does not move afterwards."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_name = models.CharField(_("contact"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    tier = models.CharField(_("tier"), max_length=20, choices=CustomerTier.choices)
    merchandiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merchandiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("reminders"), default=0)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["round", "customer__code", "contact_name", "id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [models.UniqueConstraint(fields=["round", "contact"], name="survey_invitation_unique")]
        indexes = [models.Index(fields=["round", "answered_at"]), models.Index(fields=["customer", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.contact_name} ({self.customer.code})"


class SurveyAnswer(models.Model):
    """The answer to one question: a score from 1 to 5, or a text."""

    invitation = models.ForeignKey(SurveyInvitation, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["invitation", "question__position"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "question"], name="survey_answer_unique"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="survey_score_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["question", "score"])]

    def __str__(self) -> str:
        return str(self.score) if self.score is not None else self.text[:40]


class SurveyFollowUp(VersionedModel):
    """A response with low scores (≤ 2) to follow up: the customer's merchandiser calls the contact and notes what
    was said and done. Open ones are in the owner's chase list."""

    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.CASCADE, related_name="follow_up")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="survey_follow_ups"
    )
    summary = models.CharField(_("low scores"), max_length=500)
    due_date = models.DateField(_("due"))
    done_date = models.DateField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("what was done"), blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("survey follow-up")
        verbose_name_plural = _("survey follow-ups")
        indexes = [models.Index(fields=["owner", "done_date", "due_date"])]

    def __str__(self) -> str:
        return f"{self.invitation} · {self.summary[:60]}"
