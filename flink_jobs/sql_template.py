"""Explicit, safe parameter substitution for the SQL files.

A placeholder is `${name}` and may only stand inside a SQL string literal; its value is
escaped as a literal (quotes doubled), so no value can change the statement's structure.
An unknown or unfilled placeholder is an error, never an empty string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable

PLACEHOLDER = re.compile(r"\$\{([a-z_][a-z0-9_]*)\}")
# The top-level sql/, inside the installed package (flink_jobs/sql links to it in a checkout).
SQL_DIR: Traversable = resources.files("flink_jobs") / "sql"


class SqlTemplateError(ValueError):
    """A SQL file or its parameters are wrong; the message names the file and placeholder."""


def _literal_spans(sql: str) -> list[tuple[int, int]]:
    """(start, end) of the contents of every single-quoted literal, '' being an escaped quote."""
    spans, i, n = [], 0, len(sql)
    while i < n:
        if sql.startswith("--", i):
            newline = sql.find("\n", i)
            i = n if newline < 0 else newline + 1
            continue
        if sql[i] == "'":
            start = i + 1
            i += 1
            while i < n:
                if sql[i] == "'" and i + 1 < n and sql[i + 1] == "'":
                    i += 2
                elif sql[i] == "'":
                    break
                else:
                    i += 1
            spans.append((start, i))
        i += 1
    return spans


def placeholders(sql: str) -> set[str]:
    return set(PLACEHOLDER.findall(sql))


def render(sql: str, params: Mapping[str, object], source: str = "<sql>") -> str:
    spans = _literal_spans(sql)
    missing = sorted(placeholders(sql) - set(params))
    if missing:
        raise SqlTemplateError(f"{source}: no value for placeholder(s) {', '.join(missing)}")
    for match in PLACEHOLDER.finditer(sql):
        if not any(start <= match.start() and match.end() <= end for start, end in spans):
            raise SqlTemplateError(
                f"{source}: placeholder ${{{match.group(1)}}} must stand inside a quoted literal"
            )

    def substitute(match: re.Match[str]) -> str:
        value = params[match.group(1)]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise SqlTemplateError(
                f"{source}: ${{{match.group(1)}}} must be a string or number, got {type(value)}"
            )
        text = str(value)
        if any(ord(ch) < 32 for ch in text):
            raise SqlTemplateError(f"{source}: ${{{match.group(1)}}} contains control characters")
        return text.replace("'", "''")

    return PLACEHOLDER.sub(substitute, sql)


def statement(path: Traversable) -> str:
    """The single statement of a SQL file, without its trailing semicolon."""
    text = path.read_text(encoding="utf-8").strip()
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    body = body.strip().rstrip(";").strip()
    if not body:
        raise SqlTemplateError(f"{path}: holds no statement")
    spans = _literal_spans(body)
    if any(
        ch == ";" and not any(start <= i < end for start, end in spans) for i, ch in enumerate(body)
    ):
        raise SqlTemplateError(f"{path}: holds more than one statement; keep one per file")
    return body


def load(relative: str, params: Mapping[str, object], sql_dir: Traversable = SQL_DIR) -> str:
    """A file of sql/ by its path there (`queries/top_hashtags.sql`), rendered."""
    path = sql_dir.joinpath(*relative.split("/"))
    return render(statement(path), params, source=f"sql/{relative}")
