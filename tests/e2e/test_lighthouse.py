"""Lighthouse (mobile, its default throttling) on the signed-in home screen: performance, accessibility
and best practices each at least 0.95. The report is kept under test-artifacts/lighthouse/."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS, CHROMIUM, ROOT, FieldApi, build_e2e_app, serve

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def e2e_app(run_dir):
    """A unit of its own (a new database): what is measured is the screen with the officer's own records,
    whichever browser tests ran before and whatever they left in the shared server's database (the phone's
    first sync stores everything the officer may see, and that grew with the suite)."""
    folder = run_dir / "lighthouse"
    folder.mkdir(parents=True, exist_ok=True)
    return build_e2e_app(folder)


@pytest.fixture(scope="module")
def live_server(e2e_app):
    yield from serve(e2e_app)

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")


def run_lighthouse(url: str, cookie: str, out: Path) -> dict:
    out.parent.mkdir(parents=True, exist_ok=True)
    headers = out.parent / "extra-headers.json"
    headers.write_text(json.dumps({"Cookie": cookie}))
    command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
               f"--only-categories={','.join(CATEGORIES)}", f"--extra-headers={headers}",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"]
    completed = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, check=False,
                               text=True, timeout=240, cwd=ROOT)
    headers.unlink()
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(out.read_text())


def test_signed_in_home_scores_at_least_095(live_server, make_account):
    assert LIGHTHOUSE.exists() and shutil.which("node"), "run `npm ci` at the repository root (make test does)"
    officer = make_account("officer")
    api = FieldApi(live_server, officer)
    cookie = "; ".join(f"{c.name}={c.value}" for c in api.http.cookies)
    out = ARTIFACTS / "lighthouse"
    runs = [run_lighthouse(f"{live_server}/", cookie, out / "home-1.json")]
    if any(runs[0]["categories"][name]["score"] < 0.95 for name in CATEGORIES):
        # One run on a busy shared machine can be slow; Lighthouse's own advice is the median of five runs.
        runs += [run_lighthouse(f"{live_server}/", cookie, out / f"home-{n}.json") for n in range(2, 6)]
    scores = {name: statistics.median(r["categories"][name]["score"] for r in runs) for name in CATEGORIES}

    report = runs[0]
    (out / "scores.json").write_text(json.dumps({
        "lighthouse": report["lighthouseVersion"], "url": report["finalDisplayedUrl"], "scores": scores,
        "runs": [{name: r["categories"][name]["score"] for name in CATEGORIES} | {
            k: r["audits"][k]["displayValue"] for k in ("first-contentful-paint", "largest-contentful-paint",
                                                         "total-blocking-time", "cumulative-layout-shift",
                                                         "speed-index")} for r in runs],
    }, indent=2))
    for r in runs:
        # What Lighthouse measured is the signed-in home screen (its largest paint), not the sign-in form.
        lcp_element = r["audits"]["largest-contentful-paint-element"]["details"]["items"][0]["items"][0]["node"]
        assert lcp_element["nodeLabel"] == "Log an encounter", lcp_element
    failing = sorted({k for r in runs for k, v in r["audits"].items()
                      if v.get("score") is not None and v["score"] < 0.9
                      and v.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")})
    assert all(score >= 0.95 for score in scores.values()), (scores, failing)


def test_my_recent_entries_scores_at_least_095(live_server, make_account):
    """The correction screen's list ("My recent entries"), with encounters of the officer's on it."""
    assert LIGHTHOUSE.exists() and shutil.which("node"), "run `npm ci` at the repository root (make test does)"
    officer = make_account("officer")
    api = FieldApi(live_server, officer)
    api.sync(*(api.entry("encounter", kind=kind, occurred_at=datetime.now(UTC).isoformat(timespec="seconds"),
                         call_number="EPS-26-5550" if kind == "primary_response" else None)
               for kind in ("interaction", "primary_response", "consultation")))
    cookie = "; ".join(f"{c.name}={c.value}" for c in api.http.cookies)
    out = ARTIFACTS / "lighthouse"
    url = f"{live_server}/#/recent"
    runs = [run_lighthouse(url, cookie, out / "recent-1.json")]
    if any(runs[0]["categories"][name]["score"] < 0.95 for name in CATEGORIES):
        runs += [run_lighthouse(url, cookie, out / f"recent-{n}.json") for n in range(2, 6)]
    for r in runs:  # what was measured is the recent list, not the sign-in form
        lcp = r["audits"]["largest-contentful-paint-element"]["details"]["items"][0]["items"][0]["node"]["nodeLabel"]
        assert lcp.startswith(("My recent entries", "Your encounters of the last 7 days")), lcp
    scores = {name: statistics.median(r["categories"][name]["score"] for r in runs) for name in CATEGORIES}
    failing = sorted({k for r in runs for k, v in r["audits"].items()
                      if v.get("score") is not None and v["score"] < 0.9
                      and v.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")})
    assert all(score >= 0.95 for score in scores.values()), (scores, failing)
