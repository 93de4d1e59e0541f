//! The innovation rules, lists, findings and gates, each case citing its rule.

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn local(kind: Kind, value: i64, path: &str, from: &str) -> Rule {
    let base = shipped().iter().find(|r| r.kind == kind).unwrap();
    Rule {
        id: Some(1),
        value,
        org_id: Some(9),
        org_path: Some(path.into()),
        org_name: Some("中共甲县委".into()),
        valid_from: d(from),
        valid_to: None,
        source: "县委组织部通知".into(),
        article: "—".into(),
        confidence: "L".into(),
        ..base.clone()
    }
}

fn item(title: &str, measures: bool, milestones: usize) -> ItemFacts {
    ItemFacts { title: title.into(), has_measures: measures, milestones }
}

fn list(year: i32, submitted: &str, items: Vec<ItemFacts>) -> ListFacts {
    ListFacts { year, submitted_on: d(submitted), items }
}

fn full_items() -> Vec<ItemFacts> {
    vec![item("党建+政务服务", true, 2), item("网格化管理", true, 1), item("党员先锋岗", true, 3)]
}

#[test]
fn shipped_rules_parse() {
    let ids: Vec<&str> = rule_ids().iter().map(|(r, _)| *r).collect();
    assert_eq!(ids, ["INNO-01", "INNO-02", "INNO-03", "INNO-04", "INNO-05"]);
    let v = in_force(shipped(), "0001", d("2026-01-01"));
    assert_eq!(v.len(), 5);
    assert!(shipped().iter().all(|r| r.confidence == "L" && r.org_path.is_none()));
    assert_eq!(v[0].value_text(), "每年 3 月 31 日前提交");
    assert_eq!(v[1].value_text(), "不少于 3 项");
    assert_eq!(v[4].value_text(), "每期结束后 10 天内报送");
    assert!(in_force(shipped(), "0001", d("2017-01-01")).is_empty());
}

#[test]
fn malformed_rule_files_are_refused_naming_the_line() {
    let head = "rule_id,rule,value,valid_from,valid_to,source,article,confidence\n";
    let bad = |row: &str| parse_rules(&format!("{head}{row}\n")).unwrap_err();
    assert!(bad("INNO-01,list_due,230,2017-11-05,,s,—,L").contains("第 2 行"), "2 月 30 日");
    assert!(bad("INNO-02,min_items,0,2017-11-05,,s,—,L").contains("value"));
    assert!(bad("INNO-09,nap,1,2017-11-05,,s,—,L").contains("rule"));
    assert!(bad("INNO-03,item_measures,1,2017-11-05,s,—,L").contains("8 列"));
}

/// The nearest ancestor's version in force wins; a version applies from its date only; the
/// shipped version applies where no local one does.
#[test]
fn rule_versions_by_date_and_nearest_ancestor() {
    let mut rules = shipped().to_vec();
    rules.push(local(Kind::MinItems, 5, "0001", "2026-01-01"));
    rules.push(local(Kind::MinItems, 4, "00010002", "2026-07-01"));
    let county = "00010002";
    let town = "000100020003";
    let value = |rules: &[Rule], path: &str, on: &str| rule_for(rules, Kind::MinItems, path, d(on)).unwrap().value;
    assert_eq!(value(&rules, town, "2025-12-31"), 3, "shipped before the local versions");
    assert_eq!(value(&rules, town, "2026-03-01"), 5, "the city's version");
    assert_eq!(value(&rules, town, "2026-07-01"), 4, "the county's, nearer, from its date");
    assert_eq!(value(&rules, county, "2026-07-01"), 4);
    assert_eq!(value(&rules, "00010005", "2026-07-01"), 5, "another county: the city's");
    assert_eq!(value(&rules, "0002", "2026-07-01"), 3, "outside the city: shipped");
    // a lapsed version gives way again
    let mut lapsing = local(Kind::MinItems, 6, county, "2026-01-01");
    lapsing.valid_to = Some(d("2026-04-01"));
    rules.push(lapsing);
    assert_eq!(value(&rules, town, "2026-03-31"), 6);
    assert_eq!(value(&rules, town, "2026-04-01"), 5);
}

