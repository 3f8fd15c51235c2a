from pathlib import Path

import pytest

from flink_jobs import sql_template
from flink_jobs.sql_template import SqlTemplateError, render


def test_values_are_escaped_as_literals() -> None:
    sql = "CREATE TABLE t (a INT) WITH ('topic' = '${topic}')"
    out = render(sql, {"topic": "x'); DROP TABLE t; --"})
    assert out == "CREATE TABLE t (a INT) WITH ('topic' = 'x''); DROP TABLE t; --')"


def test_numbers_are_rendered() -> None:
    assert render("INTERVAL '${s}' SECOND", {"s": 5}) == "INTERVAL '5' SECOND"


def test_missing_placeholder_is_an_error() -> None:
    with pytest.raises(SqlTemplateError, match="no value for placeholder"):
        render("SELECT '${a}', '${b}'", {"a": 1})


def test_placeholder_outside_literal_is_rejected() -> None:
    with pytest.raises(SqlTemplateError, match="inside a quoted literal"):
        render("SELECT * FROM ${table}", {"table": "tweets"})


def test_control_characters_are_rejected() -> None:
    with pytest.raises(SqlTemplateError, match="control characters"):
        render("SELECT '${a}'", {"a": "x\ny"})


def test_non_scalar_values_are_rejected() -> None:
    with pytest.raises(SqlTemplateError, match="string or number"):
        render("SELECT '${a}'", {"a": ["x"]})


def test_one_statement_per_file(tmp_path: Path) -> None:
    path = tmp_path / "two.sql"
    path.write_text("-- two\nSELECT 1;\nSELECT ';';\n")
    with pytest.raises(SqlTemplateError, match="more than one statement"):
        sql_template.statement(path)
    path.write_text("-- one\nSELECT ';' AS semicolon;\n")
    assert sql_template.statement(path) == "SELECT ';' AS semicolon"


def test_every_sql_file_is_one_statement_with_a_header_comment() -> None:
    files = sorted(Path(str(sql_template.SQL_DIR)).rglob("*.sql"))
    assert files
    for path in files:
        assert path.read_text().startswith("-- "), f"{path} lacks its purpose comment"
        sql_template.statement(path)
