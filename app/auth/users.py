"""Managing accounts: create (one or a file of them), edit, deactivate, reset and change passwords.

One set of rules (app/auth/rules.py, app/auth/passwords.py) for the API and the CLI. Services flush; the
request (or the CLI command) commits. Every change is audited with ids only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.audit.services import record, record_despite_rollback
from app.auth import throttle
from app.auth.events import signed_out_everywhere
from app.auth.models import User
from app.auth.passwords import hash_password, password_problems, temporary_password, verify_password
from app.auth.rules import display_name_problems, fold_username, username_problems
from app.auth.sessions import end_all_sessions
from app.directory.models import Agency, Team
from app.extensions import db
from app.pagination import paginate
from app.records import utcnow
from app.vocabulary import ROLES

# Rows per import: hashing a password someone chose costs ~0.1-0.5 s by design (a generated one far less),
# and a request must finish well within the web server's 60 s worker timeout.
MAX_IMPORT_ROWS = 100
IMPORT_COLUMNS = ("username", "display_name", "role", "team_id", "agency_id", "team", "agency", "password")


@dataclass
class AccountRefused(Exception):
    """An account change refused: the API's error code (validation_error, conflict, forbidden), a sentence
    and the fields at fault, as the one error shape carries them."""

    code: str
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        details = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in self.fields.items())
        return f"{self.message} {details}".strip()

    def as_error(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


def _invalid(problems: dict[str, list[str]]) -> AccountRefused:
    return AccountRefused("validation_error", "Some fields are not valid: " + ", ".join(sorted(problems)) + ".",
                          problems)


def username_taken(username: str) -> bool:
    return db.session.scalar(sa.select(User.id).where(User.username == fold_username(username))) is not None


def _choosable(model: type[Team] | type[Agency], row_id: int | None, what: str,
               problems: dict[str, list[str]], name: str) -> None:
    """A team or agency given for a new assignment must exist and be active (a deactivated one stays on
    the accounts that have it, but cannot be chosen anew)."""
    if row_id is None:
        return
    row: Any = db.session.get(model, row_id)
    if row is None:
        problems.setdefault(name, []).append(f"No {what} has this id.")
    elif not row.active:
        problems.setdefault(name, []).append(f"This {what} is deactivated; choose another.")


def _check_fields(data: dict[str, Any], problems: dict[str, list[str]]) -> None:
    if "display_name" in data:
        for message in display_name_problems(data["display_name"] or ""):
            problems.setdefault("display_name", []).append(message)
    if "role" in data and data["role"] not in ROLES:
        problems.setdefault("role", []).append(f"Use one of: {', '.join(ROLES)}.")
    if "team_id" in data:
        _choosable(Team, data["team_id"], "team", problems, "team_id")
    if "agency_id" in data:
        _choosable(Agency, data["agency_id"], "partner agency", problems, "agency_id")


def _needs_agency(role: str | None, agency_id: int | None, problems: dict[str, list[str]]) -> None:
    if role == "navigator" and agency_id is None:
        problems.setdefault("agency_id", []).append("A navigator belongs to a partner agency: choose one.")


@dataclass
class NewAccount:
    user: User
    temporary_password: str | None  # generated here: shown once, never stored in clear


def create_user(data: dict[str, Any], *, taken: set[str] | None = None, must_change: bool = True,
                problems: dict[str, list[str]] | None = None) -> NewAccount:
    """Create one account from {username, display_name, role, team_id, agency_id, password}.

    Without a password, one is generated and returned once. An account whose password someone else chose
    (an administrator, a file) must change it at the first sign-in, unless `must_change` is False (the
    CLI's `users create`, where the person types their own). `taken` adds usernames already claimed
    earlier in the same file; `problems` those found already (a team named in a file that does not exist).
    """
    problems = {name: list(messages) for name, messages in (problems or {}).items()}
    raw_username = data.get("username") or ""
    if not isinstance(raw_username, str):
        raw_username = ""
    username = fold_username(raw_username)
    for message in username_problems(raw_username):
        problems.setdefault("username", []).append(message)
    display_name = data.get("display_name") if isinstance(data.get("display_name"), str) else None
    display_name = display_name or username
    _check_fields({**data, "display_name": display_name}, problems)
    if "role" not in data or not data["role"]:
        problems.setdefault("role", []).append(f"Choose a role: {', '.join(ROLES)}.")
    _needs_agency(data.get("role"), data.get("agency_id"), problems)
    password = data.get("password") or None
    generated = None
    if password is not None and not isinstance(password, str):
        problems.setdefault("password", ["Give this as text."])
    elif password is None:
        generated = password = temporary_password()
    else:
        for message in password_problems(password, username):
            problems.setdefault("password", []).append(message)
    if problems:
        raise _invalid(problems)
    if username in (taken or set()) or username_taken(username):
        raise AccountRefused("conflict", f"The username '{username}' is already taken.",
                             {"username": ["This username is already taken (letter case does not count)."]})
    user = User(username=username, display_name=display_name.strip(), role=data["role"],
                team_id=data.get("team_id"), agency_id=data.get("agency_id"),
                password_hash=hash_password(password, generated=generated is not None),
                active=True, must_change_password=must_change or generated is not None)
    db.session.add(user)
    db.session.flush()
    record("user.create", target_type="user", target_id=user.id, role=user.role, team_id=user.team_id,
           agency_id=user.agency_id, generated_password=generated is not None)
    return NewAccount(user, generated)


def admins_left(excluding: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.id != excluding)) or 0


def update_user(user: User, changes: dict[str, Any], actor: User | None) -> User:
    """Edit display_name, role, team_id, agency_id, active. Deactivating ends every session and push
    subscription; the last active administrator can neither be deactivated nor lose the role."""
    problems: dict[str, list[str]] = {}
    new = {k: v for k, v in changes.items() if getattr(user, k) != v}
    _check_fields(new, problems)
    role = new.get("role", user.role)
    agency_id = new.get("agency_id", user.agency_id)
    _needs_agency(role, agency_id, problems)
    if problems:
        raise _invalid(problems)
    losing_admin = user.role == "admin" and user.active and (role != "admin" or new.get("active") is False)
    if losing_admin and admins_left(excluding=user.id) == 0:
        who = "yourself as" if actor is not None and actor.id == user.id else "the"
        raise AccountRefused("conflict", f"You cannot remove {who} last active administrator: make another "
                             "administrator first.", {"active" if "active" in new else "role": [
                                 "The unit would be left without an administrator."]})
    for name, value in new.items():
        setattr(user, name, value.strip() if name == "display_name" else value)
    db.session.flush()
    detail = {k: v for k, v in new.items() if k != "display_name"}
    if "display_name" in new:
        detail["display_name_changed"] = True
    if new.get("active") is False:
        detail |= sign_out_everywhere(user)
        record("user.deactivate", target_type="user", target_id=user.id, **detail)
    else:
        record("user.update", target_type="user", target_id=user.id, **detail)
    return user


def sign_out_everywhere(user: User) -> dict[str, Any]:
    """End every session of a user and, through the signal, their push subscriptions; the counts."""
    sessions = end_all_sessions(user.id)
    subscriptions = sum(int(n or 0) for _receiver, n in signed_out_everywhere.send(user.id))
    return {"sessions": sessions, "subscriptions": subscriptions}


def deactivate_user(user: User) -> dict[str, Any]:
    """Switch a user off and end every session and push subscription they have at once (the CLI)."""
    user.active = False
    return sign_out_everywhere(user)


def reset_password(user: User) -> str:
    """A new temporary password (returned once), every session ended, a change required at the next sign-in."""
    password = temporary_password()
    user.password_hash = hash_password(password, generated=True)
    user.must_change_password = True
    ended = sign_out_everywhere(user)
    record("user.reset_password", target_type="user", target_id=user.id, **ended)
    return password


def change_password(user: User, current: str, new: str, address: str | None) -> bool:
    """The user's own change: False (recorded for throttling and audit, to be answered without a
    rollback) when the current password is wrong; AccountRefused when the new one is not acceptable.

    Wrong current passwords count as failed sign-ins of the account: guessing through a session left open
    is throttled like guessing at the sign-in screen (429 rate_limited with Retry-After)."""
    wait = throttle.retry_after(user.username, address)
    if wait is not None:
        record_despite_rollback("user.change_password", target_type="user", target_id=user.id, outcome="throttled")
        raise AccountRefused("rate_limited", "Too many wrong passwords; wait a few minutes and try again.",
                             {"Retry-After": [str(wait)]})
    if not verify_password(user.password_hash, current):
        throttle.record_failure(user.username, address)
        record("user.change_password", target_type="user", target_id=user.id, outcome="failed")
        return False
    problems = password_problems(new, user.username)
    if not problems and verify_password(user.password_hash, new):
        problems = ["Choose a password different from the current one."]
    if problems:
        raise _invalid({"new_password": problems})
    throttle.clear_account(user.username)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    record("user.change_password", target_type="user", target_id=user.id)
    return True


def search(*, page: int, per_page: int, role: str | None = None, team_id: int | None = None,
           agency_id: int | None = None, active: bool | None = None, q: str | None = None) -> dict[str, Any]:
    statement = sa.select(User)
    if role:
        statement = statement.where(User.role == role)
    if team_id:
        statement = statement.where(User.team_id == team_id)
    if agency_id:
        statement = statement.where(User.agency_id == agency_id)
    if active is not None:
        statement = statement.where(User.active.is_(active))
    if q:
        pattern = "%" + q.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(sa.or_(User.username.like(pattern, escape="\\"),
                                           sa.func.lower(User.display_name).like(pattern, escape="\\")))
    return paginate(statement.order_by(User.username), page, per_page)


# ---- bulk import -------------------------------------------------------------------------------------


def rows_from_csv(text: str) -> list[dict[str, Any]]:
    """The rows of a CSV file with a header line (columns as POST /users; `team` and `agency` may name
    them instead of `team_id` and `agency_id`). Unknown columns are ignored, empty cells are absent."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None:
        return []
    rows = []
    for raw in reader:
        row: dict[str, Any] = {}
        for key, value in raw.items():
            name = (key or "").strip().lower()
            if name in IMPORT_COLUMNS and isinstance(value, str) and value.strip():
                row[name] = value if name == "password" else value.strip()
        rows.append(row)
    return rows


