"""Customer relations' reads: the visit list and a visit with its plan, a customer's visits, the survey templates,
rounds and their recipients, the analysis of a round (response rate; per question the mean, the spread of 1–5 and
the comments; by customer tier, merchandiser and period; the trend against the previous round of the same
template), a customer's latest scores, and the chase-list rows (open visit tasks and actions, low-score follow-ups).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, DateField, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.core import clock, links
from gendan.core.exceptions import NotFound
from gendan.core.models import ExternalLink, User
from gendan.partners.choices import CustomerTier
from gendan.relations.choices import (
    LIVE_STATUSES,
    SCORES,
    QuestionCategory,
    QuestionKind,
    RecipientState,
    TaskPhase,
    VisitStatus,
)
from gendan.relations.models import (
    AgendaItem,
    SurveyAnswer,
    SurveyFollowUp,
    SurveyInvitation,
    SurveyQuestion,
    SurveyRound,
    SurveyTemplate,
    Visit,
    Visitor,
    VisitSite,
    VisitTask,
)
from gendan.relations.services import LINK_PURPOSE

VISIT = "visit"  # the chase-list kinds
SURVEY = "survey"
TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")
HISTORY_ROUNDS = 8  # the rounds of a template shown in the "by period" view
PREP_CHASED = (VisitStatus.PLANNED, VisitStatus.CONFIRMED, VisitStatus.IN_PROGRESS)
ACTIONS_CHASED = (VisitStatus.IN_PROGRESS, VisitStatus.VISITED)


# ==== visits ======================================================================================================


def _open(phase: str) -> Q:
    return Q(tasks__phase=phase, tasks__done_date__isnull=True)


def visit_list(
    *,
    q: str = "",
    status: str = "",
    customer_id: int | None = None,
    host: str | int | None = None,
    when: str = "",
    arrival_from: dt.date | None = None,
    arrival_to: dt.date | None = None,
) -> QuerySet[Visit]:
    """Visits, those to come or going on first (soonest first), then the past ones (latest first), with their
    open preparation tasks and follow-up actions counted. `status` "open": not closed nor cancelled; `when`
    "upcoming" (not left yet) or "past"."""
    today = clock.today()
    qs = Visit.objects.select_related("customer", "host").annotate(
        is_past=Case(When(departure_date__lt=today, then=Value(1)), default=Value(0), output_field=IntegerField()),
        upcoming_key=Case(
            When(departure_date__gte=today, then=F("arrival_date")), default=None, output_field=DateField()
        ),
        open_prep=Count("tasks", filter=_open(TaskPhase.PREPARATION)),
        open_actions=Count("tasks", filter=_open(TaskPhase.FOLLOW_UP)),
        late_prep=Count(
            "tasks",
            filter=_open(TaskPhase.PREPARATION) & Q(tasks__due_date__lt=today, status__in=PREP_CHASED),
        ),
        late_actions=Count(
            "tasks",
            filter=_open(TaskPhase.FOLLOW_UP) & Q(tasks__due_date__lt=today, status__in=ACTIONS_CHASED),
        ),
    )
    if status == "open":
        qs = qs.filter(status__in=LIVE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if host:
        qs = qs.filter(host_id=int(host)) if str(host).isdigit() else qs.filter(host__username=host)
    if when == "upcoming":
        qs = qs.filter(departure_date__gte=today)
    elif when == "past":
        qs = qs.filter(departure_date__lt=today)
    if arrival_from:
        qs = qs.filter(arrival_date__gte=arrival_from)
    if arrival_to:
        qs = qs.filter(arrival_date__lte=arrival_to)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(title__icontains=q)
            | Q(customer__code__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(customer__name_en__icontains=q)
        )
    return qs.order_by("is_past", F("upcoming_key").asc(nulls_last=True), "-arrival_date", "-id")


def get_visit(pk: int) -> Visit:
    """A visit with its visitors, agenda, factories and tasks (five queries)."""
    found = (
        Visit.objects.select_related("customer__merchandiser", "host", "created_by", "minutes_by")
        .prefetch_related(
            Prefetch("visitors", queryset=Visitor.objects.select_related("contact").order_by("position")),
            Prefetch("agenda", queryset=AgendaItem.objects.order_by("date", "start_time", "position")),
            Prefetch("sites", queryset=VisitSite.objects.select_related("supplier").order_by("position")),
            Prefetch(
                "tasks",
                queryset=VisitTask.objects.select_related("owner", "product", "done_by").order_by(
                    "phase", "position", "pk"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no visit %(id)s.") % {"id": pk})
    return found


def tasks_of(visit: Visit) -> dict[str, list[VisitTask]]:
    """A visit's preparation tasks and follow-up actions (from its prefetched tasks), each marked late or not."""
    today = clock.today()
    result: dict[str, list[VisitTask]] = {TaskPhase.PREPARATION: [], TaskPhase.FOLLOW_UP: []}
    for task in visit.tasks.all():
        task.is_late = task.done_date is None and task.due_date < today
        result[task.phase].append(task)
    return result


