"""indexes for scale (issue 6)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 19:50:00

Measured at province size (FIELD-NOTES "The compliance table at scale", bench/): the
month's slices of feedback and supervisions read index-only through date-first indexes;
the projects' counts from a covering index; a project's task statuses (its colour) and a
department's tasks by deadline (its list, 我的台账) without visiting the table.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

NOT_RETURNED = sa.text("review_status <> 'returned'")


def upgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_reported_task', ['reported_on', 'task_id'],
                              unique=False, sqlite_where=NOT_RETURNED,
                              postgresql_where=NOT_RETURNED)
    with op.batch_alter_table('supervision', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_sent_task', ['sent_on', 'task_id'], unique=False)
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index('ix_project_department_scope',
                              ['lead_department_id', 'stage', 'actual_end'], unique=False)
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_project_status', ['project_id', 'status'], unique=False)
        batch_op.create_index('ix_task_department_deadline', ['department_id', 'deadline'],
                              unique=False)
        # the task list's page keys, ORDER BY deadline, id, read from the index alone
        batch_op.drop_index('ix_task_deadline')
        batch_op.create_index('ix_task_deadline_id', ['deadline', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_deadline_id')
        batch_op.create_index('ix_task_deadline', ['deadline'], unique=False)
        batch_op.drop_index('ix_task_department_deadline')
        batch_op.drop_index('ix_task_project_status')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index('ix_project_department_scope')
    with op.batch_alter_table('supervision', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_sent_task')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_reported_task', sqlite_where=NOT_RETURNED,
                            postgresql_where=NOT_RETURNED)
