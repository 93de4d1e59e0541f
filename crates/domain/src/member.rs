//! 党员: the member roster's types and validation (the national member information system's basic
//! items plus what later capabilities need).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;
use crate::labelled_enum;

labelled_enum! {
    Sex {
        Male = "male", "男";
        Female = "female", "女";
    }
}

labelled_enum! {
    /// 人员类别.
    Category {
        Full = "full", "正式党员" | "正式";
        Probationary = "probationary", "预备党员" | "预备";
    }
}

labelled_enum! {
    /// 学历, coarse bands as in party statistics (大专及以上 is the reported line).
    Education {
        Postgraduate = "postgraduate", "研究生" | "硕士研究生" | "博士研究生" | "研究生及以上";
        Bachelor = "bachelor", "大学本科" | "本科";
        College = "college", "大学专科" | "大专" | "专科";
        Secondary = "secondary", "中专" | "中等专科" | "中专/中技";
        HighSchool = "high_school", "高中" | "高中及同等学历";
        Junior = "junior", "初中及以下" | "初中" | "小学" | "小学及以下";
    }
}

impl Education {
    /// 大专及以上 (RULES STAT 7.1).
    pub fn is_college_plus(self) -> bool {
        matches!(self, Education::Postgraduate | Education::Bachelor | Education::College)
    }
}

labelled_enum! {
    /// 职业, the eight categories of the 统计公报 (RULES STAT 7.1).
    Occupation {
        Worker = "worker", "工人" | "工人（工勤技能人员）" | "工勤技能人员";
        Farmer = "farmer", "农牧渔民" | "农民";
        Professional = "professional", "专业技术人员" | "企事业单位、社会组织专业技术人员";
        Manager = "manager", "管理人员" | "企事业单位、社会组织管理人员";
        Official = "official", "党政机关工作人员" | "机关工作人员";
        Student = "student", "学生";
        Other = "other", "其他职业人员" | "其他";
        Retired = "retired", "离退休人员" | "离退休" | "退休";
    }
}

labelled_enum! {
    /// 党籍状态.
    Status {
        Normal = "normal", "正常";
        Suspended = "suspended", "停止党籍";
        Expelled = "expelled", "出党";
        Deceased = "deceased", "死亡";
        TransferredOut = "transferred_out", "已转出" | "转出";
    }
}

impl Status {
    /// A current member: counted in the roster, statistics and structural rules.
    pub fn is_current(self) -> bool {
        self == Status::Normal
    }
}

/// The 56 ethnic groups (民族), as written in ID cards; "族" may be omitted on input.
pub const ETHNICITIES: [&str; 56] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
];

pub fn parse_ethnicity(s: &str) -> Option<&'static str> {
    let s = normalize_text(s);
    ETHNICITIES.iter().copied().find(|e| *e == s || e.strip_suffix('族') == Some(s.as_str()))
}

/// Full-width ASCII (digits, letters, punctuation, the ideographic space) folded to half-width,
/// whitespace runs collapsed and trimmed. Applied to every text field on input.
pub fn normalize_text(s: &str) -> String {
    let folded: String = s
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{00A0}' | '\t' | '\r' | '\n' => ' ',
            _ => c,
        })
        .filter(|c| !matches!(c, '\u{200B}' | '\u{FEFF}'))
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A mobile (11 digits starting with 1) or a landline (`0851-28221234`, area code optional).
pub fn check_phone(p: &str) -> Result<(), String> {
    let digits: String = p.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("“{}”含有数字以外的字符", crate::mask::phone(p)));
    }
    let ok = (digits.len() == 11 && digits.starts_with('1'))
        || (digits.starts_with('0') && (10..=12).contains(&digits.len()))
        || (!digits.starts_with('0') && (7..=8).contains(&digits.len()));
    if ok {
        Ok(())
    } else {
        Err("应为 11 位手机号或带区号的固定电话".into())
    }
}

