"""Survey services: templates and their revisions, rounds and recipients, sending by e-mail in the contact's language,
answering through the link (valid, twice, expired, withdrawn, tampered), low scores followed up, reminders and the
daily upkeep, closing."""

import datetime as dt

import pytest
from django.core import mail

from gendan.core import clock, links
from gendan.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import ExternalLink, Notification, ObjectChange
from gendan.relations import services
from gendan.relations.models import (
    SurveyAnswer,
    SurveyFollowUp,
    SurveyInvitation,
    SurveyQuestion,
    SurveyRound,
    SurveyTemplate,
)
from tests.conftest import TODAY
from tests.factories import ContactFactory, CustomerFactory
from tests.relations.conftest import QUESTIONS, answer, token_of

pytestmark = pytest.mark.django_db


# ---- templates ---------------------------------------------------------------------------------------------------


def test_a_template_keeps_its_questions_in_order_with_keys(template):
    questions = list(template.questions.order_by("position"))
    assert [q.key for q in questions] == ["quality", "delivery", "price", "better"]
    assert (questions[3].kind, questions[3].required) == ("text", False)
    assert (template.code, template.revision, template.is_current) == ("CSAT", 1, True)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "a b"}, "code"),
        ({"name": ""}, "name"),
        ({"questions": []}, "questions"),
        ({"questions": [{"text_zh": "质量", "text_en": ""}]}, "questions.1.text_en"),
        ({"questions": [{"text_zh": "", "text_en": "Quality"}]}, "questions.1.text_zh"),
        ({"questions": [{"text_zh": "质量", "text_en": "Quality", "kind": "stars"}]}, "questions.1.kind"),
        ({"questions": [{"text_zh": "质量", "text_en": "Quality", "category": "mood"}]}, "questions.1.category"),
        (
            {
                "questions": [
                    {"key": "a", "text_zh": "甲", "text_en": "A"},
                    {"key": "a", "text_zh": "乙", "text_en": "B"},
                ]
            },
            "questions.2.key",
        ),
    ],
)
def test_a_bad_template_is_refused_and_nothing_is_written(manager, data, field):
    values = {"code": "NPS", "name": "推荐度", "questions": [{"text_zh": "质量", "text_en": "Quality"}], **data}
    with pytest.raises(ValidationError) as caught:
        services.create_template(by=manager, data=values)
    assert field in caught.value.errors
    assert not SurveyTemplate.objects.exists()


def test_a_code_is_used_once(template, manager):
    with pytest.raises(ValidationError) as caught:
        services.create_template(by=manager, data={"code": "csat", "name": "x", "questions": QUESTIONS})
    assert "code" in caught.value.errors


def test_new_questions_get_free_keys(manager):
    template = services.create_template(
        by=manager,
        data={
            "code": "T",
            "name": "t",
            "questions": [{"key": "q1", "text_zh": "甲", "text_en": "A"}, {"text_zh": "乙", "text_en": "B"}],
        },
    )
    assert [q.key for q in template.questions.order_by("position")] == ["q1", "q2"]


def test_an_unused_template_is_edited_in_place(template, manager):
    edited = services.update_template(
        template=template,
        by=manager,
        data={"name": "满意度", "questions": [*QUESTIONS[:2], {"text_zh": "服务", "text_en": "Service"}]},
        version=template.version,
    )
    assert edited.pk == template.pk
    assert edited.revision == 1
    assert [q.key for q in edited.questions.order_by("position")] == ["quality", "delivery", "q1"]


def test_a_used_template_is_frozen_and_editing_makes_the_next_revision(template, make_round, manager, contact):
    make_round(all_active=True)
    new = services.update_template(
        template=template,
        by=manager,
        data={"questions": [*QUESTIONS, {"key": "service", "text_zh": "服务", "text_en": "Service"}]},
        version=template.version,
    )
    template.refresh_from_db()
    assert (new.code, new.revision, new.is_current) == ("CSAT", 2, True)
    assert template.is_current is False
    assert template.questions.count() == 4  # as its round saw it
    assert new.questions.count() == 5
    with pytest.raises(TransitionNotAllowed):
        services.update_template(template=template, by=manager, data={"name": "x"})
    with pytest.raises(StaleVersion):
        services.update_template(template=new, by=manager, data={"name": "x"}, version=new.version + 1)


def test_only_survey_managers_make_templates(merchandiser):
    with pytest.raises(PermissionDenied):
        services.create_template(by=merchandiser, data={"code": "X", "name": "x", "questions": QUESTIONS})


# ---- rounds and recipients ---------------------------------------------------------------------------------------


