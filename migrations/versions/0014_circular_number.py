"""督查通报's 发文字号, 签发日期 and 签发人 (issue 17, item 3)

Revision ID: 0014_circular_number
Revises: 0013_extension_decision
Create Date: 2026-12-03 14:10:00

Each circular gets its number at its first issue: the year and the sequence within the year
(unique together, so two builds can never give two months the same number), the number as
printed (清督通〔2026〕11号), the day it was issued and by whom (null: the scheduled job).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_circular_number'
down_revision = '0013_extension_decision'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('circular', schema=None) as batch_op:
        batch_op.add_column(sa.Column('doc_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('doc_seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('doc_number', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('issued_by', sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint('uq_circular_doc_number', ['doc_year', 'doc_seq'])


def downgrade():
    with op.batch_alter_table('circular', schema=None) as batch_op:
        batch_op.drop_constraint('uq_circular_doc_number', type_='unique')
        batch_op.drop_column('issued_by')
        batch_op.drop_column('issued_on')
        batch_op.drop_column('doc_number')
        batch_op.drop_column('doc_seq')
        batch_op.drop_column('doc_year')
