"""task closure: 办结销号 (issue 16)

Revision ID: 0020_task_closure
Revises: 0015_escalation
Create Date: 2026-12-03 18:30:00

Completing a task is the office's act: a `task_closure` row records who closed it, when,
on which accepted feedback; a revocation records who, when and why, and the row stays.
One standing (unrevoked) closure per task.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020_task_closure'
# the brief named 0014_circular_number; main already holds 0019_task_events on it, and two
# heads would stop `upgrade` (see the report)
down_revision = '0015_escalation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'task_closure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('feedback_id', sa.Integer(), nullable=False),
        sa.Column('closed_by_fk', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_by_fk', sa.Integer(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoke_reason', sa.Text(), nullable=True),
        sa.Column('created_on', sa.DateTime(), nullable=False),
        sa.Column('changed_on', sa.DateTime(), nullable=False),
        sa.Column('created_by_fk', sa.Integer(), nullable=True),
        sa.Column('changed_by_fk', sa.Integer(), nullable=True),
        sa.CheckConstraint('(revoked_at IS NULL) = (revoke_reason IS NULL)',
                           name='ck_task_closure_revoked_with_reason'),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['closed_by_fk'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['revoked_by_fk'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['created_by_fk'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['changed_by_fk'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('task_closure', schema=None) as batch_op:
        for column in ('task_id', 'feedback_id', 'closed_by_fk', 'revoked_by_fk',
                       'created_by_fk', 'changed_by_fk'):
            batch_op.create_index(f'ix_task_closure_{column}', [column], unique=False)
        batch_op.create_index('ix_task_closure_closed_at', ['closed_at'], unique=False)
        batch_op.create_index('uq_task_closure_standing', ['task_id'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))


def downgrade():
    op.drop_table('task_closure')
