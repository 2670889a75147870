"""The newsletter: double opt-in through real email, one-click unsubscribe, no enumeration,
and the admins' CSV export."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from content.models import NewsletterSubscriber
from storefront.mail import after_commit
from storefront.timeutil import utcnow

from .factories import make_article
from .moderation_helpers import ARTICLE
from .staff_helpers import database, signed_in, token_headers

API = "/api/v1/newsletter/subscriptions"
EXPORT = "/api/v1/staff/newsletter/subscribers.csv"
CONFIRM_LINK = re.compile(r"https?://[^\s\"<>]+/newsletter/confirm/[^\s\"<>]+")
UNSUBSCRIBE_LINK = re.compile(r"https?://[^\s\"<>]+/newsletter/unsubscribe/[^\s\"<>]+")


@pytest.fixture
def shop(make_app, smtp_server):
    """The shop sending its email to the test SMTP server."""
    return make_app(demo=True, MAIL_URL=smtp_server.url)


@pytest.fixture
def client(shop):
    return shop.test_client()


def sign_up(client, email="reader@example.com", **fields):
    return client.post(API, json={"email": email, **fields})


def mail_to(shop, smtp_server, address: str) -> list:
    """Every message the SMTP server took for `address`, once the sending is done."""
    after_commit.state(shop).wait()
    return [m for m in smtp_server.received if address in m.recipients]


def path_of(url: str) -> str:
    return urlsplit(url).path


def subscriber(shop, email="reader@example.com") -> NewsletterSubscriber | None:
    with database(shop) as session:
        row = session.scalar(select(NewsletterSubscriber)
                             .where(NewsletterSubscriber.email == email))
        if row is not None:
            session.expunge(row)
        return row


def confirmation_path(shop, smtp_server, client, email="reader@example.com") -> str:
    assert sign_up(client, email).status_code == 202
    [message] = mail_to(shop, smtp_server, email)
    return path_of(CONFIRM_LINK.search(message.part("plain")).group(0))


def test_double_opt_in_through_the_email(shop, client, smtp_server):
    answer = sign_up(client, "Reader@Example.COM", source=f"article:{ARTICLE}")
    assert answer.status_code == 202
    row = subscriber(shop)
    assert row.status == "pending" and row.source == f"article:{ARTICLE}"
    [confirmation] = mail_to(shop, smtp_server, "reader@example.com")
    message = confirmation.message
    assert "confirm" in message["Subject"].lower() and "reader@" not in message["Subject"]
    unsubscribe = UNSUBSCRIBE_LINK.search(confirmation.part("plain")).group(0)
    # Folded onto a line of its own when long (RFC 5322): the value is what counts.
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = CONFIRM_LINK.search(confirmation.part("plain")).group(0)
    assert link in confirmation.part("html")

    page = client.get(path_of(link))
    assert page.status_code == 200 and "You are on the list" in page.get_data(as_text=True)
    row = subscriber(shop)
    assert row.status == "confirmed" and row.confirmed_at is not None
    [_, welcome] = mail_to(shop, smtp_server, "reader@example.com")
    assert "Welcome" in welcome.message["Subject"]
    assert welcome.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert UNSUBSCRIBE_LINK.search(welcome.part("plain"))

    again = client.get(path_of(link))
    assert again.status_code == 200, "following the link twice is fine"
    assert len(mail_to(shop, smtp_server, "reader@example.com")) == 2, "one welcome only"


def test_an_expired_link_says_so_and_changes_nothing(shop, client, smtp_server, monkeypatch):
    path = confirmation_path(shop, smtp_server, client)
    later = time.time() + 3 * 24 * 3600 + 60
    monkeypatch.setattr(time, "time", lambda: later)
    page = client.get(path)
    assert page.status_code == 410
    text = page.get_data(as_text=True)
    assert "This link has expired" in text and 'action="/newsletter"' in text
    assert subscriber(shop).status == "pending"


def test_a_link_just_inside_three_days_still_confirms(shop, client, smtp_server,
                                                      monkeypatch):
    path = confirmation_path(shop, smtp_server, client)
    later = time.time() + 3 * 24 * 3600 - 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get(path).status_code == 200
    assert subscriber(shop).status == "confirmed"


def test_tampered_links_are_refused(shop, client, smtp_server):
    path = confirmation_path(shop, smtp_server, client)
    token = path.rsplit("/", 1)[1]
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for bad in (f"/newsletter/confirm/{flipped}", "/newsletter/confirm/nonsense",
                f"/newsletter/unsubscribe/{token}",  # a confirmation is no unsubscribe link
                "/newsletter/unsubscribe/1"):
        page = client.get(bad)
        assert page.status_code == 400, bad
        assert "This link does not work" in page.get_data(as_text=True)
    assert client.post("/newsletter/unsubscribe/1").status_code == 400
    assert subscriber(shop).status == "pending"


def test_unsubscribe_by_following_the_link(shop, client, smtp_server):
    client.get(confirmation_path(shop, smtp_server, client))
    welcome = mail_to(shop, smtp_server, "reader@example.com")[-1]
    link = UNSUBSCRIBE_LINK.search(welcome.part("plain")).group(0)
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert "You are unsubscribed" in page.get_data(as_text=True)
    row = subscriber(shop)
    assert row.status == "unsubscribed" and row.unsubscribed_at is not None
    assert client.get(path_of(link)).status_code == 200, "a second click is fine"


def test_one_click_unsubscribe_from_the_header(shop, client, smtp_server):
    client.get(confirmation_path(shop, smtp_server, client))
    welcome = mail_to(shop, smtp_server, "reader@example.com")[-1]
    header = welcome.message["List-Unsubscribe"].strip()
    assert header.startswith("<http") and header.endswith(">")
    # What a mail program sends (RFC 8058): no cookie, no CSRF token.
    mail_program = shop.test_client()
    answer = mail_program.post(path_of(header[1:-1]), data="List-Unsubscribe=One-Click",
                               content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    assert subscriber(shop).status == "unsubscribed"


def test_an_unsubscribed_address_starts_over(shop, client, smtp_server):
    first = confirmation_path(shop, smtp_server, client)
    client.get(first)
    welcome = mail_to(shop, smtp_server, "reader@example.com")[-1]
    client.get(path_of(UNSUBSCRIBE_LINK.search(welcome.part("plain")).group(0)))
    page = client.get(first)
    assert page.status_code == 410 and "no longer valid" in page.get_data(as_text=True)
    assert subscriber(shop).status == "unsubscribed", "an old link does not sign up again"

    assert sign_up(client).status_code == 202
    messages = mail_to(shop, smtp_server, "reader@example.com")
    assert len(messages) == 3 and "confirm" in messages[-1].message["Subject"].lower()
    assert subscriber(shop).status == "pending"
    client.get(path_of(CONFIRM_LINK.search(messages[-1].part("plain")).group(0)))
    assert subscriber(shop).status == "confirmed"


def test_every_address_gets_the_same_answer(shop, client, smtp_server):
    client.get(confirmation_path(shop, smtp_server, client, "confirmed@example.com"))
    sign_up(client, "pending@example.com")
    answers = [sign_up(client, email) for email in
               ("new@example.com", "pending@example.com", "confirmed@example.com")]
    assert len({(a.status_code, a.get_data()) for a in answers}) == 1
    assert answers[0].status_code == 202

    pages = [client.post("/newsletter", data={"email": email})
             for email in ("new2@example.com", "pending@example.com", "confirmed@example.com")]
    assert {(p.status_code, p.headers["Location"]) for p in pages} == \
        {(303, "/newsletter/check-your-inbox")}
    shown = client.get("/newsletter/check-your-inbox").get_data(as_text=True)
    assert "Check your inbox" in shown and "@example.com" not in shown

    assert len(mail_to(shop, smtp_server, "confirmed@example.com")) == 2, \
        "a confirmed address gets nothing more"
    assert len(mail_to(shop, smtp_server, "pending@example.com")) == 1, \
        "the confirmation again only after 10 minutes"
    with database(shop) as session:
        session.execute(update(NewsletterSubscriber)
                        .where(NewsletterSubscriber.email == "pending@example.com")
                        .values(last_sent_at=utcnow() - timedelta(minutes=11)))
        session.commit()
    sign_up(client, "pending@example.com")
    assert len(mail_to(shop, smtp_server, "pending@example.com")) == 2


def test_the_honeypot_stores_and_sends_nothing(shop, client, smtp_server):
    answer = client.post("/newsletter", data={"email": "bot@example.com",
                                              "website": "http://spam.example"})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/newsletter/check-your-inbox"
    assert subscriber(shop, "bot@example.com") is None
    assert mail_to(shop, smtp_server, "bot@example.com") == []


def test_sign_ups_are_rate_limited(make_app, smtp_server):
    app = make_app(demo=True, MAIL_URL=smtp_server.url, RATELIMIT_ENABLED=True,
                   RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    statuses = [sign_up(client, f"r{n}@example.com").status_code for n in range(6)]
    assert statuses == [202] * 5 + [429]
    refused = sign_up(client, "late@example.com")
    assert refused.is_json and refused.get_json()["code"] == 429
    assert "Retry-After" in refused.headers
    page = client.post("/newsletter", data={"email": "p@example.com"})
    assert page.status_code == 429, "pages and the API share one limit"
    assert subscriber(app, "late@example.com") is None


@pytest.mark.parametrize("body", [
    pytest.param({"email": "not-an-address"}, id="bad-email"),
    pytest.param({"email": ""}, id="empty-email"),
    pytest.param({}, id="no-email"),
    pytest.param({"email": "a" * 250 + "@example.com"}, id="too-long"),
    pytest.param({"email": 5}, id="email-not-a-string"),
    pytest.param({"email": "r@example.com", "source": 7}, id="source-not-a-string"),
    pytest.param({"email": "r@example.com", "source": "article:nope"}, id="unknown-article"),
    pytest.param({"email": "r@example.com", "source": "article:draft-one"}, id="draft"),
    pytest.param({"email": "r@example.com", "source": "footer"}, id="not-an-article"),
    pytest.param({"email": "r@example.com", "name": "R"}, id="unknown-field"),
    pytest.param(["r@example.com"], id="not-an-object"),
])
def test_bad_sign_ups_are_422(shop, client, smtp_server, body):
    with database(shop) as session:
        make_article(session, "draft-one", status="draft")
    answer = client.post(API, json=body)
    assert answer.status_code == 422 and answer.is_json
    assert answer.get_json()["code"] == 422
    with database(shop) as session:
        assert session.scalar(select(NewsletterSubscriber.id)) is None
    assert mail_to(shop, smtp_server, "r@example.com") == []


def test_unknown_source_names_the_field(client):
    answer = sign_up(client, source="article:nope")
    assert "source" in str(answer.get_json())


def test_malformed_json_is_refused_as_everywhere_in_the_api(shop, client, smtp_server):
    for raw in ('{"email": ', "nonsense"):
        answer = client.post(API, data=raw, content_type="application/json")
        assert answer.status_code == 400 and answer.is_json, raw
        assert answer.get_json()["reason"] == "malformed_json"
    with database(shop) as session:
        assert session.scalar(select(NewsletterSubscriber.id)) is None


def test_every_page_has_the_footer_form(shop, client):
    for path in ("/", "/products", f"/articles/{ARTICLE}", "/exercises"):
        page = client.get(path).get_data(as_text=True)
        footer = page[page.index('<footer class="site-footer">'):]
        assert 'action="/newsletter"' in footer, path
        assert 'autocomplete="email"' in footer
        assert 'name="website" tabindex="-1" autocomplete="off"' in footer
        assert 'class="honeypot" aria-hidden="true"' in footer
    login = client.get("/staff/login").get_data(as_text=True)
    assert 'action="/newsletter"' not in login, "the console's way in is no shop page"


def test_the_footer_form_costs_a_first_visit_no_cookie(make_app):
    # The form carries no CSRF token (its endpoint checks the origin instead), so pages
    # without other forms stay cookie-free and may be kept by a shared cache.
    client = make_app(demo=True).test_client()
    for path in ("/", "/exercises", "/articles"):
        answer = client.get(path)
        assert 'action="/newsletter"' in answer.get_data(as_text=True)
        assert "Set-Cookie" not in answer.headers, path
        assert "private" not in answer.headers.get("Cache-Control", ""), path


@pytest.mark.parametrize("headers", [
    pytest.param({"Origin": "https://elsewhere.example"}, id="other-origin"),
    pytest.param({"Sec-Fetch-Site": "cross-site"}, id="cross-site"),
    pytest.param({"Sec-Fetch-Site": "same-site", "Origin": "http://shop.localhost"},
                 id="sibling-site"),
])
def test_another_sites_form_cannot_sign_anyone_up(shop, client, smtp_server, headers):
    answer = client.post("/newsletter", data={"email": "victim@example.com"}, headers=headers)
    assert answer.status_code == 403 and "another site" in answer.get_data(as_text=True)
    assert subscriber(shop, "victim@example.com") is None
    same = client.post("/newsletter", data={"email": "victim@example.com"},
                       headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 303 and subscriber(shop, "victim@example.com") is not None


def test_the_article_form_records_its_article(shop, client, smtp_server):
    page = client.get(f"/articles/{ARTICLE}").get_data(as_text=True)
    assert f'name="source" value="article:{ARTICLE}"' in page
    answer = client.post("/newsletter", data={"email": "fan@example.com",
                                              "source": f"article:{ARTICLE}"})
    assert answer.status_code == 303
    assert subscriber(shop, "fan@example.com").source == f"article:{ARTICLE}"
    # A page's unknown source is only ignored: the sign-up still goes through.
    client.post("/newsletter", data={"email": "other@example.com",
                                     "source": "article:nope"})
    assert subscriber(shop, "other@example.com").source is None


def test_a_bad_address_on_a_page_is_shown_beside_the_form(shop, client):
    page = client.post("/newsletter", data={"email": "nope"})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert 'aria-invalid="true"' in text and "name@example.com" in text
    assert subscriber(shop, "nope") is None


def add_subscribers(shop) -> None:
    now = utcnow()
    with database(shop) as session:
        session.add_all([
            NewsletterSubscriber(email="=cmd@example.com", status="confirmed",
                                 source="@SUM(A1)", confirmed_at=now),
            NewsletterSubscriber(email="plain@example.com", status="confirmed",
                                 source=f"article:{ARTICLE}", confirmed_at=now),
            NewsletterSubscriber(email="+1@example.com", status="confirmed",
                                 source="-2+3", confirmed_at=now),
            NewsletterSubscriber(email="waiting@example.com", status="pending"),
            NewsletterSubscriber(email="gone@example.com", status="unsubscribed"),
        ])
        session.commit()


def test_csv_export_is_for_admins_and_safe_in_spreadsheets(shop, client):
    add_subscribers(shop)
    assert client.get(EXPORT).status_code == 401
    for role in ("moderator", "editor"):
        assert client.get(EXPORT, headers=token_headers(shop, role)).status_code == 403
    answer = client.get(EXPORT, headers=token_headers(shop, "admin"))
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == ["email", "source", "confirmed_at"]
    by_email = {row[0]: row for row in rows[1:]}
    assert set(by_email) == {"'=cmd@example.com", "plain@example.com", "'+1@example.com"}
    assert by_email["'=cmd@example.com"][1] == "'@SUM(A1)"
    assert by_email["'+1@example.com"][1] == "'-2+3"
    assert by_email["plain@example.com"][1] == f"article:{ARTICLE}"


def test_console_page_counts_and_downloads(shop):
    add_subscribers(shop)
    editor = signed_in(shop, "editor")
    assert editor.get("/staff/newsletter").status_code == 403
    assert editor.get("/staff/newsletter/subscribers.csv").status_code == 403
    assert "Newsletter" not in editor.get("/staff/exercises").get_data(as_text=True)
    admin = signed_in(shop, "admin")
    page = admin.get("/staff/newsletter")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="/staff/newsletter"' in text, "in the console's navigation"
    counts = dict(re.findall(r'<th scope="row">(\w+)[^<]*</th><td[^>]*>(\d+)</td>', text))
    assert counts == {"Confirmed": "3", "Pending": "1", "Unsubscribed": "1"}
    assert "plain@example.com" not in text, "no subscriber's address on the page itself"
    download = admin.get("/staff/newsletter/subscribers.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "plain@example.com" in download.get_data(as_text=True)
    assert "waiting@example.com" not in download.get_data(as_text=True)


def test_addresses_never_show_publicly(shop, client):
    add_subscribers(shop)
    for path in ("/", f"/articles/{ARTICLE}", "/newsletter", "/newsletter/check-your-inbox",
                 "/sitemap.xml", "/feed.xml", "/api/v1/articles"):
        assert "plain@example.com" not in client.get(path).get_data(as_text=True), path

