"""Rules the recorded cloud SQL must keep; each finding names the dbt node that sent it.

Why: without an account the recording is the only evidence of what a cloud run would do, so
it is judged here: T-SQL that serverless can run, Delta tables with keyed merges on Databricks,
grants only where intended, and every statement parsed by sqlfluff's grammar for its dialect.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

DIALECTS = {"databricks": "databricks", "synapse": "tsql"}

_COMMENT = re.compile(r"/\*.*?\*/|--[^\n]*", re.DOTALL)
_STRING = re.compile(r"'(?:[^']|'')*'")
# what Synapse Serverless cannot run (anywhere: EXEC'd text included)
_SERVERLESS_FORBIDDEN = re.compile(
    r"\b(create\s+table|merge\s+into|insert\s+into|update\s+[\w\[\]\.\"`]+\s+set|delete\s+from"
    r"|truncate\s+table|alter\s+table)\b",
    re.IGNORECASE,
)
# T-SQL constructs the grammar accepts but the engine does not (no boolean literals)
_TSQL_BOOLEAN_LITERAL = re.compile(r"\b(true|false)\b", re.IGNORECASE)
_TSQL_FORBIDDEN_SYNTAX = re.compile(r"\blimit\s+\d+|\bjoin\b[^;]*?\busing\s*\(|\bqualify\b", re.I)


def _code(sql: str) -> str:
    """The statement without comments."""
    return _COMMENT.sub(" ", sql)


def _unwrapped(sql: str) -> list[str]:
    """The statement and the SQL inside its EXEC('...') wrappers, unescaped."""
    parts = [sql]
    for match in re.finditer(r"EXEC\s*\(\s*'((?:[^']|'')*)'\s*\)", sql, re.IGNORECASE):
        parts.append(match.group(1).replace("''", "'"))
    return parts


def _model_nodes(statements: Iterable[dict]) -> Iterable[dict]:
    return (
        s for s in statements if s["node"].startswith(("model.", "seed.")) and s["kind"] == "sql"
    )


def synapse_findings(statements: list[dict]) -> list[str]:
    """Statements serverless cannot run: DML/CREATE TABLE, and T-SQL-invalid constructs."""
    findings = []
    for s in statements:
        for part in _unwrapped(_code(s["sql"])):
            found = _SERVERLESS_FORBIDDEN.search(part)
            if found:
                findings.append(f"{s['node']}: serverless cannot run {found.group(0)!r}")
            # OPENROWSET's option HEADER_ROW = TRUE is T-SQL syntax, not a boolean value
            no_strings = re.sub(r"header_row\s*=\s*true", "", _STRING.sub("''", part), flags=re.I)
            if _TSQL_BOOLEAN_LITERAL.search(no_strings):
                findings.append(f"{s['node']}: boolean literal in T-SQL (use lake_true/lake_false)")
            bad = _TSQL_FORBIDDEN_SYNTAX.search(no_strings)
            if bad:
                findings.append(f"{s['node']}: not T-SQL: {bad.group(0)[:40]!r}")
    return sorted(set(findings))


def databricks_findings(statements: list[dict]) -> list[str]:
    """Tables that are not Delta, merges without a key, partition replaces without a partition."""
    findings = []
    for s in _model_nodes(statements):
        code = _code(s["sql"])
        if re.search(r"\bcreate\s+(or\s+replace\s+)?table\b", code, re.I) and not re.search(
            r"\busing\s+delta\b", code, re.I
        ):
            findings.append(f"{s['node']}: table is not Delta")
        merge = re.search(r"\bmerge\s+into\b.*?\bon\b(.*?)\bwhen\b", code, re.I | re.DOTALL)
        if re.search(r"\bmerge\s+into\b", code, re.I) and (
            merge is None or not re.search(r"DBT_INTERNAL_SOURCE\.\S+\s*(<=>|=)", merge.group(1))
        ):
            findings.append(f"{s['node']}: merge without a key")
        if re.search(r"\breplace\s+on\b", code, re.I) and not re.search(
            r"\breplace\s+on\s*\(\s*t\.\S+\s*<=>\s*s\.", code, re.I
        ):
            findings.append(f"{s['node']}: partition replace without a partition condition")
    return sorted(set(findings))


# a table dbt-databricks creates and what precedes its SELECT (a CTAS) or ends the statement
_CREATE_TABLE = re.compile(
    r"\bcreate\s+(?:or\s+replace\s+)?table\s+(?:if\s+not\s+exists\s+)?(?P<table>[^\s(]+)"
    r"(?P<rest>.*?)(?:\bas\s+(?:with|select|\()|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_LOCATION = re.compile(r"\blocation\s+'(?P<path>[^']*)'", re.IGNORECASE)
# a Python job's write: DataFrameWriter.option("path", ...) then saveAsTable("...")
_PY_PATH = re.compile(r"""\.option\(\s*"path"\s*,\s*"(?P<path>[^"]*)"\s*\)""")
_PY_SAVE = re.compile(r"""\.saveAsTable\(\s*"(?P<table>[^"]*)"\s*\)""")
_PY_LOCATIONS = re.compile(r"^_LAKE_LOCATIONS = (?P<json>\{.*\})$", re.MULTILINE)


