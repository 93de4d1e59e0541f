use super::*;
use crate::org::OrgKind;
use crate::rules::Severity;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn roster(voters: usize, probationary: usize) -> Vec<RosterEntry> {
    (0..voters + probationary)
        .map(|i| RosterEntry {
            member_id: i as i64 + 1,
            name: format!("党员{}", i + 1),
            voter: i < voters,
            committee: i < 3,
        })
        .collect()
}

fn assembly(roster: &[RosterEntry], present: usize) -> RecordInput {
    RecordInput {
        types: vec!["branch_assembly".into()],
        title: "第一季度党员大会".into(),
        held_on: "2026-03-20".into(),
        place: "党员活动室".into(),
        host: "张书记".into(),
        recorder: "李委员".into(),
        minutes: "传达学习……".into(),
        attendance: roster
            .iter()
            .enumerate()
            .map(|(i, r)| AttendanceInput {
                member_id: r.member_id,
                status: if i < present { "present".into() } else { "absent".into() },
                reason: if i < present { String::new() } else { "外出务工".into() },
            })
            .collect(),
        ..Default::default()
    }
}

#[test]
fn shipped_data_is_consistent() {
    let types = shipped_types();
    assert!(types.len() >= 9);
    for r in shipped_rules() {
        assert!(type_of(types, &r.type_code).is_some(), "{} names an unknown type {}", r.rule_id, r.type_code);
        assert!(r.rule_id.starts_with("LIFE-"), "{}", r.rule_id);
    }
    for t in types {
        assert!(valid_type_code(&t.code), "{}", t.code);
    }
    for id in ["LIFE-14", "LIFE-15", "REC-04", "REC-08", "REC-09", "REC-10", "REC-13", "REC-15", "REC-16"] {
        assert!(crate::rules::in_force(id, d("2026-06-01")).is_some(), "{id} shipped");
    }
}

#[test]
fn periods_are_calendar_periods() {
    let q = Period::containing(PeriodKind::Quarter, d("2026-05-17"));
    assert_eq!(
        (q.start, q.end, q.key(), q.label()),
        (d("2026-04-01"), d("2026-06-30"), "2026-Q2".into(), "2026年第二季度".into())
    );
    let m = Period::containing(PeriodKind::Month, d("2024-02-10"));
    assert_eq!(m.end, d("2024-02-29"));
    assert_eq!(Period::covering(PeriodKind::Month, d("2026-01-01"), d("2026-12-31")).len(), 12);
    assert_eq!(Period::covering(PeriodKind::Quarter, d("2026-02-01"), d("2026-07-01")).len(), 3);
    for k in ["2026-03", "2026-Q4", "2026"] {
        assert_eq!(Period::parse_key(k).unwrap().key(), k);
    }
    assert!(Period::parse_key("2026-Q5").is_none());
}

#[test]
fn life_04_committee_meetings_only_where_a_committee_exists() {
    let rules = shipped_rules();
    let on = d("2026-03-01");
    assert!(rule_for(rules, "committee_meeting", "a", OrgKind::Branch, true, on).is_some());
    assert!(rule_for(rules, "committee_meeting", "a", OrgKind::Branch, false, on).is_none());
    // LIFE-05: 党小组会 for party groups, not branches
    assert!(rule_for(rules, "group_meeting", "a", OrgKind::PartyGroup, false, on).is_some());
    assert!(rule_for(rules, "group_meeting", "a", OrgKind::Branch, false, on).is_none());
    // LIFE-01 is quarterly
    assert_eq!(
        rule_for(rules, "branch_assembly", "a", OrgKind::Branch, false, on).unwrap().period,
        PeriodKind::Quarter
    );
}

fn local(type_code: &str, path: &str, period: PeriodKind, from: &str) -> LifeRule {
    LifeRule {
        id: Some(1),
        rule_id: "LIFE-06".into(),
        type_code: type_code.into(),
        applies: vec![Applies::Branch],
        period,
        min: 1,
        org_id: Some(9),
        org_path: Some(path.into()),
        org_name: Some("某县委".into()),
        valid_from: d(from),
        valid_to: None,
        severity: Severity::Error,
        source: "县委组织部通知".into(),
        article: "第二条".into(),
        confidence: "L".into(),
    }
}

