//! Personal data (公民身份号码, 联系电话): masked by default everywhere. Showing it unmasked needs
//! 查看个人敏感信息 where the record is, and every unmasked read is written to the audit trail (which
//! fields, never the values) before the data leaves (查询留痕). One rule for pages, the API and
//! exports; only what a surface does when the permission is missing differs, and the surface says
//! which it wants.

use domain::access::Perm;
use store::Store;

use crate::{Ctx, ServiceError, ServiceResult};

/// What to do when unmasking is asked for without the permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenDenied {
    /// Show the data masked, quietly: a page's 显示完整信息 link is only offered to those who may,
    /// so a hand-made link just shows what anyone in scope sees.
    Mask,
    /// Refuse (403): an API client that asks for what it may not have is told so.
    Refuse,
}

/// Will the data at `path` be shown unmasked? Only when asked and held there.
pub fn unmask(ctx: &Ctx, asked: bool, path: &str, when_denied: WhenDenied) -> ServiceResult<bool> {
    if !asked {
        Ok(false)
    } else if ctx.can_at(Perm::ViewPersonal, path) {
        Ok(true)
    } else {
        match when_denied {
            WhenDenied::Mask => Ok(false),
            WhenDenied::Refuse => Err(ServiceError::Forbidden(Perm::ViewPersonal)),
        }
    }
}

/// Write an unmasked read to the audit trail (the fields, not the values). When the record cannot
/// be written, the caller must not show the data.
pub async fn record_read(
    store: &Store,
    ctx: &Ctx,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> ServiceResult<()> {
    store::audit::record_now(store, &ctx.scope_for(Perm::ViewPersonal), action, target, "ok", detail).await?;
    Ok(())
}
