"""Run a recorded Databricks `MERGE INTO` on local Spark, where there is no Delta to merge into.

Why: local Spark 4 without Delta's jars (Maven is unreachable here, and the delta-spark wheel
ships none) rejects MERGE INTO on a temp view. The recorded statement is still the thing to
check, so it is parsed (sqlfluff's databricks grammar) into its clauses, and each clause's own
condition and expressions are run verbatim by Spark inside one SELECT that applies Delta's
MERGE semantics: a target row with no source match is kept; a matched row takes the first
`when matched` clause whose condition holds (delete, or update the assigned columns), else
is kept; an unmatched source row takes the first `when not matched` clause whose condition
holds (insert the listed columns, the rest null), else is dropped; a target row matched by
two source rows is an error, as on Delta. The result is the table the MERGE would leave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: the action of a clause that leaves the row out, and of a kept target row
_DELETE, _KEEP, _SKIP = "delete", "keep", "skip"


@dataclass
class MergeClause:
    """One `when [not] matched [and cond] then ...` clause of a MERGE."""

    matched: bool
    condition: str | None
    action: str  # 'delete', 'update' or 'insert'
    assignments: dict[str, str] = field(default_factory=dict)  # column -> expression


@dataclass
class MergePlan:
    """A MERGE statement, taken apart."""

    target: str
    target_alias: str
    source: str
    source_alias: str
    on: str
    clauses: list[MergeClause]


class MergeError(ValueError):
    """A statement that is not a MERGE this module can run, or that Delta would refuse."""


def _parts(segment: Any) -> list[Any]:
    return [s for s in segment.segments if not (s.is_whitespace or s.is_meta or s.is_comment)]


def _name(segment: Any) -> str:
    """A column name without its quotes."""
    return segment.raw.strip().strip("`")


def _alias(parts: list[Any], index: int) -> str:
    alias = parts[index + 1] if index + 1 < len(parts) else None
    if alias is None or not alias.is_type("alias_expression"):
        raise MergeError("MERGE target and source need an alias")
    return _parts(alias)[-1].raw.strip("`")


def parse_merge(sql: str) -> MergePlan:
    """The statement's target, source, join condition and clauses, in order."""
    from sqlfluff.core import FluffConfig, Linter

    parsed = Linter(config=FluffConfig(overrides={"dialect": "databricks"})).parse_string(sql)
    if parsed.violations or parsed.tree is None:
        raise MergeError(f"does not parse as Databricks SQL: {parsed.violations[:1]}")
    merge = next(parsed.tree.recursive_crawl("merge_statement"), None)
    if merge is None:
        raise MergeError("not a MERGE statement")
    parts = _parts(merge)
    tables = [i for i, p in enumerate(parts) if p.is_type("table_reference")]
    if len(tables) != 2:
        raise MergeError("MERGE needs a table target and a table source")
    on = next(p for p in parts if p.is_type("join_on_condition"))
    clauses = []
    for match in (p for p in parts if p.is_type("merge_match")):
        for clause in _parts(match):
            clauses.append(_clause(clause))
    return MergePlan(
        target=parts[tables[0]].raw,
        target_alias=_alias(parts, tables[0]),
        source=parts[tables[1]].raw,
        source_alias=_alias(parts, tables[1]),
        on=_parts(on)[-1].raw,
        clauses=clauses,
    )


