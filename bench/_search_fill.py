"""Bulk fill of a scratch PostgreSQL database for bench/archive_search.py: employers, projects,
workers, labor contracts with their amendments and terminations, and filings, generated in
Python streams and written with COPY (no ORM, nothing per row but a text line).

Distributions: 5,000 employers of Zipf-like sizes (the largest holds tens of thousands of
contracts, most a few dozen), 90 % under region 4301 (8 districts and counties) and the rest
under 4302 (outside a 4301 auditor's scope); surnames by frequency (the 30 commonest cover
about 70 % of people) with one- or two-character given names; five contract kinds; signing
dates over five years (2022–2026, ids growing with time as in production: an amendment or
termination gets its id when it is signed, among the contracts of its day, and carries its
contract's worker); about 8 % of contracts amended, 12 % terminated (with a termination document
unless it falls after the end of the five years), a few unsigned or declined.
ID numbers are real-shaped (region, birth date, check character) and stored as the keyed hash
the search uses (app.pii.keyed_hash); phones and ID ciphertexts are placeholders (the search
never decrypts them).
"""

from __future__ import annotations

import io
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
            "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
            "万钱严覃武戴莫孔向汤")
DOUBLE_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红建国文辉鹏飞宇浩然子轩梓涵欣怡"
         "佳琪雨萱思远志强海燕春梅秋菊晓东国庆建华永红德胜金凤家豪俊杰丹丹婷婷晨阳博文")
REGIONS_4301 = ("430102", "430103", "430104", "430105", "430111", "430112", "430121", "430181")
REGIONS_OTHER = ("430202", "430211")
KINDS = ("fixed_term", "open_ended", "project_based", "part_time", "construction_simple")
KIND_WEIGHTS = (55, 10, 10, 8, 17)
INDUSTRY = ("建设工程", "劳务", "机械制造", "食品", "物流", "电子科技", "餐饮管理", "物业服务", "纺织",
            "建材", "医药", "商贸")
START = datetime(2022, 1, 1, tzinfo=UTC)
SPAN_S = 5 * 365 * 86400
BORN = datetime(1965, 1, 1)


def _tsv(rows: Iterator[tuple]) -> Iterator[bytes]:
    buf = io.StringIO()
    for n, row in enumerate(rows, 1):
        buf.write("\t".join("\\N" if v is None else str(v) for v in row))
        buf.write("\n")
        if n % 20000 == 0:
            yield buf.getvalue().encode()
            buf = io.StringIO()
    yield buf.getvalue().encode()


