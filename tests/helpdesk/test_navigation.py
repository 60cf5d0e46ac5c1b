"""The desk's header takes an agent everywhere they work, each link to its own page: the
tickets, the deadlines, the chat console, the phone pages and complaints; the complaints link
opens a list, not a 404; the tab shows the desk's icon."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.tickets.desk_support import logged_in, staff

pytestmark = pytest.mark.django_db


def header_links(html: str) -> dict[str, str]:
    header = html[html.index("<header") : html.index("</header>")]
    return {
        re.sub(r"<[^>]+>", "", text).strip(): href
        for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', header, re.S)
    }


def test_every_header_link_goes_to_its_own_page():
    client = logged_in(staff("alex"))
    links = header_links(client.get(reverse("tickets:queue")).content.decode())

    assert links["Tickets"] == reverse("tickets:queue")
    assert links["Deadlines"] == reverse("desk:home")
    assert links["Chat"] == reverse("chat:console")
    assert links["Phone"] == reverse("tickets:phone-callbacks")
    assert links["Complaints"] == reverse("complaints:list")
    assert len(set(links.values())) == len(links), links  # no two names for one page
    for href in links.values():
        if href.startswith("/desk/"):
            assert client.get(href).status_code == 200, href


def test_the_tab_shows_the_desk_s_icon():
    client = logged_in(staff("alex"))
    html = client.get(reverse("tickets:queue")).content.decode()
    assert '<link rel="icon" href="/static/helpdesk/favicon.svg" type="image/svg+xml">' in html
    assert finders.find("helpdesk/favicon.svg")
