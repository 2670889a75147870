"""Order API: guest lookup and payment webhooks (the order desk is in `staff_api`)."""

from __future__ import annotations

import logging

from flask import current_app, redirect, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from plugins.types import WebhookVerificationError

from ..checkout.payments import apply_payment_event
from ..checkout.providers import payment_settings, warn_about_payment_provider
from ..checkout.services import find_order
from ..extensions import db
from ..restapi import service_errors
from . import staff_api
from .presenters import order_dict
from .schemas import OrderSchema, OrderTokenHeaderSchema, WebhookResultSchema

log = logging.getLogger(__name__)
MAX_WEBHOOK_BYTES = 512 * 1024


def make_blueprints() -> list[Blueprint]:
    """Fresh order, webhook and order desk blueprints for one app."""
    orders = Blueprint("orders", __name__, url_prefix="/orders",
                       description="Orders, for whoever holds the order token.")
    webhooks = Blueprint("webhooks", __name__, url_prefix="/webhooks",
                         description="Events from payment providers.")
    # Once per app, at start: say loudly when the chosen provider is unsafe here.
    webhooks.record_once(lambda setup: warn_about_payment_provider(
        setup.app.extensions["storefront"].plugins, setup.app.extensions["storefront"].settings))

    @orders.route("/<number>")
    class OrderDetail(MethodView):
        @orders.arguments(OrderTokenHeaderSchema, location="headers")
        @orders.response(200, OrderSchema)
        @orders.alt_response(404, description="Unknown number, or a wrong or missing token.")
        def get(self, header, number):
            """Show an order to the shopper who placed it (header `X-Order-Token`)."""
            with service_errors():
                return order_dict(find_order(db.session, number, header["token"]))

    @webhooks.route("/<provider>")
    class Webhook(MethodView):
        @webhooks.response(200, WebhookResultSchema)
        @webhooks.alt_response(400, description="Missing, wrong or stale signature.")
        def post(self, provider):
            """Receive a payment provider's event (Stripe: `Stripe-Signature` is verified)."""
            state = current_app.extensions["storefront"]
            settings = payment_settings(state.plugins, provider, state.settings)
            if (request.content_length or 0) > MAX_WEBHOOK_BYTES:
                abort(413, message="Event too large.")
            payload = request.get_data(cache=False)
            headers = {k.lower(): v for k, v in request.headers.items()}
            try:
                event = state.plugins.hook.verify_webhook(
                    provider=provider, payload=payload, headers=headers, settings=settings)
            except WebhookVerificationError as exc:
                log.warning("Rejected %s webhook: %s", provider, exc)
                abort(400, message=f"Webhook not verified: {exc}")
            if event is None:
                abort(404, message=f"No payment plugin answers for {provider!r}.")
            result = apply_payment_event(db.session, state.plugins, event,
                                         settings=state.settings)
            log.info("%s event %s (%s): %s", provider, event.event_id, event.raw_type,
                     result.outcome)
            site = settings.site_url or "/"
            if event.return_to and event.return_to.startswith(site) \
                    and not event.return_to.startswith("//"):
                return redirect(event.return_to, 303)  # a hosted test page's button
            return {"received": True, "outcome": result.outcome}

    return [orders, webhooks, staff_api.make_blueprint()]
