//! A terminal progress bar behind `store::Progress` (hidden when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;

pub struct Bar {
    bar: Mutex<Option<ProgressBar>>,
    quiet: bool,
}

impl Bar {
    pub fn new(quiet: bool) -> Self {
        Bar { bar: Mutex::new(None), quiet }
    }
}

impl store::Progress for Bar {
    fn start(&self, phase: &str, len: Option<u64>) {
        let target = if self.quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
        let bar = match len {
            Some(n) => {
                let b = ProgressBar::with_draw_target(Some(n), target);
                b.set_style(
                    ProgressStyle::with_template(
                        "{msg:12} [{bar:40.red/white}] {human_pos}/{human_len} ({per_sec}, 剩余 {eta})",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("█▉▊▋▌▍▎▏ "),
                );
                b
            }
            None => {
                let b = ProgressBar::with_draw_target(None, target);
                b.set_style(
                    ProgressStyle::with_template("{spinner} {msg:12} {human_pos} ({per_sec}, 已用 {elapsed})")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                b
            }
        };
        bar.set_message(phase.to_string());
        if let Ok(mut g) = self.bar.lock() {
            if let Some(old) = g.take() {
                old.finish();
            }
            *g = Some(bar);
        }
    }
    fn inc(&self, n: u64) {
        if let Ok(g) = self.bar.lock() {
            if let Some(b) = g.as_ref() {
                b.inc(n);
            }
        }
    }
    fn finish(&self) {
        if let Ok(mut g) = self.bar.lock() {
            if let Some(b) = g.take() {
                b.finish();
            }
        }
    }
}