#[test]
fn rule_values_as_typed() {
    assert_eq!(parse_value(Kind::ListDue, "03-31"), Ok(331));
    assert_eq!(parse_value(Kind::ListDue, "4月30日"), Ok(430));
    assert_eq!(parse_value(Kind::ListDue, "1231"), Ok(1231));
    assert!(parse_value(Kind::ListDue, "02-29").is_err());
    assert!(parse_value(Kind::ListDue, "13-01").is_err());
    assert_eq!(parse_value(Kind::ItemMeasures, "不作要求"), Ok(0));
    assert!(parse_value(Kind::ItemMilestones, "2").is_err());
    assert_eq!(parse_value(Kind::UpdateGrace, "15"), Ok(15));
    assert!(parse_value(Kind::UpdateGrace, "91").is_err());
    let v = RuleInput {
        rule_id: "INNO-02".into(),
        value: "5".into(),
        valid_from: "2026-01-01".into(),
        valid_to: String::new(),
        source: "市委组织部通知".into(),
    }
    .validate()
    .unwrap();
    assert_eq!((v.kind, v.value, v.rule_id.as_str()), (Kind::MinItems, 5, "INNO-02"));
    let e = RuleInput {
        rule_id: "INNO-09".into(),
        value: "5".into(),
        valid_from: "2026-13-01".into(),
        valid_to: "2025-01-01".into(),
        source: " ".into(),
    }
    .validate()
    .unwrap_err();
    assert!(e.has("规则") && e.has("生效日期") && e.has("依据"), "{e}");
    let e = RuleInput {
        rule_id: "清单提交期限".into(),
        value: "2-30".into(),
        valid_from: "2026-01-01".into(),
        valid_to: "2025-12-31".into(),
        source: "通知".into(),
    }
    .validate()
    .unwrap_err();
    assert!(e.has("规则值") && e.has("失效日期"), "{e}");
}

#[test]
fn periods_of_months_and_quarters() {
    let q = Cadence::Quarter.parse_period("2026-Q1").unwrap();
    assert_eq!((q.start, q.end, q.label()), (d("2026-01-01"), d("2026-03-31"), "2026年第一季度".to_string()));
    for typed in ["2026q4", "2026年第四季度", "2026年4季度", "2026-Q4"] {
        assert_eq!(Cadence::Quarter.parse_period(typed).unwrap().key, "2026-Q4", "{typed}");
    }
    let m = Cadence::Month.parse_period("2026-2").unwrap();
    assert_eq!((m.key.as_str(), m.end, m.label()), ("2026-02", d("2026-02-28"), "2026年2月".to_string()));
    assert_eq!(Cadence::Month.parse_period("2024年2月").unwrap().end, d("2024-02-29"));
    assert!(Cadence::Month.parse_period("2026-Q1").is_err());
    assert!(Cadence::Quarter.parse_period("2026-03").unwrap_err().contains("2026-Q1"));
    assert!(Cadence::Month.parse_period("2026-13").is_err());
    assert!(Cadence::Quarter.parse_period("").is_err());
    let ps = Cadence::Quarter.periods(d("2026-02-10"), d("2026-07-01"));
    assert_eq!(ps.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), ["2026-Q1", "2026-Q2", "2026-Q3"]);
    let ps = Cadence::Month.periods(d("2025-12-31"), d("2026-02-01"));
    assert_eq!(ps.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), ["2025-12", "2026-01", "2026-02"]);
    assert_eq!(Cadence::Month.period_of(d("2026-03-15")).key, "2026-03");
}

#[test]
fn milestones_one_a_line_within_the_year() {
    let ms = parse_milestones("2026-06-30 完成试点\n\n2026/9/30\t全面推开\n2026年12月20日　总结验收", 2026).unwrap();
    assert_eq!(ms.len(), 3);
    assert_eq!(ms[1], Milestone { on: d("2026-09-30"), content: "全面推开".into() });
    assert_eq!(milestones_text(&ms), "2026-06-30 完成试点\n2026-09-30 全面推开\n2026-12-20 总结验收");
    let e = parse_milestones("2026-06-31 完成试点\n2027-01-10 总结\n2026-03-01\n六月底 完成", 2026).unwrap_err();
    assert_eq!(e.len(), 4, "{e:?}");
    assert!(e[0].starts_with("第 1 行") && e[0].contains("2026-06-31"), "{e:?}");
    assert!(e[1].contains("不在清单年度 2026 年内"), "{e:?}");
    assert!(e[2].contains("缺少里程碑内容"), "{e:?}");
    assert!(e[3].starts_with("第 4 行"), "{e:?}");
    assert!(parse_milestones("", 2026).unwrap().is_empty());
}

