"""server-side sessions and login generations (issue 14)

Revision ID: 0008_sessions
Revises: 0007
Create Date: 2026-12-03 08:10:00

Sessions live on the server (this table, or Redis with REDIS_URL); the cookie carries a
random id only. Every session and JWT carries its user's login generation; a password
change, deactivation, logout or 全部下线 moves it on, which ends them all.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_sessions'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'web_session',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('data', sa.Text(), nullable=False),
        sa.Column('created_at', sa.Float(), nullable=False),
        sa.Column('seen_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index('ix_web_session_user_id', ['user_id'], unique=False)
        batch_op.create_index('ix_web_session_seen_at', ['seen_at'], unique=False)
    op.create_table(
        'login_generation',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade():
    op.drop_table('login_generation')
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_index('ix_web_session_seen_at')
        batch_op.drop_index('ix_web_session_user_id')
    op.drop_table('web_session')
