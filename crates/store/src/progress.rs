//! Progress reporting for long work (imports, exports, demo generation). The CLI draws a
//! terminal progress bar behind this trait; library code only reports.

pub trait Progress: Send + Sync {
    /// Start a phase with a known (or unknown, `None`) amount of work.
    fn start(&self, _phase: &str, _len: Option<u64>) {}
    /// `n` more units done.
    fn inc(&self, _n: u64) {}
    /// The phase is done.
    fn finish(&self) {}
}

/// Reports nothing.
pub struct NoProgress;
impl Progress for NoProgress {}
