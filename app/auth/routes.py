"""Sign in, sign out, and who am I."""

from __future__ import annotations

from flask import current_app, g, jsonify, make_response, request

from app.auth import services, users
from app.auth.guard import current_user
from app.auth.schemas import LoginSchema, PasswordChangeSchema, SignedInSchema
from app.auth.sessions import COOKIE_NAME, end_other_sessions
from app.errors import ApiError, ErrorSchema, error_body
from app.rest import ApiBlueprint

blp = ApiBlueprint("auth", __name__, url_prefix="/auth", description="Sign-in sessions")


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, SignedInSchema)
@blp.alt_response(401, schema=ErrorSchema, description="invalid_credentials")
@blp.alt_response(429, schema=ErrorSchema, description="rate_limited, with Retry-After")
def login(credentials):
    """Sign in; sets the session cookie and returns the user and a CSRF token."""
    result = services.sign_in(credentials["username"], credentials["password"], request.remote_addr)
    if result is None:
        response = jsonify(error_body("invalid_credentials", "The username or password is not right."))
        response.status_code = 401
        return response
    user, session, token = result
    body = SignedInSchema().dump(services.signed_in_body(user, session))
    response = make_response(jsonify(body), 200)
    response.set_cookie(COOKIE_NAME, token, httponly=True, samesite="Lax", path="/",
                        secure=current_app.config["SESSION_COOKIE_SECURE"],
                        max_age=current_app.config["SESSION_MAX_HOURS"] * 3600)
    return response


@blp.route("/logout", methods=["POST"])
@blp.response(204)
def logout():
    """End this session (the phone keeps unsynced entries; see the PWA's sign-out)."""
    services.sign_out(g.get("auth_session"))
    response = make_response("", 204)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@blp.route("/me", methods=["GET"])
@blp.response(200, SignedInSchema)
@blp.alt_response(401, schema=ErrorSchema, description="not_authenticated, or session_revoked")
def me():
    """The signed-in user and the session's CSRF token."""
    user = current_user()
    return services.signed_in_body(user, g.auth_session)


@blp.route("/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.alt_response(400, schema=ErrorSchema, description="validation_error: current password wrong, new one weak")
@blp.alt_response(401, schema=ErrorSchema, description="not_authenticated")
@blp.alt_response(429, schema=ErrorSchema, description="rate_limited: too many wrong current passwords")
def change_password(body):
    """Change one's own password (any user); ends the user's other sessions. After an administrator's
    reset this is what the user must do before anything else."""
    user = current_user()
    try:
        changed = users.change_password(user, body["current_password"], body["new_password"], request.remote_addr)
    except users.AccountRefused as refused:
        if refused.code == "rate_limited":
            raise ApiError(429, "rate_limited", refused.message,
                           headers={"Retry-After": refused.fields["Retry-After"][0]}) from None
        raise ApiError(400, refused.code, refused.message, refused.fields or None) from None
    if not changed:
        # Answered without a rollback: the failure counts towards the account's lockout and is audited.
        response = jsonify(error_body("validation_error", "The current password is not right.",
                                      {"current_password": ["This is not your current password."]}))
        response.status_code = 400
        return response
    end_other_sessions(user.id, g.auth_session.id)
    return make_response("", 204)
