//! 统计分析: statistics of any subtree, SVG charts rendered on the server, each with its table.

use crate::routes::Routes;

pub(super) fn routes(r: Routes) -> Routes {
    r
}
