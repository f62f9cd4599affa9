"""audit log (issue 7: audit trail)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=128), nullable=False),
    sa.Column('remote_addr', sa.String(length=45), nullable=True),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.CheckConstraint("action IN ('insert', 'update', 'delete')", name='ck_audit_log_action'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_row', ['table_name', 'row_id'], unique=False)
        batch_op.create_index('ix_audit_log_changed_at', ['changed_at'], unique=False)
        batch_op.create_index('ix_audit_log_user_id', ['user_id'], unique=False)
        batch_op.create_index('ix_audit_log_username', ['username'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_username')
        batch_op.drop_index('ix_audit_log_user_id')
        batch_op.drop_index('ix_audit_log_changed_at')
        batch_op.drop_index('ix_audit_log_row')

    op.drop_table('audit_log')
