"""Orders reach the door: an address, a shipping method and tax on every paid order, with
the total what the provider charged; one open checkout per cart; honest words."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.orders.models import Order, OrderStatus
from storefront.settings import ConfigError, Settings

from .checkout_helpers import (
    available,
    cart_with,
    checkout,
    deliver,
    order,
    session_id,
    test_page_action,
    test_page_step,
)
from .test_cart_pages import add, csrf


def paid_order(client, *lines, address=None, shipping=0):
    placed = checkout(client, cart_with(client, *lines)).get_json()
    response = test_page_action(client, placed["checkout_url"], 0, address, shipping)
    assert response.status_code in (200, 302, 303), response.get_data(as_text=True)
    return placed, order(client, placed)


# --- the cart ----------------------------------------------------------------------------

@pytest.mark.parametrize(("lines", "standard"), [
    ((("BB-LIGHT", 1),), 499),  # $19.99: Standard costs $4.99
    ((("BB-TRIO", 1),), 0),  # $54.99: above $50, Standard is free
])
def test_the_cart_says_what_shipping_costs(client, demo, lines, standard):
    cart = client.get(f"/api/v1/carts/{cart_with(client, *lines)}").get_json()
    options = {o["name"]: o for o in cart["shipping_options"]}
    assert options["Standard"]["amount"]["amount"] == standard
    assert options["Standard"]["countries"] == ["US", "CA"]
    assert options["Express"]["amount"]["amount"] == 1499
    assert options["Express"]["countries"] == ["US"]
    assert [o["amount"]["amount"] for o in cart["shipping_options"]] == sorted(
        o["amount"]["amount"] for o in cart["shipping_options"])


def test_an_empty_cart_offers_no_shipping(client, demo):
    token = client.post("/api/v1/carts").get_json()["token"]
    assert client.get(f"/api/v1/carts/{token}").get_json()["shipping_options"] == []


def page_checkout(client, sku="BB-LIGHT", email="robin@example.com"):
    """Add a band from its page and check out from the cart page; the checkout answer."""
    add(client, sku=sku)
    cart_page = client.get("/cart").get_data(as_text=True)
    return client.post("/checkout", data={"csrf_token": csrf(cart_page), "email": email})


def test_the_cart_page_shows_shipping_before_checkout(client, demo):
    add(client, sku="BB-LIGHT")
    page = client.get("/cart").get_data(as_text=True)
    assert "Standard" in page and "$4.99" in page and "Express" in page


# --- the test payment page ---------------------------------------------------------------

def test_an_order_paid_with_an_address_keeps_it_and_its_shipping(client, demo):
    placed, paid = paid_order(client, ("BB-MEDIUM", 2), shipping=1)  # Express
    assert paid["status"] == "paid"
    assert paid["shipping_address"] == {
        "name": "Robin Park", "line1": "48 Harbour Road", "line2": "Flat 2",
        "city": "Portland", "postal_code": "97201", "region": "OR", "country": "US",
        "phone": None}
    assert paid["shipping"] == {"method": "Express",
                                "amount": {"amount": 1499, "currency": "usd",
                                           "formatted": "$14.99"}}
    assert paid["subtotal"]["amount"] == 4398
    assert paid["tax"]["amount"] == 0
    assert paid["total"]["amount"] == 4398 + 1499


def test_the_success_page_shows_the_address_and_shipping(client, demo):
    checkout_page = page_checkout(client)
    response = test_page_action(client, checkout_page.headers["Location"], 0)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "48 Harbour Road" in page and "Standard" in page and "$4.99" in page
    assert "$24.98" in page  # $19.99 and $4.99 shipping
    assert "robin@example.com" in page


@pytest.mark.parametrize(("inclusive", "tax", "total"), [
    (False, 250, 1999 + 499 + 250),  # 10% of $24.98, added
    (True, 227, 1999 + 499),  # the part of $24.98 that is tax at 10%
])
def test_the_test_provider_charges_the_tax_of_the_address(make_app, inclusive, tax, total):
    app = make_app(demo=True, TAX_RATES="US:10,CA:5", TAX_INCLUSIVE=inclusive)
    client = app.test_client()
    _, paid = paid_order(client, ("BB-LIGHT", 1))
    assert paid["tax"] == {"amount": tax, "currency": "usd", "inclusive": inclusive,
                           "formatted": f"${tax / 100:.2f}"}
    assert paid["total"]["amount"] == total
    with app.app_context():
        assert db.session.scalar(select(Order.flag)) == ""  # it all adds up


def test_a_country_without_a_rate_pays_no_tax(make_app):
    client = make_app(demo=True, TAX_RATES="CA:5").test_client()
    _, paid = paid_order(client, ("BB-LIGHT", 1))
    assert paid["tax"]["amount"] == 0 and paid["total"]["amount"] == 1999 + 499


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"country": "FR"}, "country", "we do not ship to FR"),
    ({"name": ""}, "name", "Enter your full name"),
    ({"postal_code": "  "}, "postal_code", "Enter your postal code"),
    ({"country": "CA", "shipping": "express"}, "shipping", "does not deliver to CA"),
    ({"shipping": "999"}, "shipping", "Choose a shipping method"),
])
def test_a_wrong_address_is_refused_next_to_its_field_and_keeps_the_rest(
        client, demo, change, field, words):
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 1))).get_json()
    if change.get("shipping") == "express":
        page = client.get(placed["checkout_url"]).get_data(as_text=True)
        change = {**change, "shipping": page.split('value="')[-1].split('"')[0]}
        assert "Express" in page
    response = test_page_step(client, placed["checkout_url"], change)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert words in page.replace("Sorry, w", "w")
    assert f'id="tp-{field}-error"' in page  # the message sits beside its field
    if field != "shipping":  # a fieldset of radios is described by its message instead
        assert f'aria-describedby="tp-{field}-error"' in page and 'aria-invalid="true"' in page
    assert 'value="48 Harbour Road"' in page  # what was typed is still there
    assert 'name="event"' not in page  # no way to pay yet
    assert order(client, placed)["status"] == "pending_payment"


def test_the_address_form_is_labelled_for_autofill(client, demo):
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 1))).get_json()
    page = client.get(placed["checkout_url"]).get_data(as_text=True)
    for name, autocomplete in [("name", "shipping name"), ("line1", "shipping address-line1"),
                               ("postal_code", "shipping postal-code"),
                               ("country", "shipping country")]:
        assert f'<label for="tp-{name}">' in page
        assert f'name="{name}"' in page and f'autocomplete="{autocomplete}"' in page


def test_a_phone_is_asked_for_when_the_shop_wants_one(make_app):
    client = make_app(demo=True, SHIPPING_PHONE=True).test_client()
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 1))).get_json()
    refused = test_page_step(client, placed["checkout_url"])
    assert refused.status_code == 422 and "phone number" in refused.get_data(as_text=True)
    test_page_action(client, placed["checkout_url"], 0, {"phone": "+1 503 555 0100"})
    assert order(client, placed)["shipping_address"]["phone"] == "+1 503 555 0100"


def test_a_declined_payment_says_so_and_keeps_the_cart(client, demo):
    started = page_checkout(client)
    declined = test_page_action(client, started.headers["Location"], 1)
    cart_page = client.get(declined.headers["Location"], follow_redirects=True)
    text = cart_page.get_data(as_text=True)
    assert "declined" in text and "nothing was charged" in text
    assert "BB-LIGHT" in text or "Light" in text


# --- one open checkout per cart -------------------------------------------------------------

def test_checking_out_a_cart_again_holds_its_stock_once(client, demo):
    token = cart_with(client, ("BB-HEAVY", 3))
    first = checkout(client, token).get_json()
    second = checkout(client, token).get_json()
    assert order(client, first)["status"] == "cancelled"
    assert order(client, second)["status"] == "pending_payment"
    assert available(client, index=2) == 40 - 3


def test_a_double_click_on_check_out_holds_stock_once(app, client, demo):
    token = cart_with(client, ("BB-HEAVY", 2))
    barrier, answers = threading.Barrier(2), []

    def click():
        own = app.test_client()
        barrier.wait()
        answers.append(checkout(own, token).status_code)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 201 in answers
    with app.app_context():
        pending = db.session.scalars(select(Order).where(
            Order.status == OrderStatus.PENDING_PAYMENT)).all()
    assert len(pending) == 1
    assert available(client, index=2) == 40 - 2


# --- Stripe ----------------------------------------------------------------------------------

@pytest.fixture
def stripe_shop(make_app, fake_stripe):
    from .fakestripe import TEST_KEY, WEBHOOK_SECRET

    def build(**settings):
        app = make_app(demo=True, STRIPE_SECRET_KEY=TEST_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                       STRIPE_API_BASE=fake_stripe.url, **settings)
        return app, app.test_client()
    return build


def test_stripe_collects_the_address_and_offers_the_methods(stripe_shop, fake_stripe):
    _, client = stripe_shop(SHIPPING_PHONE=True)
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 1))).get_json()
    session = fake_stripe.sessions[session_id(fake_stripe, placed)]
    assert session["shipping_address_collection"] == {"allowed_countries": ["US", "CA"]}
    assert session["phone_number_collection"] == {"enabled": True}
    rates = [fake_stripe.shipping_rates[o["shipping_rate"]] for o in session["shipping_options"]]
    assert [(r["display_name"], r["fixed_amount"]["amount"]) for r in rates] == [
        ("Standard", 499), ("Express", 1499)]
    assert rates[0]["delivery_estimate"] == {"minimum": {"unit": "business_day", "value": "3"},
                                             "maximum": {"unit": "business_day", "value": "5"}}
    assert session["automatic_tax"]["enabled"] is False


@pytest.mark.parametrize("legacy", [False, True])
def test_a_stripe_order_takes_the_address_shipping_and_tax_stripe_charged(
        stripe_shop, fake_stripe, legacy):
    app, client = stripe_shop(STRIPE_AUTOMATIC_TAX=True)
    placed = checkout(client, cart_with(client, ("BB-MEDIUM", 1))).get_json()
    sid = session_id(fake_stripe, placed)
    assert fake_stripe.sessions[sid]["automatic_tax"]["enabled"] is True
    fake_stripe.complete(sid, shipping_option=1, tax=308, legacy_shipping_details=legacy,
                         address={"name": "Ada Byron", "line1": "1 Dock St", "line2": None,
                                  "city": "Boston", "postal_code": "02110", "state": "MA",
                                  "country": "US", "phone": "+1 617 555 0199"})
    assert deliver(client, fake_stripe.session_event("checkout.session.completed", sid)
                   ).get_json()["outcome"] == "applied"
    paid = order(client, placed)
    assert paid["status"] == "paid"
    assert paid["shipping_address"]["name"] == "Ada Byron"
    assert paid["shipping_address"]["region"] == "MA"
    assert paid["shipping"]["method"] == "Express" and paid["shipping"]["amount"]["amount"] == 1499
    assert paid["tax"]["amount"] == 308
    assert paid["total"]["amount"] == fake_stripe.sessions[sid]["amount_total"] == 2199 + 1499 + 308
    with app.app_context():
        assert db.session.scalar(select(Order.flag)) == ""


def test_a_charge_that_does_not_add_up_is_paid_and_flagged(stripe_shop, fake_stripe):
    app, client = stripe_shop()
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 1))).get_json()
    sid = session_id(fake_stripe, placed)
    fake_stripe.complete(sid)
    event = fake_stripe.session_event("checkout.session.completed", sid)
    event["data"]["object"]["amount_total"] = 1500  # less than the goods and shipping
    assert deliver(client, event).get_json()["outcome"] == "applied"
    paid = order(client, placed)
    assert paid["status"] == "paid" and paid["total"]["amount"] == 1500
    with app.app_context():
        flag = db.session.scalar(select(Order.flag))
    assert "charged 1500" in flag and "2498" in flag


def test_a_stripe_address_outside_the_methods_countries_is_flagged(stripe_shop, fake_stripe):
    app, client = stripe_shop()
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 1))).get_json()
    sid = session_id(fake_stripe, placed)
    fake_stripe.complete(sid, shipping_option=1, address={  # Express goes to the US only
        "name": "Lee", "line1": "9 Rue", "city": "Montreal", "postal_code": "H2X",
        "state": "QC", "country": "CA"})
    deliver(client, fake_stripe.session_event("checkout.session.completed", sid))
    assert order(client, placed)["status"] == "paid"
    with app.app_context():
        assert "does not deliver to CA" in db.session.scalar(select(Order.flag))


# --- staff shipping methods --------------------------------------------------------------

def test_admins_set_up_shipping_methods(client, demo, staff):
    admin = staff.headers("admin")
    made = client.post("/api/v1/staff/shipping-methods", headers=admin, json={
        "name": "Courier", "amount": 2500, "estimate": "Next day", "min_days": 1,
        "max_days": 1, "countries": ["us"], "free_above": 20000})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["countries"] == ["US"]
    listed = client.get("/api/v1/staff/shipping-methods", headers=admin).get_json()["items"]
    assert [m["name"] for m in listed] == ["Standard", "Express", "Courier"]
    method_id = made.get_json()["id"]
    changed = client.patch(f"/api/v1/staff/shipping-methods/{method_id}", headers=admin,
                           json={"active": False})
    assert changed.status_code == 200 and changed.get_json()["estimate"] == "Next day"
    cart = client.get(f"/api/v1/carts/{cart_with(client, ('BB-LIGHT', 1))}").get_json()
    assert "Courier" not in [o["name"] for o in cart["shipping_options"]]


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "X", "amount": -1, "countries": ["US"]}, "amount"),
    ({"name": "X", "amount": "5", "countries": ["US"]}, "amount"),
    ({"name": "X", "amount": 10**12, "countries": ["US"]}, "amount"),
    ({"name": "X", "amount": 5, "countries": ["USA"]}, "countries"),
    ({"name": "X", "amount": 5, "countries": []}, "countries"),
    ({"name": "", "amount": 5, "countries": ["US"]}, "name"),
    ({"name": "X", "amount": 5, "countries": ["US"], "min_days": 5, "max_days": 2}, "min_days"),
    ({"name": "X", "amount": 5, "countries": ["US"], "colour": "red"}, "colour"),
])
def test_a_bad_shipping_method_is_refused_with_its_field(client, demo, staff, body, field):
    admin = staff.headers("admin")
    response = client.post("/api/v1/staff/shipping-methods", headers=admin, json=body)
    assert response.status_code == 422
    assert field in str(response.get_json()["errors"])
    listed = client.get("/api/v1/staff/shipping-methods", headers=admin).get_json()["items"]
    assert len(listed) == 2


def test_shipping_methods_are_for_admins_only(client, demo, staff):
    moderator = staff.headers("moderator")
    assert client.get("/api/v1/staff/shipping-methods", headers=moderator).status_code == 403
    assert client.post("/api/v1/staff/shipping-methods", headers=moderator,
                       json={"name": "X", "amount": 5, "countries": ["US"]}).status_code == 403
    assert client.get("/api/v1/staff/shipping-methods").status_code == 401


# --- settings ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("config", "words"), [
    ({"TAX_RATES": "CA:five"}, "TAX_RATES must read like"),
    ({"TAX_RATES": "CAN:5"}, "TAX_RATES must read like"),
    ({"TAX_RATES": "CA:150"}, "TAX_RATES must read like"),
    ({"TAX_RATES": "CA:5.125"}, "TAX_RATES must read like"),
    ({"SHIPPING_COUNTRIES": "US,Canada"}, "CANADA is not"),
    ({"MAIL_URL": "http://mail.example.com"}, "MAIL_URL must start with smtp://"),
])
def test_shipping_tax_and_mail_settings_are_checked_at_start(tmp_path, config, words):
    with pytest.raises(ConfigError, match=words):
        Settings.from_config({"TESTING": True, **config}, instance_path=str(tmp_path))


def test_tax_rates_read_as_basis_points(tmp_path):
    settings = Settings.from_config({"TESTING": True, "TAX_RATES": "ca:5, GB:20.5"},
                                    instance_path=str(tmp_path))
    assert settings.tax_rate_table == {"CA": 500, "GB": 2050}


# --- staff console ------------------------------------------------------------------------

def console_post(client, staff, path, **fields):
    return client.post(path, data={"csrf_token": staff.csrf_token(path), **fields})


def test_admins_add_and_change_methods_in_the_console(client, demo, staff):
    staff.login(staff.create("admin").email)
    page = client.get("/staff/shipping").get_data(as_text=True)
    assert "Standard" in page and "$4.99" in page and "$50.00" in page
    added = console_post(client, staff, "/staff/shipping", **{
        "name": "Courier", "price": "12.50", "estimate": "Next day",
        "countries": "us, ca", "free_above": "", "active": "y"})
    assert added.status_code == 303
    listed = client.get("/staff/shipping").get_data(as_text=True)
    assert "Courier" in listed and "$12.50" in listed and "US, CA" in listed
    method_id = client.get("/api/v1/staff/shipping-methods",
                           headers=staff.headers("admin")).get_json()["items"][-1]["id"]
    path = f"/staff/shipping/{method_id}"
    assert 'value="12.50"' in client.get(path).get_data(as_text=True)
    console_post(client, staff, path, name="Courier", price="9", countries="US")  # not active
    cart = client.get(f"/api/v1/carts/{cart_with(client, ('BB-LIGHT', 1))}").get_json()
    assert "Courier" not in [o["name"] for o in cart["shipping_options"]]


@pytest.mark.parametrize(("fields", "words"), [
    ({"price": "4.999"}, "Type an amount such as 4.99"),
    ({"price": "-1"}, "Type an amount such as 4.99"),
    ({"countries": "USA"}, "two-letter codes"),
    ({"min_days": "5", "max_days": "2"}, "at least the fewest days"),
])
def test_a_wrong_method_in_the_console_is_explained_and_kept(client, demo, staff, fields,
                                                               words):
    staff.login(staff.create("admin").email)
    form = {"name": "Courier", "price": "5", "countries": "US", **fields}
    response = console_post(client, staff, "/staff/shipping", **form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and words in page
    assert 'value="Courier"' in page and 'aria-invalid="true"' in page
    assert "Courier" not in page.split("<section")[0]  # not in the list of methods


def test_moderators_cannot_open_the_shipping_pages(client, demo, staff):
    staff.login(staff.create("moderator").email)
    assert client.get("/staff/shipping").status_code == 403