#[test]
fn a_list_names_the_item_and_field_at_fault() {
    let good = ItemInput {
        title: "党建+政务服务".into(),
        goal: "办事不出村".into(),
        measures: "设立党员代办岗".into(),
        owner: "王某".into(),
        milestones: "2026-06-30 完成试点".into(),
        status: "推进中".into(),
    };
    let v = ListInput { year: "2026".into(), items: vec![good.clone(), ItemInput::default()] }.validate().unwrap();
    assert_eq!(v.items.len(), 1, "a blank row is skipped");
    assert_eq!(v.items[0].status, ItemStatus::Ongoing);
    let bare = ItemInput { title: "网格化管理".into(), ..Default::default() };
    let v = ListInput { year: "2026".into(), items: vec![bare] }.validate().unwrap();
    assert_eq!(v.items[0].status, ItemStatus::Planned, "measures and milestones may wait: the finding tells");
    let e = ListInput {
        year: "2026".into(),
        items: vec![
            good.clone(),
            ItemInput {
                title: String::new(), measures: "措施".into(), status: "暂停".into(), ..Default::default()
            },
            ItemInput { title: "甲".into(), milestones: "2025-12-01 启动".into(), ..Default::default() },
        ],
    }
    .validate()
    .unwrap_err();
    let text = e.to_string();
    assert!(e.has("条目名称") && e.has("状态") && e.has("里程碑"), "{text}");
    assert!(text.contains("第 2 项：") && text.contains("第 3 项：第 1 行的日期 2025-12-01"), "{text}");
    let e = ListInput { year: "明年".into(), items: vec![] }.validate().unwrap_err();
    assert!(e.has("年度") && e.has("清单条目"), "{e}");
}

/// INNO-02 … INNO-04 under the versions in force on the day the list was submitted.
#[test]
fn perfunctory_lists() {
    let rules = shipped();
    assert!(perfunctory(&list(2026, "2026-03-01", full_items()), rules, "0001").is_empty());
    let thin = list(2026, "2026-03-01", vec![item("甲", true, 1), item("乙", false, 0)]);
    let got: Vec<(String, String)> =
        perfunctory(&thin, rules, "0001").into_iter().map(|(r, d)| (r.rule_id.clone(), d)).collect();
    assert_eq!(
        got,
        [
            ("INNO-02".to_string(), "2026 年创新清单只有 2 项，少于 3 项".to_string()),
            ("INNO-03".to_string(), "2026 年创新清单中“乙”未写明措施".to_string()),
            ("INNO-04".to_string(), "2026 年创新清单中“乙”没有里程碑".to_string()),
        ]
    );
    // a local version lifting the measures requirement and asking 2 items, from 2026-02-01
    let mut local_rules = rules.to_vec();
    local_rules.push(local(Kind::ItemMeasures, 0, "0001", "2026-02-01"));
    local_rules.push(local(Kind::MinItems, 2, "0001", "2026-02-01"));
    let got: Vec<&str> =
        perfunctory(&thin, &local_rules, "00010001").into_iter().map(|(r, _)| r.rule_id.as_str()).collect();
    assert_eq!(got, ["INNO-04"]);
    // the same list submitted before the local versions: judged by the shipped ones
    let early = ListFacts { submitted_on: d("2026-01-15"), ..thin.clone() };
    assert_eq!(perfunctory(&early, &local_rules, "00010001").len(), 3);
    // many bare items are named five at a time
    let many: Vec<ItemFacts> = (1..=7).map(|i| item(&format!("第{i}项"), false, 1)).collect();
    let (_, detail) = perfunctory(&list(2026, "2026-03-01", many), rules, "0001").remove(0);
    assert!(detail.contains("“第5项”等 7 项未写明措施") && !detail.contains("第6项"), "{detail}");
}

fn span(cadence: Cadence) -> CampaignSpan {
    CampaignSpan { starts_on: d("2026-01-01"), ends_on: d("2026-12-31"), cadence }
}

fn org(lists: Vec<ListFacts>, updates: &[(&str, &str)]) -> OrgFacts {
    OrgFacts {
        org_id: 7,
        name: "中共甲镇委员会".into(),
        path: "000100020003".into(),
        lists,
        updates: updates.iter().map(|(p, on)| (p.to_string(), d(on))).collect(),
    }
}

fn found(f: &[Finding]) -> Vec<(String, String)> {
    f.iter().map(|f| (f.rule_id.clone(), f.detail.clone())).collect()
}

