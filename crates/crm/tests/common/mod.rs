//! What every provider's tests share: settings that retry in milliseconds against a local mock
//! server, and a sync loop shaped like the server's job (write each page, keep its cursor, stop at
//! the first error).
#![allow(dead_code)] // each test binary uses its own part of this module

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use crm::{Connector, CrmError, CrmRecord, Cursor, HttpSettings, Object, RetryPolicy};

/// Retries in milliseconds; the mock server is on 127.0.0.1, so private addresses are allowed.
pub fn settings() -> HttpSettings {
    HttpSettings {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            longest_server_wait: Duration::from_secs(2),
            server_error_retries: 2,
        },
        allow_private_addresses: true,
    }
}

/// The same, as production runs it: private addresses refused.
pub fn production_settings() -> HttpSettings {
    HttpSettings {
        allow_private_addresses: false,
        ..settings()
    }
}

/// What a sync job run ended with.
#[derive(Debug)]
pub struct Run {
    /// Every record handed out, in order, as the job would have written them.
    pub records: Vec<CrmRecord>,
    /// The cursor the job stored after its last successful page (the one to resume from).
    pub stored: Option<Cursor>,
    pub pages: usize,
    pub error: Option<CrmError>,
}

impl Run {
    pub fn ids(&self) -> Vec<String> {
        self.records
            .iter()
            .map(|r| r.external_id().to_owned())
            .collect()
    }
}

/// Fetches pages until the last one or the first error, from `start`.
pub async fn sync(
    connector: &Connector,
    object: Object,
    since: Option<DateTime<Utc>>,
    start: Option<Cursor>,
) -> Run {
    let mut run = Run {
        records: Vec::new(),
        stored: start,
        pages: 0,
        error: None,
    };
    loop {
        assert!(run.pages < 100, "the sync does not end");
        match connector
            .fetch_page(object, run.stored.as_ref(), since)
            .await
        {
            Ok(page) => {
                run.pages += 1;
                run.records.extend(page.records);
                match page.next {
                    Some(next) => run.stored = Some(next),
                    None => {
                        run.stored = None;
                        return run;
                    }
                }
            }
            Err(error) => {
                run.error = Some(error);
                return run;
            }
        }
    }
}

/// Asserts no external id came twice across `runs`, and returns them all.
pub fn distinct_ids(runs: &[&Run]) -> Vec<String> {
    let all: Vec<String> = runs.iter().flat_map(|r| r.ids()).collect();
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "duplicates in {all:?}");
    all
}

/// 2024-05-01 12:30:00 UTC, the incremental mark of the tests.
pub fn since() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 12, 30, 0)
        .single()
        .expect("a valid time")
}
