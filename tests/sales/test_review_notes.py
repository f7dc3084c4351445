"""The review-note registry: a higher app's text starts the comment of its topic's item when a round is created."""

import pytest

from gendan.sales import hub, services
from gendan.sales.choices import ReviewTopic
from gendan.sales.models import ReviewItem
from tests.sales.factories import make_order

pytestmark = pytest.mark.django_db


def test_a_registered_note_starts_its_topics_review_item(merchandiser, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub, "_review_notes", {})
    hub.register_review_note(ReviewTopic.QUALITY, lambda order: f"Check {order.number}")
    hub.register_review_note(ReviewTopic.QUALITY, lambda order: "")  # an empty note adds nothing
    order = services.submit_order(order=make_order(by=merchandiser), by=merchandiser)
    comments = dict(ReviewItem.objects.filter(order=order).values_list("topic", "comment"))
    assert comments[ReviewTopic.QUALITY] == f"Check {order.number}"
    assert {t for t, c in comments.items() if c} == {ReviewTopic.QUALITY}
