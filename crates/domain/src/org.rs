//! 党组织: organizations, their kinds, sectors, terms and facilities.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;

/// Defines an enum stored as a stable ASCII code in the database and shown by its Chinese label.
/// `parse` accepts either the code or the label (and listed aliases), so imports may use either.
#[macro_export]
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal, $label:literal $(| $alias:literal)*;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// Stable code stored in the database and used by the API.
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code,)+ } }
            /// Chinese label shown to users and written to exports.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label,)+ } }
            pub fn from_code(s: &str) -> Option<Self> { match s { $($code => Some($name::$variant),)+ _ => None } }
            /// Accepts the code, the label or an alias, ignoring surrounding whitespace.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                match s { $($code | $label $(| $alias)* => Some($name::$variant),)+ _ => None }
            }
            /// The labels, joined for error messages ("应为 党委、党总支…").
            pub fn labels() -> String { [$($label,)+].join("、") }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.label()) }
        }
    };
}

labelled_enum! {
    /// Kind of party organization (DOMAIN glossary). `LocalCommittee` is a 地方委员会 (市委/县委),
    /// which heads a tree but is not a grassroots organization (RULES STAT 7.1).
    OrgKind {
        LocalCommittee = "local_committee", "地方党委" | "市委" | "县委" | "区委";
        Committee = "committee", "党委" | "基层党委";
        WorkingCommittee = "working_committee", "党工委";
        OrgansCommittee = "organs_committee", "机关党委";
        GeneralBranch = "general_branch", "党总支";
        Branch = "branch", "党支部";
        JointBranch = "joint_branch", "联合党支部";
        TemporaryBranch = "temporary_branch", "临时党支部";
        LeadingGroup = "leading_group", "党组";
        PartyGroup = "party_group", "党小组";
    }
}

impl OrgKind {
    /// What the organization's elected committee is called: a 党支部's 支部委员会, a 党总支's 总支部委员会,
    /// a 党委's (党工委's) 委员会. A 党组 and a 党小组 elect none.
    pub fn committee_label(self) -> &'static str {
        match self {
            OrgKind::Branch | OrgKind::JointBranch | OrgKind::TemporaryBranch => "支部委员会",
            OrgKind::GeneralBranch => "总支部委员会",
            OrgKind::LocalCommittee | OrgKind::Committee | OrgKind::OrgansCommittee => "党委委员会",
            OrgKind::WorkingCommittee => "党工委委员会",
            OrgKind::LeadingGroup | OrgKind::PartyGroup => "委员会",
        }
    }

    /// 党支部 in the wide sense: ordinary, joint and temporary branches.
    pub fn is_branch(self) -> bool {
        matches!(self, OrgKind::Branch | OrgKind::JointBranch | OrgKind::TemporaryBranch)
    }
    /// Counted among 党的基层组织 (基层党委 + 总支 + 支部, RULES STAT 7.1).
    pub fn is_grassroots(self) -> bool {
        matches!(
            self,
            OrgKind::Committee | OrgKind::WorkingCommittee | OrgKind::OrgansCommittee | OrgKind::GeneralBranch
        ) || self.is_branch()
    }
    /// Committees that sit above branches (基层党委 in the wide sense).
    pub fn is_committee(self) -> bool {
        matches!(self, OrgKind::Committee | OrgKind::WorkingCommittee | OrgKind::OrgansCommittee)
    }
    /// May members be attached directly to an organization of this kind?
    pub fn holds_members(self) -> bool {
        self.is_branch() || matches!(self, OrgKind::PartyGroup)
    }
    /// May an organization of kind `child` be created under one of this kind?
    pub fn allows_child(self, child: OrgKind) -> bool {
        use OrgKind::*;
        match (self, child) {
            (_, LocalCommittee) => self == LocalCommittee,
            (PartyGroup, _) => false,
            (Branch | JointBranch | TemporaryBranch, PartyGroup) => true,
            (Branch | JointBranch | TemporaryBranch, _) => false,
            (_, PartyGroup) => false,
            (GeneralBranch, c) => c.is_branch(),
            (LeadingGroup, _) => false,
            _ => true,
        }
    }
}

labelled_enum! {
    /// 所在领域.
    Sector {
        Rural = "rural", "农村";
        Community = "community", "社区";
        Organs = "organs", "机关";
        PublicInstitution = "public_institution", "事业单位";
        StateEnterprise = "state_enterprise", "国有企业";
        PrivateEnterprise = "private_enterprise", "非公有制企业" | "非公企业";
        SocialOrganization = "social_organization", "社会组织";
        School = "school", "学校";
        Other = "other", "其他";
    }
}

