"""Imports in carried copies: those carrying left without a user go, the monolith's own stay."""

from __future__ import annotations

import json
from pathlib import Path

from splitter.generator.carry import CarriedCode
from tests.generator.lint_check import split_findings
from tests.generator.test_carry import (
    carry_project,
    file_text,
    run_isolated,
    service_paths,
    write_project,
    write_tree,
)


def printed(code: CarriedCode, tmp_path: Path, service: str, script: str) -> str:
    """What `script` prints, run with only `service`'s folder and the layer of `code`."""
    tree = write_tree(code, tmp_path / "out")
    return run_isolated(script, service_paths(tree, service)).strip()


PROJECT = {
    "app/__init__.py": "",
    "app/views/__init__.py": '''
        """Views."""

        from json import dumps  # a re-export: no code here uses it
        from os.path import join


        def page(name):
            return join("pages", name)


        def other():
            return 1
        ''',
    "app/admin.py": '''
        """Admin."""

        import os

        if os.environ.get("FANCY"):
            # ordering
            from collections import OrderedDict  # for ordered()

            from json import loads

            class Fancy:
                kind = loads("1")

        else:
            Fancy = None


        def show():
            return Fancy


        def ordered():
            return OrderedDict(a=1)
        ''',
    "app/feature.py": """
        from app.admin import show
        from app.views import other


        def run():
            return other(), show()
        """,
}
SERVICES = {
    "feature": ["app.feature.*", "app.views.other", "app.admin.show"],
    "pages": ["app.views.page", "app.admin.ordered"],
}


def test_a_package_copy_drops_the_imports_only_code_of_elsewhere_used(tmp_path: Path) -> None:
    code = carry_project(tmp_path, PROJECT, SERVICES)
    feature = file_text(code, "services/feature/app/views/__init__.py")
    assert "from os.path import join" not in feature
    assert "from json import dumps  # a re-export: no code here uses it" in feature
    pages = file_text(code, "services/pages/app/views/__init__.py")
    assert "from os.path import join" in pages


def test_a_kept_block_drops_its_imports_whose_users_stayed_behind(tmp_path: Path) -> None:
    code = carry_project(tmp_path, PROJECT, SERVICES)
    feature = file_text(code, "services/feature/app/admin.py")
    assert "OrderedDict" not in feature
    assert 'if os.environ.get("FANCY"):\n    # ordering\n    from json import loads\n' in feature
    assert "from collections import OrderedDict  # for ordered()" in file_text(
        code, "services/pages/app/admin.py"
    )


def test_only_the_monolith_s_own_findings_are_left(tmp_path: Path) -> None:
    monolith = write_project(tmp_path / "monolith", PROJECT)
    code = carry_project(tmp_path, PROJECT, SERVICES)
    tree = write_tree(code, tmp_path / "out")
    found = split_findings(tree, monolith, ["--select", "E,F,W", "--line-length", "120"])
    assert found.generated == ()
    assert sorted((f.path, f.code) for f in found.monolith) == [
        ("services/feature/app/views/__init__.py", "F401"),
        ("services/pages/app/views/__init__.py", "F401"),
    ]
    printed = run_isolated(
        "import json\nfrom app import feature\nprint(json.dumps(feature.run()))",
        service_paths(tree, "feature"),
    )
    assert json.loads(printed) == [1, None]


SIDE_EFFECT = {
    "app/__init__.py": "",
    "app/setup/__init__.py": """
        import os
        from json import dumps

        try:
            from json import loads
        except ImportError:
            loads = None

        if "SETUP_RAN" not in os.environ:
            os.environ["SETUP_RAN"] = dumps(1)


        def ran():
            return loads(os.environ["SETUP_RAN"])
        """,
    "app/setup/steps.py": """
        def step():
            return 2
        """,
}


def test_a_package_copy_keeps_its_side_effects_and_their_imports(tmp_path: Path) -> None:
    services = {"steps": ["app.setup.steps.*"], "check": ["app.setup.ran"]}
    code = carry_project(tmp_path, SIDE_EFFECT, services)
    init = file_text(code, "services/steps/app/setup/__init__.py")
    assert 'os.environ["SETUP_RAN"] = dumps(1)' in init
    assert "from json import dumps" in init
    script = "import os\nimport app.setup.steps\nprint(os.environ['SETUP_RAN'])"
    assert printed(code, tmp_path, "steps", script) == "1"


