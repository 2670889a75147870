"""Staff changes to the catalogue: products and their variants, checked, versioned and audited.

Every write names the staff member (`actor`) and leaves a `StaffAction` row in the same
transaction. An update carries the version it was based on: a stale one is refused
before anything changes (412, storefront/versioning.py), and two writers that both read the same
version race only as far as the database, where `version_id_col` lets one UPDATE match
and turns the other into `StaleDataError`, refused the same way. Search documents and
the shared cache follow through session events, in the same commit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..errors import ConflictError, InvalidError, NotFoundError
from ..money import format_money
from ..orders.models import StaffAction
from ..pagination import keyset_page
from ..versioning import check_version, commit_versioned
from .models import PRODUCT_STATUSES, Product, Variant

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SLUG_RULE = "Use lowercase letters, digits and hyphens, starting with a letter or digit."
SKU_RULE = "Use letters, digits, dots, hyphens and underscores (at most 64)."
PRODUCT_FIELDS = ("slug", "name", "kind", "summary", "description", "options", "status")
VARIANT_FIELDS = ("sku", "name", "options", "price", "compare_at_price", "stock", "active")
# What a change of status is called in the audit log.
STATUS_ACTIONS = {"archived": "archive", "active": "publish", "draft": "unpublish"}
MAX_OPTIONS = 5


# ---------------------------------------------------------------------------
# Reading for staff (every status)
# ---------------------------------------------------------------------------

def staff_products(session, *, status: str | None = None, limit: int = 50,
                   cursor: str | None = None) -> tuple[list[Product], str | None]:
    """One page of products in any status (or those in `status`), oldest first."""
    stmt = select(Product).options(selectinload(Product.variants))
    if status:
        stmt = stmt.where(Product.status == status)
    return keyset_page(session, stmt, [Product.id], limit=limit, cursor=cursor)


def staff_product(session, slug: str) -> Product:
    """A product in any status, with its variants."""
    product = session.scalar(select(Product).where(Product.slug == slug)
                             .options(selectinload(Product.variants)))
    if product is None:
        raise NotFoundError(f"No product {slug!r}.")
    return product


def staff_variant(session, sku: str) -> Variant:
    """A variant in any state, with its product."""
    variant = session.scalar(select(Variant).where(Variant.sku == sku)
                             .options(selectinload(Variant.product)))
    if variant is None:
        raise NotFoundError(f"No variant {sku!r}.", reason="variant_not_found")
    return variant


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

def _check_slug(session, slug: str, product_id: int | None = None) -> None:
    if not SLUG.match(slug):
        raise InvalidError(SLUG_RULE, field="slug")
    taken = session.scalar(select(Product.id).where(Product.slug == slug))
    if taken is not None and taken != product_id:
        raise ConflictError(f"Another product already has the slug {slug!r}.",
                            reason="slug_taken")


def _check_sku(session, sku: str, variant_id: int | None = None) -> None:
    if not SKU.match(sku):
        raise InvalidError(SKU_RULE, field="sku")
    taken = session.scalar(select(Variant.id).where(Variant.sku == sku))
    if taken is not None and taken != variant_id:
        raise ConflictError(f"Another variant already has the SKU {sku!r}.",
                            reason="sku_taken")


def clean_option_names(names) -> list[str]:
    """Option names as kept: trimmed, none empty, none twice (ignoring case)."""
    cleaned = [" ".join(str(name).split()) for name in names]
    if any(not name for name in cleaned):
        raise InvalidError("An option needs a name, such as Size.", field="options")
    if len({name.lower() for name in cleaned}) != len(cleaned):
        raise InvalidError("Each option name may appear once.", field="options")
    if len(cleaned) > MAX_OPTIONS:
        raise InvalidError(f"At most {MAX_OPTIONS} options.", field="options")
    return cleaned


def clean_option_values(product: Product, values: Mapping) -> dict[str, str]:
    """A variant's option values: one non-empty value for each of the product's options
    and nothing else, in the product's order."""
    given = {str(k): " ".join(str(v).split()) for k, v in (values or {}).items()}
    unknown = sorted(set(given) - set(product.options))
    if unknown:
        allowed = ", ".join(product.options) or "none"
        raise InvalidError(f"{product.name} has no option {', '.join(unknown)} (its options: "
                           f"{allowed}).", field="options")
    missing = [name for name in product.options if not given.get(name)]
    if missing:
        raise InvalidError(f"Give a value for {', '.join(missing)}.", field="options")
    return {name: given[name] for name in product.options}


