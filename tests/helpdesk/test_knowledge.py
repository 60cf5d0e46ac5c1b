"""Knowledge: canned responses rendered safely, articles sanitised, search on both databases,
and the admin pages of knowledge."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.urls import reverse

from helpdesk.models import Article, CannedResponse, Role
from helpdesk.models.people import Channel
from helpdesk.selectors.knowledge import ARTICLE, CANNED, search_knowledge
from helpdesk.services.knowledge import (
    article_html,
    canned_response_context,
    render_canned_response,
    save_article,
    save_canned_response,
)
from tests.helpdesk.factories import (
    AgentFactory,
    ArticleFactory,
    CannedResponseFactory,
    CustomerFactory,
    UserFactory,
)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search needs PostgreSQL"
)
not_postgres = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the fallback search runs where PostgreSQL doesn't"
)

# Rendering canned responses


def test_placeholders_are_filled_in():
    response = CannedResponseFactory.build(
        body="Hi {customer_name}, I'm {agent_name} from {company}. Your reference: "
        "{ticket_reference}."
    )
    context = {
        "customer_name": "Ann",
        "agent_name": "Sam",
        "company": "Acme",
        "ticket_reference": "T-42",
    }
    rendered = render_canned_response(response=response, context=context)
    assert rendered == "Hi Ann, I&#x27;m Sam from Acme. Your reference: T-42."
    plain = render_canned_response(response=response, context=context, as_html=False)
    assert plain == "Hi Ann, I'm Sam from Acme. Your reference: T-42."


def test_values_are_escaped_and_the_result_is_not_escaped_twice_in_a_template():
    response = CannedResponseFactory.build(body="Hi {customer_name} & welcome")
    rendered = render_canned_response(
        response=response, context={"customer_name": "<script>alert(1)</script>"}
    )
    assert rendered == "Hi &lt;script&gt;alert(1)&lt;/script&gt; &amp; welcome"
    page = Template("{{ text }}").render(Context({"text": rendered}))
    assert page == rendered


def test_unknown_placeholders_and_attribute_access_stay_as_written():
    response = CannedResponseFactory.build(
        body="{customer_name} {unknown} {customer.__class__} {0} {customer_name.upper} {{x}}"
    )
    customer = CustomerFactory.build(name="Bo")
    context = {"customer_name": "Bo", "customer": customer}
    rendered = render_canned_response(response=response, context=context, as_html=False)
    assert rendered == "Bo {unknown} {customer.__class__} {0} {customer_name.upper} {{x}}"


def test_context_greets_by_name_or_says_there():
    agent = UserFactory.build(first_name="Sam")
    named = canned_response_context(customer=CustomerFactory.build(name="Ann"), agent=agent)
    assert (named["customer_name"], named["agent_name"]) == ("Ann", "Sam")
    assert canned_response_context(customer=CustomerFactory.build(name=""))["customer_name"] == (
        "there"
    )


# Saving


@pytest.mark.django_db
def test_save_canned_response_normalises_the_shortcut_and_refuses_a_taken_one():
    author = UserFactory()
    response = save_canned_response(
        title="Greeting", shortcut="/Greeting", body=" Hi {customer_name} ", created_by=author
    )
    assert (response.shortcut, response.body, response.created_by) == (
        "greeting",
        "Hi {customer_name}",
        author,
    )
    with pytest.raises(ValidationError, match="taken"):
        save_canned_response(title="Other", shortcut="greeting", body="Hello")
    with pytest.raises(ValidationError):
        save_canned_response(title="Bad", shortcut="x", body="Hello", channel="fax")
    updated = save_canned_response(
        response=response, title="Greeting", shortcut="greeting", body="Hello {customer_name}"
    )
    assert updated.pk == response.pk and CannedResponse.objects.count() == 1


@pytest.mark.django_db
def test_article_html_is_sanitised_on_save_and_on_render():
    article = save_article(
        title="Reset your password",
        body='<p onclick="steal()">Go to <a href="javascript:alert(1)">settings</a></p>'
        "<script>alert(1)</script><b>then</b>",
        tags="Account, password, account ",
    )
    assert "script" not in article.body and "onclick" not in article.body
    assert "javascript:" not in article.body and "<b>then</b>" in article.body
    assert (article.slug, article.tags) == ("reset-your-password", "account, password")
    Article.objects.filter(pk=article.pk).update(body="<img src=x onerror=alert(1)>ok")
    article.refresh_from_db()
    assert "onerror" not in article_html(article)
    twin = save_article(title="Reset your password", body="again")
    assert twin.slug == "reset-your-password-2"
    with pytest.raises(ValidationError, match="taken"):
        save_article(title="Third", body="x", slug="reset-your-password")


# Search


@pytest.fixture
def knowledge():
    return {
        "greeting": CannedResponseFactory(
            title="Greeting", shortcut="greeting", body="Hi {customer_name}", channel="chat"
        ),
        "refund_email": CannedResponseFactory(
            title="Refund on its way",
            shortcut="refund",
            body="Your refund has been issued.",
            channel="email",
        ),
        "secure": CannedResponseFactory(
            title="Secure form",
            shortcut="secure-form",
            body="Please never send card numbers; use our secure form for payments.",
        ),
        "inactive": CannedResponseFactory(
            title="Old refund text", shortcut="old-refund", body="refund", is_active=False
        ),
        "refunds_article": ArticleFactory(
            title="Refunds and returns",
            body="<p>How we handle <b>refunds</b> for payments.</p>",
            tags="billing",
        ),
        "draft": ArticleFactory(title="Refund draft", body="refunds", is_published=False),
    }


def _found(hits):
    return {(hit.kind, hit.item.pk) for hit in hits}


@pytest.mark.django_db
def test_search_finds_canned_responses_and_published_articles(knowledge):
    hits = search_knowledge(query="refund")
    assert _found(hits) == {
        (CANNED, knowledge["refund_email"].pk),
        (ARTICLE, knowledge["refunds_article"].pk),
    }
    assert search_knowledge(query="   ") == []


@pytest.mark.django_db
def test_search_for_a_channel_leaves_out_other_channels_responses(knowledge):
    assert _found(search_knowledge(query="refund", channel=Channel.CHAT)) == {
        (ARTICLE, knowledge["refunds_article"].pk)
    }
    assert _found(search_knowledge(query="card form", channel=Channel.CHAT)) == {
        (CANNED, knowledge["secure"].pk)
    }


@pytest.mark.django_db
def test_search_by_shortcut_and_tags(knowledge):
    assert [hit.item for hit in search_knowledge(query="/gree")] == [knowledge["greeting"]]
    assert [hit.item for hit in search_knowledge(query="billing")] == [knowledge["refunds_article"]]
    hit = search_knowledge(query="billing")[0]
    assert hit.excerpt == "How we handle refunds for payments."


@pytest.mark.django_db
def test_search_ranks_title_matches_first_and_honours_the_limit(knowledge):
    # "payments" is in two bodies and no title; add an article with it in the title.
    titled = ArticleFactory(title="Payments", body="<p>Cards and transfers.</p>")
    hits = search_knowledge(query="payments")
    assert hits[0].item == titled
    assert len(search_knowledge(query="payments", limit=1)) == 1


@postgres_only
@pytest.mark.django_db
def test_full_text_search_stems_words_and_takes_web_syntax(knowledge):
    # "refunding" stems to "refund"; icontains would not find "refunding" in "refund".
    assert (ARTICLE, knowledge["refunds_article"].pk) in _found(search_knowledge(query="refunding"))
    assert _found(search_knowledge(query="refund -returns")) == {
        (CANNED, knowledge["refund_email"].pk)
    }


@not_postgres
@pytest.mark.django_db
def test_fallback_search_needs_every_word_somewhere(knowledge):
    assert _found(search_knowledge(query="SECURE payments")) == {(CANNED, knowledge["secure"].pk)}
    assert search_knowledge(query="secure teapot") == []


# Admin


@pytest.fixture
def manager_client(client):
    client.force_login(AgentFactory(role=Role.MANAGER).user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "admin:helpdesk_cannedresponse_changelist",
        "admin:helpdesk_cannedresponse_add",
        "admin:helpdesk_article_changelist",
        "admin:helpdesk_article_add",
    ],
)
def test_knowledge_admin_pages_load_for_a_manager(manager_client, name):
    CannedResponseFactory()
    ArticleFactory()
    assert manager_client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
def test_saving_an_article_in_the_admin_sanitises_it(manager_client):
    response = manager_client.post(
        reverse("admin:helpdesk_article_add"),
        {
            "title": "Opening hours",
            "slug": "opening-hours",
            "tags": "Hours",
            "is_published": "on",
            "body": "<p>9 to 5</p><script>alert(1)</script>",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.body, article.tags) == ("<p>9 to 5</p>", "hours")
    page = manager_client.get(reverse("admin:helpdesk_article_change", args=[article.pk]))
    assert page.status_code == 200


@pytest.mark.django_db
def test_saving_a_canned_response_in_the_admin_records_its_author(client):
    supervisor = AgentFactory(role=Role.SUPERVISOR).user
    client.force_login(supervisor)
    response = client.post(
        reverse("admin:helpdesk_cannedresponse_add"),
        {
            "title": "Closing",
            "shortcut": "closing",
            "channel": "",
            "body": "Thanks {customer_name}!",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert CannedResponse.objects.get().created_by == supervisor
    assert client.get(reverse("admin:helpdesk_article_add")).status_code == 200
    assert not supervisor.has_perm("helpdesk.add_policyversion")


@pytest.mark.django_db
def test_knowledge_admin_is_closed_to_a_user_who_is_not_staff(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:helpdesk_cannedresponse_changelist"))
    assert response.status_code == 302
