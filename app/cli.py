"""Command-line tools: seed-demo, users create/import/reset-password/deactivate/sign-out, push vapid-keys,
push flush."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.audit.services import record
from app.auth.models import User
from app.auth.rules import fold_username
from app.auth.services import UserError, create_user, deactivate_user
from app.auth.users import AccountRefused, import_users, reset_password, rows_from_csv, sign_out_everywhere
from app.demo.history import HistoryGenerator, HistoryPlan
from app.demo.seed import seed_demo_users, seed_reference_data
from app.encounters.models import Encounter
from app.extensions import db
from app.push import alerts, overdue, vapid
from app.vocabulary import ROLES

# About the unit's published year (2,837 interactions ... 5,910 encounters), spread over every team.
DEMO_YEAR_ENCOUNTERS = 6_000

users_cli = AppGroup("users", help="Manage user accounts.")
push_cli = AppGroup("push", help="Web Push settings.")


@click.command("seed-demo")
@click.option("--encounters", type=click.IntRange(min=0), default=None,
              help="Also generate this much field history (encounters, with people, referrals, case intakes). "
                   f"Default: {DEMO_YEAR_ENCOUNTERS:,} over the last year when the database has no encounters "
                   "yet, none otherwise; 0: none.")
@click.option("--days", type=click.IntRange(1, 3660), default=365, show_default=True,
              help="Spread the generated history over this many days, ending today.")
@click.option("--seed", type=int, default=None, help="Random seed, for a reproducible history.")
@click.option("--i-know-this-is-not-production", "not_production", is_flag=True,
              help="Seed a server whose APP_ENV is not development anyway (a staging box); the demo "
                   "accounts then get random passwords, printed once.")
@with_appcontext
def seed_demo(encounters: int | None, days: int, seed: int | None, not_production: bool) -> None:
    """Create the partner agencies, teams, shelters and one demo user per role (safe to run twice).

    On a database without encounters it also generates a year of history (about the unit's yearly
    volume, across every team: referrals through every status, case intakes, transitions and closures),
    so a supervisor's first screen shows figures. With --encounters N, add N encounters of generated
    history instead (each run adds N more; 0: none).
    Outside development (APP_ENV=development) it refuses, unless --i-know-this-is-not-production.
    """
    development = current_app.config["DEVELOPMENT"]
    if not development and not not_production:
        raise click.ClickException(
            f"APP_ENV is {current_app.config['APP_ENV']!r}: seed-demo makes accounts whose passwords are "
            "published in the README, and demo data. Nothing was written. For a demo, run it with "
            "APP_ENV=development (`make run` does); on a box that is not production, pass "
            "--i-know-this-is-not-production to get the demo accounts with random passwords.")
    created = seed_reference_data()
    accounts = seed_demo_users(random_passwords=not development)
    db.session.commit()
    click.echo("Reference data: " + ", ".join(f"{n} {what} added" for what, n in created.items()))
    click.echo("Demo sign-ins (for demos only):" if development
               else "Demo sign-ins with random passwords (shown this once only; for demos only):")
    for username, password, role, new in accounts:
        if new or password is not None:
            click.echo(f"  {role:<11} {username:<11} {password}{'' if new else '   (already there)'}")
        else:
            click.echo(f"  {role:<11} {username:<11} (already there; its password is not shown again)")
    if encounters is None:
        empty = db.session.scalar(sa.select(Encounter.id).limit(1)) is None
        encounters, seed = (DEMO_YEAR_ENCOUNTERS, 2026 if seed is None else seed) if empty else (0, seed)
    if encounters:
        _seed_history(HistoryPlan(encounters=encounters, days=days, seed=seed))


def _seed_history(plan: HistoryPlan) -> None:
    """Commit chunk by chunk: memory stays flat and an interrupted run keeps what it made."""
    generator = HistoryGenerator(plan)
    with click.progressbar(length=plan.encounters, label="Generating history") as bar:
        for done in generator.chunks():
            db.session.commit()
            bar.update(done)
    totals = generator.totals
    click.echo(f"History: {totals['encounters']} encounters, {totals['persons']} people, "
               f"{totals['referrals']} referrals ({totals['referrals_accepted']} accepted), "
               f"{totals['cases']} case intakes over {plan.days} days.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.read().rstrip("\r\n")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--team", help="Team name, e.g. 'Downtown HELP'.")
@click.option("--agency", help="Partner agency name (required for navigators).")
@click.option("--display-name", help="Name shown in the app.")
def users_create(username: str, role: str, team: str | None, agency: str | None, display_name: str | None) -> None:
    """Create a user; the password is read from standard input."""
    password = _read_password()
    try:
        user = create_user(username, role, password, team=team, agency=agency, display_name=display_name)
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created {user.role} '{user.username}' (id {user.id}).")


@users_cli.command("deactivate")
@click.argument("username")
def users_deactivate(username: str) -> None:
    """Switch a user off, end all their sessions and drop their phones' push subscriptions at once
    (leaving the unit)."""
    user = _user_named(username)
    ended = deactivate_user(user)
    record("user.deactivate", target_type="user", target_id=user.id, **ended)
    db.session.commit()
    click.echo(f"Deactivated '{user.username}'; ended {ended['sessions']} session(s) and removed "
               f"{ended['subscriptions']} push subscription(s).")


@users_cli.command("sign-out")
@click.argument("username")
def users_sign_out(username: str) -> None:
    """End all of a user's sessions and drop their push subscriptions, keeping the account (a lost or
    stolen phone: the user signs in again on a new one)."""
    user = _user_named(username)
    ended = sign_out_everywhere(user)
    record("user.sign_out_everywhere", target_type="user", target_id=user.id, **ended)
    db.session.commit()
    click.echo(f"Signed '{user.username}' out everywhere: ended {ended['sessions']} session(s), "
               f"removed {ended['subscriptions']} push subscription(s).")


@users_cli.command("reset-password")
@click.argument("username")
def users_reset_password(username: str) -> None:
    """Give a user a temporary password (printed once), end their sessions; they must choose a new
    password at the next sign-in."""
    user = _user_named(username)
    password = reset_password(user)
    db.session.commit()
    click.echo(f"Temporary password for '{user.username}' (shown this once; they must change it at the "
               f"next sign-in): {password}")


@users_cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def users_import(file) -> None:
    """Create the accounts of a CSV file: a header line naming the columns of POST /users (username,
    display_name, role, team or team_id, agency or agency_id, password). A row without a password gets a
    generated one, printed once; every imported user chooses their own at the first sign-in. A bad row
    creates nothing and is reported; the other rows are created."""
    rows = rows_from_csv(file.read())
    if not rows:
        raise click.ClickException("The file holds no rows; its first line must name the columns.")
    with click.progressbar(length=len(rows), label="Importing accounts", file=sys.stderr) as bar:
        results = import_users(rows, progress=lambda _n: bar.update(1))
    db.session.commit()
    for result in results:
        if result.status == "created" and result.user is not None:
            shown = f"   temporary password: {result.temporary_password}" if result.temporary_password else ""
            click.echo(f"row {result.row}: created '{result.user.username}' (id {result.user.id}){shown}")
        else:
            refused = AccountRefused(**(result.error or {"code": "validation_error", "message": "Refused."}))
            click.echo(f"row {result.row}: rejected: {refused}")
    created = sum(r.status == "created" for r in results)
    click.echo(f"{created} created, {len(results) - created} rejected.")
    if created < len(results):
        sys.exit(1)


def _user_named(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == fold_username(username)))
    if user is None:
        raise click.ClickException(f"No user named '{username}'.")
    return user


@push_cli.command("vapid-keys")
@click.option("--force", is_flag=True, help="Replace an existing key (existing subscriptions stop working).")
def vapid_keys(force: bool) -> None:
    """Generate the VAPID key pair into instance/ and print the public key."""
    path = Path(current_app.instance_path) / vapid.KEY_FILE
    if current_app.config.get("VAPID_PRIVATE_KEY"):
        click.echo("VAPID_PRIVATE_KEY is set in the environment; using it.")
    elif path.exists() and not force:
        click.echo(f"Keeping the existing key in {path} (use --force to replace it).")
    else:
        vapid.generate_key_file(path)
        click.echo(f"Wrote a new private key to {path}.")
    click.echo(f"Public key: {vapid.public_key_b64url()}")


@push_cli.command("flush")
@click.option("--lost-after", type=click.IntRange(min=0), default=None,
              help="Minutes after which handed-over alerts that never finished are sent again "
                   "(default: PUSH_LOST_AFTER_SECONDS, 15 minutes).")
def push_flush(lost_after: int | None) -> None:
    """Re-alert overdue referrals, and hand alerts saved while the queue was down to it now (the worker
    also does both periodically)."""
    escalated = overdue.sweep()
    report = alerts.flush(lost_after=None if lost_after is None else timedelta(minutes=lost_after))
    click.echo(f"Handed over {report.handed_over} alert(s); {report.still_waiting} still waiting for the "
               f"queue; {report.resent} unfinished delivery(ies) sent again; {report.purged} alert(s) older than "
               f"{alerts.KEEP_ALERTS.days} days deleted.")
    click.echo(f"Re-alerted {escalated} overdue referral step(s).")
    if report.still_waiting:
        raise click.ClickException("The queue is unreachable; the waiting alerts stay saved. Try again later.")


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(users_cli)
    app.cli.add_command(push_cli)
