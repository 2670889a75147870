"""Search ranks tier by tier (PostgreSQL stops once the page is full): whatever the page
size, the order is the one the ranking rules give, on both databases, and a change to a
title moves its document between tiers at the next search."""

import pytest

from .factories import make_article, make_product

API = "/api/v1/search"


@pytest.fixture
def tiers(session):
    """One document per ranking tier for the query "quokka strap", best first."""
    make_product(session, "quokka-strap", name="Quokka Strap")
    make_product(session, "quokka-strap-pro", name="Quokka Strap Pro")
    titled = make_article(session, "strap-article", body="Straps for the quokka.")
    titled.title = "Quokka strap care"
    ball = make_product(session, "quokka-ball", name="Quokka Ball")
    ball.description = "A ball with a strap."
    make_article(session, "body-article", body="A quokka with a strap, in the body only.")
    session.commit()
    return ["quokka-strap", "quokka-strap-pro", "strap-article", "quokka-ball", "body-article"]


def slugs(client, q, limit):
    response = client.get(API, query_string={"q": q, "limit": limit})
    assert response.status_code == 200, response.get_json()
    return [item["slug"] for item in response.get_json()["items"]]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 50])
def test_every_page_size_gives_the_same_order(client, tiers, limit):
    assert slugs(client, "quokka strap", limit) == tiers[:limit]


def test_a_renamed_title_moves_tiers_at_the_next_search(client, session, tiers):
    from sqlalchemy import select

    from storefront.catalog.models import Product

    ball = session.scalar(select(Product).where(Product.slug == "quokka-ball"))
    ball.name = "Quokka Strap Ball"
    session.commit()
    assert slugs(client, "quokka strap", 50)[:3] == [
        "quokka-strap", "quokka-strap-pro", "quokka-ball"]
