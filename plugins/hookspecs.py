"""Every hook the core calls, each documented here and in docs/plugins.md.

Hooks are always called with keyword arguments; an implementation may accept any
subset of them.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("storefront")
hookimpl = pluggy.HookimplMarker("storefront")


# ---------------------------------------------------------------------------
# Wiring: what a plugin adds to the application
# ---------------------------------------------------------------------------

@hookspec
def storefront_api_blueprints():
    """Return a list of flask-smorest Blueprints to mount under the API prefix.

    Fires once while the core is bound to an app. Each blueprint's `url_prefix` is
    taken relative to the API prefix (`/api/v1` by default), so a blueprint with
    `url_prefix="/exercises"` answers at `/api/v1/exercises`. Build a fresh Blueprint
    on every call: one app, one blueprint object.
    """


@hookspec
def storefront_web_blueprints():
    """Return a list of Flask Blueprints holding reference pages.

    Fires once while the core is bound to an app, and only when the reference pages
    are enabled (`STOREFRONT_PAGES`). Templates may extend `storefront/base.html`.
    """


@hookspec
def storefront_navigation():
    """Return a list of `NavLink` values for the header of every reference page.

    Fires when a page is rendered. Links are sorted by `order`, then label.
    """


@hookspec
def footer_forms():
    """Return a list of `FooterForm` values: small forms in the footer of every reference page.

    Fires when a page is rendered (cached pages too: return the same forms for every
    visitor). The core draws each one alike: a heading, a line of text, one labelled email
    field (`email`), a honeypot field people leave empty (`website`) and a button, posted to
    `action`. The form carries no CSRF token, so pages stay free of session cookies: the
    endpoint must refuse other sites' posts itself (`plugin_api.from_another_site`). Forms
    are sorted by `order`, then heading. Content adds the newsletter sign-up.
    """


@hookspec
def staff_console_links():
    """Return a list of `ConsoleLink` values for the staff console's navigation.

    Fires when a console page is rendered. The core contributes Orders, Products,
    Moderation, Reports and Staff; a plugin adds the sections it owns (content adds
    Exercises and Articles). Each entry is shown only to staff holding its `role`;
    entries are sorted by `order`, then label.
    """


@hookspec
def empty_state_links(page):
    """Return a list of `NavLink` values: where to go next from a page with nothing to show.

    Fires when `page` is rendered empty: `"cart"` (an empty cart) or `"search"` (a search
    that found nothing). The page offers them beside its own "Browse the bands", sorted by
    `order`, then label; a link whose endpoint the app does not have is left out.
    """


@hookspec(firstresult=True)
def page_path(kind, slug):
    """Return the path of the page showing `slug` of your `kind`, or None if not your kind.

    Fires whenever the core needs the address of a page it does not own (the core answers
    `product` itself), such as the staff queue linking a comment to its article. The path
    is relative to the pages prefix (`/articles/<slug>`); the core adds the prefix and
    `PUBLIC_BASE_URL`. Return constants: no queries.
    """


@hookspec
def storefront_commands():
    """Return a list of click commands (or groups) to add to the `storefront` command.

    Fires once while the core is bound to an app; the commands run inside its app
    context (decorate them with `flask.cli.with_appcontext`). Content adds `content import`.
    """


# ---------------------------------------------------------------------------
# Catalogue: content that belongs with a product
# ---------------------------------------------------------------------------

@hookspec
def product_links(product):
    """Return a list of `ContentLink` values to show with `product` (a `ProductRef`).

    Fires once per product detail (API and page). Every link is shown under "Exercises
    this band supports" and listed in the API's `exercises` field (its name is the public
    contract); the core does not look at `kind`. Keep it to one query, whatever the
    number of links.
    """


@hookspec
def product_articles(product):
    """Return a list of `ContentLink` values for the writing that features `product` (a
    `ProductRef`), newest first.

    Fires once per product page. The links are shown under "Articles featuring this
    <kind>", apart from `product_links`, and the API's `exercises` field never holds them.
    Return only what readers may see now, in one query whatever the number of links.
    """


@hookspec
def featured_content(limit):
    """Return up to `limit` `ContentLink` values to feature on the home page, newest first.

    Fires when the home page is rendered.
    """


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

@hookspec
def seed_demo(products):
    """Load the plugin's demo data; `products` maps each demo product slug to its id.

    Fires during `storefront seed-demo`, after the core has loaded the demo
    catalogue, inside the same transaction. It must be idempotent: running it twice
    leaves the same data as running it once.
    """


# ---------------------------------------------------------------------------
# Finding things
# ---------------------------------------------------------------------------

@hookspec
def search_documents(kind, ids):
    """Return the `SearchDocument` values of `kind` for `ids`, or None if not your kind.

    `ids` is a list of `key_id` values, or None for every document of the kind (when
    the index is rebuilt). Leave out what readers may not find (drafts): an id with no
    document leaves the index. Fires inside the transaction that changed the rows,
    just before it commits, so read with `storefront.plugin_api.db.session`. The core
    answers for `product` itself; content answers for `exercise` and `article`.
    """


@hookspec
def search_sources():
    """Return a list of `SearchSource` values: which of your tables feed which kind.

    Fires after every flush of the shop's session. A change to a row of a listed table
    makes the core ask `search_documents` for the document it feeds before the
    transaction commits. Every kind you return documents for must be listed here, so
    `storefront search reindex` rebuilds it.
    """


# ---------------------------------------------------------------------------
# Payments: each provider answers only for its own name and returns None otherwise
# ---------------------------------------------------------------------------

@hookspec(firstresult=True)
def payment_settings(provider, settings):
    """Return the `PaymentSettings` of `provider` (its keys), or None if not `provider`.

    `settings` is the shop's settings as a read-only mapping under their config keys
    (`STRIPE_SECRET_KEY`, `SECRET_KEY`, `PAYMENT_PROVIDER` ...). Fill in what your
    provider needs (`secret_key`, `webhook_secret`, `api_base`); the core fills in the
    shop-wide fields (`site_url`, `webhook_url`, `environment`) and hands the result to
    every other payment hook as `settings`. Fires whenever the core is about to call the
    provider, so keep it cheap.
    """


@hookspec(firstresult=True)
def create_checkout_session(provider, request, settings):
    """Start a payment for an order; return a `CheckoutRedirect`, or None if not `provider`.

    Fires once per checkout, after stock is reserved and the order is written.
    `request` is a `CheckoutRequest`, `settings` a `PaymentSettings`. Raise
    `PaymentProviderError` when the provider cannot be reached or refuses; the core
    then cancels the order and releases its stock. Must be safe to retry for the same
    order (use an idempotency key derived from `request.order_number`).
    """


@hookspec(firstresult=True)
def verify_webhook(provider, payload, headers, settings):
    """Turn a provider's webhook into a `PaymentEvent`, or return None if not `provider`.

    Fires for each `POST /webhooks/<provider>`. `payload` is the raw body (bytes),
    `headers` a plain dict with lower-case names. Raise `WebhookVerificationError` when
    the signature is missing, wrong or stale. Events the shop has no use for come back
    with kind `ignored`.
    """


@hookspec(firstresult=True)
def retrieve_checkout_session(provider, session_id, settings):
    """Ask the provider about a payment page now; return a `PaymentSessionState`, or None.

    Fires when an event alone cannot be trusted, when the success page is shown before
    the webhook arrived, and during `storefront reconcile-payments`. Raise
    `PaymentProviderError` when the provider cannot be reached.
    """


@hookspec(firstresult=True)
def expire_checkout_session(provider, session_id, settings):
    """Close a payment page so it can no longer take payment; return True, or None.

    Fires when the shop gives up on an order that is still pending (reconciliation).
    Raise `PaymentProviderError` when the provider cannot be reached.
    """


@hookspec(firstresult=True)
def refund_payment(provider, payment_intent, session_id, amount, currency, key, settings):
    """Give back `amount` (minor units, `currency`) of a paid order; return a `RefundResult`.

    Return None if not `provider`. `payment_intent` is the provider's id of the payment
    (from the paid event), `session_id` its payment page's id; use whichever your
    provider refunds by. `key` is unique per refund the shop asks for: send it as the
    idempotency key, so that a retried request never refunds twice. Raise
    `PaymentProviderError` when the provider cannot be reached or refuses (more than
    remains, nothing paid). The `refunded` event that may follow is applied as usual.
    """


@hookspec(firstresult=True)
def cancel_payment(provider, payment_intent, session_id, settings):
    """Make sure an unpaid order can no longer be paid; return a `CancelResult`, or None.

    Return None if not `provider`. Fires when staff cancel an order still waiting for
    payment. Close the payment page (and any payment started on it); when the payment
    was taken meanwhile, cancel nothing and answer `paid=True`, so the core refunds or
    ships instead. Raise `PaymentProviderError` when the provider cannot be reached.
    """


@hookspec(firstresult=True)
def payment_hold_seconds(provider):
    """Return how many seconds an unpaid order of `provider` holds its stock, or None.

    Fires at every checkout (the payment page is asked to stop taking payment after that
    long) and whenever the core looks for holds that ran out, which it then releases
    without waiting for reconciliation. Give the shortest time the provider allows a
    shopper to pay in; the core holds stock for 31 minutes when no provider answers.
    """


@hookspec(firstresult=True)
def payment_provider_warning(provider, environment):
    """Return a one-line warning when `provider` is unsafe in `environment`, or None.

    Fires once at start for the provider `PAYMENT_PROVIDER` names; `environment` is
    `STOREFRONT_ENV`. The core logs the line as a warning. A provider that takes no
    money (the test provider) warns in production, and should say so on its own pages.
    """


# ---------------------------------------------------------------------------
# Orders and notifications
# ---------------------------------------------------------------------------

@hookspec
def order_paid(order, shop):
    """An order was paid; `order` is an `OrderSummary`, `shop` a `ShopInfo`.

    The return value is ignored.

    Fires once per order, inside the transaction that marks it paid and before its
    commit: write what must follow (an outbox message) to the shop's session, and send
    nothing yet; do not commit or roll back. The default plugin writes the confirmation
    email to the outbox, which is delivered after the commit.
    """


@hookspec
def order_fulfilled(order, fulfilment, shop):
    """Staff sent an order; `fulfilment` is a `FulfilmentSummary` (carrier, tracking).

    Inside the transaction, as `order_paid`. The default plugin writes the shipped email.
    """


@hookspec
def order_refunded(order, refund, shop):
    """Money went back on an order; `refund` is a `RefundSummary`.

    Inside the transaction that records the refund, as `order_paid`. The default plugin
    writes the refund email.
    """


@hookspec
def order_cancelled(order, cause, shop):
    """An order waiting for payment was cancelled; `cause` is "staff", "declined",
    "expired" or "abandoned".

    Inside the transaction, as `order_paid`. The default plugin writes an email only
    when staff cancelled (the shopper who turned back at the payment page knows).
    """


# ---------------------------------------------------------------------------
# Moderation
# ---------------------------------------------------------------------------

@hookspec
def moderated_kinds():
    """Return a list of `ModeratedKind` values this plugin adds to the moderation queue.

    Fires when the moderation service needs to know the kinds (queue filters, the staff
    API's `{kind}` path). The core contributes `review`; content contributes `comment`.
    """


@hookspec
def moderation_verdict(submission, settings):
    """Judge a new `Submission`; return a `Verdict`, or None to have no opinion.

    Fires once per submission, before it is queued. `settings` is a
    `ModerationSettings`. Every filter's verdict counts: the item goes to `spam` if any
    filter says spam, its score is the highest score and its reasons are all reasons.
    Spam stays reviewable by moderators.
    """


@hookspec
def submission_received(submission):
    """A visitor's review or comment was stored; `submission` is a `Submission`.

    Fires after the submission is committed, with its status decided. The return value
    is ignored. The default plugin writes a notice for staff to the outbox and the log.
    """


# ---------------------------------------------------------------------------
# Search engines and feed readers
# ---------------------------------------------------------------------------

@hookspec
def sitemap_entries():
    """Return a list of `SitemapEntry` values: the plugin's public pages for `/sitemap.xml`.

    Fires each time the sitemap is served. The core lists its own products; give only
    pages readers may see (no drafts), each with its last change as `lastmod`. Keep it to
    one query per kind of page, whatever the number of pages.
    """


@hookspec
def feed_entries(limit):
    """Return up to `limit` `FeedEntry` values for the Atom feed at `/feed.xml`, newest first.

    Fires each time the feed is served. Give only published writing; the core merges
    every plugin's entries, sorts them by `published` and keeps the newest `limit`.
    """
