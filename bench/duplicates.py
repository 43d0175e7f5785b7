"""Duplicate persons: the scan behind GET /persons/duplicates over 100,000 people, and
POST /persons/<kept>/merge of a person with 1,000 encounters (plus referrals and a case).

    .venv/bin/python bench/duplicates.py [--people 100000] [--encounters 1000] [--repeat 3]
                                         [--db sqlite|postgresql|both]

Each database is fresh (SQLite: a temporary file; PostgreSQL: a throwaway cluster like the tests
start). The people are generated with a fixed seed: given and family names drawn with a long tail
(1,200 and 6,000 of them, the common ones far more often), birth years 1940-2008 (one in ten
unknown), one in five with a street name or two, and 1 % near-duplicates of someone already there
(a short form, an initial, a spelling slip, or the street name as the display name). They are
inserted in bulk (not timed). Timed, in process through the Flask test client signed in as a
supervisor: GET /persons/duplicates?limit=50 (median of --repeat), and --repeat merges, each of a
fresh pair whose duplicate has --encounters encounters, 20 referrals and a closed case, stored
through /sync and /cases first (not timed).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import save, table

SYLLABLES = ["ba", "be", "bo", "ca", "da", "de", "el", "fa", "ga", "ha", "ja", "jo", "ka", "ke", "la", "le", "li",
             "ma", "mi", "mo", "na", "ni", "pa", "ra", "re", "ri", "sa", "se", "ta", "te", "to", "va", "wa", "ya"]
ENDINGS = ["", "n", "r", "s", "th", "ll", "son", "ley", "ton", "ine", "ard", "er", "wood", "man"]


def _words(rng: random.Random, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))) + rng.choice(ENDINGS))
    ordered = sorted(words)
    rng.shuffle(ordered)  # which names are common is not alphabetical
    return ordered


_WEIGHTS: dict[int, list[float]] = {}


def _zipf(rng: random.Random, items: list[str]) -> str:
    """Common names far more often than rare ones: rank r drawn with weight 1/(r + 10), so the most
    common given name is about 2 % of people, the most common family name about 1 %."""
    weights = _WEIGHTS.setdefault(len(items), list(__import__("itertools").accumulate(
        1 / (rank + 10) for rank in range(1, len(items) + 1))))
    return rng.choices(items, cum_weights=weights)[0]


def generate(people: int, seed: int = 2026) -> list[dict]:
    rng = random.Random(seed)
    given, family, street = _words(rng, 1200), _words(rng, 6000), _words(rng, 300)
    rows: list[dict] = []
    for _ in range(people):
        if rows and rng.random() < 0.01:  # a near-duplicate of someone already there
            base = rng.choice(rows)
            g, f = base["given_name"] or "x", base["family_name"] or "y"
            variant = rng.choice(("short", "initial", "slip", "street"))
            if variant == "short":
                display, g2, f2 = f"{g[:3].title()} {f.title()}", None, None
            elif variant == "initial":
                display, g2, f2 = f"{g.title()} {f[0].upper()}.", None, None
            elif variant == "slip":
                i = rng.randrange(len(f))
                f2 = f[:i] + rng.choice("aeiou") + f[i + 1:]
                display, g2 = f"{g.title()} {f2.title()}", g
            else:
                display = (base["aliases"] or [g.title()])[0]
                g2 = f2 = None
            year = base["birth_year"] if rng.random() < 0.7 else (base["birth_year"] or 1980) + rng.choice((-1, 1))
            rows.append({"display_name": display, "given_name": g2, "family_name": f2, "birth_year": year,
                         "aliases": []})
            continue
        g, f = _zipf(rng, given), _zipf(rng, family)
        aliases = [rng.choice(street).title() for _ in range(rng.choice((1, 1, 2)))] if rng.random() < 0.2 else []
        rows.append({"display_name": f"{g.title()} {f.title()}", "given_name": g, "family_name": f,
                     "birth_year": None if rng.random() < 0.1 else rng.randint(1940, 2008), "aliases": aliases})
    return rows


def make_app(url: str, instance: Path):
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "APP_ENV": "test",
                      "DEVELOPMENT": True, "SESSION_COOKIE_SECURE": False})
    app.instance_path = str(instance)
    return app


def build(app, people: int) -> dict:
    import sqlalchemy as sa

    from app.auth.models import User
    from app.demo.seed import seed_demo_users, seed_reference_data
    from app.extensions import db
    from app.people.models import Person
    from app.people.services import search_text
    from app.records import utcnow

    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_reference_data()
        seed_demo_users()
        db.session.commit()
        officer = db.session.scalar(sa.select(User).where(User.role == "officer", User.team_id.is_not(None)))
        started, now = time.perf_counter(), utcnow()
        rows = generate(people)
        for start in range(0, len(rows), 5000):
            db.session.execute(sa.insert(Person), [{
                **row, "id": str(uuid.uuid4()), "search_text": search_text(row), "version": 1,
                "consent_to_share": False, "author_id": officer.id, "team_id": officer.team_id,
                "received_at": now, "change_seq": 1} for row in rows[start:start + 5000]])
            db.session.commit()
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
            else:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        return {"people": people, "build_seconds": time.perf_counter() - started}


def _client(app, username: str):
    import sqlalchemy as sa

    from app.auth.models import User
    from app.auth.sessions import COOKIE_NAME, csrf_token_for, start_session
    from app.extensions import db

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        session, token = start_session(user)
        csrf = csrf_token_for(session)
        db.session.commit()
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, token, domain="localhost")
    client.csrf = csrf  # sent with every write (_post)
    return client


def _post(client, path: str, body: dict) -> dict:
    response = client.post(f"/api/v1{path}", json=body, headers={"X-CSRF-Token": client.csrf})
    assert response.status_code in (200, 201), (path, response.status_code, response.get_data(as_text=True)[:300])
    return response.get_json()


def measure_scan(app, repeat: int) -> dict:
    supervisor = _client(app, "supervisor")
    times, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = supervisor.get("/api/v1/persons/duplicates?limit=50")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        found = len(response.get_json()["items"])
    return {"median_s": statistics.median(times), "runs_s": times, "pairs_listed": found}


def measure_merge(app, encounters: int, repeat: int) -> dict:
    import sqlalchemy as sa

    from app.extensions import db

    with app.app_context():
        agency_id = db.session.scalar(sa.text("SELECT id FROM agencies ORDER BY id LIMIT 1"))
        officer_name = db.session.scalar(sa.text(
            "SELECT username FROM users WHERE role = 'officer' AND team_id IS NOT NULL ORDER BY id LIMIT 1"))
    officer, supervisor = _client(app, officer_name), _client(app, "supervisor")
    times = []
    for round_ in range(repeat):
        kept, dup = str(uuid.uuid4()), str(uuid.uuid4())
        persons = [{"id": pid, "type": "person", "data": {"display_name": f"Bench {round_} {pid[:4]}"}}
                   for pid in (kept, dup)]
        _post(officer, "/sync", {"device_id": "bench", "entries": persons})
        for start in range(0, encounters, 500):
            entries = [{"id": str(uuid.uuid4()), "type": "encounter", "data": {
                "kind": "interaction", "occurred_at": f"2026-{1 + (start + n) % 10:02d}-15T10:00:00-07:00",
                "person_id": dup}} for n in range(min(500, encounters - start))]
            results = _post(officer, "/sync", {"device_id": "bench", "entries": entries})["results"]
            assert {r["status"] for r in results} == {"created"}
        referrals = [{"id": str(uuid.uuid4()), "type": "referral", "data": {
            "person_id": dup, "agency_id": agency_id, "service": "housing", "urgency": "routine"}} for _ in range(20)]
        _post(officer, "/sync", {"device_id": "bench", "entries": referrals})
        case = _post(officer, "/cases", {"person_id": dup})
        _post(officer, f"/cases/{case['id']}/close", {"reason": "Moved away."})
        started = time.perf_counter()
        body = _post(supervisor, f"/persons/{kept}/merge", {"duplicate_id": dup, "reason": "Bench: same person."})
        times.append(time.perf_counter() - started)
        assert len(body["encounters"]) == encounters and len(body["referrals"]) == 20 and len(body["cases"]) == 1
    return {"encounters": encounters, "referrals": 20, "cases": 1, "median_s": statistics.median(times),
            "runs_s": times}


def run(kind: str, url: str, workdir: Path, args) -> dict:
    print(f"\n{kind}: inserting {args.people:,} people ...", flush=True)
    app = make_app(url, workdir / "instance")
    built = build(app, args.people)
    print(f"  built in {built['build_seconds']:.0f} s", flush=True)
    scan = measure_scan(app, args.repeat)
    merge = measure_merge(app, args.encounters, args.repeat)
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    table(f"{kind}: duplicates and merges (median of {args.repeat})", [
        ("what", "median s", "runs s"),
        (f"GET /persons/duplicates?limit=50 over {args.people:,} people ({scan['pairs_listed']} listed)",
         f"{scan['median_s']:.2f}", " ".join(f"{t:.2f}" for t in scan["runs_s"])),
        (f"POST /persons/<kept>/merge, {args.encounters:,} encounters + 20 referrals + 1 case",
         f"{merge['median_s']:.3f}", " ".join(f"{t:.3f}" for t in merge["runs_s"])),
    ])
    return {"build": built, "scan": scan, "merge": merge}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--encounters", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    figures: dict = {"people": args.people, "encounters": args.encounters, "repeat": args.repeat}
    with tempfile.TemporaryDirectory(prefix="help-bench-dups-") as tmp:
        work = Path(tmp)
        if args.db in ("sqlite", "both"):
            figures["sqlite"] = run("SQLite", f"sqlite:///{work / 'dups.db'}", work, args)
        if args.db in ("postgresql", "both"):
            from testkit.services import PostgresCluster

            cluster = PostgresCluster()
            try:
                cluster.start()
                figures["postgresql"] = run("PostgreSQL", cluster.create_database("help_bench_dups"), work, args)
            finally:
                cluster.stop()
    save("duplicates", figures)


if __name__ == "__main__":
    main()