#[test]
fn dated_local_override_wins_inside_its_subtree_from_its_date() {
    let mut rules = shipped_rules().to_vec();
    rules.push(local("party_lecture", "000a", PeriodKind::Month, "2026-07-01"));
    let r = |p: &str, on: &str| rule_for(&rules, "party_lecture", p, OrgKind::Branch, false, d(on)).unwrap().period;
    assert_eq!(r("000a0001", "2026-06-30"), PeriodKind::Quarter);
    assert_eq!(r("000a0001", "2026-07-01"), PeriodKind::Month);
    assert_eq!(r("000b0001", "2026-07-01"), PeriodKind::Quarter, "outside the subtree the national rule holds");
}

#[test]
fn life_02_quorum_needs_more_than_half_of_voters() {
    let today = d("2026-11-21");
    // 10 full members and 2 probationary: probationary members attend but do not vote (REC-08)
    let ros = roster(10, 2);
    let mut input = assembly(&ros, 5);
    // the first five present are all voters: 5 of 10 is not more than half
    let v = validate(&input, shipped_types(), &ros, today).unwrap();
    assert_eq!(v.quorum_ok, Some(false));
    assert!(v.warnings[0].contains("LIFE-02"), "{:?}", v.warnings);
    assert_eq!((v.counts.expected, v.counts.present, v.counts.absent), (12, 5, 7));
    assert_eq!((v.counts.voters_expected, v.counts.voters_present), (10, 5));
    input = assembly(&ros, 6);
    assert_eq!(validate(&input, shipped_types(), &ros, today).unwrap().quorum_ok, Some(true));
    // probationary members present do not make the quorum: 5 voters + 2 probationary
    let mut input = assembly(&ros, 5);
    for a in input.attendance.iter_mut().skip(10) {
        a.status = "present".into();
        a.reason.clear();
    }
    let v = validate(&input, shipped_types(), &ros, today).unwrap();
    assert_eq!((v.counts.present, v.counts.voters_present, v.quorum_ok), (7, 5, Some(false)));
}

#[test]
fn life_02_resolution_passes_on_more_than_half_of_all_voters() {
    let today = d("2026-11-21");
    let ros = roster(10, 0);
    let mut input = assembly(&ros, 8);
    input.resolutions = vec![ResolutionInput {
        text: "接收张三为预备党员".into(),
        yes: "6".into(),
        no: "2".into(),
        abstain: "0".into(),
        declared: Some(true),
        ..Default::default()
    }];
    let v = validate(&input, shipped_types(), &ros, today).unwrap();
    assert!(v.resolutions[0].passed);
    // 5 ayes of 10 entitled: more than half of those present (8) but not of all voters
    input.resolutions[0].yes = "5".into();
    input.resolutions[0].no = "3".into();
    let e = validate(&input, shipped_types(), &ros, today).unwrap_err();
    assert!(e.to_string().contains("LIFE-02") && e.to_string().contains("不能通过"), "{e}");
    input.resolutions[0].declared = None;
    assert!(!validate(&input, shipped_types(), &ros, today).unwrap().resolutions[0].passed);
    // more votes than voters present
    input.resolutions[0].yes = "9".into();
    assert!(validate(&input, shipped_types(), &ros, today).unwrap_err().to_string().contains("超过到会"));
    // no vote without a quorum
    let mut input = assembly(&ros, 5);
    input.resolutions = vec![ResolutionInput { text: "x".into(), yes: "5".into(), ..Default::default() }];
    assert!(validate(&input, shipped_types(), &ros, today).unwrap_err().to_string().contains("不能进行表决"));
}

#[test]
fn rec_08_attendees_must_be_members_on_the_date_and_absences_need_a_reason() {
    let today = d("2026-11-21");
    let ros = roster(4, 0);
    let mut input = assembly(&ros, 4);
    input.attendance.push(AttendanceInput { member_id: 99, status: "present".into(), reason: String::new() });
    let e = validate(&input, shipped_types(), &ros, today).unwrap_err();
    assert!(e.has("出席情况") && e.to_string().contains("REC-08") && e.to_string().contains("不是本组织党员"), "{e}");
    let mut input = assembly(&ros, 2);
    input.attendance[3].reason.clear();
    let e = validate(&input, shipped_types(), &ros, today).unwrap_err();
    assert!(e.to_string().contains("注明原因"), "{e}");
    let mut input = assembly(&ros, 4);
    input.attendance.pop();
    assert!(validate(&input, shipped_types(), &ros, today).unwrap_err().to_string().contains("未登记出席情况"));
}

