//! The sign-in and sign-out endpoints as plain HTML form posts, so they work before (and without)
//! the WebAssembly, and the middleware that ends sessions past their absolute lifetime.

use std::net::{IpAddr, SocketAddr};

use axum::Form;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use leptos::prelude::provide_context;
use serde::Deserialize;

use super::server::{
    AuthSession, Credentials, SIGNED_IN_AT, THROTTLE_MAX_PER_ADDRESS, THROTTLE_MAX_PER_EMAIL,
    THROTTLE_WINDOW_SECONDS, home_of, normalise_email, past_absolute_lifetime, safe_next,
};
use super::{SignInFlash, SignInProblem};
use crate::state::{AppState, Settings};

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    pub next: Option<String>,
}

/// The socket's peer address, when the server was started with connect info (tests may not be).
pub struct PeerAddress(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PeerAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(PeerAddress(peer_of(&parts.extensions)))
    }
}

/// The peer address recorded by the server (or mocked by a test harness).
pub fn peer_of(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
        .or_else(|| {
            extensions
                .get::<axum::extract::connect_info::MockConnectInfo<SocketAddr>>()
                .map(|mock| mock.0)
        })
}

/// The client's address: the socket's, or — only when the socket is a configured trusted proxy —
/// the nearest untrusted hop of `X-Forwarded-For`.
pub fn client_address(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    settings: &Settings,
) -> Option<String> {
    let peer = peer?.ip();
    if !settings.trusted_proxies.contains(&peer) {
        return Some(peer.to_string());
    }
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let hop = forwarded
        .split(',')
        .rev()
        .filter_map(|h| h.trim().parse::<IpAddr>().ok())
        .find(|ip| !settings.trusted_proxies.contains(ip));
    Some(hop.unwrap_or(peer).to_string())
}

