"""Encounters can be corrected and voided: version, voided, void_reason, and the encounter_changes history.

The two indexes the published figures count people from gain `voided` as their last column, so the
count of people engaged still reads the index alone while leaving voided encounters out.

Revision ID: 0003_encounter_corrections
Revises: 0002_people_count_indexes
Create Date: 2026-11-29 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_encounter_corrections'
down_revision = '0002_people_count_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('encounters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('voided', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('void_reason', sa.String(length=400), nullable=True))
        batch_op.drop_index('ix_encounters_person_occurred')
        batch_op.drop_index('ix_encounters_team_person_occurred')
        batch_op.create_index('ix_encounters_person_occurred', ['person_id', 'occurred_at', 'voided'], unique=False)
        batch_op.create_index('ix_encounters_team_person_occurred', ['team_id', 'person_id', 'occurred_at', 'voided'],
                              unique=False)

    op.create_table('encounter_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.Column('encounter_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=400), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('amend', 'void')", name=op.f('ck_encounter_changes_action')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_encounter_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'],
                            name=op.f('fk_encounter_changes_encounter_id_encounters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_encounter_changes')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_encounter_changes_entry_id')),
    sa.UniqueConstraint('encounter_id', 'version', name='uq_encounter_changes_encounter_version')
    )
    with op.batch_alter_table('encounter_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_encounter_changes_encounter_id'), ['encounter_id'], unique=False)


def downgrade():
    with op.batch_alter_table('encounter_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_encounter_changes_encounter_id'))

    op.drop_table('encounter_changes')
    with op.batch_alter_table('encounters', schema=None) as batch_op:
        batch_op.drop_index('ix_encounters_team_person_occurred')
        batch_op.drop_index('ix_encounters_person_occurred')
        batch_op.create_index('ix_encounters_team_person_occurred', ['team_id', 'person_id', 'occurred_at'],
                              unique=False)
        batch_op.create_index('ix_encounters_person_occurred', ['person_id', 'occurred_at'], unique=False)
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided')
        batch_op.drop_column('version')
