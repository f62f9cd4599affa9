"""分级督办 and the 督办单's numbers (issue 16, item 3)

Revision ID: 0015_escalation
Revises: 0014_circular_number
Create Date: 2026-12-03 17:40:00

A task's 督办 level (蓝/黄/红, as of the last refresh); a supervision's level (the daily job
issues each level's 督办单 once per task: unique (task_id, level)), its kind `escalation`, and
a 督办单's number in its year (doc_year, doc_seq; unique together) taken from the per-year
`notice_counter`. The 督办单 already issued get their numbers per year in id order, and the
counter starts after them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_escalation'
down_revision = '0014_circular_number'
branch_labels = None
depends_on = None

KINDS = "'due_soon', 'overdue', 'missing_feedback', 'manual'"
LEVELS = "'blue', 'yellow', 'red'"


def upgrade():
    op.create_table(
        'notice_counter',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('year'),
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalation_level', sa.String(length=10), nullable=True))
        batch_op.create_index('ix_task_escalation_level', ['escalation_level'], unique=False)
        batch_op.create_check_constraint('ck_task_escalation_level',
                                         f"escalation_level IN ({LEVELS})")
    with op.batch_alter_table('supervision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('doc_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('doc_seq', sa.Integer(), nullable=True))
        batch_op.drop_constraint('ck_supervision_kind', type_='check')
        batch_op.create_check_constraint('ck_supervision_kind',
                                         f"kind IN ({KINDS}, 'escalation')")
        batch_op.create_check_constraint('ck_supervision_level', f"level IN ({LEVELS})")
        batch_op.create_unique_constraint('uq_supervision_doc_number', ['doc_year', 'doc_seq'])
    op.create_index('uq_supervision_level', 'supervision', ['task_id', 'level'], unique=True,
                    sqlite_where=sa.text('level IS NOT NULL'),
                    postgresql_where=sa.text('level IS NOT NULL'))
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
    op.drop_index('uq_supervision_level', table_name='supervision')
    op.execute("DELETE FROM supervision WHERE kind = 'escalation'")
    with op.batch_alter_table('supervision', schema=None) as batch_op:
        batch_op.drop_constraint('uq_supervision_doc_number', type_='unique')
        batch_op.drop_constraint('ck_supervision_level', type_='check')
        batch_op.drop_constraint('ck_supervision_kind', type_='check')
        batch_op.create_check_constraint('ck_supervision_kind', f"kind IN ({KINDS})")
        batch_op.drop_column('doc_seq')
        batch_op.drop_column('doc_year')
        batch_op.drop_column('level')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint('ck_task_escalation_level', type_='check')
        batch_op.drop_index('ix_task_escalation_level')
        batch_op.drop_column('escalation_level')
    op.drop_table('notice_counter')
