"""The whole platform path through HTTP, per contract: create → seal & send → SMS code →
verify → sign → automatic filing, next to the bare library pipeline (render + seal + sign +
archive) on the same signer in the same run, so the app's own overhead is visible.

Prints wall time and this process's CPU time per contract for both, and their ratios; the last
line is one JSON object. Responses are not re-validated against their models (as in production).

Usage: python bench/app_pipeline.py [-n 20] [--database-url postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import resource
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

STEPS = ("create", "send", "otp", "verify", "sign+file")


def stats(values: list[float]) -> tuple[float, float]:
    """Median and 95th percentile."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def term(today=None) -> tuple[date, date]:
    """A two-year term starting in a week (the rule engine warns about terms that began more
    than a month before they were written, so a fixed date would age badly)."""
    start = (today or date.today()) + timedelta(days=7)
    try:
        end = start.replace(year=start.year + 2) - timedelta(days=1)
    except ValueError:  # 29 February
        end = date(start.year + 2, 2, 28)
    return start, end


def payload(i: int) -> dict:
    """Contract ``i``: its own worker (a new person every i: one worker's contracts may not
    overlap), the same terms otherwise."""
    from app.domain.ids import id_with_check

    born = date(1991, 1, 1) + timedelta(days=i // 1000)
    body = f"360426{born:%Y%m%d}{i % 1000:03d}"
    start, end = term()
    return {"worker_name": f"工人{i}", "worker_id_number": id_with_check(body),
            "worker_phone": f"138{i:08d}", "worker_address": "湖南省长沙县星沙街道",
            "term_start": start.isoformat(),
            "term_end": end.isoformat(),
            "probation_months": "2", "probation_wage": "4800", "post": "钢筋工",
            "work_location": "长沙县星沙产业园", "hours_system": "standard", "monthly_wage": "6000",
            "pay_day": "15", "social_insurance": "五险", "labor_protection": "安全帽、安全带"}


def last_code(outbox: Path, phone: str) -> str:
    for line in reversed(outbox.read_text("utf-8").splitlines()):
        row = json.loads(line)
        if row["to"] == phone and (m := re.search(r"验证码为(\d{6})", row["text"])):
            return m.group(1)
    raise RuntimeError("no code")


def make_app(folder: Path, database_url: str | None):
    from flask_migrate import upgrade

    from app import create_app
    from config import TestConfig

    url = database_url or f"sqlite:///{folder / 'bench.db'}"
    app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                      "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(folder),
                      "PKI_DIR": str(folder / "pki"), "ARCHIVE_ROOT": str(folder / "archive"),
                      "SMS_OUTBOX": str(folder / "sms.jsonl"), "SIGN_IDENTITY_LIMIT": "off",
                      "LOGIN_RATE_LIMIT": "off",
                      # as in production: answers are not re-validated against their models
                      "API_VALIDATE_RESPONSES": False})
    with app.app_context():
        upgrade()
    return app


def run_http(app, folder: Path, n: int) -> dict[str, list[float]]:
    from app.extensions import db
    from app.services.accounts import accounts, apikeys

    with app.app_context():
        org = accounts.add_organization(name="湖南星城建设工程有限公司", uscc="91110000600037341L",
                                        address="长沙县", legal_rep="李建国")
        key = apikeys.create_key(org, "bench")
        db.session.commit()
    auth = {"Authorization": f"Bearer {key}"}
    client, outbox = app.test_client(), folder / "sms.jsonl"
    times: dict[str, list[float]] = {s: [] for s in (*STEPS, "total", "cpu")}
    for i in range(n + 2):
        p, t, cpu = payload(i), [time.perf_counter()], time.process_time()
        cid = client.post("/api/v1/contracts", json=p, headers=auth).get_json()["id"]
        t.append(time.perf_counter())
        url = client.post(f"/api/v1/contracts/{cid}/send", headers=auth).get_json()["signing_url"]
        token = url.rsplit("/", 1)[1]
        t.append(time.perf_counter())
        client.post(f"/api/v1/sign/{token}/otp",
                    json={"name": p["worker_name"], "id_number": p["worker_id_number"]})
        t.append(time.perf_counter())
        session = client.post(f"/api/v1/sign/{token}/verify",
                              json={"code": last_code(outbox, p["worker_phone"])}).get_json()
        t.append(time.perf_counter())
        done = client.post(f"/api/v1/sign/{token}", json={
            "session": session["session"], "signature": SIGNATURE, "consent": True}).get_json()
        t.append(time.perf_counter())
        assert done["status"] == "signed", done  # the filing job ran right after the answer
        assert client.get(f"/api/v1/contracts/{cid}", headers=auth).get_json()["status"] == "filed"
        if i < 2:
            continue
        for step, a, b in zip(STEPS, t, t[1:], strict=False):
            times[step].append((b - a) * 1000)
        times["total"].append((t[-1] - t[0]) * 1000)
        times["cpu"].append((time.process_time() - cpu) * 1000)
    return times


