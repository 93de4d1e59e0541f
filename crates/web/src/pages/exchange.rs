//! 数据导入 and 数据导出: upload, dry-run report, commit, error workbook; export of a subtree.

use crate::routes::Routes;

pub(super) fn routes(r: Routes) -> Routes {
    r
}