def _name_parts(table: str) -> tuple[str, str]:
    """(schema, table) of `catalog`.`schema`.`table`."""
    *_, schema, name = [part.strip("`") for part in table.split(".")]
    return schema, name


def _lake_folder(lake_root: str, table: str) -> str:
    """<lake root>/<layer>/<table>: the folder DuckDB writes `catalog`.`layer`.`table` to. A
    dbt staging table (`<name>__dbt_tmp`, a Python model's merge batch in dbt-databricks'
    default materialization) has dbt-databricks' own folder beside it, `<name>_tmp`."""
    schema, name = _name_parts(table)
    if name.endswith("__dbt_tmp"):
        name = name[: -len("__dbt_tmp")] + "_tmp"
    return f"{lake_root.rstrip('/')}/{schema}/{name}"


def _table_writes(statement: dict) -> list[tuple[str, str | None]]:
    """(table, external location or None) of every table the statement creates."""
    if statement["kind"] == "sql":
        return [
            (found.group("table"), location.group("path") if location else None)
            for found in _CREATE_TABLE.finditer(_code(statement["sql"]))
            for location in [_LOCATION.search(found.group("rest"))]
        ]
    saved = _PY_SAVE.search(statement["sql"])
    path = _PY_PATH.search(statement["sql"])
    return [(saved.group("table"), path.group("path") if path else None)] if saved else []


def location_findings(statements: list[dict], lake_root: str) -> list[str]:
    """Databricks tables outside the lake: every model and seed must create its table as an
    external table in `<lake root>/<layer>/<table>`, the folder the DuckDB target writes, so
    each engine reads what the other wrote; and the folder a Python model's `dbt` object gives
    for a model (`lake_location`) must be where the recording creates that model's table (or,
    when the recording does not create it, `<lake root>/<layer>/<name>`)."""
    root = lake_root.rstrip("/")
    nodes = [s for s in statements if s["node"].startswith(("model.", "seed."))]
    writes = {s["node"]: [] for s in nodes}
    for s in nodes:
        writes[s["node"]].extend(_table_writes(s))
    created = {_name_parts(t)[1]: path for found in writes.values() for t, path in found if path}
    findings = []
    for node, found in writes.items():
        if not found:
            findings.append(f"{node}: no table creation recognised in its statements")
        for table, path in found:
            expected = _lake_folder(lake_root, table)
            if path is None:
                findings.append(f"{node}: {table} is not an external table in the lake")
            elif path.rstrip("/") != expected:
                findings.append(f"{node}: {table} is at {path}, not {expected}")
    for s in nodes:
        if s["kind"] != "python":
            continue
        listed = _PY_LOCATIONS.search(s["sql"])
        if listed is None:
            findings.append(f"{s['node']}: the Python job's dbt object has no lake_location")
            continue
        for name, folder in json.loads(listed.group("json")).items():
            layer = folder[len(root) + 1 :].split("/")[0] if folder.startswith(root + "/") else ""
            expected = created.get(name, f"{root}/{layer}/{name}" if layer else f"{root}/…")
            if folder != expected:
                findings.append(f"{s['node']}: lake_location({name!r}) is {folder}, not {expected}")
    return sorted(set(findings))


