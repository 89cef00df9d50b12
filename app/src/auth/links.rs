//! The forms behind invitation and password-reset links, as plain HTML form posts (like
//! `/login`), so they work before — and without — the WebAssembly. A refused form is rendered
//! again by the server with the problem, in the language of the page the person saw.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::handlers::{PeerAddress, client_address, render_page_with, start_session};
use super::server::{AuthSession, SignedIn, home_of};
use super::tokens::lookup_hash;
use super::{AccountFlash, AccountProblem, invitations, reset};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirmation: String,
}

#[derive(Deserialize)]
pub struct ResetRequestForm {
    #[serde(default)]
    pub email: String,
}

/// POST `/invite/{token}`: set the password, become ACTIVE, signed in, at home.
pub async fn accept_invitation(
    State(state): State<AppState>,
    mut auth: AuthSession,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<NewPasswordForm>,
) -> Response {
    match invitations::accept_invitation(
        &state,
        &token,
        &form.password,
        &form.password_confirmation,
    )
    .await
    {
        Ok(user) => {
            sign_in_and_go_home(
                &state,
                &mut auth,
                &user,
                &headers,
                &link_page("/invite/", &token),
            )
            .await
        }
        Err(problem) => {
            render_problem(&state, &headers, &link_page("/invite/", &token), problem).await
        }
    }
}

/// POST `/reset`: the same answer whether or not the e-mail has an account.
pub async fn request_reset(
    State(state): State<AppState>,
    PeerAddress(peer): PeerAddress,
    headers: HeaderMap,
    Form(form): Form<ResetRequestForm>,
) -> Response {
    let ip = client_address(&headers, peer, &state.settings);
    match reset::request_reset(&state, &form.email, ip.as_deref()).await {
        Ok(()) => {
            render_page_with(
                &state,
                &headers,
                "/reset",
                AccountFlash {
                    problem: None,
                    reset_requested: true,
                },
                StatusCode::OK,
            )
            .await
        }
        Err(problem) => render_problem(&state, &headers, "/reset", problem).await,
    }
}

/// POST `/reset/{token}`: a new password, every other session ended, signed in, at home.
pub async fn complete_reset(
    State(state): State<AppState>,
    mut auth: AuthSession,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<NewPasswordForm>,
) -> Response {
    match reset::complete_reset(&state, &token, &form.password, &form.password_confirmation).await {
        Ok(user) => {
            sign_in_and_go_home(
                &state,
                &mut auth,
                &user,
                &headers,
                &link_page("/reset/", &token),
            )
            .await
        }
        Err(problem) => {
            render_problem(&state, &headers, &link_page("/reset/", &token), problem).await
        }
    }
}

/// The page of a link, to render again; a token that cannot be ours is not put back into a path.
fn link_page(prefix: &str, token: &str) -> String {
    match lookup_hash(token) {
        Some(_) => format!("{prefix}{token}"),
        None => format!("{prefix}-"),
    }
}

async fn sign_in_and_go_home(
    state: &AppState,
    auth: &mut AuthSession,
    user: &SignedIn,
    headers: &HeaderMap,
    page: &str,
) -> Response {
    if start_session(auth, user).await.is_err() {
        // The password is set; only the session failed. Signing in with it works.
        return render_problem(state, headers, page, AccountProblem::Unavailable).await;
    }
    let mut response = Redirect::to(&home_of(&user.0)).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&locale_cookie(&user.0.language)) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// leptos_i18n's locale cookie, so the interface speaks the user's language from now on.
pub fn locale_cookie(language: &str) -> String {
    let locale = if language == "en" { "en" } else { "pt-BR" };
    format!("i18n_pref_locale={locale}; Path=/; Max-Age=31536000; SameSite=Lax")
}

async fn render_problem(
    state: &AppState,
    headers: &HeaderMap,
    page: &str,
    problem: AccountProblem,
) -> Response {
    let status = match problem {
        AccountProblem::LinkInvalid => StatusCode::NOT_FOUND,
        AccountProblem::Mismatch | AccountProblem::Password(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AccountProblem::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AccountProblem::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    };
    let mut response = render_page_with(
        state,
        headers,
        page,
        AccountFlash {
            problem: Some(problem),
            reset_requested: false,
        },
        status,
    )
    .await;
    if let AccountProblem::Throttled { minutes } = problem
        && let Ok(value) = HeaderValue::from_str(&(minutes * 60).to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_cookie_names_a_locale_leptos_i18n_knows_for_the_whole_site() {
        assert_eq!(
            locale_cookie("en"),
            "i18n_pref_locale=en; Path=/; Max-Age=31536000; SameSite=Lax"
        );
        assert!(locale_cookie("pt-BR").starts_with("i18n_pref_locale=pt-BR;"));
        assert!(locale_cookie("xx").starts_with("i18n_pref_locale=pt-BR;"));
    }

    #[test]
    fn a_token_that_cannot_be_ours_is_not_echoed_into_a_path() {
        assert_eq!(link_page("/invite/", "abc_-1"), "/invite/abc_-1");
        assert_eq!(link_page("/invite/", "a/../b"), "/invite/-");
    }
}
