"""When each brand's windows were judged (alert_judgments): items fetched after that count in no later check.

A brand's existing watermark becomes its first row: every window before it judged at its last check.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC = sa.DateTime()  # naive UTC; see storage.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "alert_judgments",
        sa.Column("brand", sa.String(length=200), nullable=False),
        sa.Column("judged_until", UTC, nullable=False),
        sa.Column("judged_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("brand", "judged_until"),
    )
    op.execute("INSERT INTO alert_judgments (brand, judged_until, judged_at) "
               "SELECT brand, checked_until, updated_at FROM alert_checks")


def downgrade() -> None:
    op.drop_table("alert_judgments")
