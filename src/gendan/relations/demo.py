"""Demo data of customer relations, built through the services on top of the demo company (called at the end of the
build): a satisfaction survey template and two rounds of it half a year apart (the later one with better delivery
and worse price scores, so the trend shows; low scores followed up), and customer visits — one closed, one visited
with its minutes and an action still open, one coming next week with its preparation under way, one planned for
next month."""

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from gendan.catalog.models import Product
from gendan.core import clock
from gendan.core.calendar import company_calendar
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.partners.models import Customer, Supplier
from gendan.relations import services
from gendan.relations.models import SurveyAnswer, SurveyFollowUp, SurveyInvitation, SurveyRound, VisitTask

QUESTIONS = [
    (
        "quality",
        "score",
        "quality",
        "产品质量是否符合您的要求？",
        "How well does our product quality meet your requirements?",
    ),
    ("delivery", "score", "delivery", "我们是否按承诺的交期出货？", "Did we ship on the dates we promised?"),
    ("samples", "score", "service", "打样的速度和准确性如何？", "How fast and accurate were our samples?"),
    (
        "response",
        "score",
        "communication",
        "跟单员回复是否及时、清楚？",
        "Did your merchandiser answer quickly and clearly?",
    ),
    ("documents", "score", "service", "出货单证是否准确、及时？", "Were the shipping documents correct and on time?"),
    ("price", "score", "price", "我们的价格是否有竞争力？", "How competitive are our prices?"),
    ("overall", "score", "overall", "总体来说，您对我们的满意程度？", "Overall, how satisfied are you with us?"),
    ("better", "text", "", "我们最需要改进的是什么？", "What should we improve first?"),
]
# the mean score of each question in the first round and how it moved in the second (delivery got better after the
# planning changes, prices went up with cotton)
FIRST = {
    "quality": 4.1,
    "delivery": 3.1,
    "samples": 3.7,
    "response": 4.2,
    "documents": 4.0,
    "price": 3.6,
    "overall": 3.9,
}
MOVE = {
    "quality": 0.1,
    "delivery": 0.8,
    "samples": 0.2,
    "response": 0.0,
    "documents": 0.1,
    "price": -0.6,
    "overall": 0.2,
}
TIER_BONUS = {"key": 0.2, "normal": 0.0, "prospect": -0.3}
BETTER = [
    "交期再稳定一些，延误时请提前通知。",
    "Please tell us earlier when a shipment will be late.",
    "Faster counter samples would help our buyers.",
    "价格比去年高，希望能有更好的报价。",
    "Cartons arrived damaged twice; please improve the packing.",
    "",
    "",
]
FOLLOW_UP_NOTES = {
    "delivery": "已电话沟通：五月那批延误是面料晚到，已改用两家面料供应商，并每周发出货计划给客户。",
    "price": "Called the buyer: the rise follows the cotton price; offered 2% on orders above 10,000 pcs.",
    "samples": "Called: counter samples now go out within 7 working days; the sample room has a second pattern maker.",
    "response": "已道歉：跟单员出差期间没有安排代理人，今后由陈静代理并在邮件签名注明。",
}
OTHER_NOTE = "Called the buyer and went through the scores together; no further action asked."


def _user(username: str, role: str) -> User:
    found = User.objects.filter(username=username, is_active=True).first()
    return found or User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()


def _at(day: dt.date, hour: int = 10) -> Any:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
    return clock.frozen(moment)


def _score(mean: float, rng: random.Random) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.7))))


def _answer_round(round_: SurveyRound, rng: random.Random, *, second: bool, share: float, day: dt.date) -> int:
    answered = 0
    for invitation in SurveyInvitation.objects.filter(round=round_).select_related("customer").order_by("pk"):
        if rng.random() > share:
            continue
        answers: dict[str, Any] = {}
        for key, mean in FIRST.items():
            target = mean + (MOVE[key] if second else 0) + TIER_BONUS.get(invitation.customer.tier, 0)
            answers[key] = _score(target, rng)
        answers["better"] = rng.choice(BETTER)
        with _at(day + dt.timedelta(days=rng.randint(1, 9)), hour=rng.randint(8, 18)), transaction.atomic():
            live = services.links.live_links(invitation, services.LINK_PURPOSE).order_by("-created_at").first()
            found, link = services.invitation_for_token(services.links.token_for(live))
            services.submit_answers(invitation=found, link=link, answers=answers)
        answered += 1
    return answered