def _check_prices(price: int, compare_at: int | None) -> None:
    if price < 0:
        raise InvalidError("The price must not be below zero.", field="price")
    if compare_at is not None and compare_at <= price:
        raise InvalidError("The compare-at price must be above the price, or left empty.",
                           field="compare_at_price")


def _audit(session, actor: str, action: str, subject_type: str, subject: str,
           detail: str) -> None:
    session.add(StaffAction(actor=actor, action=action, subject_type=subject_type,
                            subject=subject, detail=detail[:4000]))


def _described(value) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "none"
    if isinstance(value, str) and len(value) > 60:
        return repr(value[:57] + "...")
    return repr(value)


def _changes(before: dict, after: dict) -> str:
    return "; ".join(f"{name}: {_described(before[name])} -> {_described(after[name])}"
                     for name in after if before.get(name) != after[name])


# ---------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------

def product_values(product: Product) -> dict:
    """A product's editable fields, as staff write them."""
    return {"slug": product.slug, "name": product.name, "kind": product.kind,
            "summary": product.summary, "description": product.description,
            "options": list(product.options or []), "status": product.status}


def _clean_product(values: Mapping) -> dict:
    cleaned = {k: values[k] for k in PRODUCT_FIELDS if k in values}
    for name in ("name", "kind"):
        if name in cleaned:
            cleaned[name] = " ".join(str(cleaned[name]).split())
            if not cleaned[name]:
                raise InvalidError("This must not be empty.", field=name)
    if "kind" in cleaned:
        cleaned["kind"] = cleaned["kind"].lower()
    if "slug" in cleaned:
        cleaned["slug"] = cleaned["slug"].strip()
    if "options" in cleaned:
        cleaned["options"] = clean_option_names(cleaned["options"])
    if cleaned.get("status", "draft") not in PRODUCT_STATUSES:
        raise InvalidError("Use draft, active or archived.", field="status")
    return cleaned


def create_product(session, values: Mapping, *, actor: str) -> Product:
    """A new product (a draft unless `status` says otherwise), audited."""
    cleaned = _clean_product(values)
    for name in ("slug", "name", "kind"):
        if not cleaned.get(name):
            raise InvalidError("This is required.", field=name)
    _check_slug(session, cleaned["slug"])
    product = Product(slug=cleaned["slug"], name=cleaned["name"], kind=cleaned["kind"],
                      summary=cleaned.get("summary") or "",
                      description=cleaned.get("description") or "",
                      options=cleaned.get("options") or [],
                      status=cleaned.get("status") or "draft")
    session.add(product)
    _audit(session, actor, "create", "product", product.slug,
           f"created as {product.status}: {product.name} ({product.kind}); options: "
           f"{_described(product.options)}")
    commit_versioned(session, "product")
    return product


def update_product(session, slug: str, changes: Mapping, *, expected_version: int | None,
                   actor: str) -> Product:
    """Change a product's fields, if `expected_version` is still its version."""
    product = staff_product(session, slug)
    check_version(product.version, expected_version, "product")
    cleaned = _clean_product(changes)
    if "slug" in cleaned and cleaned["slug"] != product.slug:
        _check_slug(session, cleaned["slug"], product.id)
    before = product_values(product)
    if "options" in cleaned:
        _reshape_variant_options(product, cleaned["options"])
    for name, value in cleaned.items():
        setattr(product, name, value)
    after = product_values(product)
    detail = _changes(before, after)
    if not detail:
        return product  # nothing to change, nothing to log, the version stays
    action = "update"
    if before["status"] != after["status"]:
        action = ("restore" if before["status"] == "archived"
                  else STATUS_ACTIONS[after["status"]])
    _audit(session, actor, action, "product", before["slug"], detail)
    commit_versioned(session, "product")
    return product


def set_product_status(session, slug: str, status: str, *, expected_version: int | None,
                       actor: str) -> Product:
    """Publish, archive or restore a product (restore brings an archived one back as a draft)."""
    return update_product(session, slug, {"status": status},
                          expected_version=expected_version, actor=actor)


def _reshape_variant_options(product: Product, names: list[str]) -> None:
    """Options removed from a product leave its variants; a new option needs values
    first, which variants cannot have yet, so it is refused while there are variants."""
    added = [name for name in names if name not in product.options]
    if added and product.variants:
        raise InvalidError(f"{product.name} already has variants: add the option "
                           f"{', '.join(added)} to a new product, or remove its variants "
                           "first.", field="options")
    for variant in product.variants:
        kept = {k: v for k, v in (variant.options or {}).items() if k in names}
        if kept != variant.options:
            variant.options = kept


