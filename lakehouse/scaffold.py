"""Scaffold a model: its SQL file and a YAML stub, in the layer's style.

Why: a new model needs a file in the right folder, an explicit column list, a description
per column (the docs site shows them) and at least one test. Writing that by hand is where
analysts skip steps; the scaffold writes the skeleton, never overwrites, and refuses names
that could escape the models folder or clash with an existing model.

Columns come from the parent's documented columns (``--from``), or from the SELECT list of
an analyst's draft (``--sql``); column types for gold's enforced contracts come from the
parent's YAML or, when the parent is built, from its Delta table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlparse
import yaml
from sqlparse.sql import Identifier, IdentifierList
from sqlparse.tokens import DML, Keyword, Wildcard

#: Layers and the name prefixes their models use (README "The layers").
LAYERS: dict[str, tuple[str, ...]] = {
    "bronze": ("bronze_",),
    "silver": ("silver_",),
    "gold": ("dim_", "fct_", "agg_"),
    "audit": ("audit_",),
}
NAME = re.compile(r"[a-z][a-z0-9_]{2,62}")
#: Bronze lineage columns (bronze_from_landing adds them), described once here.
LINEAGE = {
    "_source_file": "Delivery file the row came from, relative to the landing root.",
    "_row_number": "Position of the row in its delivery file (1 = first data row).",
    "_raw_line": "The delivered line when the CSV reader could not parse it; else null.",
    "_rejected_reason": "Why the CSV reader rejected the line; null for parsed rows.",
    "_ingested_at": "When the dbt run that ingested the file started (UTC).",
    "_batch_id": "dbt invocation id of the run that ingested the file.",
}
TODO = "TODO: describe"


class ScaffoldError(ValueError):
    """A name, layer or input the scaffold refuses, with what to do instead."""


@dataclass
class Column:
    name: str
    description: str = ""
    data_type: str | None = None


@dataclass
class Scaffold:
    layer: str
    name: str
    sql: str
    columns: list[Column]
    key: list[str] = field(default_factory=list)
    parent: str | None = None

    def yaml_text(self) -> str:
        """The YAML stub: placeholders to replace, a test on the key (or the first column)."""
        tested = self.key or [self.columns[0].name]
        columns = []
        for c in self.columns:
            entry: dict = {"name": c.name, "description": c.description or f"{TODO} {c.name}."}
            if self.layer == "gold":
                entry["data_type"] = c.data_type or "TODO"
            if c.name in tested:
                entry["data_tests"] = ["not_null"] + (["unique"] if len(tested) == 1 else [])
            columns.append(entry)
        model: dict = {
            "name": self.name,
            "description": f"{TODO} what one row of {self.name} is, and who uses it.",
            "columns": columns,
        }
        if len(tested) > 1:
            model["data_tests"] = [
                {
                    "unique": {
                        "name": f"{self.name}_unique_key",
                        "column_name": " || '|' || ".join(f"cast({k} as varchar)" for k in tested),
                    }
                }
            ]
        header = (
            f"# Scaffolded by scripts/scaffold_model.py: replace every '{TODO}' and 'TODO',\n"
            "# then `dbt build -s <model>+` (or make slim-ci).\n"
        )
        body = yaml.dump(
            {"version": 2, "models": [model]}, Dumper=_IndentedDumper, sort_keys=False, width=4096
        )
        return header + body


class _IndentedDumper(yaml.SafeDumper):
    """Indents list items under their key, like the project's hand-written YAML."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def validate(layer: str, name: str, models_dir: Path) -> None:
    """Refuse unknown layers, unsafe or off-convention names, and names already taken."""
    if layer not in LAYERS:
        raise ScaffoldError(f"unknown layer {layer!r}: use one of {', '.join(LAYERS)}")
    if not NAME.fullmatch(name):
        raise ScaffoldError(
            f"invalid model name {name!r}: lower-case letters, digits and underscores, "
            "starting with a letter, 3 to 63 characters (no paths)"
        )
    prefixes = LAYERS[layer]
    if not name.startswith(prefixes):
        raise ScaffoldError(f"{layer} model names start with {' or '.join(prefixes)}: {name!r}")
    taken = [p for p in models_dir.rglob(f"{name}.*") if p.suffix in (".sql", ".py", ".yml")]
    if taken:
        raise ScaffoldError(f"{name} exists already: {', '.join(str(p) for p in taken)}")


def documented_columns(models_dir: Path, parent: str) -> list[Column]:
    """The columns a model or landing source table documents in the project's YAML."""
    for path in sorted(models_dir.rglob("*.yml")):
        doc = yaml.safe_load(path.read_text()) or {}
        for model in doc.get("models") or []:
            if model.get("name") == parent:
                return [_column(c) for c in model.get("columns") or []]
        for source in doc.get("sources") or []:
            for table in source.get("tables") or []:
                if f"{source['name']}.{table['name']}" == parent:
                    return [_column(c) for c in table.get("columns") or []]
    raise ScaffoldError(f"no model or source named {parent!r} is documented under {models_dir}")


def _column(doc: dict) -> Column:
    return Column(doc["name"], doc.get("description") or "", doc.get("data_type"))