labelled_enum! {
    /// 组建方式.
    FormedBy {
        Single = "single", "单独组建";
        Joint = "joint", "联合组建" | "区域联建" | "联合组建/区域联建";
        Industry = "industry", "行业统建";
    }
}

labelled_enum! {
    /// Facilities tracked per organization (speech 000's service network, speech 002's sites).
    FacilityKind {
        ServiceCenter = "service_center", "党务政务综合服务中心";
        ServiceStation = "service_station", "党员群众综合服务站";
        ActivityVenue = "activity_venue", "活动场所";
        RemoteEducation = "remote_education", "远程教育站点";
        LivelihoodStation = "livelihood_station", "民生工作站";
    }
}

labelled_enum! {
    FacilityStatus {
        Planned = "planned", "规划";
        Built = "built", "建成" | "已建";
    }
}

/// A facility of an organization, planned or built, with the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facility {
    pub kind: FacilityKind,
    pub status: FacilityStatus,
    pub year: Option<i32>,
}

impl Facility {
    /// `活动场所（建成 2020）`.
    pub fn describe(&self) -> String {
        format!(
            "{}（{}{}）",
            self.kind.label(),
            self.status.label(),
            self.year.map(|y| format!(" {y}")).unwrap_or_default()
        )
    }
}

/// An organization's fields (the keys of the API and of the audit trail's details) with their
/// labels: how the API and the audit viewer name them.
pub const FIELDS: &[(&str, &str)] = &[
    ("name", "组织名称"),
    ("short_name", "简称"),
    ("kind", "组织类别"),
    ("sector", "所属领域"),
    ("region_code", "行政区划代码"),
    ("formed_by", "组建方式"),
    ("founded_on", "成立日期"),
    ("has_committee", "是否设立委员会"),
    ("term_number", "届次"),
    ("term_start", "届期开始"),
    ("term_end", "届期结束"),
    ("secretary", "书记"),
    ("contact_phone", "联系电话"),
    ("address", "地址"),
    ("annual_funds", "年度运转经费"),
    ("facilities", "阵地设施"),
];

/// An organization as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Org {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub path: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrgKind,
    pub sector: Sector,
    pub region_code: Option<String>,
    pub formed_by: FormedBy,
    pub founded_on: Option<NaiveDate>,
    pub has_committee: bool,
    pub term_number: Option<i32>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub secretary: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub annual_funds: Option<i64>,
    pub facilities: Vec<Facility>,
    /// Advanced by every change of the record's content; an edit made on an older version is
    /// refused instead of silently reverting the newer change.
    #[serde(default = "first_version")]
    pub version: i64,
}

/// The version of a record as first stored.
pub fn first_version() -> i64 {
    1
}

impl Org {
    /// The organization's fields as (Chinese label, display value), personal data masked: what the
    /// command line and the detail page show.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let o = self;
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        let date = |v: Option<NaiveDate>| v.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
        vec![
            ("ID", o.id.to_string()),
            ("组织名称", o.name.clone()),
            ("简称", opt(&o.short_name)),
            ("组织类别", o.kind.label().into()),
            ("所属领域", o.sector.label().into()),
            (
                "行政区划",
                o.region_code
                    .as_ref()
                    .map(|c| format!("{c} {}", crate::region::full_name(c).unwrap_or_default()))
                    .unwrap_or_else(|| "—".into()),
            ),
            ("组建方式", o.formed_by.label().into()),
            ("成立日期", date(o.founded_on)),
            (o.kind.committee_label(), if o.has_committee { "已设立" } else { "未设立" }.into()),
            (
                "届次",
                match (o.term_number, o.term_start, o.term_end) {
                    (n, Some(s), Some(e)) => {
                        format!("{}{s} 至 {e}", n.map(|n| format!("第{n}届 ")).unwrap_or_default())
                    }
                    (Some(n), _, _) => format!("第{n}届"),
                    _ => "—".into(),
                },
            ),
            ("书记", opt(&o.secretary)),
            ("联系电话", o.contact_phone.as_deref().map(crate::mask::phone).unwrap_or_else(|| "—".into())),
            ("地址", opt(&o.address)),
            ("年度运转经费", o.annual_funds.map(|f| format!("{f} 元")).unwrap_or_else(|| "—".into())),
            (
                "阵地设施",
                if o.facilities.is_empty() {
                    "—".into()
                } else {
                    o.facilities.iter().map(Facility::describe).collect::<Vec<_>>().join("、")
                },
            ),
        ]
    }
}