def get_task(visit_id: int, task_id: int) -> VisitTask:
    found = (
        VisitTask.objects.select_related("visit__customer", "owner", "product", "done_by")
        .filter(pk=task_id, visit_id=visit_id)
        .first()
    )
    if found is None:
        raise NotFound(_("Visit %(visit)s has no task %(id)s.") % {"visit": visit_id, "id": task_id})
    return found


def customer_visits(customer_id: int, *, limit: int = 10) -> list[Visit]:
    """A customer's visits for its page: those to come first, then the latest ones."""
    return list(visit_list(customer_id=customer_id)[:limit])


def upcoming_visits(*, days: int = 14) -> list[Visit]:
    """Visits not cancelled arriving within `days` days or going on now, soonest first."""
    today = clock.today()
    return list(
        visit_list()
        .filter(
            status__in=(VisitStatus.PLANNED, VisitStatus.CONFIRMED, VisitStatus.IN_PROGRESS),
            departure_date__gte=today,
            arrival_date__lte=today + dt.timedelta(days=days),
        )
        .order_by("arrival_date", "pk")
    )


# ==== survey templates and rounds =================================================================================


def template_list(*, current_only: bool = True) -> QuerySet[SurveyTemplate]:
    qs = SurveyTemplate.objects.annotate(
        question_count=Count("questions", distinct=True), round_count=Count("rounds", distinct=True)
    )
    if current_only:
        qs = qs.filter(is_current=True)
    return qs.order_by("code", "-revision")


def get_template(pk: int) -> SurveyTemplate:
    found = (
        SurveyTemplate.objects.prefetch_related(
            Prefetch("questions", queryset=SurveyQuestion.objects.order_by("position", "pk"))
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no survey template %(id)s.") % {"id": pk})
    return found


def revisions_of(template: SurveyTemplate) -> QuerySet[SurveyTemplate]:
    return template_list(current_only=False).filter(code=template.code)


def round_list(*, q: str = "", status: str = "", template_code: str = "") -> QuerySet[SurveyRound]:
    """Survey rounds, latest period first, with their recipients, sent and answered counted."""
    qs = SurveyRound.objects.select_related("template", "owner").annotate(
        invited=Count("invitations"),
        sent=Count("invitations", filter=Q(invitations__sent_at__isnull=False)),
        answered=Count("invitations", filter=Q(invitations__answered_at__isnull=False)),
    )
    if status:
        qs = qs.filter(status=status)
    if template_code:
        qs = qs.filter(template__code=template_code)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(template__code__icontains=q))
    return qs.order_by("-period_end", "-id")


def get_round(pk: int) -> SurveyRound:
    found = round_list().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("There is no survey round %(id)s.") % {"id": pk})
    return found


def get_invitation(round_id: int, invitation_id: int) -> SurveyInvitation:
    found = (
        SurveyInvitation.objects.select_related("round__template", "customer", "merchandiser")
        .filter(pk=invitation_id, round_id=round_id)
        .first()
    )
    if found is None:
        raise NotFound(_("Survey round %(round)s has no recipient %(id)s.") % {"round": round_id, "id": invitation_id})
    return found


