"""Daily counts over a million encounters: GET /stats/daily against a hand-written GROUP BY, same run.

    .venv/bin/python bench/daily_counts.py [--encounters 1000000] [--days 366] [--repeat 21]
                                           [--postgres auto|none|postgresql+psycopg://...]

Builds the history with the seed-demo generator into a throwaway SQLite file and into PostgreSQL
(a given URL, whose tables are DROPPED and recreated, so give a scratch database; or, with `auto`,
a throwaway cluster like the tests start). All encounters fall inside the last --days days, so a
366-day query covers every row: the worst case for a year. Prints median times of the endpoint
(in-process through the Flask test client, signed in as a supervisor) and of the raw query, and
their ratio (target: endpoint <= 1.5x raw, and < 100 ms for 366 days on SQLite).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import on_postgres, save, table

RAW_DAILY = ("SELECT occurred_on, kind, count(*) FROM encounters WHERE occurred_on BETWEEN :start AND :end "
             "{extra}GROUP BY occurred_on, kind")
TARGET_RATIO, TARGET_SQLITE_MS = 1.5, 100.0


def make_app(url: str, instance: Path):
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "APP_ENV": "test",
                      "DEVELOPMENT": True, "SESSION_COOKIE_SECURE": False})
    app.instance_path = str(instance)
    return app


def build(app, encounters: int, days: int) -> dict:
    """Schema from the models, reference data, demo users, then the generated history (timed)."""
    import sqlalchemy as sa

    from app.demo.history import HistoryGenerator, HistoryPlan
    from app.demo.seed import seed_demo_users, seed_reference_data
    from app.extensions import db

    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_reference_data()
        seed_demo_users()
        db.session.commit()
        generator = HistoryGenerator(HistoryPlan(encounters=encounters, days=days, seed=2026))
        started, done, shown = time.perf_counter(), 0, 0
        for step in generator.chunks():
            db.session.commit()
            done += step
            if done - shown >= 100_000 or done == encounters:
                shown = done
                print(f"  {done:>9,} encounters  {time.perf_counter() - started:6.1f} s", flush=True)
        seconds = time.perf_counter() - started
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
            else:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
            rollup_rows = {table: conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))
                           for table in ("daily_team_counts", "daily_author_counts")}
        return {"build_seconds": seconds, "rollup_rows": rollup_rows, **generator.totals}


def median_ms(*calls, repeat: int) -> list[float]:
    """Median milliseconds of each call, run alternately so a busy machine weighs on all of them alike."""
    for call in calls:
        call()
        call()
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(repeat):
        for call, spent in zip(calls, times, strict=True):
            started = time.perf_counter()
            call()
            spent.append((time.perf_counter() - started) * 1000)
    return [statistics.median(spent) for spent in times]


def measure(app, repeat: int) -> list[dict]:
    """Endpoint vs raw GROUP BY for 31 and 366 days, unfiltered and filtered by team and by user."""
    import sqlalchemy as sa

    from app.auth.models import User
    from app.auth.sessions import COOKIE_NAME, start_session
    from app.extensions import db
    from app.records import local_day, utcnow

    with app.app_context():
        supervisor = db.session.scalar(sa.select(User).where(User.username == "supervisor"))
        team_id, user_id = db.session.execute(sa.text(
            "SELECT team_id, author_id FROM encounters WHERE team_id IS NOT NULL "
            "GROUP BY team_id, author_id ORDER BY count(*) DESC LIMIT 1")).one()
        _session, token = start_session(supervisor)
        db.session.commit()
        today = local_day(utcnow())
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, token, domain="localhost")
    cases = [("31 days", 31, {}, ""), ("366 days", 366, {}, ""),
             ("366 days, one team", 366, {"team_id": team_id}, "AND team_id = :team_id "),
             ("366 days, one user", 366, {"user_id": user_id}, "AND author_id = :user_id ")]
    results = []
    for label, days, filters, extra in cases:
        start, end = today - timedelta(days=days - 1), today
        query = {"from": start.isoformat(), "to": end.isoformat(), **filters}

        def endpoint(query=query):
            response = client.get("/api/v1/stats/daily", query_string=query)
            assert response.status_code == 200, response.get_data(as_text=True)
            return response.get_json()

        params = {"start": start, "end": end, **({"team_id": team_id} if "team" in extra else {}),
                  **({"user_id": user_id} if "author" in extra else {})}
        statement = sa.text(RAW_DAILY.format(extra=extra)).bindparams(
            sa.bindparam("start", type_=sa.Date), sa.bindparam("end", type_=sa.Date))

        def raw(statement=statement, params=params):
            with app.app_context(), db.engine.connect() as conn:
                return conn.execute(statement, params).all()

        raw_total = sum(n for _day, _kind, n in raw())
        shown = endpoint()["totals"]
        assert raw_total == sum(shown[k] for k in ("interaction", "primary_response", "consultation",
                                                   "on_scene_assist", "shelter_check_in")), label
        endpoint_ms, raw_ms = median_ms(endpoint, raw, repeat=repeat)
        results.append({"case": label, "encounters_in_range": raw_total, "endpoint_ms": endpoint_ms,
                        "raw_group_by_ms": raw_ms, "ratio": endpoint_ms / raw_ms})
    for label, path in (("summary, 366 days", f"/api/v1/stats/summary?from={today - timedelta(days=365)}&to={today}"),
                        ("heavy users, 90 days", "/api/v1/stats/heavy-users")):
        (spent,) = median_ms(lambda p=path: client.get(p), repeat=max(5, repeat // 3))
        results.append({"case": label, "endpoint_ms": spent})
    return results


def run(kind: str, url: str, workdir: Path, args) -> dict:
    print(f"\n{kind}: building {args.encounters:,} encounters over {args.days} days ...", flush=True)
    app = make_app(url, workdir / "instance")
    built = build(app, args.encounters, args.days)
    print(f"  built in {built['build_seconds']:.0f} s: {built['persons']:,} people, {built['referrals']:,} "
          f"referrals, {built['cases']:,} case intakes; rollup rows {built['rollup_rows']}", flush=True)
    results = measure(app, args.repeat)
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    rows = [("query", "encounters", "endpoint ms", "raw GROUP BY ms", "ratio")]
    for r in results:
        rows.append((r["case"], f"{r.get('encounters_in_range', ''):,}" if "encounters_in_range" in r else "",
                     f"{r['endpoint_ms']:.1f}", f"{r['raw_group_by_ms']:.1f}" if "raw_group_by_ms" in r else "",
                     f"{r['ratio']:.2f}" if "ratio" in r else ""))
    table(f"GET /stats/daily on {kind} ({args.encounters:,} encounters, median of {args.repeat})", rows)
    return {"build": built, "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encounters", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=366, help="history spread over this many days, ending today")
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--postgres", default="auto", help="auto (throwaway cluster), none, or a scratch URL")
    args = parser.parse_args()
    figures: dict = {"encounters": args.encounters, "days": args.days, "repeat": args.repeat,
                     "targets": {"ratio": TARGET_RATIO, "sqlite_366_days_ms": TARGET_SQLITE_MS}}
    with tempfile.TemporaryDirectory(prefix="help-bench-stats-") as tmp:
        work = Path(tmp)
        figures["sqlite"] = run("SQLite", f"sqlite:///{work / 'stats.db'}", work, args)
        postgresql = on_postgres(args.postgres, "help_bench_stats", lambda url: run("PostgreSQL", url, work, args))
        if postgresql is not None:
            figures["postgresql"] = postgresql
    verdicts = []
    for kind in ("sqlite", "postgresql"):
        for r in figures.get(kind, {}).get("results", []):
            if "ratio" in r and r["case"] in ("31 days", "366 days"):
                ok = r["ratio"] <= TARGET_RATIO and not (kind == "sqlite" and r["case"] == "366 days"
                                                         and r["endpoint_ms"] >= TARGET_SQLITE_MS)
                verdicts.append((kind, r["case"], f"{r['endpoint_ms']:.1f} ms", f"{r['ratio']:.2f}",
                                 "PASS" if ok else "BELOW TARGET"))
    table("Targets (endpoint <= 1.5x raw GROUP BY; < 100 ms for 366 days on SQLite)",
          [("database", "range", "endpoint", "ratio", "verdict"), *verdicts])
    save("daily_counts", figures)


if __name__ == "__main__":
    main()
