"""Words for the platform's internal values, as people read them: audit actions, the risk
grades, labor-law rule ids and the end of a contract's term. Pure tables of Chinese msgids
(English through the translations catalog); the app's template filters
(:mod:`app.display`) translate them. An unknown value gets a generic word, never its id.
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(text: str) -> str:
    """Mark ``text`` for the translations catalog without translating it here."""
    return text


#: Audit-trail action -> what happened, in words.
ACTIONS: dict[str, str] = {
    "contract.created": N_("创建合同"),
    "contract.edited": N_("修改合同草稿"),
    "contract.sealed": N_("用人单位盖章"),
    "contract.sent": N_("短信发送签署链接"),
    "contract.resent": N_("重新发送签署链接"),
    "contract.reminder_sent": N_("发送催签提醒"),
    "contract.link_expired": N_("签署链接过期"),
    "contract.viewed_by_admin": N_("平台管理员查看合同"),
    "contract.declined": N_("劳动者拒签"),
    "contract.voided": N_("合同作废"),
    "contract.signed": N_("劳动者签署"),
    "contract.filed": N_("自动备案归档"),
    "contract.expiry_notified": N_("发送合同到期提醒"),
    "contract.renewal_drafted": N_("起草续订合同"),
    "contract.amendment_sent": N_("发送变更协议"),
    "contract.termination_sent": N_("发送解除（终止）协议"),
    "contract.terminated": N_("劳动合同解除（终止）"),
    "contract.certificate_issued": N_("出具解除（终止）劳动合同证明书"),
    "amendment.filed": N_("变更协议备案归档"),
    "termination.filed": N_("解除（终止）协议备案归档"),
    "certificate.filed": N_("解除（终止）证明书备案归档"),
    "rules.acknowledged": N_("确认劳动法提示"),
    "otp.sent": N_("发送短信验证码"),
    "otp.verified": N_("劳动者通过身份核验"),
    "certificate.issued": N_("签发签名证书"),
    "certificate.revoked": N_("证书吊销"),
    "evidence.exported": N_("导出证据包"),
    "batch.checked": N_("检查批量名册"),
    "batch.launched": N_("发起批量签署"),
    "batch.retried": N_("重试批量签署"),
    "batch.completed": N_("批量签署完成"),
    "project.created": N_("创建工程项目"),
    "project.subcontractor_added": N_("添加劳务分包单位"),
    "project.subcontractor_accepted": N_("分包单位确认加入项目"),
    "project.document_uploaded": N_("上传项目资料"),
    "project.attendance_imported": N_("导入考勤记录"),
    "project.payroll_imported": N_("导入工资发放记录"),
    "project.completion_recorded": N_("登记竣工结算"),
    "template.copied": N_("复制标准合同模板"),
    "template.version_published": N_("发布合同模板新版本"),
    "organization.registered": N_("用人单位注册"),
    "organization.created": N_("创建用人单位"),
    "organization.approve": N_("通过用人单位审核"),
    "organization.reject": N_("驳回用人单位注册"),
    "organization.suspend": N_("暂停用人单位"),
    "organization.reinstate": N_("恢复用人单位"),
    "user.created": N_("创建用户"),
    "user.invited": N_("邀请用户"),
    "user.role_changed": N_("变更用户角色"),
    "user.deactivated": N_("停用用户"),
    "user.reactivated": N_("恢复用户"),
    "auditor.created": N_("创建监察员账号"),
    "auditor.scope_changed": N_("变更监察员管辖范围"),
    "auditor.deactivated": N_("停用监察员账号"),
    "auditor.reactivated": N_("恢复监察员账号"),
    "api_key.created": N_("创建接口密钥"),
    "api_key.revoked": N_("吊销接口密钥"),
    "bureau_key.created": N_("创建人社系统接口密钥"),
    "bureau_key.revoked": N_("吊销人社系统接口密钥"),
    "password.changed": N_("修改密码"),
    "password.set": N_("设置密码"),
    "password.reset": N_("重置密码"),
    "password.reset_requested": N_("申请重置密码"),
    "minimum_wage.added": N_("新增最低工资标准"),
    "wage_threshold.added": N_("新增欠薪预警阈值"),
    "portal.listed": N_("劳动者在个人空间查看合同列表"),
    "portal.viewed": N_("劳动者在个人空间查看合同"),
    "portal.downloaded": N_("劳动者在个人空间下载合同"),
    "print_copy.issued": N_("出具合同打印件"),
    "contract.timestamp_renewed": N_("归档时间戳续期（新增文档时间戳）"),  # issue 22
    "project.attendance_pushed": N_("考勤系统推送考勤记录"),  # feeds (issue 22)
    "project.payments_pushed": N_("银行推送代发结果"),  # feeds (issue 22)
    "feed_key.created": N_("创建数据推送密钥"),  # feeds (issue 22)
    "feed_key.revoked": N_("吊销数据推送密钥"),  # feeds (issue 22)
}

#: An action not in :data:`ACTIONS`, by what it concerns (the part before the dot).
ACTION_FAMILIES: dict[str, str] = {
    "contract": N_("合同的其他操作"),
    "amendment": N_("变更协议的其他操作"),
    "termination": N_("解除（终止）协议的其他操作"),
    "certificate": N_("证书或证明书的其他操作"),
    "project": N_("工程项目的其他操作"),
    "portal": N_("劳动者个人空间的操作"),
}
OTHER_ACTION = N_("其他操作")

#: Access-log action (app.services.platform.access_log.ACTIONS) -> the read, in words.
ACCESS_ACTIONS: dict[str, str] = {
    "search": N_("检索合同"),
    "view": N_("查看合同"),
    "download": N_("下载合同PDF"),
    "verify": N_("下载验证报告"),
    "evidence": N_("导出证据包"),
    "export_filings": N_("导出备案数据"),
    "register": N_("查看用工信息库"),
}
#: Region-code prefix -> the labor bureau acting there (workers see it, not the official).
REGION_BUREAUS: dict[str, str] = {
    "43": N_("湖南省人社厅"),
    "4301": N_("长沙市人社局"),
    "430100": N_("长沙市人社局"),
    "430121": N_("长沙县人社局"),
}

#: The risk grades of projects and wage checks (red / orange / yellow / green).
GRADES: dict[str, str] = {
    "red": N_("高风险（红）"),
    "orange": N_("较高风险（橙）"),
    "yellow": N_("需关注（黄）"),
    "green": N_("正常（绿）"),
}
OTHER_GRADE = N_("未评级")

#: Labor-law rule id -> the rule's title in words (the message says what is wrong).
RULE_TITLES: dict[str, str] = {
    "LCL17.mandatory_clauses": N_("劳动合同必备条款"),
    "LCL12.kind_valid": N_("劳动合同类型"),
    "LCL19.probation_by_term": N_("试用期长度与合同期限"),
    "LCL19.no_probation_short_term": N_("不满三个月的合同不得约定试用期"),
    "LCL19.no_probation_project": N_("以完成一定工作任务为期限的合同不得约定试用期"),
    "LCL70.no_probation_part_time": N_("非全日制用工不得约定试用期"),
    "LCL19.probation_once": N_("同一单位只能约定一次试用期"),
    "LCL20.probation_pay_ratio": N_("试用期工资不低于约定工资的80%"),
    "LCL20.probation_pay_minimum": N_("试用期工资不低于最低工资"),
    "LL48.minimum_wage_monthly": N_("月最低工资标准"),
    "LL15.minimum_age": N_("禁止招用童工"),
    "LCL24.non_compete_role": N_("竞业限制的适用人员"),
    "LCL24.non_compete_length": N_("竞业限制期限不超过二年"),
    "LCL72.minimum_wage_hourly": N_("小时最低工资标准"),
    "LCL68.part_time_daily_hours": N_("非全日制每日工作时间"),
    "LCL68.part_time_weekly_hours": N_("非全日制每周工作时间"),
    "LCL72.part_time_pay_cycle": N_("非全日制工资结算周期"),
    "LCL82.written_within_month": N_("用工一个月内订立书面劳动合同（二倍工资）"),
    "LCL14.deemed_open_ended": N_("满一年未订立书面合同视为无固定期限"),
    "LCL14.open_ended_suggested": N_("应当订立无固定期限劳动合同的情形"),
    "PLATFORM.overlapping_contract": N_("同一期间只有一份有效劳动合同"),
    "PLATFORM.term_order": N_("终止日期不早于开始日期"),
    "PLATFORM.term_start_range": N_("合同开始日期的合理范围"),
    "PLATFORM.term_length": N_("合同期限的上限"),
    "LL48.minimum_wage_daily": N_("日工资不低于最低工资折算标准"),
    "LL48.piece_rate_output_missing": N_("计件工资须填写月产量"),
    "LL48.minimum_wage_piece_rate": N_("计件工资不低于最低工资标准"),
}
OTHER_RULE = N_("劳动法规则")

#: The end of a term that has no end date, by contract kind (never "open-ended" for a kind
#: that is not: a part-time contract needs no fixed term, it is not 无固定期限).
OPEN_ENDS: dict[str, str] = {
    "open_ended": N_("无固定期限"),
    "part_time": N_("非全日制（无需约定终止日期）"),
    "project_based": N_("至工作任务完成时"),
    "construction_simple": N_("至本人承担的工程完工时"),
}
NO_END = N_("未约定终止日期")


def action_label(action: str) -> str:
    """The msgid naming ``action`` (``rules.acknowledged`` -> 确认劳动法提示); an unknown action
    gets its family's word or a generic one, never the id itself."""
    if action in ACTIONS:
        return ACTIONS[action]
    return ACTION_FAMILIES.get(action.partition(".")[0], OTHER_ACTION)


def grade_label(grade: str) -> str:
    """The msgid naming a risk grade (``red`` -> 高风险（红）)."""
    return GRADES.get(grade, OTHER_GRADE)


def rule_title(rule_id: str) -> str:
    """The msgid of a rule's title (``LCL82.written_within_month`` -> its words)."""
    return RULE_TITLES.get(rule_id, OTHER_RULE)


def open_end(kind: str, terms: Mapping) -> str:
    """The msgid for the end of a term without an end date, by contract ``kind``."""
    if kind == "project_based" and terms.get("task_name"):
        return N_("至“%(task)s”完成时")
    return OPEN_ENDS.get(kind, NO_END)


def open_end_words(kind: str, terms: Mapping) -> str:
    """The Chinese words for the end of a term without an end date (:func:`open_end` with
    the task filled in), for documents printed in Chinese: 无固定期限 only for an open-ended
    contract, 至本人承担的工程完工时 for a construction contract, and so on."""
    return open_end(kind, terms) % {"task": terms.get("task_name", "")}
