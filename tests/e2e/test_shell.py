"""The installable shell: manifest, icons, /sw.js at the root scope, a versioned cache, no inline code."""

from __future__ import annotations

import posixpath
import re
import shutil
import struct
from html.parser import HTMLParser

import pytest
import requests
from playwright.sync_api import expect

from app import vocabulary
from app.pwa import routes as pwa_routes

pytestmark = pytest.mark.e2e


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


class InlineCodeFinder(HTMLParser):
    """Anything the CSP (script-src 'self'; style-src 'self') would refuse."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "style" or "style" in names or any(name.startswith("on") for name in names):
            self.found.append(f"<{tag} {attrs}>")
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")


def test_the_shell_manifest_and_worker_are_served_for_installing(live_server):
    index = requests.get(f"{live_server}/", timeout=10)
    assert index.status_code == 200 and index.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in index.headers["Content-Security-Policy"]
    finder = InlineCodeFinder()
    finder.feed(index.text)
    assert finder.found == []
    assert '<link rel="manifest" href="/manifest.webmanifest">' in index.text

    worker = requests.get(f"{live_server}/sw.js", timeout=10)
    assert worker.headers["Content-Type"].startswith("text/javascript")
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert worker.headers["Cache-Control"] == "no-cache"
    shell = pwa_routes.shell_urls(pwa_routes.shell_files())
    assert re.search(r'const SHELL = \{"version": "[0-9a-f]{16}", "files": \[', worker.text)
    assert {"/", "/manifest.webmanifest", "/static/pwa/js/app.js", "/static/pwa/js/sync.js",
            "/static/pwa/css/app.css"} <= set(shell)
    for url in shell:
        assert requests.get(f"{live_server}{url}", timeout=10).status_code == 200, url

    response = requests.get(f"{live_server}/manifest.webmanifest", timeout=10)
    assert response.headers["Content-Type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "HELP Field" and manifest["short_name"] == "HELP Field"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    icons = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= set(icons)
    for (sizes, _purpose), src in icons.items():
        side = int(sizes.split("x")[0])
        assert png_size(requests.get(f"{live_server}{src}", timeout=10).content) == (side, side)


STATIC_IMPORT = re.compile(r'^(?:import|export)\b[^;]*?["\']((?:\.{1,2}|/static/pwa)/[^"\']+)["\']', re.MULTILINE)
DYNAMIC_IMPORT = re.compile(r'\bimport\(\s*["\']((?:\.{1,2}|/static/pwa)/[^"\']+)["\']\s*\)')


def module_graph(entry: str) -> tuple[set[str], set[str]]:
    """(the modules `entry` imports statically, at any depth; the modules any of those import() on demand)."""
    def url_of(base: str, relative: str) -> str:
        return posixpath.normpath(posixpath.join(posixpath.dirname(base), relative))

    def source(url: str) -> str:
        return (pwa_routes.SHELL_DIR / url.removeprefix(pwa_routes.STATIC_URL).removeprefix("/")).read_text()

    static, later, todo = set(), set(), [entry]
    while todo:
        url = todo.pop()
        if url in static:
            continue
        static.add(url)
        text = source(url)
        todo += [url_of(url, found) for found in STATIC_IMPORT.findall(text)]
        later.update(url_of(url, found) for found in DYNAMIC_IMPORT.findall(text))
    return static, later


def test_every_module_needed_at_start_is_preloaded_and_the_rest_load_on_demand(live_server):
    """No import waterfall on a first load (everything app.js imports is preloaded), nothing more than that
    on the first screen's path (supervisors' and administrators' screens are import()ed when opened), and
    every module is one or the other, and in the service worker's shell, so each opens offline too."""
    index = requests.get(f"{live_server}/", timeout=10).text
    links = re.findall(r'<link rel="modulepreload" href="([^"]+)">', index)
    [entry] = re.findall(r'<script type="module" src="([^"]+)"', index)
    at_start, on_demand = module_graph(entry)
    modules = {url for url in pwa_routes.shell_urls(pwa_routes.shell_files()) if url.endswith(".js")}
    assert set(links) | {entry} == at_start
    assert len(links) == len(set(links)), "a module is preloaded twice"
    assert on_demand, "the supervisors' and administrators' screens load on demand"
    later = set()
    for url in on_demand - at_start:
        later |= module_graph(url)[0]
    worker = module_graph("/sw.js")[0] - {"/sw.js"}  # the service worker's own imports (alerts.js)
    assert at_start | later | worker == modules, "a module neither imported at start nor on demand"
    assert not (set(links) & (later - at_start)), "a module loaded on demand is preloaded"


