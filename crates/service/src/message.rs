//! 消息: the message centre's use cases. Stored messages (the events: a record returned to its
//! organization, a record submitted for review) are read, counted and marked read here; the
//! reminders that follow from the present state (meetings falling due this month, terms ending
//! within 90 days, the daily job's findings) are computed here when they are viewed — see
//! [`domain::message`] for why the line is drawn there. Other capabilities announce their events
//! with [`post`]; a sending channel (mail) passes stored messages on through [`Channel`].
//!
//! Everyone signed in has a message box; what it holds is always read through the caller's scope
//! of the permission each message is meant for, so a message about an organization outside it is
//! never shown, counted or marked.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use domain::access::Perm;
use domain::life::CellState;
use domain::org::Org;
use store::member::Page;
use store::message::{Message, Outgoing, TermEnding, Visibility};
use store::{Store, Visible};

pub use domain::message::{Audience, Draft, Kind};

use crate::{Ctx, ServiceResult};

/// What the caller may read of stored messages: each audience with the caller's scope of its
/// permission (narrowed to the chosen focus, as every view is).
fn visibility(ctx: &Ctx) -> Visibility {
    Audience::ALL.iter().map(|a| (*a, ctx.scope_for(a.perm()))).collect()
}

/// Does the caller hold any business grant (only such accounts receive messages)?
fn has_box(ctx: &Ctx) -> bool {
    !ctx.grants.is_empty()
}

/// Announce an event about `org` to the accounts holding the draft's audience permission on the
/// nearest level at or above it (see `store::message`): the one function other capabilities call
/// to post. `org` was read through the caller's scope; the draft is checked (texts, a link inside
/// this site). The post is audited. Returns how many accounts received it.
pub async fn post(store: &Store, ctx: &Ctx, org: &Visible<Org>, draft: &Draft) -> ServiceResult<usize> {
    draft.check()?;
    Ok(store::message::post(store, &ctx.scope, org, draft).await?)
}

/// One page of the caller's messages, newest first (only the unread ones when `unread_only`).
pub async fn inbox(
    store: &Store,
    ctx: &Ctx,
    unread_only: bool,
    page: i64,
    per_page: i64,
) -> ServiceResult<Page<Message>> {
    if !has_box(ctx) {
        return Ok(Page { items: Vec::new(), total: 0, page: 1, per_page });
    }
    Ok(store::message::inbox(store, ctx.account.account.id, &visibility(ctx), unread_only, page, per_page).await?)
}

/// How many of the caller's messages are unread: the top bar's count on every page. One indexed
/// count, kept while neither the messages nor the tree changed (the generations the request's
/// session read found, [`Ctx::generations`]); none at all for an account without business
/// grants (the administrator triad).
pub async fn unread_count(store: &Store, ctx: &Ctx) -> ServiceResult<i64> {
    if !has_box(ctx) {
        return Ok(0);
    }
    let vis = visibility(ctx);
    let Some(g) = ctx.generations else {
        return Ok(store::message::unread(store, ctx.account.account.id, &vis).await?);
    };
    // what the count is of: the account and what it may see of each audience
    let key = (
        ctx.account.account.id,
        vis.iter().map(|(a, s)| format!("{a:?}:{}", s.roots().join(","))).collect::<Vec<_>>().join(";"),
    );
    let at = (g.orgs, g.messages);
    let kept = store.kept().get::<KeptUnread>();
    if let Some(n) = kept.0.lock().ok().and_then(|m| m.get(&key).filter(|(seen, _)| *seen == at).map(|(_, n)| *n)) {
        return Ok(n);
    }
    let n = store::message::unread(store, ctx.account.account.id, &vis).await?;
    if let Ok(mut m) = kept.0.lock() {
        if m.len() >= 10_000 {
            m.retain(|_, (seen, _)| *seen == at);
        }
        m.insert(key, (at, n));
    }
    Ok(n)
}

/// (account, what it may see of each audience).
type UnreadKey = (i64, String);
/// The (tree, messages) generations a count was made at, and the count.
type UnreadAt = ((i64, i64), i64);

/// Unread counts by account and what it may see, each with the generations it was counted at.
#[derive(Default)]
struct KeptUnread(std::sync::Mutex<std::collections::HashMap<UnreadKey, UnreadAt>>);

/// Mark the caller's messages `ids` read; another's message, or one outside the scope, is left
/// alone (and not found when it is the only one asked for).
pub async fn mark_read(store: &Store, ctx: &Ctx, ids: &[i64]) -> ServiceResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    if let [one] = ids {
        store::message::get(store, ctx.account.account.id, &visibility(ctx), *one).await?;
    }
    Ok(store::message::mark_read(store, &ctx.scope, ctx.account.account.id, &visibility(ctx), Some(ids)).await?)
}