def test_a_round_picks_the_primary_contact_of_each_customer_in_its_language(
    make_round, contact, cn_contact, customer, merchandiser
):
    ContactFactory(customer=customer, name="Second", is_primary=False)
    CustomerFactory(code="C-OLD", is_active=False)
    round_ = make_round(all_active=True)
    assert round_.number == "CSAT-2026-00001"
    assert round_.status == "draft"
    invitations = {i.contact_name: i for i in SurveyInvitation.objects.filter(round=round_)}
    assert set(invitations) == {"Anna Berg", "王丽"}
    anna = invitations["Anna Berg"]
    assert (anna.language, anna.tier, anna.merchandiser, anna.email) == (
        "en",
        "key",
        merchandiser,
        "anna@northwind.example",
    )
    assert invitations["王丽"].language == "zh-hans"
    assert "all active customers" in round_.selection


def test_recipients_by_tier_merchandiser_customers_and_contacts(make_round, contact, cn_contact, customer, manager):
    second = ContactFactory(customer=customer, name="Zed", is_primary=False)
    by_tier = make_round(tiers=["key"])
    assert [i.contact_name for i in by_tier.invitations.all()] == ["Anna Berg"]
    by_merch = make_round(merchandiser=cn_contact.customer.merchandiser.username)
    assert [i.contact_name for i in by_merch.invitations.all()] == ["王丽"]
    every = make_round(customer_ids=[customer.pk], primary_only=False)
    assert sorted(i.contact_name for i in every.invitations.all()) == ["Anna Berg", "Zed"]
    chosen = make_round(contact_ids=[second.pk])
    assert [i.contact_name for i in chosen.invitations.all()] == ["Zed"]
    # adding the same again adds nobody: refused, nothing written
    with pytest.raises(ValidationError):
        services.add_recipients(round_=chosen, by=manager, contact_ids=[second.pk])
    assert chosen.invitations.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"template_id": None}, "template_id"),
        ({"template_id": 999999}, "template_id"),
        ({"period_start": None}, "period_start"),
        ({"period_end": "2025-12-31"}, "period_end"),
        ({"closes_on": TODAY - dt.timedelta(days=1)}, "closes_on"),
        ({"closes_on": TODAY + dt.timedelta(days=400)}, "closes_on"),
        ({"tiers": ["gold"]}, "tiers"),
        ({"contact_ids": [999999]}, "contact_ids"),
        ({"merchandiser": "ghost"}, "merchandiser"),
        ({"tiers": ["prospect"]}, "contact_ids"),
    ],
)
def test_a_bad_round_is_refused_and_nothing_is_written(make_round, contact, data, field):
    with pytest.raises(ValidationError) as caught:
        make_round(**data)
    assert field in caught.value.errors
    assert not SurveyRound.objects.exists()
    assert not SurveyInvitation.objects.exists()


def test_a_supplier_contact_is_not_a_recipient(make_round, factory):
    supplier_contact = ContactFactory(customer=None, supplier=factory, name="张经理")
    with pytest.raises(ValidationError) as caught:
        make_round(contact_ids=[supplier_contact.pk])
    assert "contact_ids" in caught.value.errors


def test_sending_gives_each_contact_its_link_by_email_in_its_language(
    make_round, manager, contact, cn_contact, django_capture_on_commit_callbacks
):
    round_ = make_round(all_active=True)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_round(round_=round_, by=manager, version=round_.version)
    assert sent == 2
    round_.refresh_from_db()
    assert round_.status == "sent"
    by_to = {m.to[0]: m for m in mail.outbox}
    english = by_to["anna@northwind.example"]
    assert english.subject == "Gendan: Customer satisfaction survey"
    assert "from 2026-01-01 to 2026-06-30" in english.body
    assert "Dear Anna Berg," in english.body
    assert "Thank you for your business." in english.body
    assert "/relations/survey/" in english.body
    assert f"works until {round_.closes_on.isoformat()}" in english.body
    chinese = by_to["wangli@sh.example"]
    assert "王丽" in chinese.body
    assert chinese.subject.endswith("顾客满意度调查")
    assert "感谢您的支持。" in chinese.body
    for invitation in round_.invitations.all():
        assert invitation.sent_at is not None
        link = links.live_links(invitation, services.LINK_PURPOSE).get()
        assert link.expires_at.date() == round_.closes_on + dt.timedelta(days=1)
    # nobody is left to send to
    with pytest.raises(ValidationError):
        services.send_round(round_=round_, by=manager)


