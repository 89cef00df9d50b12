//! Authentication: who is asking. Passwords, sessions, sign-in and sign-out, and the tenant
//! context every data function starts from. One module owns it.

pub mod api;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod invitations;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod tokens;

use domain::UserRole;
use serde::{Deserialize, Serialize};

/// The signed-in user as pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: UserRole,
    pub language: String,
    /// Where "home" is for them: their company, or the staff console.
    pub home: String,
}

/// Why the sign-in page is shown again after a POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInProblem {
    /// Wrong e-mail or password (never says which).
    Invalid,
    /// Too many failures; try again after this many minutes.
    Throttled { minutes: u32 },
    /// The database did not answer.
    Unavailable,
}

/// What the sign-in page re-renders with after a failed POST, so nothing typed is lost.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignInFlash {
    pub problem: Option<SignInProblem>,
    pub email: String,
    pub next: Option<String>,
}
