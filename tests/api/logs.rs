//! Every log record the services under test write, kept in memory so that a test can check what
//! reached the log (and what must never reach it).

use std::sync::{Mutex, Once};

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());
static INSTALL: Once = Once::new();

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {} {}", record.level(), record.target(), record.args());
        if let Ok(mut lines) = LINES.lock() {
            lines.push(line);
        }
    }

    fn flush(&self) {}
}

/// Installs the capturing logger for the whole test process, at the most detailed level.
pub fn capture() {
    INSTALL.call_once(|| {
        if log::set_boxed_logger(Box::new(Capture)).is_ok() {
            log::set_max_level(log::LevelFilter::Trace);
        }
    });
}

/// The captured lines that contain `needle`.
pub fn lines_containing(needle: &str) -> Vec<String> {
    LINES
        .lock()
        .map(|lines| {
            lines
                .iter()
                .filter(|line| line.contains(needle))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}
