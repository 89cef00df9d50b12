//! The server's shared state, one value reached from axum handlers (`FromRef`) and from server
//! functions (Leptos context): the Leptos options, the database handle and the configuration the
//! pages need. No globals.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: db::Db,
    pub settings: PageSettings,
}

/// The part of the configuration pages may read.
#[derive(Clone, Debug)]
pub struct PageSettings {
    /// Development mode: the landing page lists the demo companies.
    pub development: bool,
}

impl AppState {
    /// The state of the current request, inside a server function or a page resource.
    pub fn current() -> Result<Self, crate::error::AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            crate::error::AppError::Internal
        })
    }
}
