//! Checking the chain against the key and the checkpoints. Every problem is a named [`Finding`]
//! with a Chinese sentence that says which record, which field or which checkpoint; a table that
//! cannot be read is a finding too, never an error that ends the check.

use std::collections::HashMap;

use serde::Serialize;

use super::checkpoint::{self, Checkpoint};
use super::{marker_holds, Marker, Record, GENESIS, RECORD_COLS};
use crate::args;
use crate::db::Store;
use crate::error::StoreResult;

/// One problem [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// Records `from..=to` are absent: deleted from the middle of the chain (no checkpoint), or
    /// cut off its end, which the checkpoint on line `checkpoint` of the file had reached.
    Missing {
        from: i64,
        to: i64,
        checkpoint: Option<usize>,
    },
    /// The first record whose `hash` no longer matches its fields (under the key from the
    /// switch-over on); `recomputed_plain` when the stored hash is a plain SHA-256 of the edited
    /// fields, what someone without the key recomputes.
    Altered {
        seq: i64,
        at: String,
        action: String,
        target: String,
        recomputed_plain: bool,
    },
    /// Further records after the first altered one whose `hash` does not match either.
    MoreAltered {
        count: i64,
        from: i64,
        to: i64,
    },
    /// A record's `prev_hash` is not the previous record's `hash`.
    BrokenLink {
        seq: i64,
    },
    /// The head row is gone.
    HeadMissing,
    /// The head names another last record than the chain's.
    HeadSeq {
        head: i64,
        last: i64,
    },
    /// The head's hash is not the last record's.
    HeadHash {
        seq: i64,
    },
    /// An audit table could not be read.
    Unreadable {
        table: String,
        reason: String,
    },
    /// Records from `from` on are keyed, and no key was given.
    NoKey {
        from: i64,
    },
    /// Records from `from` on are keyed with another key than the one given.
    KeyMismatch {
        from: i64,
        db_key: String,
        key: String,
    },
    /// The switch-over point's tag does not hold: it was moved or written without the key.
    MarkerForged {
        from: i64,
    },
    /// No switch-over point, yet record `first` is keyed: the point was deleted.
    MarkerMissing {
        first: i64,
    },
    /// The checkpoint file is absent although the key was adopted (which writes the first one).
    CheckpointFileMissing {
        path: String,
    },
    CheckpointFileUnreadable {
        path: String,
        reason: String,
    },
    /// A line of the checkpoint file that is not a checkpoint.
    CheckpointUnreadable {
        line: usize,
        reason: String,
    },
    /// A checkpoint whose signature does not hold.
    CheckpointForged {
        line: usize,
        seq: i64,
    },
    /// Record `seq` exists but its hash is not the one the checkpoint signed.
    CheckpointMismatch {
        line: usize,
        seq: i64,
    },
    /// The switch-over point in the database is not the one the checkpoint signed.
    KeyFromMoved {
        line: usize,
        checkpoint_from: i64,
        db_from: i64,
    },
}

