//! The audit trail in words: what each recorded action, kind of record, result and detail field is
//! called in Chinese. The trail itself keeps stable codes (`member.update`, `category`,
//! `probationary`), which the hash chain covers and exports carry; the viewer names them here,
//! with the fields of members, organizations and meeting records named by their own tables
//! ([`crate::member::FIELDS`], [`crate::org::FIELDS`], [`crate::life::RECORD_FIELDS`]) and coded
//! values by their enums' labels.

/// Every recorded action, with what it means.
pub const ACTIONS: &[(&str, &str)] = &[
    ("account.create", "新建账号"),
    ("account.grant", "授予角色"),
    ("account.grant_propose", "提议业务授权"),
    ("account.grant_confirm", "确认业务授权"),
    ("account.grant_reject", "退回业务授权"),
    ("account.grant_withdraw", "撤回授权提议"),
    ("account.revoke", "撤销授权"),
    ("account.disable", "停用账号"),
    ("account.enable", "启用账号"),
    ("account.password", "修改密码"),
    ("account.password_reset", "重置密码"),
    ("account.login", "登录"),
    ("account.totp_begin", "开始绑定两步验证"),
    ("account.totp_enable", "启用两步验证"),
    ("account.totp_disable", "关闭两步验证"),
    ("account.totp_reset", "重置两步验证"),
    ("account.recovery_codes", "重新生成恢复码"),
    ("account.member_lookup", "按身份号码查找党员"),
    ("api_token.create", "创建 API 令牌"),
    ("api_token.revoke", "撤销 API 令牌"),
    ("session.create", "开始会话"),
    ("session.promote", "通过两步验证"),
    ("session.end", "结束会话"),
    ("session.end_all", "结束全部会话"),
    ("session.end_others", "退出其他设备"),
    ("login_attempt.prune", "清理登录记录"),
    ("audit.export", "导出审计记录"),
    ("org.create", "新建党组织"),
    ("org.update", "修改党组织"),
    ("org.move", "调整隶属关系"),
    ("org.dissolve", "撤销党组织"),
    ("org.import", "导入党组织"),
    ("org.export", "导出党组织"),
    ("org.read_personal", "查看党组织联系电话"),
    ("member.create", "新增党员"),
    ("member.update", "修改党员信息"),
    ("member.status", "党籍变动"),
    ("member.import", "导入党员"),
    ("member.export", "导出党员名册"),
    ("member.export_unmasked", "导出党员名册（未脱敏）"),
    ("member.read_personal", "查看党员个人敏感信息"),
    ("member.search_id", "按身份号码查找党员"),
    ("import.upload", "上传导入文件"),
    ("officer.add", "任命班子成员"),
    ("officer.end", "班子成员离任"),
    ("officer.correct", "更正班子成员任职"),
    ("officer.import", "导入班子成员"),
    ("life.create", "新建会议记录"),
    ("life.update", "修改会议记录"),
    ("life.submit", "提交会议记录"),
    ("life.accept", "审核通过会议记录"),
    ("life.return", "退回会议记录"),
    ("life.attach", "上传会议附件"),
    ("life.detach", "删除会议附件"),
    ("life.type.add", "新增组织生活类型"),
    ("life.rule.add", "新增组织生活规则"),
    ("life.year_window.add", "新增所属年度规则"),
    ("life.division.add", "新增党组成员分工"),
    ("life.division.delete", "删除党组成员分工"),
    ("life.daily", "组织生活每日检查"),
    ("life.export", "导出组织生活完成情况"),
    ("message.post", "发送消息"),
    ("message.read", "阅读消息"),
    ("message.read_all", "全部标为已读"),
    ("message.deliver", "转发消息"),
    ("stats.recompute", "重算统计"),
    ("campaign.create", "发起创建活动"),
    ("campaign.update", "修改创建活动"),
    ("campaign.document", "上传活动文件"),
    ("campaign.funding", "登记投入经费"),
    ("campaign.standard", "设定创建标准"),
    ("campaign.report", "填报指标数值"),
    ("campaign.report_accept", "审核通过指标填报"),
    ("campaign.report_return", "退回指标填报"),
    ("campaign_task.create", "下达任务"),
    ("campaign_task.cascade", "分解任务"),
    ("campaign_task.report", "报告任务进展"),
    ("campaign_task.accept", "审核通过任务进展"),
    ("campaign_task.return", "退回任务进展"),
    ("dispatch.compute", "计算调度"),
    ("dispatch.recompute", "重新计算调度"),
    ("dispatch.publish", "发布调度"),
    ("dispatch.discard", "删除调度草稿"),
    ("dispatch.meeting", "登记调度现场会"),
    ("dispatch.export", "导出调度结果"),
    ("demo_site.add", "命名示范点"),
    ("demo_site.review", "复核示范点"),
    ("demo_site.revoke", "撤销示范点"),
    ("training.add", "登记培训班"),
    ("training.attend", "登记培训出勤"),
    ("secondment.nominate", "推荐跟岗学习人选"),
    ("secondment.accept", "同意跟岗学习推荐"),
    ("secondment.reject", "不同意跟岗学习推荐"),
    ("plan.create", "起草党建规划"),
    ("plan.update", "修改党建规划"),
    ("plan.submit", "报送党建规划"),
    ("plan.approve", "审核通过党建规划"),
    ("plan.return", "退回党建规划"),
    ("plan.milestone", "登记规划节点完成"),
    ("innovation.list_submit", "提交创新清单"),
    ("innovation.list_update", "修改创新清单"),
    ("innovation.update", "报送创新动态"),
    ("innovation.cadence", "设置创新动态报送周期"),
    ("innovation.rule_add", "新增创新清单检查规则"),
    ("innovation.project_propose", "申报创新项目"),
    ("innovation.gate", "登记创新项目评审"),
];

