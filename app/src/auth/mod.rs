//! Authentication. Today: password hashing, used by the demo generator and the staff command;
//! sign-in, sessions and invitations build on it.

#[cfg(feature = "ssr")]
pub mod password;