/// INNO-01: the deadline passes without a list, or the list came late.
#[test]
fn inno_01_list_by_its_deadline() {
    let rules = shipped();
    // the updates' rule aside
    let judge = |o: &[OrgFacts], r: &[Rule], s: CampaignSpan, on: NaiveDate| {
        judge(o, r, s, on).into_iter().filter(|f| f.rule_id == "INNO-01").collect::<Vec<_>>()
    };
    let none = [org(vec![], &[])];
    assert!(judge(&none, rules, span(Cadence::Quarter), d("2026-03-31")).is_empty(), "the deadline day itself");
    let f = judge(&none, rules, span(Cadence::Quarter), d("2026-04-01"));
    assert_eq!(found(&f), [("INNO-01".to_string(), "2026 年创新清单未提交（期限 2026-03-31）".to_string())]);
    assert_eq!((f[0].label(), f[0].subject.as_str(), f[0].confidence.as_str()), ("清单未按期提交", "2026", "L"));
    let late = [org(vec![list(2026, "2026-04-15", full_items())], &[])];
    assert_eq!(
        found(&judge(&late, rules, span(Cadence::Quarter), d("2026-04-20"))),
        [("INNO-01".to_string(), "2026 年创新清单逾期提交（2026-04-15 提交，期限 2026-03-31）".to_string())]
    );
    assert_eq!(
        found(&judge(&late, rules, span(Cadence::Quarter), d("2026-04-10")))[0].1,
        "2026 年创新清单未提交（期限 2026-03-31）",
        "as of a date before it came, it was missing"
    );
    let on_time = [org(vec![list(2026, "2026-03-31", full_items())], &[])];
    assert!(judge(&on_time, rules, span(Cadence::Quarter), d("2026-04-10")).is_empty());
    // a campaign starting after the deadline gives its first year the same time to prepare
    let s = CampaignSpan { starts_on: d("2026-06-01"), ..span(Cadence::Quarter) };
    assert_eq!(list_deadline(rules, "0001", 2026, s.starts_on), Some(d("2026-08-29")));
    assert_eq!(list_deadline(rules, "0001", 2027, s.starts_on), Some(d("2027-03-31")));
    assert!(judge(&none, rules, s, d("2026-08-29")).is_empty());
    assert_eq!(judge(&none, rules, s, d("2026-08-30"))[0].rule_id, "INNO-01");
    // the deadline in force on 1 January of the year: a local version from 2026-02-01 moves
    // the next year's
    let mut local_rules = rules.to_vec();
    local_rules.push(local(Kind::ListDue, 430, "0001", "2026-02-01"));
    assert_eq!(list_deadline(&local_rules, "000100020003", 2026, d("2026-01-01")), Some(d("2026-03-31")));
    assert_eq!(list_deadline(&local_rules, "000100020003", 2027, d("2026-01-01")), Some(d("2027-04-30")));
}

/// INNO-02 … INNO-04 in the findings: a perfunctory list submitted by the date.
#[test]
fn perfunctory_lists_are_found() {
    let thin = [org(vec![list(2026, "2026-03-01", vec![item("甲", true, 0)])], &[])];
    let f = judge(&thin, shipped(), span(Cadence::Quarter), d("2026-03-15"));
    let ids: Vec<&str> = f.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(ids, ["INNO-02", "INNO-04"]);
    assert!(f.iter().all(|f| f.label() == "清单内容简单应付"));
    assert!(judge(&thin, shipped(), span(Cadence::Quarter), d("2026-02-28")).is_empty(), "not yet submitted");
}

/// INNO-05: an update within the grace days after each period.
#[test]
fn inno_05_updates_on_time() {
    let rules = shipped();
    let o =
        [org(vec![list(2026, "2026-03-01", full_items())], &[("2026-Q1", "2026-04-08"), ("2026-Q2", "2026-07-20")])];
    assert!(judge(&o, rules, span(Cadence::Quarter), d("2026-07-10")).is_empty(), "Q2 is due by 07-10");
    let f = judge(&o, rules, span(Cadence::Quarter), d("2026-07-11"));
    assert_eq!(found(&f), [("INNO-05".to_string(), "2026年第二季度创新动态未报送（报送期限 2026-07-10）".to_string())]);
    assert_eq!((f[0].subject.as_str(), f[0].label()), ("2026-Q2", "动态未及时报送"));
    let f = judge(&o, rules, span(Cadence::Quarter), d("2026-08-01"));
    assert_eq!(found(&f)[0].1, "2026年第二季度创新动态逾期报送（2026-07-20 报送，期限 2026-07-10）");
    // monthly: every month counts; the campaign's end bounds the periods
    let m = [org(vec![list(2026, "2026-03-01", full_items())], &[("2026-01", "2026-02-03")])];
    let s = CampaignSpan { ends_on: d("2026-03-31"), ..span(Cadence::Month) };
    let f = judge(&m, rules, s, d("2026-12-01"));
    assert_eq!(f.iter().map(|f| f.subject.as_str()).collect::<Vec<_>>(), ["2026-02", "2026-03"]);
    // a local grace of 20 days in force at the period's end
    let mut local_rules = rules.to_vec();
    local_rules.push(local(Kind::UpdateGrace, 20, "0001", "2026-06-30"));
    assert!(judge(&o, &local_rules, span(Cadence::Quarter), d("2026-08-01")).is_empty(), "07-20 within 20 days");
    assert!(judge(&[org(vec![], &[])], rules, span(Cadence::Quarter), d("2025-12-01")).is_empty(), "not started");
}