def grant_findings(statements: list[dict], role: str, gold_nodes: set[str]) -> list[str]:
    """Every gold model grants select to the reader role; no other node grants anything to it."""
    granted = {
        s["node"]
        for s in statements
        if re.search(
            rf"\bgrant\s+select\s+on\b.*?\bto\s+[`\[\"]?{re.escape(role)}", s["sql"], re.I | re.S
        )
    }
    missing = [f"{n}: gold model without a grant to {role}" for n in sorted(gold_nodes - granted)]
    extra = [f"{n}: grants to {role} outside gold" for n in sorted(granted - gold_nodes)]
    return missing + extra


# dbt-databricks' insert_overwrite (DBR 17.1+): INSERT INTO t AS t REPLACE ON (cond) (SELECT) AS s
_REPLACE_ON = re.compile(
    r"^\s*insert\s+into\s+table\s+(?P<table>\S+)\s+as\s+t\s+replace\s+on\s*\((?P<on>.*?)\)"
    r"\s*\(\s*(?P<select>select\b.*)\)\s*as\s+s\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def _grammar_parts(sql: str, target: str) -> list[str]:
    """What sqlfluff parses for one statement: sqlfluff 4.4's databricks grammar predates
    INSERT ... REPLACE ON, so such a statement is checked as its parts (the condition as a
    WHERE clause and the SELECT) after its shape matched; everything else as is."""
    if target == "databricks":
        replace = _REPLACE_ON.match(_code(sql))
        if replace:
            return [
                f"select 1 from {replace['table']} as t where {replace['on']}",
                replace["select"],
            ]
    return _unwrapped(sql)[1:] or [sql]


#: sqlfluff's parse depth guard (600 by default) is below what T-SQL text cleaning needs:
#: without translate() (absent from Synapse) each character the text cleaning replaces is one
#: more nested replace(), 30 deep (synapse__lake_clean_text); sqlfluff's deeper parse needs a
#: higher Python recursion limit
MAX_PARSE_DEPTH = 3000
RECURSION_LIMIT = 20000


@contextmanager
def _recursion_limit(limit: int) -> Iterator[None]:
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def parse_findings(statements: list[dict], target: str) -> list[str]:
    """Statements (and EXEC'd SQL) of models and seeds that sqlfluff's grammar cannot parse."""
    with _recursion_limit(RECURSION_LIMIT):
        return _parse_findings(statements, target)


def _parse_findings(statements: list[dict], target: str) -> list[str]:
    from sqlfluff.core import FluffConfig, Linter

    overrides = {"dialect": DIALECTS[target], "max_parse_depth": MAX_PARSE_DEPTH}
    linter = Linter(config=FluffConfig(overrides=overrides))
    findings = []
    seen: set[str] = set()
    for s in _model_nodes(statements):
        # the adapters' own metadata reads (show grants, describe) are not the project's SQL,
        # and sqlfluff's databricks grammar lacks SHOW GRANTS
        if re.match(r"\s*(show|describe)\b", _code(s["sql"]), re.I):
            continue
        for part in _grammar_parts(s["sql"], target):
            if part in seen:
                continue
            seen.add(part)
            # seed inserts are parameterized: a literal in each placeholder
            parsed = linter.parse_string(part.replace("%s", "null"))
            if parsed.violations:
                findings.append(f"{s['node']}: {parsed.violations[0].desc()[:200]}")
            elif target == "synapse" and parsed.tree is not None:
                for element in parsed.tree.recursive_crawl("select_clause_element"):
                    if _is_bare_boolean(element):
                        findings.append(
                            f"{s['node']}: bare boolean expression in a T-SQL select list:"
                            f" {element.raw.strip()[:80]!r} (use case when ... then"
                            " lake_true() else lake_false() end)"
                        )
    return findings


_BOOLEAN_KEYWORDS = {"and", "or", "not", "is", "in", "between", "like", "exists"}


def _is_bare_boolean(element) -> bool:
    """A select-list item whose value is a comparison or logical expression (T-SQL has no
    boolean values: only case/iif produce one). Looks through nested expressions only, not
    into case expressions, function calls or subqueries."""
    stack = [c for c in element.segments if c.type == "expression"]
    while stack:
        segment = stack.pop()
        for child in segment.segments:
            if child.type in ("comparison_operator", "binary_operator") and child.raw.strip() in (
                "=",
                "<",
                ">",
                "<=",
                ">=",
                "<>",
                "!=",
            ):
                return True
            if child.type == "comparison_operator":
                return True
            if child.type == "keyword" and child.raw.lower() in _BOOLEAN_KEYWORDS:
                return True
            if child.type == "expression":
                stack.append(child)
    return False