def build_surveys(*, today: dt.date, rng: random.Random) -> tuple[int, int]:
    manager = _user("manager", Role.MANAGER)
    started = today - dt.timedelta(days=190)
    with _at(started), transaction.atomic():
        template = services.create_template(
            by=manager,
            data={
                "code": "CSAT",
                "name": "顾客满意度调查",
                "name_en": "Customer satisfaction survey",
                "intro_zh": "感谢您一直以来的支持。请花五分钟告诉我们，我们哪里做得好、哪里需要改进。",
                "intro_en": "Thank you for working with us. Please take five minutes to tell us what we do well "
                "and what we should do better.",
                "questions": [
                    {"key": k, "kind": kind, "category": cat, "text_zh": zh, "text_en": en, "required": kind == "score"}
                    for k, kind, cat, zh, en in QUESTIONS
                ],
            },
        )
    total = 0
    rounds = ((started, 0.75, False), (today - dt.timedelta(days=18), 0.6, True))
    made: list[SurveyRound] = []
    for sent_on, share, second in rounds:
        end = sent_on - dt.timedelta(days=sent_on.day)  # the end of the month before
        start = (end - dt.timedelta(days=175)).replace(day=1)
        with _at(sent_on), transaction.atomic():
            round_ = services.create_round(
                by=manager,
                data={
                    "template_id": template.pk,
                    "period_start": start,
                    "period_end": end,
                    "closes_on": sent_on + dt.timedelta(days=28),
                    "all_active": True,
                },
            )
            services.send_round(round_=round_, by=manager)
        total += _answer_round(round_, rng, second=second, share=share, day=sent_on)
        made.append(round_)
    first, second_round = made
    with _at(first.closes_on + dt.timedelta(days=1)), transaction.atomic():
        services.close_round(round_=first, by=manager)
    with _at(today - dt.timedelta(days=4)), transaction.atomic():
        services.remind(round_=second_round, by=manager)
    # the first round's low scores were called back; a few of the second's wait
    for follow_up in SurveyFollowUp.objects.filter(invitation__round=first, done_date__isnull=True).select_related(
        "owner"
    ):
        low = (
            SurveyAnswer.objects.filter(invitation=follow_up.invitation_id, score__lte=2)
            .order_by("score", "question__position")
            .values_list("question__key", flat=True)
            .first()
        )
        with _at(follow_up.due_date), transaction.atomic():
            services.close_follow_up(
                follow_up=follow_up, by=follow_up.owner, note=FOLLOW_UP_NOTES.get(low or "", OTHER_NOTE)
            )
    return len(made), total


