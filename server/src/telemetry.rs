//! Structured logs. Each request gets an `x-request-id` (kept when a proxy already set one) that is
//! on every log line of that request and in the response, so a user's report can be found in the log.

use crate::config::LogFormat;
use tracing_subscriber::{EnvFilter, fmt};

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = fmt().with_env_filter(filter).with_target(true);
    // A second init (tests) keeps the first subscriber; nothing to report.
    let _already_set = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}
