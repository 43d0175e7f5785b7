"""Sign-in request and the signed-in user as the API shows them."""

from marshmallow import Schema, fields, validate

from app.fields import Moment, record_id
from app.rest import PageArgs, page_schema
from app.vocabulary import ROLES


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class UserSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True)
    team_id = fields.Integer(allow_none=True, required=True)
    agency_id = fields.Integer(allow_none=True, required=True)


class SignedInSchema(Schema):
    user = fields.Nested(UserSchema, required=True)
    csrf_token = fields.String(required=True)
    # Present (true) only after an administrator's reset, until the user has chosen a new password.
    password_change_required = fields.Boolean()


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))



class AccountSchema(UserSchema):
    """A user as the administration screens see them."""

    active = fields.Boolean(required=True)
    must_change_password = fields.Boolean(required=True)
    created_at = Moment(required=True)


AccountPageSchema = page_schema(AccountSchema, "AccountPage")


class AccountQuerySchema(PageArgs):
    role = fields.String(validate=validate.OneOf(ROLES))
    team_id = record_id()
    agency_id = record_id()
    active = fields.Boolean()
    q = fields.String(validate=validate.Length(max=80))


class AccountCreateSchema(Schema):
    """The account rules themselves (app/auth/rules.py) are checked by the service, for the CLI too."""

    username = fields.String(required=True, validate=validate.Length(max=200))
    display_name = fields.String(validate=validate.Length(max=400))
    role = fields.String(required=True)
    team_id = record_id(allow_none=True)
    agency_id = record_id(allow_none=True)
    password = fields.String(load_only=True, allow_none=True, validate=validate.Length(max=256))


class CreatedAccountSchema(AccountSchema):
    # Only when the server generated the password (none was given): shown this once, never again.
    temporary_password = fields.String()


class AccountPatchSchema(Schema):
    display_name = fields.String(validate=validate.Length(max=400))
    role = fields.String()
    team_id = record_id(allow_none=True)
    agency_id = record_id(allow_none=True)
    active = fields.Boolean()


class AccountImportSchema(Schema):
    """Either the rows as POST /users takes them, or the text of a CSV file (parsed on the server)."""

    users = fields.List(fields.Dict())  # more rows than an import takes: 413 too_large (the view)
    # Even as JSON surrogate-pair escapes (12 bytes a character) this stays under the 2 MB a request may
    # be, so an overlong file is answered 400, not 413.
    csv = fields.String(validate=validate.Length(max=100_000))


class ImportErrorSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", attribute="fields", keys=fields.String(),
                          values=fields.List(fields.String()))


class ImportRowSchema(Schema):
    row = fields.Integer(required=True)
    status = fields.String(required=True)
    id = fields.Integer()
    username = fields.String()
    temporary_password = fields.String()
    error = fields.Nested(ImportErrorSchema)


class ImportResultSchema(Schema):
    results = fields.List(fields.Nested(ImportRowSchema), required=True)
    created = fields.Integer(required=True)
    rejected = fields.Integer(required=True)


class TemporaryPasswordSchema(Schema):
    temporary_password = fields.String(required=True)
