"""an extension's decision with its reason, day and the overdue days served (issue 16)

Revision ID: 0013_extension_decision
Revises: 0012_delivery_recipients
Create Date: 2026-12-03 14:45:00

`decided_on` and `decision_comment` (the reason a rejection must give); and, for a request
approved after the deadline had passed, `overdue_days_served`: the days overdue at the
approval, kept on record when the deadline moves.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_extension_decision'
down_revision = '0012_delivery_recipients'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('extension', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decided_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decision_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('overdue_days_served', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('extension', schema=None) as batch_op:
        batch_op.drop_column('overdue_days_served')
        batch_op.drop_column('decision_comment')
        batch_op.drop_column('decided_on')
