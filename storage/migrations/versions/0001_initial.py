"""Initial schema: mentions, brands, classifications, watermarks, runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime()  # naive UTC; see storage.tables.UTCDateTime


def upgrade() -> None:
    op.create_table('mentions',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('external_id', sa.String(length=512), nullable=False),
    sa.Column('source_kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('author', sa.String(length=256), nullable=True),
    sa.Column('parent_id', sa.String(length=512), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('fetched_at', UTC, nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=True),
    sa.Column('lang_supported', sa.Boolean(), nullable=False),
    sa.Column('nsfw', sa.Boolean(), nullable=False),
    sa.Column('stickied', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'external_id', name='uq_mentions_source_external_id')
    )
    op.create_index('ix_mentions_created_at', 'mentions', ['created_at'], unique=False)
    op.create_table('runs',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('flow', sa.String(length=64), nullable=False),
    sa.Column('started_at', UTC, nullable=False),
    sa.Column('finished_at', UTC, nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('watermarks',
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('source')
    )
    op.create_table('classifications',
    sa.Column('mention_id', Id, nullable=False),
    sa.Column('model_version', sa.String(length=64), nullable=False),
    sa.Column('moment', sa.String(length=32), nullable=False),
    sa.Column('moment_confidence', sa.Float(), nullable=False),
    sa.Column('sentiment', sa.String(length=16), nullable=False),
    sa.Column('sentiment_confidence', sa.Float(), nullable=False),
    sa.Column('probabilities', sa.JSON(), nullable=False),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('classified_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mention_id')
    )
    op.create_index('ix_classifications_model_version', 'classifications', ['model_version'], unique=False)
    op.create_index('ix_classifications_moment_sentiment', 'classifications', ['moment', 'sentiment'], unique=False)
    op.create_table('mention_brands',
    sa.Column('mention_id', Id, nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mention_id', 'brand')
    )
    op.create_index('ix_mention_brands_brand_created_at', 'mention_brands', ['brand', 'created_at'], unique=False)
    op.create_table('source_runs',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('run_id', Id, nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('fetched', sa.Integer(), nullable=False),
    sa.Column('new', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('finished_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_source_runs_source_finished_at', 'source_runs', ['source', 'finished_at'], unique=False)


def downgrade() -> None:
    for table in ("source_runs", "mention_brands", "classifications", "watermarks", "runs", "mentions"):
        op.drop_table(table)
