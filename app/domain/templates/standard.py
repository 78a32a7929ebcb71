"""The five standard templates as data, as new contracts get them (the platform's newest
standard version of each kind).

Each template: kind, title, English title, typed fields and clause texts with named
placeholders (``%(post)s``) filled from the typed values by :func:`app.domain.templates.fill`.
Migrations publish frozen copies: version 1 of every kind
(migrations/versions/data/standard_templates_v1.json), then version 2 of the construction
contract (data/standard_templates_v2.json: its end date and a piece rate's usual output
printed); a test keeps the newest frozen copy of each kind equal to this data. Platform admins
publish later versions in the database. (The name ``STANDARD_V1`` is historical.)
"""

from __future__ import annotations

from signing.contract_text import DEFAULT_LABOR_PROTECTION as LABOR_PROTECTION
from signing.contract_text import DEFAULT_SOCIAL_INSURANCE as SOCIAL_INSURANCE

WAGE_FORMS = {"monthly": "按月计发", "daily": "按日计发", "piece_rate": "按工程量（计件）计发"}
#: The English of the default clause texts, for the English reading and preview (the signed
#: PDF stays Chinese): a term left at its default reads in English, one HR typed as typed.
DEFAULTS_EN = {
    SOCIAL_INSURANCE: "The employer enrolls the worker in pension, medical, unemployment, "
                      "work-injury and maternity insurance and pays the contributions in full "
                      "and on time.",
    LABOR_PROTECTION: "The employer provides protective equipment and work-safety training as "
                      "the state requires, and protects the worker's safety and health at work.",
}


def _f(name: str, type_: str, label: str, required: bool = True, **extra) -> dict:
    return {"name": name, "type": type_, "label": label, "required": required, **extra}


PARTIES = [
    _f("worker_name", "text", "劳动者姓名", limit=50),
    _f("worker_id_number", "id_number", "身份证号码"),
    _f("worker_phone", "phone", "手机号码"),
    _f("worker_address", "text", "劳动者住址", limit=200, multiline=True),
    _f("term_start", "date", "合同开始日期"),
]
COMMON_END = [
    _f("social_insurance", "text", "社会保险", limit=500, multiline=True,
       default=SOCIAL_INSURANCE),
    _f("labor_protection", "text", "劳动保护", limit=500, multiline=True,
       default=LABOR_PROTECTION),
    _f("other_terms", "text", "其他约定", False, limit=2000, multiline=True),
]
HOURS = _f("hours_system", "choice", "工时制度", choices={
    "standard": "标准工时制", "comprehensive": "综合计算工时制", "flexible": "不定时工作制"})
POST = [_f("post", "text", "工作岗位", limit=100), _f("work_location", "text", "工作地点", limit=200)]
MONTHLY = [_f("monthly_wage", "money", "月工资", maximum="1000000"),
           _f("pay_day", "integer", "发薪日", minimum=1, maximum=31)]
PROBATION = [_f("probation_months", "integer", "试用期", False, minimum=0, maximum=6),
             _f("probation_wage", "money", "试用期工资", False, maximum="1000000")]
NON_COMPETE = [_f("non_compete_months", "integer", "竞业限制期限（月）", False, minimum=0,
                  maximum=120),
               _f("confidential_role", "yes_no", "负有保密义务的岗位", False)]


def _c(heading: str, *paragraphs: str, required: bool = True, heading_en: str = "",
       en: tuple[str, ...] = (), **condition: str) -> dict:
    """A clause; ``if_filled="term_end"`` / ``if_empty="term_end"``: printed only when that
    field has a value / has none (see :func:`app.domain.templates.fill`)."""
    return {"heading": heading, "paragraphs": list(paragraphs), "required": required,
            "heading_en": heading_en, "paragraphs_en": list(en), **condition}


WORK = _c("工作内容和工作地点",
          "乙方同意根据甲方工作需要，从事%(post)s岗位工作，并按照岗位职责和要求完成工作任务。",
          "乙方的工作地点为%(work_location)s。",
          heading_en="Work and place of work",
          en=("The worker agrees to work in the post of %(post)s as the employer requires.",
              "The place of work is %(work_location)s."))