def test_any_change_to_the_shell_gives_the_worker_a_new_version(e2e_app, tmp_path, monkeypatch):
    copy = tmp_path / "pwa"
    shutil.copytree(pwa_routes.SHELL_DIR, copy)
    monkeypatch.setattr(pwa_routes, "SHELL_DIR", copy)
    client = e2e_app.test_client()

    def version() -> str:
        return re.search(r'"version": "([0-9a-f]+)"', client.get("/sw.js").get_data(as_text=True)).group(1)

    before = version()
    assert version() == before
    (copy / "css" / "app.css").write_text((copy / "css" / "app.css").read_text() + "\n/* changed */\n")
    assert version() != before


def test_chromium_finds_the_app_installable(new_phone, make_account):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    cdp = phone.context.new_cdp_session(phone.page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # The test browser's contexts are incognito, which alone keeps Chromium from offering to install.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")


def test_the_phones_vocabulary_is_the_servers(live_server):
    script = requests.get(f"{live_server}/static/pwa/js/vocabulary.js", timeout=10).text

    def codes(name: str) -> list[str]:
        block = re.search(rf"export const {name} = \[(.*?)\];", script, re.DOTALL).group(1)
        return re.findall(r'(?:code: |\[)"([a-z_]+)"', block)

    assert codes("KINDS") == list(vocabulary.ENCOUNTER_KINDS)
    assert codes("NEEDS") == list(vocabulary.NEEDS)
    assert codes("RISK_FLAGS") == list(vocabulary.RISK_FLAGS)
    assert codes("OUTCOMES") == list(vocabulary.OUTCOMES)
    assert codes("URGENCIES") == list(vocabulary.URGENCIES)
    statuses = re.search(r"export const REFERRAL_STATUS = \{(.*?)\};", script, re.DOTALL).group(1)
    # Each status with its words: `pending: t("referralStatus.pending")` (the words are in the catalogue).
    assert re.findall(r"([a-z_]+): t\(", statuses) == list(vocabulary.REFERRAL_STATUSES)
    for name, server_codes in (("CASE_STATUS", vocabulary.CASE_STATUSES), ("GOAL_STATUS", vocabulary.GOAL_STATUSES)):
        labels = re.search(rf"export const {name} = \{{(.*?)\}};", script, re.DOTALL).group(1)
        assert re.findall(r"([a-z_]+): t\(", labels) == list(server_codes), name


def test_the_worker_caches_the_shell_only_and_purges_old_versions(new_phone, make_account):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    caches = phone.cached_urls()
    assert len(caches) == 1
    [(name, urls)] = caches.items()
    assert name.startswith("help-field-shell-")
    assert "/" in urls and "/static/pwa/js/app.js" in urls
    assert not [url for url in urls if url.startswith("/api/")]

    # An older version's cache, left behind: the next worker to activate deletes it.
    phone.page.evaluate("""async () => {
        const old = await caches.open("help-field-shell-0000000000000000");
        await old.put("/", new Response("old shell"));
        const registration = await navigator.serviceWorker.getRegistration("/");
        await registration.unregister();
    }""")
    phone.page.reload()
    phone.wait_until_offline_ready()  # the new worker has activated (it claims the page last)
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Log an encounter")
    assert list(phone.cached_urls()) == [name]


def test_a_phone_with_nobody_signed_in_opens_offline_at_the_sign_in_screen(new_phone):
    phone = new_phone().open("/")
    phone.heading("Sign in")
    phone.wait_until_offline_ready()
    phone.offline()
    phone.page.reload()
    phone.heading("Sign in")
    phone.page.get_by_label("Username").fill("someone")
    phone.page.get_by_label("Password").fill("something-long-enough")
    phone.tap("Sign in")
    expect(phone.page.get_by_role("alert")).to_contain_text("signing in needs the network")
