"""The policy admin: the revision history and the publish form (helpdesk/admin/policy.py)."""

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from helpdesk.admin.policy import MAX_DOCUMENT_BYTES
from helpdesk.models import PolicyVersion
from helpdesk.services.people import create_staff_member
from helpdesk.services.policy import publish_policy_version

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:helpdesk_policyversion_changelist")
ADD = reverse("admin:helpdesk_policyversion_add")
PASSWORD = "a-long-and-unusual-passphrase-42"


def policy_document(version="1.0", effective="2026-01-01"):
    return f"""
[document]
title = "Customer Service Policy"
company = "Example Support Ltd"
version = "{version}"
effective = {effective}
approved_by = "Head of Customer Service"

[calendar]
timezone = "Europe/London"
working_days = ["mon", "tue", "wed", "thu", "fri"]

[calendar.hours]
mon = ["08:00-22:00"]
tue = ["08:00-22:00"]
wed = ["08:00-22:00"]
thu = ["08:00-22:00"]
fri = ["08:00-22:00"]

[complaints]
acknowledge = "2wd"
"""


def staff_client(client, role):
    profile = create_staff_member(
        username=f"{role}-user", email=f"{role}@example.com", password=PASSWORD, role=role
    )
    client.force_login(profile.user)
    return client, profile.user


@pytest.fixture
def manager(client):
    return staff_client(client, "manager")


def form_errors(response):
    form = response.context["adminform"].form
    return [str(error) for error in form.non_field_errors()], {
        name: list(errors) for name, errors in form.errors.items() if name != "__all__"
    }


class TestHistory:
    def test_lists_every_version_newest_first_with_status_and_note(self, admin_client):
        publish_policy_version(
            document=policy_document("1.0", "2026-01-01"),
            approved_by="Board",
            change_note="First issue",
            now=datetime(2025, 12, 1, tzinfo=UTC),
        )
        publish_policy_version(
            document=policy_document("2.0", "2099-01-01"),
            approved_by="Board",
            change_note="Faster complaints",
            now=datetime(2026, 11, 1, tzinfo=UTC),
        )

        response = admin_client.get(CHANGELIST)

        assert response.status_code == 200
        page = response.content.decode()
        assert page.index("Faster complaints") < page.index("First issue")
        assert "in force" in page
        assert "scheduled" in page
        shown = [(v.version, v.status) for v in response.context["cl"].result_list]
        assert shown == [("2.0", "scheduled"), ("1.0", "in force")]

    def test_a_version_is_shown_read_only(self, admin_client):
        version = publish_policy_version(
            document=policy_document(), approved_by="Board", change_note="First issue"
        )
        url = reverse("admin:helpdesk_policyversion_change", args=[version.pk])

        response = admin_client.get(url)

        assert response.status_code == 200
        page = response.content.decode()
        assert "Head of Customer Service" in page  # the document as published
        assert 'name="approved_by"' not in page
        assert 'name="_save"' not in page
        assert admin_client.post(url, {"approved_by": "Someone else"}).status_code == 403
        version.refresh_from_db()
        assert version.approved_by == "Board"

    def test_a_version_cannot_be_deleted(self, admin_client):
        version = publish_policy_version(
            document=policy_document(), approved_by="Board", change_note="First issue"
        )
        url = reverse("admin:helpdesk_policyversion_delete", args=[version.pk])

        assert admin_client.get(url).status_code == 403
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
        assert PolicyVersion.objects.filter(pk=version.pk).exists()


