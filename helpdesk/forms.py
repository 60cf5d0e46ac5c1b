"""What every form of every app shares: how a service's refusal shows on the form."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's `ValidationError` on `form`: each message on the field it names when the
    form has that field, on the form itself otherwise (a field the form does not show, a
    message for no field). The form is then invalid, so the page shows it again with them."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.error_list)


def field_checked(field: str, check: Callable[[Any], Any], value: Any) -> Any:
    """Inside a form's `clean_<field>`: what the service's `check(value)` returns, or its
    refusal as this field's error (the messages it gives for `field`, or all of them)."""
    try:
        return check(value)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise forms.ValidationError(error.error_dict.get(field) or error.messages) from None
        raise forms.ValidationError(error.error_list) from None
