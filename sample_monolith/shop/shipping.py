"""Shipping: carriers, rates and shipments.

Rates are computed in code, one function per carrier (``RATE_FUNCTIONS``); the carriers
table only says which carriers are active and how heavy a parcel they take. Colissimo is
free above ``config.free_shipping_threshold_cents`` of merchandise (marketing promise).
"""

from functools import partial

from . import notifications
from . import repository as repo
from .config import config
from .db import transactional
from .errors import OrderAlreadyShipped, OrderNotFound, UnknownCarrier
from .models import OrderStatus, Shipment, ShipmentStatus
from .utils import get_logger

log = get_logger(__name__)

EU_COUNTRIES = {"FR", "DE", "BE", "NL", "LU", "IT", "ES", "AT", "PT", "IE"}


def weight_rate(weight_grams, country, *, base_cents, per_kg_cents, outside_eu_cents=0):
    """Base price plus a price per started kilogram, plus a surcharge outside the EU."""
    kilos = max(1, -(-weight_grams // 1000))  # started kilos, rounded up
    cost = base_cents + per_kg_cents * (kilos - 1)
    if country not in EU_COUNTRIES:
        cost += outside_eu_cents
    return cost


def freight_rate(weight_grams, country):
    """Pallet freight: flat rate per started 50 kg, domestic only at the moment."""
    if country != config.home_country:
        # TODO: Berthier quote for Benelux deliveries, until then same as domestic x2
        return 8900 * 2 * max(1, -(-weight_grams // 50000))
    return 8900 * max(1, -(-weight_grams // 50000))


RATE_FUNCTIONS = {
    "colissimo": partial(weight_rate, base_cents=490, per_kg_cents=100),
    "dhl": partial(weight_rate, base_cents=1290, per_kg_cents=150, outside_eu_cents=900),
    "freight": freight_rate,
    "pickup": lambda weight_grams, country: 0,
}


def quote_shipping(carrier, weight_grams, country, merchandise_cents):
    """Shipping cost for a parcel; raises ``UnknownCarrier`` if it cannot be sent that way."""
    carrier_row = repo.get_carrier(carrier)
    rate = RATE_FUNCTIONS.get(carrier)
    if carrier_row is None or not carrier_row.active or rate is None:
        raise UnknownCarrier(f"carrier {carrier!r} is not available", carrier=carrier)
    if weight_grams > carrier_row.max_weight_grams:
        raise UnknownCarrier(
            f"{carrier_row.name} does not take parcels of {weight_grams} g",
            carrier=carrier, weight_grams=weight_grams,
        )
    cost = rate(weight_grams, country)
    free = carrier == "colissimo" and merchandise_cents >= config.free_shipping_threshold_cents
    return {
        "carrier": carrier,
        "cost_cents": 0 if free else cost,
        "free_shipping": free,
        "weight_grams": weight_grams,
        "country": country,
    }


def tracking_number(shipment_id, carrier, country):
    return f"{carrier[:3].upper()}{shipment_id:09d}{country}"


def tracking_url_for(carrier_code, number):
    carrier = repo.get_carrier(carrier_code)
    if carrier is None or not carrier.tracking_url or not number:
        return None
    return carrier.tracking_url.format(number)


def tracking_url(shipment: Shipment):
    return tracking_url_for(shipment.carrier, shipment.tracking_number)


@transactional
def create_shipment(order_id, carrier, country, weight_grams, cost_cents):
    """Book the parcel with the carrier (label + tracking number), status ``pending``."""
    shipment_id = repo.insert_shipment(order_id, carrier, weight_grams, cost_cents, country)
    number = None
    if carrier != "pickup":
        number = tracking_number(shipment_id, carrier, country)
    repo.update_shipment(shipment_id, ShipmentStatus.PENDING.value, tracking_number=number)
    return {
        "shipment_id": shipment_id,
        "carrier": carrier,
        "tracking_number": number,
        "status": ShipmentStatus.PENDING.value,
    }


@transactional
def cancel_shipment(order_id):
    """Cancel the pending shipment of an order. Returns None if there was none."""
    shipment = repo.get_shipment_for_order(order_id)
    if shipment is None:
        return None
    if shipment.status != ShipmentStatus.PENDING.value:
        raise OrderAlreadyShipped(
            f"shipment {shipment.tracking_number} has already left",
            order_id=order_id, shipment_id=shipment.id,
        )
    repo.update_shipment(shipment.id, ShipmentStatus.CANCELLED.value)
    return {"shipment_id": shipment.id, "status": ShipmentStatus.CANCELLED.value}


@transactional
def mark_shipped(order_id):
    """Warehouse scan: the parcel has left. Moves the order to ``shipped`` too."""
    from . import orders

    shipment = repo.get_shipment_for_order(order_id)
    if shipment is None:
        raise OrderNotFound(f"no shipment for order {order_id}", order_id=order_id)
    repo.update_shipment(shipment.id, ShipmentStatus.SHIPPED.value)
    orders.set_status(order_id, OrderStatus.SHIPPED)
    shipment = repo.get_shipment_for_order(order_id)
    order = orders.get_order_summary(order_id)
    notifications.enqueue("shipment_dispatched", order["customer_id"], {
        "order_number": order["order_number"],
        "shipment_id": shipment.id,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
    })
    return {"shipment_id": shipment.id, "status": shipment.status}


@transactional
def mark_delivered(order_id):
    from . import orders

    shipment = repo.get_shipment_for_order(order_id)
    if shipment is None or shipment.status != ShipmentStatus.SHIPPED.value:
        raise OrderNotFound(f"no shipped parcel for order {order_id}", order_id=order_id)
    repo.update_shipment(shipment.id, ShipmentStatus.DELIVERED.value)
    orders.set_status(order_id, OrderStatus.DELIVERED)
    return {"shipment_id": shipment.id, "status": ShipmentStatus.DELIVERED.value}


def is_shipped(order_id):
    shipment = repo.get_shipment_for_order(order_id)
    return shipment is not None and shipment.status in ("shipped", "delivered")
