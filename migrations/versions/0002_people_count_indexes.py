"""Indexes for the published figures' distinct people: encounters by (team, person), cases by (team, person) and (person).

Revision ID: 0002_people_count_indexes
Revises: 0001_initial
Create Date: 2026-11-21 07:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002_people_count_indexes'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX: writes to the table wait while it builds (about 2 s per million encounters
    # on the 2-core box, SQLite and PostgreSQL alike; a moment at the unit's volume).
    op.create_index('ix_encounters_team_person_occurred', 'encounters',
                    ['team_id', 'person_id', 'occurred_at'], unique=False)
    op.create_index('ix_cases_team_person_opened', 'cases', ['team_id', 'person_id', 'opened_on'], unique=False)
    op.create_index('ix_cases_person_opened', 'cases', ['person_id', 'opened_on'], unique=False)


def downgrade():
    op.drop_index('ix_cases_person_opened', table_name='cases')
    op.drop_index('ix_cases_team_person_opened', table_name='cases')
    op.drop_index('ix_encounters_team_person_occurred', table_name='encounters')
