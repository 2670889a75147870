"""The schema: migrations match the models, and the database itself guards stock."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from storefront.catalog.models import Variant
from storefront.extensions import db
from storefront.search.models import include_object

from .factories import make_product


def test_migrations_build_exactly_the_models_schema(app):
    # The full-text objects (FTS5 tables on SQLite, the tsvector column and its GIN index
    # on PostgreSQL) are built by hand in migration 0005 and cannot be described by the
    # models; the same filter as the migrations' env.py leaves them out of the comparison.
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False,
                                                         "include_object": include_object})
        assert compare_metadata(context, db.metadata) == []


def test_stock_can_never_go_below_zero(session):
    product = make_product(session, stock=2)
    variant_id = product.variants[0].id
    with pytest.raises(IntegrityError):
        session.query(Variant).filter_by(id=variant_id).update({"stock": Variant.stock - 3})
        session.commit()
    session.rollback()
    assert session.get(Variant, variant_id).stock == 2


def test_sku_is_unique(session):
    make_product(session, "one")
    with pytest.raises(IntegrityError):
        make_product(session, "one")
    session.rollback()


def test_unexpected_errors_in_the_api_are_json_500(app, client):
    blp = Blueprint("boom", __name__, url_prefix="/boom")

    @blp.route("")
    def boom():
        raise RuntimeError("unexpected")

    state = app.extensions["storefront"]
    state.api.register_blueprint(blp, url_prefix=state.api_prefix + "/boom")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/v1/boom")
    assert response.status_code == 500 and response.is_json
    assert response.get_json()["code"] == 500
    assert "unexpected" not in response.get_data(as_text=True)


def test_a_savepoint_first_in_a_transaction_is_undone_with_it(app, session):
    """A savepoint taken before any write (as applying a payment event does) stays part of
    its transaction: rolling the transaction back undoes what the savepoint kept."""
    from sqlalchemy import func, select

    from storefront.cart.models import Cart

    session.execute(select(func.count()).select_from(Cart))  # a read opens nothing to write
    with session.begin_nested():
        session.add(Cart(token="kept-by-the-savepoint"))
    session.add(Cart(token="written-after-it"))
    session.flush()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Cart)) == 0