#[test]
fn rec_fields_are_required_and_named() {
    let e = validate(&RecordInput::default(), shipped_types(), &[], d("2026-11-21")).unwrap_err();
    for f in ["会议类型", "会议主题", "会议日期", "地点", "主持人", "记录人"] {
        assert!(e.has(f), "{f}: {e}");
    }
    let mut input = assembly(&roster(3, 0), 3);
    input.types = vec!["party_lecture".into()];
    input.held_on = "2026-12-01".into();
    input.start_time = "15:00".into();
    input.end_time = "14:00".into();
    let e = validate(&input, shipped_types(), &roster(3, 0), d("2026-11-21")).unwrap_err();
    for f in ["授课人", "会议日期", "结束时间"] {
        assert!(e.has(f), "{f}: {e}");
    }
}

#[test]
fn rec_08_an_organization_without_a_roster_enters_numbers_by_hand() {
    let mut input = assembly(&[], 0);
    input.types = vec!["party_lecture".into()];
    input.lecturer = "党委书记".into();
    input.expected = "40".into();
    input.present = "36".into();
    input.leave = "4".into();
    let v = validate(&input, shipped_types(), &[], d("2026-11-21")).unwrap();
    assert_eq!((v.counts.expected, v.counts.present, v.counts.leave), (40, 36, 4));
}

#[test]
fn life_04_committee_meeting_counts_only_committee_members() {
    let ros = roster(8, 0); // the first three hold committee posts
    let mut input = assembly(&ros, 2);
    input.types = vec!["committee_meeting".into()];
    input.attendance.truncate(3);
    let v = validate(&input, shipped_types(), &ros, d("2026-11-21")).unwrap();
    assert_eq!((v.counts.expected, v.counts.present, v.quorum_ok), (3, 2, Some(true)));
    assert!(is_committee_post("党支部书记") && is_committee_post("组织委员") && !is_committee_post("科员"));
}

fn branch(id: i64) -> OrgLife {
    OrgLife {
        id,
        path: format!("0001000{id}"),
        name: format!("第{id}党支部"),
        kind: OrgKind::Branch,
        has_committee: false,
        founded_on: Some(d("2020-01-01")),
        dissolved_on: None,
        has_division: false,
        secretaries: vec![],
    }
}

fn rec(id: i64, org: i64, types: &[&str], held: &str) -> RecordFacts {
    RecordFacts {
        id,
        org_id: org,
        path: format!("0001000{org}"),
        types: types.iter().map(|s| s.to_string()).collect(),
        title: format!("会议{id}"),
        held_on: d(held),
        created_on: d(held),
        status: RecordStatus::Accepted,
        quorum_ok: Some(true),
        has_minutes: true,
        has_attendance: true,
        has_times: true,
        has_agenda: true,
        attachments: 1,
        belongs_to_year: None,
        lecturer_member_id: None,
    }
}

fn eval1(org: OrgLife, recs: &[RecordFacts], rules: &[LifeRule], as_of: &str) -> OrgCompliance {
    let p = Params { silent_days: 30, entry_grace_days: 10, review_days: 30 };
    evaluate(
        &[org],
        recs,
        rules,
        shipped_year_windows(),
        shipped_types(),
        d("2026-01-01"),
        d("2026-12-31"),
        d(as_of),
        p,
    )
    .remove(0)
}

#[test]
fn life_01_a_missed_quarter_is_a_finding_with_its_evidence() {
    let recs = vec![
        rec(1, 1, &["branch_assembly"], "2026-02-10"),
        rec(2, 1, &["branch_assembly", "theme_day"], "2026-05-10"),
        // Q3: one held without quorum, which does not count (LIFE-02)
        RecordFacts { quorum_ok: Some(false), ..rec(3, 1, &["branch_assembly"], "2026-08-10") },
        rec(4, 1, &["branch_assembly"], "2026-11-10"),
    ];
    let c = eval1(branch(1), &recs, shipped_rules(), "2026-11-21");
    let line = c.lines.iter().find(|l| l.type_code == "branch_assembly").unwrap();
    let states: Vec<CellState> = line.cells.iter().map(|c| c.state).collect();
    assert_eq!(states, [CellState::Met, CellState::Met, CellState::Missing, CellState::Met]);
    assert_eq!((line.due, line.met), (4, 3));
    let f = c
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::Missing && f.type_code.as_deref() == Some("branch_assembly"))
        .unwrap();
    assert_eq!((f.rule_id.as_str(), f.period_key.as_deref()), ("LIFE-01", Some("2026-Q3")));
    assert!(f.source.contains("第十一条"));
    assert_eq!(f.evidence.excluded[0].id, 3);
    assert!(f.evidence.excluded[0].note.contains("LIFE-02"));
    assert!(c.findings.iter().any(|f| f.kind == FindingKind::NoQuorum && f.record_id == Some(3)));
    // the joint record counted for 主题党日 in May as well
    let theme = c.lines.iter().find(|l| l.type_code == "theme_day").unwrap();
    assert_eq!(theme.cells[4].state, CellState::Met);
    assert_eq!(theme.cells[4].records, vec![2]);
    // November is running: not missing yet; December has not begun
    assert_eq!(theme.cells[10].state, CellState::Open);
    assert_eq!(theme.cells[11].state, CellState::Upcoming);
}

