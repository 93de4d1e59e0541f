//! 账号安全: the signed-in user's own password, second factor, recovery codes and API tokens.

use crate::routes::Routes;

pub(super) fn routes(r: Routes) -> Routes {
    r
}
