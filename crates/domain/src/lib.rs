//! Performancy's shared vocabulary, compiled for the server and for the browser alike.
//!
//! Everything here is plain Rust: the enums of the data model (with their PostgreSQL mapping behind
//! the `sqlx` feature, so the wasm build never links a database driver), values that validate
//! themselves on construction, and the locale rules for numbers, money and dates. Keeping it free of
//! Leptos and axum lets it be unit-tested in milliseconds and reused by the jobs and commands.

pub mod enums;
pub mod format;
pub mod locale;
pub mod money;
pub mod pipeline;
pub mod slug;

pub use enums::*;
pub use locale::Locale;
pub use slug::{CompanySlug, SlugError};
