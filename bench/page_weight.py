"""Bytes over the wire for the PWA shell: first load, and a repeat load served by the service worker.

    .venv/bin/python bench/page_weight.py

Targets: under 150 KB on first load, under 5 KB on a repeat load. Runs the app under gunicorn and
loads the sign-in screen in Debian's Chromium. Bytes are counted where they leave: gunicorn's access
log (response bodies, so the service worker's own precache requests count too), beside the page's
own network view.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.common import prepare_database, save, table  # noqa: E402
from testkit.live_server import LiveServer  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def transferred(page, cdp, url: str) -> tuple[int, int]:
    """(bytes, requests) that went over the network while loading `url` and settling."""
    totals = {"bytes": 0, "requests": 0}

    def finished(event):
        totals["bytes"] += int(event.get("encodedDataLength", 0))

    def sent(_event):
        totals["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.requestWillBeSent", sent)
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(1500)
    cdp.remove_listener("Network.loadingFinished", finished)
    cdp.remove_listener("Network.requestWillBeSent", sent)
    return totals["bytes"], totals["requests"]


def served_bytes(access_log: Path) -> int:
    """Body bytes the server has sent so far (gunicorn writes '-' for none)."""
    total = 0
    for line in access_log.read_text().splitlines():
        size = line.split(" ", 1)[0]
        total += int(size) if size.isdigit() else 0
    return total


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="help-weight-") as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'weight.db'}"
        prepare_database(url, work / "instance")
        access_log = work / "access.log"
        server = LiveServer(url, work, workers=2,
                            extra_args=["--access-logfile", str(access_log), "--access-logformat", "%(B)s %(U)s"]).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
                context = browser.new_context(viewport={"width": 360, "height": 640})
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                _seen, first_requests = transferred(page, cdp, server.url + "/")
                page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
                page.wait_for_timeout(1000)
                first_bytes = served_bytes(access_log)
                _seen, repeat_requests = transferred(page, cdp, server.url + "/")
                repeat_bytes = served_bytes(access_log) - first_bytes
                browser.close()
        finally:
            server.stop()
    table("PWA shell weight (sign-in screen, 360x640)", [
        ("load", "bytes served", "requests by the page", "target", "verdict"),
        ("first", f"{first_bytes:,}", first_requests, "< 150 KB", "PASS" if first_bytes < 150_000 else "OVER"),
        ("repeat (service worker)", f"{repeat_bytes:,}", repeat_requests, "< 5 KB",
         "PASS" if repeat_bytes < 5_000 else "OVER"),
    ])
    save("page_weight", {"first_load_bytes": first_bytes, "first_load_requests": first_requests,
                         "repeat_load_bytes": repeat_bytes, "repeat_load_requests": repeat_requests,
                         "targets": {"first": 150_000, "repeat": 5_000}})


if __name__ == "__main__":
    main()
