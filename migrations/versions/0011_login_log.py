"""登录日志 and where each session is used from (issue 15, item 6)

Revision ID: 0011_login_log
Revises: 0010_department_tree
Create Date: 2026-12-03 11:15:00

`login_log` records every login attempt (form and API, successful or not) and every
logout: who (the login, and the user name as typed), when (UTC), from which address, the
user agent, and why a login failed. `web_session` gains the address and user agent each
session was last used from, for the list of a user's live sessions.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_login_log'
down_revision = '0010_department_tree'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('event', sa.String(length=10), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.Column('success', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=True),
        sa.Column('address', sa.String(length=45), nullable=True),
        sa.Column('user_agent', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('login_log', schema=None) as batch_op:
        batch_op.create_index('ix_login_log_at', ['at'], unique=False)
        batch_op.create_index('ix_login_log_user_id_at', ['user_id', 'at'], unique=False)
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=45), nullable=True))
        batch_op.add_column(sa.Column('user_agent', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_column('user_agent')
        batch_op.drop_column('address')
    with op.batch_alter_table('login_log', schema=None) as batch_op:
        batch_op.drop_index('ix_login_log_user_id_at')
        batch_op.drop_index('ix_login_log_at')
    op.drop_table('login_log')