def build_visits(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    calendar = company_calendar()
    manager = _user("manager", Role.MANAGER)
    sales = _user("sales1", Role.SALES) or manager
    qc = _user("qc", Role.QC) or manager
    shipping = _user("shipping", Role.SHIPPING) or manager
    customers = list(Customer.objects.filter(is_active=True).order_by("-tier", "code"))
    key = [c for c in customers if c.tier == "key"] or customers
    factories = list(Supplier.objects.filter(kind="subcontract", is_active=True).order_by("code")[:2])
    products = list(Product.objects.filter(is_active=True).order_by("code")[:40])
    picks = rng.sample(products, min(3, len(products))) if products else []
    counts = {"visits": 0, "tasks": 0}

    def visitors(customer: Customer) -> list[dict[str, Any]]:
        return [{"contact_id": c.pk} for c in customer.contacts.order_by("-is_primary", "pk")[:2]] or [
            {"name": "Buyer", "title": "Buyer"}
        ]

    def host_of(customer: Customer) -> User:
        return customer.merchandiser if customer.merchandiser_id else manager

    # closed: a factory audit two months ago, every action done
    audited = key[1 % len(key)]
    day = calendar.add(today, -42)
    with _at(day - dt.timedelta(days=14)), transaction.atomic():
        visit = services.create_visit(
            by=host_of(audited),
            data={
                "customer_id": audited.pk,
                "title": "年度验厂 Annual factory audit",
                "purpose": "factory_audit",
                "arrival_date": day,
                "departure_date": day,
                "visitors": visitors(audited),
                "sites": [{"supplier_id": f.pk} for f in factories[:1]]
                + [{"name": "本厂缝制车间 Own sewing workshop"}],
                "agenda": [
                    {
                        "date": day,
                        "start_time": "09:00",
                        "end_time": "12:00",
                        "topic": "Document review",
                        "place": "会议室",
                    },
                    {"date": day, "start_time": "13:30", "end_time": "17:00", "topic": "Factory walk-through"},
                ],
            },
        )
        services.transition(visit=visit, action="confirm", by=host_of(audited))
    with _at(day), transaction.atomic():
        services.transition(visit=visit, action="start", by=host_of(audited))
        services.record_minutes(
            visit=visit,
            by=host_of(audited),
            data={
                "attendees": "Customer auditors; 王经理, 跟单 李娜, 品质 郑浩",
                "minutes": "Audit passed with two minor findings: fire-exit signage in the packing area; the needle "
                "control log not signed on two days.",
                "decisions": "Corrective actions within two weeks, photos to the auditor.",
            },
        )
        action = services.add_task(
            visit=visit,
            by=host_of(audited),
            phase="follow_up",
            data={"description": "Send photos of the corrective actions to the auditor", "owner": qc.username},
        )
        services.transition(visit=visit, action="finish", by=host_of(audited))
    with _at(calendar.add(day, 6)), transaction.atomic():
        services.set_task_done(task=action, by=qc, note="Photos sent")
        services.transition(visit=visit, action="close", by=host_of(audited))
    counts["visits"] += 1

    # visited three weeks ago: minutes, one action done, one still open (and late)
    reviewed = key[0]
    day = calendar.add(today, -15)
    with _at(day - dt.timedelta(days=10)), transaction.atomic():
        visit = services.create_visit(
            by=host_of(reviewed),
            data={
                "customer_id": reviewed.pk,
                "title": "春夏系列选样 Spring/summer range review",
                "purpose": "new_products",
                "arrival_date": day,
                "departure_date": calendar.add(day, 1),
                "hotel": "宁波香格里拉 Shangri-La Ningbo",
                "visitors": visitors(reviewed),
                "agenda": [
                    {"date": day, "start_time": "10:00", "topic": "Showroom: 60 new styles", "place": "样品间"},
                    {"date": calendar.add(day, 1), "start_time": "09:00", "topic": "Costing and delivery plan"},
                ],
            },
        )
        services.transition(visit=visit, action="confirm", by=host_of(reviewed))
    with _at(day), transaction.atomic():
        services.transition(visit=visit, action="start", by=host_of(reviewed))
    with _at(calendar.add(day, 1)), transaction.atomic():
        services.record_minutes(
            visit=visit,
            by=host_of(reviewed),
            data={
                "attendees": "Buyers of the customer; 业务 刘洋, 跟单, 打样间主管",
                "minutes": "Reviewed 60 styles, 14 picked for counter samples. The customer asks for recycled "
                "polyester on 4 styles and an FSC hang tag.",
                "decisions": "Counter samples of the 14 styles in 3 weeks; quotation within a week.",
            },
        )
        for text, owner, days in (
            ("报价单：14 款 Quotation for the 14 styles", sales, 5),
            ("14 款确认样 Counter samples of the 14 styles", host_of(reviewed), 12),
        ):
            services.add_task(
                visit=visit,
                by=host_of(reviewed),
                phase="follow_up",
                data={"description": text, "owner": owner.username, "due_date": calendar.add(day, days)},
            )
        services.transition(visit=visit, action="finish", by=host_of(reviewed))
    first_action = VisitTask.objects.filter(visit=visit, phase="follow_up").order_by("position").first()
    with _at(calendar.add(day, 5)), transaction.atomic():
        services.set_task_done(task=first_action, by=sales, note="Quotation sent")
    counts["visits"] += 1

    # coming next week: confirmed, its preparation under way
    coming = key[2 % len(key)]
    arrival = calendar.add(today, 5)
    with _at(calendar.add(today, -6)), transaction.atomic():
        visit = services.create_visit(
            by=host_of(coming),
            data={
                "customer_id": coming.pk,
                "title": "大货生产检查和新订单洽谈 Bulk production check and new orders",
                "purpose": "business",
                "objectives": "Check the bulk of the running orders; agree the next season's volumes and prices.",
                "arrival_date": arrival,
                "departure_date": calendar.add(arrival, 1),
                "hotel": "宁波万豪酒店 Marriott Ningbo",
                "hotel_note": "2 间大床房, 2 晚, 我司付款",
                "pickup_date": arrival,
                "pickup_time": "09:40",
                "pickup_place": "宁波栎社机场 国内到达 (MU5521)",
                "pickup_driver": "老张 138 5742 0000",
                "pickup_car": "别克 GL8 浙B·8R2K6",
                "visitors": visitors(coming),
                "agenda": [
                    {"date": arrival, "start_time": "11:00", "end_time": "12:00", "topic": "Welcome, company update"},
                    {
                        "date": arrival,
                        "start_time": "14:00",
                        "end_time": "17:00",
                        "topic": "Bulk production check",
                        "place": "缝制车间",
                    },
                    {"date": calendar.add(arrival, 1), "start_time": "09:00", "topic": "Subcontract factory tour"},
                    {"date": calendar.add(arrival, 1), "start_time": "14:00", "topic": "Next season: volumes, prices"},
                ],
                "sites": [{"supplier_id": f.pk, "date": calendar.add(arrival, 1)} for f in factories[1:2]]
                + [{"name": "本厂缝制车间 Own sewing workshop", "date": arrival}],
                "tasks": [
                    {
                        "kind": "sample",
                        "product_id": p.pk,
                        "owner": (qc if n else host_of(coming)).username,
                        "note": "2 pcs, in the new colours",
                        "due_date": calendar.add(today, 1 + n),
                    }
                    for n, p in enumerate(picks)
                ]
                + [
                    {"kind": "hotel", "description": "订酒店 Book the hotel", "owner": sales.username},
                    {"kind": "pickup", "description": "安排接机 Airport pick-up", "owner": shipping.username},
                    {"kind": "meeting", "description": "Season presentation and price list", "owner": sales.username},
                ],
            },
        )
        services.transition(visit=visit, action="confirm", by=host_of(coming))
    tasks = list(VisitTask.objects.filter(visit=visit).select_related("owner").order_by("position"))
    counts["tasks"] = len(tasks)
    with _at(calendar.add(today, -2)), transaction.atomic():
        for task in tasks:
            if task.kind in ("hotel", "pickup"):
                services.set_task_done(task=task, by=task.owner)
    counts["visits"] += 1

    # planned for next month: not confirmed yet
    later = customers[(len(customers) // 2) % len(customers)]
    arrival = calendar.add(today, 24)
    with _at(today - dt.timedelta(days=1)), transaction.atomic():
        services.create_visit(
            by=host_of(later),
            data={
                "customer_id": later.pk,
                "title": "Relationship visit",
                "purpose": "relationship",
                "arrival_date": arrival,
                "departure_date": arrival,
            },
        )
    counts["visits"] += 1
    return counts


def build_demo(*, today: dt.date, rng: random.Random) -> str:
    """Customer visits and two satisfaction survey rounds; a one-line summary."""
    if not Customer.objects.filter(is_active=True).exists():
        return "relations: no customers, nothing built"
    visits = build_visits(today=today, rng=rng)
    rounds, answers = build_surveys(today=today, rng=rng)
    return (
        f"relations: {visits['visits']} customer visits (one coming with {visits['tasks']} preparation tasks, one "
        f"visited with its minutes), {rounds} survey rounds of CSAT with {answers} answers"
    )
