"""Review rules: one per email and product, verified purchases, ratings from approved only."""

from __future__ import annotations

from sqlalchemy import exists, select

from ..catalog.models import Product
from ..errors import NotFoundError
from ..moderation import services as moderation
from ..moderation.services import Target
from ..orders.models import Order, OrderLine

KIND = "review"


def product_target(session, slug: str) -> Target:
    """The product a review is about; unknown slugs are not found."""
    row = session.execute(select(Product.id, Product.name).where(Product.slug == slug)).first()
    if row is None:
        raise NotFoundError(f"No product {slug!r}.")
    return Target(type="product", id=row.id, slug=slug, title=row.name)


def bought(session, email: str, product_id: int) -> bool:
    """Whether this email has a paid (or shipped) order containing the product."""
    return session.scalar(select(exists().where(
        Order.id == OrderLine.order_id, Order.email == email.strip().lower(),
        Order.status.in_(("paid", "fulfilled")), OrderLine.product_id == product_id)))


def submit_review(session, plugins, *, slug: str, rating: int, title: str, body: str,
                  author_name: str, email: str, honeypot: str = ""):
    """Store a review as pending (or spam); a second one from the same email is a 409."""
    target = product_target(session, slug)
    return moderation.submit(session, plugins, kind=KIND, target=target,
                             author_name=author_name, email=email, body=body, title=title,
                             rating=rating, honeypot=honeypot, unique_per_author=True,
                             verified_purchase=bought(session, email, target.id))


def approved_reviews(session, slug: str, *, limit: int, cursor: str | None):
    """A product's approved reviews, newest first."""
    return moderation.public_items(session, kind=KIND, target=product_target(session, slug),
                                   limit=limit, cursor=cursor)