pub async fn sign_in(
    State(state): State<AppState>,
    mut auth: AuthSession,
    PeerAddress(peer): PeerAddress,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let email = normalise_email(&form.email);
    let next = safe_next(form.next.as_deref());
    let ip = client_address(&headers, peer, &state.settings);
    let flash = |problem| SignInFlash {
        problem: Some(problem),
        email: form.email.trim().to_owned(),
        next: next.clone(),
    };
    let lookups = state.db.lookups();

    let throttle = match lookups
        .throttle_status(
            &email,
            ip.as_deref(),
            THROTTLE_WINDOW_SECONDS,
            THROTTLE_MAX_PER_EMAIL,
            THROTTLE_MAX_PER_ADDRESS,
        )
        .await
    {
        Ok(throttle) => throttle,
        Err(err) => {
            tracing::error!(error = ?err, "throttle check failed");
            return render_sign_in(
                &state,
                &headers,
                flash(SignInProblem::Unavailable),
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await;
        }
    };
    if throttle.blocked {
        let seconds = throttle.retry_after_seconds.max(1);
        let minutes = (seconds as u32).div_ceil(60);
        let mut response = render_sign_in(
            &state,
            &headers,
            flash(SignInProblem::Throttled { minutes }),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
        if let Ok(value) = seconds.to_string().parse() {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }

    let user = match auth
        .authenticate(Credentials {
            email: email.clone(),
            password: form.password.clone(),
        })
        .await
    {
        Ok(Some(user)) => user,
        Ok(None) => {
            if let Err(err) = lookups.record_sign_in_failure(&email, ip.as_deref()).await {
                tracing::error!(error = ?err, "could not record a sign-in failure");
            }
            return render_sign_in(
                &state,
                &headers,
                flash(SignInProblem::Invalid),
                StatusCode::UNAUTHORIZED,
            )
            .await;
        }
        Err(err) => {
            tracing::error!(error = ?err, "sign-in failed");
            return render_sign_in(
                &state,
                &headers,
                flash(SignInProblem::Unavailable),
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await;
        }
    };

    if start_session(&mut auth, &user).await.is_err() {
        return render_sign_in(
            &state,
            &headers,
            flash(SignInProblem::Unavailable),
            StatusCode::SERVICE_UNAVAILABLE,
        )
        .await;
    }
    if let Err(err) = lookups.clear_email_failures(&email).await {
        tracing::warn!(error = ?err, "could not clear sign-in failures");
    }
    tracing::info!(user_id = %user.0.id, "signed in");
    let mut response = Redirect::to(&next.unwrap_or_else(|| home_of(&user.0))).into_response();
    // The interface speaks the language stored on the user, whatever the browser asked for before.
    if let Ok(cookie) =
        axum::http::HeaderValue::from_str(&super::links::locale_cookie(&user.0.language))
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Sign-out: a POST (a link or an image cannot sign anyone out), deleting the session record so
/// the old cookie opens nothing.
pub async fn sign_out(mut auth: AuthSession) -> Response {
    if let Err(err) = auth.logout().await {
        tracing::error!(error = ?err, "sign-out failed");
    }
    if let Err(err) = auth.session.flush().await {
        tracing::error!(error = ?err, "could not delete the session");
    }
    Redirect::to("/login").into_response()
}

/// Ends a session that outlived its absolute lifetime (or predates the timestamp), however active
/// it was; the idle timeout is the session layer's own expiry.
pub async fn enforce_session_lifetime(mut request: Request, next: Next) -> Response {
    if let Some(auth) = request.extensions_mut().get_mut::<AuthSession>()
        && auth.user.is_some()
    {
        let signed_in_at = auth
            .session
            .get::<chrono::DateTime<Utc>>(SIGNED_IN_AT)
            .await;
        let expired = match signed_in_at {
            Ok(Some(at)) => past_absolute_lifetime(at, Utc::now()),
            Ok(None) => true,
            Err(err) => {
                tracing::error!(error = ?err, "unreadable session; ending it");
                true
            }
        };
        if expired {
            if let Err(err) = auth.logout().await {
                tracing::error!(error = ?err, "could not end an expired session");
            }
            if let Err(err) = auth.session.flush().await {
                tracing::error!(error = ?err, "could not delete an expired session");
            }
        }
    }
    next.run(request).await
}

/// The session store failed while a session was being started (the cause is logged).
#[derive(Debug, thiserror::Error)]
#[error("the session could not be started")]
pub struct SessionNotStarted;

/// Starts a signed-in session for `user`: a new session id (even over an existing session —
/// axum-login cycles only an anonymous one — so an id seen before signing in is worth nothing
/// after it), the user and their security stamp, and the sign-in time for the absolute lifetime.
/// The same rules for every way in: the sign-in form, an invitation, a password reset.
pub async fn start_session(
    auth: &mut AuthSession,
    user: &super::server::SignedIn,
) -> Result<(), SessionNotStarted> {
    if let Err(err) = auth.session.cycle_id().await {
        tracing::error!(error = ?err, "could not rotate the session id");
        return Err(SessionNotStarted);
    }
    if let Err(err) = auth.login(user).await {
        tracing::error!(error = ?err, "could not start the session");
        return Err(SessionNotStarted);
    }
    if let Err(err) = auth.session.insert(SIGNED_IN_AT, Utc::now()).await {
        tracing::error!(error = ?err, "could not stamp the session");
        return Err(SessionNotStarted);
    }
    Ok(())
}

/// Renders the sign-in page for a failed POST with the given status, keeping what was typed
/// (except the password) and the language of the original request.
async fn render_sign_in(
    state: &AppState,
    headers: &HeaderMap,
    flash: SignInFlash,
    status: StatusCode,
) -> Response {
    render_page_with(state, headers, "/login", flash, status).await
}

/// Renders the page at `path` as a GET of the same browser would see it (its cookies, so its
/// language), with `context` provided to the page — what a failed form POST answers with.
pub async fn render_page_with<C: Clone + Send + Sync + 'static>(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    context: C,
    status: StatusCode,
) -> Response {
    let mut request = axum::http::Request::get(path);
    for name in [header::COOKIE, header::ACCEPT_LANGUAGE] {
        if let Some(value) = headers.get(&name) {
            request = request.header(name, value.clone());
        }
    }
    let Ok(request) = request.body(axum::body::Body::empty()) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let context_state = state.clone();
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        move || {
            context_state.provide_request_context(None);
            provide_context(context.clone());
        },
        move || crate::shell(options.clone()),
    );
    let mut response = render(request).await.into_response();
    *response.status_mut() = status;
    response
}
