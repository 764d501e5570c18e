//! Test-only hooks, off unless the environment variable
//! `WORKLOG_LS_TEST_HOOKS=1` is set when the server starts (the integration
//! tests set it; nothing else should):
//! - the `worklog/testPanic` request (see `Server::test_panic`);
//! - `WORKLOG_LS_TEST_INDEX_DELAY_MS`: the first index build of each root
//!   waits this long first (to observe the server while it indexes).

use std::sync::OnceLock;
use std::time::Duration;

/// Whether the test hooks are on (read once).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("WORKLOG_LS_TEST_HOOKS").is_some_and(|v| v == "1"))
}

/// The injected delay before an index build, if any.
pub fn index_delay() -> Option<Duration> {
    if !enabled() {
        return None;
    }
    let ms: u64 = std::env::var("WORKLOG_LS_TEST_INDEX_DELAY_MS").ok()?.parse().ok()?;
    Some(Duration::from_millis(ms))
}
