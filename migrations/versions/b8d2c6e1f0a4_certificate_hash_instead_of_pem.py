"""signature events keep the SHA-256 of their certificate, not the PEM

The event certificate is embedded in the signed PDF (in the archive), so the database keeps
only its SHA-256 (of the DER), which binds the signature event to it; evidence packages take
the certificate from the archived PDF. About 1.7 KB less per filed contract. A downgrade
cannot restore the PEM text from a hash: it is refused.

Revision ID: b8d2c6e1f0a4
Revises: a3c9d4e5f6b7
Create Date: 2026-12-02 02:10:00

"""
import hashlib

import sqlalchemy as sa
from alembic import op
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

revision = 'b8d2c6e1f0a4'
down_revision = 'a3c9d4e5f6b7'
branch_labels = None
depends_on = None

events = sa.table("signature_events", sa.column("id", sa.Integer),
                  sa.column("certificate_pem", sa.String),
                  sa.column("certificate_sha256", sa.String))


def _sha256(pem: str) -> str:
    der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(Encoding.DER)
    return hashlib.sha256(der).hexdigest()


def upgrade():
    with op.batch_alter_table('signature_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_sha256', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    for row in conn.execute(sa.select(events.c.id, events.c.certificate_pem)).fetchall():
        conn.execute(events.update().where(events.c.id == row.id)
                     .values(certificate_sha256=_sha256(row.certificate_pem)))
    with op.batch_alter_table('signature_events', schema=None) as batch_op:
        batch_op.alter_column('certificate_sha256', nullable=False)
        batch_op.drop_column('certificate_pem')


def downgrade():
    raise RuntimeError("signature_events.certificate_pem cannot be rebuilt from a hash; "
                       "restore a backup taken before revision b8d2c6e1f0a4")