class TestPublish:
    def test_the_form_offers_upload_and_paste(self, manager):
        client, _ = manager

        response = client.get(ADD)

        assert response.status_code == 200
        page = response.content.decode()
        assert 'enctype="multipart/form-data"' in page
        assert 'name="document_file"' in page
        assert 'name="document_text"' in page
        assert "Publish a policy version" in page

    def test_publish_a_pasted_document(self, manager):
        client, user = manager

        response = client.post(
            ADD,
            {
                "document_text": policy_document("1.1", "2026-12-01"),
                "approved_by": "Jo Manager",
                "change_note": "Complaints in 2 working days",
            },
        )

        assert response.status_code == 302
        version = PolicyVersion.objects.get()
        assert (version.version, version.effective.isoformat()) == ("1.1", "2026-12-01")
        assert version.document == policy_document("1.1", "2026-12-01")
        assert version.approved_by == "Jo Manager"
        assert version.change_note == "Complaints in 2 working days"
        assert version.published_by == user
        assert version.parsed["document"]["approved_by"] == "Head of Customer Service"

    def test_publish_an_uploaded_document(self, admin_client, admin_user):
        upload = SimpleUploadedFile(
            "policy.toml", policy_document("3.0").encode("utf-8"), content_type="application/toml"
        )

        response = admin_client.post(
            ADD, {"document_file": upload, "approved_by": "Board", "change_note": "Upload"}
        )

        assert response.status_code == 302
        version = PolicyVersion.objects.get()
        assert version.version == "3.0"
        assert version.document == policy_document("3.0")
        assert version.published_by == admin_user

    def test_an_invalid_document_shows_every_problem_and_saves_nothing(self, manager):
        client, _ = manager
        document = (
            policy_document()
            .replace('"2wd"', '"two days"')
            .replace("Europe/London", "Mars/Olympus")
        )

        response = client.post(
            ADD, {"document_text": document, "approved_by": "Jo", "change_note": "Broken"}
        )

        assert response.status_code == 200
        errors, _ = form_errors(response)
        assert 'complaints.acknowledge: "two days" is not a duration' in errors
        assert any(error.startswith("calendar.timezone: ") for error in errors)
        assert "complaints.acknowledge" in response.content.decode()
        assert not PolicyVersion.objects.exists()

    def test_a_published_version_number_is_refused(self, manager):
        client, _ = manager
        publish_policy_version(document=policy_document(), approved_by="Board", change_note="")

        response = client.post(
            ADD, {"document_text": policy_document(), "approved_by": "Jo", "change_note": "Again"}
        )

        assert response.status_code == 200
        errors, _ = form_errors(response)
        assert errors == ["document.version: version 1.0 is already published"]
        assert PolicyVersion.objects.count() == 1

    def test_a_too_large_upload_is_refused(self, manager):
        client, _ = manager
        padding = "# padding\n" * (MAX_DOCUMENT_BYTES // 10 + 1)
        upload = SimpleUploadedFile("big.toml", (policy_document() + padding).encode())

        response = client.post(
            ADD, {"document_file": upload, "approved_by": "Jo", "change_note": "Big"}
        )

        assert response.status_code == 200
        _, errors = form_errors(response)
        assert "too large" in errors["document_file"][0]
        assert not PolicyVersion.objects.exists()

    def test_an_upload_must_be_utf8(self, manager):
        client, _ = manager
        upload = SimpleUploadedFile(
            "latin1.toml", policy_document().replace("Ltd", "Lté").encode("latin-1")
        )

        response = client.post(
            ADD, {"document_file": upload, "approved_by": "Jo", "change_note": "Latin-1"}
        )

        assert response.status_code == 200
        _, errors = form_errors(response)
        assert errors["document_file"] == ["The file is not UTF-8 text."]
        assert not PolicyVersion.objects.exists()

    @pytest.mark.parametrize("both", [True, False], ids=["both", "neither"])
    def test_exactly_one_document(self, manager, both):
        client, _ = manager
        data = {"approved_by": "Jo", "change_note": "Note"}
        if both:
            data["document_text"] = policy_document()
            data["document_file"] = SimpleUploadedFile("p.toml", policy_document().encode())

        response = client.post(ADD, data)

        assert response.status_code == 200
        errors, _ = form_errors(response)
        assert len(errors) == 1
        assert not PolicyVersion.objects.exists()

    def test_approval_and_note_are_required(self, manager):
        client, _ = manager

        response = client.post(ADD, {"document_text": policy_document()})

        assert response.status_code == 200
        _, errors = form_errors(response)
        assert set(errors) == {"approved_by", "change_note"}
        assert not PolicyVersion.objects.exists()

    def test_document_problems_show_even_without_the_approval(self, manager):
        client, _ = manager
        document = policy_document().replace('"2wd"', '"two days"')

        response = client.post(ADD, {"document_text": document, "change_note": "Broken"})

        errors, field_errors = form_errors(response)
        assert errors == ['complaints.acknowledge: "two days" is not a duration']
        assert list(field_errors) == ["approved_by"]
        assert not PolicyVersion.objects.exists()


class TestHostileDocuments:
    def test_a_deeply_nested_document_is_a_form_error(self, manager):
        client, _ = manager
        deep = "x = " + "[" * 5000 + "]" * 5000 + "\n"

        response = client.post(
            ADD, {"document_text": deep, "approved_by": "Jo", "change_note": "Deep"}
        )

        assert response.status_code == 200
        errors, _ = form_errors(response)
        assert errors == ["document: arrays and inline tables nested deeper than 32 levels"]
        assert not PolicyVersion.objects.exists()

    def test_a_long_list_of_problems_is_capped(self, manager):
        client, _ = manager
        hours = ", ".join(["1"] * 500)
        document = policy_document().replace('mon = ["08:00-22:00"]', f"mon = [{hours}]")

        response = client.post(
            ADD, {"document_text": document, "approved_by": "", "change_note": "Many"}
        )

        assert response.status_code == 200
        errors, fields = form_errors(response)
        assert len(errors) == 21
        assert errors[0] == 'calendar.hours.mon[0]: 1 is not an interval "HH:MM-HH:MM"'
        assert errors[-1] == "... and 480 more errors"
        assert fields["approved_by"]  # the approval's own error is never cut off
        assert not PolicyVersion.objects.exists()


class TestPermissions:
    def test_an_agent_cannot_publish(self, client):
        client, _ = staff_client(client, "agent")

        assert client.get(ADD).status_code == 403
        response = client.post(
            ADD, {"document_text": policy_document(), "approved_by": "Me", "change_note": "x"}
        )
        assert response.status_code == 403
        assert client.get(CHANGELIST).status_code == 403
        assert not PolicyVersion.objects.exists()

    def test_a_manager_sees_the_history_but_cannot_edit_or_delete(self, manager):
        client, _ = manager
        version = publish_policy_version(
            document=policy_document(), approved_by="Board", change_note="First"
        )

        assert client.get(CHANGELIST).status_code == 200
        change = reverse("admin:helpdesk_policyversion_change", args=[version.pk])
        assert client.get(change).status_code == 200
        assert client.post(change, {"approved_by": "x"}).status_code == 403
        delete = reverse("admin:helpdesk_policyversion_delete", args=[version.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