/// What a caller supplies to create or edit an organization (everything but identity and path).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OrgInput {
    pub name: String,
    pub short_name: Option<String>,
    pub kind: Option<OrgKind>,
    pub sector: Option<Sector>,
    pub region_code: Option<String>,
    pub formed_by: Option<FormedBy>,
    pub founded_on: Option<NaiveDate>,
    pub has_committee: bool,
    pub term_number: Option<i32>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub secretary: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    /// 年度运转经费, in yuan.
    pub annual_funds: Option<i64>,
    pub facilities: Vec<Facility>,
    /// The version of the record this edit was made on (see [`Org::version`]); `None` when the
    /// caller does not say, and the edit then applies to whatever is stored.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A validated organization input, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidOrg {
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrgKind,
    pub sector: Sector,
    pub region_code: Option<String>,
    pub formed_by: FormedBy,
    pub founded_on: Option<NaiveDate>,
    pub has_committee: bool,
    pub term_number: Option<i32>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub secretary: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub annual_funds: Option<i64>,
    pub facilities: Vec<Facility>,
    pub version: Option<i64>,
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref().map(crate::member::normalize_text).filter(|s| !s.is_empty())
}

impl OrgInput {
    /// Validate, fill the default term end from RULES TERM-02 when only the start is given.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidOrg, FieldErrors> {
        let mut errs = FieldErrors::default();
        use crate::text::{max, optional};
        let name = crate::text::required(&self.name, "组织名称", max::ORG_NAME, &mut errs);
        let short_name = optional(&self.short_name, "简称", max::ORG_SHORT_NAME, &mut errs);
        let secretary = optional(&self.secretary, "书记", max::PERSON_NAME, &mut errs);
        let address = optional(&self.address, "地址", max::ADDRESS, &mut errs);
        let kind = match self.kind {
            Some(k) => Some(k),
            None => {
                errs.push("组织类别", format!("不能为空，应为 {}", OrgKind::labels()));
                None
            }
        };
        let sector = self.sector.unwrap_or(Sector::Other);
        let region_code = clean(&self.region_code);
        if let Some(code) = &region_code {
            if crate::region::lookup(code).is_none() {
                errs.push("行政区划代码", format!("“{code}”不在 GB/T 2260 代码表（{}版）中", crate::region::LIST_DATE));
            }
        }
        if let Some(f) = self.founded_on {
            if f > today {
                errs.push("成立日期", "不能晚于今天");
            }
        }
        if let Some(n) = self.term_number {
            if !(1..=100).contains(&n) {
                errs.push("届次", "应为 1 到 100 之间的整数");
            }
        }
        let mut term_end = self.term_end;
        if let (Some(start), None, Some(k)) = (self.term_start, self.term_end, kind) {
            let years = crate::rules::default_term_years(k, sector);
            term_end = Some(crate::dates::add_years(start, years));
        }
        if let (Some(s), Some(e)) = (self.term_start, term_end) {
            if e <= s {
                errs.push("届期结束", "应晚于届期开始");
            } else if let Some(k) = kind {
                // TERM-01: 3 to 5 years, TERM-04: postponement generally at most 1 year.
                let years = crate::rules::TERM_MAX_YEARS + crate::rules::TERM_MAX_SHIFT_YEARS;
                if k.is_grassroots() && e > crate::dates::add_years(s, years) {
                    errs.push(
                        "届期结束",
                        format!("任期超过 {years} 年（TERM-01、TERM-04：每届 3 至 5 年，延期一般不超过 1 年）"),
                    );
                }
            }
        }
        if self.term_end.is_some() && self.term_start.is_none() {
            errs.push("届期开始", "填写了届期结束，也应填写届期开始");
        }
        let contact_phone = optional(&self.contact_phone, "联系电话", max::PHONE, &mut errs);
        if let Some(p) = &contact_phone {
            if let Err(m) = crate::member::check_phone(p) {
                errs.push("联系电话", m);
            }
        }
        if let Some(f) = self.annual_funds {
            if f < 0 {
                errs.push("年度运转经费", "不能为负数");
            }
        }
        for fac in &self.facilities {
            if let Some(y) = fac.year {
                if !(1949..=today.year_ce().1 as i32 + 10).contains(&y) {
                    errs.push("阵地设施", format!("{} 的年份 {y} 不合理", fac.kind.label()));
                }
            }
        }
        let mut kinds: Vec<_> = self.facilities.iter().map(|f| f.kind).collect();
        kinds.sort();
        if kinds.windows(2).any(|w| w[0] == w[1]) {
            errs.push("阵地设施", "同一类设施只能登记一次");
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(ValidOrg {
            name,
            short_name,
            kind: kind.expect("checked"),
            sector,
            region_code,
            formed_by: self.formed_by.unwrap_or(FormedBy::Single),
            founded_on: self.founded_on,
            has_committee: self.has_committee,
            term_number: self.term_number,
            term_start: self.term_start,
            term_end,
            secretary,
            contact_phone,
            address,
            annual_funds: self.annual_funds,
            facilities: self.facilities.clone(),
            version: self.version,
        })
    }
}

