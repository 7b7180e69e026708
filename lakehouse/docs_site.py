"""Open the static dbt docs site in headless Chromium: a model's page and its lineage graph.

``dbt docs generate --static`` writes one self-contained ``static_index.html``; an AngularJS
app renders it in the browser, so whether a page really shows a model (and whether the
lineage graph drew its nodes) can only be seen in a browser. Playwright drives the system
Chromium (Debian ``chromium``); it never downloads a browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

#: Debian's chromium; ``make test`` (and ``.ci/run``) installs it when missing.
CHROMIUM = Path("/usr/bin/chromium")

#: Flags that work as root in a container with no GPU and no network. Playwright adds
#: ``--headless`` and a fresh temporary ``--user-data-dir`` itself.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

#: The launcher button (bottom right of every page) that opens the lineage graph.
LINEAGE_BUTTON = 'a[title="View Lineage Graph"]'
#: In the graph's sidebar: show the graph full screen.
FULLSCREEN_BUTTON = 'a[title="View Fullscreen"]'
#: The graph's container: cytoscape draws on canvases inside it and keeps its instance on it.
GRAPH = "#cy"


class DocsSiteError(RuntimeError):
    """The site or the browser is missing, or a page did not render what it should."""


@dataclass(frozen=True)
class GraphNode:
    unique_id: str
    label: str
    visible: bool


@contextmanager
def browser_page(width: int = 1400, height: int = 1000) -> Iterator[Page]:
    """A page in headless system Chromium, closed (with the browser) on exit."""
    if not CHROMIUM.exists():
        raise DocsSiteError(f"{CHROMIUM} not found: install Debian's chromium (make chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def open_node(page: Page, site: Path, unique_id: str, wait_for_text: str) -> None:
    """Navigate to a node's page (``#!/model/<unique_id>``) and wait until it shows the text."""
    if not site.is_file():
        raise DocsSiteError(f"{site} not found: run make docs")
    kind = unique_id.split(".")[0]
    page.goto(f"{site.resolve().as_uri()}#!/{kind}/{unique_id}")
    page.get_by_text(wait_for_text, exact=False).first.wait_for(timeout=30_000)


def open_lineage(page: Page, expand: bool = False) -> list[GraphNode]:
    """Open the lineage graph of the current page and return the nodes cytoscape drew."""
    page.click(LINEAGE_BUTTON)
    page.wait_for_function(
        f"() => {{ const c = document.querySelector('{GRAPH}');"
        " return c && c._cyreg && c._cyreg.cy && c._cyreg.cy.nodes().length > 0; }",
        timeout=30_000,
    )
    if expand:  # full screen shows every ancestor and descendant (+model+), not one level
        page.click(FULLSCREEN_BUTTON)
        page.mouse.move(1, 1)  # no tooltip over the graph
    page.wait_for_timeout(1500)  # the layout animates into place before a screenshot
    nodes = page.evaluate(
        f"() => document.querySelector('{GRAPH}')._cyreg.cy.nodes()"
        ".map(n => [n.id(), n.data('label') || '', n.visible()])"
    )
    return [GraphNode(unique_id=i, label=label, visible=v) for i, label, v in nodes]


def close_lineage(page: Page) -> None:
    """Close the lineage graph (sidebar or full screen) so the page behind it shows."""
    page.locator('[ng-click="closeGraph()"]:visible').first.click()
    page.locator(GRAPH).wait_for(state="hidden", timeout=10_000)
