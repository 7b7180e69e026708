"""The project's portable-SQL rules that sqlfluff cannot express, checked on the raw source.

sqlfluff lints the SQL that dbt renders for the DuckDB target and ignores what it finds in
templated areas, so SQL written inside a macro, or in a Jinja branch the DuckDB render does not
take (``is_incremental()``), escapes it. Every engine the models must run on (DuckDB, Databricks,
Synapse Serverless) has to accept what is written, so this check reads the file as written:
Jinja is masked (an expression becomes an opaque placeholder, statements and comments vanish),
and what remains is tokenized and checked for the constructs the standards forbid:

- ``qualify`` and ``limit``: T-SQL has neither;
- ``join ... using``: Synapse has no ``using``;
- ``::`` casts: PostgreSQL/DuckDB syntax, use ``cast(x as type)``;
- double quotes: a string in one engine, an identifier in another;
- ``group by 1`` / ``order by 1``: T-SQL has no positional references;
- a bare boolean expression in a select list (``a = b as flag``): T-SQL has no boolean type,
  write ``case when a = b then true else false end``.

A finding is a :class:`Violation` printed as ``file:line: rule: message``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: Folders of SQL the rules apply to, relative to the project root. Portability macros are
#: engine-specific on purpose (dispatched per adapter) and the materializations are the
#: DuckDB runtime's DDL, not model SQL, so neither is checked.
CHECKED_FOLDERS = ("models", "macros")
EXEMPT_FOLDERS = ("macros/portability", "macros/materializations")

_COMPARISONS = {"=", "==", "<>", "!=", "<", ">", "<=", ">="}
_BOOLEAN_WORDS = {"and", "or", "not", "is", "in", "like", "ilike", "between", "exists"}
#: Words that end a select list at its own nesting level.
_SELECT_END = {
    "from",
    "where",
    "group",
    "having",
    "order",
    "union",
    "intersect",
    "except",
    "window",
    "qualify",
    "limit",
}
_BY_END = _SELECT_END | {"select", "rows", "range", "asc", "desc", "nulls", "with"}


@dataclass(frozen=True)
class Violation:
    """One finding: where it is, which rule, and what to write instead."""

    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


@dataclass(frozen=True)
class Token:
    """A SQL token of the masked source: kind is word, number, string, quoted, op or jinja."""

    kind: str
    text: str
    line: int

    @property
    def word(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


_JINJA_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}
_OPERATORS = ("::", "<=", ">=", "<>", "!=", "==", "||")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_NUMBER = re.compile(r"\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?")


def _skip_jinja(text: str, start: int) -> int:
    """Index just past the Jinja tag opening at ``start``; quotes inside it are respected,
    so a tag whose string argument holds another tag (a pre_hook) ends where it really ends."""
    opener = text[start : start + 2]
    closer = _JINJA_CLOSE[opener]
    if opener == "{#":
        end = text.find(closer, start + 2)
        return len(text) if end < 0 else end + 2
    i, quote = start + 2, ""
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 2
                continue
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif text.startswith(closer, i):
            return i + 2
        i += 1
    return len(text)


_PLACEHOLDER = "\x00"  # stands for a masked {{ expression }}: one character, no SQL meaning


def mask_jinja(text: str) -> str:
    """The text with Jinja masked, line numbers kept: an expression becomes a placeholder
    character, statements and comments become the newlines they spanned. Masking comes first
    because Jinja also sits inside SQL strings (``'{{ f | replace("'", "''") }}'``)."""
    parts: list[str] = []
    i = 0
    while True:
        start = min((p for p in (text.find(o, i) for o in _JINJA_CLOSE) if p >= 0), default=-1)
        if start < 0:
            parts.append(text[i:])
            return "".join(parts)
        end = _skip_jinja(text, start)
        newlines = "\n" * text.count("\n", start, end)
        parts.append(text[i:start])
        parts.append((_PLACEHOLDER if text.startswith("{{", start) else " ") + newlines)
        i = end


def tokenize(text: str) -> list[Token]:
    """SQL tokens of a dbt SQL file with Jinja masked; comments and whitespace dropped."""
    text = mask_jinja(text)
    tokens: list[Token] = []
    i, line = 0, 1
    while i < len(text):
        char = text[i]
        two = text[i : i + 2]
        if char == "\n":
            line += 1
            i += 1
        elif char.isspace():
            i += 1
        elif char == _PLACEHOLDER:
            tokens.append(Token("jinja", "{{ ... }}", line))
            i += 1
        elif two == "--":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif two == "/*":
            end = text.find("*/", i + 2)
            end = len(text) if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
        elif char in "'\"":
            end = i + 1
            while end < len(text):
                if text[end] == char:
                    if text[end + 1 : end + 2] == char:  # '' or "" escapes the quote
                        end += 2
                        continue
                    break
                end += 1
            end = min(end + 1, len(text))
            tokens.append(Token("string" if char == "'" else "quoted", text[i:end], line))
            line += text.count("\n", i, end)
            i = end
        elif match := _WORD.match(text, i):
            tokens.append(Token("word", match.group(), line))
            i = match.end()
        elif match := _NUMBER.match(text, i):
            tokens.append(Token("number", match.group(), line))
            i = match.end()
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), char)
            tokens.append(Token("op", op, line))
            i += len(op)
    return tokens


