"""Session-scoped PKI fixtures (owned by the signing work).

* ``pki_dir`` -- a temporary folder for the session's CA files;
* ``platform_ca`` -- a :class:`signing.PlatformCA` (CRLs under ``http://testserver``);
* ``cjk_font`` -- path of a single-face CJK ``.ttf``;
* ``tsa`` -- a :class:`signing.TimeStampAuthority` with a counter for serial numbers;
* ``contract_signer`` -- a B-LTA :class:`signing.ContractSigner` using the in-process TSA
  and fresh CRLs from ``platform_ca``;
* ``sample_terms`` -- a valid :class:`signing.ContractTerms`;
* ``signature_png`` -- a drawn signature (transparent PNG) as a phone would send it.
"""

from __future__ import annotations

import io
import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

PKI_PASSPHRASE = b"test-pki-passphrase"
CRL_BASE_URL = "http://testserver"


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Temporary folder holding the session's CA, TSA and font cache."""
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(scope="session")
def platform_ca(pki_dir: Path):
    """The platform CA, created once per session."""
    from signing import PlatformCA

    return PlatformCA.create(pki_dir / "ca", PKI_PASSPHRASE, crl_base_url=CRL_BASE_URL)


@pytest.fixture(scope="session")
def cjk_font(pki_dir: Path) -> str:
    """Path of a CJK TrueType font (split out of the installed .ttc once per session)."""
    from signing import find_cjk_font

    return find_cjk_font(cache_dir=pki_dir / "fonts")


@pytest.fixture(scope="session")
def tsa(platform_ca, pki_dir: Path):
    """The built-in RFC 3161 TSA, serial numbers from a counter."""
    from signing import load_or_create_tsa

    counter = itertools.count(1)
    return load_or_create_tsa(platform_ca, pki_dir / "ca", PKI_PASSPHRASE,
                              next_serial=lambda: next(counter))


@pytest.fixture(scope="session")
def contract_signer(platform_ca, cjk_font: str, tsa):
    """A B-LTA contract signer: in-process TSA, freshly built CRLs (nothing revoked)."""
    from signing import ContractSigner, InProcessTimeStamper

    return ContractSigner(
        platform_ca, cjk_font, timestamper=InProcessTimeStamper(tsa),
        crl_source=lambda: [platform_ca.build_crl(), platform_ca.build_root_crl()],
        level="B-LTA",
    )


@pytest.fixture(scope="session")
def sample_terms():
    """A complete fixed-term construction contract."""
    from signing import ContractTerms

    return ContractTerms(
        contract_no="HT-2026-000123",
        title="劳动合同（固定期限）",
        employer_name="湖南建工集团第三工程有限公司",
        employer_uscc="91110000600037341L",
        employer_address="湖南省长沙市长沙县星沙街道开元东路1号",
        employer_legal_rep="李建国",
        worker_name="王小明",
        worker_id_number="360426199101010071",
        worker_phone="13800138000",
        worker_address="江西省九江市德安县丰林镇丰林村12号",
        term_start=date(2026, 12, 1),
        term_end=date(2027, 11, 30),
        probation_months=1,
        probation_wage=Decimal("5200.00"),
        post="钢筋工",
        work_location="长沙县星沙产业园三期项目工地",
        hours_system="标准工时制",
        monthly_wage=Decimal("6500.00"),
        pay_day=15,
        social_insurance="甲方为乙方办理工伤保险，并依法参加养老、医疗、失业等社会保险。",
        labor_protection="甲方为乙方配备安全帽、安全带、防护手套和劳保鞋，高处作业按规范设置防护。",
        other_terms="甲方在施工现场设置维权信息告示牌，公示劳资专管员、工资支付日期和投诉渠道。",
    )


@pytest.fixture(scope="session")
def signature_png() -> bytes:
    """A drawn signature: dark strokes on a transparent 600x240 canvas."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.line([(40, 160), (120, 60), (180, 190), (260, 70), (330, 180), (420, 80), (560, 150)],
              fill=(20, 20, 70, 255), width=9, joint="curve")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()
