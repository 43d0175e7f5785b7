"""Five years of published figures: GET /stats/summary, /stats/outcomes and /stats/referrals over a
million encounters, each against a hand-written query in the same run.

    .venv/bin/python bench/summary.py [--encounters 1000000] [--days 1826] [--repeat 11]
                                      [--postgres auto|none|postgresql+psycopg://...]
                                      [--keep DIR | --reuse DIR] [--cases summary,outcomes,funnel]

Builds the history with the seed-demo generator (bulk inserts, the rollup and the distinct tables
counted as it goes) into a throwaway SQLite file and into PostgreSQL (`auto`: a throwaway cluster),
then times, in-process through the Flask test client signed in as a supervisor:
- the five-year summary (no `from`: since the first record) and a one-year summary, against the
  hand-written SQL that answers the same figures from the records (counts by team and kind, distinct
  people and distinct call numbers per team and overall, intakes, referrals), and checks they agree;
- the five-year outcomes against the same unnesting GROUP BY written by hand;
- the five-year referral funnel against a GROUP BY agency, status.
Target (issue 15): the five-year summary under 500 ms on SQLite and on PostgreSQL.

Building a million encounters takes many minutes per database, so `--keep DIR` builds into DIR (the
SQLite file `DIR/summary.db`, a PostgreSQL cluster's data directory `DIR/postgresql`, and what was built
in `DIR/built-<database>.json`) and leaves them there; `--reuse DIR` measures those again without
building (tables or indexes the models gained since are created, empty: only for derived data that
the bench then rebuilds). Both are meant for /work/benchdata/ or another scratch place.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, KeptPostgres, on_postgres, save, table
from bench.daily_counts import build, make_app, median_ms

TARGET_MS = 500.0

# The figures from the records, written the obvious way (what the endpoint would do without its tables).
RAW_SUMMARY = {
    "by_team_kind": "SELECT team_id, kind, count(*) FROM encounters WHERE occurred_on BETWEEN :start AND :end "
                    "AND NOT voided GROUP BY team_id, kind",
    "people_by_team": "SELECT team_id, count(DISTINCT person_id) FROM encounters WHERE occurred_on BETWEEN :start "
                      "AND :end AND NOT voided AND person_id IS NOT NULL GROUP BY team_id",
    "people": "SELECT count(DISTINCT person_id) FROM encounters WHERE occurred_on BETWEEN :start AND :end "
              "AND NOT voided AND person_id IS NOT NULL",
    "calls_by_team": "SELECT team_id, count(DISTINCT call_number) FROM encounters WHERE occurred_on BETWEEN :start "
                     "AND :end AND NOT voided AND kind = 'primary_response' GROUP BY team_id",
    "calls": "SELECT count(DISTINCT call_number) FROM encounters WHERE occurred_on BETWEEN :start AND :end "
             "AND NOT voided AND kind = 'primary_response'",
    "intakes_by_team": "SELECT team_id, count(DISTINCT person_id) FROM cases WHERE opened_on BETWEEN :start AND :end "
                       "GROUP BY team_id",
    "intakes": "SELECT count(DISTINCT person_id) FROM cases WHERE opened_on BETWEEN :start AND :end",
    "referrals": "SELECT team_id, count(*) FROM referrals WHERE made_on BETWEEN :start AND :end GROUP BY team_id",
}
RAW_FUNNEL = "SELECT agency_id, status, count(*) FROM referrals WHERE made_on BETWEEN :start AND :end " \
             "GROUP BY agency_id, status"


def raw_outcomes(dialect: str) -> str:
    if dialect == "sqlite":
        return ("SELECT e.kind, o.value, count(*) FROM encounters AS e, json_each(e.outcome) AS o "
                "WHERE e.occurred_on BETWEEN :start AND :end AND NOT e.voided GROUP BY e.kind, o.value")
    return ("SELECT e.kind, o.code, count(*) FROM encounters AS e CROSS JOIN LATERAL "
            "json_array_elements_text(e.outcome) AS o(code) WHERE e.occurred_on BETWEEN :start AND :end "
            "AND NOT e.voided GROUP BY e.kind, o.code")


def measure(app, repeat: int, cases: set[str]) -> list[dict]:
    import sqlalchemy as sa

    from app.auth.models import User
    from app.auth.sessions import COOKIE_NAME, start_session
    from app.extensions import db
    from app.records import local_day, utcnow

    with app.app_context():
        supervisor = db.session.scalar(sa.select(User).where(User.username == "supervisor"))
        _session, token = start_session(supervisor)
        db.session.commit()
        today = local_day(utcnow())
        first = db.session.scalar(sa.text("SELECT min(occurred_on) FROM encounters"))
        dialect = db.engine.dialect.name
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, token, domain="localhost")

    def get(path: str, query: dict | None = None):
        response = client.get(f"/api/v1{path}", query_string=query or {})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def run_raw(statements: list[str], start, end):
        dates = (sa.bindparam("start", type_=sa.Date), sa.bindparam("end", type_=sa.Date))
        with app.app_context(), db.engine.connect() as conn:
            return [conn.execute(sa.text(s).bindparams(*dates), {"start": start, "end": end}).all()
                    for s in statements]

    first_day = first if isinstance(first, date) else date.fromisoformat(str(first))
    results = []
    summaries = (("summary, five years (since the first record)", first_day, {}),
                 ("summary, one year", today.replace(year=today.year - 1), None))
    for label, start, query in summaries if "summary" in cases else ():
        query = {"from": start.isoformat(), "to": today.isoformat()} if query is None else query
        statements = list(RAW_SUMMARY.values())
        answer = get("/stats/summary", query)
        raw = dict(zip(RAW_SUMMARY, run_raw(statements, start, today), strict=True))
        assert answer["from"] == start.isoformat(), (answer["from"], start)
        assert answer["people_engaged"] == raw["people"][0][0], label
        assert answer["calls_for_service"] == raw["calls"][0][0], label
        assert answer["case_intakes"] == raw["intakes"][0][0], label
        assert answer["interactions"] == sum(n for _t, kind, n in raw["by_team_kind"] if kind == "interaction")
        endpoint_ms, raw_ms = median_ms(lambda q=query: get("/stats/summary", q),
                                        lambda s=start, st=statements: run_raw(st, s, today), repeat=repeat)
        results.append({"case": label, "endpoint_ms": endpoint_ms, "raw_ms": raw_ms, "ratio": endpoint_ms / raw_ms,
                        "people_engaged": answer["people_engaged"], "calls_for_service": answer["calls_for_service"],
                        "interactions": answer["interactions"]})
    others = (("outcomes", "outcomes, five years", "/stats/outcomes", raw_outcomes(dialect)),
              ("funnel", "referral funnel, five years", "/stats/referrals", RAW_FUNNEL))
    for label, path, statement in [other[1:] for other in others if other[0] in cases]:
        get(path)
        endpoint_ms, raw_ms = median_ms(lambda p=path: get(p), lambda s=statement: run_raw([s], first_day, today),
                                        repeat=max(3, repeat // 2))
        results.append({"case": label, "endpoint_ms": endpoint_ms, "raw_ms": raw_ms, "ratio": endpoint_ms / raw_ms})
    return results


def schema_brought_up(app) -> None:
    """A kept database built by an older tree: create the tables and indexes the models have gained, and
    referrals.completed_on (migration 0011, with its backfill)."""
    import sqlalchemy as sa

    from app.extensions import db

    with app.app_context():
        db.create_all()
        if "completed_on" not in {c["name"] for c in sa.inspect(db.engine).get_columns("referrals")}:
            import importlib.util

            spec = importlib.util.spec_from_file_location(
                "m0011", ROOT / "migrations" / "versions" / "0011_referral_completed_on.py")
            assert spec is not None and spec.loader is not None
            migration = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(migration)
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE referrals ADD COLUMN completed_on DATE")
                print(f"  referrals.completed_on set on {migration.backfill_completed_on(conn):,} referrals",
                      flush=True)
        for table_ in db.metadata.sorted_tables:
            for index in table_.indexes:
                index.create(db.engine, checkfirst=True)


def run(kind: str, url: str, workdir: Path, args, kept: Path | None = None) -> dict:
    app = make_app(url, workdir / "instance")
    record = kept / f"built-{kind.lower()}.json" if kept is not None else None
    if args.reuse:
        assert record is not None and record.exists(), f"nothing built in {args.reuse} for {kind} (use --keep)"
        built = json.loads(record.read_text())
        assert (built["encounters_asked"], built["days"]) == (args.encounters, args.days), \
            f"{record} holds {built['encounters_asked']:,} encounters over {built['days']} days"
        schema_brought_up(app)
        print(f"\n{kind}: reusing {built['encounters']:,} encounters built on {built['built_on']}", flush=True)
        return finish(kind, app, built, args)
    print(f"\n{kind}: building {args.encounters:,} encounters over {args.days} days ...", flush=True)
    built = build(app, args.encounters, args.days)
    built.update(encounters_asked=args.encounters, days=args.days,
                 built_on=date.today().isoformat())
    if record is not None:
        record.write_text(json.dumps(built, indent=2))
    return finish(kind, app, built, args)


def finish(kind: str, app, built: dict, args) -> dict:
    print(f"  built in {built['build_seconds']:.0f} s: {built['persons']:,} people, {built['referrals']:,} "
          f"referrals, {built['cases']:,} case intakes, {built.get('distinct_rows', 0):,} distinct-month rows",
          flush=True)
    results = measure(app, args.repeat, set(args.cases.split(",")))
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    rows = [("query", "endpoint ms", "hand-written SQL ms", "ratio")]
    rows += [(r["case"], f"{r['endpoint_ms']:.1f}", f"{r['raw_ms']:.1f}", f"{r['ratio']:.2f}") for r in results]
    table(f"Published figures on {kind} ({args.encounters:,} encounters over {args.days} days, median of "
          f"{args.repeat})", rows)
    return {"build": built, "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encounters", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=1826, help="history spread over this many days, ending today")
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--postgres", default="auto", help="auto (throwaway cluster), none, or a scratch URL")
    parser.add_argument("--sqlite", default="yes", choices=("yes", "no"))
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument("--keep", metavar="DIR", help="build into DIR and leave the databases there")
    kept.add_argument("--reuse", metavar="DIR", help="measure the databases --keep left in DIR, without building")
    parser.add_argument("--cases", default="summary,outcomes,funnel", help="which of summary,outcomes,funnel")
    args = parser.parse_args()
    directory = Path(args.keep or args.reuse) if (args.keep or args.reuse) else None
    figures: dict = {"encounters": args.encounters, "days": args.days, "repeat": args.repeat,
                     "targets": {"five_year_summary_ms": TARGET_MS}}
    with tempfile.TemporaryDirectory(prefix="help-bench-summary-") as tmp:
        work = Path(tmp)
        where = directory or work
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
        if args.sqlite == "yes":
            figures["sqlite"] = run("SQLite", f"sqlite:///{where / 'summary.db'}", work, args, directory)
        if directory is not None and args.postgres == "auto":
            with KeptPostgres(directory / "postgresql") as cluster:
                figures["postgresql"] = run("PostgreSQL", cluster.url("help_bench_summary"), work, args, directory)
        else:
            postgresql = on_postgres(args.postgres, "help_bench_summary",
                                     lambda url: run("PostgreSQL", url, work, args, directory))
            if postgresql is not None:
                figures["postgresql"] = postgresql
    verdicts = []
    for kind in ("sqlite", "postgresql"):
        for r in figures.get(kind, {}).get("results", []):
            if r["case"].startswith("summary, five years"):
                verdicts.append((kind, f"{r['endpoint_ms']:.1f} ms", f"{r['ratio']:.2f}",
                                 "PASS" if r["endpoint_ms"] < TARGET_MS else "BELOW TARGET"))
    table("Target: the five-year summary under 500 ms", [("database", "endpoint", "ratio to SQL", "verdict"),
                                                         *verdicts])
    save("published_figures", figures)  # not "summary": bench/report.py writes its table there


if __name__ == "__main__":
    main()
