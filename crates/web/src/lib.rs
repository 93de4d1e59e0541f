//! The dangjian web application, assembled: the core (sign-in, sessions, CSRF, layout, error
//! pages, assets; `web-core`), the 工作台, and the pages and `/api/v1` handlers of every
//! capability, each from its own crate (`web-org`, `web-member`, `web-life`, `web-exchange`,
//! `web-statistics`, `web-admin`, `web-message`, `web-campaign`). The core cannot know the crates built on it, so the whole
//! application is put together here.

pub mod api;
mod home;

pub use web_core::{access, auth, AppState, Caller, Crumb, Nav, RouteSpec, Shared, Surface, Target};

use axum::routing::get;
use axum::Router;
use web_core::routes::Routes;

/// Every route of the application, with what its path parameter names (see
/// [`web_core::routes`]).
fn table() -> Routes {
    let r = web_core::routes(Routes::default()).add("GET", "/", Target::None, get(home::home));
    let r = web_org::routes(r);
    let r = web_member::routes(r);
    let r = web_exchange::routes(r);
    let r = web_statistics::routes(r);
    let r = web_life::routes(r);
    let r = web_campaign::routes(r);
    let r = web_survey::routes(r);
    let r = web_grading::routes(r);
    let r = web_admin::routes(r);
    let r = web_message::routes(r);
    r.add("GET", "/api/v1/openapi.json", Target::None, get(api::openapi))
}

/// The route table, for tests that must cover every route.
pub fn route_specs() -> Vec<RouteSpec> {
    table().specs
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    web_core::router(state, table())
}
