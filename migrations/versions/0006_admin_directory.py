"""Administration in the app: teams get a group (core or branch) and can be deactivated; users can be
made to change their password at the next sign-in (after an administrator's reset).

Revision ID: 0006_admin_directory
Revises: 0005_merged_persons
Create Date: 2026-11-29 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_admin_directory'
down_revision = '0005_merged_persons'
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    # Plain ADD COLUMN: on SQLite a batch (copy-and-rename) of teams or users would trip the foreign keys
    # that point at them. SQLite cannot add a CHECK to an existing table, so the group's vocabulary is
    # checked there by the API alone (the models' CHECK is in databases made from the models).
    op.add_column('teams', sa.Column('group', sa.String(length=20), nullable=True))
    op.add_column('teams', sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    if _postgresql():
        op.create_check_constraint(op.f('ck_teams_group'), 'teams', "\"group\" IN ('core', 'branch')")
    op.add_column('users', sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                     nullable=False))
    op.add_column('users', sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    if _postgresql():
        op.drop_constraint(op.f('ck_teams_group'), 'teams', type_='check')
    op.drop_column('users', 'password_changed_at')
    op.drop_column('users', 'must_change_password')
    op.drop_column('teams', 'active')
    op.drop_column('teams', 'group')
