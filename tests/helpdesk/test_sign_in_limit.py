"""Sign-in is a public form: at most LOGIN_RATE attempts per address, refused with a 429 and
Retry-After before the password is even checked (the right password too), other addresses
unaffected."""

from tests.helpdesk.factories import UserFactory


def attempt(client, password: str, address: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": "alex", "password": password}, REMOTE_ADDR=address
    )


def test_sign_in_attempts_from_one_address_are_limited(client, db, settings):
    settings.LOGIN_RATE = "3/10min"
    user = UserFactory(username="alex")
    user.set_password("right-password-1")
    user.save()
    assert [attempt(client, f"guess-{n}").status_code for n in range(3)] == [200, 200, 200]
    refused = attempt(client, "right-password-1")
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 600
    assert "_auth_user_id" not in client.session
    assert attempt(client, "right-password-1", address="10.0.0.2").status_code == 302


def test_the_admin_sign_in_shares_the_limit(client, db, settings):
    settings.LOGIN_RATE = "2/10min"
    user = UserFactory(username="alex", is_staff=True)
    user.set_password("right-password-1")
    user.save()
    assert attempt(client, "guess").status_code == 200
    admin = {"username": "alex", "password": "guess", "next": "/admin/"}
    assert client.post("/admin/login/", admin, REMOTE_ADDR="10.0.0.1").status_code == 200
    admin["password"] = "right-password-1"
    refused = client.post("/admin/login/", admin, REMOTE_ADDR="10.0.0.1")
    assert "Too many sign-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
