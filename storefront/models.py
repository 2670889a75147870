"""Every table of the core, imported in one place so the metadata knows them all."""

from .attribution.models import OrderTouch, SourceMetric
from .cart.models import Cart, CartLine
from .catalog.models import Product, Variant
from .discounts.models import DiscountCode
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

__all__ = ["ApiToken", "Cart", "CartLine", "DiscountCode", "Image", "MediaBlob",
           "ModeratedItem", "ModerationAction", "Order", "OrderFulfilment", "OrderLine",
           "OrderRefund", "OrderTouch", "OutboxMessage", "PaymentEventRecord", "Product",
           "ProductImage", "SearchEntry", "ShippingMethod", "SourceMetric", "StaffAction",
           "StaffInvite", "StaffUser", "Variant"]