#[test]
fn rule_changed_mid_year_is_applied_period_by_period() {
    let mut rules = shipped_rules().to_vec();
    rules.push(local("party_lecture", "00010001", PeriodKind::Month, "2026-07-01"));
    let recs: Vec<RecordFacts> = ["2026-02-01", "2026-05-01", "2026-07-15", "2026-08-15", "2026-10-15"]
        .iter()
        .enumerate()
        .map(|(i, h)| rec(i as i64 + 1, 1, &["party_lecture"], h))
        .collect();
    let c = eval1(branch(1), &recs, &rules, "2026-12-31");
    let line = c.lines.iter().find(|l| l.type_code == "party_lecture").unwrap();
    let keys: Vec<(&str, CellState)> = line.cells.iter().map(|c| (c.key.as_str(), c.state)).collect();
    assert_eq!(
        keys,
        [
            ("2026-Q1", CellState::Met),
            ("2026-Q2", CellState::Met),
            ("2026-07", CellState::Met),
            ("2026-08", CellState::Met),
            ("2026-09", CellState::Missing),
            ("2026-10", CellState::Met),
            ("2026-11", CellState::Missing),
            ("2026-12", CellState::Open),
        ]
    );
    let sept = c.findings.iter().find(|f| f.period_key.as_deref() == Some("2026-09")).unwrap();
    assert!(sept.evidence.requirement.contains("某县委") && sept.evidence.requirement.contains("2026-07-01"));
}

#[test]
fn life_14_silent_branch_and_record_findings() {
    let mut late = rec(2, 1, &["theme_day"], "2026-09-01");
    late.created_on = d("2026-09-30");
    late.has_minutes = false;
    late.status = RecordStatus::Submitted;
    let recs = vec![rec(1, 1, &["theme_day"], "2026-08-01"), late];
    let c = eval1(branch(1), &recs, shipped_rules(), "2026-11-21");
    let kinds: Vec<(FindingKind, &str)> =
        c.findings.iter().filter(|f| f.kind != FindingKind::Missing).map(|f| (f.kind, f.rule_id.as_str())).collect();
    assert!(kinds.contains(&(FindingKind::Silent, "LIFE-14")), "{kinds:?}");
    assert!(kinds.contains(&(FindingKind::Incomplete, "REC-10")));
    assert!(kinds.contains(&(FindingKind::Late, "REC-15")));
    assert!(kinds.contains(&(FindingKind::Unreviewed, "REC-16")));
    assert_eq!(c.last_activity, Some(d("2026-09-01")));
    // active within 30 days: not silent
    let recs = vec![rec(1, 1, &["theme_day"], "2026-11-01")];
    assert!(!eval1(branch(1), &recs, shipped_rules(), "2026-11-21")
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::Silent));
    // a returned record is no activity and counts for nothing
    let recs = vec![RecordFacts { status: RecordStatus::Returned, ..rec(1, 1, &["theme_day"], "2026-11-01") }];
    let c = eval1(branch(1), &recs, shipped_rules(), "2026-11-21");
    assert!(c.findings.iter().any(|f| f.kind == FindingKind::Silent));
}

#[test]
fn organizations_founded_mid_period_are_exempt_and_party_groups_need_divisions() {
    let mut b = branch(1);
    b.founded_on = Some(d("2026-05-15"));
    let c = eval1(b, &[], shipped_rules(), "2026-11-21");
    let theme = c.lines.iter().find(|l| l.type_code == "theme_day").unwrap();
    assert_eq!(theme.cells[4].state, CellState::Exempt);
    assert_eq!(theme.cells[5].state, CellState::Missing);
    let lg = OrgLife { kind: OrgKind::LeadingGroup, ..branch(2) };
    let c = eval1(lg.clone(), &[], shipped_rules(), "2026-11-21");
    assert!(c.findings.iter().any(|f| f.kind == FindingKind::NoDivision && f.rule_id == "LIFE-15"));
    let c = eval1(OrgLife { has_division: true, ..lg }, &[], shipped_rules(), "2026-11-21");
    assert!(!c.findings.iter().any(|f| f.kind == FindingKind::NoDivision));
}

