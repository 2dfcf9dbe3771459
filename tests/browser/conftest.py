"""Playwright fixtures for the browser journeys: Debian's Chromium against pytest-django's
live server, plus an axe-core check every test runs on each page it visits."""

import os
import re

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made from the
# test body (factories, assertions) must still be allowed. Set before Playwright starts.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.factories import PASSWORD  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
BLOCKING_IMPACTS = {"serious", "critical"}

# tests/conftest.py already gives every test a fast password hasher, a fresh in-memory cache
# (rate limits) and the client-group vocabulary a transactional flush would otherwise lose.


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# Every page a test shows must go through `assert_accessible` before the next one loads.
# Per browser page: the URL shown but not yet checked, the last URL shown, the misses.
_axe_state: dict[int, dict] = {}


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _track_visits(page: Page) -> dict:
    state = _axe_state[id(page)] = {"pending": None, "last": None, "missed": []}

    def on_navigated(frame):
        url = _without_fragment(frame.url)
        # A fragment change or the same URL again (a form shown with its errors) is the same
        # page as far as this bookkeeping goes; tests check those explicitly anyway.
        if frame != page.main_frame or not url.startswith("http") or url == state["last"]:
            return
        if state["pending"]:
            state["missed"].append(state["pending"])
        state["pending"] = state["last"] = url

    page.on("framenavigated", on_navigated)
    return state


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


@pytest.fixture
def new_page(browser, live_server, request):
    """`new_page(**context_options)`: a page in a fresh browser context (its own cookies).

    When the test passes, every page it showed must have gone through `assert_accessible`."""
    contexts, states = [], []

    def _new_page(**options) -> Page:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        states.append(_track_visits(page))
        return page

    yield _new_page
    for context in contexts:
        for page in context.pages:
            _axe_state.pop(id(page), None)
        context.close()
    missed = [url for s in states for url in s["missed"] + [s["pending"]] if url]
    if not getattr(request.node, "browser_call_failed", True):
        assert not missed, f"pages shown without an accessibility check: {missed}"


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    page.wait_for_load_state()
    results = _axe.run(page)
    if id(page) in _axe_state:
        _axe_state[id(page)]["pending"] = None
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{len(blocking)} serious/critical axe violation(s) on {page.url}:"]
        for v in blocking:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            for node in v["nodes"]:
                lines.append(f"    {node['target']}: {node.get('failureSummary', '')}")
        message = "\n".join(lines)
        print(message)
        pytest.fail(message, pytrace=False)


def screenshot(page: Page, name: str) -> None:
    """Full-page PNG into $MLL_BROWSER_SCREENSHOTS (a folder), when it's set: for a human look."""
    folder = os.environ.get("MLL_BROWSER_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Through the real sign-in form; checks the form and the page it lands on."""
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile(r"^\s*(sign|log) ?in\s*$", re.IGNORECASE)).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert_accessible(page)
