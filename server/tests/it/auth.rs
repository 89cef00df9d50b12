//! Sign-in, sessions and tenancy as a browser meets them: cookies and their attributes, id rotation,
//! sign-out, idle and absolute expiry, the security stamp, deactivation, throttling, cross-site
//! refusal, security headers, and who may enter which company.

use crate::common::{self, PASSWORD, TestApp, email, user_id};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum_login::tower_sessions::SessionStore;
use axum_login::tower_sessions::session::{Id, Record};

fn session_id(cookie: &str) -> Id {
    cookie
        .split_once('=')
        .unwrap()
        .1
        .parse()
        .expect("session id")
}

/// Whether the cookie still opens the tenant page (a dead session is redirected to sign in).
async fn opens_acme(app: &TestApp, cookie: &str) -> bool {
    let reply = app.get("/acme", Some(cookie)).await;
    match reply.status {
        StatusCode::OK => true,
        StatusCode::FOUND => false,
        other => panic!("unexpected {other}: {}", reply.body),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_redirects_home_with_a_hardened_session_cookie() {
    let app = TestApp::new().await;
    let reply = app.sign_in_as(&email("acme", "diretora"), PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), Some("/acme"));
    let cookie = reply.set_cookie().unwrap();
    assert!(cookie.starts_with("performancy_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP in development: {cookie}"
    );

    let staff = app.sign_in_as("suporte@performancy.dev", PASSWORD).await;
    assert_eq!(staff.location(), Some("/admin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_switches_the_interface_to_the_users_stored_language() {
    let app = TestApp::new().await;
    let reply = app.sign_in_as(&email("acme", "diretora"), PASSWORD).await;
    let locale = reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("i18n_pref_locale="));
    assert_eq!(
        locale.map(|c| c.split(';').next().unwrap()),
        Some("i18n_pref_locale=pt-BR")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_development_the_cookie_is_secure_and_host_prefixed_and_hsts_is_sent() {
    let app = TestApp::production().await;
    let request = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(format!(
            "email={}&password={PASSWORD}",
            common::urlencode(&email("acme", "diretora"))
        )))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let cookie = reply.set_cookie().unwrap();
    assert!(
        cookie.starts_with("__Host-performancy_session="),
        "{cookie}"
    );
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain="), "{cookie}");
    let page = app.get("/", None).await;
    assert!(
        page.headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_and_unknown_email_look_the_same_and_keep_the_email_typed() {
    let app = TestApp::new().await;
    let wrong_password = app
        .sign_in_as(&email("acme", "diretora"), "not-the-password")
        .await;
    let unknown_email = app
        .sign_in_as("ninguem@acme.test", "not-the-password")
        .await;
    for reply in [&wrong_password, &unknown_email] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(reply.body.contains("E-mail ou senha incorretos."));
        assert!(reply.session_cookie().is_none());
    }
    assert!(
        wrong_password.body.contains("value=\"diretora@acme.test\""),
        "the e-mail typed is kept"
    );
    assert!(
        !wrong_password.body.contains("not-the-password"),
        "the password is never echoed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_is_honoured_only_when_it_is_a_path_of_this_site() {
    let app = TestApp::new().await;
    let to_deals = app
        .post_form(
            "/login",
            &[
                ("email", &email("acme", "diretora")),
                ("password", PASSWORD),
                ("next", "/acme/deals"),
            ],
            None,
        )
        .await;
    assert_eq!(to_deals.location(), Some("/acme/deals"));
    let away = app
        .post_form(
            "/login",
            &[
                ("email", &email("acme", "diretora")),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
            ],
            None,
        )
        .await;
    assert_eq!(away.location(), Some("/acme"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_changes_at_sign_in_and_the_old_one_opens_nothing() {
    let app = TestApp::new().await;
    let first = app.session_for(&email("acme", "diretora")).await;
    let again = app
        .post_form(
            "/login",
            &[
                ("email", &email("acme", "diretora")),
                ("password", PASSWORD),
            ],
            Some(&first),
        )
        .await;
    let second = again.session_cookie().expect("a new cookie");
    assert_ne!(first, second);
    assert!(opens_acme(&app, &second).await);
    assert!(
        !opens_acme(&app, &first).await,
        "the pre-sign-in session id must be dead"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_sign_out_the_old_cookie_opens_nothing() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&email("acme", "agente1")).await;
    assert!(opens_acme(&app, &cookie).await);
    let out = app.post_form("/logout", &[], Some(&cookie)).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), Some("/login"));
    assert!(!opens_acme(&app, &cookie).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_is_a_post_only() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&email("acme", "agente1")).await;
    let _ = app.get("/logout", Some(&cookie)).await;
    assert!(
        opens_acme(&app, &cookie).await,
        "a GET (a link, an image) must not sign anyone out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_expires_on_the_server() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&email("acme", "agente1")).await;
    assert!(opens_acme(&app, &cookie).await);
    // 31 minutes without a request: the stored expiry is in the past, whatever the browser keeps.
    let store = app.test.db.session_store();
    let id = session_id(&cookie);
    let mut record: Record = store.load(&id).await.unwrap().expect("stored session");
    record.expiry_date = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    store.save(&record).await.unwrap();
    assert!(!opens_acme(&app, &cookie).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_moves_the_idle_expiry_forward() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&email("acme", "agente1")).await;
    let store = app.test.db.session_store();
    let id = session_id(&cookie);
    let mut record: Record = store.load(&id).await.unwrap().unwrap();
    record.expiry_date = time::OffsetDateTime::now_utc() + time::Duration::minutes(2);
    store.save(&record).await.unwrap();
    assert!(opens_acme(&app, &cookie).await);
    let refreshed = store.load(&id).await.unwrap().unwrap();
    assert!(refreshed.expiry_date > time::OffsetDateTime::now_utc() + time::Duration::minutes(29));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_twelve_hours_after_sign_in_however_active() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&email("acme", "agente1")).await;
    let store = app.test.db.session_store();
    let id = session_id(&cookie);
    let mut record: Record = store.load(&id).await.unwrap().unwrap();
    let thirteen_hours_ago = chrono::Utc::now() - chrono::Duration::hours(13);
    record.data.insert(
        "signed_in_at".into(),
        serde_json::to_value(thirteen_hours_ago).unwrap(),
    );
    store.save(&record).await.unwrap();
    assert!(!opens_acme(&app, &cookie).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_security_stamp_ends_every_other_session() {
    let app = TestApp::new().await;
    let laptop = app.session_for(&email("acme", "agente1")).await;
    let phone = app.session_for(&email("acme", "agente1")).await;
    // What a password change and "sign out everywhere" do underneath.
    app.test
        .db
        .lookups()
        .rotate_security_stamp(&user_id("acme", "agent1"))
        .await
        .unwrap();
    assert!(!opens_acme(&app, &laptop).await);
    assert!(!opens_acme(&app, &phone).await);
    let hash = app::auth::password::hash_password("outra-senha-bem-longa".into())
        .await
        .unwrap();
    let fresh = app.session_for(&email("acme", "agente1")).await;
    app.test
        .db
        .lookups()
        .set_password(&user_id("acme", "agent1"), &hash)
        .await
        .unwrap();
    assert!(!opens_acme(&app, &fresh).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_user_is_locked_out_at_once() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&email("acme", "agente2")).await;
    let mut tx = app
        .test
        .db
        .begin(&db::testing::TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query("UPDATE users SET status = 'INACTIVE' WHERE id = $1")
        .bind(user_id("acme", "agent2"))
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(!opens_acme(&app, &cookie).await, "the open session ends");
    let again = app.sign_in_as(&email("acme", "agente2"), PASSWORD).await;
    assert_eq!(
        again.status,
        StatusCode::UNAUTHORIZED,
        "and no new one starts"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bcrypt_hash_signs_in_and_is_replaced_by_argon2id() {
    let app = TestApp::new().await;
    let legacy = bcrypt::hash(PASSWORD, 4).unwrap();
    let mut tx = app
        .test
        .db
        .begin(&db::testing::TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id("acme", "manager"))
        .bind(&legacy)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let reply = app.sign_in_as(&email("acme", "gerente"), PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let mut tx = app
        .test
        .db
        .begin(&db::testing::TestDb::system("company-acme"))
        .await
        .unwrap();
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id("acme", "manager"))
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_for_an_email_pause_it_with_retry_after_even_for_the_right_password() {
    let app = TestApp::new().await;
    let target = email("acme", "diretora");
    for _ in 0..5 {
        assert_eq!(
            app.sign_in_as(&target, "chute-errado").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let paused = app.sign_in_as(&target, PASSWORD).await;
    assert_eq!(paused.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u32 = paused
        .headers
        .get(header::RETRY_AFTER)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(paused.body.contains("Muitas tentativas"));
    // Another account from the same address is not affected (the address limit is 20).
    assert_eq!(
        app.sign_in_as(&email("acme", "agente1"), PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_failures_from_one_address_pause_it_for_every_email() {
    let app = TestApp::new().await;
    for i in 0..20 {
        let reply = app
            .sign_in_as(&format!("ninguem{i}@acme.test"), "chute")
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.sign_in_as(&email("acme", "agente1"), PASSWORD)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_writes_are_refused() {
    let app = TestApp::new().await;
    let body = format!(
        "email={}&password={PASSWORD}",
        common::urlencode(&email("acme", "diretora"))
    );
    let post = |headers: &[(&str, &str)]| {
        let mut request = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:3000");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        request.body(Body::from(body.clone())).unwrap()
    };
    assert_eq!(
        app.send(post(&[("sec-fetch-site", "cross-site")]))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.send(post(&[("origin", "https://evil.example")]))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.send(post(&[("origin", "http://127.0.0.1:3000")]))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // Neither header: not a browser riding a cookie.
    assert_eq!(app.send(post(&[])).await.status, StatusCode::SEE_OTHER);
    // Server functions too.
    let server_fn = Request::post("/api/auth/me")
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(server_fn).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_do_not_answer_get() {
    let app = TestApp::new().await;
    let reply = app.get("/api/auth/me", None).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_nonce_based_csp_and_hardening_headers() {
    let app = TestApp::new().await;
    let reply = app.get("/", None).await;
    let csp = reply
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .expect("CSP header")
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce");
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(
        reply.body.contains(&format!("nonce=\"{nonce}\"")),
        "the scripts carry the header's nonce"
    );
    for part in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "'wasm-unsafe-eval'",
    ] {
        assert!(csp.contains(part), "{part}");
    }
    assert_eq!(
        reply.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
        "nosniff"
    );
    assert!(reply.headers.get(header::REFERRER_POLICY).is_some());
    assert!(
        reply
            .headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none(),
        "no HSTS on plain-HTTP development"
    );
    let other = app.get("/", None).await;
    assert_ne!(
        other.headers.get(header::CONTENT_SECURITY_POLICY),
        reply.headers.get(header::CONTENT_SECURITY_POLICY),
        "a fresh nonce per response"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_enter_any_company_under_a_banner_and_it_is_audited_once() {
    let app = TestApp::new().await;
    let cookie = app.session_for("suporte@performancy.dev").await;
    for _ in 0..2 {
        let reply = app.get("/globex", Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains("Globex Brasil"));
        assert!(reply.body.contains("data-testid=\"staff-banner\""));
    }
    let mut tx = app
        .test
        .db
        .begin(&db::testing::TestDb::system("company-globex"))
        .await
        .unwrap();
    let rows: Vec<(Option<String>, String, String)> =
        sqlx::query_as("SELECT user_id, actor::text, action FROM audit_logs")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![(
            Some(app.staff_id.clone()),
            "STAFF".to_owned(),
            "STAFF_ENTER_TENANT".to_owned()
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_see_no_banner_and_no_other_company() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&email("globex", "agente1")).await;
    let own = app.get("/globex", Some(&cookie)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(!own.body.contains("data-testid=\"staff-banner\""));
    let other = app.get("/acme", Some(&cookie)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!other.body.contains("Acme Vendas"));
}
