"""Domain exceptions.

Every error the shop raises on purpose derives from ``ShopError``. The HTTP layer maps them
to status codes (see ``api.py``), the batch jobs log them and carry on with the next item.
Keep ``details`` JSON-friendly: it is returned to API clients as is.
"""

__all__ = [
    "BackOrderNotFound",
    "CustomerInactive",
    "CustomerNotFound",
    "GatewayTimeout",
    "InvalidCoupon",
    "InvalidReturn",
    "InvalidState",
    "InvoiceError",
    "NotFound",
    "OrderAlreadyShipped",
    "OrderNotFound",
    "OutOfStock",
    "PaymentDeclined",
    "PaymentError",
    "PaymentNotFound",
    "PeriodClosed",
    "ProductNotFound",
    "RefundFailed",
    "ReturnNotAllowed",
    "ShopError",
    "TaxRateMissing",
    "UnknownCarrier",
    "UnknownTemplate",
    "ValidationError",
]


class ShopError(Exception):
    """Something in the shop went wrong."""

    code = "shop_error"

    def __init__(self, message=None, **details):
        self.message = message or (self.__class__.__doc__ or self.code).strip()
        self.details = details
        super().__init__(self.message)

    def to_dict(self):
        """The error as returned by the API and stored by the batch jobs."""
        return {"error": self.code, "message": self.message, **self.details}


class ValidationError(ShopError):
    """The request is malformed."""

    code = "validation_error"


class InvalidCoupon(ValidationError):
    """The coupon code does not exist or has expired."""

    code = "invalid_coupon"


class InvalidReturn(ValidationError):
    """The return does not match what was ordered."""

    code = "invalid_return"


class UnknownCarrier(ValidationError):
    """No such carrier, or the carrier cannot take this parcel."""

    code = "unknown_carrier"


class NotFound(ShopError):
    """The requested record does not exist."""

    code = "not_found"


class CustomerNotFound(NotFound):
    """No customer with this id."""

    code = "customer_not_found"


class ProductNotFound(NotFound):
    """No sellable product with this SKU."""

    code = "product_not_found"


class OrderNotFound(NotFound):
    """No order with this id."""

    code = "order_not_found"


class PaymentNotFound(NotFound):
    """No payment with this id."""

    code = "payment_not_found"


class BackOrderNotFound(NotFound):
    """No back order with this id."""

    code = "back_order_not_found"


class CustomerInactive(ShopError):
    """The customer account is closed."""

    code = "customer_inactive"


class OutOfStock(ShopError):
    """Not enough stock to serve the request."""

    code = "out_of_stock"


class PaymentError(ShopError):
    """The payment could not be taken."""

    code = "payment_error"


class PaymentDeclined(PaymentError):
    """The payment was declined."""

    code = "payment_declined"


class GatewayTimeout(PaymentError):
    """The payment gateway did not answer in time (transient, may be retried)."""

    code = "gateway_timeout"
    transient = True


class RefundFailed(PaymentError):
    """The refund was refused by the gateway."""

    code = "refund_failed"


class InvalidState(ShopError):
    """The record is not in a state that allows this operation."""

    code = "invalid_state"


class OrderAlreadyShipped(InvalidState):
    """The order has already left the warehouse."""

    code = "order_already_shipped"


class ReturnNotAllowed(InvalidState):
    """The order cannot be returned."""

    code = "return_not_allowed"


class PeriodClosed(InvalidState):
    """The accounting period has already been invoiced."""

    code = "period_closed"


class InvoiceError(ShopError):
    """An invoice could not be produced."""

    code = "invoice_error"


class TaxRateMissing(InvoiceError):
    """No tax rate is configured for this country and tax class."""

    code = "tax_rate_missing"


class UnknownTemplate(ShopError):
    """No notification template with this name."""

    code = "unknown_template"
