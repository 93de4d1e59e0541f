//! `/api/v1/grading`.

pub mod cycle;

use web_core::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    cycle::routes(r)
}
