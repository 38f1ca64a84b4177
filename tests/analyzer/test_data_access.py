"""Tables, module state, transactions and entry points found by the analyzer."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from splitter.analyzer.model import Analysis
from splitter.analyzer.project import analyze_path


def analyze(tmp_path: Path, files: dict[str, str]) -> Analysis:
    for relative, source in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return analyze_path(tmp_path, workers=1, cache_dir=None)


def tables(analysis: Analysis) -> set[tuple[str, str, str]]:
    return {(use.function, use.table, use.mode) for use in analysis.tables}


SQL_CASES = [
    pytest.param(
        'def f(c):\n    c.execute("SELECT id FROM orders o JOIN customers c ON c.id = o.cid")\n',
        {("app.f", "orders", "read"), ("app.f", "customers", "read")},
        id="select-join",
    ),
    pytest.param(
        'def f(c):\n    c.execute("INSERT INTO order_lines (a) VALUES (?)", (1,))\n',
        {("app.f", "order_lines", "write")},
        id="insert",
    ),
    pytest.param(
        'def f(c):\n    c.execute("UPDATE stock SET qty = qty - 1 WHERE sku = ?")\n',
        {("app.f", "stock", "write")},
        id="update",
    ),
    pytest.param(
        'def f(c):\n    c.execute("DELETE FROM reservations WHERE id = ?")\n',
        {("app.f", "reservations", "write")},
        id="delete",
    ),
    pytest.param(
        'def f(c, t):\n    c.execute(f"SELECT * FROM invoices WHERE total > {t}")\n',
        {("app.f", "invoices", "read")},
        id="f-string",
    ),
    pytest.param(
        'def f(c):\n    sql = "SELECT * " + "FROM refunds " + "WHERE 1"\n    c.execute(sql)\n',
        {("app.f", "refunds", "read")},
        id="concatenation",
    ),
    pytest.param(
        'def f(c):\n    c.execute("select * from payments where id = ?")\n',
        {("app.f", "payments", "read")},
        id="lower-case-in-execute",
    ),
    pytest.param(
        'def f():\n    """Select the items from the cart and update them."""\n    return 1\n',
        set(),
        id="docstring-is-not-sql",
    ),
    pytest.param(
        'MESSAGE = "select a product from the list"\n',
        set(),
        id="lower-case-prose-is-not-sql",
    ),
    pytest.param(
        'def f(c):\n    c.execute("WITH r AS (SELECT * FROM orders) SELECT * FROM r")\n',
        {("app.f", "orders", "read")},
        id="cte-is-not-a-table",
    ),
    pytest.param(
        'def f(c):\n    c.execute("CREATE TABLE IF NOT EXISTS products (id INTEGER)")\n',
        {("app.f", "products", "define")},
        id="ddl-defines",
    ),
]


@pytest.mark.parametrize(("source", "expected"), SQL_CASES)
def test_sql_tables(tmp_path: Path, source: str, expected: set[tuple[str, str, str]]) -> None:
    assert tables(analyze(tmp_path, {"app.py": source})) == expected


def test_transaction_scopes(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        {
            "app.py": """
            import sqlite3
            from db import transactional

            @transactional
            def place(conn):
                conn.execute("INSERT INTO orders VALUES (1)")

            def move(conn):
                with conn:
                    conn.execute("UPDATE stock SET qty = 0")
                conn.execute("SELECT * FROM stock")

            def plain(conn):
                conn.execute("DELETE FROM outbox")
            """,
            "db.py": "def transactional(f):\n    return f\n",
        },
    )
    assert set(analysis.transactional) == {"app.place", "app.move"}
    in_transaction = {(u.function, u.table, u.in_transaction) for u in analysis.tables}
    assert ("app.move", "stock", True) in in_transaction
    assert ("app.plain", "outbox", False) in in_transaction


def test_module_state_reads_and_writes(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        {
            "cache.py": """
            PRICES = {}
            HITS = 0

            def remember(sku, price):
                PRICES[sku] = price

            def count():
                global HITS
                HITS = HITS + 1

            def clear():
                PRICES.clear()
            """,
            "shop.py": """
            from cache import PRICES
            import config

            def price(sku):
                return PRICES.get(sku)

            def debug():
                return config.settings.debug
            """,
            "config.py": """
            class Settings:
                debug = False

            settings = Settings()
            """,
        },
    )
    uses = {(s.function, s.variable, s.mode) for s in analysis.state}
    assert ("cache.remember", "cache.PRICES", "write") in uses
    assert ("cache.count", "cache.HITS", "write") in uses
    assert ("cache.count", "cache.HITS", "read") in uses
    assert ("cache.clear", "cache.PRICES", "write") in uses
    assert ("shop.price", "cache.PRICES", "read") in uses
    assert ("shop.debug", "config.settings", "read") in uses
    assert not any(variable.endswith(".Settings") for _, variable, _ in uses)


def test_a_comprehension_variable_at_module_level_is_not_module_state(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        {
            "codes.py": """
            import http

            NAMES = {code: code.phrase for code in http.HTTPStatus}
            SQUARES = [n * n for n in range(10) if n % 2]

            def name(code):
                return NAMES[code]
            """,
        },
    )

    variables = {s.variable for s in analysis.state}
    assert variables == {"codes.NAMES"}


def test_sqlalchemy_and_django_models(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        {
            "models.py": """
            from sqlalchemy.orm import DeclarativeBase
            from django.db import models

            class Base(DeclarativeBase):
                pass

            class Order(Base):
                __tablename__ = "orders"

            class Customer(models.Model):
                class Meta:
                    db_table = "crm_customers"

            class Invoice(models.Model):
                pass
            """,
            "store/views.py": """
            from models import Order, Customer, Invoice

            def list_orders(session):
                return session.query(Order).all()

            def add_order(session):
                session.add(Order())

            def rename(pk):
                Customer.objects.filter(pk=pk).update(name="x")

            def invoices():
                return Invoice.objects.all()
            """,
        },
    )
    found = tables(analysis)
    assert ("store.views.list_orders", "orders", "read") in found
    assert ("store.views.add_order", "orders", "write") in found
    assert ("store.views.rename", "crm_customers", "write") in found
    # Django's default table name: the app's label, an underscore, the model's name
    assert ("store.views.invoices", "models_invoice", "read") in found


def test_entry_points(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        {
            "web.py": """
            from flask import Flask
            app = Flask(__name__)

            @app.route("/orders", methods=["POST"])
            def create():
                return {}

            @app.get("/health")
            def health():
                return "ok"
            """,
            "api.py": """
            from fastapi import APIRouter
            router = APIRouter()

            @router.post("/pay")
            async def pay():
                return {}
            """,
            "cli.py": """
            import click

            @click.command()
            def sync():
                pass

            if __name__ == "__main__":
                sync()
            """,
            "urls.py": """
            from django.urls import path
            from views import index
            urlpatterns = [path("", index)]
            """,
            "views.py": "def index(request):\n    return None\n",
        },
    )
    entries = {(e.function, e.kind) for e in analysis.entry_points}
    assert entries == {
        ("web.create", "http"),
        ("web.health", "http"),
        ("api.pay", "http"),
        ("cli.sync", "cli"),
        ("cli", "main"),
        ("views.index", "django-url"),
    }
    detail = {e.function: e.detail for e in analysis.entry_points}
    assert "/orders" in detail["web.create"]


def test_analysis_never_runs_the_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    analysis = analyze(
        tmp_path,
        {
            "evil.py": f"""
            import os, sys
            open({str(marker)!r}, "w").write("ran")
            os.system("echo ran > {marker}")
            sys.exit(3)
            """,
        },
    )
    assert not marker.exists()
    assert "evil" in {m.name for m in analysis.modules}


def test_environment_variables_read_by_name(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        {
            "settings.py": """
            import os
            from os import environ, getenv

            DB = os.environ.get("APP_DB", "app.db")

            def region():
                return os.environ["AWS_REGION"]

            def token():
                return getenv("API_TOKEN") or environ.get(key_name())

            def key_name():
                return "X"
            """,
        },
    )
    reads = {(e.function, e.variable) for e in analysis.environment}
    assert reads == {
        ("settings", "APP_DB"),
        ("settings.region", "AWS_REGION"),
        ("settings.token", "API_TOKEN"),
    }


def test_database_catalogue_tables_are_no_one_s(tmp_path: Path) -> None:
    source = 'def tables(c):\n    c.execute("SELECT name FROM sqlite_master")\n'
    assert tables(analyze(tmp_path, {"app.py": source})) == set()


def test_django_abstract_models_have_no_table_and_views_inherit_from_django(
    tmp_path: Path,
) -> None:
    analysis = analyze(
        tmp_path,
        {
            "shop/models.py": """
            from django.db import models

            class Base(models.Model):
                class Meta:
                    abstract = True

            class Product(Base):
                pass
            """,
            "shop/views.py": """
            from django.views.generic import TemplateView
            from shop.models import Product

            class ProductView(TemplateView):
                def get_context_data(self, **kwargs):
                    context = super().get_context_data(**kwargs)
                    context["products"] = Product.objects.all()
                    return context
            """,
            "shop/urls.py": """
            from django.urls import path
            from shop import views

            def home(request):
                return None

            urlpatterns = [
                path("", home),
            ]
            """,
        },
    )
    assert {use.table for use in analysis.tables} == {"shop_product"}
    assert analysis.unresolved == ()
    callees = {c.callee for c in analysis.calls if c.caller.endswith("get_context_data")}
    assert "django.views.generic.TemplateView.get_context_data" in callees
    [route] = [e for e in analysis.entry_points if e.kind == "django-url"]
    assert (route.function, route.path, route.line) == ("shop.urls.home", "shop/urls.py", 9)


def test_django_class_views_wrapped_views_and_management_commands(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        {
            "blog/views.py": """
            from django.views.generic import View
            from django.contrib.auth.decorators import login_required

            class PostView(View):
                def get(self, request):
                    return None

                def post(self, request):
                    return None

            def archive(request):
                return None
            """,
            "blog/urls.py": """
            from django.urls import path
            from django.contrib.auth.decorators import login_required
            from blog import views

            urlpatterns = [
                path("post/", views.PostView.as_view()),
                path("archive/", login_required(views.archive)),
            ]
            """,
            "blog/management/__init__.py": "",
            "blog/management/commands/__init__.py": "",
            "blog/management/commands/publish.py": """
            from django.core.management.base import BaseCommand

            class Command(BaseCommand):
                def handle(self, *args, **options):
                    return None
            """,
        },
    )
    entries = {(e.function, e.kind) for e in analysis.entry_points}
    assert entries == {
        ("blog.views.PostView.get", "django-url"),
        ("blog.views.PostView.post", "django-url"),
        ("blog.views.archive", "django-url"),
        ("blog.management.commands.publish.Command.handle", "cli"),
    }
