"""The customer access rule (helpdesk/customer_access.py) and every surface that applies it:
the API (a customer, the list, the history, an update) and the admin (the record, its
history, the add page, an edit) give the rule's answer for every role, so no surface can
disagree with another; a customer who signs in sees no customer's record, their own or
another's, anywhere."""

import pytest

from helpdesk.access import AccessDenied
from helpdesk.customer_access import (
    CustomerAction,
    check_customer_access,
    may,
    readable_customers,
)
from helpdesk.models import Customer
from tests.helpdesk.access_support import PEOPLE, allowed, client_for, people
from tests.helpdesk.factories import CustomerFactory, InteractionFactory

STAFF = {"handler", "teammate", "other_team", "supervisor", "manager"}
EXPECTED = {
    CustomerAction.READ: STAFF,
    CustomerAction.UPDATE: STAFF,
    CustomerAction.MANAGE: {"manager"},
}


@pytest.fixture
def case(db):
    everyone = people()
    ada = CustomerFactory(name="Ada Lovelace", email="ada@example.org")
    InteractionFactory(customer=ada)
    return everyone, ada


@pytest.mark.parametrize("action", list(CustomerAction))
def test_the_rule_says_who_may(case, action):
    everyone, _ = case
    assert {who for who in PEOPLE if may(user=everyone[who], action=action)} == EXPECTED[action]


@pytest.mark.parametrize("who", PEOPLE)
def test_every_surface_shows_a_customer_as_the_rule_says(case, who):
    everyone, ada = case
    user = everyone[who]
    rule = may(user=user, action=CustomerAction.READ)
    client = client_for(user)
    listed = client.get("/api/v1/customers/?email=ada@example.org")
    history = client.get(f"/api/v1/customers/{ada.pk}/history/")
    admin_page = client.get(f"/admin/helpdesk/customer/{ada.pk}/change/")
    answers = {
        "api customer": allowed(client.get(f"/api/v1/customers/{ada.pk}/")),
        "api list": listed.status_code == 200
        and [row["id"] for row in listed.json()["results"]] == [ada.pk],
        "api history": history.status_code == 200 and len(history.json()["results"]) == 1,
        "admin record": admin_page.status_code == 200 and "Ada Lovelace" in admin_page.text,
        "admin history": allowed(client.get("/admin/helpdesk/interaction/")),
        "selector": readable_customers(user).filter(pk=ada.pk).exists(),
    }
    assert answers == dict.fromkeys(answers, rule), answers


@pytest.mark.parametrize("who", PEOPLE)
def test_every_surface_lets_change_a_customer_as_the_rule_says(case, who):
    everyone, ada = case
    user = everyone[who]
    client = client_for(user)
    updated = client.patch(
        f"/api/v1/customers/{ada.pk}/", {"name": "Ada King"}, content_type="application/json"
    )
    assert allowed(updated) == may(user=user, action=CustomerAction.UPDATE)
    manage = may(user=user, action=CustomerAction.MANAGE)
    answers = {
        "admin add page": allowed(client.get("/admin/helpdesk/customer/add/")),
        "admin edit": allowed(
            client.post(
                f"/admin/helpdesk/customer/{ada.pk}/change/",
                {
                    "name": "Ada, Countess of Lovelace",
                    "email": "ada@example.org",
                    "phone": "",
                    "external_id": "",
                    "user": "",
                    "interactions-TOTAL_FORMS": "1",
                    "interactions-INITIAL_FORMS": "1",
                    "interactions-MIN_NUM_FORMS": "0",
                    "interactions-MAX_NUM_FORMS": "1000",
                    "interactions-0-id": str(ada.interactions.get().pk),
                    "interactions-0-customer": str(ada.pk),
                },
            )
        ),
    }
    assert answers == dict.fromkeys(answers, manage), answers
    edited = Customer.objects.get(pk=ada.pk).name == "Ada, Countess of Lovelace"
    assert edited == manage


def test_a_signed_in_customer_sees_no_customer_s_record(case):
    everyone, ada = case
    client = client_for(everyone["customer"])
    own = Customer.objects.get(user=everyone["customer"])
    for customer in (ada, own):
        assert client.get(f"/api/v1/customers/{customer.pk}/").status_code == 403
        assert client.get(f"/api/v1/customers/{customer.pk}/history/").status_code == 403
        assert not allowed(client.get(f"/admin/helpdesk/customer/{customer.pk}/change/"))
    with pytest.raises(AccessDenied):
        check_customer_access(user=everyone["customer"], action=CustomerAction.READ)
