"""Alerts: spikes with their evidence and deliveries, and each brand's alert-check watermark.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime()  # naive UTC; see storage.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("brand", sa.String(length=200), nullable=False),
        sa.Column("window_start", UTC, nullable=False),
        sa.Column("window_end", UTC, nullable=False),
        sa.Column("last_window_end", UTC, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("observed", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("ratio", sa.Float(), nullable=False),
        sa.Column("p_value", sa.Float(), nullable=False),
        sa.Column("model", sa.String(length=16), nullable=False),
        sa.Column("windows", sa.Integer(), nullable=False),
        sa.Column("negative_share", sa.Float(), nullable=True),
        sa.Column("share_items", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("deliveries", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("ended_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alerts_brand_window_start", "alerts", ["brand", "window_start"], unique=False)
    op.create_table(
        "alert_checks",
        sa.Column("brand", sa.String(length=200), nullable=False),
        sa.Column("checked_until", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("brand"),
    )


def downgrade() -> None:
    op.drop_table("alert_checks")
    op.drop_index("ix_alerts_brand_window_start", table_name="alerts")
    op.drop_table("alerts")
