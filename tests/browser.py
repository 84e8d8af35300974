"""Helpers for real-browser tests: start the dashboard on a free port, drive Debian's Chromium.

No browser is downloaded: Playwright launches `/usr/bin/chromium` (Debian's `chromium` package),
with the flags that keep it from calling out of this machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("GRID_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]


def require_browser() -> None:
    require(
        Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None,
        f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)",
    )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require(False, "playwright is not installed (pip install -r requirements-dev.txt)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_dashboard(env: dict[str, str], timeout: float = 90):
    """Start `streamlit run serve.py` (the README command) on a free port; yield its base URL; stop it after.
    The store gets the demo users first (see `sign_in`)."""
    from tests.conftest import ensure_demo_users

    if env.get("GRID_DB_URL"):
        ensure_demo_users(env["GRID_DB_URL"])
    port = free_port()
    log = ARTIFACTS / f"streamlit-{port}.log"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "serve.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"dashboard did not start; see {log}:\n{log.read_text()[-2000:]}")
                time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def sign_in(page, role: str = "leader", timeout: float = 90_000, password: str | None = None) -> None:
    """Sign in as the demo user `role` on the current page; the page asked for opens. A browser
    that is still signed in (the session cookie outlives a page load, issue #18 finding 12) signs
    out first, so every call is a fresh sign-in as `role`."""
    from data_access.users import DEMO_PASSWORD

    form, signed_in = ".st-key-login_username input", ".st-key-auth_logout button"
    page.wait_for_selector(f"{form}, {signed_in}", timeout=timeout)
    if page.locator(signed_in).count():
        page.locator(signed_in).dispatch_event("click")  # also where the sidebar is hidden (wall)
    page.wait_for_selector(form, timeout=timeout)
    page.fill(".st-key-login_username input", role)
    page.fill(".st-key-login_password input", DEMO_PASSWORD if password is None else password)
    page.locator('[data-testid="stFormSubmitButton"] button').click()
    page.wait_for_selector(".st-key-login_username", state="detached", timeout=timeout)


@contextlib.contextmanager
def chromium_page(width: int = 1600, height: int = 1100):
    """A Playwright page in headless Chromium that records every request leaving loopback."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        page.outside_requests = []

        def watch(request):
            host = request.url.split("/")[2] if "://" in request.url else ""
            if request.url.startswith(("data:", "blob:")) or host.split(":")[0] in ("127.0.0.1", "localhost"):
                return
            page.outside_requests.append(request.url)

        page.on("request", watch)
        try:
            yield page
        finally:
            context.close()
            browser.close()
