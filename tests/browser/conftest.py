"""Browser tests: Playwright for Python driving Debian's chromium (no browser download;
.ci/run installs the `chromium` package when /usr/bin/chromium is missing) against a real
`enode-mock serve` process. Screenshots go to reports/browser/ (gitignored, kept by CI).

Accessibility is checked with axe-core, vendored as its single minified file under
vendor/axe-core-<version>/ with its licence: the tests need neither npm nor the network,
and the file is checked against the integrity hash axe-core publishes for that version.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browserhelpers import ARGS, CHROMIUM, AppSite
from mockserve import mock_served

sync_api = pytest.importorskip("playwright.sync_api")


# module-scoped: while Playwright's sync API is open it holds an asyncio loop in this thread,
# which the suite's async tests after these would find running
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 900, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def app_site() -> Iterator[AppSite]:
    site = AppSite()
    yield site
    site.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`enode-mock serve` on a free port; actions stay PENDING until confirmed."""
    log = tmp_path_factory.mktemp("mock") / "mock.log"
    with mock_served(log, "--action-delay", "manual") as base:
        yield base