def _resolve_names(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """team/agency names, and ids given as text in a CSV cell, into team_id/agency_id."""
    resolved = dict(row)
    problems: dict[str, list[str]] = {}
    for name, model in (("team", Team), ("agency", Agency)):
        key = f"{name}_id"
        value = resolved.pop(name, None)
        if value is not None and resolved.get(key) is None:
            found = db.session.scalar(sa.select(model.id).where(sa.func.lower(model.name) == str(value).lower()))
            if found is None:
                problems.setdefault(key, []).append(f"No {name} is named '{value}'.")
            resolved[key] = found
        if isinstance(resolved.get(key), str):
            text = resolved[key]
            if not text.isdigit() or int(text) > 2**31 - 1:
                problems.setdefault(key, []).append("Give the id as a number.")
                resolved[key] = None
            else:
                resolved[key] = int(text)
        value = resolved.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31):
            problems.setdefault(key, []).append("Give the id as a number.")
            resolved[key] = None
    for text_field in ("username", "display_name", "role", "password"):
        if resolved.get(text_field) is not None and not isinstance(resolved[text_field], str):
            problems.setdefault(text_field, []).append("Give this as text.")
    return resolved, problems


@dataclass
class ImportResult:
    row: int
    status: str  # created | rejected
    user: User | None = None
    temporary_password: str | None = None
    error: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"row": self.row, "status": self.status}
        if self.user is not None:
            body |= {"id": self.user.id, "username": self.user.username}
        if self.temporary_password is not None:
            body["temporary_password"] = self.temporary_password
        if self.error is not None:
            body["error"] = self.error
        return body


def import_users(rows: list[dict[str, Any]], progress=None) -> list[ImportResult]:
    """Create each row in its own savepoint: a rejected row (a bad field, or a username taken, also
    earlier in the same file) creates nothing; the others are created. Row numbers count from 1."""
    taken: set[str] = set()
    results = []
    for number, row in enumerate(rows, start=1):
        savepoint = db.session.begin_nested()
        try:
            resolved, problems = _resolve_names(row)
            account = create_user(resolved, taken=taken, problems=problems)
        except AccountRefused as refused:
            savepoint.rollback()
            results.append(ImportResult(number, "rejected", error=refused.as_error()))
        else:
            savepoint.commit()
            taken.add(account.user.username)
            results.append(ImportResult(number, "created", account.user, account.temporary_password))
        if progress is not None:
            progress(number)
    record("user.import", target_type="user", rows=len(rows),
           created=sum(r.status == "created" for r in results), rejected=sum(r.status == "rejected" for r in results))
    return results
