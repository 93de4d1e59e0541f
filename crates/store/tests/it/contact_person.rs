//! 支部联系人 on SQLite and PostgreSQL: one current contact per branch (a new one ends the old the
//! day before), the contacts over CONTACT-01's limit, the branches without a contact, and the
//! attendance rate of CONTACT-07 on a hand-made case — the counted meetings the branch held while
//! the contact was its contact, attended when the contact is named among the 列席人员.

use chrono::NaiveDate;
use domain::contact_person::AssignInput;
use domain::life::RecordInput;
use domain::org::{OrgKind, Sector};
use store::contact_person as contact;
use store::testing::TestDb;
use store::{org, Actor, Scope};

use crate::first_secretary::{mk_member, mk_org};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn meeting(types: &[&str], on: &str, observers: &str) -> RecordInput {
    RecordInput {
        types: types.iter().map(|t| t.to_string()).collect(),
        title: format!("{on} 会议"),
        held_on: on.into(),
        place: "村委会".into(),
        host: "书记".into(),
        recorder: "委员".into(),
        lecturer: if types.contains(&"party_lecture") { "书记".into() } else { String::new() },
        observers: observers.into(),
        expected: "10".into(),
        present: "9".into(),
        ..Default::default()
    }
}

// CONTACT-01 (limit), CONTACT-07 (rate), branches without a contact
#[tokio::test]
async fn contact_person_limit_rate_and_gaps() {
    for db in TestDb::both().await {
        let s = &db.store;
        let city = mk_org(s, None, "中共样例市委", OrgKind::LocalCommittee, Sector::Organs).await;
        let town = mk_org(s, Some(city.id), "中共甲镇委员会", OrgKind::Committee, Sector::Rural).await;
        let b: Vec<_> = {
            let mut v = Vec::new();
            for n in ["一村党支部", "二村党支部", "三村党支部", "四村党支部"] {
                v.push(mk_org(s, Some(town.id), n, OrgKind::Branch, Sector::Rural).await);
            }
            v
        };
        // the town committee's members sit in its organs' branch
        let organs = mk_org(s, Some(town.id), "镇机关党支部", OrgKind::Branch, Sector::Organs).await;
        let wang = mk_member(s, organs.id, "王委员", 21).await;
        let zhao = mk_member(s, organs.id, "赵委员", 22).await;
        let sc = Scope::subtrees([town.path.clone()]).acting_as(Actor::new("镇党委", "组织委员"));
        let assign = async |branch: i64, member: i64, from: &str| {
            let v = AssignInput {
                org_id: branch.to_string(),
                member_id: member.to_string(),
                from: from.into(),
                note: String::new(),
            }
            .validate(d("2026-12-01"))
            .unwrap();
            let o = org::visible(s, &sc, branch).await.unwrap();
            contact::assign(s, &sc, &o, &v).await
        };
        // 王 takes three branches (over the limit of 2), 赵 the first from July
        assign(b[0].id, wang, "2026-01-01").await.unwrap();
        assign(b[1].id, wang, "2026-01-01").await.unwrap();
        assign(b[2].id, wang, "2026-01-01").await.unwrap();
        assign(b[0].id, zhao, "2026-07-01").await.unwrap();
        // a branch member may not be its own contact; one current contact per branch
        let own = mk_member(s, b[3].id, "四村党员", 23).await;
        assert!(assign(b[3].id, own, "2026-01-01").await.is_err());
        assert!(assign(b[0].id, zhao, "2026-08-01").await.is_err(), "already its contact");
        let t = org::visible(s, &sc, town.id).await.unwrap();
        let on = d("2026-12-01");
        let (cur, n) = contact::current(s, &t, on, 50, 0).await.unwrap();
        assert_eq!(n, 3);
        assert_eq!(cur.iter().find(|a| a.org_id == b[0].id).unwrap().member_name, "赵委员");
        // CONTACT-01: 王 holds 二村 and 三村 now (一村 passed to 赵): within the limit
        assert!(contact::over_limit(s, &t, on).await.unwrap().is_empty());
        assign(b[3].id, wang, "2026-11-01").await.unwrap();
        let over = contact::over_limit(s, &t, on).await.unwrap();
        assert_eq!(
            (over.len(), over[0].member_name.as_str(), over[0].branches.len(), over[0].limit),
            (1, "王委员", 3, 2)
        );
        // branches without a contact on a day before 四村 had one
        let (without, n) = contact::without_contact(s, &t, d("2026-10-01"), 50).await.unwrap();
        assert_eq!(n, 2, "四村 and the organs' branch");
        assert!(without.iter().any(|x| x.id == b[3].id) && without.iter().any(|x| x.id == organs.id));
        let (without, n) = contact::without_contact(s, &t, on, 50).await.unwrap();
        assert_eq!((n, without[0].id), (1, organs.id));

        // CONTACT-07 on 一村: 王 (Jan–Jun) and 赵 (from July)
        let all = Scope::all();
        for (types, on, obs) in [
            (&["branch_assembly"][..], "2026-02-10", "王委员（镇党委委员）"),
            (&["party_lecture"][..], "2026-03-10", ""),
            (&["theme_day", "branch_assembly"][..], "2026-05-10", "王委员、李某"),
            (&["committee_meeting"][..], "2026-05-20", "王委员"),
            (&["life_meeting"][..], "2026-08-10", "赵委员"),
            (&["theme_day"][..], "2026-09-10", "王委员"),
        ] {
            let r = store::life::create(s, &all, b[0].id, &meeting(types, on, obs), false).await.unwrap();
            store::life::submit(s, &all, r.id).await.unwrap();
        }
        // a draft does not count as held
        store::life::create(s, &all, b[0].id, &meeting(&["theme_day"], "2026-10-10", "赵委员"), false).await.unwrap();
        let att = contact::attendance(s, &t, d("2026-01-01"), d("2026-12-01")).await.unwrap();
        let of = |name: &str| {
            att.iter().find(|a| a.assignment.org_id == b[0].id && a.assignment.member_name == name).unwrap()
        };
        // 王: three counted meetings held Jan–Jun (the committee meeting is not counted), two attended
        let w = of("王委员");
        assert_eq!((w.held, w.attended, w.visits, w.rate_permille), (3, 2, 3, Some(667)), "{w:?}");
        assert_eq!(w.to, d("2026-06-30"));
        // 赵: two held from July (the draft left out), one attended; 王's visit in September is not his
        let z = of("赵委员");
        assert_eq!((z.held, z.attended, z.rate_permille), (2, 1, Some(500)), "{z:?}");
        // 二村 held nothing: no rate
        let e = att.iter().find(|a| a.assignment.org_id == b[1].id).unwrap();
        assert_eq!((e.held, e.rate_permille), (0, None));
        assert!(store::audit::verify(s).await.unwrap().ok());
        db.finish().await;
    }
}