#[test]
fn rec_04_and_rec_09_missing_times_and_agenda_are_findings_naming_their_rules() {
    let mut r = rec(1, 1, &["theme_day"], "2026-11-05");
    r.has_times = false;
    r.has_agenda = false;
    let c = eval1(branch(1), &[r], shipped_rules(), "2026-11-21");
    let got: Vec<(FindingKind, &str)> =
        c.findings.iter().filter(|f| f.record_id == Some(1)).map(|f| (f.kind, f.rule_id.as_str())).collect();
    assert!(got.contains(&(FindingKind::NoTimes, "REC-04")), "{got:?}");
    assert!(got.contains(&(FindingKind::NoAgenda, "REC-09")), "{got:?}");
    let f = c.findings.iter().find(|f| f.kind == FindingKind::NoTimes).unwrap();
    assert!(f.message.contains("开始、结束时间") && !f.source.is_empty(), "{f:?}");
    assert_eq!(FindingKind::from_code("no_agenda").map(FindingKind::label), Some("未记录议程"));
    // a complete record has neither
    let c = eval1(branch(1), &[rec(1, 1, &["theme_day"], "2026-11-05")], shipped_rules(), "2026-11-21");
    assert!(!c.findings.iter().any(|f| matches!(f.kind, FindingKind::NoTimes | FindingKind::NoAgenda)));
}

#[test]
fn rec_13_a_record_without_attachments_is_a_finding_naming_its_rule() {
    // no 签到表, photo or signed page kept with the record
    let bare = RecordFacts { attachments: 0, ..rec(1, 1, &["theme_day"], "2026-11-05") };
    let c = eval1(branch(1), &[bare], shipped_rules(), "2026-11-21");
    let f = c.findings.iter().find(|f| f.kind == FindingKind::NoAttachment).expect("a REC-13 finding");
    assert_eq!((f.rule_id.as_str(), f.record_id, f.severity), ("REC-13", Some(1), Severity::Warning));
    assert!(f.message.contains("签到表") && f.message.contains("会议1"), "{}", f.message);
    assert!(f.evidence.requirement.starts_with("REC-13：") && f.evidence.requirement.contains("签名"));
    assert!(!f.source.is_empty());
    assert_eq!(f.period_key.as_deref(), Some("2026-11"));
    assert_eq!(FindingKind::from_code("no_attachment"), Some(FindingKind::NoAttachment));
    // it still counts for its period: the record is there, only its evidence is missing
    assert_eq!(cell_state(&c, "theme_day", "2026-11"), CellState::Met);
    // one attachment is enough; a returned record is not judged
    let c = eval1(branch(1), &[rec(1, 1, &["theme_day"], "2026-11-05")], shipped_rules(), "2026-11-21");
    assert!(!c.findings.iter().any(|f| f.kind == FindingKind::NoAttachment));
    let returned =
        RecordFacts { attachments: 0, status: RecordStatus::Returned, ..rec(1, 1, &["theme_day"], "2026-11-05") };
    let c = eval1(branch(1), &[returned], shipped_rules(), "2026-11-21");
    assert!(!c.findings.iter().any(|f| f.kind == FindingKind::NoAttachment));
}

#[test]
fn life_02_a_record_not_counted_is_listed_under_the_records_not_counted() {
    let r = RecordFacts { quorum_ok: Some(false), has_minutes: false, ..rec(3, 1, &["branch_assembly"], "2026-08-10") };
    let c = eval1(branch(1), &[r], shipped_rules(), "2026-11-21");
    for f in c.findings.iter().filter(|f| f.record_id == Some(3)) {
        assert!(f.evidence.counted.is_empty(), "{:?} lists the record as counted: {f:?}", f.kind);
        assert_eq!(f.evidence.excluded[0].id, 3);
        assert!(f.evidence.excluded[0].note.contains("不计入"));
    }
    let q = c.findings.iter().find(|f| f.kind == FindingKind::NoQuorum).unwrap();
    assert!(q.message.contains("不计入"));
}

