"""The demo company's office: tasks the manager assigned over the last two weeks, in every status, with their
threads; a notice to the workshops and factories about the holiday schedule (some have read and acknowledged it, one
factory has not opened its link), the minutes of Monday's production meeting, and a packing change a merchandiser
passed to a factory today. Built through the office's services on the demo company's users, orders and suppliers."""

import datetime as dt
import random
from collections import Counter

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gendan.core import clock
from gendan.core.calendar import company_calendar
from gendan.core.models import User
from gendan.office import services
from gendan.office.models import NoticeRecipient, Task
from gendan.partners.models import Supplier
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order

PEOPLE = ("manager", "merch1", "merch2", "merch3", "sales1", "buyer", "planner", "qc", "shipping")


def _at(day: dt.date, hour: int) -> dt.datetime:
    """`day` at `hour` o'clock (and a few minutes), company time, but never later than now (history is never in the
    future)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, (hour * 7) % 60)))
    return min(moment, clock.now())


def build_demo(*, today: dt.date, rng: random.Random) -> str:
    """Tasks in every status and notices and minutes with their receipts; a one-line summary."""
    users = {u.username: u for u in User.objects.filter(username__in=PEOPLE, is_active=True)}
    if "manager" not in users or "merch1" not in users:
        return "office: skipped (the demo users are missing)"
    calendar = company_calendar()
    manager = users["manager"]

    def day(n: int) -> dt.date:
        return calendar.add(today, n)

    def person(name: str) -> User:
        return users.get(name) or users["merch1"]

    orders = list(
        Order.objects.filter(status__in=(OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION))
        .select_related("customer", "merchandiser")
        .order_by("ex_factory_date", "pk")[:12]
    )
    rng.shuffle(orders)

    def order_of(user: User) -> Order | None:
        return next((o for o in orders if o.merchandiser_id == user.pk), orders[0] if orders else None)

    def assign(on: dt.date, assignee: User, title: str, due: dt.date, **extra: object) -> Task:
        with clock.frozen(_at(on, 9)):
            order = extra.pop("order", None)
            return services.create_task(
                by=extra.pop("by", manager),
                data={
                    "title": title,
                    "assignee": assignee,
                    "due_date": due,
                    "order_id": order.pk if order else None,
                    **extra,
                },
            )

    def act(on: dt.date, hour: int, action: str, task: Task, by: User, text: str = "") -> Task:
        with clock.frozen(_at(on, hour)):
            return services.transition_task(task=task, action=action, by=by, comment=text)

    def comment(on: dt.date, hour: int, task: Task, by: User, text: str) -> None:
        with clock.frozen(_at(on, hour)):
            services.add_comment(task=task, by=by, body=text)

    merch1, merch2, merch3 = person("merch1"), person("merch2"), person("merch3")
    tasks: list[Task] = []
    # assigned today, not accepted yet
    tasks.append(
        assign(
            today,
            merch2,
            "核对北风家居新订单的唛头和条码",
            day(2),
            order=order_of(merch2),
            priority="high",
            description="客户邮件更新了外箱唛头，请和单证核对后发给包装厂确认。",
        )
    )
    tasks.append(assign(day(-1), person("buyer"), "向绍兴华纺要下季度面料报价", day(5), priority="normal"))
    # accepted, due tomorrow, with a thread
    t = assign(day(-3), merch1, "跟进汉堡生活馆的产前样意见", day(1), order=order_of(merch1), priority="urgent")
    act(day(-3), 10, "accept", t, merch1)
    comment(day(-2), 15, t, merch1, "客户说周四前回复，已约好电话。")
    comment(day(-2), 16, t, manager, "好，回复后马上安排改样。")
    tasks.append(t)
    # accepted and overdue: in both chase lists
    t = assign(day(-6), merch3, "催海宁缝制厂补交生产日报", day(-2), order=order_of(merch3), priority="high")
    act(day(-5), 11, "accept", t, merch3)
    comment(day(-2), 17, t, merch3, "工厂说系统坏了，明天补。")
    tasks.append(t)
    # done on time, and done late
    t = assign(day(-8), person("qc"), "安排第三方验货机构的年度审核", day(-3))
    act(day(-7), 9, "accept", t, person("qc"))
    act(day(-4), 16, "complete", t, person("qc"), "已与华测确认12月审核日期，报价已发财务。")
    tasks.append(t)
    t = assign(day(-6), person("shipping"), "整理上月出货单据归档", day(-3))
    act(day(-1), 17, "complete", t, person("shipping"), "已归档，缺两份提单副本，已向货代索取。")
    tasks.append(t)
    # declined: back in the manager's chase list
    t = assign(day(-4), person("planner"), "评估加急订单能否插单", day(1), order=order_of(merch2), priority="high")
    act(day(-2), 14, "decline", t, person("planner"), "缝制线本周满负荷，请先和客户确认能否分批出货。")
    tasks.append(t)
    # cancelled
    t = assign(day(-9), person("sales1"), "准备米兰设计的来访资料", day(-1))
    act(day(-5), 10, "cancel", t, manager, "客户推迟来访到明年。")
    tasks.append(t)
    # reopened: done, then sent back
    t = assign(day(-7), merch2, "更新袋鼠家纺的装箱资料", day(-2))
    act(day(-3), 15, "complete", t, merch2, "已更新装箱单模板。")
    act(day(-2), 9, "reopen", t, manager, "毛重净重还是旧的，请一并更新。")
    tasks.append(t)

    # -- notices
    suppliers = {s.code: s for s in Supplier.objects.filter(code__in=("S-FA09", "S-FA10", "S-FA11"))}
    receipts = 0
    sent = day(-4)
    with clock.frozen(_at(sent, 10)):
        holiday = services.create_notice(
            by=manager,
            data={
                "kind": "notice",
                "title": "春节放假及节前出货安排",
                "body": (
                    "各部门、各加工厂：\n\n1. 春节放假时间：2月14日至2月22日，2月23日正常上班。\n"
                    "2. 节前最后出货日为2月10日，请各工厂按附件排期完成大货并提前两天报验。\n"
                    "3. 节前未能完成的订单，请于12月5日前书面说明原因及新的完成日期。\n\n请收到后点击“已阅”确认。"
                ),
                "ack_required": True,
                "departments": ["merchandising", "production"],
                "supplier_ids": [s.pk for s in suppliers.values() if s.code in ("S-FA09", "S-FA10")],
            },
            files=[
                SimpleUploadedFile(
                    "节前出货排期.csv",
                    "订单,工厂,完成日期\nSO-2027-00012,海宁缝制厂,2027-02-06\n".encode(),
                    content_type="text/csv",
                )
            ],
        )
    for r in NoticeRecipient.objects.filter(notice=holiday).select_related("user", "supplier", "link"):
        receipts += 1
        if r.user_id and rng.random() < 0.75:
            with clock.frozen(_at(calendar.add(sent, rng.choice([0, 1])), rng.choice([11, 14, 16]))):
                services.mark_read(notice=holiday, user=r.user)
                if rng.random() < 0.7:
                    services.acknowledge(notice=holiday, user=r.user)
        elif r.supplier_id and r.supplier.code == "S-FA09" and r.link is not None:
            with clock.frozen(_at(calendar.add(sent, 1), 9)):
                services.open_by_link(recipient=r, link=r.link)
                services.acknowledge_by_link(recipient=r, link=r.link, name="张经理")
    planner = person("planner")
    meeting = day(-1)
    with clock.frozen(_at(meeting, 17)):
        minutes = services.create_notice(
            by=planner,
            data={
                "kind": "minutes",
                "title": "生产例会会议纪要",
                "meeting_date": meeting,
                "location": "二楼会议室",
                "attendees": "王经理、吴敏、李娜、陈静、郑浩",
                "body": (
                    "1. 缝制二线本周产能不足，两张订单外发海宁缝制厂（吴敏负责）。\n"
                    "2. 汉堡生活馆产前样周四前确认，确认后三天内开裁（李娜跟进）。\n"
                    "3. 尾期验货统一按AQL 2.5执行，华测12月审核（郑浩负责）。"
                ),
                "departments": ["production", "merchandising", "quality", "management"],
            },
        )
    for r in NoticeRecipient.objects.filter(notice=minutes).select_related("user"):
        receipts += 1
        if rng.random() < 0.85:
            with clock.frozen(_at(today, rng.choice([9, 10, 11]))):
                services.mark_read(notice=minutes, user=r.user)
    if "S-FA11" in suppliers:
        with clock.frozen(_at(today, 11)):
            packing = services.create_notice(
                by=merch1,
                data={
                    "kind": "notice",
                    "title": "大货包装要求变更",
                    "body": "客户要求每个内盒加放干燥剂一包，外箱改用五层瓦楞纸。请即日起执行，并回复确认。",
                    "ack_required": True,
                    "users": [u for u in (person("qc"), manager) if u.pk != merch1.pk],
                    "supplier_ids": [suppliers["S-FA11"].pk],
                },
            )
        receipts += packing.recipients.count()
    statuses = Counter(Task.objects.filter(pk__in=[t.pk for t in tasks]).values_list("status", flat=True))
    status_text = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    return f"office: {len(tasks)} tasks ({status_text}), 3 notices and minutes with {receipts} receipts"
