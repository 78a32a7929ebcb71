"""The words of the contract: clauses covering every item of Labor Contract Law art. 17.

:class:`ContractTerms` (everything printed in a contract) and pure functions from it to
Chinese text; layout is in :mod:`signing.render`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["DEFAULT_LABOR_PROTECTION", "DEFAULT_SOCIAL_INSURANCE", "Clause", "ContractTerms",
           "clauses", "cn_date", "party_rows", "rmb", "rmb_upper"]

#: What the social-insurance and labor-protection terms say when HR leaves them as they are
#: (the templates' defaults). The built-in text's own paragraphs already say it, so
#: :func:`clauses` prints such a term once, not twice.
DEFAULT_SOCIAL_INSURANCE = "甲方依法为乙方办理养老、医疗、失业、工伤、生育保险，按时足额缴纳社会保险费。"
DEFAULT_LABOR_PROTECTION = ("甲方按国家规定提供劳动防护用品和安全生产教育培训，"
                            "保障乙方在劳动过程中的安全和健康。")

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")
_NUMERALS = "〇一二三四五六七八九十"


@dataclass(frozen=True)
class Clause:
    """One numbered clause: heading (e.g. ``合同期限``) and paragraphs."""

    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ContractTerms:
    """Everything printed in a contract (Labor Contract Law art. 17)."""

    contract_no: str
    title: str
    employer_name: str
    employer_uscc: str
    employer_address: str
    employer_legal_rep: str
    worker_name: str
    worker_id_number: str
    worker_phone: str
    worker_address: str
    term_start: date
    term_end: date | None  #: ``None``: open-ended, or task-based when the title says so
    probation_months: int
    probation_wage: Decimal
    post: str
    work_location: str
    hours_system: str
    monthly_wage: Decimal
    pay_day: int
    social_insurance: str
    labor_protection: str
    other_terms: str = ""
    #: The numbered clauses to print instead of :func:`signing.contract_text.clauses` (a
    #: template's own texts, or an amendment's, a termination's ...), already filled in.
    clause_texts: tuple[Clause, ...] | None = None
    #: The opening paragraph instead of :data:`signing.contract_text.PREAMBLE`.
    preamble: str | None = None
    #: The PDF's subject metadata.
    subject: str = "劳动合同"
    #: ``False`` for a statement of the employer alone (e.g. a termination certificate): the
    #: last page then carries only the employer's seal field, no worker signature field.
    worker_signs: bool = True


def cn_date(value: date) -> str:
    """Format a date as ``2026年1月5日``.

    :param value: the date.
    """
    return f"{value.year}年{value.month}月{value.day}日"


def _four_digits(n: int) -> str:
    out, zero = "", False
    for i, ch in enumerate(f"{n:04d}"):
        d = int(ch)
        unit = _SMALL_UNITS[3 - i]
        if d == 0:
            zero = bool(out)
        else:
            if zero:
                out += "零"
                zero = False
            out += _DIGITS[d] + unit
    return out


def rmb_upper(amount: Decimal) -> str:
    """Chinese capital amount as written on contracts and cheques, e.g. ``陆仟伍佰元整``.

    :param amount: a non-negative amount in yuan (rounded to fen).
    :raises ValueError: negative or too large (>= 10^16).
    """
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0 or amount >= Decimal(10) ** 16:
        raise ValueError(f"amount out of range: {amount}")
    fen_total = int(amount * 100)
    yuan, fen = divmod(fen_total, 100)
    jiao, fen = divmod(fen, 10)
    parts: list[str] = []
    groups = []
    while yuan:
        yuan, group = divmod(yuan, 10000)
        groups.append(group)
    text, pending_zero = "", False
    for idx in range(len(groups) - 1, -1, -1):
        group = groups[idx]
        if group == 0:
            pending_zero = bool(text)
            continue
        if text and (pending_zero or group < 1000):
            text += "零"
        text += _four_digits(group) + _BIG_UNITS[idx]
        pending_zero = False
    if text:
        parts.append(text + "元")
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif text and fen:
        parts.append("零")
    if fen:
        parts.append(_DIGITS[fen] + "分")
    if not parts:
        return "零元整"
    return "".join(parts) + ("" if fen else "整")


def rmb(amount: Decimal) -> str:
    """``人民币6,500.00元（大写：陆仟伍佰元整）``.

    :param amount: amount in yuan.
    """
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"人民币{value:,.2f}元（大写：{rmb_upper(value)}）"


def _cn_number(n: int) -> str:
    """Clause numbers: 一, 十, 十一, 二十三 (1-99)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _NUMERALS[ones]
    head = "" if tens == 1 else _NUMERALS[tens]
    return head + "十" + ("" if ones == 0 else _NUMERALS[ones])


def clause_label(index: int) -> str:
    """``第一条`` for index 1.

    :param index: 1-based clause number.
    """
    return f"第{_cn_number(index)}条"


def party_rows(t: ContractTerms) -> list[tuple[str, str]]:
    """Label/value rows describing both parties (art. 17 items 1-2).

    :param t: the contract terms.
    """
    return [
        ("甲方（用人单位）", t.employer_name),
        ("统一社会信用代码", t.employer_uscc),
        ("住所", t.employer_address),
        ("法定代表人（主要负责人）", t.employer_legal_rep),
        ("乙方（劳动者）", t.worker_name),
        ("居民身份证号码", t.worker_id_number),
        ("联系电话", t.worker_phone),
        ("住址", t.worker_address),
    ]


