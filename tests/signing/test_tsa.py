"""The built-in RFC 3161 time-stamping authority."""

from __future__ import annotations

import hashlib
import os

import pytest
from asn1crypto import algos, tsp

from signing import InProcessTimeStamper, TimestampError

from .conftest import need_tool, run


def _request(digest: bytes, *, algorithm: str = "sha256", nonce: int | None = 42,
             cert_req: bool = True, policy: str | None = None) -> bytes:
    req: dict = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": algos.DigestAlgorithm({"algorithm": algorithm}),
                            "hashed_message": digest},
        "cert_req": cert_req,
    }
    if nonce is not None:
        req["nonce"] = nonce
    if policy:
        req["req_policy"] = policy
    return tsp.TimeStampReq(req).dump()


def _status(response: bytes) -> tuple[str, set[str]]:
    from signing.tsa import _TimeStampResp

    status = _TimeStampResp.load(response)["status"]
    return status["status"].native, set(status["fail_info"].native or ())


def test_openssl_ts_verify_accepts_a_token(tsa, pem_files, tmp_path):
    need_tool("openssl")
    data = tmp_path / "contract.pdf"
    data.write_bytes(b"%PDF-1.4 the contract bytes")
    query = tmp_path / "q.tsq"
    run("openssl", "ts", "-query", "-data", data, "-sha256", "-cert", "-out", query)
    reply = tmp_path / "r.tsr"
    reply.write_bytes(tsa.respond(query.read_bytes()))
    verify = ("openssl", "ts", "-verify", "-CAfile", pem_files["root"],
              "-untrusted", pem_files["chain"])
    out = run(*verify, "-in", reply, "-queryfile", query)
    assert "Verification: OK" in out.stdout
    assert "Verification: OK" in run(*verify, "-in", reply, "-data", data).stdout
    text = run("openssl", "ts", "-reply", "-in", reply, "-text").stdout
    assert "Status: Granted." in text and "Accuracy: 0x01 seconds" in text
    assert f"Policy OID: {tsa.policy_oid}" in text


def test_token_echoes_nonce_uses_unique_serials_and_ess_cert_id_v2(tsa):
    digest = hashlib.sha256(b"x").digest()
    serials = []
    for nonce in (7, 8):
        resp = tsp.TimeStampResp.load(tsa.respond(_request(digest, nonce=nonce)))
        signed = resp["time_stamp_token"]["content"]
        info = signed["encap_content_info"]["content"].parsed
        assert info["nonce"].native == nonce
        assert info["message_imprint"]["hashed_message"].native == digest
        serials.append(info["serial_number"].native)
        attrs = {a["type"].native for a in signed["signer_infos"][0]["signed_attrs"]}
        assert "signing_certificate_v2" in attrs
        assert len(signed["certificates"]) == 2  # TSA + issuing CA (certReq honoured)
    assert serials[1] > serials[0]


def test_cert_req_false_sends_no_certificates(tsa):
    resp = tsp.TimeStampResp.load(tsa.respond(_request(b"\0" * 32, cert_req=False)))
    assert not resp["time_stamp_token"]["content"]["certificates"]


@pytest.mark.parametrize("request_der, fail_info", [
    (b"garbage", "bad_data_format"),
    (b"", "bad_data_format"),
    (_request(b"\0" * 20, algorithm="sha1"), "bad_alg"),
    (_request(b"\0" * 31), "bad_data_format"),
    (_request(b"\0" * 32, policy="1.2.3.4"), "unaccepted_policy"),
])
def test_bad_requests_get_a_rejection(tsa, request_der, fail_info):
    assert _status(tsa.respond(request_der)) == ("rejection", {fail_info})


def test_openssl_reads_the_rejection(tsa, tmp_path):
    need_tool("openssl")
    reply = tmp_path / "bad.tsr"
    reply.write_bytes(tsa.respond(os.urandom(40)))
    text = run("openssl", "ts", "-reply", "-in", reply, "-text").stdout
    assert "Status: Rejected." in text and "wrong format" in text


def test_in_process_timestamper_gives_pyhanko_a_token(tsa):
    import asyncio

    stamper = InProcessTimeStamper(tsa)
    token = asyncio.run(stamper.async_timestamp(hashlib.sha256(b"y").digest(), "sha256"))
    assert token["content_type"].native == "signed_data"


def test_in_process_timestamper_raises_on_rejection(tsa):
    import asyncio

    stamper = InProcessTimeStamper(tsa)
    with pytest.raises(TimestampError, match="rejected"):
        asyncio.run(stamper.async_timestamp(b"\0" * 20, "sha1"))


def test_tsa_refuses_a_certificate_for_another_key(tsa, platform_ca):
    from signing import TimeStampAuthority

    with pytest.raises(TimestampError):
        TimeStampAuthority(platform_ca.issuing_cert, tsa._key, policy_oid="1.2.3",
                           next_serial=lambda: 1)


@pytest.mark.parametrize("cert_req", [True, False])
def test_replies_assembled_from_der_pieces_are_strict_der(tsa, cert_req):
    """The reply is put together from pre-encoded DER (asn1crypto's dump of a SignedData with
    certificates is pathologically slow for some CAs): it must still parse strictly and
    re-encode to exactly the same bytes, with the certificates only when asked for."""
    der = tsa.respond(_request(hashlib.sha256(b"strict").digest(), cert_req=cert_req))
    resp = tsp.TimeStampResp.load(der, strict=True)
    native = resp.native
    assert native["status"]["status"] == "granted"
    signed = native["time_stamp_token"]["content"]
    assert signed["version"] == "v3" and signed["encap_content_info"]["content_type"] == "tst_info"
    certs = signed.get("certificates") or []
    assert (len(certs) == 2) is cert_req and (not certs) is (not cert_req)
    assert tsp.TimeStampResp.load(der).dump(force=True) == der  # re-encoded from its values
