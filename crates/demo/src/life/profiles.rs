//! Profiles and the summary.

use crate::rng_for;
use chrono::NaiveDate;
use rand::Rng;
use serde::Serialize;

/// How an organization keeps its organization life in the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LifeProfile {
    /// Every meeting due is held, recorded completely and in time (about 80 %).
    Regular,
    /// Skips some periods; some of its 支部党员大会 lack a quorum (about 10 %).
    Irregular,
    /// Nothing recorded in the last 60–90 days (about 4 %).
    Silent,
    /// Holds its meetings, but some records lack minutes, attendance, times, agenda or the 签到表
    /// kept with them (about 5 %).
    Incomplete,
    /// Holds its meetings and enters most of them weeks later (about 1 %).
    Late,
}

impl LifeProfile {
    pub const ALL: [LifeProfile; 5] =
        [LifeProfile::Regular, LifeProfile::Irregular, LifeProfile::Silent, LifeProfile::Incomplete, LifeProfile::Late];

    /// The profile of the organization at `path` in a build with `seed`.
    pub fn of(seed: u64, path: &str) -> LifeProfile {
        let x: f64 = rng_for(seed, &format!("life-profile-{path}")).gen();
        if x < 0.80 {
            LifeProfile::Regular
        } else if x < 0.90 {
            LifeProfile::Irregular
        } else if x < 0.94 {
            LifeProfile::Silent
        } else if x < 0.99 {
            LifeProfile::Incomplete
        } else {
            LifeProfile::Late
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LifeProfile::Regular => "按期规范",
            LifeProfile::Irregular => "不按期",
            LifeProfile::Silent => "近期静默",
            LifeProfile::Incomplete => "记录不全",
            LifeProfile::Late => "集中补录",
        }
    }
}

/// Branches of one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileCount {
    pub profile: LifeProfile,
    pub branches: u64,
}

/// Stored findings of one kind after the first daily run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingCount {
    pub kind: String,
    pub label: String,
    pub count: u64,
}

/// What the organization-life part of a build wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LifeSummary {
    /// The first and last day of the generated year.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Organizations the rules give organization life to.
    pub orgs: u64,
    pub records: u64,
    /// Attendance rows (one per member and meeting).
    pub attendance: u64,
    pub resolutions: u64,
    /// Files kept with the records (the 签到表, REC-13).
    pub attachments: u64,
    /// Joint 主题党日 + 支部党员大会 records.
    pub joint: u64,
    pub by_profile: Vec<ProfileCount>,
    pub leading_groups: u64,
    /// 党组 with their work division recorded.
    pub with_division: u64,
    /// Division rows.
    pub divisions: u64,
    /// Findings stored by the first daily run, by kind.
    pub findings: Vec<FindingCount>,
}

impl LifeSummary {
    /// Chinese report lines (empty when no life was generated).
    pub fn report(&self) -> String {
        let (Some(from), Some(to)) = (self.from, self.to) else {
            return String::new();
        };
        let mut s = format!(
            "  组织生活（{from} 至 {to}）：记录 {} 条，出席登记 {} 人次，决议 {} 项，附件 {} 个（其中主题党日与支部党员大会合并召开 {} 次）\n",
            self.records, self.attendance, self.resolutions, self.attachments, self.joint
        );
        s.push_str(&format!(
            "  党组 {} 个，其中 {} 个已记录党组成员党建工作分工（{} 条）\n",
            self.leading_groups, self.with_division, self.divisions
        ));
        let total: u64 = self.findings.iter().map(|f| f.count).sum();
        let parts: Vec<String> = self.findings.iter().map(|f| format!("{} {}", f.label, f.count)).collect();
        s.push_str(&format!("  组织生活检查发现问题 {total} 个：{}\n", parts.join("、")));
        s
    }
}
