//! The HTTP surface: Leptos pages and server functions, sign-in and sign-out posts, static files,
//! health and readiness, and the layers every request passes (request id, trace span, hardening
//! headers, cross-site write refusal, session and authentication, compression).

use app::auth::handlers::{enforce_session_lifetime, sign_in, sign_out};
use app::auth::links;
use app::auth::server::{AuthBackend, AuthSession, IDLE_TIMEOUT_MINUTES};
use app::state::AppState;
use app::{App, shell};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderName, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use axum_login::AuthManagerLayerBuilder;
use axum_login::tower_sessions::cookie::SameSite;
use axum_login::tower_sessions::{Expiry, SessionManagerLayer};
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, generate_route_list, handle_server_fns_with_context,
};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeFile;
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The session cookie's name: `__Host-` prefixed (Secure, no Domain, Path=/) outside development.
pub fn session_cookie_name(development: bool) -> &'static str {
    if development {
        "performancy_session"
    } else {
        "__Host-performancy_session"
    }
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let development = state.settings.development;
    let session_layer = SessionManagerLayer::new(state.db.session_store())
        .with_name(session_cookie_name(development))
        .with_secure(!development)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            IDLE_TIMEOUT_MINUTES,
        )))
        // The idle timeout is enforced by the stored expiry, which only moves when the session is saved.
        .with_always_save(true);
    let auth_layer =
        AuthManagerLayerBuilder::new(AuthBackend::new(state.db.clone()), session_layer).build();

    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/login", post(sign_in))
        .route("/logout", post(sign_out))
        // The forms of invitation and reset links, as plain HTML posts (their pages are Leptos routes).
        .route("/invite/{token}", post(links::accept_invitation))
        .route("/reset", post(links::request_reset))
        .route("/reset/{token}", post(links::complete_reset))
        // CSV uploads: a plain multipart form (works without JavaScript), up to 50 MB.
        .route(
            "/{slug}/imports",
            post(app::imports::upload::upload)
                .layer(axum::extract::DefaultBodyLimit::max(app::imports::upload::BODY_LIMIT)),
        )
        // The lists' CSV exports (their filters are the query string).
        .route("/{slug}/leads.csv", get(app::pipeline::export::export_leads))
        .route("/{slug}/deals.csv", get(app::pipeline::export::export_deals))
        // Server functions change state only through POST; no GET route reaches them.
        .route("/api/{*fn_name}", post(server_fn))
        // Static assets before the pages: `/{slug}/{area}` would otherwise claim `/pkg/app.js`.
        .route_service(
            &leptos_axum::site_pkg_dir_service_route_path(&state.leptos_options),
            leptos_axum::site_pkg_dir_service(&state.leptos_options),
        )
        .route_service("/favicon.ico", ServeFile::new(format!("{}/favicon.ico", state.leptos_options.site_root)))
        .leptos_routes_with_handler(routes.clone(), get(move |state, auth, request| page(state, auth, routes.clone(), request)))
        .fallback(fallback)
        .layer(middleware::from_fn(enforce_session_lifetime))
        .layer(auth_layer)
        .layer(middleware::from_fn_with_state(state.settings.clone(), app::security::refuse_cross_site_writes))
        .layer(middleware::from_fn_with_state(state.settings.clone(), app::security::hardening_headers))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
            let request_id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            // The path only: query strings can carry personal data (searches, e-mails).
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

async fn page(
    State(state): State<AppState>,
    auth: AuthSession,
    routes: Vec<AxumRouteListing>,
    request: Request<Body>,
) -> Response {
    let context_state = state.clone();
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_route_with_context(
        routes,
        move || context_state.provide_request_context(Some(auth.clone())),
        move || shell(options.clone()),
    );
    render(State(state), request).await.into_response()
}

async fn server_fn(
    State(state): State<AppState>,
    auth: AuthSession,
    request: Request<Body>,
) -> impl IntoResponse {
    handle_server_fns_with_context(
        move || state.provide_request_context(Some(auth.clone())),
        request,
    )
    .await
}

/// Static files, or the app's not-found page (with the same context as any page).
async fn fallback(uri: Uri, State(state): State<AppState>, request: Request<Body>) -> Response {
    let auth = request.extensions().get::<AuthSession>().cloned();
    let context_state = state.clone();
    let handler = leptos_axum::file_and_error_handler_with_context(
        move || context_state.provide_request_context(auth.clone()),
        shell,
    );
    handler(uri, State(state), request).await
}

/// Liveness: the process answers. Says nothing about the database on purpose, so a database outage
/// does not make an orchestrator restart every web server.
async fn health() -> &'static str {
    "ok"
}

/// Readiness: this instance can serve requests, which needs the database.
async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::warn!(error = ?err, "not ready: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
