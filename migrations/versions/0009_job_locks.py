"""job locks and one pending extension per task (issue 14: lost days of jobs)

Revision ID: 0009_job_locks
Revises: 0008_sessions
Create Date: 2026-12-03 08:20:00

A `job_lock` row per job and date, held by a run for its transaction, so two runs of one
job and period take turns. A partial unique index lets a task have one pending extension
request only. Requests that raced past the old check (several pending on one task) are
settled first: the earliest stays pending, the later ones are marked rejected, with a note
in their reason saying why, so the index can be built and the office sees what happened.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_job_locks'
down_revision = '0008_sessions'
branch_labels = None
depends_on = None

PENDING = sa.text("decision = 'pending'")
DUPLICATES = """
UPDATE extension SET decision = 'rejected',
       reason = reason || ' [系统：同一任务已有更早的待审批延期申请，本申请自动作废]'
WHERE decision = 'pending' AND EXISTS (
    SELECT 1 FROM extension AS earlier
    WHERE earlier.task_id = extension.task_id AND earlier.decision = 'pending'
      AND earlier.id < extension.id)
"""


def upgrade():
    op.create_table(
        'job_lock',
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('held_since', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.execute(DUPLICATES)
    with op.batch_alter_table('extension', schema=None) as batch_op:
        batch_op.create_index('uq_extension_pending', ['task_id'], unique=True,
                              sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade():
    with op.batch_alter_table('extension', schema=None) as batch_op:
        batch_op.drop_index('uq_extension_pending', sqlite_where=PENDING,
                            postgresql_where=PENDING)
    op.drop_table('job_lock')