def test_a_contact_added_later_is_sent_alone(
    make_round, manager, contact, customer, django_capture_on_commit_callbacks
):
    round_ = make_round(contact_ids=[contact.pk])
    services.send_round(round_=round_, by=manager)
    late = ContactFactory(customer=customer, name="Late Comer", email="late@northwind.example")
    services.add_recipients(round_=round_, by=manager, contact_ids=[late.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_round(round_=round_, by=manager) == 1
    assert [m.to for m in mail.outbox] == [["late@northwind.example"]]


def test_a_contact_without_email_still_gets_a_link_to_pass_on(make_round, manager, customer):
    nomail = ContactFactory(customer=customer, name="No Mail", email="", is_primary=True)
    round_ = make_round(contact_ids=[nomail.pk])
    services.send_round(round_=round_, by=manager)
    assert token_of(round_.invitations.get())
    assert mail.outbox == []


def test_a_recipient_is_removed_only_before_it_is_sent(make_round, manager, contact, cn_contact):
    round_ = make_round(all_active=True)
    anna = round_.invitations.get(contact=contact)
    services.remove_recipient(invitation=anna, by=manager)
    services.send_round(round_=round_, by=manager)
    wang = round_.invitations.get()
    with pytest.raises(TransitionNotAllowed):
        services.remove_recipient(invitation=wang, by=manager)


# ---- answering through the link ----------------------------------------------------------------------------------


def test_answering_records_the_answers_once_in_the_contacts_name(sent_round, contact):
    invitation = sent_round.invitations.get(contact=contact)
    answer(invitation, quality=5, delivery=4, price=3, better="Faster samples", comment="Keep it up")
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
    assert invitation.comment == "Keep it up"
    scores = dict(SurveyAnswer.objects.filter(invitation=invitation).values_list("question__key", "score"))
    assert scores == {"quality": 5, "delivery": 4, "price": 3, "better": None}
    assert SurveyAnswer.objects.get(invitation=invitation, question__key="better").text == "Faster samples"
    change = ObjectChange.objects.filter(object_id=invitation.pk, message="Answered the survey").get()
    assert (change.user, change.user_name) == (None, "Anna Berg (C-NW01)")
    # a second submit is refused politely; nothing changes
    found, link = services.invitation_for_token(token_of(invitation))
    with pytest.raises(TransitionNotAllowed) as caught:
        services.submit_answers(invitation=found, link=link, answers={"quality": 1, "delivery": 1, "price": 1})
    assert "a survey is answered once" in caught.value.message
    assert SurveyAnswer.objects.filter(invitation=invitation, score=1).count() == 0


@pytest.mark.parametrize(
    ("answers", "key", "message"),
    [
        ({"quality": 5, "delivery": 4}, "price", "Please answer this question."),
        ({"quality": 6, "delivery": 4, "price": 3}, "quality", "Choose a score from 1 to 5."),
        ({"quality": "good", "delivery": 4, "price": 3}, "quality", "Choose a score from 1 to 5."),
        ({"quality": 0, "delivery": 4, "price": 3}, "quality", "Choose a score from 1 to 5."),
    ],
)
def test_incomplete_answers_are_refused_naming_the_question(sent_round, contact, answers, key, message):
    invitation = sent_round.invitations.get(contact=contact)
    found, link = services.invitation_for_token(token_of(invitation))
    with pytest.raises(ValidationError) as caught:
        services.submit_answers(invitation=found, link=link, answers=answers)
    assert caught.value.errors[key] == [message]
    invitation.refresh_from_db()
    assert invitation.answered_at is None
    assert not SurveyAnswer.objects.exists()


def test_an_expired_link_says_so(sent_round, contact):
    token = token_of(sent_round.invitations.get(contact=contact))
    with clock.frozen(sent_round.closes_on + dt.timedelta(days=2)), pytest.raises(links.LinkInvalid) as caught:
        services.invitation_for_token(token)
    assert "expired" in caught.value.message


def test_a_withdrawn_link_says_so_and_a_new_one_works(sent_round, contact, manager):
    invitation = sent_round.invitations.get(contact=contact)
    token = token_of(invitation)
    services.withdraw_link(invitation=invitation, by=manager)
    with pytest.raises(links.LinkInvalid) as caught:
        services.invitation_for_token(token)
    assert "withdrawn" in caught.value.message
    with pytest.raises(TransitionNotAllowed):
        services.withdraw_link(invitation=invitation, by=manager)
    new = services.renew_link(invitation=invitation, by=manager, send=False)
    assert services.invitation_for_token(new)[0] == invitation


def test_a_tampered_link_is_not_valid(sent_round, contact):
    invitation = sent_round.invitations.get(contact=contact)
    token = token_of(invitation)
    with pytest.raises(links.LinkInvalid) as caught:
        services.invitation_for_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert "not valid" in caught.value.message
    # a supplier's link (another purpose) does not open a survey either
    link = links.live_links(invitation, services.LINK_PURPOSE).get()
    other = links.token_for(link)
    ExternalLink.objects.filter(pk=link.pk).update(purpose="supplier_po")
    with pytest.raises(links.LinkInvalid):
        services.invitation_for_token(other)


def test_a_closed_round_takes_no_answer(sent_round, contact, manager):
    invitation = sent_round.invitations.get(contact=contact)
    token = token_of(invitation)
    found, link = services.invitation_for_token(token)
    services.close_round(round_=sent_round, by=manager)
    with pytest.raises(TransitionNotAllowed):
        services.submit_answers(invitation=found, link=link, answers={"quality": 4, "delivery": 4, "price": 4})
    with pytest.raises(links.LinkInvalid):
        services.invitation_for_token(token)
    sent_round.refresh_from_db()
    assert sent_round.status == "closed"
    with pytest.raises(TransitionNotAllowed):
        services.close_round(round_=sent_round, by=manager)


def test_a_link_of_another_invitation_is_refused(sent_round, contact, cn_contact):
    anna = sent_round.invitations.get(contact=contact)
    wang = sent_round.invitations.get(contact=cn_contact)
    _found, wang_link = services.invitation_for_token(token_of(wang))
    with pytest.raises(links.LinkInvalid):
        services.submit_answers(invitation=anna, link=wang_link, answers={"quality": 4, "delivery": 4, "price": 4})


# ---- low scores --------------------------------------------------------------------------------------------------


def test_a_low_score_asks_the_customers_merchandiser_to_call_back(sent_round, contact, merchandiser):
    invitation = sent_round.invitations.get(contact=contact)
    answer(invitation, quality=5, delivery=2, price=1)
    follow_up = SurveyFollowUp.objects.get()
    assert follow_up.owner == merchandiser
    assert follow_up.summary == "On-time delivery 2/5; Price 1/5"
    assert follow_up.due_date == dt.date(2026, 11, 26)  # two working days
    note = Notification.objects.get(recipient=merchandiser)
    assert note.title == "Low survey score from C-NW01: call Anna Berg"
    with pytest.raises(ValidationError):
        services.close_follow_up(follow_up=follow_up, by=merchandiser, note="")
    done = services.close_follow_up(follow_up=follow_up, by=merchandiser, note="Called: a late shipment in May")
    assert (done.done_date, done.done_by) == (TODAY, merchandiser)
    with pytest.raises(TransitionNotAllowed):
        services.close_follow_up(follow_up=done, by=merchandiser, note="again")


def test_only_the_owner_or_a_manager_closes_a_follow_up(sent_round, contact, make_user):
    answer(sent_round.invitations.get(contact=contact), price=1)
    follow_up = SurveyFollowUp.objects.get()
    stranger = make_user("merchandiser", username="mer9")
    with pytest.raises(PermissionDenied):
        services.close_follow_up(follow_up=follow_up, by=stranger, note="x")


def test_no_follow_up_without_a_low_score(sent_round, contact):
    answer(sent_round.invitations.get(contact=contact), quality=3, delivery=3, price=3)
    assert not SurveyFollowUp.objects.exists()


# ---- reminders and the daily upkeep ------------------------------------------------------------------------------


def test_reminders_go_to_those_who_have_not_answered(
    sent_round, contact, cn_contact, manager, django_capture_on_commit_callbacks
):
    answer(sent_round.invitations.get(contact=contact))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind(round_=sent_round, by=manager) == 1
    [message] = mail.outbox
    assert message.to == ["wangli@sh.example"]
    wang = sent_round.invitations.get(contact=cn_contact)
    assert wang.reminder_count == 1
    assert token_of(wang) in message.body


def test_the_daily_upkeep_reminds_a_week_later_twice_at_most_and_closes_past_rounds(
    sent_round, contact, cn_contact, django_capture_on_commit_callbacks
):
    assert services.daily_round_upkeep() == {"closed": 0, "reminded": 0}
    for days, expected in ((7, 2), (8, 0), (14, 2)):
        with clock.frozen(TODAY + dt.timedelta(days=days)), django_capture_on_commit_callbacks(execute=True):
            assert services.daily_round_upkeep()["reminded"] == expected
    with clock.frozen(TODAY + dt.timedelta(days=15)):
        counts = services.daily_round_upkeep()
    assert counts == {"closed": 1, "reminded": 0}
    assert SurveyRound.objects.get().status == "closed"
    assert len(mail.outbox) == 4


def test_questions_answered_are_kept_when_the_template_changes(sent_round, contact, manager, template):
    answer(sent_round.invitations.get(contact=contact))
    services.update_template(template=template, by=manager, data={"questions": QUESTIONS[:2]})
    assert SurveyQuestion.objects.filter(template=template).count() == 4
