"""Hand-written call-graph cases: small programs, each with the graph the analyzer must find.

Every expectation follows `docs/callgraph-semantics.md`. Where that page does not settle a
construct, the case's `note` says which reading was chosen, so the page can be settled.
Graphs are in PyCG format (`{"caller": ["callee", ...]}`) and list only callers with edges.
The scoring helpers at the end are shared by the accuracy tests and the benchmark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

Edge = tuple[str, str]
"""A `(caller, callee)` pair."""

CATEGORIES: tuple[str, ...] = (
    "plain",
    "closures",
    "imports",
    "reexport",
    "star_import",
    "circular_import",
    "classes",
    "mro",
    "super",
    "annotations",
    "flow",
    "containers",
    "partial",
    "lambdas",
    "decorators",
    "properties",
    "dunder",
    "builtins",
    "externals",
    "scopes",
    "precision",
    "shadowing",
    "conditional",
    "combination",
)
"""Every category a case may have, in the order reports list them."""


@dataclass(frozen=True)
class CallGraphCase:
    """One small program (its files, by path under the analyzed root) and its expected graph."""

    name: str
    category: str
    files: dict[str, str]
    expected: dict[str, list[str]]
    note: str = ""

    def __str__(self) -> str:
        return f"{self.category}/{self.name}"


def _case(
    name: str,
    category: str,
    files: dict[str, str],
    expected: dict[str, list[str]],
    note: str = "",
) -> CallGraphCase:
    """Build a case, dedenting every source so the table can indent them freely."""
    sources = {path: dedent(source) for path, source in files.items()}
    return CallGraphCase(name, category, sources, expected, note)


_PLAIN: tuple[CallGraphCase, ...] = (
    _case(
        "plain_function_call",
        "plain",
        {
            "main.py": """\
            def helper():
                return 1


            def run():
                return helper()


            run()
            """
        },
        {"main": ["main.run"], "main.run": ["main.helper"]},
    ),
    _case(
        "plain_calls_inside_expressions",
        "plain",
        {
            "main.py": """\
            def name():
                return "x"


            def count():
                return 3


            def shout(text):
                return text


            def report(items):
                label = f"{name()}!"
                sizes = [count() for _ in items]
                if (total := count()) > 1:
                    shout(label)
                return sizes, total
            """
        },
        {"main.report": ["main.count", "main.name", "main.shout"]},
        note="Comprehensions are not nodes: calls inside them belong to the enclosing function.",
    ),
    _case(
        "plain_reference_without_call",
        "plain",
        {
            "main.py": """\
            def helper():
                return 1


            def run():
                handle = helper
                return handle


            def listing():
                return [helper]


            run()
            """
        },
        {"main": ["main.run"]},
        note="Naming or returning a function is not calling it.",
    ),
    _case(
        "plain_async_await",
        "plain",
        {
            "main.py": """\
            import asyncio


            async def fetch():
                return 1


            async def gather_all():
                first = await fetch()
                return first


            asyncio.run(gather_all())
            """
        },
        {"main": ["asyncio.run", "main.gather_all"], "main.gather_all": ["main.fetch"]},
    ),
    _case(
        "plain_recursion_and_mutual_recursion",
        "plain",
        {
            "main.py": """\
            def fact(n):
                return 1 if n <= 1 else n * fact(n - 1)


            def even(n):
                return n == 0 or odd(n - 1)


            def odd(n):
                return n != 0 and even(n - 1)
            """
        },
        {"main.even": ["main.odd"], "main.fact": ["main.fact"], "main.odd": ["main.even"]},
    ),
    _case(
        "plain_match_and_try_blocks",
        "plain",
        {
            "main.py": """\
            def parse(x):
                return x


            def fallback():
                return None


            def cleanup():
                return None


            def handle(cmd):
                match cmd:
                    case "a":
                        parse(cmd)
                    case _:
                        fallback()
                try:
                    parse(cmd)
                except KeyError:
                    fallback()
                finally:
                    cleanup()
            """
        },
        {"main.handle": ["main.cleanup", "main.fallback", "main.parse"]},
    ),
    _case(
        "plain_main_guard",
        "plain",
        {
            "main.py": """\
            def helper():
                return 1


            def main():
                helper()


            if __name__ == "__main__":
                main()
            """
        },
        {"main": ["main.main"], "main.main": ["main.helper"]},
        note="The module `main` and its function `main` are different nodes.",
    ),
)

_CLOSURES: tuple[CallGraphCase, ...] = (
    _case(
        "closure_nested_function_called_by_outer",
        "closures",
        {
            "main.py": """\
            def log(msg):
                return msg


            def outer():
                def inner():
                    log("x")

                inner()
            """
        },
        {"main.outer": ["main.outer.inner"], "main.outer.inner": ["main.log"]},
        note="Defining `inner` is not calling it; `log` is called by `inner` only.",
    ),
    _case(
        "closure_returned_and_called",
        "closures",
        {
            "main.py": """\
            def helper():
                return 1


            def make():
                def inner():
                    helper()

                return inner


            make()()
            handler = make()
            handler()
            """
        },
        {"main": ["main.make", "main.make.inner"], "main.make.inner": ["main.helper"]},
    ),
    _case(
        "closure_captures_callback",
        "closures",
        {
            "main.py": """\
            def shout():
                return "!"


            def bind(fn):
                def call():
                    return fn()

                return call


            bound = bind(shout)
            bound()
            """
        },
        {"main": ["main.bind", "main.bind.call"], "main.bind.call": ["main.shout"]},
    ),
    _case(
        "closure_nested_shadows_global",
        "closures",
        {
            "main.py": """\
            def helper():
                return 1


            def outer():
                def helper():
                    return 2

                return helper()


            def other():
                return helper()
            """
        },
        {"main.other": ["main.helper"], "main.outer": ["main.outer.helper"]},
    ),
    _case(
        "closure_nonlocal_rebinding",
        "closures",
        {
            "main.py": """\
            def first():
                return 1


            def second():
                return 2


            def switcher():
                current = first

                def swap():
                    nonlocal current
                    current = second

                def call():
                    return current()

                return swap, call
            """
        },
        {"main.switcher.call": ["main.first", "main.second"]},
        note="`swap` rebinds the captured name, so `call` may run either function.",
    ),
    _case(
        "closure_three_levels",
        "closures",
        {
            "main.py": """\
            def leaf():
                return 0


            def a():
                def b():
                    def c():
                        leaf()

                    c()

                b()
            """
        },
        {
            "main.a": ["main.a.b"],
            "main.a.b": ["main.a.b.c"],
            "main.a.b.c": ["main.leaf"],
        },
    ),
    _case(
        "closure_class_inside_function",
        "closures",
        {
            "main.py": """\
            def audit():
                return None


            def factory():
                class Local:
                    def __init__(self):
                        audit()

                    def run(self):
                        return self.helper()

                    def helper(self):
                        return 1

                obj = Local()
                obj.run()
                return obj
            """
        },
        {
            "main.factory": ["main.factory.Local.__init__", "main.factory.Local.run"],
            "main.factory.Local.__init__": ["main.audit"],
            "main.factory.Local.run": ["main.factory.Local.helper"],
        },
    ),
)

_IMPORTS: tuple[CallGraphCase, ...] = (
    _case(
        "import_module_attribute",
        "imports",
        {
            "main.py": """\
            import util

            util.clean()
            """,
            "util.py": """\
            def clean():
                return None
            """,
        },
        {"main": ["util.clean"]},
    ),
    _case(
        "import_module_alias",
        "imports",
        {
            "main.py": """\
            import util as u


            def run():
                return u.clean()
            """,
            "util.py": """\
            def clean():
                return None
            """,
        },
        {"main.run": ["util.clean"]},
    ),
    _case(
        "import_dotted_as",
        "imports",
        {
            "main.py": """\
            import pkg.tools.text as text


            def run():
                return text.slug("a b")
            """,
            "pkg/__init__.py": "",
            "pkg/tools/__init__.py": "",
            "pkg/tools/text.py": """\
            def slug(value):
                return value
            """,
        },
        {"main.run": ["pkg.tools.text.slug"]},
    ),
    _case(
        "import_dotted_plain",
        "imports",
        {
            "main.py": """\
            import pkg.tools.text

            pkg.tools.text.slug("a b")
            """,
            "pkg/__init__.py": "",
            "pkg/tools/__init__.py": "",
            "pkg/tools/text.py": """\
            def slug(value):
                return value
            """,
        },
        {"main": ["pkg.tools.text.slug"]},
    ),
    _case(
        "import_from_aliased",
        "imports",
        {
            "main.py": """\
            from pkg.tools.text import slug as make_slug

            make_slug("a b")
            """,
            "pkg/__init__.py": "",
            "pkg/tools/__init__.py": "",
            "pkg/tools/text.py": """\
            def slug(value):
                return value
            """,
        },
        {"main": ["pkg.tools.text.slug"]},
    ),
    _case(
        "import_from_package_submodule",
        "imports",
        {
            "main.py": """\
            from pkg import mod

            mod.run()
            """,
            "pkg/__init__.py": "",
            "pkg/mod.py": """\
            def run():
                return None
            """,
        },
        {"main": ["pkg.mod.run"]},
    ),
    _case(
        "import_relative_sibling_module",
        "imports",
        {
            "main.py": """\
            from pkg.a import go

            go()
            """,
            "pkg/__init__.py": "",
            "pkg/a.py": """\
            from . import b


            def go():
                b.work()
            """,
            "pkg/b.py": """\
            def work():
                return None
            """,
        },
        {"main": ["pkg.a.go"], "pkg.a.go": ["pkg.b.work"]},
    ),
    _case(
        "import_relative_name_aliased",
        "imports",
        {
            "pkg/__init__.py": "",
            "pkg/a.py": """\
            from .b import work as do


            def go():
                do()
            """,
            "pkg/b.py": """\
            def work():
                return None
            """,
        },
        {"pkg.a.go": ["pkg.b.work"]},
    ),
    _case(
        "import_relative_parent_package",
        "imports",
        {
            "app/__init__.py": "",
            "app/api/__init__.py": "",
            "app/api/views.py": """\
            from ..services import billing
            from ..services.billing import refund


            def checkout():
                billing.charge()


            def cancel():
                refund()
            """,
            "app/services/__init__.py": "",
            "app/services/billing.py": """\
            def charge():
                return None


            def refund():
                return None
            """,
        },
        {
            "app.api.views.cancel": ["app.services.billing.refund"],
            "app.api.views.checkout": ["app.services.billing.charge"],
        },
    ),
    _case(
        "import_relative_function_from_package_init",
        "imports",
        {
            "pkg/__init__.py": """\
            def helper():
                return None
            """,
            "pkg/mod.py": """\
            from . import helper


            def run():
                helper()
            """,
        },
        {"pkg.mod.run": ["pkg.helper"]},
        note="`from . import helper` binds the function `helper` of `pkg/__init__.py`.",
    ),
    _case(
        "import_relative_inside_package_init",
        "imports",
        {
            "main.py": """\
            import pkg

            pkg.boot()
            """,
            "pkg/__init__.py": """\
            from .core import start


            def boot():
                start()
            """,
            "pkg/core.py": """\
            def start():
                return None
            """,
        },
        {"main": ["pkg.boot"], "pkg.boot": ["pkg.core.start"]},
    ),
    _case(
        "import_inside_function",
        "imports",
        {
            "main.py": """\
            def to_json(data):
                import json

                return json.dumps(data)


            def local_tools():
                from pkg.mod import run

                run()


            def elsewhere():
                return json.loads("1")
            """,
            "pkg/__init__.py": "",
            "pkg/mod.py": """\
            def run():
                return None
            """,
        },
        {"main.local_tools": ["pkg.mod.run"], "main.to_json": ["json.dumps"]},
        note="An import inside a function binds a local name: `elsewhere` cannot see `json`.",
    ),
    _case(
        "import_same_function_name_two_modules",
        "imports",
        {
            "main.py": """\
            import b
            from a import run

            run()
            b.run()
            """,
            "a.py": """\
            def run():
                return "a"
            """,
            "b.py": """\
            def run():
                return "b"
            """,
        },
        {"main": ["a.run", "b.run"]},
    ),
    _case(
        "import_instance_from_other_module",
        "imports",
        {
            "main.py": """\
            from db import session


            def commit_all():
                session.commit()
            """,
            "db.py": """\
            class Session:
                def commit(self):
                    return None


            session = Session()
            """,
        },
        {"main.commit_all": ["db.Session.commit"]},
    ),
)

_REEXPORT: tuple[CallGraphCase, ...] = (
    _case(
        "reexport_from_package_init",
        "reexport",
        {
            "main.py": """\
            from pkg import f

            f()
            """,
            "pkg/__init__.py": """\
            from .impl import f
            """,
            "pkg/impl.py": """\
            def f():
                return None
            """,
        },
        {"main": ["pkg.impl.f"]},
    ),
    _case(
        "reexport_through_package_attribute",
        "reexport",
        {
            "main.py": """\
            import pkg

            pkg.f()
            """,
            "pkg/__init__.py": """\
            from .impl import f
            """,
            "pkg/impl.py": """\
            def f():
                return None
            """,
        },
        {"main": ["pkg.impl.f"]},
    ),
    _case(
        "reexport_renamed",
        "reexport",
        {
            "main.py": """\
            from pkg import run

            run()
            """,
            "pkg/__init__.py": """\
            from .impl import f as run
            """,
            "pkg/impl.py": """\
            def f():
                return None
            """,
        },
        {"main": ["pkg.impl.f"]},
    ),
    _case(
        "reexport_two_levels",
        "reexport",
        {
            "main.py": """\
            from pkg import f

            f()
            """,
            "pkg/__init__.py": """\
            from .sub import f
            """,
            "pkg/sub/__init__.py": """\
            from .impl import f
            """,
            "pkg/sub/impl.py": """\
            def f():
                return None
            """,
        },
        {"main": ["pkg.sub.impl.f"]},
    ),
    _case(
        "reexport_class",
        "reexport",
        {
            "main.py": """\
            from pkg import Order

            order = Order()
            order.total()
            """,
            "pkg/__init__.py": """\
            from .models import Order
            """,
            "pkg/models.py": """\
            class Order:
                def __init__(self):
                    self.lines = []

                def total(self):
                    return len(self.lines)
            """,
        },
        {
            "main": ["pkg.models.Order.__init__", "pkg.models.Order.total"],
            "pkg.models.Order.total": ["<builtin>.len"],
        },
    ),
    _case(
        "reexport_via_module_variable",
        "reexport",
        {
            "main.py": """\
            from pkg import run

            run()
            """,
            "pkg/__init__.py": """\
            from . import impl

            run = impl.f
            """,
            "pkg/impl.py": """\
            def f():
                return None
            """,
        },
        {"main": ["pkg.impl.f"]},
    ),
)

_STAR_IMPORT: tuple[CallGraphCase, ...] = (
    _case(
        "star_import_without_all",
        "star_import",
        {
            "main.py": """\
            from helpers import *

            public()
            join("a", "b")
            _private()
            """,
            "helpers.py": """\
            from os.path import join


            def public():
                return join("x")


            def _private():
                return None
            """,
        },
        {"helpers.public": ["os.path.join"], "main": ["helpers.public", "os.path.join"]},
        note="Without `__all__` the public names include names the module imported (`join`); "
        "`_private` is not bound, so its call is unresolved.",
    ),
    _case(
        "star_import_with_all",
        "star_import",
        {
            "main.py": """\
            from helpers import *

            exported()
            hidden()
            """,
            "helpers.py": """\
            __all__ = ["exported"]


            def exported():
                return None


            def hidden():
                return None
            """,
        },
        {"main": ["helpers.exported"]},
    ),
    _case(
        "star_import_later_definition_wins",
        "star_import",
        {
            "main.py": """\
            from helpers import *


            def public():
                return 0


            public()
            """,
            "helpers.py": """\
            def public():
                return 1
            """,
        },
        {"main": ["main.public"]},
        note="The `def` after the star import rebinds `public` before the call; the "
        "imported function cannot be called there.",
    ),
    _case(
        "star_import_transitive",
        "star_import",
        {
            "main.py": """\
            from a import *

            f()
            """,
            "a.py": """\
            from b import *
            """,
            "b.py": """\
            def f():
                return None
            """,
        },
        {"main": ["b.f"]},
    ),
    _case(
        "star_import_package_all_limits_reexports",
        "star_import",
        {
            "main.py": """\
            from pkg import *

            run()
            stop()
            """,
            "pkg/__init__.py": """\
            from .impl import run, stop

            __all__ = ["run"]
            """,
            "pkg/impl.py": """\
            def run():
                return None


            def stop():
                return None
            """,
        },
        {"main": ["pkg.impl.run"]},
    ),
    _case(
        "star_import_relative_in_package_init",
        "star_import",
        {
            "main.py": """\
            import pkg

            pkg.go()
            """,
            "pkg/__init__.py": """\
            from .impl import *
            """,
            "pkg/impl.py": """\
            def go():
                return None
            """,
        },
        {"main": ["pkg.impl.go"]},
    ),
)

_CIRCULAR_IMPORT: tuple[CallGraphCase, ...] = (
    _case(
        "circular_import_module_attributes",
        "circular_import",
        {
            "a.py": """\
            import b


            def ping(n):
                return b.pong(n - 1)


            def done():
                return None
            """,
            "b.py": """\
            import a


            def pong(n):
                if n <= 0:
                    return a.done()
                return a.ping(n)
            """,
        },
        {"a.ping": ["b.pong"], "b.pong": ["a.done", "a.ping"]},
    ),
    _case(
        "circular_import_from_names",
        "circular_import",
        {
            "main.py": """\
            from a import first

            first()
            """,
            "a.py": """\
            from b import second


            def first():
                second()


            def base():
                return None
            """,
            "b.py": """\
            from a import base


            def second():
                base()
            """,
        },
        {"a.first": ["b.second"], "b.second": ["a.base"], "main": ["a.first"]},
    ),
    _case(
        "circular_import_deferred_in_function",
        "circular_import",
        {
            "models.py": """\
            def save():
                from services import notify

                notify()
            """,
            "services.py": """\
            from models import save


            def notify():
                return None


            def create():
                save()
            """,
        },
        {"models.save": ["services.notify"], "services.create": ["models.save"]},
    ),
    _case(
        "circular_import_relative_in_package",
        "circular_import",
        {
            "pkg/__init__.py": "",
            "pkg/orders.py": """\
            from . import users


            def place():
                users.check()


            def refresh():
                return None
            """,
            "pkg/users.py": """\
            from . import orders


            def check():
                orders.refresh()
            """,
        },
        {"pkg.orders.place": ["pkg.users.check"], "pkg.users.check": ["pkg.orders.refresh"]},
    ),
)

_CLASSES: tuple[CallGraphCase, ...] = (
    _case(
        "class_constructor_calls_init",
        "classes",
        {
            "main.py": """\
            class Repo:
                def __init__(self):
                    self.items = []

                def save(self, item):
                    self.items.append(item)


            repo = Repo()
            repo.save(1)
            """
        },
        {"main": ["main.Repo.__init__", "main.Repo.save"]},
        note="`self.items` holds a list, so `append` on it gives no edge.",
    ),
    _case(
        "class_without_init_gives_no_constructor_edge",
        "classes",
        {
            "main.py": """\
            class Plain:
                def hello(self):
                    return "hi"


            p = Plain()
            p.hello()
            p.missing()
            """
        },
        {"main": ["main.Plain.hello"]},
        note="No class in the MRO defines `__init__`, so `Plain()` gives no edge; a method "
        "that does not exist gives none either.",
    ),
    _case(
        "class_init_inherited",
        "classes",
        {
            "main.py": """\
            class Base:
                def __init__(self):
                    self.ready = True


            class Child(Base):
                def run(self):
                    return self.ready


            c = Child()
            c.run()
            """
        },
        {"main": ["main.Base.__init__", "main.Child.run"]},
    ),
    _case(
        "class_instance_global_and_local",
        "classes",
        {
            "main.py": """\
            class Cache:
                def get(self, key):
                    return key


            CACHE = Cache()


            def lookup(key):
                return CACHE.get(key)


            def local():
                c = Cache()
                return c.get(1)
            """
        },
        {"main.local": ["main.Cache.get"], "main.lookup": ["main.Cache.get"]},
    ),
    _case(
        "class_method_called_through_class",
        "classes",
        {
            "main.py": """\
            class Tool:
                def run(self):
                    return 1

                @staticmethod
                def make():
                    return 2


            t = Tool()
            Tool.run(t)
            Tool.make()
            """
        },
        {"main": ["main.Tool.make", "main.Tool.run"]},
    ),
    _case(
        "class_method_calls_module_function_of_same_name",
        "classes",
        {
            "main.py": """\
            def save():
                return None


            class Store:
                def save(self):
                    save()

                def flush(self):
                    self.save()
            """
        },
        {"main.Store.flush": ["main.Store.save"], "main.Store.save": ["main.save"]},
        note="A bare name inside a method never sees the class body's names.",
    ),
    _case(
        "classmethod_cls_instantiation",
        "classes",
        {
            "main.py": """\
            class Model:
                def __init__(self):
                    self.saved = False

                @classmethod
                def create(cls):
                    return cls()


            class User(Model):
                def __init__(self):
                    super().__init__()


            u = User.create()
            """
        },
        {
            "main": ["main.Model.create"],
            "main.Model.create": ["main.Model.__init__", "main.User.__init__"],
            "main.User.__init__": ["main.Model.__init__"],
        },
        note="`cls()` in a classmethod of C is read like `cls.__init__`: C's MRO plus "
        "overrides in subclasses, since `cls` may be a subclass (the doc names only `cls.m()`).",
    ),
    _case(
        "classmethod_calls_overridden_staticmethod",
        "classes",
        {
            "main.py": """\
            class Parser:
                @classmethod
                def parse(cls, text):
                    return cls.tokenize(text)

                @staticmethod
                def tokenize(text):
                    return text.split()


            class CsvParser(Parser):
                @staticmethod
                def tokenize(text):
                    return text.split(",")


            CsvParser.parse("a,b")
            """
        },
        {
            "main": ["main.Parser.parse"],
            "main.Parser.parse": ["main.CsvParser.tokenize", "main.Parser.tokenize"],
        },
        note="`text` is an unannotated parameter, so `text.split()` is unresolved.",
    ),
    _case(
        "staticmethod_through_self",
        "classes",
        {
            "main.py": """\
            class Calc:
                @staticmethod
                def add(a, b):
                    return a + b

                def total(self, xs):
                    return self.add(xs[0], xs[1])


            Calc().total([1, 2])
            """
        },
        {"main": ["main.Calc.total"], "main.Calc.total": ["main.Calc.add"]},
    ),
    _case(
        "attribute_instance_set_in_init",
        "classes",
        {
            "main.py": """\
            class Repo:
                def save(self):
                    return None


            class SqlRepo(Repo):
                def save(self):
                    return None


            class Service:
                def __init__(self):
                    self.repo = Repo()

                def run(self):
                    self.repo.save()
            """
        },
        {"main.Service.run": ["main.Repo.save"]},
        note="The attribute holds exactly a `Repo`, so `SqlRepo.save` is not a target.",
    ),
    _case(
        "attribute_instance_set_in_other_method",
        "classes",
        {
            "main.py": """\
            class Mailer:
                def __init__(self):
                    self.sent = 0

                def send(self):
                    return None


            class Job:
                def setup(self):
                    self.mailer = Mailer()

                def run(self):
                    self.mailer.send()
            """
        },
        {"main.Job.run": ["main.Mailer.send"], "main.Job.setup": ["main.Mailer.__init__"]},
    ),
    _case(
        "attribute_assigned_two_classes",
        "classes",
        {
            "main.py": """\
            class Disk:
                def write(self):
                    return None


            class Memory:
                def write(self):
                    return None


            class Store:
                def __init__(self, fast):
                    if fast:
                        self.backend = Memory()
                    else:
                        self.backend = Disk()

                def put(self):
                    self.backend.write()
            """
        },
        {"main.Store.put": ["main.Disk.write", "main.Memory.write"]},
    ),
    _case(
        "nested_class_method",
        "classes",
        {
            "main.py": """\
            class Outer:
                class Inner:
                    def ping(self):
                        return None

                def run(self):
                    return Outer.Inner().ping()
            """
        },
        {"main.Outer.run": ["main.Outer.Inner.ping"]},
    ),
    _case(
        "method_chain_with_return_annotation",
        "classes",
        {
            "main.py": """\
            class Builder:
                def step(self) -> "Builder":
                    return self

                def done(self):
                    return None


            Builder().step().done()
            """
        },
        {"main": ["main.Builder.done", "main.Builder.step"]},
    ),
    _case(
        "instance_from_conditional_expression",
        "classes",
        {
            "main.py": """\
            class A:
                def go(self):
                    return "a"


            class B:
                def go(self):
                    return "b"


            def pick(flag):
                obj = A() if flag else B()
                obj.go()
            """
        },
        {"main.pick": ["main.A.go", "main.B.go"]},
    ),
)

_MRO: tuple[CallGraphCase, ...] = (
    _case(
        "mro_method_inherited",
        "mro",
        {
            "main.py": """\
            class A:
                def m(self):
                    return None


            class B(A):
                pass


            B().m()
            """
        },
        {"main": ["main.A.m"]},
    ),
    _case(
        "mro_diamond_lookup",
        "mro",
        {
            "main.py": """\
            class A:
                def m(self):
                    return "a"


            class B(A):
                pass


            class C(A):
                def m(self):
                    return "c"


            class D(B, C):
                pass


            D().m()
            """
        },
        {"main": ["main.C.m"]},
        note="The C3 MRO of D is D, B, C, A: C.m comes before A.m.",
    ),
    _case(
        "mro_exact_instance_ignores_subclass_override",
        "mro",
        {
            "main.py": """\
            class A:
                def m(self):
                    return "a"


            class B(A):
                pass


            class C(B):
                def m(self):
                    return "c"


            b = B()
            b.m()
            """
        },
        {"main": ["main.A.m"]},
    ),
    _case(
        "mro_self_call_with_overrides",
        "mro",
        {
            "main.py": """\
            class Base:
                def run(self):
                    return self.step()

                def step(self):
                    return 0


            class Fast(Base):
                def step(self):
                    return 1


            class Faster(Fast):
                def step(self):
                    return 2


            Fast().run()
            """
        },
        {
            "main": ["main.Base.run"],
            "main.Base.run": ["main.Base.step", "main.Fast.step", "main.Faster.step"],
        },
    ),
    _case(
        "mro_self_call_defined_only_in_subclasses",
        "mro",
        {
            "main.py": """\
            class Handler:
                def handle(self):
                    return self.process()


            class Json(Handler):
                def process(self):
                    return "json"


            class Xml(Handler):
                def process(self):
                    return "xml"
            """
        },
        {"main.Handler.handle": ["main.Json.process", "main.Xml.process"]},
    ),
    _case(
        "mro_self_call_excludes_sibling_overrides",
        "mro",
        {
            "main.py": """\
            class Base:
                def m(self):
                    return "base"


            class Left(Base):
                def run(self):
                    return self.m()


            class Right(Base):
                def m(self):
                    return "right"


            class LeftChild(Left):
                def m(self):
                    return "left child"
            """
        },
        {"main.Left.run": ["main.Base.m", "main.LeftChild.m"]},
        note="Right is not a subclass of Left, so Right.m cannot run for `self` in Left.",
    ),
    _case(
        "mro_self_call_mixin_in_subclass_mro",
        "mro",
        {
            "main.py": """\
            class Base:
                def run(self):
                    return self.save()

                def save(self):
                    return "base"


            class AuditMixin:
                def save(self):
                    return "audited"


            class Audited(AuditMixin, Base):
                pass
            """
        },
        {"main.Base.run": ["main.AuditMixin.save", "main.Base.save"]},
        note="AuditMixin is not a subclass of Base, but on an Audited instance (a subclass) "
        "`self.save` resolves to AuditMixin.save; 'overrides in subclasses' is read as "
        "'what `m` resolves to for any subclass'.",
    ),
    _case(
        "mro_self_call_in_diamond",
        "mro",
        {
            "main.py": """\
            class A:
                def go(self):
                    return self.step()

                def step(self):
                    return "a"


            class B(A):
                def step(self):
                    return "b"


            class C(A):
                def step(self):
                    return "c"


            class D(B, C):
                pass
            """
        },
        {"main.A.go": ["main.A.step", "main.B.step", "main.C.step"]},
    ),
    _case(
        "mro_inheritance_across_modules",
        "mro",
        {
            "main.py": """\
            from plugins import Plugin

            Plugin()
            """,
            "base.py": """\
            class Base:
                def __init__(self):
                    self.setup()

                def setup(self):
                    return None
            """,
            "plugins.py": """\
            from base import Base


            class Plugin(Base):
                def setup(self):
                    return "plugin"
            """,
        },
        {
            "base.Base.__init__": ["base.Base.setup", "plugins.Plugin.setup"],
            "main": ["base.Base.__init__"],
        },
    ),
    _case(
        "mro_classmethod_via_subclass",
        "mro",
        {
            "main.py": """\
            class Base:
                @classmethod
                def build(cls):
                    return cls.defaults()

                @classmethod
                def defaults(cls):
                    return {}


            class Custom(Base):
                @classmethod
                def defaults(cls):
                    return {"custom": True}


            Custom.build()
            """
        },
        {
            "main": ["main.Base.build"],
            "main.Base.build": ["main.Base.defaults", "main.Custom.defaults"],
        },
    ),
)

_SUPER: tuple[CallGraphCase, ...] = (
    _case(
        "super_init",
        "super",
        {
            "main.py": """\
            class Base:
                def __init__(self):
                    self.ready = True


            class Child(Base):
                def __init__(self):
                    super().__init__()


            Child()
            """
        },
        {"main": ["main.Child.__init__"], "main.Child.__init__": ["main.Base.__init__"]},
        note="`super` itself is never an edge.",
    ),
    _case(
        "super_multi_level",
        "super",
        {
            "main.py": """\
            class A:
                def save(self):
                    return "a"


            class B(A):
                pass


            class C(B):
                def save(self):
                    super().save()
            """
        },
        {"main.C.save": ["main.A.save"]},
    ),
    _case(
        "super_diamond",
        "super",
        {
            "main.py": """\
            class A:
                def ping(self):
                    return "a"


            class B(A):
                def ping(self):
                    super().ping()


            class C(A):
                def ping(self):
                    super().ping()


            class D(B, C):
                def ping(self):
                    super().ping()
            """
        },
        {
            "main.B.ping": ["main.A.ping"],
            "main.C.ping": ["main.A.ping"],
            "main.D.ping": ["main.B.ping"],
        },
        note="Per the doc, super() in B looks after B in B's own MRO, giving A.ping. At run "
        "time, on a D instance it reaches C.ping; the contract does not count that edge.",
    ),
    _case(
        "super_without_parent_method",
        "super",
        {
            "main.py": """\
            class Base:
                pass


            class Child(Base):
                def __init__(self):
                    super().__init__()
            """
        },
        {},
        note="Only `object` defines `__init__` above Child; it is not analyzed code.",
    ),
    _case(
        "super_two_argument_form",
        "super",
        {
            "main.py": """\
            class A:
                def m(self):
                    return "a"


            class B(A):
                def m(self):
                    super(B, self).m()
            """
        },
        {"main.B.m": ["main.A.m"]},
        note="`super(B, self)` inside B is read as `super()`.",
    ),
    _case(
        "super_into_builtin_exception",
        "super",
        {
            "main.py": """\
            class AppError(Exception):
                def __init__(self, msg):
                    super().__init__(msg)


            def fail():
                raise AppError("bad")
            """
        },
        {"main.fail": ["main.AppError.__init__"]},
        note="super() reaching a method of a builtin class gives no edge: it is not analyzed "
        "code and not a call of a `builtins` name.",
    ),
    _case(
        "super_in_classmethod",
        "super",
        {
            "main.py": """\
            class Base:
                @classmethod
                def create(cls):
                    return None


            class Child(Base):
                @classmethod
                def create(cls):
                    return super().create()
            """
        },
        {"main.Child.create": ["main.Base.create"]},
    ),
)

_ANNOTATIONS: tuple[CallGraphCase, ...] = (
    _case(
        "annotation_parameter_includes_overrides",
        "annotations",
        {
            "main.py": """\
            class Repo:
                def save(self):
                    return None


            class SqlRepo(Repo):
                def save(self):
                    return "sql"


            def persist(repo: Repo):
                repo.save()
            """
        },
        {"main.persist": ["main.Repo.save", "main.SqlRepo.save"]},
    ),
    _case(
        "annotation_optional",
        "annotations",
        {
            "main.py": """\
            from typing import Optional


            class Repo:
                def save(self):
                    return None


            def persist(repo: Optional[Repo] = None):
                if repo is not None:
                    repo.save()
            """
        },
        {"main.persist": ["main.Repo.save"]},
    ),
    _case(
        "annotation_union_with_none",
        "annotations",
        {
            "main.py": """\
            class Repo:
                def save(self):
                    return None


            class CachedRepo(Repo):
                def save(self):
                    return "cached"


            def persist(repo: Repo | None):
                if repo:
                    repo.save()
            """
        },
        {"main.persist": ["main.CachedRepo.save", "main.Repo.save"]},
    ),
    _case(
        "annotation_string_forward_reference",
        "annotations",
        {
            "main.py": """\
            def persist(repo: "Repo"):
                repo.save()


            class Repo:
                def save(self):
                    return None
            """
        },
        {"main.persist": ["main.Repo.save"]},
    ),
    _case(
        "annotation_type_checking_import",
        "annotations",
        {
            "main.py": """\
            from __future__ import annotations

            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from models import Order


            def total(order: Order) -> int:
                return order.price()
            """,
            "models.py": """\
            class Order:
                def price(self):
                    return 1
            """,
        },
        {"main.total": ["models.Order.price"]},
        note="A class imported only under TYPE_CHECKING still types the parameter.",
    ),
    _case(
        "annotation_return_type",
        "annotations",
        {
            "main.py": """\
            class Conn:
                def close(self):
                    return None


            class PooledConn(Conn):
                def close(self):
                    return "pooled"


            def connect() -> Conn:
                return Conn()


            def work():
                connect().close()
                c = connect()
                c.close()
            """
        },
        {"main.work": ["main.Conn.close", "main.PooledConn.close", "main.connect"]},
        note="`connect` builds a Conn, but callers see only its annotation, which admits "
        "subclasses.",
    ),
    _case(
        "annotation_class_level_attribute",
        "annotations",
        {
            "main.py": """\
            class Cache:
                def get(self):
                    return None


            class View:
                cache: Cache

                def __init__(self, cache):
                    self.cache = cache

                def render(self):
                    return self.cache.get()
            """
        },
        {"main.View.render": ["main.Cache.get"]},
    ),
    _case(
        "annotation_init_parameter_stored_on_self",
        "annotations",
        {
            "main.py": """\
            class Repo:
                def save(self):
                    return None


            class MemRepo(Repo):
                def save(self):
                    return "mem"


            class Service:
                def __init__(self, repo: Repo):
                    self.repo = repo

                def create(self):
                    self.repo.save()
            """
        },
        {"main.Service.create": ["main.MemRepo.save", "main.Repo.save"]},
        note="An attribute assigned from an annotated parameter takes that annotation.",
    ),
    _case(
        "annotation_imported_class",
        "annotations",
        {
            "main.py": """\
            from models import Repo


            def persist(r: Repo):
                r.save()
            """,
            "models.py": """\
            class Repo:
                def save(self):
                    return None
            """,
        },
        {"main.persist": ["models.Repo.save"]},
    ),
    _case(
        "annotation_union_of_two_classes",
        "annotations",
        {
            "main.py": """\
            class Email:
                def send(self):
                    return "email"


            class Sms:
                def send(self):
                    return "sms"


            def notify(channel: Email | Sms):
                channel.send()
            """
        },
        {"main.notify": ["main.Email.send", "main.Sms.send"]},
        note="The doc names `C | None`; a union of classes is read as any of them.",
    ),
    _case(
        "annotation_local_variable",
        "annotations",
        {
            "main.py": """\
            class Repo:
                def save(self):
                    return None


            def load():
                return None


            def run():
                repo: Repo = load()
                repo.save()
            """
        },
        {"main.run": ["main.Repo.save", "main.load"]},
        note="The doc lists parameter, return and attribute annotations; an annotated local "
        "is read the same way.",
    ),
    _case(
        "annotation_builtin_types_give_no_edge",
        "annotations",
        {
            "main.py": """\
            def clean(name: str, tags: list[str]) -> str:
                tags.append(name.strip())
                return name.upper()
            """
        },
        {},
    ),
    _case(
        "annotation_container_element_type",
        "annotations",
        {
            "main.py": """\
            class Job:
                def run(self):
                    return None


            def run_all(jobs: list[Job]):
                for job in jobs:
                    job.run()
            """
        },
        {"main.run_all": ["main.Job.run"]},
        note="The doc is silent on element types of annotated containers; `list[Job]` is "
        "read as holding Job instances (or subclasses).",
    ),
)

_FLOW: tuple[CallGraphCase, ...] = (
    _case(
        "flow_function_alias",
        "flow",
        {
            "main.py": """\
            def f():
                return None


            g = f
            g()
            """
        },
        {"main": ["main.f"]},
    ),
    _case(
        "flow_callbacks_positional_and_keyword",
        "flow",
        {
            "main.py": """\
            def on_done():
                return None


            def on_error():
                return None


            def work():
                return None


            def run(task, callback, errback=None):
                try:
                    task()
                except Exception:
                    errback()
                callback()


            run(work, on_done, errback=on_error)
            """
        },
        {"main": ["main.run"], "main.run": ["main.on_done", "main.on_error", "main.work"]},
    ),
    _case(
        "flow_callback_through_two_levels",
        "flow",
        {
            "main.py": """\
            def target():
                return None


            def outer(cb):
                inner(cb)


            def inner(fn):
                fn()


            outer(target)
            """
        },
        {"main": ["main.outer"], "main.inner": ["main.target"], "main.outer": ["main.inner"]},
    ),
    _case(
        "flow_callback_from_several_call_sites",
        "flow",
        {
            "main.py": """\
            def a():
                return "a"


            def b():
                return "b"


            def apply(fn):
                return fn()


            apply(a)
            apply(b)
            """
        },
        {"main": ["main.apply"], "main.apply": ["main.a", "main.b"]},
    ),
    _case(
        "flow_default_parameter_function",
        "flow",
        {
            "main.py": """\
            def default_handler():
                return None


            def custom():
                return None


            def serve(handler=default_handler):
                handler()


            serve()
            serve(custom)
            """
        },
        {"main": ["main.serve"], "main.serve": ["main.custom", "main.default_handler"]},
        note="A function given as a default value flows into the parameter like an argument.",
    ),
    _case(
        "flow_returned_function_selection",
        "flow",
        {
            "main.py": """\
            def fast():
                return None


            def slow():
                return None


            def choose(flag):
                return fast if flag else slow


            choose(True)()
            """
        },
        {"main": ["main.choose", "main.fast", "main.slow"]},
    ),
    _case(
        "flow_returned_through_local_variable",
        "flow",
        {
            "main.py": """\
            def helper():
                return None


            def get():
                h = helper
                return h


            def use():
                fn = get()
                fn()
            """
        },
        {"main.use": ["main.get", "main.helper"]},
    ),
    _case(
        "flow_bound_method_as_callback",
        "flow",
        {
            "main.py": """\
            class Button:
                def click(self):
                    return None


            def trigger(handler):
                handler()


            b = Button()
            trigger(b.click)
            """
        },
        {"main": ["main.trigger"], "main.trigger": ["main.Button.click"]},
    ),
    _case(
        "flow_instance_into_unannotated_parameter",
        "flow",
        {
            "main.py": """\
            class Repo:
                def save(self):
                    return None


            class AuditRepo(Repo):
                def save(self):
                    return "audit"


            def persist(repo):
                repo.save()


            persist(Repo())
            """
        },
        {"main": ["main.persist"], "main.persist": ["main.Repo.save"]},
        note="Instances flow into parameters as functions do; the argument is exactly a Repo, "
        "so AuditRepo.save is not a target. The doc's example of an unresolved call (an "
        "attribute of an unannotated parameter) is read as one where nothing flows in.",
    ),
    _case(
        "flow_class_as_factory_argument",
        "flow",
        {
            "main.py": """\
            class Widget:
                def __init__(self):
                    self.shown = False


            def build(factory):
                return factory()


            build(Widget)
            """
        },
        {"main": ["main.build"], "main.build": ["main.Widget.__init__"]},
        note="A class flowing into a parameter: calling it is `Widget()`.",
    ),
    _case(
        "flow_function_from_module_attribute",
        "flow",
        {
            "main.py": """\
            import handlers

            fn = handlers.process
            fn()
            """,
            "handlers.py": """\
            def process():
                return None
            """,
        },
        {"main": ["handlers.process"]},
    ),
    _case(
        "flow_class_attribute_holding_function",
        "flow",
        {
            "main.py": """\
            def default_hook():
                return None


            class Config:
                hook = default_hook


            Config.hook()
            """
        },
        {"main": ["main.default_hook"]},
        note="A class attribute bound to a module function: calling it through the class "
        "calls that function (the doc's `C.m()` row only names methods).",
    ),
    _case(
        "flow_star_args_callbacks",
        "flow",
        {
            "main.py": """\
            def a():
                return "a"


            def b():
                return "b"


            def run(*fns):
                for fn in fns:
                    fn()


            run(a, b)
            """
        },
        {"main": ["main.run"], "main.run": ["main.a", "main.b"]},
        note="Functions passed to `*args` flow into the tuple the parameter holds.",
    ),
    _case(
        "flow_global_rebound_in_function",
        "flow",
        {
            "main.py": """\
            def noop():
                return None


            def real():
                return 1


            handler = noop


            def install():
                global handler
                handler = real


            def fire():
                handler()
            """
        },
        {"main.fire": ["main.noop", "main.real"]},
    ),
    _case(
        "flow_reassigned_variable_last_value_wins",
        "flow",
        {
            "main.py": """\
            def first():
                return 1


            def second():
                return 2


            def run():
                action = first
                action = second
                action()
            """
        },
        {"main.run": ["main.second"]},
        note="In straight-line code only `second` is bound when the call runs; a "
        "flow-insensitive reading would add `first`, which is a wrong edge.",
    ),
    _case(
        "flow_conditional_assignment",
        "flow",
        {
            "main.py": """\
            def a():
                return "a"


            def b():
                return "b"


            def pick(flag):
                if flag:
                    fn = a
                else:
                    fn = b
                fn()
            """
        },
        {"main.pick": ["main.a", "main.b"]},
    ),
)

_CONTAINERS: tuple[CallGraphCase, ...] = (
    _case(
        "container_list_index",
        "containers",
        {
            "main.py": """\
            def a():
                return "a"


            def b():
                return "b"


            steps = [a, b]
            steps[0]()
            """
        },
        {"main": ["main.a", "main.b"]},
        note="The doc counts every element of the list, whatever the index.",
    ),
    _case(
        "container_tuple_loop",
        "containers",
        {
            "main.py": """\
            def a():
                return "a"


            def b():
                return "b"


            def run_all():
                for step in (a, b):
                    step()
            """
        },
        {"main.run_all": ["main.a", "main.b"]},
    ),
    _case(
        "container_dispatch_dict_subscript",
        "containers",
        {
            "main.py": """\
            def create():
                return None


            def delete():
                return None


            HANDLERS = {"create": create, "delete": delete}


            def dispatch(action):
                return HANDLERS[action]()
            """
        },
        {"main.dispatch": ["main.create", "main.delete"]},
    ),
    _case(
        "container_dispatch_dict_get_with_default",
        "containers",
        {
            "main.py": """\
            def create():
                return None


            def delete():
                return None


            def unknown():
                return None


            HANDLERS = {"create": create, "delete": delete}


            def dispatch(action):
                return HANDLERS.get(action, unknown)()
            """
        },
        {"main.dispatch": ["main.create", "main.delete", "main.unknown"]},
        note="`.get(k, default)` may return the default, so `unknown` is a target too; "
        "`.get` itself is a method of a dict and gives no edge.",
    ),
    _case(
        "container_dict_get_then_call",
        "containers",
        {
            "main.py": """\
            def create():
                return None


            def delete():
                return None


            HANDLERS = {"create": create, "delete": delete}


            def dispatch(action):
                handler = HANDLERS.get(action)
                if handler is not None:
                    handler()
            """
        },
        {"main.dispatch": ["main.create", "main.delete"]},
    ),
    _case(
        "container_dict_item_assigned_later",
        "containers",
        {
            "main.py": """\
            def a():
                return "a"


            def b():
                return "b"


            ROUTES = {"a": a}
            ROUTES["b"] = b


            def route(key):
                ROUTES[key]()
            """
        },
        {"main.route": ["main.a", "main.b"]},
    ),
    _case(
        "container_list_append",
        "containers",
        {
            "main.py": """\
            def a():
                return "a"


            def b():
                return "b"


            hooks = [a]
            hooks.append(b)


            def fire():
                for hook in hooks:
                    hook()
            """
        },
        {"main.fire": ["main.a", "main.b"]},
        note="`append` gives no edge, but `b` may be stored in `hooks` through it.",
    ),
    _case(
        "container_dict_items_and_values_loops",
        "containers",
        {
            "main.py": """\
            def a():
                return "a"


            def b():
                return "b"


            TASKS = {"a": a, "b": b}


            def run_all():
                for _name, task in TASKS.items():
                    task()
                for task in TASKS.values():
                    task()
            """
        },
        {"main.run_all": ["main.a", "main.b"]},
        note="The values reached through `.items()` (unpacked) and `.values()` are the "
        "dict's values.",
    ),
    _case(
        "container_nested_structure",
        "containers",
        {
            "main.py": """\
            def a():
                return "a"


            def b():
                return "b"


            PIPELINE = {"pre": [a], "post": [b]}


            def run(stage):
                for step in PIPELINE[stage]:
                    step()
            """
        },
        {"main.run": ["main.a", "main.b"]},
    ),
    _case(
        "container_tuple_unpacking_is_positional",
        "containers",
        {
            "main.py": """\
            def a():
                return "a"


            def b():
                return "b"


            first, second = a, b
            second()
            """
        },
        {"main": ["main.b"]},
        note="Unpacking a tuple literal binds each name to its own element; `a` is never "
        "bound to `second`.",
    ),
    _case(
        "container_list_of_instances",
        "containers",
        {
            "main.py": """\
            class Email:
                def send(self):
                    return "email"


            class Sms:
                def send(self):
                    return "sms"


            CHANNELS = [Email(), Sms()]


            def broadcast():
                for channel in CHANNELS:
                    channel.send()
            """
        },
        {"main.broadcast": ["main.Email.send", "main.Sms.send"]},
    ),
)

_PARTIAL: tuple[CallGraphCase, ...] = (
    _case(
        "partial_functools_module",
        "partial",
        {
            "main.py": """\
            import functools


            def greet(name, punct):
                return name + punct


            hello = functools.partial(greet, "world")
            hello("!")
            """
        },
        {"main": ["functools.partial", "main.greet"]},
    ),
    _case(
        "partial_from_import",
        "partial",
        {
            "main.py": """\
            from functools import partial


            def add(a, b):
                return a + b


            def run():
                inc = partial(add, 1)
                return inc(2)
            """
        },
        {"main.run": ["functools.partial", "main.add"]},
    ),
    _case(
        "partial_aliased_module_as_callback",
        "partial",
        {
            "main.py": """\
            import functools as ft


            def send(to, body):
                return None


            def schedule(job):
                job()


            schedule(ft.partial(send, "ops"))
            """
        },
        {"main": ["functools.partial", "main.schedule"], "main.schedule": ["main.send"]},
        note="`send` is called where the partial is called, inside `schedule`.",
    ),
    _case(
        "partial_never_called",
        "partial",
        {
            "main.py": """\
            from functools import partial


            def add(a, b):
                return a + b


            inc = partial(add, 1)
            """
        },
        {"main": ["functools.partial"]},
    ),
    _case(
        "partial_of_bound_method",
        "partial",
        {
            "main.py": """\
            from functools import partial


            class Printer:
                def show(self, text):
                    return text


            p = Printer()
            show_title = partial(p.show, "title")
            show_title()
            """
        },
        {"main": ["functools.partial", "main.Printer.show"]},
    ),
    _case(
        "partial_stored_in_dict",
        "partial",
        {
            "main.py": """\
            from functools import partial


            def scale(factor, x):
                return factor * x


            OPS = {"double": partial(scale, 2), "triple": partial(scale, 3)}


            def apply(op, x):
                return OPS[op](x)
            """
        },
        {"main": ["functools.partial"], "main.apply": ["main.scale"]},
    ),
)

_LAMBDAS: tuple[CallGraphCase, ...] = (
    _case(
        "lambda_assigned_and_called",
        "lambdas",
        {
            "main.py": """\
            def add(a, b):
                return a + b


            inc = lambda x: add(x, 1)
            inc(1)
            """
        },
        {"main": ["main.<lambda1>"], "main.<lambda1>": ["main.add"]},
    ),
    _case(
        "lambda_as_sort_key",
        "lambdas",
        {
            "main.py": """\
            def score(item):
                return item


            def rank(items):
                return sorted(items, key=lambda item: score(item))
            """
        },
        {"main.rank": ["<builtin>.sorted"], "main.rank.<lambda1>": ["main.score"]},
        note="`sorted` calls the key, not `rank`'s own code; what builtins and externals do "
        "with their arguments is not followed, so there is no `rank -> <lambda1>` edge.",
    ),
    _case(
        "lambda_in_dispatch_dict",
        "lambdas",
        {
            "main.py": """\
            def start():
                return None


            def stop():
                return None


            ACTIONS = {
                "start": lambda: start(),
                "stop": lambda: stop(),
            }


            def act(name):
                ACTIONS[name]()
            """
        },
        {
            "main.<lambda1>": ["main.start"],
            "main.<lambda2>": ["main.stop"],
            "main.act": ["main.<lambda1>", "main.<lambda2>"],
        },
    ),
    _case(
        "lambda_numbering_per_scope",
        "lambdas",
        {
            "main.py": """\
            def log(x):
                return x


            first = lambda: log(1)


            def work():
                inner = lambda: log(2)
                other = lambda: log(3)
                return inner() or other()


            second = lambda: log(4)


            class Table:
                sort_key = lambda row: log(5)


            second()
            """
        },
        {
            "main": ["main.<lambda2>"],
            "main.<lambda1>": ["main.log"],
            "main.<lambda2>": ["main.log"],
            "main.Table.<lambda1>": ["main.log"],
            "main.work": ["main.work.<lambda1>", "main.work.<lambda2>"],
            "main.work.<lambda1>": ["main.log"],
            "main.work.<lambda2>": ["main.log"],
        },
        note="Each module, function and class counts its own lambdas; those inside `work` "
        "do not move the module's count.",
    ),
    _case(
        "lambda_numbering_on_one_line",
        "lambdas",
        {
            "main.py": """\
            def a():
                return "a"


            def b():
                return "b"


            pair = (lambda: a(), lambda: b())
            pair[1]()
            """
        },
        {
            "main": ["main.<lambda1>", "main.<lambda2>"],
            "main.<lambda1>": ["main.a"],
            "main.<lambda2>": ["main.b"],
        },
        note="Source order on one line is column order; the index is not used (doc).",
    ),
    _case(
        "lambda_nested_in_lambda",
        "lambdas",
        {
            "main.py": """\
            def leaf():
                return None


            make = lambda: (lambda: leaf())
            make()()
            """
        },
        {
            "main": ["main.<lambda1>", "main.<lambda1>.<lambda1>"],
            "main.<lambda1>.<lambda1>": ["main.leaf"],
        },
        note="A lambda is a function, so a lambda inside it is numbered within it.",
    ),
    _case(
        "lambda_in_default_argument",
        "lambdas",
        {
            "main.py": """\
            def ident(x):
                return x


            def sort_rows(rows, key=lambda row: ident(row)):
                return [key(r) for r in rows]
            """
        },
        {"main.<lambda1>": ["main.ident"], "main.sort_rows": ["main.<lambda1>"]},
        note="Default values belong to the scope where `def` runs, so the lambda is numbered "
        "in the module and flows into `key`.",
    ),
    _case(
        "lambda_passed_to_analyzed_function",
        "lambdas",
        {
            "main.py": """\
            def notify():
                return None


            def later(cb):
                cb()


            def schedule():
                later(lambda: notify())
            """
        },
        {
            "main.later": ["main.schedule.<lambda1>"],
            "main.schedule": ["main.later"],
            "main.schedule.<lambda1>": ["main.notify"],
        },
    ),
    _case(
        "lambda_returned_from_function",
        "lambdas",
        {
            "main.py": """\
            def emit():
                return None


            def make_handler():
                return lambda: emit()


            make_handler()()
            """
        },
        {
            "main": ["main.make_handler", "main.make_handler.<lambda1>"],
            "main.make_handler.<lambda1>": ["main.emit"],
        },
    ),
    _case(
        "lambda_in_method",
        "lambdas",
        {
            "main.py": """\
            def fmt(x):
                return str(x)


            class Report:
                def lines(self, rows):
                    render = lambda row: fmt(row)
                    return [render(r) for r in rows]
            """
        },
        {
            "main.Report.lines": ["main.Report.lines.<lambda1>"],
            "main.Report.lines.<lambda1>": ["main.fmt"],
            "main.fmt": ["<builtin>.str"],
        },
    ),
)

_DECORATORS: tuple[CallGraphCase, ...] = (
    _case(
        "decorator_simple_wrapper",
        "decorators",
        {
            "main.py": """\
            def trace(fn):
                def wrapper(*args):
                    print("call")
                    return fn(*args)

                return wrapper


            @trace
            def work():
                return None


            work()
            """
        },
        {
            "main": ["main.trace", "main.work"],
            "main.trace.wrapper": ["<builtin>.print", "main.work"],
        },
        note="Calling a decorated function gives the function itself (doc).",
    ),
    _case(
        "decorator_with_functools_wraps",
        "decorators",
        {
            "main.py": """\
            import functools


            def logged(fn):
                @functools.wraps(fn)
                def wrapper(*args, **kwargs):
                    return fn(*args, **kwargs)

                return wrapper


            @logged
            def handler():
                return None


            handler()
            """
        },
        {
            "main": ["main.handler", "main.logged"],
            "main.logged": ["functools.wraps"],
            "main.logged.wrapper": ["main.handler"],
        },
        note="Applying the result of `functools.wraps(fn)` calls an unknown external value: "
        "no edge beyond `functools.wraps`.",
    ),
    _case(
        "decorator_with_arguments",
        "decorators",
        {
            "main.py": """\
            def retry(times):
                def decorate(fn):
                    def wrapper():
                        for _ in range(times):
                            fn()

                    return wrapper

                return decorate


            @retry(3)
            def fetch():
                return None


            fetch()
            """
        },
        {
            "main": ["main.fetch", "main.retry", "main.retry.decorate"],
            "main.retry.decorate.wrapper": ["<builtin>.range", "main.fetch"],
        },
        note="`@retry(3)` calls `retry`, then calls its result `decorate` with `fetch`.",
    ),
    _case(
        "decorator_stacked",
        "decorators",
        {
            "main.py": """\
            def first(fn):
                def wrapper():
                    return fn()

                return wrapper


            def second(fn):
                def wrapper():
                    return fn()

                return wrapper


            @first
            @second
            def job():
                return None


            job()
            """
        },
        {
            "main": ["main.first", "main.job", "main.second"],
            "main.first.wrapper": ["main.job"],
            "main.second.wrapper": ["main.job"],
        },
        note="Decorators are taken to preserve the function (doc), so `first` receives `job`; "
        "at run time `first.wrapper` calls `second.wrapper`.",
    ),
    _case(
        "decorator_registering_functions",
        "decorators",
        {
            "main.py": """\
            REGISTRY = {}


            def register(fn):
                REGISTRY[fn.__name__] = fn
                return fn


            @register
            def alpha():
                return "a"


            @register
            def beta():
                return "b"


            def run(name):
                REGISTRY[name]()
            """
        },
        {"main": ["main.register"], "main.run": ["main.alpha", "main.beta"]},
    ),
    _case(
        "decorator_on_class",
        "decorators",
        {
            "main.py": """\
            def singleton(cls):
                cls.instance = cls()
                return cls


            @singleton
            class Service:
                def __init__(self):
                    self.ready = True
            """
        },
        {"main": ["main.singleton"], "main.singleton": ["main.Service.__init__"]},
        note="The class flows into the decorator's parameter; `cls()` is `Service()`.",
    ),
    _case(
        "decorator_on_method",
        "decorators",
        {
            "main.py": """\
            def timed(fn):
                def wrapper(self):
                    return fn(self)

                return wrapper


            class Job:
                @timed
                def run(self):
                    return None


            Job().run()
            """
        },
        {"main": ["main.Job.run", "main.timed"], "main.timed.wrapper": ["main.Job.run"]},
        note="The decorator expression in the class body belongs to the module.",
    ),
    _case(
        "decorator_builtin_declarations_give_no_edge",
        "decorators",
        {
            "main.py": """\
            class Shape:
                @staticmethod
                def unit():
                    return 1

                @classmethod
                def make(cls):
                    return None

                @property
                def area(self):
                    return 0
            """
        },
        {},
    ),
    _case(
        "decorator_imported_from_module",
        "decorators",
        {
            "main.py": """\
            from decos import cached


            @cached
            def load():
                return None


            load()
            """,
            "decos.py": """\
            def cached(fn):
                return fn
            """,
        },
        {"main": ["decos.cached", "main.load"]},
    ),
    _case(
        "decorator_argument_calls",
        "decorators",
        {
            "main.py": """\
            def config():
                return "/"


            def route(path):
                def register(fn):
                    return fn

                return register


            @route(config())
            def index():
                return None
            """
        },
        {"main": ["main.config", "main.route", "main.route.register"]},
    ),
    _case(
        "decorator_from_standard_library",
        "decorators",
        {
            "main.py": """\
            import functools
            from dataclasses import dataclass, field


            @dataclass
            class Point:
                x: int = 0
                tags: list = field(default_factory=list)


            @functools.lru_cache
            def compute():
                return 1


            p = Point(1)
            compute()
            """
        },
        {
            "main": [
                "dataclasses.dataclass",
                "dataclasses.field",
                "functools.lru_cache",
                "main.compute",
            ]
        },
        note="`Point(1)` gives no edge: the generated `__init__` is not in the analyzed code.",
    ),
    _case(
        "decorator_abstractmethod_and_overload",
        "decorators",
        {
            "main.py": """\
            from abc import ABC, abstractmethod
            from typing import overload


            class Store(ABC):
                @abstractmethod
                def get(self): ...


            @overload
            def parse(x: int) -> int: ...
            @overload
            def parse(x: str) -> str: ...
            def parse(x):
                return x


            parse(1)
            """
        },
        {"main": ["abc.abstractmethod", "main.parse", "typing.overload"]},
        note="Only property, staticmethod and classmethod are declarations without edges; "
        "`abstractmethod` and `overload` are calls. The overloads are one node.",
    ),
)

_PROPERTIES: tuple[CallGraphCase, ...] = (
    _case(
        "property_getter_access",
        "properties",
        {
            "main.py": """\
            class User:
                @property
                def name(self):
                    return load_name()


            def load_name():
                return "ann"


            u = User()
            print(u.name)
            """
        },
        {"main": ["<builtin>.print", "main.User.name"], "main.User.name": ["main.load_name"]},
    ),
    _case(
        "property_setter_assignment",
        "properties",
        {
            "main.py": """\
            def validate(v):
                return v


            class Temp:
                @property
                def celsius(self):
                    return 0

                @celsius.setter
                def celsius(self, value):
                    validate(value)


            t = Temp()
            t.celsius = 5
            """
        },
        {"main": ["main.Temp.celsius"], "main.Temp.celsius": ["main.validate"]},
        note="Getter and setter are one node; `@celsius.setter` is part of the property "
        "declaration and gives no edge.",
    ),
    _case(
        "property_through_self_with_override",
        "properties",
        {
            "main.py": """\
            class Base:
                @property
                def label(self):
                    return "base"

                def show(self):
                    return self.label


            class Child(Base):
                @property
                def label(self):
                    return "child"
            """
        },
        {"main.Base.show": ["main.Base.label", "main.Child.label"]},
    ),
    _case(
        "property_inherited_on_annotated_parameter",
        "properties",
        {
            "main.py": """\
            class Base:
                @property
                def size(self):
                    return 1


            class Sub(Base):
                pass


            def measure(s: Sub):
                return s.size
            """
        },
        {"main.measure": ["main.Base.size"]},
    ),
    _case(
        "property_cached_property",
        "properties",
        {
            "main.py": """\
            import functools


            def fetch():
                return []


            class Report:
                @functools.cached_property
                def data(self):
                    return fetch()


            r = Report()
            r.data
            """
        },
        {
            "main": ["functools.cached_property", "main.Report.data"],
            "main.Report.data": ["main.fetch"],
        },
        note="Reading `r.data` runs the getter (doc). Applying `functools.cached_property` is "
        "a decorator call: the doc exempts only property, staticmethod and classmethod.",
    ),
    _case(
        "property_plain_attributes_give_no_edge",
        "properties",
        {
            "main.py": """\
            class Box:
                size = 3

                def __init__(self):
                    self.items = []

                def method(self):
                    return None


            b = Box()
            n = b.size
            m = b.method
            """
        },
        {"main": ["main.Box.__init__"]},
        note="Reading a data attribute, or a method without calling it, gives no edge.",
    ),
)

_DUNDER: tuple[CallGraphCase, ...] = (
    _case(
        "dunder_call_on_instance",
        "dunder",
        {
            "main.py": """\
            def process(e):
                return e


            class Handler:
                def __init__(self):
                    self.count = 0

                def __call__(self, event):
                    process(event)


            h = Handler()
            h({})
            """
        },
        {
            "main": ["main.Handler.__call__", "main.Handler.__init__"],
            "main.Handler.__call__": ["main.process"],
        },
    ),
    _case(
        "dunder_call_inline_and_as_callback",
        "dunder",
        {
            "main.py": """\
            class Greeter:
                def __call__(self):
                    return "hi"


            def invoke(cb):
                cb()


            Greeter()()
            invoke(Greeter())
            """
        },
        {
            "main": ["main.Greeter.__call__", "main.invoke"],
            "main.invoke": ["main.Greeter.__call__"],
        },
    ),
    _case(
        "dunder_call_on_annotated_parameter",
        "dunder",
        {
            "main.py": """\
            class Step:
                def __call__(self):
                    return 0


            class Upper(Step):
                def __call__(self):
                    return 1


            def run(step: Step):
                step()
            """
        },
        {"main.run": ["main.Step.__call__", "main.Upper.__call__"]},
        note="Calling an annotated instance: `__call__` along the MRO plus overrides, as for "
        "any method on an annotated value.",
    ),
    _case(
        "dunder_with_context_manager",
        "dunder",
        {
            "main.py": """\
            def write():
                return None


            class Transaction:
                def __init__(self):
                    self.open = True

                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    return False


            def save():
                with Transaction():
                    write()
            """
        },
        {
            "main.save": [
                "main.Transaction.__enter__",
                "main.Transaction.__exit__",
                "main.Transaction.__init__",
                "main.write",
            ]
        },
    ),
    _case(
        "dunder_with_inherited_methods",
        "dunder",
        {
            "main.py": """\
            class Managed:
                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    return False


            class Lock(Managed):
                pass


            def guard():
                with Lock() as lock:
                    return lock
            """
        },
        {"main.guard": ["main.Managed.__enter__", "main.Managed.__exit__"]},
    ),
    _case(
        "dunder_with_instance_in_variable",
        "dunder",
        {
            "main.py": """\
            class Lock:
                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    return False


            LOCK = Lock()


            def critical():
                with LOCK:
                    pass
            """
        },
        {"main.critical": ["main.Lock.__enter__", "main.Lock.__exit__"]},
        note="The doc shows `with C()`; an instance held in a variable is read the same way.",
    ),
    _case(
        "dunder_with_open_builtin",
        "dunder",
        {
            "main.py": """\
            def read(path):
                with open(path) as fh:
                    return fh.read()
            """
        },
        {"main.read": ["<builtin>.open"]},
        note="The file object is not analyzed code: no `__enter__` or `read` edges.",
    ),
    _case(
        "dunder_with_contextmanager_function",
        "dunder",
        {
            "main.py": """\
            from contextlib import contextmanager


            def setup():
                return None


            def teardown():
                return None


            @contextmanager
            def session():
                setup()
                yield
                teardown()


            def work():
                with session():
                    pass
            """
        },
        {
            "main": ["contextlib.contextmanager"],
            "main.session": ["main.setup", "main.teardown"],
            "main.work": ["main.session"],
        },
    ),
    _case(
        "dunder_for_over_iterator_class",
        "dunder",
        {
            "main.py": """\
            class Countdown:
                def __init__(self, n):
                    self.n = n

                def __iter__(self):
                    return self

                def __next__(self):
                    if self.n <= 0:
                        raise StopIteration()
                    self.n -= 1
                    return self.n


            def run():
                for _ in Countdown(3):
                    pass
            """
        },
        {
            "main.Countdown.__next__": ["<builtin>.StopIteration"],
            "main.run": [
                "main.Countdown.__init__",
                "main.Countdown.__iter__",
                "main.Countdown.__next__",
            ],
        },
    ),
    _case(
        "dunder_for_over_generator_iter",
        "dunder",
        {
            "main.py": """\
            class Bag:
                def __init__(self):
                    self.size = 3

                def __iter__(self):
                    yield from range(self.size)


            def total():
                n = 0
                for x in Bag():
                    n += x
                return n
            """
        },
        {
            "main.Bag.__iter__": ["<builtin>.range"],
            "main.total": ["main.Bag.__init__", "main.Bag.__iter__"],
        },
    ),
    _case(
        "dunder_iteration_in_comprehension",
        "dunder",
        {
            "main.py": """\
            class Rows:
                def __iter__(self):
                    return iter([1, 2])


            def collect():
                return [r for r in Rows()]
            """
        },
        {"main.Rows.__iter__": ["<builtin>.iter"], "main.collect": ["main.Rows.__iter__"]},
        note="Iterating in a comprehension is read like a `for` statement.",
    ),
    _case(
        "dunder_binary_operator",
        "dunder",
        {
            "main.py": """\
            class Money:
                def __init__(self, cents):
                    self.cents = cents

                def __add__(self, other):
                    return Money(self.cents + other.cents)


            def combine():
                a = Money(1)
                b = Money(2)
                return a + b
            """
        },
        {
            "main.Money.__add__": ["main.Money.__init__"],
            "main.combine": ["main.Money.__add__", "main.Money.__init__"],
        },
        note="The doc is silent on operators. `a + b` runs Money.__add__ from `combine`'s "
        "own code, so it is an edge; `self.cents + other.cents` adds ints, so none there.",
    ),
    _case(
        "dunder_len_through_builtin",
        "dunder",
        {
            "main.py": """\
            class Deck:
                def __len__(self):
                    return 52


            def size():
                return len(Deck())
            """
        },
        {"main.size": ["<builtin>.len"]},
        note="`Deck.__len__` is called by `len`, not by `size`'s own code (as with `key=`).",
    ),
)

_BUILTINS: tuple[CallGraphCase, ...] = (
    _case(
        "builtin_common_calls",
        "builtins",
        {
            "main.py": """\
            def summarize(items):
                print(len(items), sorted(items), max(items))
                return isinstance(items, list)
            """
        },
        {
            "main.summarize": [
                "<builtin>.isinstance",
                "<builtin>.len",
                "<builtin>.max",
                "<builtin>.print",
                "<builtin>.sorted",
            ]
        },
    ),
    _case(
        "builtin_exceptions_and_conversions",
        "builtins",
        {
            "main.py": """\
            def check(x):
                if x < 0:
                    raise ValueError("negative")
                try:
                    return int(x)
                except TypeError:
                    raise RuntimeError("bad") from None
            """
        },
        {"main.check": ["<builtin>.RuntimeError", "<builtin>.ValueError", "<builtin>.int"]},
        note="Naming `TypeError` in an `except` clause is not a call.",
    ),
    _case(
        "builtin_raise_class_without_call",
        "builtins",
        {
            "main.py": """\
            def stop():
                raise NotImplementedError
            """
        },
        {},
        note="`raise C` instantiates C inside the interpreter, but there is no call "
        "expression; the doc counts names that are called, so no edge.",
    ),
    _case(
        "builtin_shadowed_by_module_function",
        "builtins",
        {
            "main.py": """\
            def print(*args):
                return args


            def len(x):
                return 0


            def show(items):
                print(len(items))
            """
        },
        {"main.show": ["main.len", "main.print"]},
    ),
    _case(
        "builtin_through_variable",
        "builtins",
        {
            "main.py": """\
            log = print


            def run():
                log("x")
            """
        },
        {"main.run": ["<builtin>.print"]},
        note="A builtin flows through a variable like any function.",
    ),
    _case(
        "builtin_getattr_result_unresolved",
        "builtins",
        {
            "main.py": """\
            class Plugin:
                def run(self):
                    return None


            def call(obj, name):
                return getattr(obj, name)()


            def call_plugin(name):
                p = Plugin()
                return getattr(p, name)()
            """
        },
        {"main.call": ["<builtin>.getattr"], "main.call_plugin": ["<builtin>.getattr"]},
        note="The attribute name is dynamic: Plugin.run is not guessed.",
    ),
    _case(
        "builtin_exception_subclass_without_init",
        "builtins",
        {
            "main.py": """\
            class NotFound(KeyError):
                pass


            def find(key):
                raise NotFound(key)
            """
        },
        {},
        note="No class of the analyzed MRO defines `__init__`, so `NotFound(key)` gives no "
        "edge; the builtin base class is not named either.",
    ),
)

_EXTERNALS: tuple[CallGraphCase, ...] = (
    _case(
        "external_module_function",
        "externals",
        {
            "main.py": """\
            import requests


            def fetch(url):
                return requests.get(url, timeout=5)
            """
        },
        {"main.fetch": ["requests.get"]},
    ),
    _case(
        "external_dotted_module_attribute",
        "externals",
        {
            "main.py": """\
            import os
            import os.path


            def paths():
                return os.path.join("a", "b"), os.getcwd()
            """
        },
        {"main.paths": ["os.getcwd", "os.path.join"]},
    ),
    _case(
        "external_aliases",
        "externals",
        {
            "main.py": """\
            import xml.etree.ElementTree as ET
            from os import path as p

            import numpy as np

            p.join("a")
            np.zeros(3)
            ET.parse("f.xml")
            """
        },
        {"main": ["numpy.zeros", "os.path.join", "xml.etree.ElementTree.parse"]},
    ),
    _case(
        "external_class_instances",
        "externals",
        {
            "main.py": """\
            from collections import OrderedDict

            import requests


            def build():
                d = OrderedDict()
                d.move_to_end("k")
                s = requests.Session()
                s.get("u")
                return d
            """
        },
        {
            "main.build": [
                "collections.OrderedDict",
                "collections.OrderedDict.move_to_end",
                "requests.Session",
                "requests.Session.get",
            ]
        },
    ),
    _case(
        "external_from_imported_class",
        "externals",
        {
            "main.py": """\
            from requests import Session


            def client():
                s = Session()
                return s.post("u")
            """
        },
        {"main.client": ["requests.Session", "requests.Session.post"]},
    ),
    _case(
        "external_function_result_method_unresolved",
        "externals",
        {
            "main.py": """\
            import logging


            def setup():
                logging.getLogger(__name__).info("ready")
            """
        },
        {"main.setup": ["logging.getLogger"]},
        note="The doc names methods of an instance made by calling an external class "
        "(`requests.Session.get`); `getLogger` returns an object whose class cannot be known "
        "without the library, and `logging.getLogger.info` names nothing, so no edge.",
    ),
    _case(
        "external_calls_in_nested_function",
        "externals",
        {
            "main.py": """\
            import json


            def outer(data):
                def encode():
                    return json.dumps(data)

                return encode()
            """
        },
        {"main.outer": ["main.outer.encode"], "main.outer.encode": ["json.dumps"]},
    ),
)

_SCOPES: tuple[CallGraphCase, ...] = (
    _case(
        "scope_default_argument_calls",
        "scopes",
        {
            "main.py": """\
            def now():
                return 0


            def log(msg, stamp=now()):
                return msg


            def outer():
                def inner(x=now()):
                    return x

                return inner
            """
        },
        {"main": ["main.now"], "main.outer": ["main.now"]},
    ),
    _case(
        "scope_class_body_calls",
        "scopes",
        {
            "main.py": """\
            def column(name):
                return name


            def helper():
                return None


            class Table:
                id = column("id")
                names = [column(n) for n in ("a", "b")]

                def method(self):
                    return helper()
            """
        },
        {"main": ["main.column"], "main.Table.method": ["main.helper"]},
    ),
    _case(
        "scope_class_body_inside_function",
        "scopes",
        {
            "main.py": """\
            def field():
                return None


            def make_model():
                class Model:
                    x = field()

                return Model
            """
        },
        {"main.make_model": ["main.field"]},
    ),
    _case(
        "scope_decorator_inside_function",
        "scopes",
        {
            "main.py": """\
            def deco(fn):
                return fn


            def setup():
                @deco
                def task():
                    return None

                task()
            """
        },
        {"main.setup": ["main.deco", "main.setup.task"]},
    ),
    _case(
        "scope_lambda_called_in_class_body",
        "scopes",
        {
            "main.py": """\
            def compute():
                return 1


            class Config:
                value = (lambda: compute())()
            """
        },
        {"main": ["main.Config.<lambda1>"], "main.Config.<lambda1>": ["main.compute"]},
        note="The lambda is named in the class; the class body's call of it belongs to the module.",
    ),
    _case(
        "scope_externals_in_class_body_and_defaults",
        "scopes",
        {
            "main.py": """\
            import os


            class Settings:
                HOME = os.environ.get("HOME")

                def path(self, base=os.getcwd()):
                    return base
            """
        },
        {"main": ["os.environ.get", "os.getcwd"]},
    ),
)

_PRECISION: tuple[CallGraphCase, ...] = (
    _case(
        "precision_builtin_type_methods",
        "precision",
        {
            "main.py": """\
            def normalize(text):
                parts = "a,b".split(",")
                items = []
                items.append(parts)
                cfg = {}
                cfg.get("k")
                name = "x"
                return name.upper(), " ".join(parts), text
            """
        },
        {},
    ),
    _case(
        "precision_builtin_methods_named_like_analyzed_ones",
        "precision",
        {
            "main.py": """\
            class Repo:
                def append(self, x):
                    return x

                def get(self, key):
                    return key


            def fill():
                rows = []
                rows.append(1)
                cache = {}
                return cache.get("a")
            """
        },
        {},
        note="Repo.append and Repo.get are not targets of calls on a list or a dict.",
    ),
    _case(
        "precision_unknown_receiver",
        "precision",
        {
            "main.py": """\
            class Repo:
                def save(self):
                    return None


            class Doc:
                def save(self):
                    return None


            def store(obj):
                obj.save()


            def store_all(objs):
                for o in objs:
                    o.save()
            """
        },
        {},
        note="The receiver's class is unknown: no method of the same name is guessed.",
    ),
    _case(
        "precision_handler_event_and_context",
        "precision",
        {
            "main.py": """\
            def handle(event, context):
                body = event["body"]
                return context.get_remaining_time_in_millis(), body.strip()
            """
        },
        {},
    ),
    _case(
        "precision_method_on_unknown_return",
        "precision",
        {
            "main.py": """\
            def load():
                return open("f")


            def work():
                load().close()
            """
        },
        {"main.load": ["<builtin>.open"], "main.work": ["main.load"]},
        note="`load` returns a file object, not analyzed code: `.close()` gives no edge.",
    ),
)

_SHADOWING: tuple[CallGraphCase, ...] = (
    _case(
        "shadow_local_variable_named_like_function",
        "shadowing",
        {
            "main.py": """\
            def helper():
                return 1


            def other():
                return 2


            def run():
                helper = other
                helper()
            """
        },
        {"main.run": ["main.other"]},
    ),
    _case(
        "shadow_parameter_named_like_module",
        "shadowing",
        {
            "main.py": """\
            import json


            def encode(json):
                return json.dumps({})


            def encode_ok(data):
                return json.dumps(data)
            """
        },
        {"main.encode_ok": ["json.dumps"]},
        note="In `encode` the parameter hides the module; it is unannotated, so no edge.",
    ),
    _case(
        "shadow_parameter_named_like_function",
        "shadowing",
        {
            "main.py": """\
            def callback():
                return None


            def run(callback):
                callback()


            run(print)
            """
        },
        {"main": ["main.run"], "main.run": ["<builtin>.print"]},
        note="The parameter hides the module's `callback`; only `print` flows into it.",
    ),
    _case(
        "shadow_import_inside_function",
        "shadowing",
        {
            "main.py": """\
            def dumps(x):
                return str(x)


            def encode(x):
                from json import dumps

                return dumps(x)


            def local(x):
                return dumps(x)
            """
        },
        {
            "main.dumps": ["<builtin>.str"],
            "main.encode": ["json.dumps"],
            "main.local": ["main.dumps"],
        },
    ),
    _case(
        "shadow_comprehension_variable",
        "shadowing",
        {
            "main.py": """\
            def f():
                return None


            def run(fns):
                results = [f() for f in fns]
                return results, f()
            """
        },
        {"main.run": ["main.f"]},
        note="Inside the comprehension `f` is its own variable (elements of an unknown "
        "parameter); only the call after it reaches the module's `f`.",
    ),
    _case(
        "shadow_loop_variable",
        "shadowing",
        {
            "main.py": """\
            def a():
                return None


            def run(tasks):
                for a in tasks:
                    a()
            """
        },
        {},
        note="The loop makes `a` local to `run`; its values come from an unknown parameter.",
    ),
)

_CONDITIONAL: tuple[CallGraphCase, ...] = (
    _case(
        "conditional_function_definition",
        "conditional",
        {
            "main.py": """\
            import sys


            def fast():
                return None


            def slow():
                return None


            if sys.platform == "linux":

                def run():
                    return fast()

            else:

                def run():
                    return slow()


            run()
            """
        },
        {"main": ["main.run"], "main.run": ["main.fast", "main.slow"]},
        note="Two `def run` in one scope are one node (doc).",
    ),
    _case(
        "conditional_import_fallback",
        "conditional",
        {
            "main.py": """\
            try:
                import ujson as json
            except ImportError:
                import json


            def encode(x):
                return json.dumps(x)
            """
        },
        {"main.encode": ["json.dumps", "ujson.dumps"]},
        note="Either module may be bound to `json`.",
    ),
    _case(
        "conditional_method_definition",
        "conditional",
        {
            "main.py": """\
            DEBUG = False


            class Service:
                if DEBUG:

                    def log(self):
                        print("debug")

                else:

                    def log(self):
                        pass

                def run(self):
                    self.log()
            """
        },
        {"main.Service.log": ["<builtin>.print"], "main.Service.run": ["main.Service.log"]},
    ),
)

_COMBINATION: tuple[CallGraphCase, ...] = (
    _case(
        "combination_repository_service",
        "combination",
        {
            "main.py": """\
            from app.repository import InMemoryOrderRepository
            from app.service import OrderService

            service = OrderService(InMemoryOrderRepository())
            service.place(1, 9.5)
            """,
            "app/__init__.py": "",
            "app/models.py": """\
            from dataclasses import dataclass


            @dataclass
            class Order:
                id: int
                total: float

                def validate(self) -> None:
                    if self.total < 0:
                        raise ValueError("negative total")
            """,
            "app/repository.py": """\
            from __future__ import annotations

            from abc import ABC, abstractmethod

            from .models import Order


            class OrderRepository(ABC):
                @abstractmethod
                def save(self, order: Order) -> None: ...

                @abstractmethod
                def get(self, order_id: int) -> Order | None: ...


            class InMemoryOrderRepository(OrderRepository):
                def __init__(self) -> None:
                    self._rows: dict[int, Order] = {}

                def save(self, order: Order) -> None:
                    self._rows[order.id] = order

                def get(self, order_id: int) -> Order | None:
                    return self._rows.get(order_id)
            """,
            "app/service.py": """\
            from __future__ import annotations

            from .models import Order
            from .repository import OrderRepository


            class OrderService:
                def __init__(self, repo: OrderRepository) -> None:
                    self.repo = repo

                def place(self, order_id: int, total: float) -> Order:
                    order = Order(order_id, total)
                    order.validate()
                    self.repo.save(order)
                    return order

                def find(self, order_id: int) -> Order | None:
                    found = self.repo.get(order_id)
                    if found is not None:
                        found.validate()
                    return found
            """,
        },
        {
            "app.models": ["dataclasses.dataclass"],
            "app.models.Order.validate": ["<builtin>.ValueError"],
            "app.repository": ["abc.abstractmethod"],
            "app.service.OrderService.find": [
                "app.models.Order.validate",
                "app.repository.InMemoryOrderRepository.get",
                "app.repository.OrderRepository.get",
            ],
            "app.service.OrderService.place": [
                "app.models.Order.validate",
                "app.repository.InMemoryOrderRepository.save",
                "app.repository.OrderRepository.save",
            ],
            "main": [
                "app.repository.InMemoryOrderRepository.__init__",
                "app.service.OrderService.__init__",
                "app.service.OrderService.place",
            ],
        },
        note="`Order(...)` gives no edge (dataclass `__init__` is generated); `self._rows` is "
        "a dict, so `.get` on it gives none; `found` is typed by the `Order | None` return.",
    ),
    _case(
        "combination_plugin_registry",
        "combination",
        {
            "main.py": """\
            from plugins import run_all

            run_all()
            """,
            "plugins/__init__.py": """\
            from . import builtin_plugins
            from .registry import register, run_all

            __all__ = ["builtin_plugins", "register", "run_all"]
            """,
            "plugins/registry.py": """\
            from __future__ import annotations

            from collections.abc import Callable

            PLUGINS: dict[str, Callable[[], None]] = {}


            def register(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
                def decorator(fn: Callable[[], None]) -> Callable[[], None]:
                    PLUGINS[name] = fn
                    return fn

                return decorator


            def run_all() -> None:
                for name in sorted(PLUGINS):
                    PLUGINS[name]()
            """,
            "plugins/builtin_plugins.py": """\
            from .registry import register


            @register("hello")
            def hello() -> None:
                print("hello")


            @register("bye")
            def bye() -> None:
                print("bye")
            """,
        },
        {
            "main": ["plugins.registry.run_all"],
            "plugins.builtin_plugins": [
                "plugins.registry.register",
                "plugins.registry.register.decorator",
            ],
            "plugins.builtin_plugins.bye": ["<builtin>.print"],
            "plugins.builtin_plugins.hello": ["<builtin>.print"],
            "plugins.registry.run_all": [
                "<builtin>.sorted",
                "plugins.builtin_plugins.bye",
                "plugins.builtin_plugins.hello",
            ],
        },
        note="Plugins reach the module-level dict through the decorator's parameter.",
    ),
    _case(
        "combination_middleware_functions",
        "combination",
        {
            "main.py": """\
            from __future__ import annotations

            from collections.abc import Callable

            Handler = Callable[[dict], dict]


            def logging_middleware(next_handler: Handler) -> Handler:
                def handle(request: dict) -> dict:
                    print("request", request)
                    return next_handler(request)

                return handle


            def auth_middleware(next_handler: Handler) -> Handler:
                def handle(request: dict) -> dict:
                    if "user" not in request:
                        raise PermissionError("anonymous")
                    return next_handler(request)

                return handle


            def endpoint(request: dict) -> dict:
                return {"ok": True}


            app = logging_middleware(auth_middleware(endpoint))
            app({"user": "x"})
            """
        },
        {
            "main": [
                "main.auth_middleware",
                "main.logging_middleware",
                "main.logging_middleware.handle",
            ],
            "main.auth_middleware.handle": ["<builtin>.PermissionError", "main.endpoint"],
            "main.logging_middleware.handle": ["<builtin>.print", "main.auth_middleware.handle"],
        },
    ),
    _case(
        "combination_middleware_classes",
        "combination",
        {
            "main.py": """\
            class Handler:
                def handle(self, request):
                    return None


            class Endpoint(Handler):
                def handle(self, request):
                    return {"status": 200}


            class Middleware(Handler):
                def __init__(self, inner: Handler) -> None:
                    self.inner = inner

                def handle(self, request):
                    self.before(request)
                    return self.inner.handle(request)

                def before(self, request):
                    return None


            class Auth(Middleware):
                def before(self, request):
                    if not request.get("user"):
                        raise PermissionError("no user")


            class Timing(Middleware):
                def before(self, request):
                    print("start")


            app = Timing(Auth(Endpoint()))
            app.handle({})
            """
        },
        {
            "main": ["main.Middleware.__init__", "main.Middleware.handle"],
            "main.Auth.before": ["<builtin>.PermissionError"],
            "main.Middleware.handle": [
                "main.Auth.before",
                "main.Endpoint.handle",
                "main.Handler.handle",
                "main.Middleware.before",
                "main.Middleware.handle",
                "main.Timing.before",
            ],
            "main.Timing.before": ["<builtin>.print"],
        },
        note="`self.inner` is typed `Handler`, so every override of `handle` is a target, "
        "including Middleware.handle itself.",
    ),
    _case(
        "combination_web_app_routes",
        "combination",
        {
            "main.py": """\
            class App:
                def __init__(self):
                    self.routes = {}

                def route(self, path):
                    def register(fn):
                        self.routes[path] = fn
                        return fn

                    return register

                def dispatch(self, path):
                    handler = self.routes[path]
                    return handler()


            def render(name):
                return name


            app = App()


            @app.route("/")
            def index():
                return render("index")


            @app.route("/about")
            def about():
                return render("about")


            app.dispatch("/")
            """
        },
        {
            "main": [
                "main.App.__init__",
                "main.App.dispatch",
                "main.App.route",
                "main.App.route.register",
            ],
            "main.App.dispatch": ["main.about", "main.index"],
            "main.about": ["main.render"],
            "main.index": ["main.render"],
        },
        note="`@app.route(...)` calls App.route, then its result `register`; the views reach "
        "`self.routes` through `register`'s parameter.",
    ),
    _case(
        "combination_event_bus",
        "combination",
        {
            "main.py": """\
            class EventBus:
                def __init__(self):
                    self.handlers = []

                def subscribe(self, handler):
                    self.handlers.append(handler)

                def publish(self, payload):
                    for handler in self.handlers:
                        handler(payload)


            def send_email(payload):
                return None


            def write_audit(payload):
                return None


            bus = EventBus()
            bus.subscribe(send_email)
            bus.subscribe(write_audit)
            bus.publish({})
            """
        },
        {
            "main": ["main.EventBus.__init__", "main.EventBus.publish", "main.EventBus.subscribe"],
            "main.EventBus.publish": ["main.send_email", "main.write_audit"],
        },
        note="Handlers flow through `subscribe`'s parameter into the list by `append`.",
    ),
    _case(
        "combination_lambda_handler_module",
        "combination",
        {
            "handlers.py": """\
            import json

            import boto3

            from services import OrderService

            table = boto3.resource("dynamodb")
            service = OrderService(table)


            def create_order(event, context):
                body = json.loads(event["body"])
                order = service.create(body["id"])
                return {"statusCode": 201, "body": json.dumps(order)}
            """,
            "services.py": """\
            class OrderService:
                def __init__(self, table):
                    self.table = table

                def create(self, order_id):
                    item = {"id": order_id}
                    self.table.put_item(Item=item)
                    return item
            """,
        },
        {
            "handlers": ["boto3.resource", "services.OrderService.__init__"],
            "handlers.create_order": [
                "json.dumps",
                "json.loads",
                "services.OrderService.create",
            ],
        },
        note="`self.table` holds what `boto3.resource(...)` returns, an object whose class "
        "cannot be known without the library (as in "
        "external_function_result_method_unresolved), so `put_item` is unresolved.",
    ),
    _case(
        "combination_cli_commands",
        "combination",
        {
            "main.py": """\
            import sys

            COMMANDS = {}


            def command(name):
                def register(fn):
                    COMMANDS[name] = fn
                    return fn

                return register


            @command("init")
            def init(args):
                print("init", args)


            @command("sync")
            def sync(args):
                for item in args:
                    upload(item)


            def upload(item):
                return item


            def main(argv):
                name, *rest = argv
                handler = COMMANDS.get(name)
                if handler is None:
                    raise SystemExit(f"unknown command {name}")
                handler(rest)


            if __name__ == "__main__":
                main(sys.argv[1:])
            """
        },
        {
            "main": ["main.command", "main.command.register", "main.main"],
            "main.init": ["<builtin>.print"],
            "main.main": ["<builtin>.SystemExit", "main.init", "main.sync"],
            "main.sync": ["main.upload"],
        },
    ),
    _case(
        "combination_strategy_classes_in_dict",
        "combination",
        {
            "main.py": """\
            class Regular:
                def price(self, base):
                    return base


            class Sale:
                def price(self, base):
                    return round(base * 0.8, 2)


            STRATEGIES = {"regular": Regular, "sale": Sale}


            def quote(kind, base):
                strategy = STRATEGIES[kind]()
                return strategy.price(base)
            """
        },
        {
            "main.Sale.price": ["<builtin>.round"],
            "main.quote": ["main.Regular.price", "main.Sale.price"],
        },
        note="Classes stored in a dict: calling an element makes an instance of either.",
    ),
    _case(
        "combination_template_method_across_modules",
        "combination",
        {
            "jobs/__init__.py": "",
            "jobs/base.py": """\
            class Job:
                def __init__(self, name: str) -> None:
                    self.name = name

                def execute(self) -> None:
                    self.prepare()
                    self.run()
                    self.finish()

                def prepare(self) -> None:
                    return None

                def run(self) -> None:
                    raise NotImplementedError()

                def finish(self) -> None:
                    print("done", self.name)
            """,
            "jobs/export.py": """\
            from .base import Job


            def upload(path):
                return path


            class ExportJob(Job):
                def __init__(self) -> None:
                    super().__init__("export")

                def run(self) -> None:
                    upload("/tmp/out")

                def finish(self) -> None:
                    super().finish()
                    upload("/tmp/log")
            """,
            "main.py": """\
            from jobs.export import ExportJob

            ExportJob().execute()
            """,
        },
        {
            "jobs.base.Job.execute": [
                "jobs.base.Job.finish",
                "jobs.base.Job.prepare",
                "jobs.base.Job.run",
                "jobs.export.ExportJob.finish",
                "jobs.export.ExportJob.run",
            ],
            "jobs.base.Job.finish": ["<builtin>.print"],
            "jobs.base.Job.run": ["<builtin>.NotImplementedError"],
            "jobs.export.ExportJob.__init__": ["jobs.base.Job.__init__"],
            "jobs.export.ExportJob.finish": ["jobs.base.Job.finish", "jobs.export.upload"],
            "jobs.export.ExportJob.run": ["jobs.export.upload"],
            "main": ["jobs.base.Job.execute", "jobs.export.ExportJob.__init__"],
        },
    ),
)

CASES: tuple[CallGraphCase, ...] = (
    *_PLAIN,
    *_CLOSURES,
    *_IMPORTS,
    *_REEXPORT,
    *_STAR_IMPORT,
    *_CIRCULAR_IMPORT,
    *_CLASSES,
    *_MRO,
    *_SUPER,
    *_ANNOTATIONS,
    *_FLOW,
    *_CONTAINERS,
    *_PARTIAL,
    *_LAMBDAS,
    *_DECORATORS,
    *_PROPERTIES,
    *_DUNDER,
    *_BUILTINS,
    *_EXTERNALS,
    *_SCOPES,
    *_PRECISION,
    *_SHADOWING,
    *_CONDITIONAL,
    *_COMBINATION,
)
"""Every case, grouped by category in the order of `CATEGORIES`."""


def edges_of(graph: Mapping[str, Iterable[str]]) -> frozenset[Edge]:
    """Return the edges of a PyCG-format graph; callers without callees add none."""
    return frozenset((caller, callee) for caller, callees in graph.items() for callee in callees)


def expected_edges(case: CallGraphCase) -> frozenset[Edge]:
    """Return the edges `case` expects."""
    return edges_of(case.expected)


def write_case(case: CallGraphCase, root: Path) -> list[Path]:
    """Write the files of `case` under `root` (creating folders) and return their paths.

    Args:
        case: the case whose files to write.
        root: the folder to analyze afterwards; it becomes the import root.

    Returns:
        The written files, sorted.
    """
    written: list[Path] = []
    for relative, source in sorted(case.files.items()):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        written.append(path)
    return written


@dataclass(frozen=True)
class Score:
    """How a set of found edges compares with the expected ones."""

    expected: int
    found: int
    true_positives: int

    @property
    def precision(self) -> float:
        """Share of found edges that are expected (1.0 when nothing was found)."""
        return self.true_positives / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        """Share of expected edges that were found (1.0 when nothing was expected)."""
        return self.true_positives / self.expected if self.expected else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.expected + other.expected,
            self.found + other.found,
            self.true_positives + other.true_positives,
        )

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.3f} recall {self.recall:.3f} "
            f"({self.true_positives} of {self.found} found, {self.expected} expected)"
        )


def score(expected: frozenset[Edge], found: frozenset[Edge]) -> Score:
    """Compare found edges with expected ones."""
    return Score(len(expected), len(found), len(expected & found))
