"""A situation's case: situations.case_id, the person's case the acting agencies work the situation in
(an existing case linked, or one opened from the situation).

Revision ID: 0010_situation_case
Revises: 0009_distinct_months
Create Date: 2026-11-30 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_situation_case'
down_revision = '0009_distinct_months'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('situations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Uuid(as_uuid=False), nullable=True))
        batch_op.create_index(batch_op.f('ix_situations_case_id'), ['case_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_situations_case_id_cases'), 'cases', ['case_id'], ['id'])


def downgrade():
    with op.batch_alter_table('situations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_situations_case_id_cases'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_situations_case_id'))
        batch_op.drop_column('case_id')
