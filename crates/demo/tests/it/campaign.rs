//! The demo's campaigns, read back through the store as the pages would: one of each kind, the
//! 服务型 standard in two versions, funding, sites, training, reported values, and the dispatch
//! rounds, whose rankings differ and whose digests verify. The checks run on the builds of
//! `build.rs` (the city on SQLite, the district on both backends) rather than on builds of their
//! own.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use demo::DemoSummary;
use domain::campaign::round::Participant;
use store::campaign::{self as sc, round, standard, Campaign};
use store::testing::raw;
use store::{args, Scope, Store};

async fn count(s: &Store, sql: &str, a: &[store::Val]) -> i64 {
    raw(s.read()).scalar(sql, a).await.unwrap()
}

/// What holds at either scale.
pub(crate) async fn check(s: &Store, sum: &DemoSummary, today: NaiveDate) -> Campaign {
    let all = Scope::all();
    let cs = &sum.campaigns;
    let campaigns = sc::list(s, &all).await.unwrap();
    let kinds: BTreeSet<String> = campaigns.iter().map(|(c, _)| c.kind.clone()).collect();
    assert_eq!(kinds, ["foundation_year", "innovation", "organs", "service"].map(String::from).into(), "{kinds:?}");
    assert_eq!(campaigns.len() as u64, cs.campaigns);
    let (service, _) = sc::get(s, &all, cs.service_campaign_id).await.unwrap();
    assert_eq!(service.kind, "service");
    assert_eq!(service.ideas_list(), ["服务", "创新", "整合"]);
    for (c, _) in &campaigns {
        let leaders = sc::leaders(s, c).await.unwrap();
        assert_eq!(leaders.iter().filter(|l| l.role == "leader").count(), 1, "{}", c.name);
        assert!(leaders.iter().any(|l| l.role == "deputy" && !l.post.is_empty()), "{}", c.name);
        assert!(leaders.iter().any(|l| l.is_department()), "{} has member departments", c.name);
        assert!(c.starts_on.year() == service.starts_on.year() && c.ends_on >= c.starts_on);
    }
    // speech 000: 37 member departments
    let leaders = sc::leaders(s, &service).await.unwrap();
    assert_eq!(leaders.iter().filter(|l| l.is_department()).count(), 37);

    // two versions of the standard, each weighing 100, the later with an indicator more
    let versions = standard::versions(s, &service).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions.iter().all(|v| v.total_weight() == 100));
    let sources: BTreeSet<&str> = versions[0].indicators.iter().map(|i| i.source.as_str()).collect();
    for src in ["facility_coverage", "life_completion", "training_coverage", "demo_sites", "funding", "reported"] {
        assert!(sources.contains(src), "no {src} indicator");
    }
    assert_eq!(versions[1].indicators.len(), versions[0].indicators.len() + 1);

    // funding, sites and classes as counted
    let root = store::org::visible(s, &all, sum.root_id).await.unwrap();
    let funding = sc::funding(s, &service, &root).await.unwrap();
    assert_eq!(funding.iter().map(|f| f.amount_yuan).sum::<i64>(), cs.funding_yuan);
    let (sites, total) = sc::site::list(s, &root, today, true, 1000, 0).await.unwrap();
    assert_eq!(total as u64, cs.sites);
    assert!(sites.iter().any(|x| x.level == "province") && cs.provincial_sites > 0);
    assert_eq!(sites.iter().filter(|x| x.revoked_on.is_some()).count(), 2);
    assert!(sites.iter().filter(|x| x.reviewed_on.is_some()).count() > 2);
    let sectors: BTreeSet<&str> = sites.iter().map(|x| x.sector.as_str()).collect();
    assert!(sectors.len() >= 3, "sites in {sectors:?}");
    for x in sites.iter().take(20) {
        assert!(!sc::site::cadres(s, x).await.unwrap().is_empty(), "site {} without cadres", x.id);
    }
    let (classes, n) = sc::training::list(s, &root, 1000, 0).await.unwrap();
    assert_eq!(n as u64, cs.classes);
    let audiences: BTreeSet<&str> = classes.iter().map(|k| k.audience.as_str()).collect();
    for a in ["branch_secretaries", "township_deputies", "lagging_village_secretaries", "non_public_secretaries"] {
        assert!(audiences.contains(a), "no class for {a}: {audiences:?}");
    }
    assert!(cs.completed < cs.trainees, "some trainees attend too few sessions");

    // reported values: accepted, returned with a reason, pending
    let reports = sc::reported::list(s, &all, &service).await.unwrap();
    let by: HashMap<&str, usize> = reports.iter().fold(HashMap::new(), |mut m, r| {
        *m.entry(r.status.as_str()).or_default() += 1;
        m
    });
    assert_eq!(by.get("accepted").copied().unwrap_or(0) as u64, cs.reports_accepted);
    assert_eq!(by.get("returned").copied().unwrap_or(0) as u64, cs.reports_returned);
    assert_eq!(by.get("submitted").copied().unwrap_or(0) as u64, cs.reports_pending);
    assert!(cs.reports_accepted > cs.reports_returned && cs.reports_returned > 0 && cs.reports_pending > 0, "{cs:?}");
    assert!(reports.iter().filter(|r| r.status == "returned").all(|r| !r.reason.is_empty()));

    // two published rounds months apart on different versions, their rankings differ, their
    // digests verify; a draft after them
    let (_, access) = sc::get(s, &all, service.id).await.unwrap();
    let mut rounds = round::list(s, &service, &access).await.unwrap();
    rounds.reverse();
    assert_eq!(rounds.len(), 3);
    let (r1, r2, draft) = (&rounds[0], &rounds[1], &rounds[2]);
    assert!(r1.published() && r2.published() && !draft.published());
    assert!((r2.as_on - r1.as_on).num_days() > 60 && draft.as_on == today);
    assert_ne!(r1.standard_id, r2.standard_id);
    assert_eq!(r2.previous_id, Some(r1.id));
    let order = |lines: &[domain::campaign::round::Line]| lines.iter().map(|l| l.org_id).collect::<Vec<_>>();
    let (l1, l2) = (round::lines(s, r1).await.unwrap(), round::lines(s, r2).await.unwrap());
    assert_eq!(l1.len(), l2.len());
    assert_ne!(order(&l1), order(&l2), "the rankings of the two rounds differ");
    assert!(l2.iter().any(|l| l.moved().is_some_and(|m| m != 0)));
    for r in [r1, r2] {
        assert!(!r.digest.is_empty() && !r.summary.is_empty());
        assert_eq!(round::digest_now(s, r).await.unwrap(), r.digest, "{} verifies", r.title);
        let meetings = round::meetings(s, r).await.unwrap();
        assert_eq!(meetings.len(), 1);
        let m = &meetings[0];
        assert_eq!(m.kind_label(), "现场会");
        assert!(!m.site_list().is_empty() && !m.materials.is_empty() && !m.summary.is_empty(), "{m:?}");
        assert!(m.speaker_list().len() >= 6, "{:?}", m.speaker_list());
    }
    assert!(round::lines(s, draft).await.unwrap().len() == l1.len());
    // every round shows the participants' approved plans
    let participants: BTreeSet<i64> = l1.iter().map(|l| l.org_id).collect();
    for r in [r1, r2, draft] {
        let kept = round::plans(s, r).await.unwrap();
        assert!(
            !kept.is_empty() && kept.iter().all(|p| p.targets > 0 && p.reached + p.overdue <= p.targets),
            "{kept:?}"
        );
        assert!(kept.iter().all(|p| participants.contains(&p.org_id)));
    }

    check_work(s, sum, today, &service).await;
    check_innovation(s, sum, today).await;

    // all of it written as the demo's own work, in the audit trail
    let audited = count(
        s,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE actor = 'demo' AND (action LIKE 'campaign.%' \
         OR action LIKE 'dispatch.%' OR action LIKE 'demo_site.%' OR action LIKE 'training.%')",
        &[],
    )
    .await;
    let expected = cs.campaigns
        + cs.standards
        + funding.len() as u64
        + cs.sites
        + cs.revoked_sites
        + 2 * cs.classes
        + 2 * (cs.reports_accepted + cs.reports_returned)
        + cs.reports_pending
        + 3 * cs.rounds_published
        + cs.rounds_draft;
    assert!(audited as u64 >= expected, "{audited} audit records, {expected} writes");
    let tasks = cs.tasks + cs.task_reports + cs.task_reports_accepted + cs.task_reports_returned;
    let nominations = 2 * (cs.nominations_accepted + cs.nominations_rejected) + cs.nominations_pending;
    let sql = "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE actor = 'demo' AND action LIKE $1";
    assert_eq!(count(s, sql, &args!["campaign_task.%"]).await as u64, tasks);
    assert_eq!(count(s, sql, &args!["secondment.%"]).await as u64, nominations);
    assert!(count(s, sql, &args!["plan.%"]).await as u64 >= 2 * cs.plans_approved + cs.milestones_done);
    service
}

