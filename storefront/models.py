"""Every table of the core, imported in one place so the metadata knows them all."""

from .attribution.models import SourceMetric
from .cart.models import Cart, CartLine
from .catalog.models import Product, Variant
from .moderation.models import ModeratedItem, ModerationAction
from .orders.models import Order, OrderLine, OutboxMessage, PaymentEventRecord
from .search.models import SearchEntry
from .staff.models import ApiToken, StaffUser

__all__ = ["ApiToken", "Cart", "CartLine", "ModeratedItem", "ModerationAction", "Order",
           "OrderLine", "OutboxMessage", "PaymentEventRecord", "Product", "SearchEntry",
           "SourceMetric", "StaffUser", "Variant"]
