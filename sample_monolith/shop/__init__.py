"""Hollis & Vane back office.

The ``shop`` package is the back-office application of Hollis & Vane Home Goods: catalog
and pricing, customers and the loyalty programme, the warehouse, orders, payments,
shipping, month-end invoicing, customer notifications and reporting.

Entry points most people want:

* ``shop.services`` -- the business workflows (place an order, cancel it, returns,
  restocking, month-end invoicing);
* ``shop.api`` -- the HTTP API the web shop and the warehouse terminals call;
* ``python -m shop.db seed PATH`` -- build a fresh database with demo data.
"""

__version__ = "4.12.3"
