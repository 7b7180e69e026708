"""SQL lint: sqlfluff (.sqlfluff, dbt templater) and the project's own portable-SQL check each
reject the constructs the standards forbid, planted in model files of a temporary copy of the
project, and name the file; the project itself passes the own check.

`make lint` runs both over the real project (sqlfluff is ~1 min, so it is not repeated here).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lakehouse import sql_conventions

REPO = Path(__file__).resolve().parents[2]

#: One forbidden construct per planted model: (file stem, SQL, sqlfluff rule, own-check rule).
#: sqlfluff sees only what DuckDB accepts as SQL; a bare boolean is valid DuckDB, so only the
#: own check can reject it.
PLANTED = [
    (
        "planted_limit",
        "select carrier from {{ ref('dim_carriers') }} limit 10\n",
        "CV09",
        "no-limit",
    ),
    (
        "planted_qualify",
        "select\n    carrier,\n    carrier_name\nfrom {{ ref('dim_carriers') }}\n"
        "qualify row_number() over (partition by carrier order by carrier_name) = 1\n",
        "CV09",
        "no-qualify",
    ),
    (
        "planted_cast",
        "select carrier::varchar as carrier_code from {{ ref('dim_carriers') }}\n",
        "CV11",
        "no-double-colon-cast",
    ),
    (
        "planted_using",
        "select\n    carriers.carrier,\n    airlines.name\n"
        "from {{ ref('dim_carriers') }} as carriers\n"
        "inner join {{ ref('silver_airlines') }} as airlines using (carrier)\n",
        "ST07",
        "no-using",
    ),
    (
        "planted_group_by",
        "select\n    carrier,\n    count(*) as flights\nfrom {{ ref('fct_flights') }}\n"
        "group by 1\n",
        "AM06",
        "no-positional-reference",
    ),
    (
        "planted_double_quotes",
        "select \"carrier\" as carrier_code from {{ ref('dim_carriers') }}\n",
        "RF06",
        "no-double-quotes",
    ),
    (
        "planted_bare_boolean",
        "select\n    carrier,\n    carrier = 'AA' as is_american\nfrom {{ ref('dim_carriers') }}\n",
        None,
        "no-bare-boolean",
    ),
]


@pytest.fixture(scope="module")
def planted_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the dbt project with one planted model per forbidden construct."""
    root = tmp_path_factory.mktemp("lint_project")
    for name in ("dbt_project.yml", ".sqlfluff"):
        shutil.copy2(REPO / name, root / name)
    for folder in ("profiles", "macros", "models", "seeds", "tests/data"):
        shutil.copytree(REPO / folder, root / folder)
    for stem, sql, _, _ in PLANTED:
        (root / "models" / "audit" / f"{stem}.sql").write_text(sql)
    return root


def sqlfluff_findings(output: str) -> dict[str, set[str]]:
    """Rule codes per file from sqlfluff's human-readable report."""
    findings: dict[str, set[str]] = {}
    current = None
    for line in output.splitlines():
        if header := re.match(r"== \[(.+?)\] (PASS|FAIL)", line):
            current = header.group(1)
            findings[current] = set()
        elif current and (code := re.search(r"\| ([A-Z]{2}\d{2}) \|", line)):
            findings[current].add(code.group(1))
    return findings


