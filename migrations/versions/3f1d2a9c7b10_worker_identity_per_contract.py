"""worker name and phone per contract; the shared worker record keeps only the ID number

Revision ID: 3f1d2a9c7b10
Revises: e7a826140c2a
Create Date: 2026-12-01 23:55:00

Before this revision the worker was one shared row whose name and phone any employer's new
contract overwrote (employer B could redirect employer A's worker's SMS codes). Each contract
now carries the name and phone given on it; existing contracts get the values their worker
row holds now. Wrong one-time codes are counted per signing link (a new code no longer
resets the count). Queued SMS jobs addressed by ``worker_id`` get the phone copied into the job.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '3f1d2a9c7b10'
down_revision = 'e7a826140c2a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signing_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('otp_failures', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker_name', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('worker_phone_enc', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('worker_phone_masked', sa.String(length=11), nullable=True))
    conn = op.get_bind()
    workers = {row.id: row for row in conn.execute(sa.text(
        "SELECT id, name, phone_enc, phone_masked FROM workers"))}
    for cid, wid in conn.execute(sa.text("SELECT id, worker_id FROM contracts")).fetchall():
        w = workers[wid]
        conn.execute(sa.text("UPDATE contracts SET worker_name = :n, worker_phone_enc = :p, "
                             "worker_phone_masked = :m WHERE id = :id"),
                     {"n": w.name[:50], "p": w.phone_enc, "m": w.phone_masked, "id": cid})
    jobs = conn.execute(sa.text(
        "SELECT id, payload FROM jobs WHERE kind = 'sms' AND status IN ('queued', 'running')"))
    for jid, payload in jobs.fetchall():
        data = json.loads(payload) if isinstance(payload, str) else dict(payload)
        if "worker_id" in data and data["worker_id"] in workers:
            data["to_enc"] = workers[data.pop("worker_id")].phone_enc
            conn.execute(sa.text("UPDATE jobs SET payload = :p WHERE id = :id"),
                         {"p": json.dumps(data), "id": jid})
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.alter_column('worker_name', nullable=False)
        batch_op.alter_column('worker_phone_enc', nullable=False)
        batch_op.alter_column('worker_phone_masked', nullable=False)
        batch_op.create_index(batch_op.f('ix_contracts_worker_name'), ['worker_name'], unique=False)
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workers_name'))
        batch_op.drop_column('name')
        batch_op.drop_column('phone_enc')
        batch_op.drop_column('phone_masked')


def downgrade():
    with op.batch_alter_table('signing_links', schema=None) as batch_op:
        batch_op.drop_column('otp_failures')
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('phone_enc', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('phone_masked', sa.String(length=11), nullable=True))
    conn = op.get_bind()
    # The newest contract's values become the shared ones again (the pre-fix behaviour).
    rows = conn.execute(sa.text("SELECT worker_id, worker_name, worker_phone_enc, "
                                "worker_phone_masked FROM contracts ORDER BY id")).fetchall()
    for wid, name, phone_enc, masked in rows:
        conn.execute(sa.text("UPDATE workers SET name = :n, phone_enc = :p, phone_masked = :m "
                             "WHERE id = :id"), {"n": name, "p": phone_enc, "m": masked, "id": wid})
    conn.execute(sa.text("UPDATE workers SET name = '', phone_enc = '', phone_masked = '' "
                         "WHERE name IS NULL"))
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.alter_column('name', nullable=False)
        batch_op.alter_column('phone_enc', nullable=False)
        batch_op.alter_column('phone_masked', nullable=False)
        batch_op.create_index(batch_op.f('ix_workers_name'), ['name'], unique=False)
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_worker_name'))
        batch_op.drop_column('worker_phone_masked')
        batch_op.drop_column('worker_phone_enc')
        batch_op.drop_column('worker_name')
