"""Whether an item's written time is known: False for a feed's undated backlog, stored at its fetch time.

Rows stored before this revision keep their dates as known (the server default), as they were treated.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("mentions", "mention_brands")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("date_known", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:  # SQLite drops a column only by copying the table
            batch.drop_column("date_known")
