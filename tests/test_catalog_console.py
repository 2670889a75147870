"""The catalogue in the staff console: an editor launches, changes and retires products."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from storefront.catalog.models import Product, Variant
from storefront.orders.models import StaffAction

CONSOLE = "/staff/products"
BALL = {"name": "Balance Ball", "slug": "balance-ball", "kind": "ball", "options": "Size",
        "summary": "A soft ball for balance drills.", "description": "Roll it.",
        "status": "draft"}


def csrf(text: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def words_of(response) -> str:
    """What a reader reads: the page's text without its markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))
                    .split())


def send(client, form_page, path, **fields):
    """Submit a form found on `form_page`, with that page's CSRF token."""
    return client.post(path, data={"csrf_token": csrf(page(client, form_page)), **fields})


def version_on(client, slug="balance-ball") -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"',
                     page(client, f"{CONSOLE}/{slug}")).group(1)


@pytest.fixture
def editor(staff):
    user = staff.create("editor", email="editor@example.com")
    assert staff.login(user.email).status_code == 302
    return user


def launch(client, **changes):
    response = send(client, f"{CONSOLE}/new", f"{CONSOLE}/new", **{**BALL, **changes})
    assert response.status_code == 303, text_of(response)
    assert "Created" in text_of(client.get(response.headers["Location"]))  # the message, read
    return response


def add_variant(client, slug="balance-ball", **fields):
    values = {"sku": "BAL-55", "option_0": "55 cm", "price": "24.99", "stock": "5",
              "active": "y", **fields}
    values["csrf_token"] = csrf(page(client, f"{CONSOLE}/{slug}"))
    # The add form shares the product's page, so its fields carry a prefix.
    return client.post(f"{CONSOLE}/{slug}/variants",
                       data={f"variant-{name}": value for name, value in values.items()})


# --- who may use it ---------------------------------------------------------------------------

def test_visitors_log_in_and_moderators_are_turned_away(client, staff, session):
    for path in (CONSOLE, f"{CONSOLE}/new"):
        response = client.get(path)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    moderator = staff.create("moderator")
    staff.login(moderator.email)
    assert client.get(CONSOLE).status_code == 403
    assert client.get(f"{CONSOLE}/new").status_code == 403


def test_admins_may_use_it_too(client, staff):
    admin = staff.create("admin")
    staff.login(admin.email)
    assert "Products" in page(client, CONSOLE)


# --- launching a product ------------------------------------------------------------------------

def test_an_editor_launches_a_product_with_two_variants(client, editor, session):
    created = launch(client)
    assert created.headers["Location"].endswith(f"{CONSOLE}/balance-ball")
    assert client.get("/products/balance-ball").status_code == 404  # a draft
    assert add_variant(client).status_code == 303
    assert add_variant(client, sku="BAL-65", option_0="65 cm", price="29.99",
                       compare_at="34.99").status_code == 303
    edit_page = page(client, f"{CONSOLE}/balance-ball")
    assert "BAL-55" in edit_page and "BAL-65" in edit_page and "$34.99" in edit_page
    ids = re.findall(r' id="([^"]+)"', edit_page)
    assert len(ids) == len(set(ids)), "every label points at one field"
    published = send(client, f"{CONSOLE}/balance-ball", f"{CONSOLE}/balance-ball/status",
                     status="active", version=version_on(client))
    assert published.status_code == 303
    shop = words_of(client.get("/products/balance-ball"))
    assert "Sizes and prices" in shop and "From $24.99" in shop
    assert "$29.99, was $34.99, save $5.00" in shop
    assert '<label for="sku">Size</label>' in client.get("/products/balance-ball").get_data(
        as_text=True)
    assert "Exercises this ball supports" in shop
    listed = text_of(client.get(CONSOLE + "?status=active"))
    assert "Balance Ball" in listed and "$24.99 to $29.99" in listed
    assert [(r.action, r.subject) for r in session.scalars(
        select(StaffAction).order_by(StaffAction.id))] == [
        ("create", "balance-ball"), ("create", "BAL-55"), ("create", "BAL-65"),
        ("publish", "balance-ball")]
    assert all(r.actor == "editor@example.com" for r in session.scalars(select(StaffAction)))


def test_bad_fields_are_told_beside_them_and_what_was_typed_stays(client, editor, session):
    response = send(client, f"{CONSOLE}/new", f"{CONSOLE}/new",
                    **{**BALL, "slug": "Balance Ball!", "name": "Typed name"})
    assert response.status_code == 422
    text = text_of(response)
    assert "Use lowercase letters, digits and hyphens" in text
    assert 'value="Typed name"' in text and 'aria-invalid="true"' in text
    assert session.scalar(select(func.count()).select_from(Product)) == 0

    launch(client)
    refused = add_variant(client, price="-3", option_0="")
    assert refused.status_code == 422
    text = text_of(refused)
    assert "Give a value for Size." in text
    assert 'value="BAL-55"' in text and 'value="-3"' in text
    assert session.scalar(select(func.count()).select_from(Variant)) == 0
    add_variant(client)
    twice = add_variant(client, option_0="65 cm")
    assert twice.status_code == 422 and "already has the SKU" in text_of(twice)
    cheap_was = add_variant(client, sku="BAL-65", option_0="65 cm", compare_at="10")
    assert "must be above the price" in text_of(cheap_was)
    assert session.scalar(select(func.count()).select_from(Variant)) == 1


