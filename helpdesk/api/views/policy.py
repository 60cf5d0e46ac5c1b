"""The service policy: the version in force, every version, and the due time of a target
(the same answer as `manage.py policy deadline TARGET START`)."""

from datetime import UTC, datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from helpdesk.api.fields import JsonText
from helpdesk.models import PolicyVersion, Scope
from helpdesk.policy import PolicyError
from helpdesk.selectors.policy import policy_version_history
from helpdesk.services.policy import policy_in_force

from ..base import ApiView
from ..errors import NON_FIELD
from ..permissions import STAFF
from ..schema import paginated, responses

EXAMPLE_START = "2026-11-20T17:00:00+00:00"


class PolicyVersionOutput(serializers.ModelSerializer):
    status = JsonText(help_text="in force, scheduled or superseded.")

    class Meta:
        model = PolicyVersion
        fields = [
            "id",
            "version",
            "effective",
            "approved_by",
            "change_note",
            "published_at",
            "status",
        ]
        extra_kwargs = {
            "id": {"help_text": "The version's id."},
            "version": {"help_text": "The document's version number."},
            "approved_by": {"help_text": "Who approved its publication."},
            "change_note": {"help_text": "What changed, for the revision history."},
            "effective": {"help_text": "The date it takes effect (cases opened from then on)."},
            "published_at": {"help_text": "When it was published (UTC)."},
        }


class PolicyInForceOutput(PolicyVersionOutput):
    targets = serializers.DictField(
        child=JsonText(),
        help_text="Every target the policy sets, e.g. {'email.first_response': '8h'}.",
    )
    document = JsonText(help_text="The policy document (TOML) as published.")
    parsed = serializers.JSONField(help_text="The document's parsed, validated form.")

    class Meta(PolicyVersionOutput.Meta):
        fields = [*PolicyVersionOutput.Meta.fields, "targets", "document", "parsed"]


class DeadlineInput(serializers.Serializer):
    target = JsonText(help_text="SECTION.TARGET, e.g. email.first_response.")
    start = JsonText(help_text=f"ISO 8601 with a UTC offset, e.g. {EXAMPLE_START}.")

    def validate_start(self, value: str) -> datetime:
        try:
            started = datetime.fromisoformat(value)
        except ValueError:
            raise serializers.ValidationError(
                f'"{value}" is not an ISO 8601 time; write it like {EXAMPLE_START}.'
            ) from None
        if started.utcoffset() is None:
            raise serializers.ValidationError(
                f'"{value}" has no UTC offset; write it like {EXAMPLE_START}.'
            )
        return started


class DeadlineOutput(serializers.Serializer):
    target = JsonText(help_text="The target asked for.")
    start = serializers.DateTimeField(help_text="The clock's start (UTC).")
    due_at = serializers.DateTimeField(help_text="When the target is due (UTC).")
    policy_version = JsonText(help_text="The version whose rules were used.")


class PolicyAccess:
    read_scope = Scope.POLICY_READ
    read_roles = STAFF


class PolicyInForceApi(PolicyAccess, ApiView):
    @extend_schema(
        summary="The policy in force",
        description="The version in force today, its targets and its document. Before any "
        "version has been published: 404 (reading the policy never publishes it).",
        responses=responses({200: PolicyInForceOutput}, 400, 404),
        tags=["policy"],
    )
    def get(self, request):
        version, policy = _policy_in_force()
        version.status = "in force"
        version.targets = {name: str(d) for name, d in policy.targets().items()}
        return Response(PolicyInForceOutput(version).data)


class PolicyVersionListApi(PolicyAccess, ApiView):
    @extend_schema(
        summary="Every policy version",
        operation_id="policy_versions_list",
        description="The revision history, newest publication first, each with its status.",
        responses=responses({200: paginated(PolicyVersionOutput, "PaginatedPolicyVersionList")}),
        tags=["policy"],
    )
    def get(self, request):
        return self.paginate(
            request,
            policy_version_history(),
            PolicyVersionOutput,
            ordering=("-published_at", "-pk"),
        )


class PolicyDeadlineApi(PolicyAccess, ApiView):
    @extend_schema(
        summary="When a target is due",
        description="The due time of `target` for a clock started at `start`, under the "
        "version in force: the same answer as `manage.py policy deadline`. An unknown target "
        "or a malformed time is a 400 naming the field; before any version has been "
        "published, a 404.",
        parameters=[
            OpenApiParameter(
                "target",
                {"type": "string", "minLength": 1},
                required=True,
                description="e.g. complaints.acknowledge",
            ),
            OpenApiParameter(
                "start",
                OpenApiTypes.DATETIME,
                required=True,
                description=f"ISO 8601 with offset, e.g. {EXAMPLE_START}",
            ),
        ],
        responses=responses({200: DeadlineOutput}, 400, 404),
        tags=["policy"],
    )
    def get(self, request):
        data = DeadlineInput(data=request.query_params.dict())
        data.is_valid(raise_exception=True)
        target, start = data.validated_data["target"], data.validated_data["start"]
        version, policy = _policy_in_force()
        try:
            due = policy.deadline(target, start)
        except PolicyError as error:
            raise ValidationError({"target": error.shown() or [str(error)]}) from None
        except (ValueError, OverflowError) as error:
            raise ValidationError({"start": [str(error)]}) from None
        return Response(
            DeadlineOutput(
                {
                    "target": target,
                    "start": start.astimezone(UTC),
                    "due_at": due.astimezone(UTC),
                    "policy_version": version.version,
                }
            ).data
        )


NOT_PUBLISHED = (
    "No policy version has been published yet: publish one (`manage.py policy publish FILE` or "
    "the admin); the project's policy file is published when the first case opens."
)


def _policy_in_force():
    """The version in force and its policy, read without publishing anything: a 404 when
    nothing is published yet; when no version is in force yet, a 400 listing why, capped like
    every list of policy problems."""
    try:
        found = policy_in_force()
    except PolicyError as error:
        raise ValidationError({NON_FIELD: error.shown() or [str(error)]}) from None
    if not found.published:
        raise NotFound(NOT_PUBLISHED)
    return found