HOURS_CLAUSE = _c("工作时间和休息休假",
                  "乙方所在岗位执行%(hours_system)s。甲方保证乙方每周至少休息一日。",
                  "乙方依法享有法定节假日、带薪年休假、婚丧假、产假等假期。",
                  heading_en="Working hours, rest and leave",
                  en=("The post follows the %(hours_system)s.",
                      "The worker is entitled to public holidays and statutory leave."))
PAY = _c("劳动报酬", "乙方正常工作时间的工资为每月%(monthly_wage)s。",
         "甲方于每月%(pay_day)s日前以货币形式足额支付乙方上月工资，不得克扣或者无故拖欠。",
         heading_en="Pay", en=("The monthly wage is %(monthly_wage)s.",
                               "The employer pays the wage by day %(pay_day)s of each month."))
INSURANCE = _c("社会保险", "%(social_insurance)s", heading_en="Social insurance",
               en=("%(social_insurance)s",))
PROTECTION = _c("劳动保护、劳动条件和职业危害防护", "%(labor_protection)s",
                heading_en="Labor protection", en=("%(labor_protection)s",))
DISPUTES = _c("劳动争议处理",
              "双方因履行本合同发生劳动争议的，可以协商解决，也可以申请调解、向劳动人事争议仲裁委员会"
              "申请仲裁；对仲裁裁决不服的，除法律另有规定外，可以依法向人民法院提起诉讼。",
              heading_en="Labor disputes",
              en=("Disputes go to negotiation, mediation, labor arbitration and then the courts.",))
OTHER = _c("其他事项", "%(other_terms)s", "本合同未尽事宜，按照国家和地方有关法律法规的规定执行。",
           required=False, heading_en="Other terms",
           en=("%(other_terms)s", "Matters not covered follow the applicable laws."))
SIGNING = _c("合同的订立和生效",
             "本合同以电子形式订立，自甲方加盖电子印章、乙方签署电子签名之日起生效。",
             heading_en="Conclusion and effect",
             en=("This contract is concluded electronically and takes effect when both sides "
                 "have signed.",))


WAGE_ACCOUNT = "工资通过本项目的农民工工资专用账户（%(wage_account)s）直接支付到乙方本人银行账户。"
WAGE_ACCOUNT_EN = ("Paid from the project's dedicated migrant-worker wage account "
                   "(%(wage_account)s) into the worker's own bank account.")


def _term(text: str, en: str, **condition: str) -> dict:
    return _c("合同期限", text, heading_en="Term", en=(en,), **condition)


