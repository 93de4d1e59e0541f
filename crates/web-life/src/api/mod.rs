//! `/api/v1/life`: organization life (三会一课 and the rest). Records with their attendance,
//! resolutions and the superior's review; the types and every dated rule version; the findings of
//! the daily job; a live compliance evaluation of a subtree. And `/api/v1/orgs/{id}/roster`: who
//! belonged to an organization on a date (names and flags only), so a client can fill attendance.
//!
//! Permissions as on the pages: reading needs 查看组织生活, entering and submitting 登记组织生活,
//! reviewing 审核组织生活记录 on the record's organization's **superior** — nobody reviews their
//! own organization's records, so a record the caller sees but may not review answers 403.

use domain::life::{Applies, Attend, CellState, FindingKind, PeriodKind, RecordStatus};
use domain::org::OrgKind;
use utoipa::openapi::schema::{ArrayBuilder, Object};

use web_core::api::doc;
use web_core::enum_schemas;

enum_schemas!(status_schema, status_schema_opt, RecordStatus, "记录状态");
enum_schemas!(attend_schema, attend_schema_opt, Attend, "出席情况");
enum_schemas!(period_schema, period_schema_opt, PeriodKind, "周期");
enum_schemas!(finding_kind_schema, finding_kind_schema_opt, FindingKind, "问题类别");
enum_schemas!(org_kind_schema, org_kind_schema_opt, OrgKind, "组织类别");

fn roster_schema() -> Object {
    doc::enum_object(
        [("branch", "本组织全体党员（含党小组）"), ("committee", "支部委员"), ("none", "不按名册，手工填写人数")]
            .into_iter(),
        "参会范围",
        false,
    )
}

fn quorum_schema() -> Object {
    doc::enum_object(
        [
            ("voters", "到会有表决权党员须超过应到有表决权党员半数（LIFE-02）"),
            ("all", "到会须超过应到人数半数（LIFE-04）"),
            ("none", "不要求"),
        ]
        .into_iter(),
        "法定人数",
        false,
    )
}

const CELL_STATES: [CellState; 5] =
    [CellState::Met, CellState::Missing, CellState::Open, CellState::Upcoming, CellState::Exempt];

fn cell_state_schema() -> Object {
    doc::enum_object(CELL_STATES.iter().map(|c| (c.code(), c.label())), "周期状态", false)
}

fn severity_schema() -> Object {
    doc::enum_object([("error", "错误"), ("warning", "警告"), ("info", "提示")].into_iter(), "严重程度", false)
}

fn applies_schema() -> utoipa::openapi::Array {
    ArrayBuilder::new()
        .items(doc::enum_object(Applies::ALL.iter().map(|a| (a.code(), a.label())), "适用组织", false))
        .build()
}

mod change;
mod compliance;
mod output;
mod query;
mod review_many;
mod roster;
mod rules;

pub use change::*;
pub use compliance::*;
pub use output::*;
pub use query::*;
pub use review_many::*;
pub use roster::*;
pub use rules::*;
