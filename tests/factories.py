"""Test data: one small factory per model, plus staff actions."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

from content.models import Article, ArticleExercise, ArticleProduct, Exercise, ExerciseProduct
from storefront.catalog.models import Product, Variant
from storefront.staff.services import create_staff, create_token

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def make_product(session, slug=None, *, variants=1, price=1999, stock=10, name=None) -> Product:
    """A product with `variants` variants, prices rising by one dollar."""
    n = next(_seq)
    slug = slug or f"band-{n}"
    product = Product(slug=slug, name=name or f"Band {n}", description=f"About band {n}.",
                      image="better-band.svg")
    for i in range(variants):
        product.variants.append(make_variant(sku=f"{slug.upper()}-{i}", price=price + 100 * i,
                                             stock=stock, position=i))
    session.add(product)
    session.commit()
    return product


def make_variant(*, sku, price=1999, stock=10, position=0, name=None) -> Variant:
    """A variant, not yet attached to a product."""
    return Variant(sku=sku, name=name or sku.title(), resistance="Medium",
                   price_amount=price, currency="usd", stock=stock, position=position)


def make_exercise(session, slug=None, *, products=(), role="required") -> Exercise:
    """An exercise linked to `products`."""
    n = next(_seq)
    exercise = Exercise(slug=slug or f"move-{n}", name=f"Move {n}", summary=f"Summary {n}.",
                        steps=["Stand.", "Move."], muscles=["Glutes"], safety="Go slowly.")
    exercise.product_links = [ExerciseProduct(product=p, role=role, position=i)
                              for i, p in enumerate(products)]
    session.add(exercise)
    session.commit()
    return exercise


def make_article(session, slug=None, *, body="Hello.", status="published",
                 published_at=None, exercises=(), products=()) -> Article:
    """An article (published by default) linked to exercises and products."""
    n = next(_seq)
    article = Article(slug=slug or f"post-{n}", title=f"Post {n}", summary=f"Summary {n}.",
                      body_markdown=body, status=status,
                      published_at=published_at or datetime(2026, 1, n % 28 + 1, tzinfo=UTC))
    article.exercise_links = [ArticleExercise(exercise=e, position=i)
                              for i, e in enumerate(exercises)]
    article.product_links = [ArticleProduct(product=p, position=i)
                             for i, p in enumerate(products)]
    session.add(article)
    session.commit()
    return article


class StaffActions:
    """Staff members, their tokens and their console sessions."""

    def __init__(self, client, session):
        self.client, self.session = client, session

    def create(self, role="moderator", email=None):
        """A staff member with the shared test password."""
        email = email or f"{role}{next(_seq)}@example.com"
        return create_staff(self.session, email, role, PASSWORD)

    def token(self, role="moderator") -> str:
        """A bearer token for a new staff member with `role`."""
        user = self.create(role)
        return create_token(self.session, user.email)

    def headers(self, role="moderator") -> dict:
        """Authorization headers for a new staff member with `role`."""
        return {"Authorization": f"Bearer {self.token(role)}"}

    def csrf_token(self, path="/staff/login") -> str:
        """The CSRF token of the form on `path`."""
        page = self.client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def login(self, email, password=PASSWORD):
        """Submit the console login form."""
        return self.client.post("/staff/login", data={
            "csrf_token": self.csrf_token(), "email": email, "password": password})


def make_order(session, status="pending_payment", *, product=None, quantity=1,
               provider="test", session_id=None):
    """An order in `status` for one line of `product` (a new product by default)."""
    from storefront.checkout.services import new_order_number
    from storefront.orders.models import Order, OrderLine
    from storefront.tokens import digest

    product = product or make_product(session)
    variant = product.variants[0]
    order = Order(number=new_order_number(), token_hash=digest("t"),
                  email="buyer@example.com", status=status, currency=variant.currency,
                  total_amount=variant.price_amount * quantity, payment_provider=provider,
                  payment_session_id=session_id,
                  lines=[OrderLine(variant_id=variant.id, product_id=product.id, sku=variant.sku,
                                   name=product.name, quantity=quantity,
                                   unit_amount=variant.price_amount, currency=variant.currency)])
    session.add(order)
    session.commit()
    return order
