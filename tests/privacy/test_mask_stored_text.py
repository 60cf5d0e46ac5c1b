"""Text stored before masking covered it is masked by `manage.py mask_stored_text`, once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from helpdesk.models import Interaction
from tests.helpdesk.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_old_text_is_masked_and_a_second_run_changes_nothing():
    customer = CustomerFactory()
    entry = Interaction.objects.create(customer=customer, channel="email", kind="note")
    # Stored past save(), as text was before masking covered every channel.
    Interaction.objects.filter(pk=entry.pk).update(summary="Card 4111 1111 1111 1111")
    out = StringIO()
    call_command("mask_stored_text", "--batch-size", "1", stdout=out)
    entry.refresh_from_db()
    assert entry.summary == "Card [card removed]"
    assert "Masked 1 stored rows (helpdesk.Interaction 1)" in out.getvalue()
    out = StringIO()
    call_command("mask_stored_text", stdout=out)
    assert out.getvalue().strip() == "Masked 0 stored rows"


def test_a_bad_batch_size_is_one_line():
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        call_command("mask_stored_text", "--batch-size", "0")
