//! 消息: what the message centre tells a user, and to whom. Pure: the kinds of message, who a
//! message is meant for (the permission its recipients hold on the organization it is about), the
//! texts of the organization-life events, the window of the term reminder and the check every
//! posted message passes.
//!
//! What is stored and what is computed: an *event* — a record returned to its organization, a
//! record submitted for review — happened once; whether its recipients have seen it is not
//! written anywhere else, so it is stored, one row per recipient, with its read state. A *state*
//! — meetings falling due this month, a term ending within 90 days, the daily job's findings — is
//! read from the data as it is now whenever the page is shown: a stored copy would go stale the
//! moment the meeting is held or the term renewed, and would have to be withdrawn again.

use crate::access::Perm;
use crate::FieldErrors;
use chrono::NaiveDate;

crate::labelled_enum! {
    /// What a message is about. The first two are stored events; the next three are computed
    /// when the message centre is viewed; `notice` is what other capabilities post.
    Kind {
        Returned = "returned", "记录被退回";
        Submitted = "submitted", "待审核记录";
        DueMeeting = "due_meeting", "本月到期的会议";
        TermEnding = "term_ending", "届满提醒";
        Finding = "finding", "组织生活问题";
        Notice = "notice", "通知";
    }
}

crate::labelled_enum! {
    /// Who a stored message is for: the accounts holding this permission on the organization it
    /// is about. The recipient must still hold it there to read the message: a grant withdrawn
    /// takes the organization's messages with it (the scope rule holds for messages too).
    Audience {
        Recorders = "record", "登记组织生活的人员";
        Reviewers = "review", "审核组织生活记录的人员";
        Readers = "read", "查看组织生活的人员";
        CampaignReporters = "campaign", "填报创建活动的人员";
        GradingAssessors = "grading_assess", "分类定级评分的人员";
        GradingManagers = "grading_manage", "管理分类定级的人员";
    }
}

impl Audience {
    /// The permission the recipients hold on the organization.
    pub fn perm(self) -> Perm {
        match self {
            Audience::Recorders => Perm::RecordLife,
            Audience::Reviewers => Perm::ReviewLife,
            Audience::Readers => Perm::ReadLife,
            Audience::CampaignReporters => Perm::ReportCampaigns,
            Audience::GradingAssessors => Perm::AssessGrading,
            Audience::GradingManagers => Perm::ManageGrading,
        }
    }
}

/// A term ending within this many days is shown as a reminder (换届提醒): time to prepare the
/// election the rules require before the term ends (TERM-01, TERM-02).
pub const TERM_NOTICE_DAYS: i64 = 90;

/// Days until the term ends, when it ends within [`TERM_NOTICE_DAYS`] of `today` (0 = today);
/// a term already over is reported by the structural check (TERM-02), not here.
pub fn term_ending_in(term_end: Option<NaiveDate>, today: NaiveDate) -> Option<i64> {
    let days = (term_end? - today).num_days();
    (0..=TERM_NOTICE_DAYS).contains(&days).then_some(days)
}

/// Longest title and body a message may have (characters).
pub const MAX_TITLE: usize = 100;
pub const MAX_BODY: usize = 1000;

/// A message to post, before its recipients are known.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub kind: Kind,
    pub audience: Audience,
    /// What it is about, as the audit trail names it (`life_record:12`): messages about a subject
    /// are found again when the subject is handled.
    pub subject: String,
    pub title: String,
    pub body: String,
    /// Where it is handled: a path of this site.
    pub link: String,
}

impl Draft {
    /// Check the texts and the link. The link must be a path of this site (`/…`, not `//host`):
    /// opening a message follows it, so it must never lead elsewhere.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::default();
        let title = self.title.trim();
        if title.is_empty() {
            e.push("消息标题", "不能为空");
        } else if title.chars().count() > MAX_TITLE {
            e.push("消息标题", format!("不能超过 {MAX_TITLE} 字"));
        }
        if self.body.chars().count() > MAX_BODY {
            e.push("消息内容", format!("不能超过 {MAX_BODY} 字"));
        }
        if !is_local_link(&self.link) {
            e.push("消息链接", "须为本系统内的页面地址（以 / 开头）");
        }
        if self.subject.trim().is_empty() {
            e.push("消息对象", "不能为空");
        }
        if [&self.title, &self.body, &self.subject].iter().any(|t| t.chars().any(|c| c.is_control() && c != '\n')) {
            e.push("消息内容", "含有控制字符");
        }
        e.into_result(())
    }
}

/// Is `link` a path of this site (so following it cannot leave the site)?
pub fn is_local_link(link: &str) -> bool {
    link.starts_with('/')
        && !link.starts_with("//")
        && !link.contains('\\')
        && !link.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// The message to the recording organization when its record is returned: what, and why.
pub fn returned(record_id: i64, org_name: &str, title: &str, held_on: NaiveDate, reason: &str) -> Draft {
    Draft {
        kind: Kind::Returned,
        audience: Audience::Recorders,
        subject: format!("life_record:{record_id}"),
        title: format!("会议记录被退回：{}", clip(title, 60)),
        body: format!(
            "{org_name} {held_on} 的会议记录“{title}”被上级党组织退回，退回原因：{reason}。请修改后重新提交。"
        ),
        link: format!("/life/records/{record_id}"),
    }
}

/// The message to the superior when a record is submitted for its review.
pub fn submitted(record_id: i64, org_name: &str, title: &str, held_on: NaiveDate) -> Draft {
    Draft {
        kind: Kind::Submitted,
        audience: Audience::Reviewers,
        subject: format!("life_record:{record_id}"),
        title: format!("待审核：{org_name}的会议记录"),
        body: format!("{org_name} 报送了 {held_on} 的会议记录“{title}”，请审核。"),
        link: format!("/life/records/{record_id}"),
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n).chain(std::iter::once('…')).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_term_is_reminded_within_ninety_days_of_its_end() {
        // TERM-01/TERM-02: the election is prepared before the term ends
        let today = d("2026-11-21");
        assert_eq!(term_ending_in(Some(d("2026-11-21")), today), Some(0));
        assert_eq!(term_ending_in(Some(d("2027-02-19")), today), Some(90));
        assert_eq!(term_ending_in(Some(d("2027-02-20")), today), None);
        assert_eq!(term_ending_in(Some(d("2026-11-20")), today), None, "overdue is TERM-02's finding");
        assert_eq!(term_ending_in(None, today), None);
    }

    #[test]
    fn a_message_links_only_inside_the_site() {
        let ok = returned(7, "甲支部", "党课", d("2026-10-10"), "缺少签到表");
        assert!(ok.check().is_ok());
        assert_eq!(ok.link, "/life/records/7");
        for bad in ["https://evil.example/", "//evil.example/x", "/\\evil", "life/records/7", "/a b", ""] {
            let m = Draft { link: bad.into(), ..ok.clone() };
            assert!(m.check().is_err(), "{bad}");
        }
        let long = Draft { title: "题".repeat(MAX_TITLE + 1), ..ok.clone() };
        assert_eq!(long.check().unwrap_err().0[0].field, "消息标题");
    }

    #[test]
    fn each_audience_is_a_permission() {
        assert_eq!(Audience::Recorders.perm(), Perm::RecordLife);
        assert_eq!(Audience::Reviewers.perm(), Perm::ReviewLife);
        assert_eq!(Audience::from_code("read"), Some(Audience::Readers));
    }
}