/// A member's fields (the keys of the API and of the audit trail's details) with their labels:
/// how the API and the audit viewer name them.
pub const FIELDS: &[(&str, &str)] = &[
    ("name", "姓名"),
    ("sex", "性别"),
    ("id_number", "公民身份号码"),
    ("ethnicity", "民族"),
    ("birth_date", "出生日期"),
    ("education", "学历"),
    ("category", "人员类别"),
    ("join_date", "入党日期"),
    ("full_date", "转正日期"),
    ("job_post", "工作岗位"),
    ("phone", "联系电话"),
    ("work_unit", "工作单位"),
    ("residence_community", "现居住社区"),
    ("occupation", "职业"),
    ("is_mobile", "是否流动党员"),
    ("mobile_to", "流动去向"),
    ("is_lost_contact", "是否失联"),
    ("is_needy", "是否困难党员"),
    ("status", "党籍状态"),
    ("status_date", "状态日期"),
];

/// A member as stored. `id_number` and `phone` are personal data: mask them for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: i64,
    pub org_id: i64,
    pub path: String,
    pub name: String,
    pub sex: Sex,
    pub id_number: String,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub education: Option<Education>,
    pub category: Category,
    pub join_date: NaiveDate,
    pub full_date: Option<NaiveDate>,
    pub job_post: Option<String>,
    pub phone: Option<String>,
    pub work_unit: Option<String>,
    pub residence_community: Option<String>,
    pub occupation: Option<Occupation>,
    pub is_mobile: bool,
    pub mobile_to: Option<String>,
    pub is_lost_contact: bool,
    pub is_needy: bool,
    pub status: Status,
    pub status_date: Option<NaiveDate>,
    /// Advanced by every change of the record; see [`crate::org::Org::version`].
    #[serde(default = "crate::org::first_version")]
    pub version: i64,
}

/// What a caller supplies for a member; sex and birth date may be left empty and are then taken
/// from the ID number.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MemberInput {
    pub name: String,
    pub sex: Option<Sex>,
    pub id_number: String,
    pub ethnicity: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub education: Option<Education>,
    pub category: Option<Category>,
    pub join_date: Option<NaiveDate>,
    pub full_date: Option<NaiveDate>,
    pub job_post: Option<String>,
    pub phone: Option<String>,
    pub work_unit: Option<String>,
    pub residence_community: Option<String>,
    pub occupation: Option<Occupation>,
    pub is_mobile: bool,
    pub mobile_to: Option<String>,
    pub is_lost_contact: bool,
    pub is_needy: bool,
    pub status: Option<Status>,
    pub status_date: Option<NaiveDate>,
    /// The version of the record this edit was made on; `None`: whatever is stored.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A validated member, ready to store (without organization, which the store checks).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidMember {
    pub name: String,
    pub sex: Sex,
    pub id_number: String,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub education: Option<Education>,
    pub category: Category,
    pub join_date: NaiveDate,
    pub full_date: Option<NaiveDate>,
    pub job_post: Option<String>,
    pub phone: Option<String>,
    pub work_unit: Option<String>,
    pub residence_community: Option<String>,
    pub occupation: Option<Occupation>,
    pub is_mobile: bool,
    pub mobile_to: Option<String>,
    pub is_lost_contact: bool,
    pub is_needy: bool,
    pub status: Status,
    pub status_date: Option<NaiveDate>,
    pub version: Option<i64>,
}

/// Minimum age at joining (党章 第一章第一条: 年满十八岁).
pub const MIN_JOIN_AGE: i32 = 18;
/// Probation lasts one year (党章 第七条); 转正 not before 入党日期 + 1 year (DATE-02).
pub const PROBATION_YEARS: i32 = 1;

fn opt_text(s: &Option<String>, field: &'static str, max: usize, errs: &mut FieldErrors) -> Option<String> {
    crate::text::optional(s, field, max, errs)
}

