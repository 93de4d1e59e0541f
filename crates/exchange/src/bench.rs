//! The import benchmark's two helpers: a generator of large, valid member files, and the naive
//! baseline the real import is measured against.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use anyhow::{anyhow, Context};
use chrono::{Datelike, Duration, NaiveDate};
use domain::member::{Category, Education, Occupation, Sex, Status};
use store::{Store, Val};

use crate::columns::{m, MEMBER};

/// The baseline: read the CSV with the csv crate and insert every row with one prepared
/// single-row `INSERT` (the same SQL text, so the connection's statement cache prepares it once)
/// in one transaction. No validation, no header aliases (columns are taken by position, in the
/// order of [`crate::member_headers`]), no duplicate handling and no roll-ups: it only measures
/// how fast rows can go in. Returns the rows inserted.
pub async fn raw_insert_baseline(store: &Store, csv_path: &Path, org_id: i64, org_path: &str) -> anyhow::Result<u64> {
    let file = File::open(csv_path).with_context(|| format!("无法打开文件“{}”", csv_path.display()))?;
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(BufReader::new(file));
    let now = chrono::Utc::now();
    let mut tx = store.begin().await?;
    let mut n: u64 = 0;
    let mut rec = csv::StringRecord::new();
    while rdr.read_record(&mut rec).with_context(|| format!("读取 CSV 第 {} 行失败", n + 2))? {
        let f = |i: usize| rec.get(i).unwrap_or("").trim();
        let opt = |i: usize| Some(f(i)).filter(|s| !s.is_empty()).map(str::to_string);
        let date = |i: usize| -> anyhow::Result<Option<NaiveDate>> {
            match f(i) {
                "" => Ok(None),
                s => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| anyhow!("第 {} 行：日期“{s}”无法识别", n + 2)),
            }
        };
        let code = |i: usize, parse: fn(&str) -> Option<&'static str>| parse(f(i)).map(str::to_string);
        let yes = |i: usize| f(i) == "是";
        let a: Vec<Val> = vec![
            Val::from(f(m::NAME)),
            Val::from(code(m::SEX, |s| Sex::parse(s).map(Sex::code))),
            Val::from(f(m::ID)),
            Val::from(f(m::ETHNICITY)),
            Val::from(date(m::BIRTH)?),
            Val::from(code(m::EDUCATION, |s| Education::parse(s).map(Education::code))),
            Val::from(code(m::CATEGORY, |s| Category::parse(s).map(Category::code))),
            Val::from(date(m::JOIN)?),
            Val::from(date(m::FULL)?),
            Val::from(opt(m::JOB_POST)),
            Val::from(opt(m::PHONE)),
            Val::from(opt(m::WORK_UNIT)),
            Val::from(opt(m::RESIDENCE)),
            Val::from(code(m::OCCUPATION, |s| Occupation::parse(s).map(Occupation::code))),
            Val::from(yes(m::MOBILE)),
            Val::from(opt(m::MOBILE_TO)),
            Val::from(yes(m::LOST)),
            Val::from(yes(m::NEEDY)),
            Val::from(code(m::STATUS, |s| Status::parse(s).map(Status::code)).unwrap_or_else(|| "normal".into())),
            Val::from(date(m::STATUS_DATE)?),
            Val::from(org_id),
            Val::from(org_path),
            Val::from(now),
            Val::from(now),
        ];
        store::baseline::insert_member(&mut tx, &a).await?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}

/// SplitMix64: a small, seedable generator, enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const REGIONS: [&str; 3] = ["520302", "520303", "520328"];
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "田",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "英", "华",
];

