"""The portal's fixtures: a store with the portal's world (SQLite and PostgreSQL in turn),
the portal served on it, and one headless Chromium for the whole session.

Chromium is Debian's (`/usr/bin/chromium`, installed by `.ci/run`), driven by Playwright
for Python; Playwright's own browser download is never used. axe-core comes from the npm
registry, fetched by `.ci/run` (`npm pack`) into the git-ignored `.cache/axe-core/`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from worlds.command_line import *  # noqa: F401,F403
from worlds.command_line import Cli, _no_store_env  # noqa: F401 - autouse, not in *
from worlds.portal import Served, build_world, served

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LRT_CHROMIUM", "/usr/bin/chromium")
AXE = Path(os.environ.get("LRT_AXE_JS", ROOT / ".cache" / "axe-core" / "package" /
                          "axe.min.js"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what}; .ci/run installs it")
    pytest.skip(what)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        _missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install playwright)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def axe_js() -> Path:
    if not AXE.exists():
        _missing(f"axe-core is not at {AXE} (.ci/run fetches it: npm pack axe-core)")
    return AXE


@pytest.fixture(scope="module")
def portal_cli(module_store: Any, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The command line on the portal's world (one per store, shared by a module)."""
    cli = Cli(db=module_store)
    build_world(cli, tmp_path_factory.mktemp("portal"))
    return cli


@pytest.fixture(scope="module")
def portal(portal_cli: Cli) -> Iterator[Served]:
    yield from served(portal_cli)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The portal's world on a SQLite store, for what does not depend on the store (the
    browser tests run on both)."""
    import stores

    tmp = tmp_path_factory.mktemp("world")
    cli = Cli(db=stores.TestStore("sqlite", str(tmp / "lrt.sqlite")))
    build_world(cli, tmp)
    return cli
