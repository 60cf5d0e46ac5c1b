"""Admin: API keys (the whole key is shown once, when it is created; revoke as an action) and
webhooks (subscriptions, and the read-only delivery log with a "send again" action)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from helpdesk.forms import apply_service_errors, field_checked
from helpdesk.models import ApiKey, Scope, WebhookDelivery, WebhookSubscription
from helpdesk.services.api_keys import (
    api_key_create,
    api_key_revoke,
    check_key_owner,
    check_scopes,
)
from helpdesk.webhooks.delivery import redeliver
from helpdesk.webhooks.events import ALL
from helpdesk.webhooks.subscriptions import (
    EVENT_CHOICES,
    MAX_URL,
    check_subscription,
    subscription_create,
    subscription_delete,
    subscription_update,
)
from helpdesk.webhooks.subscriptions import FIELDS as SUBSCRIPTION_FIELDS
from helpdesk.webhooks.tasks import deliver_webhook


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiKey
        fields = ["name", "owner", "scopes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:
            # Only staff with a role can own a key (the service checks it again).
            self.fields["owner"].queryset = get_user_model().objects.filter(
                Q(agent_profile__isnull=False) | Q(is_superuser=True),
                is_active=True,
                is_staff=True,
            )

    def clean_owner(self):
        owner = self.cleaned_data["owner"]
        field_checked("owner", check_key_owner, owner)
        return owner

    def clean_scopes(self):
        return field_checked("scopes", check_scopes, self.cleaned_data["scopes"])


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "prefix", "owner", "scope_list", "created_at", "last_used_at", "active"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "owner__username"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "owner"] if obj is not None else self.readonly_fields

    @admin.display(description="scopes")
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    @admin.display(boolean=True, description="active")
    def active(self, obj):
        return obj.is_active

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "scopes"])
            return
        created = api_key_create(name=obj.name, owner=obj.owner, scopes=form.cleaned_data["scopes"])
        obj.pk = created.api_key.pk
        obj.prefix = created.api_key.prefix
        messages.warning(
            request,
            f"The API key for {obj.name}: {created.key} — copy it now, it is not shown again.",
        )

    def delete_model(self, request, obj):
        api_key_revoke(api_key=obj)  # keys are revoked, never deleted (the log names them)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        for api_key in queryset:
            api_key_revoke(api_key=api_key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")


class SubscriptionForm(forms.ModelForm):
    """The fields' shape; the rules are the service's (`helpdesk.webhooks.subscriptions`), run in
    `clean` so a refusal shows on its field, and again when the admin saves through it."""

    url = forms.URLField(
        max_length=MAX_URL,
        assume_scheme="https",
        help_text="Where events go: https, to a public address (see WEBHOOK_ALLOWED_HOSTS).",
    )
    events = forms.MultipleChoiceField(
        choices=[(name, "every event" if name == ALL else name) for name in EVENT_CHOICES],
        widget=forms.CheckboxSelectMultiple,
    )
    secret = forms.CharField(
        required=False,
        help_text="Signs the deliveries; left empty, one is generated.",
        widget=forms.TextInput(attrs={"size": 60}),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["url", "events", "secret", "is_active", "description"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                check_subscription(
                    url=data["url"],
                    events=data["events"],
                    secret=data.get("secret") or None,  # empty: generated, or the one kept
                    description=data.get("description", ""),
                )
            except ValidationError as error:
                apply_service_errors(self, error)
        return data


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["url", "event_list", "is_active", "created_by", "created_at"]
    list_filter = ["is_active"]

    @admin.display(description="events")
    def event_list(self, obj):
        return ", ".join(obj.events)

    def save_model(self, request, obj, form, change):
        # Through the service, not the form: `obj` (the form's unsaved copy) only takes the
        # saved row's values back for the admin's log and redirect.
        values = {field: form.cleaned_data.get(field) for field in SUBSCRIPTION_FIELDS}
        if change:
            stored = WebhookSubscription.objects.get(pk=obj.pk)
            obj.pk = subscription_update(subscription=stored, **values).pk
        else:
            obj.pk = subscription_create(created_by=request.user, **values).pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        subscription_delete(subscription=obj)

    def delete_queryset(self, request, queryset):
        for subscription in queryset:
            subscription_delete(subscription=subscription)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only; "send again" queues a delivery for another attempt."""

    list_display = [
        "id",
        "event",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event"]
    list_select_related = ["subscription"]
    actions = ["send_again"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again")
    def send_again(self, request, queryset):
        for delivery in queryset:
            redeliver(delivery=delivery)
            deliver_webhook.delay(delivery.pk)
        self.message_user(request, f"Queued {queryset.count()} delivery(ies) again.")
