//! The server's wiring, as a library so the integration tests drive the same router the binary serves.

// The router's Leptos views are deeply nested types; the release build lays them out here.
#![recursion_limit = "256"]

pub mod commands;
pub mod config;
pub mod jobs;
pub mod routes;
pub mod serve;
pub mod telemetry;

/// Why the server or a command stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("database")]
    Db(#[from] db::DbError),
    #[error("leptos configuration")]
    Leptos(String),
    #[error("i/o")]
    Io(#[from] std::io::Error),
    #[error("demo data")]
    Demo(#[from] demo::DemoError),
    #[error("password hashing")]
    Password(#[from] app::auth::password::PasswordError),
    #[error("background job")]
    Job(#[from] jobs::JobError),
    #[error("integration keys")]
    Vault(#[from] vault::VaultError),
    #[error("{0}")]
    Usage(String),
}
