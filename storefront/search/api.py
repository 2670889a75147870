"""Search API: `GET /search?q=` over products, exercises and articles, ranked."""

from __future__ import annotations

import hashlib

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import sharedcache
from ..extensions import db
from ..media.schemas import ThumbnailSchema
from ..restapi import cached_json
from ..schemas import MoneySchema
from ..textsearch import MAX_QUERY_LENGTH, clean_query
from . import services

NOTHING_TO_SEARCH = "Type at least one word or number to search for."


class SearchArgsSchema(ma.Schema):
    """Query arguments of a search."""

    q = ma.fields.String(required=True, metadata={
        "description": "What to look for. Words are matched by their start (`bri` finds "
                       "bridges) and all must match; punctuation and operators are ignored. "
                       f"Only the first {MAX_QUERY_LENGTH} characters and "
                       f"{services.MAX_TERMS} words count."})
    limit = ma.fields.Integer(load_default=services.DEFAULT_LIMIT,
                              validate=ma.validate.Range(min=1, max=services.MAX_LIMIT),
                              metadata={"description": f"Results, 1-{services.MAX_LIMIT}."})

    @ma.validates("q")
    def has_words(self, value, **kwargs):
        """A query without a letter or digit (empty, spaces, only symbols) is refused."""
        if not services.terms(value):
            raise ma.ValidationError(NOTHING_TO_SEARCH)


class SearchHitSchema(ma.Schema):
    """One result."""

    type = ma.fields.String(required=True, metadata={
        "description": "What was found: `product`, `exercise` or `article`.",
        "example": "exercise"})
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True, metadata={"description": "Plain text."})
    url = ma.fields.String(required=True, metadata={"description": "Its page."})
    snippet = ma.fields.String(required=True, metadata={
        "description": "An HTML excerpt around the matches: matched words are wrapped in "
                       "`<mark>...</mark>` and everything else is HTML-escaped, so it is "
                       "safe to insert as HTML as it is. May be empty.",
        "example": "Lie on your back and lift your hips into a <mark>bridge</mark> …"})
    price_from = ma.fields.Nested(MoneySchema, allow_none=True, metadata={
        "description": "Products only: the lowest price of the variants on offer (null "
                       "when none is offered)."})
    in_stock = ma.fields.Boolean(metadata={
        "description": "Products only: whether any variant on offer is in stock."})
    image = ma.fields.Nested(ThumbnailSchema, allow_none=True, metadata={
        "description": "Products only: `{url, alt}` of the first picture's smallest "
                       "rendition, or null when the product has no picture."})


class SearchResultSchema(ma.Schema):
    """The results of a search, best first."""

    query = ma.fields.String(required=True, metadata={
        "description": "The query as searched: trimmed, without control characters."})
    items = ma.fields.List(ma.fields.Nested(SearchHitSchema), required=True)
    did_you_mean = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "When the query found nothing as typed but a close spelling of "
                       "its words did (`hamstirng` -> `hamstring`), that spelling, and "
                       "`items` are its results; otherwise null."})


RESULT = SearchResultSchema()
SEARCH_TTL = services.CACHE_TTL


def hit_json(hit: services.SearchHit) -> dict:
    """One result as the API answers it: products with their price, stock and picture."""
    item: dict[str, object] = {"type": hit.type, "slug": hit.slug, "title": hit.title,
                               "url": hit.url, "snippet": hit.snippet}
    if hit.type == "product":
        item.update(price_from=hit.price_from.as_dict() if hit.price_from else None,
                    in_stock=bool(hit.in_stock), image=hit.image)
    return item


def make_blueprint() -> Blueprint:
    """A fresh search blueprint for one app."""
    blp = Blueprint("search", __name__, url_prefix="/search",
                    description="One search over products, exercises and articles.")
    admission = sharedcache.CacheAdmission(window=SEARCH_TTL)

    @blp.route("")
    class Search(MethodView):
        @blp.etag
        @blp.arguments(SearchArgsSchema, location="query")
        @blp.response(200, SearchResultSchema)
        def get(self, args):
            """Search products, exercises and published articles, best match first.

            Titles weigh more than summaries, summaries more than the rest; a query that
            names a product puts it first. Product results carry their price, stock and
            thumbnail. When nothing matches as typed, the results of the closest spelling
            are answered with `did_you_mean`. An empty query, or one without any letter or
            digit, is a 422.
            """
            query = clean_query(args["q"])

            def build():
                found = services.find(
                    db.session, query, limit=args["limit"],
                    site_url=current_app.extensions["storefront"].settings.site_url)
                return {"query": query, "items": [hit_json(hit) for hit in found.hits],
                        "did_you_mean": found.did_you_mean}
            digest = hashlib.sha256(query.encode()).hexdigest()  # any text, a tidy key
            key = f"api:search:{args['limit']}:{digest}"
            # Anyone can ask for any phrase: only repeated ones are kept (see
            # `CacheAdmission`), and for a minute, not five.
            return cached_json(blp, RESULT, key, build, ttl=SEARCH_TTL,
                               store=admission.admit(key))

    return blp
