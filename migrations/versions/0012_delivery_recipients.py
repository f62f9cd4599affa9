"""one delivery per recipient (issue 16)

Revision ID: 0012_delivery_recipients
Revises: 0011_login_log
Create Date: 2026-12-03 14:20:00

A reminder reaches every login that must act on it (the responsible person, and the
responsible unit's 联络员), so a supervision has one e-mail delivery per address: the unique
key of `delivery` becomes (supervision, channel, recipient).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_delivery_recipients'
down_revision = '0011_login_log'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_constraint('uq_delivery_supervision_channel', type_='unique')
        batch_op.create_unique_constraint('uq_delivery_supervision_channel_recipient',
                                          ['supervision_id', 'channel', 'recipient'])


def downgrade():
    op.execute("DELETE FROM delivery WHERE id NOT IN "
               "(SELECT MIN(id) FROM delivery GROUP BY supervision_id, channel)")
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_constraint('uq_delivery_supervision_channel_recipient', type_='unique')
        batch_op.create_unique_constraint('uq_delivery_supervision_channel',
                                          ['supervision_id', 'channel'])
