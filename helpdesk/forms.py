"""What every form of every app shares: how a service's refusal shows on the form."""

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