def test_a_duplicate_slug_is_told_beside_the_field(client, editor):
    launch(client)
    again = send(client, f"{CONSOLE}/new", f"{CONSOLE}/new", **BALL)
    assert again.status_code == 422
    assert "Another product already has the slug" in text_of(again)


# --- safe edits ---------------------------------------------------------------------------------

def test_a_stale_save_shows_what_changed_and_keeps_what_was_typed(client, editor, staff):
    launch(client)
    stale_version = version_on(client)
    token = csrf(page(client, f"{CONSOLE}/balance-ball"))
    first = client.post(f"{CONSOLE}/balance-ball", data={
        "csrf_token": token, **BALL, "name": "Balance Ball Mini", "version": stale_version})
    assert first.status_code == 303
    second = client.post(f"{CONSOLE}/balance-ball", data={
        "csrf_token": token, **BALL, "summary": "My own summary.", "version": stale_version})
    assert second.status_code == 409
    text = text_of(second)
    assert "Someone else saved this product" in text
    assert "Balance Ball Mini" in text  # what it says now
    assert "My own summary." in text  # what was typed, still in the form
    assert page(client, f"{CONSOLE}/balance-ball").count("Balance Ball Mini") >= 1
    new_version = re.search(r'name="version" type="hidden" value="(\d+)"',
                            second.get_data(as_text=True)).group(1)
    assert new_version != stale_version
    again = client.post(f"{CONSOLE}/balance-ball", data={
        "csrf_token": token, **BALL, "summary": "My own summary.", "version": new_version})
    assert again.status_code == 303


def test_variant_edits_take_prices_as_people_write_them(client, editor):
    launch(client, status="active")
    add_variant(client)
    path = f"{CONSOLE}/balance-ball/variants/BAL-55"
    form = page(client, path)
    assert 'value="24.99"' in form and 'value="55 cm"' in form
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    saved = send(client, path, path, sku="BAL-55", option_0="55 cm", price="19.50",
                 compare_at="24.99", stock="7", active="y", version=version)
    assert saved.status_code == 303
    shop = words_of(client.get("/products/balance-ball"))
    assert "$19.50, was $24.99, save $5.49" in shop and "From" not in shop.split("Reviews")[0]
    stale = send(client, path, path, sku="BAL-55", option_0="55 cm", price="18.00", stock="7",
                 active="y", version=version)
    assert stale.status_code == 409 and "Someone else saved this variant" in text_of(stale)
    withdrawn = send(client, path, path, sku="BAL-55", option_0="55 cm", price="19.50",
                     compare_at="24.99", stock="7", version=str(int(version) + 1))
    assert withdrawn.status_code == 303
    assert "Saved" in text_of(client.get(withdrawn.headers["Location"]))
    shop = client.get("/products/balance-ball").get_data(as_text=True)
    assert 'value="BAL-55"' not in shop and "55 cm" not in shop.split("</header>")[1]
    assert "not on sale just now" in shop


def test_archive_and_restore_from_the_console(client, editor):
    launch(client, status="active")
    add_variant(client)
    archive = send(client, f"{CONSOLE}/balance-ball", f"{CONSOLE}/balance-ball/status",
                   status="archived", version=version_on(client))
    assert archive.status_code == 303
    assert client.get("/products/balance-ball").status_code == 404
    edit = page(client, f"{CONSOLE}/balance-ball")
    assert "Restore as a draft" in edit and "Restore and publish" in edit
    stale = send(client, f"{CONSOLE}/balance-ball", f"{CONSOLE}/balance-ball/status",
                 status="active", version="1")
    assert stale.status_code == 303
    assert "Someone else changed this product" in text_of(client.get(f"{CONSOLE}/balance-ball"))
    assert client.get("/products/balance-ball").status_code == 404
    send(client, f"{CONSOLE}/balance-ball", f"{CONSOLE}/balance-ball/status",
         status="active", version=version_on(client))
    assert client.get("/products/balance-ball").status_code == 200


def test_the_list_filters_by_status(client, editor):
    launch(client)
    launch(client, slug="second-ball", name="Second Ball", status="active")
    drafts = text_of(client.get(CONSOLE + "?status=draft"))
    assert "Balance Ball" in drafts and "Second Ball" not in drafts
    everything = text_of(client.get(CONSOLE))
    assert "Balance Ball" in everything and "Second Ball" in everything


def test_forms_without_a_csrf_token_change_nothing(client, editor, session):
    response = client.post(f"{CONSOLE}/new", data=BALL)
    assert response.status_code in (400, 422)
    assert session.scalar(select(func.count()).select_from(Product)) == 0
