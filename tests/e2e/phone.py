"""A phone in the tests: one browser context driving HELP Field the way a person does (labels, buttons)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import BrowserContext, Page, expect

from testkit import factories

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


class Phone:
    def __init__(self, context: BrowserContext, base_url: str, screens: Path, test_name: str):
        self.context = context
        self.base_url = base_url
        self.screens = screens
        self.test_name = test_name
        self.page: Page = context.new_page()
        self.errors: list[str] = []
        self.csp_violations: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    # --- moving around -------------------------------------------------------------------------
    def open(self, hash_path: str = "/") -> Phone:
        self.page.goto(f"{self.base_url}/#{hash_path}")
        return self

    def go(self, hash_path: str) -> Phone:
        self.page.evaluate("path => { location.hash = path; }", hash_path)
        return self

    def heading(self, text: str):
        heading = self.page.get_by_role("heading", level=1, name=text)
        expect(heading).to_be_visible()
        return heading

    def tap(self, name: str, role: str = "button") -> Phone:
        self.page.get_by_role(role, name=name, exact=True).click()
        return self

    def sign_in(self, username: str, password: str = factories.PASSWORD, *, open_first: bool = True) -> Phone:
        if open_first:
            self.open("/signin")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.tap("Sign in")
        self.heading("Log an encounter")
        return self

    def wait_until_offline_ready(self) -> Phone:
        """Ready for no network: the service worker controls the page (its shell cache is complete, as
        activation follows install) and, when signed in, the first sync brought the offline data."""
        self.page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
        if self.page.locator("#status").is_visible():
            expect(self.page.locator("#status-detail")).to_contain_text("Last synced", timeout=20_000)
        return self

    def offline(self) -> Phone:
        self.context.set_offline(True)
        return self

    def online(self) -> Phone:
        self.context.set_offline(False)
        return self

    # --- logging -------------------------------------------------------------------------------
    def log(self, kind: str, *, call_number: str | None = None, site: str | None = None,
            new_person: str | None = None, find_person: str | None = None, needs: tuple[str, ...] = (),
            risks: tuple[str, ...] = (), notes: str | None = None, when: str | None = None) -> Phone:
        """From the home screen: tap the kind, fill what is given, Save."""
        self.tap(kind)
        self.heading(kind)
        page = self.page
        if call_number is not None:
            page.get_by_label("Call number").fill(call_number)
        if site is not None:
            page.get_by_label("Site").select_option(label=site)
        if new_person is not None:
            self.tap("Add a new person")
            page.get_by_label("Alias or name").fill(new_person)
        if find_person is not None:
            page.get_by_label("Find a person").fill(find_person)
            page.get_by_role("button", name=find_person).first.click()
        for label in needs + risks:
            box = page.get_by_label(label, exact=True)
            if not box.is_visible():  # a need, outcome or risk flag behind its group's "More …" button
                page.locator("fieldset", has=box).locator("button[aria-expanded='false']").click()
            box.check()
        if notes is not None:
            page.get_by_label("Notes (optional)").fill(notes)
        if when is not None:
            page.get_by_label("When").fill(when)
        self.tap("Save")
        self.heading("Log an encounter")
        return self

    # --- what the phone shows and holds -----------------------------------------------------------
    @property
    def status(self):
        return self.page.locator("#status-text")

    def expect_status(self, text: str, timeout: float = 20_000) -> Phone:
        expect(self.status).to_have_text(text, timeout=timeout)
        return self

    def waiting_labels(self) -> list[str]:
        self.go("/outbox")
        self.heading("Outbox")
        section = self.page.locator("section", has=self.page.get_by_role("heading", name="Waiting to sync"))
        return section.locator(".entry-label").all_inner_texts()

    def idb_names(self) -> list[str]:
        return self.page.evaluate("async () => (await indexedDB.databases()).map(d => d.name).sort()")

    def outbox_records(self, user_id: int) -> list[dict]:
        """The raw outbox of one user's database on this phone (read in the page)."""
        return self.page.evaluate(
            """userId => new Promise((resolve, reject) => {
                 const open = indexedDB.open(`help-field-user-${userId}`);
                 open.onupgradeneeded = () => open.transaction.abort();
                 open.onerror = () => resolve([]);
                 open.onsuccess = () => {
                   const db = open.result;
                   if (!db.objectStoreNames.contains("outbox")) { db.close(); return resolve([]); }
                   const all = db.transaction("outbox").objectStore("outbox").getAll();
                   all.onsuccess = () => { db.close(); resolve(all.result); };
                   all.onerror = () => reject(all.error);
                 };
               })""", user_id)

    def cached_urls(self) -> dict[str, list[str]]:
        return self.page.evaluate("""async () => {
            const out = {};
            for (const name of await caches.keys()) {
              out[name] = (await (await caches.open(name)).keys()).map(r => new URL(r.url).pathname);
            }
            return out;
        }""")

    # --- evidence ------------------------------------------------------------------------------
    def screenshot(self, name: str) -> Path:
        self.screens.mkdir(parents=True, exist_ok=True)
        path = self.screens / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def axe_violations(self) -> list[dict]:
        """axe-core's WCAG 2 A and AA rules on the current screen (with any open dialog)."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Injected as a CDP script: the app's CSP forbids inline and foreign scripts, tests may bypass it.
            self.page.evaluate(AXE.read_text())
        result = self.page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})")
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]

    def text_problems(self) -> list[str]:
        """What a reader would trip over in the visible text: a word twice in a row ("Set set"), punctuation
        twice ("p.m.."), a word broken across two lines ("Emerge/nt")."""
        return self.page.evaluate(r"""() => {
            const found = [];
            const visible = (el) => el && el.getClientRects().length && !el.closest("[hidden], dialog:not([open])")
              && getComputedStyle(el).visibility !== "hidden";
            const blocks = [...document.querySelectorAll("h1, h2, h3, p, li, label, legend, button, a, th, td, dt, dd, summary, option:checked, .tag, .flash, #status")]
              .filter(visible);
            for (const block of blocks) {
              if (block.querySelector("p, li, h1, h2, h3")) continue;  // read at the innermost block
              const text = block.innerText.replace(/\s+/g, " ").trim();
              const doubled = text.match(/\b([A-Za-z]+) \1\b/i);
              if (doubled && !/^(that|had|is)$/i.test(doubled[1])) found.push(`doubled word "${doubled[0]}" in "${text.slice(0, 80)}"`);
              const punct = text.match(/[.,;:!?]\s*[.,;:!?]/);
              if (punct && !text.includes("…")) found.push(`doubled punctuation "${punct[0]}" in "${text.slice(0, 80)}"`);
            }
            // A word (letters only: call numbers and addresses may wrap at their hyphens) spread over two lines.
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              if (!visible(node.parentElement)) continue;
              const box = node.parentElement.getBoundingClientRect();
              for (const match of node.textContent.matchAll(/[A-Za-z\u00C0-\u024F']{2,}/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
                const wide = range.getBoundingClientRect().width;
                if (tops.size > 1 && wide < box.width) found.push(`"${match[0]}" broken across lines in "${node.textContent.trim().slice(0, 60)}"`);
              }
            }
            if (document.documentElement.scrollWidth > innerWidth + 1) found.push(`the page is ${document.documentElement.scrollWidth} px wide on a ${innerWidth} px screen`);
            return [...new Set(found)];
        }""")

    def small_targets(self, minimum: int = 44) -> list[str]:
        """Visible controls smaller than minimum×minimum CSS px (checkboxes and radios: their labels).

        Links inside a sentence are exempt, as WCAG's target-size criteria exempt inline targets.
        """
        return self.page.evaluate("""minimum => {
            const small = [];
            for (const el of document.querySelectorAll("a[href], button, input, select, textarea, summary")) {
              const target = el.matches("input[type=checkbox], input[type=radio]") && el.labels.length ? el.labels[0] : el;
              const box = target.getBoundingClientRect();
              if (!box.width || !box.height || getComputedStyle(target).visibility === "hidden") continue;
              if (target.closest("[hidden], dialog:not([open])")) continue;
              const parent = el.parentElement;
              if (el.tagName === "A" && parent.matches("p") && parent.textContent.trim() !== el.textContent.trim()) continue;
              if (box.width < minimum || box.height < minimum) {
                small.push(`${target.tagName.toLowerCase()} "${(target.textContent || target.name || target.id).trim().slice(0, 40)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
              }
            }
            return small;
        }""", minimum)

    def close(self) -> None:
        self.context.close()


def wait_for(condition, timeout: float = 20.0, interval: float = 0.2, message: str = "condition"):
    """Polls `condition()` until it returns a truthy value (the database side of an e2e test)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}; last value: {json.dumps(value, default=str)}")
        time.sleep(interval)


def phone_time(delta: timedelta = timedelta(0)) -> str:
    """A value for the form's "When" field in the phone's time zone (the test contexts run in Edmonton)."""
    return (datetime.now(ZoneInfo("America/Edmonton")) + delta).strftime("%Y-%m-%dT%H:%M")