#[test]
fn the_indicator_counts_a_list_that_is_not_perfunctory() {
    let lists = vec![list(2026, "2026-03-01", full_items()), list(2027, "2027-03-01", vec![item("甲", true, 1)])];
    assert!(!qualifies(&lists, shipped(), "0001", 2026, d("2026-02-28")), "not yet submitted");
    assert!(qualifies(&lists, shipped(), "0001", 2026, d("2026-03-01")));
    assert!(!qualifies(&lists, shipped(), "0001", 2027, d("2027-06-01")), "one item only");
    assert!(!qualifies(&lists, shipped(), "0001", 2028, d("2028-06-01")));
}

/// A project goes proposal → approval → implementation → mid-term review → acceptance, one
/// gate at a time.
#[test]
fn gates_in_order() {
    use Stage::*;
    let mut at = Proposal;
    for gate in [Approval, Implementation, MidTerm, Acceptance] {
        assert_eq!(at.next(), Some(gate));
        at = decide(at, gate, true).unwrap();
        assert_eq!(at, gate);
    }
    assert_eq!(at.next(), None);
    assert!(decide(Acceptance, Acceptance, true).unwrap_err().contains("不能再评审"));
}

#[test]
fn a_gate_cannot_be_skipped_or_repeated() {
    use Stage::*;
    assert_eq!(decide(Proposal, Implementation, true).unwrap_err(), "项目须先通过立项评审，不能跳过");
    assert_eq!(decide(Approval, Acceptance, true).unwrap_err(), "项目须先通过实施启动，不能跳过");
    assert_eq!(decide(Implementation, Approval, true).unwrap_err(), "项目已通过立项评审，不能重复评审");
    assert_eq!(decide(MidTerm, MidTerm, false).unwrap_err(), "项目已通过中期评估，不能重复评审");
    assert!(decide(Proposal, Proposal, true).is_err());
    assert!(decide(Proposal, Rejected, true).is_err());
}

#[test]
fn failing_keeps_the_stage_except_at_approval() {
    use Stage::*;
    assert_eq!(decide(Proposal, Approval, false), Ok(Rejected));
    assert!(decide(Rejected, Approval, true).unwrap_err().contains("未予立项"));
    assert_eq!(decide(Approval, Implementation, false), Ok(Approval));
    assert_eq!(decide(Implementation, MidTerm, false), Ok(Implementation));
    assert_eq!(decide(MidTerm, Acceptance, false), Ok(MidTerm));
    // reviewed again after rework
    assert_eq!(decide(MidTerm, Acceptance, true), Ok(Acceptance));
}

#[test]
fn a_gate_decision_names_its_fields() {
    let today = d("2026-11-21");
    let v = GateInput {
        gate: "立项评审".into(),
        reviewers: "王某、李某，张某".into(),
        score: "86".into(),
        result: "通过".into(),
        note: String::new(),
        decided_on: "2026-03-01".into(),
    }
    .validate(today)
    .unwrap();
    assert_eq!(
        (v.gate, v.score, v.passed, v.reviewers_text().as_str()),
        (Stage::Approval, 86, true, "王某、李某、张某")
    );
    let e = GateInput {
        gate: "申报".into(),
        reviewers: " ".into(),
        score: "101".into(),
        result: "不通过".into(),
        note: String::new(),
        decided_on: "2026-12-01".into(),
    }
    .validate(today)
    .unwrap_err();
    assert!(e.has("评审环节") && e.has("评审人") && e.has("评分") && e.has("评审意见") && e.has("评审日期"), "{e}");
    let e = GateInput { result: "待定".into(), decided_on: String::new(), ..Default::default() }
        .validate(today)
        .unwrap_err();
    assert!(e.has("评审结论") && e.has("评审日期"), "{e}");
    let e = ProjectInput { title: " ".into(), summary: "x".repeat(2001) }.validate().unwrap_err();
    assert!(e.has("项目名称") && e.has("项目简介"), "{e}");
}
