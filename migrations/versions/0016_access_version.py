"""the access version: web processes cache each user's permissions while it stays the same
(issue 19, item 2)

Revision ID: 0016_access_version
Revises: 0014_circular_number
Create Date: 2026-12-03 17:45:00

One row (id 1), moved on in the transaction of every change to roles, permissions, data
scopes, users' roles or active flag and logins' ties to persons (app/domain/access_version.py).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_access_version'
down_revision = '0014_circular_number'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'access_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('access_version')
