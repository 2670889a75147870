"""Plain values that cross the plugin boundary: no database rows, no SDK objects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProductRef:
    """Enough of a product for a plugin to find what belongs to it."""

    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class ContentLink:
    """A link from a product to a piece of content (or back), as shown to readers."""

    kind: str  # "exercise" or "article"
    slug: str
    title: str
    url: str
    summary: str = ""
    role: str | None = None  # "required" or "optional" where the link has one


@dataclass(frozen=True, slots=True)
class NavLink:
    """An entry in the storefront's header navigation."""

    label: str
    endpoint: str
    order: int = 100