#[test]
fn rec_08_a_cut_list_of_names_says_how_many_in_all() {
    let ros = roster(12, 0);
    let mut input = assembly(&ros, 1);
    for a in input.attendance.iter_mut().skip(1) {
        a.status = "absent".into();
        a.reason.clear();
    }
    let e = validate(&input, shipped_types(), &ros, d("2026-11-21")).unwrap_err();
    let msg =
        e.0.iter().find(|x| x.field == "出席情况" && x.message.contains("原因")).map(|x| x.message.clone()).unwrap();
    assert!(msg.contains("……等 11 人"), "{msg}");
    assert_eq!(names_cut(&["甲".into(), "乙".into()], 5), "甲、乙");
}

fn eval_range(orgs: &[OrgLife], recs: &[RecordFacts], from: &str, to: &str, as_of: &str) -> Vec<OrgCompliance> {
    let p = Params { silent_days: 30, entry_grace_days: 10, review_days: 30 };
    evaluate(orgs, recs, shipped_rules(), shipped_year_windows(), shipped_types(), d(from), d(to), d(as_of), p)
}

fn cell_state(c: &OrgCompliance, ty: &str, key: &str) -> CellState {
    let line = c.lines.iter().find(|l| l.type_code == ty).unwrap_or_else(|| panic!("no line {ty}"));
    line.cells.iter().find(|c| c.key == key).unwrap_or_else(|| panic!("no cell {key}")).state
}

#[test]
fn life_08_a_yearly_meeting_counts_for_its_own_year_not_the_year_it_was_held() {
    // the 2025 组织生活会 held on 2026-01-24 belongs to 2025
    let w = year_window_for(shipped_year_windows(), "00010001", d("2026-01-24")).unwrap();
    assert_eq!((w.rule_id.as_str(), w.until()), ("LIFE-18", "03-31".to_string()));
    assert_eq!(resolve_year("", d("2026-01-24"), true, Some(w)).unwrap(), 2025);
    assert_eq!(resolve_year("", d("2026-04-01"), true, Some(w)).unwrap(), 2026);
    assert_eq!(resolve_year("", d("2026-01-24"), false, Some(w)).unwrap(), 2026, "a monthly meeting keeps its year");
    assert_eq!(resolve_year("2026", d("2026-01-24"), true, Some(w)).unwrap(), 2026, "the record may say otherwise");
    assert!(resolve_year("2025", d("2026-05-10"), true, Some(w)).unwrap_err().has("所属年度"));
    assert!(resolve_year("2024", d("2026-01-24"), true, Some(w)).is_err());
    let held = RecordFacts { belongs_to_year: Some(2025), ..rec(1, 1, &["life_meeting"], "2026-01-24") };
    let y2025 = eval_range(&[branch(1)], std::slice::from_ref(&held), "2025-01-01", "2025-12-31", "2026-02-01");
    assert_eq!(cell_state(&y2025[0], "life_meeting", "2025"), CellState::Met);
    assert_eq!(y2025[0].lines.iter().find(|l| l.type_code == "life_meeting").unwrap().cells[0].records, vec![1]);
    let y2026 = eval_range(&[branch(1)], &[held], "2026-01-01", "2026-12-31", "2027-04-10");
    assert_eq!(cell_state(&y2026[0], "life_meeting", "2026"), CellState::Missing);
    // a local version of the window (a 组织部's own date) wins inside its subtree
    let mut local = shipped_year_windows()[0].clone();
    (local.until_month, local.until_day, local.org_path) = (1, 15, Some("0001".into()));
    let ws = vec![shipped_year_windows()[0].clone(), local];
    assert_eq!(year_window_for(&ws, "00010001", d("2026-01-24")).unwrap().until(), "01-15");
    assert_eq!(
        resolve_year("", d("2026-01-24"), true, year_window_for(&ws, "00010001", d("2026-01-24"))).unwrap(),
        2026
    );
    assert_eq!(year_window_for(&ws, "00020001", d("2026-01-24")).unwrap().until(), "03-31");
}

fn eval_windows(orgs: &[OrgLife], recs: &[RecordFacts], windows: &[YearWindow], as_of: &str) -> Vec<OrgCompliance> {
    let p = Params { silent_days: 30, entry_grace_days: 10, review_days: 30 };
    evaluate(orgs, recs, shipped_rules(), windows, shipped_types(), d("2025-01-01"), d("2025-12-31"), d(as_of), p)
}

