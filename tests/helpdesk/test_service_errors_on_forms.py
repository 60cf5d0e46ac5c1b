"""One way every form shows a service's refusal (`helpdesk.forms.apply_service_errors`)."""

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from helpdesk.forms import apply_service_errors, field_checked


class NoteForm(forms.Form):
    note = forms.CharField()


def _form() -> NoteForm:
    form = NoteForm({"note": "Called the customer back"})
    assert form.is_valid()
    return form


def test_an_error_naming_a_field_of_the_form_shows_on_that_field():
    form = _form()
    apply_service_errors(form, ValidationError({"note": "Say what was agreed."}))
    assert form.errors == {"note": ["Say what was agreed."]}
    assert not form.is_valid()


def test_an_error_naming_a_field_the_form_has_not_shows_on_the_form():
    form = _form()
    apply_service_errors(form, ValidationError({"owner": "Choose a manager."}))
    assert form.errors == {NON_FIELD_ERRORS: ["Choose a manager."]}


def test_an_error_for_no_field_shows_on_the_form_with_every_message_and_its_code():
    form = _form()
    error = ValidationError(
        [ValidationError("It is closed.", code="closed"), ValidationError("Try again.")]
    )
    apply_service_errors(form, error)
    assert form.errors == {NON_FIELD_ERRORS: ["It is closed.", "Try again."]}
    assert form.has_error(NON_FIELD_ERRORS, code="closed")


def _no_shouting(value: str) -> str:
    if value.isupper():
        raise ValidationError({"note": "Write it without capitals.", "other": "Unrelated."})
    return value.strip()


def test_a_fields_check_returns_the_value_or_refuses_it_on_that_field():
    assert field_checked("note", _no_shouting, " fine ") == "fine"
    with pytest.raises(forms.ValidationError) as refusal:
        field_checked("note", _no_shouting, "LOUD")
    assert refusal.value.messages == ["Write it without capitals."]
