"""task events: assigned, feedback returned, extension decided (issue 16)

Revision ID: 0019_task_events
Revises: 0016_access_version
Create Date: 2026-12-03 18:10:00

What happens to a task that its department must hear of is a `task_event`; its
notifications and deliveries point at it as a 督促's point at the supervision. A delivery is
of exactly one of the two.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019_task_events'
down_revision = '0016_access_version'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'task_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('assigned', 'returned', 'extension_approved', "
                           "'extension_rejected')", name='ck_task_event_kind'),
        sa.ForeignKeyConstraint(['actor_id'], ['ab_user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('task_event', schema=None) as batch_op:
        batch_op.create_index('ix_task_event_task_id', ['task_id'], unique=False)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_notification_event_id', ['event_id'], unique=False)
        batch_op.create_foreign_key('fk_notification_event_id_task_event', 'task_event',
                                    ['event_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.alter_column('supervision_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index('ix_delivery_event_id', ['event_id'], unique=False)
        batch_op.create_foreign_key('fk_delivery_event_id_task_event', 'task_event',
                                    ['event_id'], ['id'], ondelete='CASCADE')
        batch_op.create_unique_constraint('uq_delivery_event_channel_recipient',
                                          ['event_id', 'channel', 'recipient'])
        batch_op.create_check_constraint(
            'ck_delivery_of_one', '(supervision_id IS NULL) <> (event_id IS NULL)')


def downgrade():
    op.execute("DELETE FROM delivery WHERE event_id IS NOT NULL")
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_constraint('ck_delivery_of_one', type_='check')
        batch_op.drop_constraint('uq_delivery_event_channel_recipient', type_='unique')
        batch_op.drop_constraint('fk_delivery_event_id_task_event', type_='foreignkey')
        batch_op.drop_index('ix_delivery_event_id')
        batch_op.alter_column('supervision_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('event_id')
    op.execute("DELETE FROM notification WHERE event_id IS NOT NULL")
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint('fk_notification_event_id_task_event', type_='foreignkey')
        batch_op.drop_index('ix_notification_event_id')
        batch_op.drop_column('event_id')
    with op.batch_alter_table('task_event', schema=None) as batch_op:
        batch_op.drop_index('ix_task_event_task_id')
    op.drop_table('task_event')
