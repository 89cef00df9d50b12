//! Authentication: who is asking. Passwords, sessions, sign-in and sign-out, and the tenant
//! context every data function starts from. One module owns it.

pub mod api;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod invitations;
pub mod link_pages;
#[cfg(feature = "ssr")]
pub mod links;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod reset;
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

/// What a new password may be: long enough, not absurdly long, and not among the passwords an
/// attacker tries first. No composition rules (NIST SP 800-63B). Checked by
/// `password::check_new_password`; shared so pages can say which rule in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordRule {
    TooShort,
    TooLong,
    TooCommon,
}

/// Why an invitation or password-reset page is shown again after its form was posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountProblem {
    /// The link is unknown, expired or already used.
    LinkInvalid,
    /// The password and its confirmation differ.
    Mismatch,
    /// The new password breaks a rule.
    Password(PasswordRule),
    /// Too many requests; try again after this many minutes.
    Throttled { minutes: u32 },
    /// The database (or the mail server) did not answer.
    Unavailable,
}

/// What the invitation and reset pages re-render with after a POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccountFlash {
    pub problem: Option<AccountProblem>,
    /// A reset was requested: the page says a link was sent if the account exists — whether or not
    /// it does.
    pub reset_requested: bool,
}

/// Who an invitation link is for, as its page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub name: String,
    pub email: String,
    pub company_name: String,
}

/// Whose password a reset link replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetView {
    pub email: String,
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