/// What an action code means, when it is one the product records.
pub fn action_label(action: &str) -> Option<&'static str> {
    ACTIONS.iter().find(|(c, _)| *c == action).map(|(_, l)| *l)
}

/// The kinds of record a target names (`member:12`), by the part before the colon.
pub const ENTITIES: &[(&str, &str)] = &[
    ("member", "党员"),
    ("org", "党组织"),
    ("account", "账号"),
    ("login", "登录名"),
    ("api_token", "API 令牌"),
    ("life_record", "会议记录"),
    ("life_type", "组织生活类型"),
    ("life_rule", "组织生活规则"),
    ("life_year_window", "所属年度规则"),
    ("life_finding", "组织生活问题"),
    ("org_officer", "班子成员任职"),
    ("message", "消息"),
    ("file", "文件"),
    ("import_job", "导入任务"),
    ("audit_log", "审计记录"),
    ("org_stats", "统计数据"),
    ("login_attempt", "登录记录"),
    ("campaign", "创建活动"),
    ("campaign_document", "活动文件"),
    ("campaign_funding", "投入经费"),
    ("campaign_standard", "创建标准"),
    ("indicator_report", "指标填报"),
    ("campaign_task", "任务"),
    ("task_assignment", "任务分配"),
    ("task_report", "任务进展报告"),
    ("dispatch_round", "调度"),
    ("dispatch_meeting", "调度现场会"),
    ("demo_site", "示范点"),
    ("training_class", "培训班"),
    ("secondment_nomination", "跟岗学习推荐"),
    ("party_plan", "党建规划"),
    ("innovation_list", "创新清单"),
    ("innovation_update", "创新动态"),
    ("innovation_rule", "创新清单检查规则"),
    ("innovation_project", "创新项目"),
];

/// What a kind of record is called.
pub fn entity_label(kind: &str) -> Option<&'static str> {
    ENTITIES.iter().find(|(c, _)| *c == kind).map(|(_, l)| *l)
}

/// A result code in words.
pub fn result_label(result: &str) -> Option<&'static str> {
    Some(match result {
        "ok" => "成功",
        "found" => "找到",
        "not_found" => "未找到",
        "password_ok" => "密码正确，待两步验证",
        "second_factor_ok" => "两步验证通过",
        "invalid" => "失败",
        "second_factor_invalid" => "动态口令错误",
        "locked" => "已锁定",
        "disabled" => "账号已停用",
        _ => return None,
    })
}

/// Codes the product records that no enum of the domain names: why a session ended, how a second
/// factor was given, and the like, as (field, code, label).
const CODES: &[(&str, &str, &str)] = &[
    ("reason", "logout", "退出登录"),
    ("reason", "absolute_timeout", "会话到期"),
    ("reason", "idle_timeout", "长时间未操作"),
    ("reason", "account_disabled", "账号已停用"),
    ("reason", "current password wrong", "当前密码不正确"),
    ("method", "totp", "动态口令"),
    ("method", "recovery_code", "恢复码"),
    ("password", "reset", "重置为临时密码"),
    ("password", "changed", "本人修改"),
    ("by", "id_number", "公民身份号码"),
    ("via", "page", "网页"),
    ("via", "api", "接口"),
    ("via", "cli", "命令行"),
];