def invitations_of(round_: SurveyRound) -> list[SurveyInvitation]:
    """A round's recipients with where each stands (`state`), its live link's token (`token`, to copy) and its
    follow-up (two queries)."""
    now = clock.now()
    invitations = list(
        SurveyInvitation.objects.filter(round=round_)
        .select_related("customer", "merchandiser", "follow_up")
        .order_by("customer__code", "contact_name", "pk")
    )
    latest: dict[int, ExternalLink] = {}
    if invitations:
        ct = ContentType.objects.get_for_model(SurveyInvitation)
        for link in ExternalLink.objects.filter(
            content_type=ct, object_id__in=[i.pk for i in invitations], purpose=LINK_PURPOSE
        ).order_by("created_at", "pk"):
            latest[link.object_id] = link
    for invitation in invitations:
        link = latest.get(invitation.pk)
        invitation.link = link
        invitation.token = ""
        if invitation.answered_at is not None:
            invitation.state = RecipientState.ANSWERED
        elif invitation.sent_at is None:
            invitation.state = RecipientState.NOT_SENT
        elif link is None or link.revoked_at is not None:
            invitation.state = RecipientState.WITHDRAWN
        elif link.expires_at <= now:
            invitation.state = RecipientState.EXPIRED
        else:
            invitation.state = RecipientState.WAITING
            invitation.token = links.token_for(link)
        invitation.state_label = RecipientState(invitation.state).label
        try:
            invitation.open_follow_up = invitation.follow_up if invitation.follow_up.done_date is None else None
        except SurveyFollowUp.DoesNotExist:
            invitation.open_follow_up = None
    return invitations


def follow_up_list(*, owner: User | None = None, open_only: bool = True) -> QuerySet[SurveyFollowUp]:
    qs = SurveyFollowUp.objects.select_related(
        "owner", "done_by", "invitation__customer", "invitation__round", "invitation__contact"
    )
    if owner is not None:
        qs = qs.filter(owner=owner)
    if open_only:
        qs = qs.filter(done_date__isnull=True)
    return qs.order_by("done_date", "due_date", "pk")


def get_follow_up(pk: int) -> SurveyFollowUp:
    found = follow_up_list(open_only=False).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("There is no survey follow-up %(id)s.") % {"id": pk})
    return found


# ==== the analysis ================================================================================================