impl MemberInput {
    /// Check every rule and report every problem, each naming its field.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidMember, FieldErrors> {
        let mut errs = FieldErrors::default();
        let name = crate::text::required(&self.name, "姓名", crate::text::max::PERSON_NAME, &mut errs);
        let id = if normalize_text(&self.id_number).is_empty() {
            errs.push("公民身份号码", "不能为空");
            None
        } else {
            match crate::idcard::parse(&self.id_number, today) {
                Ok(id) => Some(id),
                Err(m) => {
                    errs.push("公民身份号码", m);
                    None
                }
            }
        };
        let id_sex = id.as_ref().map(|i| match i.sex {
            crate::idcard::Sex::Male => Sex::Male,
            crate::idcard::Sex::Female => Sex::Female,
        });
        if let (Some(given), Some(from_id)) = (self.sex, id_sex) {
            if given != from_id {
                errs.push("性别", format!("与公民身份号码不符（号码显示为{}）", from_id.label()));
            }
        }
        if let (Some(given), Some(id)) = (self.birth_date, &id) {
            if given != id.birth {
                errs.push("出生日期", format!("与公民身份号码不符（号码显示为 {}）", id.birth));
            }
        }
        let birth = id.as_ref().map(|i| i.birth).or(self.birth_date);
        let sex = id_sex.or(self.sex);
        let ethnicity = match self.ethnicity.as_deref().map(normalize_text).filter(|s| !s.is_empty()) {
            None => "汉族",
            Some(e) => match parse_ethnicity(&e) {
                Some(e) => e,
                None => {
                    errs.push("民族", format!("“{e}”不是 56 个民族之一"));
                    "汉族"
                }
            },
        };
        let category = match self.category {
            Some(c) => c,
            None => {
                errs.push("人员类别", "不能为空，应为 正式党员 或 预备党员");
                Category::Full
            }
        };
        match self.join_date {
            None => errs.push("入党日期", "不能为空"),
            Some(j) => {
                if j > today {
                    errs.push("入党日期", "不能晚于今天");
                }
                if let Some(b) = birth {
                    if crate::dates::age_on(b, j) < MIN_JOIN_AGE {
                        errs.push("入党日期", format!("入党时应年满 {MIN_JOIN_AGE} 周岁（出生日期 {b}）"));
                    }
                }
            }
        }
        match (category, self.full_date) {
            (Category::Probationary, Some(_)) => errs.push("转正日期", "预备党员不应填写转正日期"),
            (Category::Full, Some(f)) => {
                if f > today {
                    errs.push("转正日期", "不能晚于今天");
                }
                if let Some(j) = self.join_date {
                    let earliest = crate::dates::add_years(j, PROBATION_YEARS);
                    if f < earliest {
                        errs.push("转正日期", format!("不能早于入党日期满一年（{earliest}）"));
                    }
                }
            }
            _ => {}
        }
        if category == Category::Probationary {
            if let Some(j) = self.join_date {
                // 预备期最长可延长一年 (党章 第七条): more than two years on probation is an error.
                if crate::dates::add_years(j, 2) < today {
                    errs.push("人员类别", "预备期已超过两年，请核对入党日期或办理转正");
                }
            }
        }
        let phone = opt_text(&self.phone, "联系电话", 20, &mut errs);
        if let Some(p) = &phone {
            if let Err(m) = check_phone(p) {
                errs.push("联系电话", m);
            }
        }
        let status = self.status.unwrap_or(Status::Normal);
        if status != Status::Normal && self.status_date.is_none() {
            errs.push("状态日期", format!("状态为“{}”时应填写日期", status.label()));
        }
        if let Some(d) = self.status_date {
            if d > today {
                errs.push("状态日期", "不能晚于今天");
            }
        }
        let mobile_to = opt_text(&self.mobile_to, "流动去向", 100, &mut errs);
        if self.is_mobile && mobile_to.is_none() {
            errs.push("流动去向", "流动党员应填写流动去向");
        }
        let v = ValidMember {
            name,
            sex: sex.unwrap_or(Sex::Male),
            id_number: id.as_ref().map(|i| i.number.clone()).unwrap_or_default(),
            ethnicity: ethnicity.to_string(),
            birth_date: birth.unwrap_or_default(),
            education: self.education,
            category,
            join_date: self.join_date.unwrap_or_default(),
            full_date: self.full_date,
            job_post: opt_text(&self.job_post, "工作岗位", 100, &mut errs),
            phone,
            work_unit: opt_text(&self.work_unit, "工作单位", 100, &mut errs),
            residence_community: opt_text(&self.residence_community, "现居住社区", 100, &mut errs),
            occupation: self.occupation,
            is_mobile: self.is_mobile,
            mobile_to: if self.is_mobile { mobile_to } else { None },
            is_lost_contact: self.is_lost_contact,
            is_needy: self.is_needy,
            status,
            status_date: if status == Status::Normal { None } else { self.status_date },
            version: self.version,
        };
        errs.into_result(v)
    }
}

