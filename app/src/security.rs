//! Web security every response gets: refusal of cross-site writes (CSRF), the Content-Security-
//! Policy with the per-response nonce Leptos puts on its scripts, and the usual hardening headers.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::Settings;

/// Whether a state-changing request may proceed, from its `Sec-Fetch-Site`, `Origin` and `Host`.
///
/// A browser sends `Sec-Fetch-Site` on every request: `cross-site` is refused outright. Where the
/// header is absent (older browsers), a foreign `Origin` is refused. A request with neither is not
/// a browser riding a cookie (PRODUCT.md: allowed).
pub fn allows_write(
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    host: Option<&str>,
    public_origin: &str,
) -> bool {
    match sec_fetch_site {
        Some("same-origin") | Some("none") => true,
        Some("cross-site") => false,
        // `same-site` (a sibling subdomain) or an unknown value: decide by Origin.
        _ => match origin {
            None => sec_fetch_site.is_none(),
            Some(origin) => {
                origin == public_origin
                    || host.is_some_and(|host| origin_authority(origin) == Some(host))
            }
        },
    }
}

fn origin_authority(origin: &str) -> Option<&str> {
    origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
}

/// Middleware: refuses cross-site state-changing requests with 403.
pub async fn refuse_cross_site_writes(
    State(settings): State<Settings>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe {
        let headers = request.headers();
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if !allows_write(
            text("sec-fetch-site"),
            text("origin"),
            text("host"),
            &settings.public_origin,
        ) {
            tracing::warn!(method = %request.method(), path = %request.uri().path(), "cross-site write refused");
            return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
        }
    }
    next.run(request).await
}

/// The Content-Security-Policy of an HTML page whose scripts carry `nonce`.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// Sets the CSP header of the page being rendered, from the nonce in the Leptos context.
pub fn set_page_csp() {
    let nonce = leptos::nonce::use_nonce();
    let response = leptos::prelude::use_context::<leptos_axum::ResponseOptions>();
    if let (Some(nonce), Some(response)) = (nonce, response) {
        match HeaderValue::from_str(&content_security_policy(&nonce.to_string())) {
            Ok(value) => response.insert_header(header::CONTENT_SECURITY_POLICY, value),
            Err(err) => tracing::error!(error = %err, "invalid CSP header"),
        }
    }
}

/// Hardening headers for every response (HTML or not).
pub async fn hardening_headers(
    State(settings): State<Settings>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !settings.development {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "https://app.performancy.dev";

    #[test]
    fn cross_site_writes_are_refused_and_same_origin_ones_allowed() {
        assert!(!allows_write(
            Some("cross-site"),
            Some(ORIGIN),
            Some("app.performancy.dev"),
            ORIGIN
        ));
        assert!(allows_write(
            Some("same-origin"),
            Some(ORIGIN),
            Some("app.performancy.dev"),
            ORIGIN
        ));
        assert!(allows_write(Some("none"), None, None, ORIGIN));
    }

    #[test]
    fn without_fetch_metadata_the_origin_decides() {
        assert!(!allows_write(
            None,
            Some("https://evil.example"),
            Some("app.performancy.dev"),
            ORIGIN
        ));
        assert!(!allows_write(
            None,
            Some("null"),
            Some("app.performancy.dev"),
            ORIGIN
        ));
        assert!(allows_write(
            None,
            Some(ORIGIN),
            Some("app.performancy.dev"),
            ORIGIN
        ));
        assert!(allows_write(
            None,
            Some("http://127.0.0.1:3100"),
            Some("127.0.0.1:3100"),
            ORIGIN
        ));
        assert!(!allows_write(
            Some("same-site"),
            Some("https://other.performancy.dev"),
            Some("app.performancy.dev"),
            ORIGIN
        ));
    }

    #[test]
    fn a_request_with_neither_header_is_not_a_browser_and_is_allowed() {
        assert!(allows_write(
            None,
            None,
            Some("app.performancy.dev"),
            ORIGIN
        ));
    }

    #[test]
    fn the_policy_names_the_nonce_and_forbids_framing_and_plugins() {
        let csp = content_security_policy("abc123");
        for part in [
            "'nonce-abc123'",
            "'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(part), "{part} missing from {csp}");
        }
        assert!(!csp.contains("unsafe-inline"));
    }
}