/// Mark all the caller's messages read.
pub async fn mark_all_read(store: &Store, ctx: &Ctx) -> ServiceResult<u64> {
    if !has_box(ctx) {
        return Ok(0);
    }
    Ok(store::message::mark_read(store, &ctx.scope, ctx.account.account.id, &visibility(ctx), None).await?)
}

/// Open one of the caller's messages: mark it read and answer where it is handled (a path of
/// this site, checked when it was posted and again here).
pub async fn open(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<String> {
    let m = store::message::get(store, ctx.account.account.id, &visibility(ctx), id).await?;
    if !m.is_read() {
        store::message::mark_read(store, &ctx.scope, ctx.account.account.id, &visibility(ctx), Some(&[id])).await?;
    }
    Ok(if domain::message::is_local_link(&m.link) { m.link } else { "/messages".into() })
}

/// A meeting of the caller's own organization that falls due this month and is not yet held.
#[derive(Debug, Clone)]
pub struct DueMeeting {
    pub org_id: i64,
    pub org_name: String,
    pub type_label: String,
    /// The period (本月, 第四季度, 2026 年 …) and its last day.
    pub period: String,
    pub end: NaiveDate,
    pub held: i64,
    pub min: i64,
    pub rule_id: String,
}

/// A kind of the daily job's findings in one of the caller's organizations.
#[derive(Debug, Clone)]
pub struct FindingCount {
    pub org_id: i64,
    pub org_name: String,
    pub code: &'static str,
    pub label: &'static str,
    pub count: i64,
}

/// The reminders computed on view.
#[derive(Debug, Clone, Default)]
pub struct Reminders {
    pub due: Vec<DueMeeting>,
    pub terms: Vec<TermEnding>,
    /// All the terms ending in the window (`terms` holds the first few).
    pub terms_total: i64,
    /// First secretaries' and instructors' terms ending in the same window (管理分类定级's scope).
    pub postings: Vec<store::first_secretary::Ending>,
    pub postings_total: i64,
    pub findings: Vec<FindingCount>,
    /// Records waiting for the caller's review: (top organization id, name, count).
    pub to_review: Vec<(i64, String, i64)>,
}

impl Reminders {
    pub fn findings_total(&self) -> i64 {
        self.findings.iter().map(|f| f.count).sum()
    }
    pub fn to_review_total(&self) -> i64 {
        self.to_review.iter().map(|r| r.2).sum()
    }
}

/// How many terms ending are listed.
const TERMS_SHOWN: i64 = 20;

/// The reminders of the caller as of `today`, each read through the scope of its permission:
///
/// - meetings falling due this month: for those who record organization life, their own
///   organizations that record it (the compliance engine's periods ending this month that are
///   still 待召开). A superior follows its subordinates through 合规检查 and the findings instead:
///   listing every due meeting of a county would bury the few that are its own.
/// - terms ending within [`domain::message::TERM_NOTICE_DAYS`]: organizations in the officer's
///   scope (查看党员名册: officers, not 党员), soonest first.
/// - first secretaries' and instructors' terms ending within the same window, for those who
///   manage grading over a receiving organization.
/// - the daily job's findings of the caller's top organizations, by kind.
/// - records waiting for the caller's review, per top organization.
pub async fn reminders(store: &Store, ctx: &Ctx, today: NaiveDate) -> ServiceResult<Reminders> {
    let mut out = Reminders::default();
    if !has_box(ctx) {
        return Ok(out);
    }
    let month_end = last_of_month(today);
    if ctx.has(Perm::RecordLife) {
        let scope = ctx.scope_for(Perm::RecordLife);
        for root in ctx.roots_for(Perm::RecordLife) {
            if !domain::life::records_life(root.kind) {
                continue;
            }
            let Some(org) = Visible::within(&scope, root) else { continue };
            let ev = store::life::card(store, &org, today.year(), today).await?;
            if let Some((_, r)) = ev.result_of(org.id) {
                for (line, cell) in domain::life::due_on(r, today) {
                    if cell.state == CellState::Open && cell.period.end <= month_end {
                        out.due.push(DueMeeting {
                            org_id: org.id,
                            org_name: org.name.clone(),
                            type_label: line.label.clone(),
                            period: cell.label.clone(),
                            end: cell.period.end,
                            held: cell.held,
                            min: cell.min,
                            rule_id: cell.rule_id.clone(),
                        });
                    }
                }
            }
        }
        out.due.sort_by(|a, b| a.end.cmp(&b.end).then(a.type_label.cmp(&b.type_label)));
    }
    if ctx.has(Perm::ReadMembers) {
        let scope = ctx.scope_for(Perm::ReadMembers);
        let to = today + Duration::days(domain::message::TERM_NOTICE_DAYS);
        (out.terms, out.terms_total) = store::message::terms_ending(store, &scope, today, to, TERMS_SHOWN).await?;
    }
    if ctx.has(Perm::ManageGrading) {
        // computed like the 换届 terms: a stored copy would be stale once the posting is ended
        let scope = ctx.scope_for(Perm::ManageGrading);
        let to = today + Duration::days(domain::first_secretary::ENDING_NOTICE_DAYS);
        (out.postings, out.postings_total) =
            store::first_secretary::terms_ending(store, &scope, today, to, TERMS_SHOWN).await?;
    }
    if ctx.has(Perm::ReadLife) {
        let scope = ctx.scope_for(Perm::ReadLife);
        for root in ctx.roots_for(Perm::ReadLife) {
            let Some(org) = Visible::within(&scope, root) else { continue };
            for (code, n) in store::life::finding_counts(store, &org).await? {
                let Some(k) = domain::life::FindingKind::from_code(&code) else { continue };
                out.findings.push(FindingCount {
                    org_id: org.id,
                    org_name: org.name.clone(),
                    code: k.code(),
                    label: k.label(),
                    count: n,
                });
            }
        }
        out.findings.sort_by_key(|f| {
            (f.org_id, domain::life::FindingKind::ALL.iter().position(|k| k.code() == f.code).unwrap_or(usize::MAX))
        });
    }
    if ctx.has(Perm::ReviewLife) {
        let scope = ctx.scope_for(Perm::ReadLife);
        for root in ctx.roots_for(Perm::ReviewLife) {
            let Some(org) = Visible::within(&scope, root) else { continue };
            let n = crate::life::records::awaiting_review(store, ctx, &org).await?;
            out.to_review.push((org.id, org.name.clone(), n));
        }
    }
    Ok(out)
}

fn last_of_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).map_or(d, |f| f - Duration::days(1))
}