/// A code of [`CODES`] in words.
pub fn code_label(key: &str, code: &str) -> Option<&'static str> {
    CODES.iter().find(|(k, c, _)| *k == key && *c == code).map(|(_, _, l)| *l)
}

/// Fields of one action (or every action starting with it) whose name means something of its
/// own there; looked up before the subject's fields and the common ones.
const ACTION_FIELDS: &[(&str, &str, &str)] = &[
    ("api_token.", "name", "令牌名称"),
    ("life.attach", "name", "文件名"),
    ("life.detach", "name", "文件名"),
    ("life.division.", "name", "姓名"),
    ("life.type.add", "label", "类型名称"),
    ("life.rule.add", "type", "会议类型"),
    ("life.rule.add", "from", "起始日期"),
    ("life.rule.add", "to", "截止日期"),
    ("life.year_window.add", "from", "起始日期"),
    ("life.year_window.add", "to", "截止日期"),
    ("life.daily", "from", "检查起始日期"),
    ("life.daily", "to", "检查截止日期"),
    ("life.daily", "records", "会议记录数"),
    ("life.submit", "from", "原状态"),
    ("audit.export", "from", "起始时间"),
    ("audit.export", "to", "截止时间"),
    ("login_attempt.prune", "before", "清理此前的记录"),
    ("org.dissolve", "name", "组织名称"),
    ("message.", "kind", "消息类别"),
    ("import.upload", "kind", "内容"),
    ("member.status", "on", "变动日期"),
    ("member.status", "change", "变动"),
];

/// The fields of a 班子成员 term as recorded.
const OFFICER_FIELDS: &[(&str, &str)] = &[
    ("org", "党组织"),
    ("member", "党员编号"),
    ("name", "姓名"),
    ("role", "职务"),
    ("duties", "分工"),
    ("started_on", "任职日期"),
    ("ended_on", "离任日期"),
];

/// Fields every kind of record may carry, and those of accounts, sessions, files and jobs.
const COMMON_FIELDS: &[(&str, &str)] = &[
    ("id", "编号"),
    ("org", "党组织"),
    ("org_id", "党组织"),
    ("org_name", "党组织名称"),
    ("parent_id", "上级党组织"),
    ("from_parent", "原上级党组织"),
    ("to_parent", "新上级党组织"),
    ("move", "调整"),
    ("old_path", "原位置"),
    ("new_path", "新位置"),
    ("orgs_moved", "调整的党组织数"),
    ("members_moved", "调整的党员数"),
    ("dissolved_on", "撤销日期"),
    ("name", "名称"),
    ("status", "状态"),
    ("username", "用户名"),
    ("display_name", "显示名称"),
    ("member_id", "关联党员编号"),
    ("must_change_password", "须修改密码"),
    ("created_by", "创建人"),
    ("grants", "授权"),
    ("grant", "授权"),
    ("grants_suspended", "暂停的授权"),
    ("role", "角色"),
    ("request", "申请编号"),
    ("proposed_by", "提议人"),
    ("reason", "原因"),
    ("password", "密码"),
    ("sessions_ended", "结束的会话数"),
    ("is_disabled", "停用"),
    ("has_totp", "两步验证"),
    ("recovery_codes_issued", "发放的恢复码数"),
    ("recovery_codes_left", "剩余恢复码数"),
    ("method", "验证方式"),
    ("account_id", "账号编号"),
    ("needs_totp", "需要两步验证"),
    ("must_enrol_totp", "须绑定两步验证"),
    ("locked_until", "锁定至"),
    ("session", "会话"),
    ("is_totp_pending", "待完成两步验证"),
    ("expires_at", "到期时间"),
    ("kept", "保留的会话"),
    ("deleted", "删除条数"),
    ("by", "查找方式"),
    ("fields", "涉及字段"),
    ("export", "导出"),
    ("via", "途径"),
    ("members", "党员"),
    ("orgs", "党组织数"),
    ("rows", "行数"),
    ("format", "格式"),
    ("include_former", "含已不在册党员"),
    ("unmasked", "未脱敏"),
    ("file", "文件"),
    ("file_name", "文件名"),
    ("size", "大小（字节）"),
    ("kind", "类型"),
    ("bad", "有误行数"),
    ("strict", "严格模式"),
    ("inserted", "新增"),
    ("updated", "更新"),
    ("unchanged", "未变"),
    ("under", "导入到的党组织"),
    ("searched", "查找方式"),
    ("query", "查找内容"),
    ("found", "找到人数"),
    ("change", "变动"),
    ("on", "日期"),
    ("changes", "变更"),
    ("suspended_on", "停止党籍日期"),
    ("filter", "筛选条件"),
    ("records", "记录数"),
    ("actor", "操作人"),
    ("action", "操作"),
    ("target", "对象"),
    ("result", "结果"),
    ("attachment", "附件编号"),
    ("sha256", "SHA-256 校验值"),
    ("division", "分工编号"),
    ("post", "职务"),
    ("duty", "分工"),
    ("label", "名称"),
    ("roster", "名册"),
    ("type", "类型"),
    ("period", "周期"),
    ("min", "最少次数"),
    ("from", "起始"),
    ("to", "截止"),
    ("source", "依据"),
    ("until", "截止月日"),
    ("together_with", "同批审核记录数"),
    ("marked", "标为已读条数"),
    ("delivered", "转发条数"),
    ("recipients", "收件人数"),
    ("audience", "收件人"),
    ("year", "年度"),
    ("quarter", "季度"),
    ("took_ms", "用时（毫秒）"),
    ("findings", "问题数"),
    ("as_of", "检查日期"),
    ("has_minutes", "有会议纪要"),
    ("quorum_ok", "达到法定人数"),
    ("version", "版本"),
];