def test_sqlfluff_rejects_planted_violations(planted_project: Path) -> None:
    files = [f"models/audit/{stem}.sql" for stem, _, _, _ in PLANTED]
    command = [sys.executable, str(REPO / "scripts/lint_sql.py"), *files]
    result = subprocess.run(
        [*command, "--project-dir", str(planted_project)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = sqlfluff_findings(result.stdout)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    for stem, _, rule, _ in PLANTED:
        path = f"models/audit/{stem}.sql"
        if rule is None:  # valid DuckDB: sqlfluff passes it (and lists passing files not)
            assert path not in findings, findings[path]
            continue
        assert path in findings, f"sqlfluff found nothing in {path}:\n{result.stdout[-3000:]}"
        assert rule in findings[path], f"{path}: expected {rule}, got {findings[path]}"


def test_own_check_rejects_planted_violations(planted_project: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts/check_sql.py"), "--root", str(planted_project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    reported = result.stdout.splitlines()
    for stem, _, _, rule in PLANTED:
        path = f"models/audit/{stem}.sql"
        lines = [line for line in reported if line.startswith(f"{path}:")]
        assert any(f": {rule}: " in line for line in lines), f"{path}: {rule} not in {lines}"
    # nothing else is reported: the project's own files are clean
    assert all("planted_" in line for line in reported), reported


def test_own_check_reports_file_line_rule_message(tmp_path: Path) -> None:
    model = tmp_path / "model.sql"
    model.write_text("select\n    a,\n    b::integer as b_int\nfrom t\n")
    (violation,) = sql_conventions.check_files([model], tmp_path)
    assert str(violation).startswith("model.sql:3: no-double-colon-cast: ")


@pytest.mark.parametrize(
    "sql",
    [
        # the sanctioned spellings of what the rules forbid
        "select case when a = b then true else false end as same from t",
        "select count(*) as n from t group by a order by a desc",
        "select x.a from t as x inner join u as y on x.id = y.id",
        "select cast(a as integer) as a_int, 'text' as label from t",
        "select row_number() over (partition by a order by b desc) as rank_no from t",
        "select (select count(*) from u where u.a > 1) as n, coalesce(a, b) as c from t",
        "select a from t where a in (select b from u) and a is not null",
        # words inside strings, comments and Jinja are not SQL
        "select 'limit 1 using ::' as label from t -- qualify\n",
        "select {{ lake_unparseable('x', 'integer') }} as broken from t",
        """select '{{ f | replace("'", "''") }}' as file_name from t""",
        "{{ config(pre_hook=[\"{{ load('a') }}\"]) }}\nselect a from t",
        '{#- a comment with "quotes" and limit -#}\nselect a from t',
    ],
)
def test_own_check_accepts_portable_sql(sql: str) -> None:
    assert sql_conventions.check_sql(sql, "model.sql") == []


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        ("select a > 1 as big from t", "no-bare-boolean"),
        ("select a is null as missing from t", "no-bare-boolean"),
        ("select (a = b) as same from t", "no-bare-boolean"),
        ("select a, b in (1, 2) as listed from t", "no-bare-boolean"),
        ("select a from t order by 1", "no-positional-reference"),
        ("select a from t group by a, 2", "no-positional-reference"),
        ("select a from t {% if x %} limit 5 {% endif %}", "no-limit"),
        ('select a from t where b = "x"', "no-double-quotes"),
    ],
)
def test_own_check_rejects(sql: str, rule: str) -> None:
    assert [v.rule for v in sql_conventions.check_sql(sql, "model.sql")] == [rule]


def test_project_passes_own_check() -> None:
    files = sql_conventions.project_sql_files(REPO)
    assert any(path.parent.name == "silver" for path in files)  # models and model macros
    assert sql_conventions.check_files(files, REPO) == []


def test_pre_commit_hooks_run_offline(tmp_path: Path) -> None:
    """The config validates and its local hooks pass on the repository. The two slow hooks
    (dbt parse, sqlfluff over every model) are the commands `make lint` runs just before the
    tests, so here sqlfluff runs through its hook on one model only."""
    pre_commit = [sys.executable, "-m", "pre_commit"]
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit")}

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*pre_commit, *args],
            cwd=REPO,
            env={**env, **extra},
            capture_output=True,
            text=True,
            check=False,
        )

    validated = run("validate-config", ".pre-commit-config.yaml")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    everything = run("run", "--all-files", SKIP="sqlfluff,dbt-conventions")
    assert everything.returncode == 0, everything.stdout + everything.stderr
    passed = [line for line in everything.stdout.splitlines() if line.endswith("Passed")]
    assert len(passed) == 3, everything.stdout  # ruff check, ruff format, portable SQL
    one_model = run("run", "sqlfluff", "--files", "models/gold/dim_carriers.sql")
    assert one_model.returncode == 0, one_model.stdout + one_model.stderr
    assert one_model.stdout.rstrip().endswith("Passed"), one_model.stdout
