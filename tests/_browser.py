"""A headless Chromium for the page tests: Debian's browser driven by playwright (never a downloaded one).

Every request the page makes is recorded and any that is not the page's own file is aborted, so a test
can assert that the page needs nothing from the network.
"""
import os
import shutil
import tempfile

CHROMIUM = os.environ.get("PATHGRAD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "out")


class Browser:
    def __init__(self):
        if not os.path.exists(CHROMIUM):
            raise RuntimeError(f"the page tests need Chromium at {CHROMIUM}: `make test` installs it "
                               f"(apt-get install chromium), or set PATHGRAD_CHROMIUM")
        from playwright.sync_api import sync_playwright
        self._pw = sync_playwright().start()
        self._profile = tempfile.mkdtemp(prefix="pathgrad-chromium-")
        self.context = self._pw.chromium.launch_persistent_context(
            self._profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 760})

    def open(self, path):
        """A new tab on the file at `path`; returns (page, requests, errors) with every URL it asked
        for and every script error it raised."""
        page = self.context.new_page()
        requests, errors = [], []
        own = "file://" + os.path.abspath(path)
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda route: route.continue_() if route.request.url == own else route.abort())
        page.goto(own)
        return page, requests, errors

    def close(self):
        self.context.close()
        self._pw.stop()
        shutil.rmtree(self._profile, ignore_errors=True)


def screenshot(page, name):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    page.screenshot(path=path, full_page=True)
    return path
