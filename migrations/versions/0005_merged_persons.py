"""A person merged into another as a duplicate keeps no identifying fields: display_name may be null.

Revision ID: 0005_merged_persons
Revises: 0004_person_versions
Create Date: 2026-11-29 22:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_merged_persons'
down_revision = '0004_person_versions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.alter_column('display_name', existing_type=sa.String(length=120), nullable=True)


def downgrade():
    # A merged duplicate has no name left; give it a placeholder so the column can be required again.
    op.execute("UPDATE persons SET display_name = '(merged)' WHERE display_name IS NULL")
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.alter_column('display_name', existing_type=sa.String(length=120), nullable=False)
