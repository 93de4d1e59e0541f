//! The integration tests of this crate, one module per area, linked as one test binary so a
//! change builds one test binary rather than one per file.

mod access;
mod account_admin_pages;
mod api;
mod browser;
mod campaign_api_work;
mod campaign_innovation;
mod campaign_pages;
mod campaign_secondment_plan;
mod campaign_task_pages;
mod common;
mod edit_versions;
mod error_policy;
mod exchange_stats_pages;
mod export_masking;
mod first_secretary;
mod grading_pages;
mod grant_confirmation;
mod hardening;
mod life_api;
mod life_compliance;
mod life_pages;
mod life_rules_pages;
mod messages;
mod officers;
mod org_member_pages;
mod paging;
mod picker_search;
mod scope_rule;
mod security;
mod smoke_roles;
mod survey;
mod upload_limits;
mod weak_and_lax;
mod web_app;