impl Finding {
    /// What kind of problem, in a word or two, for a list's first column.
    pub fn label(&self) -> &'static str {
        match self {
            Finding::Missing { checkpoint: Some(_), .. } => "末尾记录缺失",
            Finding::Missing { checkpoint: None, .. } => "记录缺失",
            Finding::Altered { .. } | Finding::MoreAltered { .. } => "记录被修改",
            Finding::BrokenLink { .. } => "链接断开",
            Finding::HeadMissing | Finding::HeadSeq { .. } | Finding::HeadHash { .. } => "链头不符",
            Finding::Unreadable { .. } => "无法读取",
            Finding::NoKey { .. } | Finding::KeyMismatch { .. } => "密钥",
            Finding::MarkerForged { .. } | Finding::MarkerMissing { .. } | Finding::KeyFromMoved { .. } => "密钥启用点",
            Finding::CheckpointFileMissing { .. }
            | Finding::CheckpointFileUnreadable { .. }
            | Finding::CheckpointUnreadable { .. } => "检查点文件",
            Finding::CheckpointForged { .. } => "检查点伪造",
            Finding::CheckpointMismatch { .. } => "与检查点不符",
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::Missing { from, to, checkpoint: Some(k) } if from == to => {
                write!(f, "第 {from} 条审计记录缺失（检查点 {k} 记录到第 {to} 条）")
            }
            Finding::Missing { from, to, checkpoint: Some(k) } => {
                write!(f, "第 {from}–{to} 条审计记录缺失（检查点 {k} 记录到第 {to} 条）")
            }
            Finding::Missing { from, to, checkpoint: None } => write!(f, "第 {from} 至 {to} 条记录缺失（被删除）"),
            Finding::Altered { seq, at, action, target, recomputed_plain } => {
                write!(f, "第 {seq} 条记录的内容被修改（{at} {action} {target}）：hash 字段与记录内容不符")?;
                if *recomputed_plain {
                    write!(f, "，且其哈希是不带密钥重算的（记录被改写后有人重算了哈希）")?;
                }
                Ok(())
            }
            Finding::MoreAltered { count, from, to } => {
                write!(f, "此后另有 {count} 条记录的 hash 字段与内容不符（第 {from}–{to} 条之间）")
            }
            Finding::BrokenLink { seq } => write!(
                f,
                "第 {seq} 条记录与前一条的链接不符：prev_hash 不是前一条的 hash（前面的记录被删除、插入或修改）"
            ),
            Finding::HeadMissing => {
                write!(f, "链头（audit_head）缺失：无从核对链的末尾，新的审计记录也无法写入")
            }
            Finding::HeadSeq { head, last } if head > last => {
                write!(f, "链头记录到第 {head} 条，实际最后一条是第 {last} 条（末尾记录被删除）")
            }
            Finding::HeadSeq { head, last } => {
                write!(f, "链头记录到第 {head} 条，落后于实际最后一条（第 {last} 条）：链头被改动")
            }
            Finding::HeadHash { seq } => {
                write!(f, "链头的哈希与最后一条（第 {seq} 条）记录的 hash 不符：链头被改动")
            }
            Finding::Unreadable { table, reason } => write!(f, "审计数据表 {table} 无法读取：{reason}"),
            Finding::NoKey { from } => {
                write!(f, "未配置审计密钥：第 {from} 条起的记录带密钥，无法校验其内容和检查点")
            }
            Finding::KeyMismatch { from, db_key, key } => write!(
                f,
                "审计密钥不符：数据库自第 {from} 条起使用标识为 {db_key} 的密钥，当前密钥的标识为 {key}，带密钥的记录无法校验"
            ),
            Finding::MarkerForged { from } => write!(
                f,
                "审计密钥的启用记录（audit_key，第 {from} 条起）签名不符：启用点被改动或不是用密钥写入的"
            ),
            Finding::MarkerMissing { first } => {
                write!(f, "审计密钥的启用记录（audit_key）缺失，而第 {first} 条等记录带密钥：启用记录被删除")
            }
            Finding::CheckpointFileMissing { path } => write!(
                f,
                "检查点文件 {path} 不存在（启用密钥时已写入第一个检查点）：文件被删除或移走，或检查点目录与启用时不同"
            ),
            Finding::CheckpointFileUnreadable { path, reason } => {
                write!(f, "检查点文件 {path} 无法读取：{reason}")
            }
            Finding::CheckpointUnreadable { line, reason } => {
                write!(f, "检查点文件第 {line} 行不是有效的检查点（{reason}）")
            }
            Finding::CheckpointForged { line, seq } => write!(
                f,
                "检查点 {line} 的签名不符（声称记录到第 {seq} 条）：检查点是伪造的，或被改动过"
            ),
            Finding::CheckpointMismatch { line, seq } => {
                write!(f, "第 {seq} 条记录的 hash 与检查点 {line} 签下的不同：该条在检查点之后被改写")
            }
            Finding::KeyFromMoved { line, checkpoint_from, db_from } => write!(
                f,
                "审计密钥的启用点被改动：数据库记为第 {db_from} 条起，检查点 {line} 签下的是第 {checkpoint_from} 条起"
            ),
        }
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verification {
    pub records: i64,
    /// The findings as Chinese sentences, in the order found; empty when the chain is intact.
    pub problems: Vec<String>,
    pub findings: Vec<Finding>,
    /// Checkpoints whose signature holds.
    pub checkpoints: usize,
    /// The first keyed record, when this database has a key.
    pub keyed_from: Option<i64>,
    /// The identifier of the database's key.
    pub key_id: Option<String>,
    /// The last record's number and hash as read (0 and the genesis hash for an empty chain).
    pub last_seq: i64,
    pub last_hash: String,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }

    fn push(&mut self, f: Finding) {
        self.problems.push(f.to_string());
        self.findings.push(f);
    }
}

