//! 安全管理员 (accounts and grants), 审计管理员 (audit viewer) and 系统管理员 (system status) pages.

use crate::routes::Routes;

pub(super) fn routes(r: Routes) -> Routes {
    r
}
