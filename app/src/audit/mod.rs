//! The audit log: every change a person makes, written in the same transaction as the change,
//! with who acted (and as what), before and after, the client address and user agent.

#[cfg(feature = "ssr")]
pub mod server;