/// Walk the whole chain: consecutive numbers from 1, each record's hash (plain before the
/// switch-over, keyed from it on), each link to the previous hash, the head against the last
/// record, the switch-over point's tag, and every checkpoint's signature, number and hash.
pub async fn verify(store: &Store) -> StoreResult<Verification> {
    let mut v = Verification { last_hash: GENESIS.to_string(), ..Default::default() };
    let setup = store.audit_setup();
    let key = setup.map(|s| &s.key);

    let markers: Vec<Marker> =
        match store.read().fetch_all("SELECT from_seq, key_id, tag FROM audit_key ORDER BY from_seq", &[]).await {
            Ok(m) => m,
            Err(e) => {
                v.push(Finding::Unreadable { table: "audit_key".into(), reason: e.to_string() });
                Vec::new()
            }
        };
    let marker = markers.last();
    let mut from = i64::MAX;
    if let Some(m) = marker {
        from = m.0;
        v.keyed_from = Some(m.0);
        v.key_id = Some(m.1.clone());
        match key {
            None => v.push(Finding::NoKey { from }),
            Some(k) if m.1 != k.id() => v.push(Finding::KeyMismatch { from, db_key: m.1.clone(), key: k.id() }),
            Some(k) if !marker_holds(k, m) => v.push(Finding::MarkerForged { from }),
            Some(_) => {}
        }
    }
    // the key that can check keyed records (none when it is not the database's)
    let usable = key.filter(|k| marker.is_none_or(|m| m.1 == k.id()));

    let mut cps: Vec<(usize, Checkpoint)> = Vec::new();
    if let Some(setup) = setup {
        let path = setup.checkpoints.display().to_string();
        match checkpoint::read(&setup.checkpoints) {
            Ok(None) if marker.is_some() => v.push(Finding::CheckpointFileMissing { path }),
            Ok(None) => {}
            Err(e) => v.push(Finding::CheckpointFileUnreadable { path, reason: e.to_string() }),
            Ok(Some(lines)) => {
                for (line, c) in lines {
                    match c {
                        Err(reason) => v.push(Finding::CheckpointUnreadable { line, reason }),
                        Ok(c) if !c.signature_holds(&setup.key) => {
                            v.push(Finding::CheckpointForged { line, seq: c.seq })
                        }
                        Ok(c) => {
                            if let Some(m) = marker {
                                if c.key_from != m.0 {
                                    v.push(Finding::KeyFromMoved { line, checkpoint_from: c.key_from, db_from: m.0 });
                                }
                            }
                            cps.push((line, c));
                        }
                    }
                }
            }
        }
    }
    v.checkpoints = cps.len();
    let mut at_seq: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, (_, c)) in cps.iter().enumerate() {
        at_seq.entry(c.seq).or_default().push(i);
    }

    let mut prev_hash = GENESIS.to_string();
    let mut expect = 1i64;
    let mut after = 0i64;
    let mut altered_seen = false;
    let mut more = (0i64, 0i64, 0i64);
    let mut marker_missing_told = false;
    loop {
        let rows: Vec<Record> = match store
            .read()
            .fetch_all(
                &format!("SELECT {RECORD_COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000"),
                &args![after],
            )
            .await
        {
            Ok(r) => r,
            Err(e) => {
                v.push(Finding::Unreadable { table: "audit_log".into(), reason: e.to_string() });
                break;
            }
        };
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            if r.seq != expect {
                v.push(Finding::Missing { from: expect, to: r.seq - 1, checkpoint: None });
            }
            if r.prev_hash != prev_hash {
                v.push(Finding::BrokenLink { seq: r.seq });
            }
            let holds = if r.seq >= from {
                // without the database's key the keyed records cannot be checked (already a finding)
                usable.is_none_or(|k| r.keyed_hash_holds(k))
            } else if r.plain_hash() == r.hash {
                true
            } else if marker.is_none() && usable.is_some_and(|k| r.keyed_hash_holds(k)) {
                if !marker_missing_told {
                    v.push(Finding::MarkerMissing { first: r.seq });
                    marker_missing_told = true;
                }
                true
            } else {
                false
            };
            if !holds {
                if altered_seen {
                    if more.0 == 0 {
                        more.1 = r.seq;
                    }
                    more.0 += 1;
                    more.2 = r.seq;
                } else {
                    altered_seen = true;
                    v.push(Finding::Altered {
                        seq: r.seq,
                        at: r.at.clone(),
                        action: r.action.clone(),
                        target: r.target.clone(),
                        recomputed_plain: r.seq >= from && r.plain_hash() == r.hash,
                    });
                }
            }
            if let Some(list) = at_seq.get(&r.seq) {
                for &i in list {
                    if cps[i].1.hash != r.hash {
                        v.push(Finding::CheckpointMismatch { line: cps[i].0, seq: r.seq });
                    }
                }
            }
            prev_hash.clone_from(&r.hash);
            expect = r.seq + 1;
            v.records += 1;
        }
        after = rows.last().map(|r| r.seq).unwrap_or(after);
    }
    if more.0 > 0 {
        v.push(Finding::MoreAltered { count: more.0, from: more.1, to: more.2 });
    }
    let last = expect - 1;
    v.last_seq = last;
    v.last_hash.clone_from(&prev_hash);

    match store.read().fetch_optional::<(i64, String)>("SELECT seq, hash FROM audit_head WHERE id = 1", &[]).await {
        Err(e) => v.push(Finding::Unreadable { table: "audit_head".into(), reason: e.to_string() }),
        Ok(None) => v.push(Finding::HeadMissing),
        Ok(Some((head, _))) if head != last => v.push(Finding::HeadSeq { head, last }),
        Ok(Some((_, hash))) if hash != prev_hash => v.push(Finding::HeadHash { seq: last }),
        Ok(Some(_)) => {}
    }

    // the furthest checkpoint: a chain that stops short of it lost its tail
    if let Some((line, c)) = cps.iter().max_by_key(|(line, c)| (c.seq, std::cmp::Reverse(*line))) {
        if c.seq > last {
            v.push(Finding::Missing { from: last + 1, to: c.seq, checkpoint: Some(*line) });
        }
    }
    Ok(v)
}
