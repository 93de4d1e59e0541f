//! Account security (账号安全: password, second factor, sessions, API tokens) and the pages of the
//! administrator triad: accounts and grants (安全管理员), the audit trail (审计管理员), the system's
//! state (系统管理员).

mod pages;

use web_core::routes::Routes;

/// The account and administration page routes.
pub fn routes(r: Routes) -> Routes {
    let r = pages::account::routes(r);
    pages::admin::routes(r)
}