/// The city of speech 000: its facility coverage, measured for the city as one participant, is
/// 224 of 243 service centres and 1276 of 1990 service stations; rotation training is incomplete
/// and differs by county; 余庆县 put in 200万元.
pub(crate) async fn check_city(s: &Store, sum: &DemoSummary, today: NaiveDate) {
    let service = check(s, sum, today).await;
    let all = Scope::all();
    let root = store::org::visible(s, &all, sum.root_id).await.unwrap();
    let parts = [Participant { org_id: root.id, name: root.name.clone(), path: root.path.clone() }];
    let versions = standard::versions(s, &service).await.unwrap();
    let facilities: Vec<_> =
        versions[0].indicators.iter().filter(|i| i.source == "facility_coverage").cloned().collect();
    let m = sc::measure::measure(s, &service, &root, &parts, &facilities, today).await.unwrap();
    let share = |code: &str| {
        let x = m[&(root.id, code.to_string())];
        (x.num as i64, x.den.unwrap_or(0.0) as i64)
    };
    assert_eq!(share("center"), (224, 243));
    assert_eq!(share("station"), (1276, 1990));

    let counties = sc::chosen(s, &service).await.unwrap();
    assert_eq!(counties.len(), 14);
    let mut shares = BTreeSet::new();
    for (id, name) in &counties {
        let county = store::org::visible(s, &all, *id).await.unwrap();
        let cov = sc::training::coverage(s, &county, today).await.unwrap();
        let trained = cov.iter().filter(|x| x.trained == 1).count();
        assert!(trained > 0 && trained < cov.len(), "{name}: {trained} of {}", cov.len());
        shares.insert(trained * 1000 / cov.len());
    }
    assert!(shares.len() > 7, "coverage differs by county: {shares:?}");

    let funding = sc::funding(s, &service, &root).await.unwrap();
    assert!(
        funding.iter().any(|f| f.org_name.contains("余庆") && f.amount_yuan == 2_000_000),
        "余庆县 200万元: {funding:?}"
    );
    assert!(funding.iter().all(|f| f.year == today.year() as i64));
    let provincial =
        count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM demo_site WHERE level = $1", &args!["province"]).await;
    assert_eq!(provincial, 5);
    assert!(sum.report().contains("创建活动 4 项"), "{}", sum.report());
}

