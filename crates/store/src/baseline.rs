//! The plainest way to write rows, for the import benchmark to measure the store against: one
//! prepared single-row `INSERT` per member (the same SQL text, so the connection prepares it
//! once), no validation, no duplicate handling, no roll-ups.

use std::sync::OnceLock;

use crate::db::Tx;
use crate::error::StoreResult;
use crate::Val;

/// The columns of a baseline member row, in the order [`insert_member`] takes their values.
pub const MEMBER_COLUMNS: &str = "name, sex, id_number, ethnicity, birth_date, education, category, join_date, \
    full_date, job_post, phone, work_unit, residence_community, occupation, is_mobile, mobile_to, is_lost_contact, \
    is_needy, status, status_date, org_id, path, created_at, updated_at";

/// Insert one member row as given (24 values, in the order of [`MEMBER_COLUMNS`]).
pub async fn insert_member(tx: &mut Tx, row: &[Val]) -> StoreResult<()> {
    static SQL: OnceLock<String> = OnceLock::new();
    let sql = SQL.get_or_init(|| {
        let ph = (1..=24).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        format!("INSERT INTO member ({MEMBER_COLUMNS}) VALUES ({ph})")
    });
    tx.x().execute(sql, row).await?;
    Ok(())
}