/// Write an `n_rows` member CSV (UTF-8 with BOM, standard headers) whose rows all pass
/// validation, all in the organization `org_chain`. ID numbers are unique: row `i` uses region
/// `i mod 3`, and `i div 3` picks a birth date in 1950–2000 and a sequence number, which keeps
/// (region, birth date, sequence) unique for up to 55 million rows. `seed` varies names, dates and
/// the other fields.
pub fn write_members_csv_for_bench(path: &Path, n_rows: u64, org_chain: &str, seed: u64) -> anyhow::Result<()> {
    let first = NaiveDate::from_ymd_opt(1950, 1, 1).ok_or_else(|| anyhow!("日期错误"))?;
    let last = NaiveDate::from_ymd_opt(2000, 12, 31).ok_or_else(|| anyhow!("日期错误"))?;
    let days = (last - first).num_days() as u64 + 1;
    let latest_join = NaiveDate::from_ymd_opt(2023, 6, 30).ok_or_else(|| anyhow!("日期错误"))?;
    let capacity = days * 1000 * REGIONS.len() as u64;
    if n_rows > capacity {
        anyhow::bail!("最多生成 {capacity} 行");
    }
    let mut rng = Rng(seed);
    let offset = rng.below(days);
    let file = File::create(path).with_context(|| format!("无法创建文件“{}”", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all("\u{FEFF}".as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(MEMBER.iter().map(|c| c.name))?;
    let mut row: Vec<String> = vec![String::new(); MEMBER.len()];
    for i in 0..n_rows {
        let region = REGIONS[(i % 3) as usize];
        let j = i / 3;
        let birth = first + Duration::days(((j + offset) % days) as i64);
        let seq = ((j / days) % 1000) as u32;
        let id = domain::idcard::compose(region, birth, seq);
        let sex = if seq % 2 == 1 { Sex::Male } else { Sex::Female };
        let join_years = 18 + rng.below(20) as i32;
        let join = domain::dates::add_years(birth, join_years) + Duration::days(rng.below(300) as i64);
        let join = join.min(latest_join);
        let full = domain::dates::add_years(join, 1);
        let mobile = rng.chance(5);
        for c in row.iter_mut() {
            c.clear();
        }
        row[m::NAME] = format!("{}{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN), rng.pick(&GIVEN));
        row[m::ID] = id;
        row[m::SEX] = sex.label().into();
        row[m::ETHNICITY] =
            if rng.chance(85) { "汉族" } else { rng.pick(&["苗族", "仡佬族", "土家族", "布依族"]) }.into();
        row[m::BIRTH] = birth.format("%Y-%m-%d").to_string();
        row[m::EDUCATION] = rng.pick(&["研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下"]).into();
        row[m::CATEGORY] = Category::Full.label().into();
        row[m::JOIN] = join.format("%Y-%m-%d").to_string();
        row[m::FULL] = full.format("%Y-%m-%d").to_string();
        row[m::JOB_POST] = rng.pick(&["", "村委会主任", "教师", "技术员", "会计", "驾驶员"]).into();
        row[m::PHONE] = format!("1{}{:09}", rng.pick(&["3", "5", "8"]), rng.below(1_000_000_000));
        row[m::ORG] = org_chain.into();
        row[m::WORK_UNIT] = rng.pick(&["", "湄潭县茶业公司", "湄江街道办事处", "湄潭县中学", "某合作社"]).into();
        row[m::RESIDENCE] = rng.pick(&["", "湄江社区", "黄家坝社区", "义泉社区"]).into();
        row[m::OCCUPATION] =
            rng.pick(&["农牧渔民", "工人", "专业技术人员", "管理人员", "离退休人员", "学生", "其他职业人员"]).into();
        row[m::MOBILE] = if mobile { "是" } else { "否" }.into();
        row[m::MOBILE_TO] = if mobile { "浙江省宁波市" } else { "" }.into();
        row[m::LOST] = if rng.chance(1) { "是" } else { "否" }.into();
        row[m::NEEDY] = if rng.chance(3) { "是" } else { "否" }.into();
        row[m::STATUS] = Status::Normal.label().into();
        w.write_record(&row)?;
        debug_assert!(join.year() >= birth.year() + 18);
    }
    let mut out = w.into_inner().map_err(|e| anyhow!("写入 CSV 文件失败：{}", e.error()))?;
    out.flush()?;
    Ok(())
}