use chrono::Datelike;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_names_its_own_committee() {
        let mut o = OrgInput {
            name: "中共某街道工作委员会".into(),
            kind: Some(OrgKind::WorkingCommittee),
            ..Default::default()
        }
        .validate(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
        .map(|v| Org {
            id: 1,
            parent_id: None,
            path: "0001".into(),
            name: v.name,
            short_name: None,
            kind: v.kind,
            sector: v.sector,
            region_code: None,
            formed_by: v.formed_by,
            founded_on: None,
            has_committee: true,
            term_number: None,
            term_start: None,
            term_end: None,
            secretary: None,
            contact_phone: None,
            address: None,
            annual_funds: None,
            facilities: vec![],
            version: 1,
        })
        .unwrap();
        let label = |o: &Org| o.describe().into_iter().find(|(_, v)| v == "已设立").map(|(k, _)| k);
        assert_eq!(label(&o), Some("党工委委员会"));
        o.kind = OrgKind::LocalCommittee;
        assert_eq!(label(&o), Some("党委委员会"), "a 区委 is not a 支部");
        o.kind = OrgKind::Branch;
        assert_eq!(label(&o), Some("支部委员会"));
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn labels_and_codes_parse() {
        assert_eq!(OrgKind::parse("党支部"), Some(OrgKind::Branch));
        assert_eq!(OrgKind::parse(" branch "), Some(OrgKind::Branch));
        assert_eq!(OrgKind::parse("党小组"), Some(OrgKind::PartyGroup));
        assert_eq!(Sector::parse("非公企业"), Some(Sector::PrivateEnterprise));
        assert_eq!(FormedBy::parse("区域联建"), Some(FormedBy::Joint));
        assert_eq!(OrgKind::parse("党校"), None);
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::from_code(k.code()), Some(*k));
        }
    }

    #[test]
    fn hierarchy() {
        assert!(OrgKind::Committee.allows_child(OrgKind::Branch));
        assert!(OrgKind::GeneralBranch.allows_child(OrgKind::Branch));
        assert!(!OrgKind::GeneralBranch.allows_child(OrgKind::Committee));
        assert!(OrgKind::Branch.allows_child(OrgKind::PartyGroup));
        assert!(!OrgKind::Branch.allows_child(OrgKind::Branch));
        assert!(!OrgKind::PartyGroup.allows_child(OrgKind::PartyGroup));
        assert!(!OrgKind::Committee.allows_child(OrgKind::LocalCommittee));
    }

    /// TERM-02: a village branch's term defaults to 5 years, another branch's to 3.
    #[test]
    fn term_defaults_term_02() {
        let mut input = OrgInput {
            name: "测试村党支部".into(),
            kind: Some(OrgKind::Branch),
            sector: Some(Sector::Rural),
            term_start: Some(d("2021-06-01")),
            ..Default::default()
        };
        let v = input.validate(d("2026-11-21")).unwrap();
        assert_eq!(v.term_end, Some(d("2026-06-01")));
        input.sector = Some(Sector::Organs);
        let v = input.validate(d("2026-11-21")).unwrap();
        assert_eq!(v.term_end, Some(d("2024-06-01")));
    }

    #[test]
    fn errors_name_fields() {
        let input = OrgInput {
            name: " ".into(),
            region_code: Some("999999".into()),
            contact_phone: Some("12".into()),
            ..Default::default()
        };
        let e = input.validate(d("2026-11-21")).unwrap_err();
        assert!(e.has("组织名称") && e.has("组织类别") && e.has("行政区划代码") && e.has("联系电话"), "{e}");
    }
}
