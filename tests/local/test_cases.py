"""The verification file: settings and cases, and clear errors for mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from splitter.errors import InputError
from splitter.local.cases import Call, read_settings
from splitter.local.database import diff_databases
from tests.conftest import SETTINGS


def test_the_bank_settings_are_read() -> None:
    settings = read_settings(SETTINGS)
    assert settings.database is not None
    assert settings.database.variable == "BANK_DB_PATH"
    assert settings.database.seed == Call("bank.db:seed")
    assert [case.name for case in settings.cases][:2] == ["ana pays bob", "insufficient funds"]
    assert settings.cases[0].input == {"source": 1, "target": 2, "amount": 30}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[nonsense]\n", "unknown section nonsense"),
        ("[database]\nseed = 'a:b'\n", "needs `variable`"),
        ("[database]\nvariable = 'X'\nseed = 'a:b'\nfile = 'x.db'\n", "exactly one of"),
        ("[[setup]]\ncall = 'no_colon'\n", "module:function"),
        ("[[case]]\nname = 'x'\n", "needs `workflow`"),
        ("[[case]]\nworkflow = 'w'\ninput = 3\n", "must be a table"),
        ("not toml = = =\n", "cannot be parsed"),
    ],
)
def test_mistakes_are_named_with_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "verify.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_settings(path)


def test_rows_are_compared_as_multisets(bank_database: Path, tmp_path: Path) -> None:
    import shutil
    import sqlite3

    other = Path(shutil.copyfile(bank_database, tmp_path / "other.db"))
    with sqlite3.connect(other) as conn:
        conn.execute("UPDATE accounts SET balance = 99 WHERE id = 2")
    assert diff_databases(bank_database, bank_database) == ()
    [diff] = diff_databases(bank_database, other)
    assert (diff.table, diff.only_monolith, diff.only_generated) == (
        "accounts",
        ((2, "bob", 50, 1),),
        ((2, "bob", 99, 1),),
    )
