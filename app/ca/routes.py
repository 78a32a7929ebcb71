"""``/ca/root.pem``, ``/ca/crl``, ``/ca/root-crl`` and ``POST /tsa``."""

from cryptography.hazmat.primitives.serialization import Encoding
from flask import Response, request

from app.ca.blueprint import bp
from app.errors import AppError
from app.services.platform import pki


class UnsupportedMediaType(AppError):
    status, code = 415, "unsupported_media_type"


@bp.get("/ca/root.pem")
def root_pem():
    pem = pki.ca().root_cert.public_bytes(Encoding.PEM)
    return Response(pem, mimetype="application/x-pem-file",
                    headers={"Content-Disposition": 'attachment; filename="laborsign-root.pem"'})


@bp.get("/ca/issuing.pem")
def issuing_pem():
    return Response(pki.ca().issuing_cert.public_bytes(Encoding.PEM),
                    mimetype="application/x-pem-file")


@bp.get("/ca/crl")
def crl():
    return Response(pki.issuing_crl(), mimetype="application/pkix-crl")


@bp.get("/ca/root-crl")
def root_crl():
    return Response(pki.root_crl(), mimetype="application/pkix-crl")


@bp.post("/tsa")
def tsa():
    if request.mimetype != "application/timestamp-query":
        raise UnsupportedMediaType("Content-Type 必须是 application/timestamp-query")
    reply = pki.tsa().respond(request.get_data())
    return Response(reply, mimetype="application/timestamp-reply")