def copy(conn, table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> None:
    """COPY ``rows`` into ``table`` through psycopg's copy, in chunks of 20,000 lines."""
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for chunk in _tsv(rows):
            cp.write(chunk)


def _surname(rng: random.Random) -> str:
    if rng.random() < 0.01:
        return rng.choice(DOUBLE_SURNAMES)
    # Zipf over the frequency-ordered surnames: 王, 李, 张 lead as in China
    return SURNAMES[min(int(rng.paretovariate(0.9)) - 1, len(SURNAMES) - 1)]


def person_name(rng: random.Random) -> str:
    """A Chinese name: a surname by frequency and one or two given characters."""
    return _surname(rng) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def fill(conn, n_contracts: int, hashed: Callable[[str], str], id_with_check: Callable[[str], str],
         seed: int = 22) -> dict:
    """Fill the tables; returns what the measured searches need (sample values), also kept in
    the table ``bench_sample`` for a later run on the same database (:func:`load_sample`)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = datetime(2026, 12, 1, tzinfo=UTC).isoformat()
    n_orgs, n_projects, n_workers = 5000, 300, int(n_contracts * 0.7)
    orgs = []
    for i in range(1, n_orgs + 1):
        region = rng.choice(REGIONS_4301) if rng.random() < 0.9 else rng.choice(REGIONS_OTHER)
        name = f"湖南{person_name(rng)[1:]}{rng.choice(INDUSTRY)}有限公司{i:04d}"
        orgs.append((i, name, f"9143{region[2:4]}00{i:09d}X"[:18].ljust(18, "0"), "长沙", "法人",
                     region, now, "approved"))
    copy(conn, "organizations", ("id", "name", "uscc", "address", "legal_rep", "region_code",
                                 "created_at", "status"), iter(orgs))
    weights = [1 / (rank ** 1.07) for rank in range(1, n_orgs + 1)]
    rng.shuffle(weights)  # big employers anywhere in the id range
    builders = [i for i in range(1, n_orgs + 1) if "建设" in orgs[i - 1][1] or "劳务" in orgs[i - 1][1]]
    projects = [(j, rng.choice(builders), f"长沙{rng.choice(INDUSTRY)}项目{j:03d}标段",
                 orgs[0][5], f"430100{j:06d}", "建设单位", "1000000.00", "2023-01-01",
                 "2027-12-31", "专管员", "x", "138****0000", "102", "x", "6222****0000", "项目",
                 "none", "0", 15, "bench", now) for j in range(1, n_projects + 1)]
    copy(conn, "projects", ("id", "contractor_id", "name", "region_code", "permit_no", "builder",
                            "contract_amount", "start_date", "planned_end", "officer_name",
                            "officer_phone_enc", "officer_phone_masked", "wage_bank_code",
                            "wage_account_enc", "wage_account_masked", "wage_account_holder",
                            "deposit_kind", "deposit_amount", "pay_day", "created_by",
                            "created_at"), iter(projects))
    names, ids = [], []

    def workers():
        for w in range(1, n_workers + 1):
            born = BORN + timedelta(days=(w // 1000) * 19)  # (birth date, sequence): unique
            body = f"{rng.choice(REGIONS_4301)}{born:%Y%m%d}{w % 1000:03d}"
            number = id_with_check(body)
            names.append(person_name(rng))
            if w % 997 == 0:
                ids.append(number)
            yield (w, hashed(number), "bench", number[:4] + "*" * 10 + number[-4:], now)
    copy(conn, "workers", ("id", "id_hash", "id_number_enc", "id_masked", "created_at"), workers())
    org_of = rng.choices(range(1, n_orgs + 1), weights=weights, k=n_contracts)
    kinds = rng.choices(KINDS, weights=KIND_WEIGHTS, k=n_contracts)
    times = sorted(rng.random() for _ in range(n_contracts))
    filings, docs = [], []
    sample = {"worker_names": [], "filing_numbers": [], "projects": [], "ids": ids}

    end = START + timedelta(seconds=SPAN_S)
    plan = []  # per labor contract (in time order): status, worker, project, signing time

    for i in range(n_contracts):
        w = i + 1 if i < n_workers else rng.randint(1, n_workers)
        signed = START + timedelta(seconds=int(times[i] * SPAN_S))
        roll = rng.random()
        status = ("filed" if roll < 0.80 else "terminated" if roll < 0.92 else
                  "expired" if roll < 0.96 else "signed" if roll < 0.975 else
                  "sent" if roll < 0.99 else "declined")
        project = rng.randint(1, n_projects) if kinds[i] in ("construction_simple",
                                                             "project_based") else None
        if status == "terminated":
            docs.append((signed + timedelta(days=rng.randint(30, 900)), i, "termination"))
        elif status == "filed" and rng.random() < 0.08:
            docs.append((signed + timedelta(days=rng.randint(30, 700)), i, "amendment"))
        if i % 3001 == 0:
            sample["worker_names"].append(names[w - 1])
        if project and len(sample["projects"]) < 50 and i % 7 == 0:
            sample["projects"].append(projects[project - 1][2])
        plan.append((status, w, project, signed))
    # documents dated after the end of the fill have not happened yet
    docs = sorted(d for d in docs if d[0] < end)

    def contracts():
        """Labor contracts and their amendments/terminations, ids growing with time (a
        document comes after its contract, between the contracts signed meanwhile)."""
        ids = [0] * n_contracts
        next_doc, cid = 0, 0
        for i, (status, w, project, signed) in enumerate(plan):
            while next_doc < len(docs) and docs[next_doc][0] <= signed:
                cid += 1
                yield _document(cid, docs[next_doc], ids)
                next_doc += 1
            cid += 1
            ids[i] = cid
            if status in ("filed", "terminated", "expired"):
                filings.append((cid, signed))
            signed_at = signed.isoformat() if status not in ("sent", "declined") else None
            yield (cid, f"HT{cid:010d}", org_of[i], w, names[w - 1], "bench", "138****0000",
                   kinds[i], 1, "{}", status, (signed - timedelta(days=2)).isoformat(), signed_at,
                   1, "contract", None, project)
        for doc in docs[next_doc:]:
            cid += 1
            yield _document(cid, doc, ids)

    def _document(cid: int, doc: tuple, ids: list[int]) -> tuple:
        when, i, doc_kind = doc
        filings.append((cid, when))
        w = plan[i][1]
        return (cid, f"HT{cid:010d}", org_of[i], w, names[w - 1], "bench", "138****0000",
                kinds[i], 1, "{}", "filed", when.isoformat(), when.isoformat(), 1, doc_kind,
                ids[i], None)
    copy(conn, "contracts", ("id", "contract_no", "organization_id", "worker_id", "worker_name",
                             "worker_phone_enc", "worker_phone_masked", "template",
                             "template_version", "terms", "status", "created_at", "signed_at",
                             "version", "document_kind", "parent_id", "project_id"), contracts())

    def filing_rows():
        for n, (cid, when) in enumerate(filings, 1):
            number = f"BA{when.year}{n:09d}"
            if n % 4999 == 0:
                sample["filing_numbers"].append(number)
            yield (n, number, cid, "k", "k", "k", "0" * 64, "0" * 64,
                   (when + timedelta(days=365 * 30)).isoformat(), when.isoformat())
    copy(conn, "filings", ("id", "number", "contract_id", "pdf_key", "manifest_key", "audit_key",
                           "sha256", "manifest_sha256", "retain_until", "archived_at"),
         filing_rows())
    with conn.cursor() as cur:
        for table in ("organizations", "projects", "workers", "contracts", "filings"):
            cur.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
    conn.commit()
    sizes = sorted(((c, o) for o, c in Counter(org_of).items()), reverse=True)
    sample.update(orgs=orgs, biggest=sizes[:3], median_org=sizes[len(sizes) // 2],
                  small=[o for c, o in sizes if 20 <= c <= 60][:3],
                  documents=len(docs), filings=len(filings),
                  load_s=round(time.perf_counter() - started, 1))
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE bench_sample (doc text)")
        cur.execute("INSERT INTO bench_sample VALUES (%s)", (json.dumps(sample),))
    conn.commit()
    return sample


def load_sample(conn) -> dict:
    """The sample values :func:`fill` kept in the database."""
    with conn.cursor() as cur:
        cur.execute("SELECT doc FROM bench_sample")
        return json.loads(cur.fetchone()[0])

