"""The core's own sections of the staff console, contributed through `staff_console_links`
like any plugin's, and the navigation built from every contribution."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.routing import BuildError

from plugins.hookspecs import hookimpl
from plugins.types import ConsoleLink


@hookimpl
def staff_console_links():
    """Orders, Products, Moderation, Reports, Shipping, Discount codes and Staff."""
    return [
        ConsoleLink("Orders", "staff_order_desk.orders", "admin", order=10),
        ConsoleLink("Products", "staff_catalog.products", "editor", order=20),
        ConsoleLink("Moderation", "staff_console.moderation_queue", "moderator", order=50),
        ConsoleLink("Reports", "staff_console.attribution_report", "admin", order=60),
        ConsoleLink("Shipping", "staff_console.shipping_methods", "admin", order=70),
        ConsoleLink("Discount codes", "staff_console.discount_codes", "admin", order=75),
        ConsoleLink("Staff", "staff_console.team", "admin", order=80),
    ]


@dataclass(frozen=True, slots=True)
class NavEntry:
    """One section as the console's navigation shows it."""

    label: str
    endpoint: str
    url: str
    current: bool


def visible_links(contributed, user, endpoints) -> list[ConsoleLink]:
    """The links `user` may follow, among those whose endpoint the app has (a section
    still being built never breaks the console), sorted by `order`, then label."""
    links = {(link.label, link.endpoint): link for batch in contributed for link in batch
             if link.endpoint in endpoints and user.has_role(link.role)}
    return sorted(links.values(), key=lambda link: (link.order, link.label))


def navigation(links, url_for, endpoint: str | None, path: str) -> list[NavEntry]:
    """Nav entries with the current section marked: the link to this very view, or else
    the one whose address is the longest folder above this page's (an order's page sits
    under Orders)."""
    built = []
    for link in links:
        try:
            built.append((link, url_for(link.endpoint)))
        except BuildError:  # an endpoint that needs arguments is no section
            continue
    links = [link for link, _ in built]
    urls = [url for _, url in built]
    current = next((i for i, link in enumerate(links) if link.endpoint == endpoint), None)
    if current is None:
        above = [(len(url.rstrip("/")), i) for i, url in enumerate(urls)
                 if path == url or path.startswith(url.rstrip("/") + "/")]
        current = max(above)[1] if above else None
    return [NavEntry(link.label, link.endpoint, url, i == current)
            for i, (link, url) in enumerate(zip(links, urls, strict=True))]


# What each core section is for, on the console's home page.
DESCRIPTIONS = {
    "staff_order_desk.orders": "Find, fulfil, refund and cancel orders.",
    "staff_catalog.products": "Products, their options, prices, stock and pictures.",
    "staff_console.moderation_queue": "Reviews and comments waiting for a decision.",
    "staff_console.attribution_report": "Which content led to sales.",
    "staff_console.shipping_methods": "Shipping prices, estimates and countries.",
    "staff_console.discount_codes": "Campaign codes, their limits and their uses.",
    "staff_console.team": "Invite staff, change roles, shut accounts.",
}

ROLE_SUMMARIES = {
    "moderator": "You decide which reviews and comments are shown.",
    "editor": "You run the catalogue and the content.",
    "admin": "You run the whole shop: orders, refunds, shipping and the staff too.",
}