/// Tasks, secondment nominations and plans: the tasks go to every participant, a few are split
/// further with shares adding up, reports carry evidence files an upload would accept, some are
/// returned with a reason and some assignments are overdue on the demo date (so the round's
/// 逾期任务 and the board's overdue view list them); nominations in every status, one rejected for
/// SEC-02; plans in every status with targets reading the registry and milestones done.
async fn check_work(s: &Store, sum: &DemoSummary, today: NaiveDate, service: &Campaign) {
    let all = Scope::all();
    let cs = &sum.campaigns;
    let root = store::org::visible(s, &all, sum.root_id).await.unwrap();

    // the city's tasks to every participant, on every backend the same
    let (mine, n) = sc::task::assigned_by(s, service, &root, 100, 0).await.unwrap();
    assert!((5..=12).contains(&n), "{n} tasks of the city");
    let participants = sc::chosen(s, service).await.unwrap().len() as i64;
    assert!(mine.iter().all(|t| t.assignments == participants), "every participant gets every task");
    assert!(mine.iter().any(|t| t.task.quantified()) && mine.iter().any(|t| !t.task.quantified()));
    assert!(mine.iter().any(|t| t.task.due_on > today), "some tasks are not yet due");
    assert!(mine.iter().any(|t| t.complete > 0 && t.complete < t.assignments));
    let total = count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM campaign_task", &[]).await;
    assert_eq!(total as u64, cs.tasks);
    assert_eq!(count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM task_assignment", &[]).await as u64, cs.task_assignments);

    // split further: the shares add up to what the holder received
    let split: Vec<(i64, i64)> = raw(s.read())
        .fetch_all("SELECT id, parent_assignment_id FROM campaign_task WHERE parent_assignment_id IS NOT NULL", &[])
        .await
        .unwrap();
    assert_eq!(split.len() as u64, cs.tasks_cascaded);
    assert!(!split.is_empty());
    for (id, from) in &split {
        let (t, _, below) = sc::task::get(s, &all, *id).await.unwrap();
        let (_, received) = sc::task::assignment(s, &all, *from).await.unwrap();
        assert_eq!(t.target_milli, received.share_milli);
        assert_eq!(below.iter().filter_map(|a| a.share_milli).sum::<i64>(), received.share_milli.unwrap());
        assert!(below.iter().all(|a| a.org_path.starts_with(&received.org_path) && a.org_path != received.org_path));
    }

    // reports: accepted, returned with a reason, some waiting; evidence an upload accepts
    let reports: Vec<(String, String)> =
        raw(s.read()).fetch_all("SELECT decision, reason FROM task_report", &[]).await.unwrap();
    assert_eq!(reports.len() as u64, cs.task_reports);
    let by = |d: &str| reports.iter().filter(|r| r.0 == d).count() as u64;
    assert_eq!((by("accepted"), by("returned")), (cs.task_reports_accepted, cs.task_reports_returned));
    assert!(cs.task_reports_accepted > 3 * cs.task_reports_returned && cs.task_reports_returned > 0, "{cs:?}");
    assert!(by("") > 0, "some reports wait for a decision");
    assert!(reports.iter().filter(|r| r.0 == "returned").all(|r| !r.1.is_empty()));
    let files: Vec<(i64, String)> =
        raw(s.read()).fetch_all("SELECT id, mime FROM task_evidence ORDER BY id", &[]).await.unwrap();
    assert_eq!(files.len() as u64, cs.evidence_files);
    for mime in ["application/pdf", "image/png"] {
        let (id, _) = files.iter().find(|f| f.1 == mime).unwrap_or_else(|| panic!("no {mime} evidence"));
        let (e, bytes) = sc::task::evidence(s, &all, *id).await.unwrap();
        assert_eq!(store::life::sniff(&e.name, &bytes), Ok(mime));
        assert_eq!(e.size as usize, bytes.len());
    }

    // overdue on the demo date: the round's 逾期任务 and the board's findings
    let overdue = sc::task::overdue_on(s, service, today).await.unwrap();
    assert_eq!(overdue.len() as u64, cs.tasks_overdue);
    assert!(!overdue.is_empty() && overdue.iter().all(|o| o.3 < today));
    let (findings, _) = sc::task::findings(s, service, &root, today, 500, 0).await.unwrap();
    assert!(findings.iter().any(|a| a.overdue_on(today)), "the board's overdue view lists overdue tasks");
    assert!(findings.iter().any(|a| a.status == "returned" && !a.complete()), "and returned ones");

    // the 基层组织建设年 county gives its townships tasks of its own
    let (campaigns, _): (Vec<_>, Vec<_>) = sc::list(s, &all).await.unwrap().into_iter().unzip();
    let foundation = campaigns.iter().find(|c| c.kind == "foundation_year").unwrap();
    let county = store::org::visible(s, &all, foundation.org_id).await.unwrap();
    let (theirs, n) = sc::task::assigned_by(s, foundation, &county, 100, 0).await.unwrap();
    assert!(n >= 3 && theirs.iter().all(|t| t.assignments > 0), "{n} tasks of {}", county.name);

    // nominations in each status; one rejected because the nominee is near retirement
    let (noms, n) = sc::secondment::list(s, &root, false, 100, 0).await.unwrap();
    assert_eq!(n as u64, cs.nominations_accepted + cs.nominations_rejected + cs.nominations_pending);
    let status = |st: &str| noms.iter().filter(|x| x.status == st).count() as u64;
    assert_eq!(
        (status("accepted"), status("rejected"), status("pending")),
        (cs.nominations_accepted, cs.nominations_rejected, cs.nominations_pending)
    );
    assert!(cs.nominations_accepted >= 2 && cs.nominations_rejected >= 2 && cs.nominations_pending >= 2, "{cs:?}");
    assert!(noms.iter().filter(|x| x.status == "accepted").all(|x| x.failures.is_empty()));
    assert!(noms.iter().filter(|x| x.status == "rejected").all(|x| !x.reason.is_empty() && !x.failures.is_empty()));
    let sec02 = noms.iter().find(|x| x.status == "rejected" && x.failures.starts_with("SEC-02")).expect("SEC-02");
    assert!(sec02.failures.contains("距法定退休年龄不足2年"), "{}", sec02.failures);
    let rules = domain::campaign::secondment::shipped();
    let waiting_near = noms.iter().filter(|x| x.status == "pending").any(|x| {
        let f = domain::campaign::secondment::check(&x.judged(), rules, today).unwrap();
        f.iter().any(|f| f.rule_id == "SEC-02")
    });
    assert!(waiting_near, "a waiting nomination fails SEC-02 for the reviewer to see");
    assert!(noms.iter().all(|x| x.starts_on.year() == today.year() || x.status == "pending"));
    let members: BTreeSet<i64> = noms.iter().map(|x| x.member_id).collect();
    assert_eq!(members.len(), noms.len());

    // plans in each status, annual and multi-year, targets reading the registry
    let (plans, n) = sc::plan::list(s, &root, 200, 0).await.unwrap();
    let by = |st: &str| plans.iter().filter(|p| p.status == st).count() as u64;
    assert_eq!(n as u64, cs.plans_approved + cs.plans_submitted + cs.plans_returned + cs.plans_draft);
    assert_eq!(
        (by("approved"), by("submitted"), by("returned"), by("draft")),
        (cs.plans_approved, cs.plans_submitted, cs.plans_returned, cs.plans_draft)
    );
    assert!(
        [cs.plans_approved, cs.plans_submitted, cs.plans_returned, cs.plans_draft].iter().all(|&x| x > 0),
        "{cs:?}"
    );
    assert!(plans.iter().filter(|p| p.status == "returned").all(|p| !p.reason.is_empty()));
    let multi: Vec<_> = plans.iter().filter(|p| p.kind == "multi_year").collect();
    assert!(
        !multi.is_empty() && multi.iter().all(|p| p.from_year == today.year() as i64 && p.to_year == p.from_year + 4)
    );
    assert!(plans.iter().filter(|p| p.kind == "annual").all(|p| p.from_year == today.year() as i64));
    let mut sources = BTreeSet::new();
    let mut done = 0;
    for p in &plans {
        let targets = sc::plan::targets(s, p).await.unwrap();
        assert!(!targets.is_empty());
        sources.extend(targets.into_iter().map(|t| t.source));
        let ms = sc::plan::milestones(s, p).await.unwrap();
        assert!(!ms.is_empty());
        assert!(p.status == "approved" || ms.iter().all(|m| m.done_on.is_none()));
        done += ms.iter().filter(|m| m.done_on.is_some_and(|d| d <= today)).count() as u64;
    }
    assert_eq!(done, cs.milestones_done);
    assert!(done > 0);
    for src in ["facility_coverage", "life_completion", "training_coverage", "demo_sites"] {
        assert!(sources.contains(src), "no plan target reads {src}");
    }
}

/// The 创新型 campaign: lists perfunctory and not, late and missing; updates on time, late and
/// missing; projects at every stage through gates with reviewers and scores; the findings page
/// shows every kind of finding as of the demo date; all of it audited as the demo's work.
async fn check_innovation(s: &Store, sum: &DemoSummary, today: NaiveDate) {
    use domain::campaign::innovation::Stage;
    use store::campaign::innovation as si;
    let all = Scope::all();
    let cs = &sum.campaigns;
    let (c, _) = sc::list(s, &all).await.unwrap().into_iter().find(|(c, _)| c.kind == "innovation").unwrap();
    let root = store::org::visible(s, &all, sum.root_id).await.unwrap();
    let parts = sc::participants(s, &c, today).await.unwrap();
    assert_eq!(cs.innovation_lists + cs.innovation_lists_missing, parts.len() as u64, "{cs:?}");

    // lists: perfunctory and not, with goal, measures, owner and milestones one a line
    let (rows, total) = si::overview(s, &c, &root, today, today.year(), 1000, 0).await.unwrap();
    assert_eq!(total, parts.len());
    assert_eq!(rows.iter().filter(|r| r.list.is_some()).count() as u64, cs.innovation_lists);
    let perfunctory = rows.iter().filter(|r| !r.perfunctory.is_empty()).count() as u64;
    assert_eq!(perfunctory, cs.innovation_lists_perfunctory);
    assert!(perfunctory > 0 && perfunctory < cs.innovation_lists, "{cs:?}");
    assert!(
        cs.innovation_lists_late > 0 && cs.innovation_lists_missing > 0 && cs.innovation_list_changes > 0,
        "{cs:?}"
    );
    let good = rows.iter().find(|r| r.list.is_some() && r.perfunctory.is_empty()).unwrap();
    let (_, _, l) = si::get_list(s, &all, good.list.unwrap().0).await.unwrap();
    let items = si::items(s, &l).await.unwrap();
    assert!(items.len() >= 3);
    for i in &items {
        assert!(!i.goal.is_empty() && !i.measures.is_empty() && !i.owner.is_empty(), "{i:?}");
        let lines = i.milestone_lines();
        assert!(!lines.is_empty() && lines.iter().all(|m| m.starts_with(&today.year().to_string())), "{lines:?}");
    }

    // updates: counted, some late
    let (_, n) = si::updates(s, &c, &root, 1, 0).await.unwrap();
    assert_eq!(n as u64, cs.innovation_updates);
    assert!(cs.innovation_updates_late > 0 && cs.innovation_updates_missing > 0, "{cs:?}");
    assert!(cs.innovation_updates > 4 * (cs.innovation_updates_late + cs.innovation_updates_missing), "{cs:?}");

    // findings of every kind as of the demo date, as counted
    let f = si::findings(s, &c, &root, today).await.unwrap();
    assert_eq!(f.len() as u64, cs.innovation_findings);
    let with =
        |rule: &str, says: &str| f.iter().filter(|x| x.rule_id == rule && x.detail.contains(says)).count() as u64;
    assert_eq!(with("INNO-01", "未提交"), cs.innovation_lists_missing);
    assert_eq!(with("INNO-01", "逾期提交"), cs.innovation_lists_late);
    for rule in ["INNO-02", "INNO-03", "INNO-04"] {
        assert!(with(rule, "") > 0, "no {rule} finding");
    }
    assert_eq!(with("INNO-05", "逾期报送"), cs.innovation_updates_late);
    assert_eq!(with("INNO-05", "未报送"), cs.innovation_updates_missing);
    let rules = si::rules(s).await.unwrap();
    assert_eq!(rules.iter().filter(|r| r.org_id.is_some()).count() as u64, cs.innovation_rules);

    // projects at every stage; gates with reviewers and scores
    let (projects, n) = si::projects(s, &c, &root, 1000, 0).await.unwrap();
    assert_eq!(n as u64, cs.innovation_projects);
    let at = |st: Stage| projects.iter().filter(|p| p.stage() == st).count() as u64;
    assert_eq!(
        [
            at(Stage::Proposal),
            at(Stage::Approval),
            at(Stage::Implementation),
            at(Stage::MidTerm),
            at(Stage::Acceptance),
            at(Stage::Rejected)
        ],
        [
            cs.projects_proposed,
            cs.projects_approved,
            cs.projects_implementing,
            cs.projects_mid_term,
            cs.projects_accepted,
            cs.projects_rejected
        ]
    );
    assert!(
        [cs.projects_proposed, cs.projects_approved, cs.projects_implementing, cs.projects_mid_term]
            .iter()
            .chain([cs.projects_accepted, cs.projects_rejected].iter())
            .all(|&x| x > 0),
        "{cs:?}"
    );
    let mut held = 0;
    let mut failed_mid_term = false;
    for p in &projects {
        let gates = si::gates(s, p).await.unwrap();
        held += gates.len() as u64;
        assert!(gates.iter().all(|g| !g.reviewers.is_empty() && g.score > 0 && g.decided_on <= today));
        assert!(gates.iter().all(|g| g.decided_on >= p.proposed_on() && (g.passed() || !g.note.is_empty())));
        if p.stage() == Stage::Rejected {
            assert_eq!(gates.iter().map(|g| (g.gate.as_str(), g.passed())).collect::<Vec<_>>(), [("approval", false)]);
        }
        failed_mid_term |=
            p.stage() == Stage::Implementation && gates.iter().any(|g| g.gate == "mid_term" && !g.passed());
    }
    assert_eq!(held, cs.project_gates);
    assert!(failed_mid_term, "a project failed its mid-term review and stays in implementation");

    // every write audited as the demo's work
    let sql = "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE actor = 'demo' AND action = $1";
    for (action, n) in [
        ("innovation.list_submit", cs.innovation_lists),
        ("innovation.list_update", cs.innovation_list_changes),
        ("innovation.update", cs.innovation_updates),
        ("innovation.rule_add", cs.innovation_rules),
        ("innovation.project_propose", cs.innovation_projects),
        ("innovation.gate", cs.project_gates),
    ] {
        assert_eq!(count(s, sql, &args![action]).await as u64, n, "{action}");
    }
    assert!(sum.report().contains(&format!("创新清单 {} 份", cs.innovation_lists)), "{}", sum.report());
}
