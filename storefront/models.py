"""Every table of the core, imported in one place so the metadata knows them all."""

from .attribution.models import SourceMetric
from .cart.models import Cart, CartLine
from .catalog.models import Product, Variant
from .media.models import Image, MediaBlob, ProductImage
from .moderation.models import ModeratedItem, ModerationAction
from .orders.models import (
    Order,
    OrderFulfilment,
    OrderLine,
    OrderRefund,
    OutboxMessage,
    PaymentEventRecord,
    ShippingMethod,
    StaffAction,
)
from .search.models import SearchEntry
from .staff.models import ApiToken, StaffInvite, StaffUser

__all__ = ["ApiToken", "Cart", "CartLine", "Image", "MediaBlob", "ModeratedItem",
           "ModerationAction", "Order", "OrderFulfilment", "OrderLine", "OrderRefund",
           "OutboxMessage", "PaymentEventRecord", "Product", "ProductImage", "SearchEntry",
           "ShippingMethod", "SourceMetric", "StaffAction", "StaffInvite", "StaffUser",
           "Variant"]
