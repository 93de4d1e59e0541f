//! The roster of a meeting: who belonged to an organization (with its 党小组) on the meeting's
//! date, with the voter and committee flags, from which a record's attendance is entered and
//! checked (REC-08). Read by those who enter organization life (登记组织生活) there: the record
//! form and the API's roster read it here.

use chrono::NaiveDate;
use domain::access::Perm;
use domain::life::RosterEntry;
use domain::org::Org;
use store::{Store, Visible};

use crate::{Ctx, ServiceResult};

/// The members of `org` (and its 党小组) on `on`: names, ids and the voter and committee flags
/// only. For those who enter organization life there; `org` was read through that scope.
pub async fn on(store: &Store, ctx: &Ctx, org: &Visible<Org>, on: NaiveDate) -> ServiceResult<Vec<RosterEntry>> {
    let scope = ctx.require(Perm::RecordLife)?;
    Ok(store::life::roster(store, &scope, org.id, on).await?)
}