STANDARD_V1: list[dict] = [
    {"kind": "fixed_term", "title": "劳动合同（固定期限）", "title_en": "Fixed-term labor contract",
     "fields": [*PARTIES, _f("term_end", "date", "合同终止日期"), *PROBATION, *POST, HOURS,
                *MONTHLY, *COMMON_END, *NON_COMPETE],
     "clauses": [_term("本合同为固定期限劳动合同，期限自%(term_start)s起至%(term_end)s止。",
                       "A fixed-term contract from %(term_start)s to %(term_end)s."),
                 WORK, HOURS_CLAUSE, PAY, INSURANCE, PROTECTION, DISPUTES, OTHER, SIGNING]},
    {"kind": "open_ended", "title": "劳动合同（无固定期限）",
     "title_en": "Open-ended labor contract",
     "fields": [*PARTIES, *PROBATION, *POST, HOURS, *MONTHLY, *COMMON_END, *NON_COMPETE],
     "clauses": [_term("本合同为无固定期限劳动合同，自%(term_start)s起履行。",
                       "An open-ended contract from %(term_start)s."),
                 WORK, HOURS_CLAUSE, PAY, INSURANCE, PROTECTION, DISPUTES, OTHER, SIGNING]},
    {"kind": "project_based", "title": "劳动合同（以完成一定工作任务为期限）",
     "title_en": "Labor contract for a defined task",
     "fields": [*PARTIES, _f("task_name", "text", "工作任务", limit=200), *POST, HOURS, *MONTHLY,
                *COMMON_END],
     "clauses": [_term("本合同为以完成一定工作任务为期限的劳动合同，自%(term_start)s起至%(task_name)s"
                       "工作任务完成时止。本合同不约定试用期。",
                       "A contract from %(term_start)s until the task %(task_name)s is done; "
                       "no probation."),
                 WORK, HOURS_CLAUSE, PAY, INSURANCE, PROTECTION, DISPUTES, OTHER, SIGNING]},
    {"kind": "part_time", "title": "非全日制用工劳动合同", "title_en": "Part-time labor contract",
     "fields": [*PARTIES, *POST,
                _f("hourly_wage", "money", "小时工资", maximum="10000"),
                _f("hours_per_day", "integer", "每日工作小时数", minimum=1, maximum=24),
                _f("hours_per_week", "integer", "每周工作小时数", minimum=1, maximum=168),
                _f("pay_cycle_days", "integer", "结算周期（天）", minimum=1, maximum=31),
                *COMMON_END],
     "clauses": [_term("本合同为非全日制用工劳动合同，自%(term_start)s起履行，不约定试用期。",
                       "A part-time contract from %(term_start)s, without probation."),
                 WORK,
                 _c("工作时间和劳动报酬",
                    "乙方每日工作%(hours_per_day)s小时，每周工作%(hours_per_week)s小时。",
                    "小时工资为%(hourly_wage)s，每%(pay_cycle_days)s日结算一次，结算周期最长不超过十五日。",
                    heading_en="Hours and pay",
                    en=("%(hours_per_day)s hours a day, %(hours_per_week)s hours a week.",
                        "Hourly wage %(hourly_wage)s, paid every %(pay_cycle_days)s days "
                        "(at most 15).")),
                 _c("终止用工",
                    "依照《劳动合同法》第七十一条，任何一方都可以随时通知对方终止用工；"
                    "终止用工，甲方不向乙方支付经济补偿。",
                    heading_en="Ending the work",
                    en=("Either side may end the work at any time by notice; no severance is "
                        "paid (art. 71).",)),
                 INSURANCE, PROTECTION, DISPUTES, OTHER, SIGNING]},
    {"kind": "construction_simple", "title": "建筑业简易劳动合同",
     "title_en": "Simple labor contract for construction workers",
     "fields": [*PARTIES, _f("term_end", "date", "合同终止日期", False),
                _f("project_name", "text", "工程项目名称", limit=200),
                _f("team", "text", "班组", limit=100), *POST, HOURS,
                _f("wage_form", "choice", "工资形式", choices=WAGE_FORMS),
                _f("wage_amount", "money", "工资标准", maximum="1000000"),
                _f("pay_day", "integer", "发薪日", minimum=1, maximum=31),
                _f("wage_account", "text", "农民工工资专用账户", limit=200),
                *COMMON_END],
     # an end date given is printed (art. 17: the term); without one, until the work is done
     "clauses": [_term("本合同期限自%(term_start)s起至%(term_end)s止。",
                       "The contract runs from %(term_start)s to %(term_end)s.",
                       if_filled="term_end"),
                 _term("本合同自%(term_start)s起，至%(project_name)s工程项目乙方所承担的工作完成时止。",
                       "From %(term_start)s until the worker's part of %(project_name)s is done.",
                       if_empty="term_end"),
                 _c("工作内容", "乙方在%(project_name)s项目%(team)s班组从事%(post)s工作，"
                    "工作地点为%(work_location)s。", heading_en="Work",
                    en=("The worker works as %(post)s in team %(team)s on %(project_name)s, at "
                        "%(work_location)s.",)),
                 HOURS_CLAUSE,
                 # a piece rate prints the usual output it was checked with (LL48; the
                 # output counts only with a piece rate, see app.domain.rules.law_fields)
                 _c("劳动报酬", "工资%(wage_form)s，计件单价为%(wage_amount)s，乙方正常工作时间内月产量"
                    "（计件数量）约为%(usual_output)s；甲方于每月%(pay_day)s日前足额支付。",
                    WAGE_ACCOUNT, heading_en="Pay",
                    en=("Piece-rate wage of %(wage_amount)s per piece; the usual output in a "
                        "month of normal working hours is about %(usual_output)s pieces; paid "
                        "by day %(pay_day)s.", WAGE_ACCOUNT_EN), if_filled="usual_output"),
                 _c("劳动报酬", "工资%(wage_form)s，标准为%(wage_amount)s；甲方于每月%(pay_day)s日前"
                    "足额支付。", WAGE_ACCOUNT, heading_en="Pay",
                    en=("Wage %(wage_form)s at %(wage_amount)s, paid by day %(pay_day)s.",
                        WAGE_ACCOUNT_EN), if_empty="usual_output"),
                 INSURANCE, PROTECTION, DISPUTES, OTHER, SIGNING]},
]