#[test]
fn life_18_a_yearly_period_is_open_until_the_window_of_the_next_year_closes() {
    let yearly = ["life_meeting", "democratic_review", "heart_talk"];
    // nothing held for 2025: during 2025 and within the window at the start of 2026 (LIFE-18,
    // 01-01 to 03-31) the yearly meetings of 2025 may still be held, so they are 待召开, no finding
    for as_of in ["2025-06-30", "2025-12-31", "2026-01-01", "2026-02-15", "2026-03-31"] {
        let c = eval_windows(&[branch(1)], &[], shipped_year_windows(), as_of);
        for ty in yearly {
            assert_eq!(cell_state(&c[0], ty, "2025"), CellState::Open, "{ty} as of {as_of}");
        }
        let early: Vec<&str> = c[0]
            .findings
            .iter()
            .filter(|f| f.kind == FindingKind::Missing && f.period_key.as_deref() == Some("2025"))
            .map(|f| f.rule_id.as_str())
            .collect();
        assert!(early.is_empty(), "as of {as_of}: {early:?}");
        let line = c[0].lines.iter().find(|l| l.type_code == "life_meeting").unwrap();
        assert_eq!((line.due, line.met), (0, 0), "not yet due as of {as_of}");
    }
    // the day after the window: missed, each naming its rule
    let c = eval_windows(&[branch(1)], &[], shipped_year_windows(), "2026-04-01");
    for (ty, rule) in yearly.iter().zip(["LIFE-08", "LIFE-09", "LIFE-10"]) {
        assert_eq!(cell_state(&c[0], ty, "2025"), CellState::Missing, "{ty}");
        assert!(c[0].findings.iter().any(|f| f.rule_id == rule && f.period_key.as_deref() == Some("2025")), "{rule}");
    }
    // held within the window and counted for 2025: met
    let held = RecordFacts { belongs_to_year: Some(2025), ..rec(1, 1, &["life_meeting"], "2026-02-10") };
    let c = eval_windows(&[branch(1)], &[held], shipped_year_windows(), "2026-04-01");
    assert_eq!(cell_state(&c[0], "life_meeting", "2025"), CellState::Met);
    // monthly and quarterly periods are not concerned: December 2025 is missed on 1 January
    let c = eval_windows(&[branch(1)], &[], shipped_year_windows(), "2026-01-01");
    assert_eq!(cell_state(&c[0], "theme_day", "2025-12"), CellState::Missing);
    assert_eq!(cell_state(&c[0], "branch_assembly", "2025-Q4"), CellState::Missing);
    // a local window (a 组织部's own, up to 01-15) closes the year earlier inside its subtree only
    let mut local = shipped_year_windows()[0].clone();
    (local.until_month, local.until_day, local.org_path) = (1, 15, Some("0001".into()));
    let ws = vec![shipped_year_windows()[0].clone(), local];
    assert_eq!(year_closes(&ws, "00010001", 2025), d("2026-01-15"));
    assert_eq!(year_closes(&ws, "00020001", 2025), d("2026-03-31"));
    assert_eq!(year_closes(&[], "00010001", 2025), d("2025-12-31"), "without a window: the year's end");
    assert_eq!(latest_year_close(&ws, 2025), d("2026-03-31"));
    let outside = OrgLife { path: "00020001".into(), ..branch(2) };
    let c = eval_windows(&[branch(1), outside], &[], &ws, "2026-01-16");
    assert_eq!(cell_state(&c[0], "life_meeting", "2025"), CellState::Missing);
    assert_eq!(cell_state(&c[1], "life_meeting", "2025"), CellState::Open);
}

#[test]
fn life_18_the_secretarys_yearly_lecture_is_open_within_the_window_too() {
    // a 党委 whose 书记 has not lectured in 2025 (LIFE-06S) nor held its 民主生活会 (LIFE-17)
    let mut town = committee(10, "0001", OrgKind::Committee);
    town.secretaries = vec![secretary(10, 50, "2021-01-01", None)];
    let c = eval_windows(std::slice::from_ref(&town), &[], shipped_year_windows(), "2026-02-01");
    assert_eq!(cell_state(&c[0], "party_lecture", "2025"), CellState::Open);
    assert_eq!(cell_state(&c[0], "democratic_life", "2025"), CellState::Open);
    assert!(!c[0].findings.iter().any(|f| f.kind == FindingKind::Missing), "{:?}", c[0].findings);
    // the lecture given in the window and counted for 2025 meets it
    let given = RecordFacts { belongs_to_year: Some(2025), ..lecture(1, 10, "0001", "2026-03-20", Some(50)) };
    let c = eval_windows(std::slice::from_ref(&town), &[given], shipped_year_windows(), "2026-04-01");
    assert_eq!(cell_state(&c[0], "party_lecture", "2025"), CellState::Met);
    assert_eq!(cell_state(&c[0], "democratic_life", "2025"), CellState::Missing);
}

