"""The users API for administrators (supervisors read the list): list, create, edit, deactivate, reset a
password, import a file of accounts. Thin views over app/auth/users.py; every change is audited there."""

from __future__ import annotations

from flask import jsonify

from app.audit.services import record
from app.auth import users
from app.auth.guard import current_user, signed_in
from app.auth.models import User
from app.auth.policy import can_manage_accounts, can_read_accounts
from app.auth.schemas import (
    AccountCreateSchema,
    AccountImportSchema,
    AccountPageSchema,
    AccountPatchSchema,
    AccountQuerySchema,
    AccountSchema,
    CreatedAccountSchema,
    ImportResultSchema,
    TemporaryPasswordSchema,
)
from app.errors import ApiError, ErrorSchema
from app.extensions import db
from app.fields import MAX_ID
from app.rest import ApiBlueprint

blp = ApiBlueprint("users", __name__, url_prefix="/users", description="User accounts (administrators)")

STATUS = {"validation_error": 400, "conflict": 409, "forbidden": 403}


def _refused(refused: users.AccountRefused) -> ApiError:
    return ApiError(STATUS.get(refused.code, 400), refused.code, refused.message, refused.fields or None)


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None:
        raise ApiError(404, "not_found", "There is no such user.")
    return user


@blp.route("")
@signed_in(can_read_accounts)
@blp.arguments(AccountQuerySchema, location="query")
@blp.response(200, AccountPageSchema)
def list_users(args):
    """Accounts by username, filtered by role, team, agency, active, and `q` (part of a username or name)."""
    record("user.list", target_type="user")
    return users.search(**args)


@blp.route("", methods=["POST"])
@signed_in(can_manage_accounts)
@blp.arguments(AccountCreateSchema)
@blp.response(201, CreatedAccountSchema)
@blp.alt_response(400, schema=ErrorSchema, description="validation_error: a rule of the account is broken")
@blp.alt_response(409, schema=ErrorSchema, description="conflict: the username is taken (letter case aside)")
def create_user(data):
    """Create an account. Without a password one is generated and answered once as `temporary_password`;
    either way the user must choose their own password at the first sign-in."""
    try:
        account = users.create_user(data)
    except users.AccountRefused as refused:
        raise _refused(refused) from None
    body = {name: getattr(account.user, name) for name in AccountSchema().fields}
    if account.temporary_password is not None:
        body["temporary_password"] = account.temporary_password
    return body


@blp.route("/<int:user_id>")
@signed_in(can_read_accounts)
@blp.response(200, AccountSchema)
@blp.alt_response(404, schema=ErrorSchema, description="not_found")
def get_user(user_id):
    """One account (the administration screen's user page)."""
    record("user.read", target_type="user", target_id=user_id)
    return _account(user_id)


@blp.route("/<int:user_id>", methods=["PATCH"])
@signed_in(can_manage_accounts)
@blp.arguments(AccountPatchSchema)
@blp.response(200, AccountSchema)
@blp.alt_response(400, schema=ErrorSchema, description="validation_error")
@blp.alt_response(404, schema=ErrorSchema, description="not_found")
@blp.alt_response(409, schema=ErrorSchema, description="conflict: would leave the unit without an administrator")
def update_user(changes, user_id):
    """Edit display name, role, team, agency; `active: false` deactivates (ends every session and push
    subscription at once)."""
    user = _account(user_id)
    try:
        return users.update_user(user, changes, current_user())
    except users.AccountRefused as refused:
        raise _refused(refused) from None


@blp.route("/<int:user_id>/reset-password", methods=["POST"])
@signed_in(can_manage_accounts)
@blp.response(200, TemporaryPasswordSchema)
@blp.alt_response(404, schema=ErrorSchema, description="not_found")
def reset_password(user_id):
    """A temporary password, answered this once; the user's sessions end and they must choose a new
    password at the next sign-in."""
    return {"temporary_password": users.reset_password(_account(user_id))}


@blp.route("/import", methods=["POST"])
@signed_in(can_manage_accounts)
@blp.arguments(AccountImportSchema)
@blp.response(200, ImportResultSchema)
@blp.alt_response(400, schema=ErrorSchema, description="validation_error: neither users nor csv, or an empty file")
@blp.alt_response(413, schema=ErrorSchema, description="too_large: more than 100 rows")
def import_users(body):
    """Create many accounts: `{"users": [<as POST /users>, ...]}` or `{"csv": "<the file's text>"}` (a
    header line naming the columns of POST /users; `team` and `agency` may name them instead of ids). One
    result per row, in order: `created` (with a `temporary_password` when the row had none) or `rejected`
    with its `error`; a rejected row creates nothing, the others are created."""
    if ("users" in body) == ("csv" in body):
        raise ApiError(400, "validation_error", "Send either the rows (users) or a CSV file's text (csv).",
                       {"_schema": ["Give users or csv."]})
    rows = body["users"] if "users" in body else users.rows_from_csv(body["csv"])
    if not rows:
        raise ApiError(400, "validation_error", "The file holds no rows; the first line names the columns.",
                       {"csv" if "csv" in body else "users": ["No rows."]})
    if len(rows) > users.MAX_IMPORT_ROWS:
        raise ApiError(413, "too_large", f"Import at most {users.MAX_IMPORT_ROWS} accounts at a time.")
    results = users.import_users(rows)
    return jsonify({"results": [r.as_dict() for r in results],
                    "created": sum(r.status == "created" for r in results),
                    "rejected": sum(r.status == "rejected" for r in results)})