fn find(table: &[(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
}

/// What the records of an action are about: the part of its code before the first dot
/// (`member.update` → `member`).
pub fn subject(action: &str) -> &str {
    action.split('.').next().unwrap_or(action)
}

/// The fields of the kind of record an action is about, when it has a table of its own.
fn own_fields(action: &str) -> &'static [(&'static str, &'static str)] {
    match subject(action) {
        "member" => crate::member::FIELDS,
        "org" => crate::org::FIELDS,
        "life" => crate::life::RECORD_FIELDS,
        "officer" => OFFICER_FIELDS,
        _ => &[],
    }
}

/// The label of a detail field of an action's record: the action's own meaning of the field,
/// then the field of its subject (a member's, an organization's, a meeting record's, an
/// officer's), then the common fields; `None` for a field the product does not name.
pub fn field_label(action: &str, key: &str) -> Option<&'static str> {
    if let Some((_, _, l)) = ACTION_FIELDS
        .iter()
        .find(|(a, k, _)| *k == key && (action == *a || (a.ends_with('.') && action.starts_with(a))))
    {
        return Some(l);
    }
    let own = own_fields(action);
    find(own, key).or_else(|| find(COMMON_FIELDS, key))
}

/// Where a field comes in its subject's table (a member's fields in the order the pages list
/// them), for showing a record's fields in that order; fields outside the table come after.
pub fn field_rank(action: &str, key: &str) -> usize {
    let own = own_fields(action);
    own.iter().position(|(k, _)| *k == key).unwrap_or(own.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_fields_are_named_in_their_context() {
        assert_eq!(action_label("member.update"), Some("修改党员信息"));
        assert_eq!(action_label("nothing.known"), None);
        assert_eq!(entity_label("life_record"), Some("会议记录"));
        assert_eq!(field_label("member.create", "category"), Some("人员类别"));
        assert_eq!(field_label("member.create", "name"), Some("姓名"));
        assert_eq!(field_label("org.update", "name"), Some("组织名称"));
        assert_eq!(field_label("api_token.create", "name"), Some("令牌名称"));
        assert_eq!(field_label("life.attach", "name"), Some("文件名"));
        assert_eq!(field_label("life.create", "held_on"), Some("会议日期"));
        assert_eq!(field_label("officer.add", "role"), Some("职务"));
        assert_eq!(field_label("account.grant", "role"), Some("角色"));
        assert_eq!(field_label("session.create", "is_totp_pending"), Some("待完成两步验证"));
        assert_eq!(field_label("member.status", "status"), Some("党籍状态"));
        assert_eq!(field_label("life.create", "status"), Some("状态"));
    }

    #[test]
    fn codes_are_unique() {
        for table in [ACTIONS, ENTITIES, COMMON_FIELDS, OFFICER_FIELDS] {
            let mut codes: Vec<&str> = table.iter().map(|(c, _)| *c).collect();
            codes.sort_unstable();
            let n = codes.len();
            codes.dedup();
            assert_eq!(codes.len(), n, "a code listed twice");
        }
    }
}
