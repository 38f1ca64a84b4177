"""Customer notifications through the outbox.

Nothing here talks to a mail server. ``enqueue`` renders a template and stores the message
in the ``outbox`` table, in the caller's transaction; the ``flush_outbox`` cron job hands
pending messages to a sender (SMTP in production, the print shop API for letters).

Templates are plain functions ``context -> (subject, body)`` registered in ``TEMPLATES``.
"""

import json

from .config import config
from .db import get_connection, transactional
from .errors import UnknownTemplate, ValidationError
from .models import Channel, OutboxMessage
from .utils import format_money, get_logger, now_iso

log = get_logger(__name__)


def _money(ctx, key):
    return format_money(ctx.get(key, 0), config.currency)


def render_order_confirmation(ctx):
    lines = "\n".join(f"  {line['qty']} x {line['name']}" for line in ctx.get("lines", []))
    body = (
        f"Thank you for your order {ctx['order_number']}.\n\n{lines}\n\n"
        f"Total paid: {_money(ctx, 'total_cents')}\n"
    )
    if ctx.get("tracking_number"):
        body += f"Tracking number: {ctx['tracking_number']}\n"
    if ctx.get("points"):
        body += f"You earned {ctx['points']} loyalty points.\n"
    return f"Your order {ctx['order_number']}", body


def render_order_cancelled(ctx):
    body = f"Your order {ctx['order_number']} has been cancelled ({ctx.get('reason', 'n/a')}).\n"
    if ctx.get("refund_cents"):
        body += f"{_money(ctx, 'refund_cents')} will be refunded within 5 working days.\n"
    elif ctx.get("refund_pending"):
        body += "Our team will contact you about your refund.\n"
    return f"Order {ctx['order_number']} cancelled", body


def render_shipment_dispatched(ctx):
    body = f"Your order {ctx['order_number']} is on its way with {ctx['carrier']}.\n"
    url = _tracking_link(ctx)
    if url:
        body += f"Follow it here: {url}\n"
    return f"{ctx['order_number']} is on its way", body


def render_return_received(ctx):
    body = (
        f"We received {ctx['items']} item(s) back from order {ctx['order_number']}.\n"
        f"Refund: {_money(ctx, 'refund_cents')}.\n"
    )
    if ctx.get("points"):
        body += f"{ctx['points']} loyalty points have been deducted.\n"
    return f"Return for {ctx['order_number']} processed", body


def render_invoice_statement(ctx):
    numbers = ", ".join(ctx["invoice_numbers"])
    body = (
        f"Your invoices for {ctx['period']}: {numbers}.\n"
        f"Total: {_money(ctx, 'gross_cents')} incl. {_money(ctx, 'tax_cents')} VAT.\n"
    )
    return f"Your invoices for {ctx['period']}", body


TEMPLATES = {
    "order_confirmation": render_order_confirmation,
    "order_on_hold": lambda ctx: (
        f"Your order {ctx['order_number']} is being reviewed",
        "For your security we check large orders by hand. We will be in touch within a day.\n",
    ),
    "order_ready_for_pickup": lambda ctx: (
        f"{ctx['order_number']} is ready for pick-up",
        "Your order is waiting for you at the Lyon store, 14 rue des Tanneurs.\n",
    ),
    "order_cancelled": render_order_cancelled,
    "shipment_dispatched": render_shipment_dispatched,
    "return_received": render_return_received,
    "back_order_available": lambda ctx: (
        f"{ctx['name']} is back in stock",
        f"We are holding {ctx['qty']} x {ctx['name']} for you until {ctx['hold_until']}.\n",
    ),
    "invoice_statement": render_invoice_statement,
    "invoice_statement_post": render_invoice_statement,
    "ops_alert": lambda ctx: (f"[ops] {ctx['subject']}", json.dumps(ctx, sort_keys=True)),
}

CHANNEL_BY_TEMPLATE = {
    "invoice_statement_post": Channel.POST,
    "ops_alert": Channel.OPS,
}


def render(template, context):
    try:
        renderer = TEMPLATES[template]
    except KeyError:
        raise UnknownTemplate(f"no template {template!r}", template=template) from None
    return renderer(context)


def _recipient(customer_id, channel):
    if channel == Channel.OPS:
        return config.ops_email
    row = get_connection().execute(
        "SELECT email, first_name, last_name, street, postcode, city, country"
        " FROM customers WHERE id = ?",
        (customer_id,),
    ).fetchone()
    if row is None:
        raise ValidationError(f"cannot notify unknown customer {customer_id}",
                              customer_id=customer_id)
    if channel == Channel.POST:
        return f"{row['first_name']} {row['last_name']}, {row['street']}, " \
               f"{row['postcode']} {row['city']}, {row['country']}"
    return row["email"]


@transactional
def enqueue(template, customer_id, context):
    """Render ``template`` for a customer (None for ops alerts) and store it in the outbox."""
    channel = CHANNEL_BY_TEMPLATE.get(template, Channel.EMAIL)
    subject, body = render(template, context)
    recipient = _recipient(customer_id, channel)
    cur = get_connection().execute(
        "INSERT INTO outbox (template, customer_id, channel, recipient, subject, body, payload,"
        " status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
        (template, customer_id, channel.value, recipient, subject, body,
         json.dumps(context, sort_keys=True), now_iso()),
    )
    return {"message_id": cur.lastrowid, "template": template, "channel": channel.value}


def pending_messages(limit=100):
    rows = get_connection().execute(
        "SELECT * FROM outbox WHERE status = 'pending' ORDER BY id LIMIT ?", (limit,)
    ).fetchall()
    return [OutboxMessage.from_row(row) for row in rows]


def messages_for(customer_id):
    rows = get_connection().execute(
        "SELECT * FROM outbox WHERE customer_id = ? ORDER BY id", (customer_id,)
    ).fetchall()
    return [OutboxMessage.from_row(row) for row in rows]


def flush_outbox(send, on_success=None, on_failure=None, limit=100):
    """Hand pending messages to ``send(message)``; each message is its own transaction.

    ``on_success(message)`` / ``on_failure(message, error)`` are called after the outbox row
    has been updated (the cron job uses them for its metrics).
    """
    conn = get_connection()
    sent = failed = 0
    for message in pending_messages(limit):
        try:
            send(message)
        except Exception as exc:  # the sender's errors are not ours to classify
            with conn:
                conn.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
                    " status = CASE WHEN attempts + 1 >= 5 THEN 'failed' ELSE status END"
                    " WHERE id = ?",
                    (str(exc), message.id),
                )
            failed += 1  # TODO: back off instead of five attempts in a row at cron pace
            if on_failure is not None:
                on_failure(message, exc)
            continue
        with conn:
            conn.execute(
                "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?"
                " WHERE id = ?",
                (now_iso(), message.id),
            )
        sent += 1
        if on_success is not None:
            on_success(message)
    return {"sent": sent, "failed": failed}


def _tracking_link(ctx):
    """Carrier tracking URL for a dispatched parcel, if the carrier offers one."""
    if not ctx.get("tracking_number"):
        return None
    return shipping.tracking_url_for(ctx["carrier"], ctx["tracking_number"])


# At the bottom on purpose: shipping imports this module at load time.
from . import shipping  # noqa: E402
