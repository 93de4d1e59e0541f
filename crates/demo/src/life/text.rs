//! Text.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// 主题党日 topics by month (2025-12 … 2026-11 and the like).
pub(crate) const MONTH_TOPICS: [&[&str]; 12] = [
    &["学习贯彻党的二十届四中全会精神", "纪念遵义会议召开91周年"],
    &["新春走访慰问困难党员和群众", "学习贯彻上级经济工作会议精神"],
    &["学雷锋志愿服务进社区", "学习贯彻全国两会精神"],
    &["清明祭英烈·缅怀革命先烈", "森林防火宣传志愿服务"],
    &["五四青年节走访座谈", "安全生产大排查志愿服务"],
    &["七一前夕重温入党誓词", "防汛减灾政策宣传"],
    &["庆祝中国共产党成立105周年", "讲述身边优秀共产党员故事"],
    &["八一走访慰问退役军人", "防汛救灾志愿服务"],
    &["党纪学习教育·以案促改", "关爱留守儿童和空巢老人"],
    &["纪念红军长征胜利90周年", "重阳节敬老志愿服务"],
    &["学习贯彻习近平总书记视察贵州重要讲话精神", "“十五五”规划宣讲进基层"],
    &["学习宪法·弘扬法治精神", "年终走访慰问老党员"],
];
pub(crate) const TOPICS: &[&str] = &[
    "参观遵义会议会址开展革命传统教育",
    "党员志愿服务进网格",
    "乡村振兴政策宣讲",
    "文明城市创建志愿服务",
    "“三会一课”制度规范化学习",
    "学习《中国共产党支部工作条例（试行）》",
    "垃圾分类和人居环境整治",
    "党员承诺践诺",
];
pub(crate) const LECTURES: &[&str] = &[
    "深刻领悟“两个确立”的决定性意义",
    "从遵义会议精神中汲取奋进力量",
    "弘扬伟大长征精神，走好新时代长征路",
    "学习贯彻《中国共产党纪律处分条例》",
    "以党的创新理论凝心铸魂",
    "坚定理想信念，践行初心使命",
    "锻造过硬作风，勇于担当作为",
    "学习“十五五”规划建议，凝聚发展合力",
    "在乡村振兴中发挥党员先锋模范作用",
    "传承红色基因，赓续红色血脉",
];
pub(crate) const OUTINGS: &[&str] = &[
    "遵义会议会址",
    "红军山烈士陵园",
    "苟坝会议会址",
    "娄山关红军战斗遗址",
    "四渡赤水纪念馆",
    "浙江大学西迁历史陈列馆",
    "新时代文明实践站",
];
pub(crate) const LEAVE: &[&str] =
    &["因病请假", "出差", "家中有事", "参加上级培训", "值班", "照顾生病家人", "公务外出", "在外地就医"];
pub(crate) const ABSENT: &[&str] = &["未请假", "电话联系未到", "未说明原因"];
pub(crate) const RETURNS: &[&str] = &[
    "会议纪要过于简单，请补充主要发言内容",
    "缺少会议签到表照片，请补充附件",
    "会议主题与议程不一致，请核实后重新提交",
    "请假人员原因填写不完整，请补充",
];

pub(crate) fn pick<'a>(rng: &mut ChaCha8Rng, v: &[&'a str]) -> &'a str {
    v[rng.gen_range(0..v.len())]
}

/// `遵义市教育局机关党支部` → `遵义市教育局机关`; `中共湄江镇委员会` → `湄江镇`.
pub(crate) fn unit_of(name: &str) -> String {
    let s = name.strip_prefix("中共").unwrap_or(name);
    for suffix in ["工作委员会", "委员会", "党总支", "党支部", "党小组", "党组"] {
        if let Some(t) = s.strip_suffix(suffix) {
            if !t.is_empty() {
                return t.to_string();
            }
        }
    }
    s.to_string()
}

/// The village or community a name starts with (`苟家村第一党支部` → `苟家村`).
pub(crate) fn village_of(name: &str) -> Option<String> {
    let s = name.strip_prefix("中共").unwrap_or(name);
    for key in ["社区", "村"] {
        if let Some(i) = s.find(key) {
            let v = &s[..i + key.len()];
            if v.chars().count() >= 2 && v.chars().count() <= 8 {
                return Some(v.to_string());
            }
        }
    }
    None
}

fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8")
}

/// `day` at `minute` minutes after midnight, China time.
pub(crate) fn at(day: NaiveDate, minute: i64) -> DateTime<Utc> {
    let t = day.and_hms_opt(0, 0, 0).expect("midnight") + Duration::minutes(minute.clamp(0, 24 * 60 - 1));
    cst().from_local_datetime(&t).single().expect("fixed offset").with_timezone(&Utc)
}
