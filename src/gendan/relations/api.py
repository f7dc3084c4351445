"""The customer relations API: customer visits (plan, transitions, preparation tasks, minutes, follow-up actions, the
printable plan) and satisfaction surveys (templates, rounds, recipients and their links, sending, reminders, results
and their Excel exports, the follow-ups of low scores)."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gendan.core import clock
from gendan.core.apiutils import require_perm
from gendan.core.exceptions import ValidationError
from gendan.relations import selectors, services
from gendan.relations.choices import TaskPhase
from gendan.relations.models import SurveyFollowUp, SurveyInvitation, SurveyRound, SurveyTemplate, Visit, VisitTask
from gendan.relations.schemas import (
    CountOut,
    DoneIn,
    FollowUpDoneIn,
    MinutesIn,
    RecipientOut,
    RelationFollowUpOut,
    RelationFollowUpPage,
    RelationLinkOut,
    RelationReasonIn,
    RelationTemplateIn,
    RelationTemplateOut,
    RemindIn,
    RenewIn,
    ResultsOut,
    RoundDetailOut,
    RoundIn,
    RoundPage,
    RoundPatch,
    SelectionIn,
    TaskIn,
    TaskOut,
    TaskPatch,
    TemplatePage,
    TemplatePatch,
    VisitDetailOut,
    VisitIn,
    VisitPage,
    VisitPatch,
)

router = Router(tags=["Customer relations"])
LANGS = {"zh": "zh-hans", "en": "en", "zh-hans": "zh-hans"}


def _hhmm(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


# ---- visits ------------------------------------------------------------------------------------------------------


def task_dict(t: VisitTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "phase": t.phase,
        "kind": t.kind,
        "description": t.description,
        "product_id": t.product_id,
        "note": t.note,
        "owner": t.owner.username,
        "due_date": t.due_date,
        "done_date": t.done_date,
        "done_by": t.done_by.username if t.done_by_id else None,
        "is_late": t.done_date is None and t.due_date < clock.today(),
        "version": t.version,
    }


def visit_dict(v: Visit, *, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": v.pk,
        "number": v.number,
        "customer_id": v.customer_id,
        "title": v.title,
        "purpose": v.purpose,
        "objectives": v.objectives,
        "arrival_date": v.arrival_date,
        "departure_date": v.departure_date,
        "host": v.host.username,
        "hotel": v.hotel,
        "hotel_note": v.hotel_note,
        "pickup_date": v.pickup_date,
        "pickup_time": _hhmm(v.pickup_time),
        "pickup_place": v.pickup_place,
        "pickup_driver": v.pickup_driver,
        "pickup_car": v.pickup_car,
        "status": v.status,
        "cancel_reason": v.cancel_reason,
        "notes": v.notes,
        "version": v.version,
    }
    if not detail:
        data["open_preparation"] = v.open_prep
        data["open_actions"] = v.open_actions
        return data
    tasks = selectors.tasks_of(v)
    data.update(
        {
            "open_preparation": sum(1 for t in tasks[TaskPhase.PREPARATION] if not t.is_done),
            "open_actions": sum(1 for t in tasks[TaskPhase.FOLLOW_UP] if not t.is_done),
            "visitors": [
                {"contact_id": p.contact_id, "name": p.name, "title": p.title, "note": p.note} for p in v.visitors.all()
            ],
            "agenda": [
                {
                    "date": a.date,
                    "start_time": _hhmm(a.start_time),
                    "end_time": _hhmm(a.end_time),
                    "topic": a.topic,
                    "place": a.place,
                    "people": a.people,
                }
                for a in v.agenda.all()
            ],
            "sites": [
                {"supplier_id": s.supplier_id, "name": s.name, "in_house": s.in_house, "date": s.date, "note": s.note}
                for s in v.sites.all()
            ],
            "tasks": [task_dict(t) for t in tasks[TaskPhase.PREPARATION]],
            "actions": [task_dict(t) for t in tasks[TaskPhase.FOLLOW_UP]],
            "attendees": v.attendees,
            "minutes": v.minutes,
            "decisions": v.decisions,
            "minutes_by": v.minutes_by.username if v.minutes_by_id else None,
            "minutes_at": v.minutes_at,
        }
    )
    return data


def _visit_out(visit_id: int) -> dict[str, Any]:
    return visit_dict(selectors.get_visit(visit_id), detail=True)


@router.get("/visits", response=VisitPage)
def visit_list(
    request: HttpRequest,
    q: str = "",
    status: str = Query("", description="a status, or open (not closed nor cancelled)"),
    customer_id: int | None = None,
    host: str = Query("", description="username"),
    when: str = Query("", description="upcoming (not left yet) or past"),
    arrival_date_from: dt.date | None = None,
    arrival_date_to: dt.date | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Customer visits (客户来访): those to come or going on first (soonest first), then the past ones."""
    require_perm(request, "relations.view_visit")
    qs = selectors.visit_list(
        q=q,
        status=status,
        customer_id=customer_id,
        host=host,
        when=when,
        arrival_from=arrival_date_from,
        arrival_to=arrival_date_to,
    )
    return {"items": [visit_dict(v) for v in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/visits", response={201: VisitDetailOut})
def visit_create(request: HttpRequest, data: VisitIn):
    """Plan a visit with its visitors, agenda, factories to see and preparation tasks."""
    values = data.model_dump(exclude_none=True)
    visit = services.create_visit(by=request.user, data=values)
    return Status(201, _visit_out(visit.pk))


@router.get("/visits/{visit_id}", response=VisitDetailOut)
def visit_detail(request: HttpRequest, visit_id: int):
    require_perm(request, "relations.view_visit")
    return _visit_out(visit_id)


@router.patch("/visits/{visit_id}", response=VisitDetailOut)
def visit_update(request: HttpRequest, visit_id: int, data: VisitPatch):
    """Change the plan (`version` as read); visitors, agenda and sites, when given, are replaced whole."""
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    for key in ("visitors", "agenda", "sites"):
        if key in values and values[key] is None:
            values.pop(key)
    services.update_visit(visit=selectors.get_visit(visit_id), by=request.user, data=values, version=version)
    return _visit_out(visit_id)


def _move(request: HttpRequest, visit_id: int, action: str, data: RelationReasonIn | None) -> dict[str, Any]:
    services.transition(
        visit=selectors.get_visit(visit_id),
        action=action,
        by=request.user,
        reason=data.reason if data else "",
        version=data.version if data else None,
    )
    return _visit_out(visit_id)


@router.post("/visits/{visit_id}/confirm", response=VisitDetailOut)
def visit_confirm(request: HttpRequest, visit_id: int, data: RelationReasonIn | None = None):
    """planned → confirmed (a visitor at least); the owners of open preparation tasks are told."""
    return _move(request, visit_id, "confirm", data)


@router.post("/visits/{visit_id}/start", response=VisitDetailOut)
def visit_start(request: HttpRequest, visit_id: int, data: RelationReasonIn | None = None):
    """confirmed → in progress: the visitors are here."""
    return _move(request, visit_id, "start", data)


@router.post("/visits/{visit_id}/finish", response=VisitDetailOut)
def visit_finish(request: HttpRequest, visit_id: int, data: RelationReasonIn | None = None):
    """confirmed or in progress → visited: the visitors left."""
    return _move(request, visit_id, "finish", data)


@router.post("/visits/{visit_id}/close", response=VisitDetailOut)
def visit_close(request: HttpRequest, visit_id: int, data: RelationReasonIn | None = None):
    """visited → closed: needs the minutes and every follow-up action done (422 naming what is missing)."""
    return _move(request, visit_id, "close", data)


@router.post("/visits/{visit_id}/cancel", response=VisitDetailOut)
def visit_cancel(request: HttpRequest, visit_id: int, data: RelationReasonIn):
    """planned or confirmed → cancelled, with the reason; the owners of open preparation tasks are told."""
    return _move(request, visit_id, "cancel", data)


@router.put("/visits/{visit_id}/minutes", response=VisitDetailOut)
def visit_minutes(request: HttpRequest, visit_id: int, data: MinutesIn):
    """The visit's minutes (会议纪要): attendees, what was discussed, decisions (in progress or visited)."""
    values = data.model_dump()
    version = values.pop("version", None)
    services.record_minutes(visit=selectors.get_visit(visit_id), by=request.user, data=values, version=version)
    return _visit_out(visit_id)


def _task_routes(phase: str, path: str, label: str) -> None:
    """The list/add/change/tick endpoints of a visit's preparation tasks or follow-up actions."""

    def list_tasks(request: HttpRequest, visit_id: int):
        require_perm(request, "relations.view_visit")
        return [task_dict(t) for t in selectors.tasks_of(selectors.get_visit(visit_id))[phase]]

    def add(request: HttpRequest, visit_id: int, data: TaskIn):
        values = data.model_dump(exclude_none=True)
        if phase == TaskPhase.FOLLOW_UP:
            values.pop("kind", None)
        task = services.add_task(visit=selectors.get_visit(visit_id), by=request.user, phase=phase, data=values)
        return Status(201, task_dict(selectors.get_task(visit_id, task.pk)))

    def change(request: HttpRequest, visit_id: int, task_id: int, data: TaskPatch):
        values = data.model_dump(exclude_unset=True)
        version = values.pop("version", None)
        task = _task(visit_id, task_id, phase)
        services.update_task(task=task, by=request.user, data=values, version=version)
        return task_dict(selectors.get_task(visit_id, task_id))

    def done(request: HttpRequest, visit_id: int, task_id: int, data: DoneIn | None = None):
        task = _task(visit_id, task_id, phase)
        services.set_task_done(
            task=task,
            by=request.user,
            done=data.done if data else True,
            note=data.note if data else "",
            version=data.version if data else None,
        )
        return task_dict(selectors.get_task(visit_id, task_id))

    def remove(request: HttpRequest, visit_id: int, task_id: int):
        services.remove_task(task=_task(visit_id, task_id, phase), by=request.user)
        return Status(204, None)

    list_tasks.__doc__ = _doc("The visit's %s (a bare array: always short).", label)
    add.__doc__ = _doc("Add one of the visit's %s: an owner (default: the host) and a due date.", label)
    change.__doc__ = _doc("Change one of the visit's %s (`version` as read); a new owner is told.", label)
    done.__doc__ = _doc("Tick one of the visit's %s done today (`done: false` opens it again).", label)
    remove.__doc__ = _doc("Remove one of the visit's %s that is not done.", label)
    name = path.replace("-", "_")
    for fn in (list_tasks, add, change, done, remove):
        fn.__name__ = f"visit_{name}_{fn.__name__}"
    router.get(f"/visits/{{visit_id}}/{path}", response=list[TaskOut])(list_tasks)
    router.post(f"/visits/{{visit_id}}/{path}", response={201: TaskOut})(add)
    router.patch(f"/visits/{{visit_id}}/{path}/{{task_id}}", response=TaskOut)(change)
    router.post(f"/visits/{{visit_id}}/{path}/{{task_id}}/done", response=TaskOut)(done)
    router.delete(f"/visits/{{visit_id}}/{path}/{{task_id}}", response={204: None})(remove)


def _doc(text: str, label: str) -> str:
    return text % label


def _task(visit_id: int, task_id: int, phase: str) -> VisitTask:
    from gendan.core.exceptions import NotFound

    task = selectors.get_task(visit_id, task_id)
    if task.phase != phase:
        raise NotFound(_("Visit %(visit)s has no task %(id)s.") % {"visit": visit_id, "id": task_id})
    return task


_task_routes(TaskPhase.PREPARATION, "tasks", "preparation tasks")
_task_routes(TaskPhase.FOLLOW_UP, "actions", "follow-up actions")


def _language(request: HttpRequest, lang: str) -> str:
    if not lang:
        return getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    if lang not in LANGS:
        raise ValidationError({"lang": _("Choose zh or en.")})
    return LANGS[lang]


@router.get("/visits/{visit_id}/plan.pdf")
def visit_plan_pdf(request: HttpRequest, visit_id: int, lang: str = ""):
    """The visit plan for the reception team, as PDF: `lang` zh or en (default: yours)."""
    from gendan.relations.documents import plan_pdf

    require_perm(request, "relations.view_visit")
    visit = selectors.get_visit(visit_id)
    response = HttpResponse(plan_pdf(visit, _language(request, lang)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{visit.number}.pdf"'
    return response


# ---- survey templates --------------------------------------------------------------------------------------------


def template_dict(t: SurveyTemplate) -> dict[str, Any]:
    return {
        "id": t.pk,
        "code": t.code,
        "revision": t.revision,
        "name": t.name,
        "name_en": t.name_en,
        "intro_zh": t.intro_zh,
        "intro_en": t.intro_en,
        "is_current": t.is_current,
        "used": t.rounds.exists(),
        "questions": [
            {
                "id": q.pk,
                "position": q.position,
                "key": q.key,
                "kind": q.kind,
                "category": q.category,
                "text_zh": q.text_zh,
                "text_en": q.text_en,
                "required": q.required,
            }
            for q in t.questions.all()
        ],
        "version": t.version,
    }


@router.get("/survey-templates", response=TemplatePage)
def template_list(
    request: HttpRequest,
    all_revisions: bool = Query(False, description="also the revisions replaced"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Survey templates (调查问卷): their current revisions, by code."""
    require_perm(request, "relations.view_surveytemplate")
    qs = selectors.template_list(current_only=not all_revisions).prefetch_related("questions")
    return {"items": [template_dict(t) for t in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/survey-templates", response={201: RelationTemplateOut})
def template_create(request: HttpRequest, data: RelationTemplateIn):
    """A new template (revision 1): questions in Chinese and English, scored 1–5 or free text."""
    values = data.model_dump()
    template = services.create_template(by=request.user, data=values)
    return Status(201, template_dict(selectors.get_template(template.pk)))


@router.get("/survey-templates/{template_id}", response=RelationTemplateOut)
def template_detail(request: HttpRequest, template_id: int):
    require_perm(request, "relations.view_surveytemplate")
    return template_dict(selectors.get_template(template_id))


@router.patch("/survey-templates/{template_id}", response=RelationTemplateOut)
def template_update(request: HttpRequest, template_id: int, data: TemplatePatch):
    """Edit the current revision (`version` as read). Once a round used it, the changes make the next revision,
    which is returned (its `id` differs)."""
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    if values.get("questions") is None:
        values.pop("questions", None)
    template = services.update_template(
        template=selectors.get_template(template_id), by=request.user, data=values, version=version
    )
    return template_dict(selectors.get_template(template.pk))


# ---- survey rounds -----------------------------------------------------------------------------------------------


def round_dict(r: SurveyRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "number": r.number,
        "template_id": r.template_id,
        "template_code": r.template.code,
        "title": r.title,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "closes_on": r.closes_on,
        "status": r.status,
        "owner": r.owner.username,
        "selection": r.selection,
        "sent_at": r.sent_at,
        "closed_at": r.closed_at,
        "invited": r.invited,
        "sent": r.sent,
        "answered": r.answered,
        "response_rate": selectors.rate_of(r.answered, r.sent),
        "version": r.version,
    }


def recipient_dict(request: HttpRequest, i: SurveyInvitation) -> dict[str, Any]:
    link = getattr(i, "link", None)
    return {
        "id": i.pk,
        "customer_id": i.customer_id,
        "contact_id": i.contact_id,
        "contact_name": i.contact_name,
        "email": i.email,
        "language": i.language,
        "tier": i.tier,
        "merchandiser": i.merchandiser.username if i.merchandiser_id else None,
        "state": i.state,
        "sent_at": i.sent_at,
        "reminded_at": i.reminded_at,
        "reminder_count": i.reminder_count,
        "answered_at": i.answered_at,
        "link_url": services.survey_url(i.token) if i.token else "",
        "link_expires_at": link.expires_at if link is not None and i.token else None,
    }


def _round_out(request: HttpRequest, round_id: int) -> dict[str, Any]:
    round_ = selectors.get_round(round_id)
    return {
        **round_dict(round_),
        "recipients": [recipient_dict(request, i) for i in selectors.invitations_of(round_)],
    }


@router.get("/surveys", response=RoundPage)
def round_list(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    template_code: str = "",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Survey rounds (满意度调查), latest period first, with their response counts."""
    require_perm(request, "relations.view_surveyround")
    qs = selectors.round_list(q=q, status=status, template_code=template_code)
    return {"items": [round_dict(r) for r in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/surveys", response={201: RoundDetailOut})
def round_create(request: HttpRequest, data: RoundIn):
    """A draft round of a template for a period, with its recipients when a selection is given."""
    values = data.model_dump(exclude_none=True)
    round_ = services.create_round(by=request.user, data=values)
    return Status(201, _round_out(request, round_.pk))


@router.get("/surveys/{round_id}", response=RoundDetailOut)
def round_detail(request: HttpRequest, round_id: int):
    """A round with its recipients: where each stands and its live link (to pass on by hand)."""
    require_perm(request, "relations.view_surveyround")
    return _round_out(request, round_id)


@router.patch("/surveys/{round_id}", response=RoundDetailOut)
def round_update(request: HttpRequest, round_id: int, data: RoundPatch):
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    services.update_round(round_=selectors.get_round(round_id), by=request.user, data=values, version=version)
    return _round_out(request, round_id)


@router.post("/surveys/{round_id}/recipients", response=RoundDetailOut)
def round_add_recipients(request: HttpRequest, round_id: int, data: SelectionIn):
    """Invite contacts: given ones, or the primary contact of customers picked by id, tier, merchandiser or all
    active ones (those invited already are skipped)."""
    services.add_recipients(round_=selectors.get_round(round_id), by=request.user, **data.model_dump())
    return _round_out(request, round_id)


@router.delete("/surveys/{round_id}/recipients/{recipient_id}", response={204: None})
def round_remove_recipient(request: HttpRequest, round_id: int, recipient_id: int):
    """Take a contact off the round before it was sent to them."""
    services.remove_recipient(invitation=selectors.get_invitation(round_id, recipient_id), by=request.user)
    return Status(204, None)


@router.post("/surveys/{round_id}/send", response=RoundDetailOut)
def round_send(request: HttpRequest, round_id: int, data: RelationReasonIn | None = None):
    """Send every recipient not sent yet its own signed link (by e-mail in its language when it has an address);
    the round is then sent."""
    services.send_round(round_=selectors.get_round(round_id), by=request.user, version=data.version if data else None)
    return _round_out(request, round_id)


@router.post("/surveys/{round_id}/remind", response=CountOut)
def round_remind(request: HttpRequest, round_id: int, data: RemindIn | None = None):
    """E-mail a reminder to those who have not answered (all, or the recipients given): how many were reminded."""
    count = services.remind(
        round_=selectors.get_round(round_id), by=request.user, invitation_ids=data.recipient_ids if data else None
    )
    return {"count": count}


@router.post("/surveys/{round_id}/close", response=RoundDetailOut)
def round_close(request: HttpRequest, round_id: int, data: RelationReasonIn | None = None):
    """sent → closed: no more answers, the live links are withdrawn."""
    services.close_round(round_=selectors.get_round(round_id), by=request.user, version=data.version if data else None)
    return _round_out(request, round_id)


@router.post("/surveys/{round_id}/recipients/{recipient_id}/link", response=RelationLinkOut)
def round_renew_link(request: HttpRequest, round_id: int, recipient_id: int, data: RenewIn | None = None):
    """A new link for a recipient who has not answered (the old one stops working), e-mailed unless `send` is false."""
    from gendan.core import links

    invitation = selectors.get_invitation(round_id, recipient_id)
    token = services.renew_link(invitation=invitation, by=request.user, send=data.send if data else True)
    link = links.live_links(invitation, services.LINK_PURPOSE).order_by("-created_at").first()
    return {"url": services.survey_url(token), "expires_at": link.expires_at}


@router.post("/surveys/{round_id}/recipients/{recipient_id}/withdraw", response=RecipientOut)
def round_withdraw_link(request: HttpRequest, round_id: int, recipient_id: int):
    """Withdraw a recipient's link: it stops working at once."""
    services.withdraw_link(invitation=selectors.get_invitation(round_id, recipient_id), by=request.user)
    round_ = selectors.get_round(round_id)
    return next(recipient_dict(request, i) for i in selectors.invitations_of(round_) if i.pk == recipient_id)


def _decimal_map(values: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in values.items()}


def results_dict(results: selectors.RoundResults) -> dict[str, Any]:
    r = results.round
    keys = {q.question.pk: q.question.key for q in results.questions}

    def group(g: selectors.Group, *, by_key: bool = False) -> dict[str, Any]:
        means = {
            (k if by_key else keys.get(k, str(k))): selectors.mean_of(counts) for k, counts in g.by_question.items()
        }
        return {
            "key": g.key,
            "label": g.label,
            "sent": g.sent,
            "answered": g.answered,
            "response_rate": g.rate,
            "mean": g.mean,
            "question_means": means,
        }

    merch = next((g.label for g in results.merchandisers if g.key == str(results.merchandiser_id)), None)
    return {
        "round_id": r.pk,
        "number": r.number,
        "tier": results.tier,
        "merchandiser": merch if results.merchandiser_id else None,
        "sent": results.sent,
        "answered": results.answered,
        "response_rate": results.rate,
        "mean": results.mean,
        "previous_round_id": results.previous.pk if results.previous else None,
        "previous_mean": results.previous_mean,
        "delta": results.delta,
        "questions": [
            {
                "id": q.question.pk,
                "key": q.question.key,
                "kind": q.question.kind,
                "category": q.question.category,
                "text_zh": q.question.text_zh,
                "text_en": q.question.text_en,
                "answers": q.n if q.question.kind == "score" else len(q.texts),
                "mean": q.mean,
                "distribution": _decimal_map(q.counts),
                "previous_mean": q.previous_mean,
                "delta": q.delta,
                "texts": q.texts,
            }
            for q in results.questions
        ],
        "categories": results.categories,
        "by_tier": [group(g) for g in results.tiers],
        "by_merchandiser": [group(g) for g in results.merchandisers],
        "by_period": [
            {
                **group(g, by_key=True),
                "round_id": g.round.pk,
                "number": g.round.number,
                "period_start": g.round.period_start,
                "period_end": g.round.period_end,
                "category_means": dict(g.categories),
            }
            for g in results.history
        ],
        "comments": results.comments,
    }


def _results(round_id: int, tier: str, merchandiser: str) -> selectors.RoundResults:
    from gendan.core.models import User
    from gendan.partners.choices import CustomerTier

    if tier and tier not in CustomerTier.values:
        raise ValidationError({"tier": _("Choose one of: %(choices)s.") % {"choices": ", ".join(CustomerTier.values)}})
    merch_id = None
    if merchandiser:
        user = User.objects.filter(username=merchandiser).first()
        if user is None:
            raise ValidationError({"merchandiser": _("There is no user %(user)s.") % {"user": merchandiser}})
        merch_id = user.pk
    return selectors.round_results(selectors.get_round(round_id), tier=tier, merchandiser_id=merch_id)


@router.get("/surveys/{round_id}/results", response=ResultsOut)
def round_results(
    request: HttpRequest,
    round_id: int,
    tier: str = Query("", description="only customers of this tier"),
    merchandiser: str = Query("", description="only the customers of this merchandiser (username)"),
):
    """The analysis: response rate; per question the mean, the spread of 1–5, the previous round's mean and the
    delta, the comments; by customer tier, merchandiser and period (the template's rounds)."""
    require_perm(request, "relations.view_surveyround")
    return results_dict(_results(round_id, tier, merchandiser))


@router.get("/surveys/{round_id}/results.xlsx")
def round_results_xlsx(request: HttpRequest, round_id: int, tier: str = "", merchandiser: str = ""):
    """The results per question as .xlsx (headers in your language)."""
    from gendan.relations.exports import results_xlsx

    require_perm(request, "relations.view_surveyround")
    return results_xlsx(_results(round_id, tier, merchandiser))


@router.get("/surveys/{round_id}/responses.xlsx")
def round_responses_xlsx(request: HttpRequest, round_id: int):
    """Every response, one row per contact and one column per question, as .xlsx."""
    from gendan.relations.exports import responses_xlsx

    require_perm(request, "relations.view_surveyround")
    return responses_xlsx(selectors.get_round(round_id))


# ---- follow-ups of low scores ------------------------------------------------------------------------------------


def follow_up_dict(f: SurveyFollowUp) -> dict[str, Any]:
    return {
        "id": f.pk,
        "round_id": f.invitation.round_id,
        "customer_id": f.invitation.customer_id,
        "contact_name": f.invitation.contact_name,
        "owner": f.owner.username,
        "summary": f.summary,
        "due_date": f.due_date,
        "done_date": f.done_date,
        "note": f.note,
        "version": f.version,
    }


@router.get("/survey-follow-ups", response=RelationFollowUpPage)
def follow_up_list(
    request: HttpRequest,
    open: bool = Query(True, description="only those not done"),  # noqa: A002
    owner: str = Query("", description="username"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Responses with low scores (≤ 2) for the customer's merchandiser to follow up."""
    from gendan.core.models import User

    require_perm(request, "relations.view_surveyfollowup")
    user = User.objects.filter(username=owner).first() if owner else None
    if owner and user is None:
        raise ValidationError({"owner": _("There is no user %(user)s.") % {"user": owner}})
    qs = selectors.follow_up_list(owner=user, open_only=open)
    return {"items": [follow_up_dict(f) for f in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/survey-follow-ups/{follow_up_id}/done", response=RelationFollowUpOut)
def follow_up_done(request: HttpRequest, follow_up_id: int, data: FollowUpDoneIn):
    """The customer was called back: what was said and done (its owner, or a manager)."""
    services.close_follow_up(
        follow_up=selectors.get_follow_up(follow_up_id), by=request.user, note=data.note, version=data.version
    )
    return follow_up_dict(selectors.get_follow_up(follow_up_id))
