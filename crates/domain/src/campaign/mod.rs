//! 创建活动: campaigns and what they hold.

pub mod retirement;
pub mod secondment;