fn committee(id: i64, path: &str, kind: OrgKind) -> OrgLife {
    OrgLife { kind, path: path.into(), name: format!("党组织{id}"), has_committee: true, ..branch(id) }
}

fn secretary(org: i64, member: i64, from: &str, to: Option<&str>) -> crate::officer::Term {
    crate::officer::Term {
        org_id: org,
        member_id: member,
        name: format!("书记{member}"),
        role: crate::officer::OfficerRole::Secretary,
        started_on: d(from),
        ended_on: to.map(d),
    }
}

fn lecture(id: i64, org: i64, path: &str, held: &str, by: Option<i64>) -> RecordFacts {
    RecordFacts { path: path.into(), lecturer_member_id: by, ..rec(id, org, &["party_lecture"], held) }
}

#[test]
fn life_06s_the_secretarys_own_lecture_anywhere_in_the_subtree_counts() {
    // a 党委 (path 0001) whose secretary was member 50 until June, then member 60
    let mut town = committee(10, "0001", OrgKind::Committee);
    town.secretaries = vec![secretary(10, 50, "2021-01-01", Some("2026-06-30")), secretary(10, 60, "2026-07-01", None)];
    let b = OrgLife { path: "00010001".into(), ..branch(1) };
    // member 50 lectured in a branch in August, after the term ended: not the secretary then
    let recs = vec![lecture(1, 1, "00010001", "2026-08-10", Some(50))];
    let c = eval_range(&[town.clone(), b.clone()], &recs, "2026-01-01", "2026-12-31", "2027-04-10");
    assert_eq!(cell_state(&c[0], "party_lecture", "2026"), CellState::Missing);
    let f = c[0].findings.iter().find(|f| f.rule_id == "LIFE-06S").unwrap();
    assert!(f.message.contains("书记50、书记60"), "{}", f.message);
    // the new secretary lectured in a branch of the subtree: met, though the 党委 recorded none
    let recs = vec![lecture(2, 1, "00010001", "2026-09-10", Some(60))];
    let c = eval_range(&[town.clone(), b.clone()], &recs, "2026-01-01", "2026-12-31", "2027-04-10");
    assert_eq!(cell_state(&c[0], "party_lecture", "2026"), CellState::Met);
    // a lecture outside the subtree does not count; the 党委's own lecture by someone else neither
    let recs = vec![lecture(3, 99, "00020001", "2026-09-10", Some(60)), lecture(4, 10, "0001", "2026-10-10", Some(77))];
    let c = eval_range(&[town.clone()], &recs, "2026-01-01", "2026-12-31", "2027-04-10");
    assert_eq!(cell_state(&c[0], "party_lecture", "2026"), CellState::Missing);
    let f = c[0].findings.iter().find(|f| f.rule_id == "LIFE-06S").unwrap();
    assert_eq!(f.evidence.excluded.iter().map(|e| e.id).collect::<Vec<_>>(), vec![4]);
    assert!(f.evidence.excluded[0].note.contains("不是当日书记"));
}

#[test]
fn life_06s_applies_to_a_party_group_whose_secretary_lectures_in_the_unit() {
    // a 党组 (leaf 00010009) under the 县委 0001; its secretary lectured in a branch under 0001
    let mut lg = committee(20, "00010009", OrgKind::LeadingGroup);
    lg.has_division = true;
    let c = eval_range(&[lg.clone()], &[], "2026-01-01", "2026-12-31", "2027-04-10");
    assert_eq!(cell_state(&c[0], "party_lecture", "2026"), CellState::Missing, "looked for in a 党组 as well");
    lg.secretaries = vec![secretary(20, 70, "2020-01-01", None)];
    let recs = vec![lecture(5, 1, "00010001", "2026-05-10", Some(70))];
    let c = eval_range(&[lg], &recs, "2026-01-01", "2026-12-31", "2027-04-10");
    assert_eq!(cell_state(&c[0], "party_lecture", "2026"), CellState::Met);
}