/// A way of passing stored messages on outside the application (mail, an SMS gateway). Off by
/// default: without a configured channel, messages are read in the message centre only.
///
/// What leaves the system is the title and the link, never the body: the body may name members
/// and reasons, and the reader signs in to see it (等保: no business detail over a channel the
/// system does not control).
pub trait Channel: Send + Sync {
    /// The channel's name, as the audit trail records deliveries.
    fn name(&self) -> &'static str;
    /// Pass one message on; an error leaves it undelivered, to be tried again.
    fn send(&self, to: &Outgoing) -> Result<(), String>;
}

/// A channel that only writes a line to the log for each message: for trying the delivery out
/// without a mail server.
pub struct LogChannel;

impl Channel for LogChannel {
    fn name(&self) -> &'static str {
        "log"
    }
    fn send(&self, to: &Outgoing) -> Result<(), String> {
        tracing::info!(message = to.id, account = to.account_id, "消息送达（仅记录日志）：{}", to.title);
        Ok(())
    }
}

/// Pass the messages posted since `since` and not yet delivered to `channel`, at most `limit`;
/// those sent are marked delivered (audited). Returns (sent, failed).
pub async fn deliver(
    store: &Store,
    channel: &dyn Channel,
    since: DateTime<Utc>,
    limit: i64,
) -> ServiceResult<(usize, usize)> {
    let pending = store::message::undelivered(store, since, limit).await?;
    let mut sent = Vec::new();
    let mut failed = 0;
    for m in &pending {
        match channel.send(m) {
            Ok(()) => sent.push(m.id),
            Err(e) => {
                failed += 1;
                tracing::warn!(message = m.id, channel = channel.name(), "消息发送失败：{e}");
            }
        }
    }
    let scope = store::Scope::none().acting_as(store::Actor::new(format!("channel:{}", channel.name()), "系统"));
    store::message::mark_delivered(store, &scope, channel.name(), &sent).await?;
    Ok((sent.len(), failed))
}

mod smtp;
pub use smtp::SmtpChannel;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_ends_on_its_last_day() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(last_of_month(d("2026-11-21")), d("2026-11-30"));
        assert_eq!(last_of_month(d("2026-12-01")), d("2026-12-31"));
        assert_eq!(last_of_month(d("2028-02-03")), d("2028-02-29"));
    }
}
