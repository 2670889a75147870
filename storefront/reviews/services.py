"""Review rules: one per email and product, verified purchases, ratings from approved only."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import exists, select

from ..catalog.models import Product
from ..errors import InvalidError, NotFoundError
from ..moderation import services as moderation
from ..moderation.services import Target
from ..orders.models import PAID_STATUSES, Order, OrderLine

KIND = "review"
REVIEW_LINK_SALT = "storefront-review-link"


def product_target(session, slug: str) -> Target:
    """The product a review is about; unknown slugs are not found."""
    row = session.execute(select(Product.id, Product.name).where(Product.slug == slug)).first()
    if row is None:
        raise NotFoundError(f"No product {slug!r}.")
    return Target(type="product", id=row.id, slug=slug, title=row.name)


def review_key(secret: str, order_number: str) -> str:
    """The key in an order's review links: it proves, to whoever holds it, that they
    placed that order (and so may write reviews with the verified-purchase badge)."""
    return URLSafeSerializer(secret, salt=REVIEW_LINK_SALT).dumps(order_number)


def order_number_from_key(secret: str, key: str | None) -> str | None:
    """The order number a review key was made for, or None for a missing or forged key."""
    if not key or len(key) > 200:
        return None
    try:
        number = URLSafeSerializer(secret, salt=REVIEW_LINK_SALT).loads(key)
    except BadSignature:
        return None
    return number if isinstance(number, str) else None


def proven_order(session, secret: str, *, review_key: str | None = None,
                 order_number: str | None = None, order_token: str | None = None) -> str | None:
    """The order a reviewer proved they placed: by the key of a review link, or by the
    order's number with its secret token. Knowing a buyer's email proves nothing."""
    if review_key:
        number = order_number_from_key(secret, review_key)
        if number is None:
            raise InvalidError("That review link is not valid.", reason="invalid_proof",
                               field="review_key")
        return number
    if order_number or order_token:
        from ..checkout.services import find_order  # checkout reaches reviews through mail
        try:
            return find_order(session, order_number or "", order_token).number
        except NotFoundError:
            raise InvalidError("That order number and token do not match an order.",
                               reason="invalid_proof", field="order_token") from None
    return None


def bought(session, order_number: str | None, product_id: int) -> bool:
    """Whether that order is paid (or shipped) and contains the product."""
    if order_number is None:
        return False
    return session.scalar(select(exists().where(
        Order.id == OrderLine.order_id, Order.number == order_number,
        Order.status.in_(PAID_STATUSES), OrderLine.product_id == product_id)))


def submit_review(session, plugins, *, slug: str, rating: int, title: str, body: str,
                  author_name: str, email: str, honeypot: str = "",
                  spam_settings, proven_order_number: str | None = None):
    """Store a review as pending (or spam). It carries the verified-purchase badge when
    the order the writer proved (`proven_order`) is paid and holds the product."""
    target = product_target(session, slug)
    return moderation.submit(session, plugins, kind=KIND, target=target,
                             author_name=author_name, email=email, body=body, title=title,
                             rating=rating, honeypot=honeypot, unique_per_author=True,
                             verified_purchase=bought(session, proven_order_number, target.id),
                             moderation=spam_settings)


def approved_reviews(session, slug: str, *, limit: int, cursor: str | None):
    """A product's approved reviews, newest first."""
    return moderation.public_items(session, kind=KIND, target=product_target(session, slug),
                                   limit=limit, cursor=cursor)
