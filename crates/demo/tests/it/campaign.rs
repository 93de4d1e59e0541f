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
use store::{args, Scope, Store};

async fn count(s: &Store, sql: &str, a: &[store::Val]) -> i64 {
    store::testing::raw(s.read()).scalar(sql, a).await.unwrap()
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
