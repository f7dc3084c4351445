"""The analysis of a round: response rate, per question the mean and the spread of 1–5, the texts; by tier,
merchandiser and period; the trend against the previous round of the same template (across revisions); a customer's
latest scores. The arithmetic is property-tested."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gendan.core import clock
from gendan.core.choices import Role
from gendan.relations import selectors, services
from gendan.relations.models import SurveyAnswer, SurveyInvitation, SurveyQuestion
from gendan.relations.selectors import delta_of, mean_of, rate_of, spread
from tests.conftest import TODAY
from tests.factories import ContactFactory, CustomerFactory
from tests.relations.conftest import QUESTIONS, answer

counts_st = st.dictionaries(st.sampled_from([1, 2, 3, 4, 5]), st.integers(min_value=0, max_value=10_000), max_size=5)


# ---- the arithmetic ----------------------------------------------------------------------------------------------


@given(counts_st)
def test_a_mean_lies_within_1_and_5_and_is_the_weighted_average(counts):
    mean = mean_of(counts)
    n = sum(counts.values())
    if n == 0:
        assert mean is None
        return
    assert Decimal(1) <= mean <= Decimal(5)
    exact = Decimal(sum(s * c for s, c in counts.items())) / n
    assert abs(mean - exact) <= Decimal("0.005")
    assert mean == mean.quantize(Decimal("0.01"))


@given(counts_st)
def test_a_spread_has_every_score_and_keeps_the_count(counts):
    full = spread(counts)
    assert list(full) == [1, 2, 3, 4, 5]
    assert sum(full.values()) == sum(counts.values())


@given(counts_st, counts_st)
def test_the_delta_is_the_difference_of_the_means(now, before):
    delta = delta_of(mean_of(now), mean_of(before))
    if not sum(now.values()) or not sum(before.values()):
        assert delta is None
    else:
        assert delta == mean_of(now) - mean_of(before)
        assert Decimal(-4) <= delta <= Decimal(4)


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_a_rate_is_a_percentage_of_the_sent(answered, extra):
    sent = answered + extra
    rate = rate_of(answered, sent)
    if sent == 0:
        assert rate is None
    else:
        assert Decimal(0) <= rate <= Decimal(100)
        assert rate == (Decimal(answered) * 100 / sent).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ---- a round's results -------------------------------------------------------------------------------------------


@pytest.fixture
def customers(customer, contact, cn_contact, make_user):
    """Four customers: C-NW01 (key, mer1), C-SH02 (normal, mer2) and two more normal ones of mer1 and mer3."""
    mer3 = make_user(Role.MERCHANDISER, username="mer3")
    third = CustomerFactory(code="C-TX03", tier="normal", merchandiser=customer.merchandiser)
    fourth = CustomerFactory(code="C-PR04", tier="prospect", merchandiser=mer3)
    ContactFactory(customer=third, name="Tom", email="tom@tx.example", is_primary=True)
    ContactFactory(customer=fourth, name="Pia", email="pia@pr.example", is_primary=True)
    return {"NW": contact, "SH": cn_contact, "TX": third.contacts.get(), "PR": fourth.contacts.get()}


def _send(make_round, manager, **data):
    round_ = make_round(all_active=True, **data)
    services.send_round(round_=round_, by=manager)
    round_.refresh_from_db()
    return round_


def test_results_per_question_with_rate_spread_and_texts(make_round, manager, customers):
    round_ = _send(make_round, manager)
    inv = {i.contact_id: i for i in round_.invitations.all()}
    answer(inv[customers["NW"].pk], quality=5, delivery=2, price=4, better="Faster samples")
    answer(inv[customers["SH"].pk], quality=4, delivery=3, price=3, comment="很好")
    answer(inv[customers["TX"].pk], quality=3, delivery=4, price=2)
    results = selectors.round_results(selectors.get_round(round_.pk))
    assert (results.sent, results.answered, results.rate) == (4, 3, Decimal("75.0"))
    by_key = {r.question.key: r for r in results.questions}
    quality = by_key["quality"]
    assert (quality.n, quality.mean, quality.counts) == (3, Decimal("4.00"), {1: 0, 2: 0, 3: 1, 4: 1, 5: 1})
    assert by_key["delivery"].mean == Decimal("3.00")
    assert by_key["price"].mean == Decimal("3.00")
    assert by_key["delivery"].low == 1
    assert by_key["better"].texts == [
        {"text": "Faster samples", "customer": "C-NW01", "contact": "Anna Berg", "tier": "key"}
    ]
    assert results.comments == [{"text": "很好", "customer": "C-SH02", "contact": "王丽", "tier": "normal"}]
    assert results.mean == Decimal("3.33")  # 30 points over 9 scores
    assert results.previous is None
    assert results.delta is None
    assert {c["category"]: c["mean"] for c in results.categories} == {
        "quality": Decimal("4.00"),
        "delivery": Decimal("3.00"),
        "price": Decimal("3.00"),
    }
    tiers = {g.key: g for g in results.tiers}
    assert (tiers["key"].sent, tiers["key"].answered, tiers["key"].mean) == (1, 1, Decimal("3.67"))
    assert (tiers["normal"].sent, tiers["normal"].answered, tiers["normal"].rate) == (2, 2, Decimal("100.0"))
    assert (tiers["prospect"].answered, tiers["prospect"].mean) == (0, None)
    merchs = {g.key: g for g in results.merchandisers}
    mer1 = merchs[str(customers["NW"].customer.merchandiser_id)]
    assert (mer1.sent, mer1.answered) == (2, 2)
    assert mer1.label.endswith("(mer1)")
    assert mer1.question_mean(quality.question.pk) == Decimal("4.00")  # 5 and 3
    assert [g.round for g in results.history] == [round_]


def test_results_filtered_by_tier_or_merchandiser(make_round, manager, customers):
    round_ = _send(make_round, manager)
    inv = {i.contact_id: i for i in round_.invitations.all()}
    answer(inv[customers["NW"].pk], quality=5, delivery=5, price=5)
    answer(inv[customers["SH"].pk], quality=1, delivery=1, price=1)
    key = selectors.round_results(round_, tier="key")
    assert (key.sent, key.answered, key.mean) == (1, 1, Decimal("5.00"))
    mer2 = customers["SH"].customer.merchandiser
    theirs = selectors.round_results(round_, merchandiser_id=mer2.pk)
    assert (theirs.sent, theirs.mean) == (1, Decimal("1.00"))


def test_the_trend_against_the_previous_round_of_the_template_across_revisions(
    make_round, manager, customers, template
):
    first = _send(make_round, manager)
    inv = {i.contact_id: i for i in first.invitations.all()}
    answer(inv[customers["NW"].pk], quality=3, delivery=2, price=4)
    answer(inv[customers["SH"].pk], quality=3, delivery=2, price=4)
    # the template changes (a question added): revision 2, the keys stay
    revision = services.update_template(
        template=template,
        by=manager,
        data={"questions": [*QUESTIONS, {"key": "service", "text_zh": "服务", "text_en": "Service"}]},
    )
    with clock.frozen(TODAY + dt.timedelta(days=1)):
        second = services.create_round(
            by=manager,
            data={
                "template_id": revision.pk,
                "period_start": "2026-07-01",
                "period_end": "2026-12-31",
                "all_active": True,
            },
        )
        services.send_round(round_=second, by=manager)
        inv2 = {i.contact_id: i for i in second.invitations.all()}
        answer(inv2[customers["NW"].pk], quality=5, delivery=4, price=4, service=5)
        answer(inv2[customers["TX"].pk], quality=4, delivery=3, price=3, service=4)
        results = selectors.round_results(selectors.get_round(second.pk))
    assert results.previous == first
    by_key = {r.question.key: r for r in results.questions}
    assert (by_key["quality"].mean, by_key["quality"].previous_mean, by_key["quality"].delta) == (
        Decimal("4.50"),
        Decimal("3.00"),
        Decimal("1.50"),
    )
    assert by_key["delivery"].delta == Decimal("1.50")
    assert by_key["price"].delta == Decimal("-0.50")
    assert (by_key["service"].previous_mean, by_key["service"].delta) == (None, None)
    assert [g.round for g in results.history] == [first, second]
    assert [g.mean for g in results.history] == [Decimal("3.00"), Decimal("4.00")]
    assert results.history[0].question_mean("quality") == Decimal("3.00")
    assert results.history[1].categories["quality"] == Decimal("4.50")
    assert results.delta == Decimal("1.00")
    # the first round has no previous one; the second is after it
    assert selectors.previous_round(first) is None


def test_the_results_take_a_handful_of_queries_whatever_the_size(
    make_round, manager, customers, django_assert_max_num_queries
):
    round_ = _send(make_round, manager)
    for invitation in round_.invitations.all():
        answer(invitation, quality=4, delivery=3, price=5)
    fresh = selectors.get_round(round_.pk)
    with django_assert_max_num_queries(9):
        selectors.round_results(fresh)


def test_a_customers_latest_scores_against_its_previous_answer(make_round, manager, customers, customer):
    assert selectors.customer_scores(customer.pk) is None
    first = _send(make_round, manager)
    answer(first.invitations.get(contact=customers["NW"]), quality=2, delivery=3, price=4)
    with clock.frozen(TODAY + dt.timedelta(days=1)):
        second = _send(make_round, manager, period_start="2026-07-01", period_end="2026-12-31")
        answer(second.invitations.get(contact=customers["NW"]), quality=4, delivery=3, price=3)
    scores = selectors.customer_scores(customer.pk)
    assert scores["round"] == second
    assert scores["previous_round"] == first
    rows = {r["question"].key: r for r in scores["rows"]}
    assert (rows["quality"]["mean"], rows["quality"]["delta"]) == (Decimal("4.00"), Decimal("2.00"))
    assert rows["price"]["delta"] == Decimal("-1.00")
    assert (scores["mean"], scores["previous"]) == (Decimal("3.33"), Decimal("3.00"))
    assert scores["contacts"] == ["Anna Berg"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scores=st.lists(
        st.tuples(st.integers(1, 5), st.integers(1, 5), st.one_of(st.none(), st.integers(1, 5))), max_size=4
    )
)
def test_the_results_add_up_whatever_the_answers(make_round, manager, customers, scores):
    """However the contacts answer, the counts of a question add up to its answers, its mean is the weighted average
    within 1–5, and the tiers' answers add up to the round's."""
    SurveyAnswer.objects.all().delete()
    SurveyInvitation.objects.all().delete()
    round_ = make_round(all_active=True)
    SurveyInvitation.objects.filter(round=round_).update(sent_at=clock.now())
    questions = {q.key: q for q in SurveyQuestion.objects.filter(template=round_.template)}
    invitations = list(round_.invitations.order_by("pk"))
    rows = []
    for invitation, (quality, delivery, price) in zip(invitations, scores, strict=False):
        rows += [
            SurveyAnswer(invitation=invitation, question=questions["quality"], score=quality),
            SurveyAnswer(invitation=invitation, question=questions["delivery"], score=delivery),
        ]
        if price is not None:
            rows.append(SurveyAnswer(invitation=invitation, question=questions["price"], score=price))
        SurveyInvitation.objects.filter(pk=invitation.pk).update(answered_at=clock.now())
    SurveyAnswer.objects.bulk_create(rows)
    answered = min(len(scores), len(invitations))
    results = selectors.round_results(selectors.get_round(round_.pk))
    assert (results.sent, results.answered) == (len(invitations), answered)
    by_key = {r.question.key: r for r in results.questions}
    for key, index in (("quality", 0), ("delivery", 1), ("price", 2)):
        given_scores = [s[index] for s in scores[: len(invitations)] if s[index] is not None]
        result = by_key[key]
        assert result.n == sum(result.counts.values()) == len(given_scores)
        if given_scores:
            assert Decimal(1) <= result.mean <= Decimal(5)
            assert abs(result.mean - Decimal(sum(given_scores)) / len(given_scores)) <= Decimal("0.005")
        else:
            assert result.mean is None
    assert sum(g.answered for g in results.tiers) == results.answered
    assert sum(g.sent for g in results.merchandisers) == results.sent
    assert sum(sum(g.counts.values()) for g in results.tiers) == sum(r.n for r in results.score_questions)