PREAMBLE = (
    "根据《中华人民共和国劳动法》《中华人民共和国劳动合同法》及有关法律法规的规定，甲乙双方"
    "遵循合法、公平、平等自愿、协商一致、诚实信用的原则，订立本合同，共同遵守本合同所列条款。"
)


def _term(t: ContractTerms) -> tuple[str, ...]:
    """Fixed term (art. 13), or without an end date: task-based (art. 15) or open-ended (14)."""
    start = cn_date(t.term_start)
    if t.term_end is not None:
        return (f"本合同为固定期限劳动合同，期限自{start}起至{cn_date(t.term_end)}止。",
                "本合同期满，劳动合同即行终止；双方同意续订的，应当在期满前依法续订。")
    if "任务" in t.title or "项目" in t.title:
        return (f"本合同为以完成一定工作任务为期限的劳动合同，自{start}起至{t.post}"
                f"工作任务完成时止，工作任务完成的标志以甲方项目验收为准。",)
    return (f"本合同为无固定期限劳动合同，自{start}起履行。",)


def _agreed(text: str, default: str) -> tuple[str, ...]:
    """The parties' own words on a term, unless they are the default the clause already says."""
    text = text.strip()
    return (text,) if text and text != default else ()


def clauses(t: ContractTerms) -> list[Clause]:
    """The numbered clauses of the contract, in order.

    :param t: the contract terms.
    """
    if t.probation_months > 0:
        probation = (
            f"试用期为{t.probation_months}个月，自{cn_date(t.term_start)}起计算，包含在本合同期限内。",
            f"试用期工资为每月{rmb(t.probation_wage)}，不低于本合同约定工资的百分之八十，"
            "并不低于甲方所在地的最低工资标准。",
        )
    else:
        probation = ("本合同不约定试用期。",)
    other = t.other_terms.strip() or "无。"
    return [
        Clause("合同期限", _term(t)),
        Clause("试用期", probation),
        Clause("工作内容和工作地点", (
            f"乙方同意根据甲方工作需要，从事{t.post}岗位工作，并按照岗位职责和要求完成工作任务。",
            f"乙方的工作地点为{t.work_location}。",
            "甲方调整乙方工作岗位或工作地点的，应当与乙方协商一致，并以书面形式变更本合同。",
        )),
        Clause("工作时间和休息休假", (
            f"乙方所在岗位执行{t.hours_system}。执行标准工时制的，乙方每日工作时间不超过八小时，"
            "平均每周工作时间不超过四十小时，甲方保证乙方每周至少休息一日。",
            "甲方因生产经营需要延长工作时间的，应当与工会和乙方协商，并依法安排补休或者支付加班费。",
            "乙方依法享有法定节假日、带薪年休假、婚丧假、产假等假期。",
        )),
        Clause("劳动报酬", (
            f"乙方正常工作时间的工资为每月{rmb(t.monthly_wage)}。",
            f"甲方于每月{t.pay_day}日前以货币形式足额支付乙方上月工资，不得克扣或者无故拖欠；"
            "遇法定节假日或者休息日的，应当提前在最近的工作日支付。",
            "乙方工资不低于劳动合同履行地的最低工资标准。",
        )),
        Clause("社会保险", (
            "甲乙双方依法参加养老、医疗、失业、工伤、生育保险，甲方按时足额缴纳社会保险费；"
            "乙方个人缴纳部分由甲方依法代扣代缴。",
            *_agreed(t.social_insurance, DEFAULT_SOCIAL_INSURANCE),
        )),
        Clause("劳动保护、劳动条件和职业危害防护", (
            "甲方按照国家规定为乙方提供符合国家规定的劳动安全卫生条件和必要的劳动防护用品，"
            "对乙方进行安全生产教育和培训，保障乙方在劳动过程中的安全和健康。",
            "乙方从事可能产生职业病危害作业的，甲方应当如实告知职业病危害及其后果、防护措施和待遇，"
            "并依法组织职业健康检查。",
            *_agreed(t.labor_protection, DEFAULT_LABOR_PROTECTION),
        )),
        Clause("劳动合同的变更、解除和终止", (
            "经甲乙双方协商一致，可以变更本合同约定的内容，变更应当采用书面形式。",
            "本合同的解除和终止，按照《中华人民共和国劳动合同法》第三十六条至第五十条的规定执行；"
            "甲方依法应当支付经济补偿的，按照国家有关规定支付。",
            "本合同解除或者终止时，甲方应当出具解除或者终止劳动合同的证明，"
            "并在十五日内为乙方办理档案和社会保险关系转移手续。",
        )),
        Clause("劳动争议处理", (
            "双方因履行本合同发生劳动争议的，可以协商解决，也可以向本单位劳动争议调解委员会申请调解；"
            "不愿协商、调解或者协商、调解不成的，可以向劳动合同履行地或者甲方所在地的劳动人事争议"
            "仲裁委员会申请仲裁；对仲裁裁决不服的，除法律另有规定外，可以依法向人民法院提起诉讼。",
        )),
        Clause("其他事项", (
            other,
            "本合同未尽事宜，按照国家和地方有关法律法规的规定执行。",
        )),
        Clause("合同的订立和生效", (
            "本合同以电子形式订立，自甲方加盖电子印章、乙方签署电子签名之日起生效。依照《中华人民共和国"
            "电子签名法》第十四条，双方的可靠电子签名与手写签名或者盖章具有同等的法律效力。",
            "乙方可以随时通过平台免费查看、下载和打印本合同全文。",
        )),
    ]