def _clause(segment: Any) -> MergeClause:
    parts = _parts(segment)
    words = [p.raw.lower() for p in parts if p.is_type("keyword")]
    matched = segment.is_type("merge_when_matched_clause")
    if words[:3] == ["when", "not", "matched"] and len(words) > 3 and words[3] == "by":
        raise MergeError("WHEN NOT MATCHED BY SOURCE is not simulated")
    condition = next((p.raw for p in parts if p.is_type("expression")), None)
    action = parts[-1]
    if action.is_type("merge_delete_clause"):
        return MergeClause(matched, condition, _DELETE)
    if action.is_type("merge_update_clause"):
        assignments = {}
        for assignment in action.recursive_crawl("set_clause"):
            column, _, *value = _parts(assignment)
            assignments[_name(column)] = " ".join(v.raw for v in value)
        if not assignments:
            raise MergeError("UPDATE SET * is not simulated: list the columns")
        return MergeClause(matched, condition, "update", assignments)
    if action.is_type("merge_insert_clause"):
        brackets = [p for p in _parts(action) if p.is_type("bracketed")]
        if len(brackets) != 2:
            raise MergeError("INSERT * is not simulated: list the columns and values")
        columns, values = ([x for x in _parts(b) if not x.is_type("symbol")] for b in brackets)
        if len(columns) != len(values):
            raise MergeError("INSERT lists a different number of columns and values")
        return MergeClause(
            matched,
            condition,
            "insert",
            {_name(c): v.raw for c, v in zip(columns, values, strict=True)},
        )
    raise MergeError(f"unknown MERGE action {action.raw[:40]!r}")


def merged_sql(plan: MergePlan, target_view: str, source_view: str, columns: list[str]) -> str:
    """A Spark SELECT giving the target's rows after the MERGE (columns: the target's)."""
    t, s = plan.target_alias, plan.source_alias
    matched = [(f"m{i}", c) for i, c in enumerate(plan.clauses) if c.matched]
    unmatched = [(f"n{i}", c) for i, c in enumerate(plan.clauses) if not c.matched]

    def first(clauses: list[tuple[str, MergeClause]], otherwise: str) -> str:
        whens = " ".join(f"when {c.condition or 'true'} then '{label}'" for label, c in clauses)
        return f"case {whens} else '{otherwise}' end" if whens else f"'{otherwise}'"

    action = (
        f"case when {s}.__lake_in_source is null then '{_KEEP}'"
        f" when {t}.__lake_in_target is null then {first(unmatched, _SKIP)}"
        f" else {first(matched, _KEEP)} end"
    )
    dropped = [_SKIP] + [label for label, c in matched + unmatched if c.action == _DELETE]
    values = []
    for column in columns:
        quoted = f"`{column}`"
        whens = [
            f"when '{label}' then {c.assignments.get(column, f'{t}.{quoted}')}"
            for label, c in matched
            if c.action == "update"
        ] + [
            f"when '{label}' then {c.assignments.get(column, 'null')}"
            for label, c in unmatched
            if c.action == "insert"
        ]
        # the action inline: the clauses' expressions need the aliases of the join's scope
        value = f"case {action} {' '.join(whens)} else {t}.{quoted} end" if whens else None
        values.append(f"{value or f'{t}.{quoted}'} as {quoted}")
    return (
        f"select {', '.join(f'`{c}`' for c in columns)} from ("
        f"select {', '.join(values)}, {action} as __lake_action from"
        f" (select *, true as __lake_in_target from `{target_view}`) as {t}"
        f" full outer join"
        f" (select *, true as __lake_in_source from `{source_view}`) as {s}"
        f" on {plan.on}) as merged"
        f" where __lake_action not in ({', '.join(repr(d) for d in dropped)})"
    )


def _one_match_each(spark: Any, plan: MergePlan, target_view: str, source_view: str) -> None:
    t, s = plan.target_alias, plan.source_alias
    twice = spark.sql(
        f"select count(*) from (select {t}.__lake_row from"
        f" (select *, monotonically_increasing_id() as __lake_row from `{target_view}`) as {t}"
        f" join `{source_view}` as {s} on {plan.on}"
        f" group by {t}.__lake_row having count(*) > 1)"
    ).collect()[0][0]
    if twice:
        raise MergeError(
            f"{twice} target rows match more than one source row: Delta refuses such a MERGE"
            " (DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE)"
        )


def run_merge(spark: Any, sql: str, target_view: str, source_view: str) -> Any:
    """The recorded MERGE run over two Spark temp views standing for its target and source:
    the target's rows after the merge, as a Spark DataFrame."""
    plan = parse_merge(sql)
    _one_match_each(spark, plan, target_view, source_view)
    columns = spark.table(target_view).columns
    return spark.sql(merged_sql(plan, target_view, source_view, columns))