def run_library(app, n: int) -> dict[str, list[float]]:
    """The same signer, no web layer, no database: render, seal, sign, archive put."""
    from app.services.platform import pki
    from archive import LocalObjectStore
    from signing import ContractTerms, render_contract_pdf

    png = __import__("base64").b64decode(SIGNATURE.split(",", 1)[1])
    out: dict[str, list[float]] = {"total": [], "cpu": []}
    with app.app_context(), tempfile.TemporaryDirectory() as tmp:
        signer, font, store = pki.signer(), pki.font(), LocalObjectStore(Path(tmp))
        for i in range(n + 2):
            from decimal import Decimal

            terms = ContractTerms(
                contract_no=f"HT{i:06d}", title="劳动合同（固定期限）",
                employer_name="湖南星城建设工程有限公司",
                employer_uscc="91110000600037341L", employer_address="长沙县", employer_legal_rep="李建国",
                worker_name=f"工人{i}", worker_id_number="360426199101010071", worker_phone="13800138000",
                worker_address="", term_start=term()[0], term_end=term()[1],
                probation_months=2, probation_wage=Decimal("4800"), post="钢筋工", work_location="长沙县",
                hours_system="标准工时制", monthly_wage=Decimal("6000"), pay_day=15,
                social_insurance="五险", labor_protection="安全帽")
            t0, cpu = time.perf_counter(), time.process_time()
            pdf = render_contract_pdf(terms, font)
            sealed = signer.seal_employer(pdf, org_name=terms.employer_name, uscc=terms.employer_uscc,
                                          seal_image=pki.seal_image(terms.employer_name))
            signed = signer.sign_worker(sealed.pdf, name=terms.worker_name,
                                        id_hash=hashlib.sha256(b"x").hexdigest(), signature_png=png)
            store.put(f"f/{i}/contract.pdf", signed.pdf, content_type="application/pdf")
            if i >= 2:
                out["total"].append((time.perf_counter() - t0) * 1000)
                out["cpu"].append((time.process_time() - cpu) * 1000)
    return out


def _signature() -> str:
    import base64
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (600, 260), (255, 255, 255, 0))
    ImageDraw.Draw(img).line([(60, 180), (160, 60), (240, 200), (330, 70), (540, 90)],
                             fill=(17, 17, 17, 255), width=8)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


SIGNATURE = _signature()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL admin URL; a scratch database is created and dropped")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    scratch, admin = None, None
    db_url = None
    if args.database_url:
        scratch = f"laborsign_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
        db_url = args.database_url.rsplit("/", 1)[0] + f"/{scratch}"
    try:
        with tempfile.TemporaryDirectory(prefix="appbench-") as folder:
            app = make_app(Path(folder), db_url)
            library = run_library(app, args.n)
            http = run_http(app, Path(folder), args.n)
            with app.app_context():
                from app.extensions import db

                db.engine.dispose()
    finally:
        if scratch:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{args.n} contracts through the HTTP API on {backend} (test client, jobs inline), "
          f"ms median / p95")
    for step in (*STEPS, "total"):
        med, p95 = stats(http[step])
        print(f"  {step:10s} {med:7.1f} / {p95:7.1f}")
    lib_med, lib_p95 = stats(library["total"])
    total = stats(http["total"])[0]
    cpu_http, cpu_lib = stats(http["cpu"])[0], stats(library["cpu"])[0]
    print(f"  {'library':10s} {lib_med:7.1f} / {lib_p95:7.1f}   (render + seal + sign + archive, "
          f"no web layer, no database)")
    print(f"  app overhead per contract: {total - lib_med:.1f} ms ({total / lib_med:.2f}x the library); "
          f"throughput {1000 / total:.1f} contracts/s on one process")
    print(f"  CPU of this process per contract (median): HTTP path {cpu_http:.1f} ms, library "
          f"{cpu_lib:.1f} ms ({cpu_http / cpu_lib:.2f}x; wall time also waits for fsync)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS {rss:.0f} MB")
    print(json.dumps({
        "bench": "app_pipeline", "database": backend, "n": args.n,
        "http_ms": {step: dict(zip(("median", "p95"), (round(v, 1) for v in stats(http[step])),
                                   strict=True)) for step in (*STEPS, "total")},
        "library_ms": {"median": round(lib_med, 1), "p95": round(lib_p95, 1)},
        "ratio_wall": round(total / lib_med, 2), "cpu_ms": {"http": round(cpu_http, 1),
                                                            "library": round(cpu_lib, 1)},
        "ratio_cpu": round(cpu_http / cpu_lib, 2), "peak_rss_mb": round(rss)}, ensure_ascii=False))


if __name__ == "__main__":
    main()


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """A CSV file's bytes (CRLF lines), as an import upload carries them."""
    return ("\r\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows])
            + "\r\n").encode()


def contractor_hr():
    """A general contractor (湖南星城建设工程有限公司) and its HR user ``hr``, committed; the
    user's principal (the wage benches create their projects as it)."""
    from app.extensions import db
    from app.models import User
    from app.services.accounts import accounts
    from app.services.platform.principal import of_user

    org = accounts.add_organization(name="湖南星城建设工程有限公司", uscc="91110000600037341L",
                                    address="长沙县", legal_rep="李建国")
    accounts.add_user(username="hr", password="pw-123456", role="employer_hr",
                      display_name="王人事", organization=org)
    db.session.commit()
    return of_user(db.session.scalar(sa.select(User).where(User.username == "hr")))
