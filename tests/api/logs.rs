//! Every log line the services under test write, as the service's log output formats it (spans
//! and their fields included), kept in memory so that a test can check what reached the log (and
//! what must never reach it).

use std::sync::{Mutex, Once};

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());
static INSTALL: Once = Once::new();

/// Appends each formatted line to `LINES`.
struct Capture;

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut lines) = LINES.lock() {
            lines.push(String::from_utf8_lossy(buf).into_owned());
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing log output for the whole test process, at the most detailed level;
/// libraries' `log` records are captured too.
pub fn capture() {
    INSTALL.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(|| Capture)
            .try_init();
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
