#!/usr/bin/env python
"""Built-in TSA: milliseconds per RFC 3161 token across several freshly generated CAs.

asn1crypto's ``dump()`` of a constructed SignedData that holds certificates re-serialises
them recursively; for some generated CAs (0-40 % of tokens) that cost 0.5-2 s of CPU per
token. The TSA now assembles the reply from pre-encoded DER. This benchmark creates fresh
CAs every run so that such a cost can never hide behind one lucky CA, and times, side by
side on the same requests:

* ``platform`` -- :meth:`signing.TimeStampAuthority.respond` (certificates requested, as
  pyHanko always does);
* ``asn1crypto`` -- the same token built as one asn1crypto structure and dumped (the
  previous implementation, kept here as the baseline).

Usage: ``.venv/bin/python bench/tsa_tokens.py [--cas 8] [-n 40]``; the last line is JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asn1crypto import algos, cms, core, tsp  # noqa: E402
from asn1crypto import x509 as asn1_x509  # noqa: E402
from pyhanko.sign.general import simple_cms_attribute  # noqa: E402

from signing import PlatformCA, load_or_create_tsa  # noqa: E402
from signing.keys import signature_algorithm  # noqa: E402

URLS = ("http://x", "http://localhost", "http://127.0.0.1:5000", "https://ht.hunan.gov.cn",
        "http://10.0.0.1:8080/laborsign")


def request() -> bytes:
    """A TimeStampReq as pyHanko sends it: SHA-256 imprint, nonce, certificates requested."""
    return tsp.TimeStampReq({
        "version": "v1", "cert_req": True, "nonce": int.from_bytes(os.urandom(8), "big"),
        "message_imprint": {"hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                            "hashed_message": os.urandom(32)}}).dump()


def asn1crypto_reply(tsa, req_der: bytes) -> bytes:
    """The previous implementation: the whole reply built and dumped by asn1crypto."""
    req, md = tsa._parse(req_der)
    now = tsa._clock()
    info = {"version": "v1", "policy": tsa.policy_oid, "message_imprint": req["message_imprint"],
            "serial_number": tsa._next_serial(), "gen_time": now, "accuracy": tsa._accuracy,
            "tsa": asn1_x509.GeneralName.load(tsa._tsa_name_der), "nonce": req["nonce"]}
    tst_der = tsp.TSTInfo(info).dump()
    signed_attrs = cms.CMSAttributes([
        simple_cms_attribute("content_type", "tst_info"),
        simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(now)})),
        cms.CMSAttribute.load(tsa._ess_der),
        simple_cms_attribute("message_digest", hashlib.new(md, tst_der).digest())])
    digest_alg = algos.DigestAlgorithm({"algorithm": md})
    signer_info = cms.SignerInfo({
        "version": "v1", "sid": cms.SignerIdentifier.load(tsa._sid_der),
        "digest_algorithm": digest_alg, "signed_attrs": signed_attrs,
        "signature_algorithm": signature_algorithm(tsa._key, md),
        "signature": tsa._key.sign(signed_attrs.dump(), md)})
    signed_data = {"version": "v3", "digest_algorithms": [digest_alg], "signer_infos": [signer_info],
                   "encap_content_info": {"content_type": "tst_info",
                                          "content": cms.ParsableOctetString(tst_der)},
                   "certificates": [asn1_x509.Certificate.load(d) for d in tsa._certs_der]}
    token = cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed_data)})
    return tsp.TimeStampResp({"status": tsp.PKIStatusInfo({"status": "granted"}),
                              "time_stamp_token": token}).dump()


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def stats(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"median_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2),
            "max_ms": round(ordered[-1], 2), "over_100ms": sum(v > 100 for v in ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cas", type=int, default=8, help="fresh CAs to generate")
    parser.add_argument("-n", type=int, default=40, help="tokens per CA")
    args = parser.parse_args()
    serial = itertools.count(1)
    platform_all, legacy_all = [], []
    print(f"{'CA':>3} | {'platform median / p95 / max ms':>32} | {'asn1crypto median / p95 / max ms':>34}")
    for index in range(args.cas):
        folder = Path(tempfile.mkdtemp(prefix="bench-tsa-"))
        # CRL URLs of varied lengths (they end up in the certificates): how slow asn1crypto
        # gets depends on the certificates' bytes, so every run covers several shapes.
        url = URLS[index % len(URLS)] + "/x" * (index // len(URLS))
        ca = PlatformCA.create(folder, b"bench", crl_base_url=url)
        tsa = load_or_create_tsa(ca, folder, b"bench", next_serial=lambda: next(serial))
        platform, legacy = [], []
        for _ in range(args.n):
            req = request()
            platform.append(timed(tsa.respond, req))
            legacy.append(timed(asn1crypto_reply, tsa, req))
        platform_all += platform
        legacy_all += legacy
        p, q = stats(platform), stats(legacy)
        print(f"{index:>3} | {p['median_ms']:>9.2f} / {p['p95_ms']:>8.2f} / {p['max_ms']:>8.2f} | "
              f"{q['median_ms']:>10.2f} / {q['p95_ms']:>8.2f} / {q['max_ms']:>9.2f}")
    p, q = stats(platform_all), stats(legacy_all)
    print(f"all | platform {p} | asn1crypto {q}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"bench": "tsa_tokens", "cas": args.cas, "tokens_per_ca": args.n,
                      "platform": p, "asn1crypto": q, "peak_rss_mb": round(peak, 1)}))


if __name__ == "__main__":
    main()