# ---------------------------------------------------------------------------
# Variants
# ---------------------------------------------------------------------------

def variant_values(variant: Variant) -> dict:
    """A variant's editable fields, as staff write them (money in minor units)."""
    return {"sku": variant.sku, "name": variant.name, "options": dict(variant.options or {}),
            "price": variant.price_amount, "compare_at_price": variant.compare_at_amount,
            "stock": variant.stock, "active": variant.active}


def default_name(product: Product, options: Mapping[str, str]) -> str:
    """What a variant is called when staff give no name: its option values ("Medium")."""
    return " / ".join(options[name] for name in product.options if options.get(name)) \
        or product.name


def create_variant(session, slug: str, values: Mapping, *, actor: str) -> Variant:
    """A new variant of a product, its options checked against the product's, audited."""
    product = staff_product(session, slug)
    sku = str(values.get("sku") or "").strip()
    _check_sku(session, sku)
    options = clean_option_values(product, values.get("options") or {})
    price, compare_at = values.get("price"), values.get("compare_at_price")
    if price is None:
        raise InvalidError("This is required.", field="price")
    _check_prices(price, compare_at)
    stock = values.get("stock") or 0
    if stock < 0:
        raise InvalidError("Stock must not be below zero.", field="stock")
    name = " ".join(str(values.get("name") or "").split()) or default_name(product, options)
    position = session.scalar(select(func.coalesce(func.max(Variant.position) + 1, 0))
                              .where(Variant.product_id == product.id))
    variant = Variant(sku=sku, name=name, options=options, price_amount=price,
                      compare_at_amount=compare_at, stock=stock,
                      active=values.get("active", True), position=position,
                      currency=_currency(session, product),
                      resistance=options.get("Resistance", ""))
    product.variants.append(variant)
    _audit(session, actor, "create", "variant", sku,
           f"for {product.slug}: {name}, {format_money(price, variant.currency)}, "
           f"{stock} in stock")
    commit_versioned(session, "variant", taken="SKU")
    return variant


def _currency(session, product: Product) -> str:
    """A new variant's currency: its product's, else the shop's (the one prices are in)."""
    if product.variants:
        return product.variants[0].currency
    return session.scalar(select(Variant.currency).limit(1)) or "usd"


def update_variant(session, sku: str, changes: Mapping, *, expected_version: int | None = None,
                   actor: str) -> Variant:
    """Change a variant; with `expected_version`, only if nobody changed it since."""
    variant = staff_variant(session, sku)
    if expected_version is not None:
        check_version(variant.version, expected_version, "variant")
    product = variant.product
    before = variant_values(variant)
    if "sku" in changes and changes["sku"] != variant.sku:
        _check_sku(session, str(changes["sku"]).strip(), variant.id)
        variant.sku = str(changes["sku"]).strip()
    if "options" in changes:
        options = clean_option_values(product, changes["options"])
        if options.get("Resistance") and options["Resistance"] != \
                (variant.options or {}).get("Resistance"):
            variant.resistance = options["Resistance"]
        variant.options = options
    price = changes.get("price", variant.price_amount)
    compare_at = changes.get("compare_at_price", variant.compare_at_amount)
    _check_prices(price, compare_at)
    if changes.get("stock") is not None and changes["stock"] < 0:
        raise InvalidError("Stock must not be below zero.", field="stock")
    variant.price_amount, variant.compare_at_amount = price, compare_at
    if changes.get("stock") is not None:
        variant.stock = changes["stock"]
    if changes.get("active") is not None:
        variant.active = bool(changes["active"])
    if "name" in changes:
        variant.name = " ".join(str(changes["name"] or "").split()) \
            or default_name(product, variant.options)
    detail = _changes(before, variant_values(variant))
    if not detail:
        return variant
    _audit(session, actor, "update", "variant", before["sku"], detail)
    commit_versioned(session, "variant", taken="SKU")
    return variant


def history(session, subject_type: str, subject: str, limit: int = 20) -> list[StaffAction]:
    """The newest audit rows about one product or variant."""
    return list(session.scalars(
        select(StaffAction).where(StaffAction.subject_type == subject_type,
                                  StaffAction.subject == subject)
        .order_by(StaffAction.id.desc()).limit(limit)))
