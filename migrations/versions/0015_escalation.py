"""分级督办 and the 督办单's numbers (issue 16, item 3)

Revision ID: 0015_escalation
Revises: 0019_task_events
Create Date: 2026-12-03 17:40:00

A task's 督办 level (蓝/黄/红, as of the last refresh); a supervision's level (the daily job
issues each level's 督办单 once per task: unique (task_id, level)) and a 督办单's number in
its year (doc_year, doc_seq; unique together) taken from the per-year `notice_counter`. The
督办单 already issued get their numbers per year in id order, and the counter starts after
them. The daily reminders' one-per-day index leaves the levels' 督办单 out.

Columns are added with ALTER TABLE (their CHECKs inline), never by rebuilding a table: on
SQLite a rebuild drops the old table, and with foreign keys on that deletes every row that
cascades from it (a task's supervisions, a supervision's notifications and deliveries).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_escalation'
down_revision = '0019_task_events'
branch_labels = None
depends_on = None

LEVELS = "'blue', 'yellow', 'red'"
OLD_REMINDER = "kind <> 'manual'"
REMINDER = "kind <> 'manual' AND level IS NULL"


def _level_column(table, column):
    op.execute(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(10) CONSTRAINT "
               f"ck_{table}_{column} CHECK ({column} IN ({LEVELS}))")


def _reminder_index(where):
    op.create_index('uq_supervision_reminder', 'supervision', ['task_id', 'kind', 'sent_on'],
                    unique=True, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade():
    op.create_table(
        'notice_counter',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('year'),
    )
    _level_column('task', 'escalation_level')
    op.create_index('ix_task_escalation_level', 'task', ['escalation_level'], unique=False)
    _level_column('supervision', 'level')
    op.add_column('supervision', sa.Column('doc_year', sa.Integer(), nullable=True))
    op.add_column('supervision', sa.Column('doc_seq', sa.Integer(), nullable=True))
    op.create_index('uq_supervision_doc_number', 'supervision', ['doc_year', 'doc_seq'],
                    unique=True)
    op.create_index('uq_supervision_level', 'supervision', ['task_id', 'level'], unique=True,
                    sqlite_where=sa.text('level IS NOT NULL'),
                    postgresql_where=sa.text('level IS NOT NULL'))
    op.drop_index('uq_supervision_reminder', table_name='supervision')
    _reminder_index(REMINDER)
    number_existing_notices()


def number_existing_notices():
    """The 督办单 issued so far, numbered per year in id order; each year's counter after."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, sent_on FROM supervision WHERE channel = 'notice' ORDER BY id")).all()
    last: dict[int, int] = {}
    numbered = []
    for pk, sent_on in rows:
        year = sent_on.year if hasattr(sent_on, 'year') else int(str(sent_on)[:4])
        last[year] = last.get(year, 0) + 1
        numbered.append({'id': pk, 'year': year, 'seq': last[year]})
    if numbered:
        connection.execute(sa.text(
            "UPDATE supervision SET doc_year = :year, doc_seq = :seq WHERE id = :id"), numbered)
        connection.execute(sa.text("INSERT INTO notice_counter (year, last) VALUES (:y, :n)"),
                           [{'y': year, 'n': n} for year, n in sorted(last.items())])


def downgrade():
    op.drop_index('uq_supervision_reminder', table_name='supervision')
    op.execute("DELETE FROM supervision WHERE level IS NOT NULL")  # the levels' 督办单
    _reminder_index(OLD_REMINDER)
    op.drop_index('uq_supervision_level', table_name='supervision')
    op.drop_index('uq_supervision_doc_number', table_name='supervision')
    for column in ('doc_seq', 'doc_year', 'level'):
        op.execute(f"ALTER TABLE supervision DROP COLUMN {column}")
    op.drop_index('ix_task_escalation_level', table_name='task')
    op.execute("ALTER TABLE task DROP COLUMN escalation_level")
    op.drop_table('notice_counter')
