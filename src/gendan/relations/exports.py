"""Survey results to Excel (core.excel): the results per question, and every response with its answers."""

from collections import defaultdict
from typing import Any

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from gendan.core import clock
from gendan.core.excel import Column, export_xlsx, xlsx_response
from gendan.relations.choices import QuestionKind
from gendan.relations.models import SurveyAnswer, SurveyInvitation, SurveyRound
from gendan.relations.selectors import RoundResults


def _lang() -> str:
    return translation.get_language() or "zh-hans"


def _question_text(question: Any) -> str:
    return question.text(_lang())


def results_columns() -> list[Column]:
    return [
        Column("key", "编号", "Key", lambda r: r.question.key, width=8),
        Column("question", "问题", "Question", lambda r: _question_text(r.question), width=50),
        Column("category", "类别", "Category", lambda r: r.question.get_category_display(), width=14),
        Column("kind", "类型", "Kind", lambda r: r.question.get_kind_display(), width=12),
        Column(
            "answers", "回答数", "Answers", lambda r: r.n if r.question.kind == QuestionKind.SCORE else len(r.texts)
        ),
        Column("mean", "平均分", "Mean", lambda r: r.mean, width=10, number_format="0.00"),
        *[
            Column(
                f"s{score}",
                f"{score}分",
                f"Score {score}",
                lambda r, s=score: r.counts.get(s) if r.counts else None,
                width=9,
            )
            for score in (1, 2, 3, 4, 5)
        ],
        Column("previous", "上次平均分", "Previous mean", lambda r: r.previous_mean, width=14, number_format="0.00"),
        Column("delta", "变化", "Change", lambda r: r.delta, width=10, number_format="+0.00;-0.00;0.00"),
        Column(
            "texts",
            "文字回答",
            "Written answers",
            lambda r: "\n".join(f"{t['customer']} · {t['contact']}: {t['text']}" for t in r.texts),
            width=60,
        ),
    ]


def results_xlsx(results: RoundResults) -> HttpResponse:
    """One row per question: answers, mean, the count of each score, the previous round's mean and the change."""
    round_ = results.round
    content = export_xlsx(results_columns(), results.questions, title=round_.number)
    suffix = "-".join(p for p in (results.tier, str(results.merchandiser_id or "")) if p)
    return xlsx_response(content, f"{round_.number}-results{'-' + suffix if suffix else ''}.xlsx")


def responses_xlsx(round_: SurveyRound) -> HttpResponse:
    """One row per recipient (answered or not): customer, contact, tier, merchandiser, when sent and answered, then
    one column per question (its score or text) and the comment."""
    questions = list(round_.template.questions.order_by("position", "pk"))
    answers: dict[int, dict[int, Any]] = defaultdict(dict)
    for answer in SurveyAnswer.objects.filter(invitation__round=round_).only(
        "invitation_id", "question_id", "score", "text"
    ):
        answers[answer.invitation_id][answer.question_id] = answer.score if answer.score is not None else answer.text
    invitations = list(
        SurveyInvitation.objects.filter(round=round_)
        .select_related("customer", "merchandiser")
        .order_by("customer__code", "contact_name", "pk")
    )
    columns = [
        Column("customer", "客户", "Customer", lambda i: i.customer.code, width=12),
        Column("customer_name", "客户名称", "Customer name", lambda i: i.customer.name_en or i.customer.name, width=26),
        Column("contact", "联系人", "Contact", lambda i: i.contact_name, width=18),
        Column("tier", "客户级别", "Tier", lambda i: i.get_tier_display(), width=12),
        Column(
            "merchandiser",
            "跟单员",
            "Merchandiser",
            lambda i: i.merchandiser.username if i.merchandiser_id else "",
            width=12,
        ),
        Column("sent", "发送时间", "Sent", lambda i: i.sent_at, width=18),
        Column("answered", "回复时间", "Answered", lambda i: i.answered_at, width=18),
        *[
            Column(
                q.key,
                f"{q.key} {q.text_zh}"[:80],
                f"{q.key} {q.text_en}"[:80],
                lambda i, qid=q.pk: answers[i.pk].get(qid),
                width=10 if q.kind == QuestionKind.SCORE else 40,
            )
            for q in questions
        ],
        Column("comment", "其他意见", "Comment", lambda i: i.comment, width=40),
    ]
    content = export_xlsx(columns, invitations, title=_("Responses"))
    return xlsx_response(content, f"{round_.number}-responses-{clock.today():%Y%m%d}.xlsx")
