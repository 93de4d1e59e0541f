//! The pages of grading cycles.

pub mod cycle;

use web_core::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    cycle::routes(r)
}