impl From<&Member> for MemberInput {
    fn from(m: &Member) -> Self {
        MemberInput {
            name: m.name.clone(),
            sex: Some(m.sex),
            id_number: m.id_number.clone(),
            ethnicity: Some(m.ethnicity.clone()),
            birth_date: Some(m.birth_date),
            education: m.education,
            category: Some(m.category),
            join_date: Some(m.join_date),
            full_date: m.full_date,
            job_post: m.job_post.clone(),
            phone: m.phone.clone(),
            work_unit: m.work_unit.clone(),
            residence_community: m.residence_community.clone(),
            occupation: m.occupation,
            is_mobile: m.is_mobile,
            mobile_to: m.mobile_to.clone(),
            is_lost_contact: m.is_lost_contact,
            is_needy: m.is_needy,
            status: Some(m.status),
            status_date: m.status_date,
            version: Some(m.version),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn today() -> NaiveDate {
        d("2026-11-21")
    }
    fn base() -> MemberInput {
        MemberInput {
            name: "张三".into(),
            id_number: "11010519491231002X".into(),
            category: Some(Category::Full),
            join_date: Some(d("1975-07-01")),
            full_date: Some(d("1976-07-01")),
            ..Default::default()
        }
    }

    #[test]
    fn valid_member_takes_sex_and_birth_from_id_id_03() {
        let v = base().validate(today()).unwrap();
        assert_eq!(v.sex, Sex::Female);
        assert_eq!(v.birth_date, d("1949-12-31"));
        assert_eq!(v.ethnicity, "汉族");
    }

    #[test]
    fn sex_and_birth_must_match_id() {
        let mut m = base();
        m.sex = Some(Sex::Male);
        m.birth_date = Some(d("1949-12-30"));
        let e = m.validate(today()).unwrap_err();
        assert!(e.has("性别") && e.has("出生日期"), "{e}");
        assert!(e.to_string().contains("号码显示为女"));
    }

    #[test]
    fn at_least_18_at_joining() {
        let mut m = base();
        m.join_date = Some(d("1967-12-30"));
        m.full_date = None;
        let e = m.validate(today()).unwrap_err();
        assert!(e.has("入党日期"), "{e}");
        m.join_date = Some(d("1967-12-31"));
        assert!(m.validate(today()).is_ok());
    }

    #[test]
    fn full_date_not_before_one_year() {
        let mut m = base();
        m.full_date = Some(d("1976-06-30"));
        assert!(m.validate(today()).unwrap_err().has("转正日期"));
        m.category = Some(Category::Probationary);
        m.full_date = Some(d("1976-07-01"));
        assert!(m.validate(today()).unwrap_err().has("转正日期"));
    }

    #[test]
    fn every_error_reported_with_its_field() {
        let m = MemberInput {
            name: "".into(),
            id_number: "123".into(),
            phone: Some("abc".into()),
            ethnicity: Some("火星".into()),
            ..Default::default()
        };
        let e = m.validate(today()).unwrap_err();
        for f in ["姓名", "公民身份号码", "人员类别", "入党日期", "联系电话", "民族"] {
            assert!(e.has(f), "missing {f}: {e}");
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize_text("  张　三 \t"), "张 三");
        assert_eq!(normalize_text("１３８００１３８０００"), "13800138000");
        assert_eq!(parse_ethnicity("苗"), Some("苗族"));
        assert!(check_phone("13800138000").is_ok());
        assert!(check_phone("0851-28221234").is_ok());
        assert!(check_phone("2800").is_err());
    }

    #[test]
    fn status_needs_date_and_mobile_needs_destination() {
        let mut m = base();
        m.status = Some(Status::Deceased);
        m.is_mobile = true;
        let e = m.validate(today()).unwrap_err();
        assert!(e.has("状态日期") && e.has("流动去向"));
    }
}
