"""The docs site: everything is described, and the static site really renders in a browser.

The site is generated (``dbt docs generate --static``, as ``make docs`` does) from a built
production lake, so the catalog has real column types. Headless Chromium opens a gold model's
page and its lineage graph; screenshots go to ``target/docs_screenshots/`` for people to look
at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from lakehouse import docs_site

from .analyst_lake import production_lake
from .conftest import REPO, Lakehouse

SCREENSHOTS = REPO / "target" / "docs_screenshots"
MODEL = "model.lakehouse.fct_flights"
EXPOSURE = "exposure.lakehouse.ontime_performance_dashboard"


@dataclass
class Site:
    html: Path
    manifest: dict
    catalog: dict


@pytest.fixture(scope="module")
def site(make_lakehouse: Callable[..., Lakehouse]) -> Site:
    prod = production_lake(make_lakehouse)
    target = prod.root / "docs_target"
    prod.dbt("docs", "generate", "--static", "--target-path", str(target))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return Site(
        html=target / "static_index.html",
        manifest=json.loads((target / "manifest.json").read_text()),
        catalog=json.loads((target / "catalog.json").read_text()),
    )


def project_nodes(manifest: dict, kind: str) -> dict[str, dict]:
    return {
        k: v
        for k, v in manifest[kind].items()
        if v.get("package_name") == "lakehouse" and v.get("resource_type") != "test"
    }


def test_every_model_seed_source_and_column_is_described(site: Site) -> None:
    missing = []
    for kind in ("nodes", "sources"):
        for unique_id, node in project_nodes(site.manifest, kind).items():
            if not node["description"].strip():
                missing.append(unique_id)
            missing += [
                f"{unique_id}.{c}" for c, col in node["columns"].items() if not col["description"]
            ]
            built = site.catalog[kind].get(unique_id)
            if built:  # every column the table really has is listed in the YAML
                listed = {c.lower() for c in node["columns"]}
                missing += [
                    f"{unique_id}.{c} (undocumented)"
                    for c in built["columns"]
                    if c.lower() not in listed
                ]
    assert missing == []
    # the catalog saw the built lake: every model (the ML ones are not built here) and seed
    built = {
        k
        for k, n in site.manifest["nodes"].items()
        if n["resource_type"] in ("model", "seed") and "ml" not in n["tags"]
    }
    assert len(built) > 25 and built <= set(site.catalog["nodes"])


def test_every_macro_is_described_with_its_arguments(site: Site) -> None:
    macros = project_nodes(site.manifest, "macros")
    assert len(macros) > 40
    for unique_id, macro in macros.items():
        assert macro["description"].strip(), unique_id
        signature = re.search(r"{%-?\s*(?:macro|test)\s+\w+\((.*?)\)\s*-?%}", macro["macro_sql"])
        if signature is None:  # a materialization takes no arguments
            assert macro["name"].startswith("materialization_"), unique_id
            continue
        declared = [a.split("=")[0].strip() for a in signature.group(1).split(",") if a.strip()]
        documented = [a["name"] for a in macro["arguments"]]
        assert documented == declared, unique_id
        assert all(a["description"] for a in macro["arguments"]), unique_id


def test_exposures_cover_the_bi_marts_and_the_ml_model(site: Site) -> None:
    exposures = site.manifest["exposures"]
    bi = exposures[EXPOSURE]
    assert bi["type"] == "dashboard"
    gold = {k for k, n in site.manifest["nodes"].items() if k.startswith("model.lakehouse.agg_")}
    assert gold and gold <= set(bi["depends_on"]["nodes"])
    ml = exposures["exposure.lakehouse.flight_delay_model"]
    assert ml["type"] == "ml"
    assert "model.lakehouse.ml_predictions" in ml["depends_on"]["nodes"]


def related(edges: dict[str, list[str]], start: str) -> set[str]:
    """Every node reachable from ``start`` along the manifest's parent or child map."""
    found: set[str] = set()
    todo = list(edges.get(start, []))
    while todo:
        node = todo.pop()
        if node not in found:
            found.add(node)
            todo.extend(edges.get(node, []))
    return found


def distinct_colours(png: bytes) -> int:
    return len(Image.open(BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 24))


def test_model_page_and_lineage_graph_render_in_chromium(site: Site) -> None:
    model = site.manifest["nodes"][MODEL]
    description = model["description"].strip()
    with docs_site.browser_page() as page:
        docs_site.open_node(page, site.html, MODEL, description[:60])
        page.screenshot(path=str(SCREENSHOTS / "fct_flights.png"), full_page=True)
        body = page.inner_text("body")
        assert "fct_flights" in page.inner_text("h1")
        assert " ".join(description.split()) in " ".join(body.split())
        # every column, with the type the catalog read from the built table
        columns = site.catalog["nodes"][MODEL]["columns"]
        assert len(columns) == len(model["columns"]) > 10
        text = " ".join(body.split())
        for name, column in columns.items():
            assert f"{name} {column['type']}" in text, name

        nodes = docs_site.open_lineage(page, expand=True)
        page.screenshot(path=str(SCREENSHOTS / "fct_flights_lineage.png"))
        drawn = {n.unique_id for n in nodes if n.visible}
        upstream = related(site.manifest["parent_map"], MODEL)
        downstream = related(site.manifest["child_map"], MODEL)
        assert {
            "model.lakehouse.silver_flights",
            "model.lakehouse.bronze_flights",
            "source.lakehouse.landing.flights",
            "seed.lakehouse.airport_timezone_fallbacks",
        } <= upstream
        assert {EXPOSURE, "model.lakehouse.agg_ontime_by_route"} <= downstream
        not_tests = {n for n in upstream | downstream if not n.startswith(("test.", "unit_test."))}
        assert not_tests | {MODEL} <= drawn
        # cytoscape drew on its canvas: not a blank panel
        assert distinct_colours(page.locator(docs_site.GRAPH).screenshot()) > 20

        docs_site.close_lineage(page)
        docs_site.open_node(page, site.html, EXPOSURE, "On-time performance dashboard")
        page.screenshot(path=str(SCREENSHOTS / "exposure_dashboard.png"), full_page=True)
        text = page.inner_text("body")
        assert "exposure" in text.lower() and "agg_ontime_by_route" in text
        assert not page.locator(docs_site.GRAPH).is_visible()

    for name in ("fct_flights.png", "fct_flights_lineage.png", "exposure_dashboard.png"):
        assert (SCREENSHOTS / name).stat().st_size > 10_000
