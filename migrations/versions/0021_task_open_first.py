"""the index of 任务台账's default order: open tasks first, by deadline (issue 18.7)

Revision ID: 0021_task_open_first
Revises: 0020_task_closure
Create Date: 2026-12-03 19:45:00

An expression index on the same SQL as the order (app/tables/ledger.py OPEN_FIRST_SQL):
without it every page joined and sorted every task.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_task_open_first'
down_revision = '0020_task_closure'
branch_labels = None
depends_on = None

OPEN_FIRST = "(CASE WHEN status IN ('pending', 'due_soon', 'overdue') THEN 0 ELSE 1 END)"


def upgrade():
    op.create_index('ix_task_open_first', 'task', [sa.text(OPEN_FIRST), 'deadline', 'id'])


def downgrade():
    op.drop_index('ix_task_open_first', table_name='task')