def mean_of(counts: Mapping[int, int]) -> Decimal | None:
    """The mean score of a distribution {score: count}, to two places (half up); None without answers."""
    n = sum(counts.values())
    if not n:
        return None
    total = sum(score * count for score, count in counts.items())
    return (Decimal(total) / Decimal(n)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def delta_of(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """How much a mean moved since the previous round (None when either is missing)."""
    if current is None or previous is None:
        return None
    return current - previous


def rate_of(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent, one place; None of nothing."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def spread(counts: Mapping[int, int]) -> dict[int, int]:
    """A distribution with every score from 1 to 5 present."""
    return {score: int(counts.get(score, 0)) for score in SCORES}


def _merge(target: dict[int, int], counts: Mapping[int, int]) -> None:
    for score, n in counts.items():
        target[score] = target.get(score, 0) + n


@dataclass
class Group:
    """One customer tier, merchandiser or round in a breakdown: who was asked, who answered, the means."""

    key: str
    label: str
    sent: int = 0
    answered: int = 0
    counts: dict[int, int] = field(default_factory=dict)  # every score question together
    by_question: dict[Any, dict[int, int]] = field(default_factory=dict)  # question id (or key) → distribution
    round: SurveyRound | None = None  # in the breakdown by period
    categories: dict[str, Decimal | None] = field(default_factory=dict)  # by period: category → mean

    @property
    def rate(self) -> Decimal | None:
        return rate_of(self.answered, self.sent)

    @property
    def mean(self) -> Decimal | None:
        return mean_of(self.counts)

    def question_mean(self, key: Any) -> Decimal | None:
        return mean_of(self.by_question.get(key, {}))


@dataclass
class QuestionResult:
    question: SurveyQuestion
    counts: dict[int, int]
    previous_mean: Decimal | None = None
    texts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> Decimal | None:
        return mean_of(self.counts)

    @property
    def delta(self) -> Decimal | None:
        return delta_of(self.mean, self.previous_mean)

    @property
    def low(self) -> int:
        return self.counts.get(1, 0) + self.counts.get(2, 0)

    @property
    def shares(self) -> dict[int, Decimal | None]:
        return {score: rate_of(n, self.n) for score, n in self.counts.items()}


@dataclass
class RoundResults:
    round: SurveyRound
    sent: int
    answered: int
    questions: list[QuestionResult]
    tiers: list[Group]
    merchandisers: list[Group]
    history: list[Group]  # the rounds of the same template, earliest first (by period)
    categories: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    previous: SurveyRound | None = None
    previous_counts: dict[int, int] = field(default_factory=dict)
    tier: str = ""
    merchandiser_id: int | None = None

    @property
    def rate(self) -> Decimal | None:
        return rate_of(self.answered, self.sent)

    @property
    def counts(self) -> dict[int, int]:
        total: dict[int, int] = {}
        for result in self.questions:
            _merge(total, result.counts)
        return spread(total)

    @property
    def mean(self) -> Decimal | None:
        return mean_of(self.counts)

    @property
    def previous_mean(self) -> Decimal | None:
        return mean_of(self.previous_counts)

    @property
    def delta(self) -> Decimal | None:
        return delta_of(self.mean, self.previous_mean)

    @property
    def score_questions(self) -> list[QuestionResult]:
        return [r for r in self.questions if r.question.kind == QuestionKind.SCORE]

    @property
    def text_questions(self) -> list[QuestionResult]:
        return [r for r in self.questions if r.question.kind == QuestionKind.TEXT]


def _invitation_filter(tier: str = "", merchandiser_id: int | None = None, prefix: str = "") -> Q:
    q = Q()
    if tier:
        q &= Q(**{f"{prefix}tier": tier})
    if merchandiser_id:
        q &= Q(**{f"{prefix}merchandiser_id": merchandiser_id})
    return q


def _user_label(first: str | None, last: str | None, username: str | None) -> str:
    name = f"{first or ''} {last or ''}".strip()
    if not username:
        return _("(no merchandiser)")
    return f"{name} ({username})" if name else username


def same_template_rounds(round_: SurveyRound) -> QuerySet[SurveyRound]:
    """The rounds of the template's code (every revision) that were sent, by period."""
    return (
        SurveyRound.objects.filter(template__code=round_.template.code, sent_at__isnull=False)
        .select_related("template")
        .order_by("period_end", "sent_at", "pk")
    )


def _previous_in(rounds: list[SurveyRound], round_: SurveyRound) -> SurveyRound | None:
    earlier = [r for r in rounds if r.pk != round_.pk]
    if round_.sent_at is None:
        return earlier[-1] if earlier else None
    before = [r for r in earlier if (r.period_end, r.sent_at, r.pk) < (round_.period_end, round_.sent_at, round_.pk)]
    return before[-1] if before else None


def previous_round(round_: SurveyRound) -> SurveyRound | None:
    """The round of the same template sent before this one (by period, then by sending)."""
    return _previous_in(list(same_template_rounds(round_)), round_)


def round_results(round_: SurveyRound, *, tier: str = "", merchandiser_id: int | None = None) -> RoundResults:
    """The analysis of a round (optionally of one customer tier or one merchandiser's customers): the response rate,
    per question the spread of scores, the mean, the previous round's mean and the delta, the comments; broken down
    by tier, by merchandiser and by period (the template's rounds). Seven queries whatever the size."""
    which = _invitation_filter(tier, merchandiser_id)
    answer_filter = _invitation_filter(tier, merchandiser_id, prefix="invitation__")
    questions = list(round_.template.questions.order_by("position", "pk"))
    invitations = SurveyInvitation.objects.filter(which, round=round_, sent_at__isnull=False)

    tiers: dict[str, Group] = {}
    for row in invitations.values("tier").annotate(
        sent=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    ):
        tiers[row["tier"]] = Group(
            key=row["tier"], label=str(CustomerTier(row["tier"]).label), sent=row["sent"], answered=row["answered"]
        )
    merchs: dict[str, Group] = {}
    for row in invitations.values(
        "merchandiser_id", "merchandiser__username", "merchandiser__first_name", "merchandiser__last_name"
    ).annotate(sent=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))):
        key = str(row["merchandiser_id"] or "")
        merchs[key] = Group(
            key=key,
            label=_user_label(
                row["merchandiser__first_name"], row["merchandiser__last_name"], row["merchandiser__username"]
            ),
            sent=row["sent"],
            answered=row["answered"],
        )

    by_question: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        SurveyAnswer.objects.filter(answer_filter, invitation__round=round_, score__isnull=False)
        .values("question_id", "invitation__tier", "invitation__merchandiser_id", "score")
        .annotate(n=Count("pk"))
    ):
        qid, score, n = row["question_id"], row["score"], row["n"]
        _merge(by_question[qid], {score: n})
        for groups, key in ((tiers, row["invitation__tier"]), (merchs, str(row["invitation__merchandiser_id"] or ""))):
            group = groups.get(key)
            if group is not None:
                _merge(group.counts, {score: n})
                _merge(group.by_question.setdefault(qid, {}), {score: n})

    texts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        SurveyAnswer.objects.filter(answer_filter, invitation__round=round_, question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .values("question_id", "text", "invitation__customer__code", "invitation__contact_name", "invitation__tier")
        .order_by("invitation__customer__code", "pk")
    ):
        texts[row["question_id"]].append(
            {
                "text": row["text"],
                "customer": row["invitation__customer__code"],
                "contact": row["invitation__contact_name"],
                "tier": row["invitation__tier"],
            }
        )
    comments = [
        {"text": c["comment"], "customer": c["customer__code"], "contact": c["contact_name"], "tier": c["tier"]}
        for c in invitations.exclude(comment="")
        .values("comment", "customer__code", "contact_name", "tier")
        .order_by("customer__code", "pk")
    ]

    # by period: the rounds of the same template, each with its means per question key and category
    rounds = list(same_template_rounds(round_))
    previous = _previous_in(rounds, round_)
    if round_ not in rounds:  # a draft: it closes the line
        rounds.append(round_)
    if len(rounds) > HISTORY_ROUNDS:
        at = rounds.index(round_)
        start = max(0, min(at - HISTORY_ROUNDS + 1, len(rounds) - HISTORY_ROUNDS))
        rounds = rounds[start : start + HISTORY_ROUNDS]
    history = {r.pk: Group(key=str(r.pk), label=f"{r.period_start:%Y-%m}–{r.period_end:%Y-%m}") for r in rounds}
    for row in (
        SurveyInvitation.objects.filter(which, round__in=rounds, sent_at__isnull=False)
        .values("round_id")
        .annotate(sent=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
    ):
        history[row["round_id"]].sent, history[row["round_id"]].answered = row["sent"], row["answered"]
    category_counts: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in (
        SurveyAnswer.objects.filter(answer_filter, invitation__round__in=rounds, score__isnull=False)
        .values("invitation__round_id", "question__key", "question__category", "score")
        .annotate(n=Count("pk"))
    ):
        group = history[row["invitation__round_id"]]
        _merge(group.counts, {row["score"]: row["n"]})
        _merge(group.by_question.setdefault(row["question__key"], {}), {row["score"]: row["n"]})
        _merge(category_counts[row["invitation__round_id"]][row["question__category"] or ""], {row["score"]: row["n"]})
    for r in rounds:
        history[r.pk].round = r
        history[r.pk].categories = {cat: mean_of(counts) for cat, counts in category_counts[r.pk].items()}

    prev_group = history.get(previous.pk) if previous is not None else None
    if previous is not None and prev_group is None:  # older than the rounds shown: read it alone
        prev_group = Group(key=str(previous.pk), label="")
        for row in (
            SurveyAnswer.objects.filter(answer_filter, invitation__round=previous, score__isnull=False)
            .values("question__key", "question__category", "score")
            .annotate(n=Count("pk"))
        ):
            _merge(prev_group.counts, {row["score"]: row["n"]})
            _merge(prev_group.by_question.setdefault(row["question__key"], {}), {row["score"]: row["n"]})
            _merge(category_counts[previous.pk][row["question__category"] or ""], {row["score"]: row["n"]})

    results = [
        QuestionResult(
            question=question,
            counts=spread(by_question.get(question.pk, {})) if question.kind == QuestionKind.SCORE else {},
            previous_mean=prev_group.question_mean(question.key) if prev_group is not None else None,
            texts=texts.get(question.pk, []),
        )
        for question in questions
    ]
    current_categories: dict[str, dict[int, int]] = defaultdict(dict)
    for result in results:
        if result.question.kind == QuestionKind.SCORE:
            _merge(current_categories[result.question.category or ""], result.counts)
    categories = []
    for value, label in [*QuestionCategory.choices, ("", _("Other"))]:
        if value not in current_categories:
            continue
        mean = mean_of(current_categories[value])
        prev = mean_of(category_counts[previous.pk].get(value, {})) if previous is not None else None
        categories.append(
            {"category": value, "label": str(label), "mean": mean, "previous": prev, "delta": delta_of(mean, prev)}
        )
    return RoundResults(
        round=round_,
        sent=sum(g.sent for g in tiers.values()),
        answered=sum(g.answered for g in tiers.values()),
        questions=results,
        tiers=sorted(tiers.values(), key=lambda g: list(CustomerTier.values).index(g.key)),
        merchandisers=sorted(merchs.values(), key=lambda g: g.label),
        history=[history[r.pk] for r in rounds],
        categories=categories,
        comments=comments,
        previous=previous,
        previous_counts=spread(prev_group.counts) if prev_group is not None else {},
        tier=tier,
        merchandiser_id=merchandiser_id,
    )


def customer_scores(customer_id: int) -> dict[str, Any] | None:
    """The customer's latest answered survey: per score question its mean (several contacts may have answered), the
    customer's previous answer to the same template and the delta (three queries). None when it never answered."""
    latest = (
        SurveyInvitation.objects.filter(customer_id=customer_id, answered_at__isnull=False)
        .select_related("round__template")
        .order_by("-round__period_end", "-answered_at")
        .first()
    )
    if latest is None:
        return None
    round_ = latest.round
    contacts = list(
        SurveyInvitation.objects.filter(customer_id=customer_id, round=round_, answered_at__isnull=False)
        .order_by("answered_at")
        .values_list("contact_name", flat=True)
    )
    earlier = (
        SurveyInvitation.objects.filter(
            customer_id=customer_id,
            answered_at__isnull=False,
            round__template__code=round_.template.code,
            round__period_end__lt=round_.period_end,
        )
        .select_related("round")
        .order_by("-round__period_end")
        .first()
    )
    rounds = [round_.pk] + ([earlier.round_id] if earlier else [])
    counts: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in (
        SurveyAnswer.objects.filter(
            invitation__customer_id=customer_id, invitation__round_id__in=rounds, score__isnull=False
        )
        .values("invitation__round_id", "question__key", "score")
        .annotate(n=Count("pk"))
    ):
        _merge(counts[row["invitation__round_id"]][row["question__key"]], {row["score"]: row["n"]})
    rows = []
    total: dict[int, int] = {}
    previous_total: dict[int, int] = {}
    for question in round_.template.questions.filter(kind=QuestionKind.SCORE).order_by("position", "pk"):
        current = counts[round_.pk].get(question.key, {})
        before = counts[earlier.round_id].get(question.key, {}) if earlier else {}
        _merge(total, current)
        _merge(previous_total, before)
        mean, prev = mean_of(current), mean_of(before)
        rows.append({"question": question, "mean": mean, "previous": prev, "delta": delta_of(mean, prev)})
    mean, prev = mean_of(total), mean_of(previous_total)
    return {
        "round": round_,
        "previous_round": earlier.round if earlier else None,
        "contacts": contacts,
        "answered_at": latest.answered_at,
        "rows": rows,
        "mean": mean,
        "previous": prev,
        "delta": delta_of(mean, prev),
    }


# ==== the chase list ==============================================================================================


def _row(**kw: Any) -> Any:
    from gendan.followup.selectors import ChaseRow

    return ChaseRow(**kw)


def _chase_visit_tasks(q: Any) -> list[Any]:
    """The user's open preparation tasks (while the visit is to come or going on) and follow-up actions (until it
    is closed) due by the horizon's end."""
    user, day, until, calendar = q.user, q.day, q.until, q.calendar
    tasks = (
        VisitTask.objects.filter(owner=user, done_date__isnull=True, due_date__lte=until)
        .filter(
            Q(phase=TaskPhase.PREPARATION, visit__status__in=PREP_CHASED)
            | Q(phase=TaskPhase.FOLLOW_UP, visit__status__in=ACTIONS_CHASED)
        )
        .select_related("visit__customer", "product")
        .order_by("due_date", "pk")
    )
    rows = []
    for task in tasks:
        visit = task.visit
        prep = task.phase == TaskPhase.PREPARATION
        if prep:
            reason = _("Prepare for %(customer)s's visit %(number)s (arriving %(arrival)s): %(task)s") % {
                "customer": visit.customer.code,
                "number": visit.number,
                "arrival": f"{visit.arrival_date:%m-%d}",
                "task": task.description,
            }
        else:
            reason = _("Follow-up of %(customer)s's visit %(number)s (%(dates)s): %(task)s") % {
                "customer": visit.customer.code,
                "number": visit.number,
                "dates": f"{visit.arrival_date:%m-%d}",
                "task": task.description,
            }
        rows.append(
            _row(
                kind=VISIT,
                kind_label=_("Visit preparation") if prep else _("Visit follow-up"),
                document=visit.number,
                order_id=None,
                order_number="",
                milestone_id=None,
                milestone_code=None,
                milestone_name=task.get_kind_display() if prep else _("Follow-up action"),
                due_date=task.due_date,
                days_late=calendar.between(task.due_date, day),
                reason=reason,
                object_id=task.pk,
                url=reverse("relations:visit", args=[visit.pk]) + f"#task-{task.pk}",
                customer=visit.customer.code,
                tier=visit.customer.tier,
                amount=Decimal(0),
                currency=visit.customer.currency,
            )
        )
    return rows


def _chase_survey_follow_ups(q: Any) -> list[Any]:
    """The user's open follow-ups of low survey scores due by the horizon's end."""
    user, day, until, calendar = q.user, q.day, q.until, q.calendar
    rows = []
    for fu in (
        SurveyFollowUp.objects.filter(owner=user, done_date__isnull=True, due_date__lte=until)
        .select_related("invitation__customer", "invitation__round")
        .order_by("due_date", "pk")
    ):
        invitation = fu.invitation
        rows.append(
            _row(
                kind=SURVEY,
                kind_label=_("Survey follow-up"),
                document=invitation.round.number,
                order_id=None,
                order_number="",
                milestone_id=None,
                milestone_code=None,
                milestone_name=_("Low survey score"),
                due_date=fu.due_date,
                days_late=calendar.between(fu.due_date, day),
                reason=_("%(customer)s · %(name)s scored low in %(number)s: %(scores)s — call them back")
                % {
                    "customer": invitation.customer.code,
                    "name": invitation.contact_name,
                    "number": invitation.round.number,
                    "scores": fu.summary,
                },
                object_id=fu.pk,
                url=reverse("relations:follow_ups") + f"#fu-{fu.pk}",
                customer=invitation.customer.code,
                tier=invitation.customer.tier,
                amount=Decimal(0),
                currency=invitation.customer.currency,
            )
        )
    return rows


def register() -> None:
    from gendan.followup.selectors import register_chase_source

    register_chase_source(_chase_visit_tasks)
    register_chase_source(_chase_survey_follow_ups)


def categories_present(questions: Iterable[SurveyQuestion]) -> list[str]:
    return sorted({q.category for q in questions if q.category})
