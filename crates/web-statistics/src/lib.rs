//! The statistics page (统计分析) of any subtree: members by category, sex, age band, education,
//! occupation and ethnicity; organizations by kind and sector; facility coverage; charts, each
//! with its table.

mod pages;

pub use pages::routes;
