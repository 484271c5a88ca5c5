"""Browser tests: a real Chromium (Debian's, headless) driven by Playwright for Python.

The browser is Debian's ``/usr/bin/chromium`` (``.ci/run`` installs it), launched through Playwright's
``executable_path``; Playwright's own browser downloads are not used. Every page runs with the network
cut off: a request to anything but a ``file:`` URL or the loopback address is aborted and recorded, and
:class:`Tab` keeps the console errors, so a test can assert that neither happened. Screenshots go to
``NARCOFLOW_E2E_ARTIFACTS`` (default ``e2e-artifacts/`` in the working directory).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def chromium_path() -> str:
    """Debian's chromium executable; a missing browser is an error, not a skip."""
    path = os.environ.get("NARCOFLOW_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("chromium is not installed (apt-get install -y chromium; .ci/run does it)")
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots are saved."""
    path = Path(os.environ.get("NARCOFLOW_E2E_ARTIFACTS", "e2e-artifacts")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Tab:
    """A page with the network cut off, recording blocked requests and console errors."""

    page: object
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No request left the machine and the console logged no error."""
        assert self.blocked == [], self.blocked
        assert self.errors == [], self.errors


def _local(url: str) -> bool:
    parts = urlparse(url)
    return parts.scheme in ("file", "data", "blob", "about") or parts.hostname in LOCAL_HOSTS


@pytest.fixture
def tab(browser: object) -> Iterator[Tab]:
    """A fresh browser context and page (1280×900)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    t = Tab(page)

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if _local(url):
            r.continue_()  # type: ignore[attr-defined]
        else:
            t.blocked.append(url)
            r.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)
    page.on("console", lambda m: t.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: t.errors.append(str(e)))
    yield t
    context.close()