AUGMENTED = {
    "app/__init__.py": "",
    "app/forms.py": """
        import os

        EXCLUDED = ("id",)

        if os.environ.get("NO_USERNAME"):
            EXCLUDED += ("username",)
            LABEL = "Email"
        else:
            LABEL = "Username"


        def label():
            return LABEL


        def other():
            return 1
        """,
}


def test_an_augmented_assignment_keeps_the_first_binding_of_its_name(tmp_path: Path) -> None:
    code = carry_project(tmp_path, AUGMENTED, {"a": ["app.forms.label"], "b": ["app.forms.other"]})
    assert 'EXCLUDED = ("id",)' in file_text(code, "services/a/app/forms.py")
    script = (
        "import os\nos.environ['NO_USERNAME'] = '1'\nfrom app import forms\nprint(forms.label())"
    )
    assert printed(code, tmp_path, "a", script) == "Email"


GROWN_ALL = {
    "app/__init__.py": "",
    "app/models.py": """
        import os

        __all__ = []

        if not os.environ.get("CUSTOM_PRODUCT"):

            class Product:
                pass

            __all__.append("Product")
        """,
    "app/api.py": """
        from app.models import *


        def product():
            return Product().__class__.__name__
        """,
}


def test_an_empty_all_that_kept_code_extends_stays(tmp_path: Path) -> None:
    """django-oscar's models start `__all__ = []` and append each model they define."""
    code = carry_project(tmp_path, GROWN_ALL, {"a": ["app.api.product"]})
    assert "__all__ = []" in file_text(code, "services/a/app/models.py")
    assert printed(code, tmp_path, "a", "from app import api\nprint(api.product())") == "Product"


STARRED = {
    "app/__init__.py": "",
    "app/abstract.py": """
        __all__ = ["AbstractProduct", "ProductMixin"]


        class ProductMixin:
            kind = "mixin"


        class AbstractProduct(ProductMixin):
            def label(self):
                return "product"


        def other():
            return 1
        """,
    "app/models.py": """
        from app.abstract import *

        __all__ = ["ProductMixin", "Product"]


        class Product(AbstractProduct):
            pass


        def product_label():
            return Product().label() + "/" + ProductMixin.kind
        """,
}


def test_a_star_import_carries_every_name_the_module_exports(tmp_path: Path) -> None:
    """django-oscar's models take their abstract models with `*`: a copy keeps them all, and
    an `__all__` naming what the star import brings keeps those names."""
    services = {"a": ["app.models.product_label"], "b": ["app.abstract.other"]}
    code = carry_project(tmp_path, STARRED, services)
    abstract = file_text(code, "services/a/app/abstract.py")
    assert "class AbstractProduct" in abstract and "def other" not in abstract
    models = file_text(code, "services/a/app/models.py")
    assert '__all__ = ["ProductMixin", "Product"]' in models
    script = "from app.models import *\nfrom app.models import product_label\n"
    script += "print(product_label(), ProductMixin.kind)"
    assert printed(code, tmp_path, "a", script) == "product/mixin mixin"


PRODUCT_USER = """
    from app.models import Product


    def product():
        return Product.__name__
    """

REEXPORTED = {
    "app/__init__.py": "",
    "app/results.py": """
        class Discount:
            pass


        def other():
            return 1
        """,
    "app/models.py": """
        from app.results import Discount

        __all__ = ["Discount", "Product"]


        class Product:
            pass
        """,
    "app/api.py": PRODUCT_USER,
}


def test_a_module_carried_whole_keeps_what_its_all_re_exports(tmp_path: Path) -> None:
    """Code that loads a name by string (`get_class("offer.models", "Discount")`) finds it."""
    code = carry_project(
        tmp_path, REEXPORTED, {"a": ["app.api.product"], "b": ["app.results.other"]}
    )
    models = file_text(code, "services/a/app/models.py")
    assert "from app.results import Discount" in models
    assert '__all__ = ["Discount", "Product"]' in models
    script = "import importlib\nprint(importlib.import_module('app.models').Discount.__name__)"
    assert printed(code, tmp_path, "a", script) == "Discount"


EMPTIED_ALL = {
    "app/__init__.py": "",
    "app/models.py": """
        __all__ = [
            "helper",
        ]

        if True:

            class Product:
                pass

            __all__.append("Product")


        def helper():
            return 1
        """,
    "app/api.py": PRODUCT_USER,
}


def test_an_all_left_with_no_name_is_an_empty_list(tmp_path: Path) -> None:
    code = carry_project(
        tmp_path, EMPTIED_ALL, {"a": ["app.api.product"], "b": ["app.models.helper"]}
    )
    assert "__all__ = []\n" in file_text(code, "services/a/app/models.py")