def _keyword_rules(tokens: list[Token], path: str) -> Iterator[Violation]:
    for token in tokens:
        if token.word == "qualify":
            yield Violation(
                path,
                token.line,
                "no-qualify",
                "`qualify` is not portable (T-SQL has none): filter a window function's "
                "result in an outer query or CTE",
            )
        elif token.word == "limit":
            yield Violation(
                path,
                token.line,
                "no-limit",
                "`limit` is not portable (T-SQL has none) and has no place in a model",
            )
        elif token.word == "using":
            yield Violation(
                path,
                token.line,
                "no-using",
                "`join ... using` is not portable (Synapse has none): write `join ... on`",
            )
        elif token.kind == "op" and token.text == "::":
            yield Violation(
                path,
                token.line,
                "no-double-colon-cast",
                "`::` casts are not portable: write `cast(expr as type)`",
            )
        elif token.kind == "quoted":
            yield Violation(
                path,
                token.line,
                "no-double-quotes",
                f"double-quoted {token.text[:30]}: a string in one engine, an identifier in "
                "another; use single quotes for strings and unquoted identifiers",
            )


def _positional_references(tokens: list[Token], path: str) -> Iterator[Violation]:
    """``group by 1`` / ``order by 2``: a number standing alone as a clause item."""
    for index, token in enumerate(tokens[:-1]):
        if token.word not in ("group", "order") or tokens[index + 1].word != "by":
            continue
        depth, item_start = 0, index + 2
        for position in range(index + 2, len(tokens) + 1):
            current = tokens[position] if position < len(tokens) else None
            ends = current is None or (
                depth == 0
                and (current.word in _BY_END or (current.kind == "op" and current.text in ",);"))
            )
            if ends:
                item = tokens[item_start:position]
                if len(item) == 1 and item[0].kind == "number":
                    yield Violation(
                        path,
                        item[0].line,
                        "no-positional-reference",
                        f"`{token.word} by {item[0].text}` refers to a column by position "
                        "(T-SQL has no positional references): name the column",
                    )
                if current is None or not (current.kind == "op" and current.text == ","):
                    break
                item_start = position + 1
                continue
            if current.kind == "op" and current.text == "(":
                depth += 1
            elif current.kind == "op" and current.text == ")":
                depth -= 1


def _select_items(tokens: list[Token], select_index: int) -> Iterator[list[Token]]:
    """The items of the select list opened at ``select_index``, split on top-level commas."""
    depth, item_start = 0, select_index + 1
    for position in range(select_index + 1, len(tokens) + 1):
        current = tokens[position] if position < len(tokens) else None
        if current is not None and current.kind == "op" and current.text == "(":
            depth += 1
            continue
        if current is not None and current.kind == "op" and current.text == ")" and depth > 0:
            depth -= 1
            continue
        ends = current is None or (
            depth == 0
            and (current.word in _SELECT_END or (current.kind == "op" and current.text in ");"))
        )
        if ends or (depth == 0 and current.kind == "op" and current.text == ","):
            yield tokens[item_start:position]
            if ends:
                return
            item_start = position + 1


def _bare_boolean(item: list[Token]) -> Token | None:
    """The first comparison or logical operator of a select item that is not inside a
    ``case ... end``, a function call's arguments or a subquery."""
    stack: list[str] = []  # "call" or "group" per open parenthesis
    case_depth = 0
    previous: Token | None = None
    for token in item:
        if token.kind == "op" and token.text == "(":
            is_call = previous is not None and (
                previous.kind == "jinja"
                or (previous.kind == "word" and previous.word not in _BOOLEAN_WORDS)
            )
            stack.append("call" if is_call else "group")
        elif token.kind == "op" and token.text == ")":
            if stack:
                stack.pop()
        elif "call" in stack:
            pass
        elif token.word == "select" and stack:
            stack[-1] = "call"  # a scalar subquery: its own select list is checked on its own
        elif token.word == "case":
            case_depth += 1
        elif token.word == "end" and case_depth:
            case_depth -= 1
        elif case_depth == 0 and (
            (token.kind == "op" and token.text in _COMPARISONS) or token.word in _BOOLEAN_WORDS
        ):
            return token
        previous = token
    return None


def _bare_booleans(tokens: list[Token], path: str) -> Iterator[Violation]:
    for index, token in enumerate(tokens):
        if token.word != "select":
            continue
        for item in _select_items(tokens, index):
            found = _bare_boolean(item)
            if found is not None:
                yield Violation(
                    path,
                    found.line,
                    "no-bare-boolean",
                    f"bare boolean expression (`{found.text}`) in a select list: T-SQL has no "
                    "boolean type; write `case when ... then true else false end`",
                )


def check_sql(text: str, path: str) -> list[Violation]:
    """Every violation in one dbt SQL file's text, in line order."""
    tokens = tokenize(text)
    found = [
        *_keyword_rules(tokens, path),
        *_positional_references(tokens, path),
        *_bare_booleans(tokens, path),
    ]
    return sorted(found, key=lambda v: (v.line, v.rule))


def project_sql_files(root: Path) -> list[Path]:
    """The SQL files under the checked folders of a dbt project, exempt folders left out."""
    files: list[Path] = []
    for folder in CHECKED_FOLDERS:
        for path in sorted((root / folder).rglob("*.sql")):
            relative = path.relative_to(root).as_posix()
            if not any(relative.startswith(exempt + "/") for exempt in EXEMPT_FOLDERS):
                files.append(path)
    return files


def check_files(paths: Iterable[Path], root: Path | None = None) -> list[Violation]:
    """Violations of every file; paths are reported relative to ``root`` when given."""
    found: list[Violation] = []
    for path in paths:
        shown = path.relative_to(root).as_posix() if root is not None else str(path)
        found.extend(check_sql(path.read_text(encoding="utf-8"), shown))
    return found