def select_list(sql: str) -> list[str]:
    """Output column names of a draft's final SELECT (aliases, else column names).

    Jinja is neutralised first; a ``*`` cannot be expanded and is refused.
    """
    plain = re.sub(r"{{.*?}}|{%.*?%}|{#.*?#}", "jinja_expr", sql, flags=re.S)
    statements = [s for s in sqlparse.parse(plain) if s.token_first() is not None]
    if not statements:
        raise ScaffoldError("the draft SQL has no statement")
    tokens = [t for t in statements[-1].tokens if not t.is_whitespace]
    last_select = max(
        (i for i, t in enumerate(tokens) if t.ttype is DML and t.value.lower() == "select"),
        default=None,
    )
    if last_select is None:
        raise ScaffoldError("the draft SQL has no SELECT list")
    names: list[str] = []
    for token in tokens[last_select + 1 :]:
        if token.ttype is Keyword and token.value.lower() == "distinct":
            continue
        items = token.get_identifiers() if isinstance(token, IdentifierList) else [token]
        for item in items:
            if item.ttype is Wildcard or str(item).strip().endswith("*"):
                raise ScaffoldError("list the columns instead of select *: they are documented")
            if isinstance(item, Identifier):
                names.append(item.get_alias() or item.get_real_name())
            elif item.ttype is not None and item.ttype not in (Keyword,):
                names.append(str(item).strip())
        break
    if not names:
        raise ScaffoldError("could not read column names from the draft's SELECT list")
    return names


def model_sql(layer: str, parent: str | None, columns: list[Column], key: list[str]) -> str:
    """The model's SQL in the layer's style (explicit column lists, portable SQL)."""
    names = [c.name for c in columns]
    listed = ",\n".join(f"    {n}" for n in names)
    if layer == "bronze":
        stream = parent.split(".", 1)[1] if parent and "." in parent else parent
        return f"{{{{ bronze_from_landing('{stream}') }}}}\n"
    if parent is None:
        return f"select\n{listed}\nfrom {{{{ ref('TODO_parent_model') }}}}\n"
    ref = f"ref('{parent}')"
    if layer == "silver" and "_ingested_at" in names:
        keys = ", ".join(key)
        return (
            f"{{{{ config(unique_key={key!r}) }}}}\n\n"
            "with delivered as (\n"
            f"    {{{{ lake_since_watermark({ref}) }}}}\n"
            "),\n\n"
            "ranked as (\n"
            "    select\n"
            "        delivered.*,\n"
            f"        row_number() over (\n            partition by {keys}\n"
            "            order by _ingested_at desc, _source_file desc, _row_number desc\n"
            "        ) as newest_rank\n"
            "    from delivered\n"
            ")\n\n"
            f"select\n{listed}\nfrom ranked\nwhere newest_rank = 1\n"
        )
    config = f"{{{{ config(unique_key={key!r}) }}}}\n\n" if layer == "silver" else ""
    if layer == "gold":
        casts = ",\n".join(
            f"        cast({c.name} as {c.data_type or 'TODO'}) as {c.name}" for c in columns
        )
        return (
            f"with\n\nupstream as (\n\n    select\n{_indent(listed)}\n"
            f"    from {{{{ {ref} }}}}\n\n),\n\n"
            f"typed as (\n\n    select\n{casts}\n    from upstream\n\n)\n\n"
            f"select\n{listed}\nfrom typed\n"
        )
    return f"{config}select\n{listed}\nfrom {{{{ {ref} }}}}\n"


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def plan(
    layer: str,
    name: str,
    models_dir: Path,
    parent: str | None = None,
    draft_sql: str | None = None,
    key: list[str] | None = None,
    built_types: dict[str, str] | None = None,
) -> Scaffold:
    """Everything the scaffold will write, validated; nothing is written yet."""
    validate(layer, name, models_dir)
    key = key or []
    if layer == "bronze":
        stream = name.removeprefix("bronze_")
        parent = parent or f"landing.{stream}"
        delivered = documented_columns(models_dir, parent)
        columns = delivered + [Column(c, text) for c, text in LINEAGE.items()]
        key = ["_source_file", "_row_number"]  # append-only: the delivered row is the key
        return Scaffold(layer, name, model_sql(layer, parent, columns, key), columns, key, parent)
    if draft_sql is not None:
        columns = [Column(n) for n in select_list(draft_sql)]
        sql = draft_sql if draft_sql.endswith("\n") else draft_sql + "\n"
    elif parent is not None:
        columns = documented_columns(models_dir, parent)
        if not columns:
            raise ScaffoldError(f"{parent} documents no columns: pass --sql with a draft")
        sql = ""
    else:
        raise ScaffoldError("say where the rows come from: --from MODEL or --sql DRAFT.sql")
    for column in columns:
        if built_types and not column.data_type:
            column.data_type = built_types.get(column.name)
    if layer == "silver" and not key:
        raise ScaffoldError("silver models merge on a business key: pass --key COLUMN[,COLUMN]")
    unknown = [k for k in key if k not in {c.name for c in columns}]
    if unknown:
        raise ScaffoldError(f"key columns {unknown} are not among the columns")
    sql = sql or model_sql(layer, parent, columns, key)
    return Scaffold(layer, name, sql, columns, key, parent)


def write(scaffold: Scaffold, models_dir: Path) -> list[Path]:
    """Create the model's .sql and .yml; never overwrite (exclusive create)."""
    folder = models_dir / scaffold.layer
    paths = [folder / f"{scaffold.name}.sql", folder / f"{scaffold.name}.yml"]
    for path in paths:
        if path.exists():
            raise ScaffoldError(f"{path} exists already: not overwriting it")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for path, text in zip(paths, (scaffold.sql, scaffold.yaml_text()), strict=True):
            with path.open("x") as out:
                out.write(text)
            written.append(path)
    except BaseException:
        for path in written:
            path.unlink()
        raise
    return written
