//! Accounts as their owners meet them: the invitation mail and link, password reset, the own
//! profile page, and the development mail page.

use crate::common::{self, TestApp};
use app::auth::invitations::{Invitee, send_invitation};
use axum::http::StatusCode;

/// Creates an INVITED agent in acme (as the users page will) and returns their id.
async fn invited_agent(app: &TestApp, email: &str, language: &str) -> String {
    let mut tx = app
        .test
        .db
        .begin(&db::testing::TestDb::system("company-acme"))
        .await
        .unwrap();
    let id: String = sqlx::query_scalar(
        "INSERT INTO users (company_id, email, name, role, status, language) VALUES ('company-acme', $1, 'Nova Agente', 'AGENT', 'INVITED', $2) RETURNING id",
    )
    .bind(email)
    .bind(language)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn invitee(id: &str, email: &str, language: &str) -> Invitee {
    Invitee {
        user_id: id.to_owned(),
        email: email.to_owned(),
        name: "Nova Agente".into(),
        language: language.to_owned(),
        company_name: "Acme Vendas".into(),
        inviter_name: "Diretora da Acme".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_mails_a_link_in_the_invitees_language_and_a_resend_replaces_it() {
    let app = TestApp::new().await;
    let pt = invited_agent(&app, "nova@acme.test", "pt-BR").await;
    let en = invited_agent(&app, "new@acme.test", "en").await;
    send_invitation(&app.state, &invitee(&pt, "nova@acme.test", "pt-BR"))
        .await
        .unwrap();
    send_invitation(&app.state, &invitee(&en, "new@acme.test", "en"))
        .await
        .unwrap();

    let mail = &app.mails_to("nova@acme.test")[0];
    assert_eq!(
        mail.subject,
        "Diretora da Acme convidou você para a Acme Vendas no Performancy"
    );
    let link = app
        .link_mailed_to("nova@acme.test", "/invite/")
        .expect("an invitation link");
    assert!(
        mail.text.contains(&format!("{}{link}", app.base_url)),
        "absolute link from the base URL"
    );
    assert_eq!(
        app.mails_to("new@acme.test")[0].subject,
        "Diretora da Acme invited you to Acme Vendas on Performancy"
    );

    // Only the hash is stored; a resend replaces the first link.
    let secret = link.trim_start_matches("/invite/");
    let peek = app
        .test
        .db
        .lookups()
        .peek_token(&app::auth::tokens::hash_token(secret))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(peek.identifier, format!("invite:{pt}"));
    assert!(
        app.test
            .db
            .lookups()
            .peek_token(secret)
            .await
            .unwrap()
            .is_none()
    );
    send_invitation(&app.state, &invitee(&pt, "nova@acme.test", "pt-BR"))
        .await
        .unwrap();
    assert_eq!(app.mails_to("nova@acme.test").len(), 2);
    assert!(
        app.test
            .db
            .lookups()
            .peek_token(&app::auth::tokens::hash_token(secret))
            .await
            .unwrap()
            .is_none(),
        "the first link is dead"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_development_mail_page_lists_sent_mails_with_clickable_links() {
    let app = TestApp::new().await;
    let id = invited_agent(&app, "nova@acme.test", "pt-BR").await;
    send_invitation(&app.state, &invitee(&id, "nova@acme.test", "pt-BR"))
        .await
        .unwrap();
    let link = app.link_mailed_to("nova@acme.test", "/invite/").unwrap();
    let page = app.get("/dev/mail", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("nova@acme.test"));
    assert!(
        page.body
            .contains(&format!("href=\"{}{link}\"", app.base_url)),
        "{}",
        page.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_development_mail_page_does_not_exist_in_production() {
    let app = TestApp::production().await;
    let page = app.get("/dev/mail", None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("data-testid=\"dev-mail"));
    let staff = app.session_for("suporte@performancy.dev").await;
    assert_eq!(
        app.get("/dev/mail", Some(&staff)).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The user's status as the database has it.
async fn status_of(app: &TestApp, user_id: &str) -> domain::UserStatus {
    app.test
        .db
        .lookups()
        .session_user(user_id)
        .await
        .unwrap()
        .expect("the user")
        .status
}

/// Whether the cookie still opens acme's home (a dead session is sent to sign in).
async fn opens_acme(app: &TestApp, cookie: &str) -> bool {
    let reply = app.get("/acme", Some(cookie)).await;
    match reply.status {
        StatusCode::OK => true,
        StatusCode::FOUND => false,
        other => panic!("unexpected {other}: {}", reply.body),
    }
}

/// Waits for a mail sent by a spawned task.
async fn wait_for_link(app: &TestApp, to: &str, prefix: &str) -> String {
    for _ in 0..100 {
        if let Some(link) = app.link_mailed_to(to, prefix) {
            return link;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no {prefix} link mailed to {to}");
}

/// What a reset request answers, as a person reads it: the page's title and its status message.
/// Compared instead of the whole HTML, because the server may stream the same answer in one piece
/// or in two (an out-of-order chunk), depending on how fast the page's data resolved.
fn reset_answer(reply: &common::Reply) -> (StatusCode, String, String) {
    let between = |start: &str, end: &str| {
        reply
            .body
            .split(start)
            .nth(1)
            .and_then(|rest| rest.split(end).next())
            .unwrap_or_default()
            .to_owned()
    };
    (
        reply.status,
        between("<title>", "</title>"),
        between("data-testid=\"reset-requested\"", "</div>"),
    )
}

/// The body as a reader sees its text: without the markers Leptos puts around interpolations.
fn text(body: &str) -> String {
    body.replace("<!>", "")
}

const NEW_PASSWORD: &str = "girafa caneca bicicleta nublado";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_user_sets_a_password_from_the_mailed_link_and_arrives_signed_in_at_their_company()
 {
    let app = TestApp::new().await;
    let id = invited_agent(&app, "nova@acme.test", "pt-BR").await;
    send_invitation(&app.state, &invitee(&id, "nova@acme.test", "pt-BR"))
        .await
        .unwrap();
    let link = app.link_mailed_to("nova@acme.test", "/invite/").unwrap();

    let page = app.get(&link, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        text(&page.body).contains("Convite para a Acme Vendas"),
        "{}",
        page.body
    );
    assert!(text(&page.body).contains("Nova Agente (nova@acme.test)"));
    assert!(
        page.body.contains(&format!("action=\"{link}\"")),
        "a plain form posting to the link"
    );

    let reply = app
        .post_form(
            &link,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), Some("/acme"));
    assert_eq!(status_of(&app, &id).await, domain::UserStatus::Active);
    let cookie = reply.session_cookie().expect("signed in");
    assert!(opens_acme(&app, &cookie).await);
    assert_eq!(
        app.sign_in_as("nova@acme.test", NEW_PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "the password works"
    );

    // Single use.
    let again = app.get(&link, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(again.body.contains("Link inválido ou expirado"));
    let replay = app
        .post_form(
            &link,
            &[
                ("password", "outra frase bem comprida"),
                ("password_confirmation", "outra frase bem comprida"),
            ],
            None,
        )
        .await;
    assert_eq!(replay.status, StatusCode::NOT_FOUND);
    assert!(replay.session_cookie().is_none());
    assert_eq!(
        app.sign_in_as("nova@acme.test", NEW_PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "the password did not change"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_unknown_invitation_links_say_so_and_change_nothing() {
    let app = TestApp::new().await;
    let id = invited_agent(&app, "nova@acme.test", "pt-BR").await;
    let token = app::auth::tokens::LinkToken::generate();
    let expired_at = chrono::Utc::now() - chrono::Duration::minutes(1);
    app.test
        .db
        .lookups()
        .store_token(&format!("invite:{id}"), token.hash(), expired_at)
        .await
        .unwrap();
    let expired = format!("/invite/{}", token.secret());
    for link in [
        expired.as_str(),
        "/invite/nao-existe-este-link",
        "/invite/a%20b",
    ] {
        let page = app.get(link, None).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{link}");
        assert!(page.body.contains("Link inválido ou expirado"), "{link}");
        assert!(!page.body.contains("new-password-form"), "{link}");
        let post = app
            .post_form(
                link,
                &[
                    ("password", NEW_PASSWORD),
                    ("password_confirmation", NEW_PASSWORD),
                ],
                None,
            )
            .await;
        assert_eq!(post.status, StatusCode::NOT_FOUND, "{link}");
        assert!(post.session_cookie().is_none());
    }
    assert_eq!(status_of(&app, &id).await, domain::UserStatus::Invited);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weak_or_unconfirmed_password_is_refused_with_the_reason_in_the_pages_language() {
    let app = TestApp::new().await;
    let id = invited_agent(&app, "nova@acme.test", "pt-BR").await;
    send_invitation(&app.state, &invitee(&id, "nova@acme.test", "pt-BR"))
        .await
        .unwrap();
    let link = app.link_mailed_to("nova@acme.test", "/invite/").unwrap();

    let common = app
        .post_form(
            &link,
            &[
                ("password", "12345678"),
                ("password_confirmation", "12345678"),
            ],
            None,
        )
        .await;
    assert_eq!(common.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        common
            .body
            .contains("Essa senha é fácil demais de adivinhar"),
        "{}",
        common.body
    );
    assert!(
        text(&common.body).contains("Convite para a Acme Vendas"),
        "the form is shown again"
    );
    let short = app
        .post_form(
            &link,
            &[("password", "curta"), ("password_confirmation", "curta")],
            None,
        )
        .await;
    assert!(
        short
            .body
            .contains("A senha precisa de pelo menos 8 caracteres.")
    );
    let mismatch = app
        .post_form(
            &link,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirmation", "girafa caneca bicicleta"),
            ],
            None,
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        mismatch
            .body
            .contains("A confirmação não é igual à nova senha.")
    );
    let english = app
        .post_form_with_cookie_only(
            &link,
            &[
                ("password", "12345678"),
                ("password_confirmation", "12345678"),
            ],
            "i18n_pref_locale=en",
        )
        .await;
    assert!(
        english.body.contains("That password is too easy to guess."),
        "{}",
        english.body
    );
    assert!(
        !common.body.contains("12345678"),
        "the password is never echoed"
    );

    assert_eq!(
        status_of(&app, &id).await,
        domain::UserStatus::Invited,
        "still invited, the link still works"
    );
    let ok = app
        .post_form(
            &link,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
            None,
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_request_answers_the_same_whether_or_not_the_email_has_an_account() {
    let app = TestApp::new().await;
    let known = app
        .post_form(
            "/reset",
            &[("email", &common::email("acme", "agente1"))],
            None,
        )
        .await;
    let unknown = app
        .post_form("/reset", &[("email", "ninguem@acme.test")], None)
        .await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(unknown.status, known.status);
    assert!(
        known
            .body
            .contains("Se existir uma conta com esse e-mail, enviamos um link"),
        "{}",
        known.body
    );
    assert_eq!(reset_answer(&known), reset_answer(&unknown));
    assert!(!reset_answer(&known).2.is_empty());
    wait_for_link(&app, &common::email("acme", "agente1"), "/reset/").await;
    assert!(app.mails_to("ninguem@acme.test").is_empty());
    // An invited (not yet active) account gets no reset link either.
    invited_agent(&app, "nova@acme.test", "pt-BR").await;
    let invited = app
        .post_form("/reset", &[("email", "nova@acme.test")], None)
        .await;
    assert_eq!(reset_answer(&invited), reset_answer(&unknown));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(app.mails_to("nova@acme.test").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_sets_a_new_password_ends_every_other_session_and_signs_in() {
    let app = TestApp::new().await;
    let agent = common::email("acme", "agente1");
    let laptop = app.session_for(&agent).await;
    let phone = app.session_for(&agent).await;
    app.post_form("/reset", &[("email", &agent)], None).await;
    let link = wait_for_link(&app, &agent, "/reset/").await;
    assert!(
        app.mails_to(&agent)[0].subject.contains("senha"),
        "a Portuguese mail for a Portuguese user"
    );

    let page = app.get(&link, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&agent));
    let reply = app
        .post_form(
            &link,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), Some("/acme"));
    let fresh = reply.session_cookie().expect("signed in");
    assert!(opens_acme(&app, &fresh).await);
    assert!(!opens_acme(&app, &laptop).await);
    assert!(!opens_acme(&app, &phone).await);
    assert_eq!(
        app.sign_in_as(&agent, common::PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in_as(&agent, NEW_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let again = app
        .post_form(
            &link,
            &[
                ("password", "outra frase bem comprida"),
                ("password_confirmation", "outra frase bem comprida"),
            ],
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "single use");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_requests_are_throttled_per_email_with_retry_after() {
    let app = TestApp::new().await;
    let agent = common::email("acme", "agente2");
    for _ in 0..5 {
        assert_eq!(
            app.post_form("/reset", &[("email", &agent)], None)
                .await
                .status,
            StatusCode::OK
        );
    }
    let paused = app.post_form("/reset", &[("email", &agent)], None).await;
    assert_eq!(paused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        paused
            .headers
            .get(axum::http::header::RETRY_AFTER)
            .is_some()
    );
    assert!(paused.body.contains("Muitas tentativas"));
    // Resets do not lock the account out of signing in.
    assert_eq!(
        app.sign_in_as(&agent, common::PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_link_forms_refuse_cross_site_posts() {
    let app = TestApp::new().await;
    for uri in ["/reset", "/reset/abc", "/invite/abc"] {
        let request = axum::http::Request::post(uri)
            .header(
                axum::http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header("sec-fetch-site", "cross-site")
            .body(axum::body::Body::from(
                "email=a%40acme.test&password=x&password_confirmation=x",
            ))
            .unwrap();
        assert_eq!(
            app.send(request).await.status,
            StatusCode::FORBIDDEN,
            "{uri}"
        );
    }
    assert!(app.outbox.mails().is_empty());
}

/// The audit rows of acme about a user: (actor, action, changes).
async fn acme_audit(
    app: &TestApp,
    user_id: &str,
) -> Vec<(String, String, Option<serde_json::Value>)> {
    let mut tx = app
        .test
        .db
        .begin(&db::testing::TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query_as("SELECT actor::text, action, changes FROM audit_logs WHERE entity_id = $1 ORDER BY created_at")
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await
        .unwrap()
}

fn profile_form<'a>(
    name: &'a str,
    linkedin: &'a str,
    language: &'a str,
) -> [(&'static str, &'a str); 4] {
    [
        ("name", name),
        ("avatar_url", ""),
        ("linkedin", linkedin),
        ("language", language),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_page_shows_the_signed_in_person_and_sends_a_guest_to_sign_in() {
    let app = TestApp::new().await;
    let guest = app.get("/profile", None).await;
    assert_eq!(guest.status, StatusCode::FOUND);
    assert_eq!(guest.location(), Some("/login?next=/profile"));
    for who in [
        common::email("acme", "agente1"),
        "suporte@performancy.dev".to_owned(),
    ] {
        let cookie = app.session_for(&who).await;
        let page = app.get("/profile", Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{who}");
        assert!(text(&page.body).contains("Meu perfil"), "{who}");
        assert!(page.body.contains(&who), "{who}");
        assert!(
            page.body.contains("data-testid=\"profile-link\""),
            "the badge links to the profile"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choosing_english_on_the_profile_switches_the_interface_and_is_audited() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&common::email("acme", "agente1")).await;
    let reply = app
        .post_form(
            "/api/profile/save",
            &profile_form("Agente Um", "https://www.linkedin.com/in/agente-um", "en"),
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let locale = reply
        .headers
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("i18n_pref_locale="));
    let locale = locale.expect("the locale cookie is set");
    assert!(
        locale.starts_with("i18n_pref_locale=en;") && locale.contains("Path=/"),
        "{locale}"
    );

    let english = app
        .get("/profile", Some(&format!("{cookie}; i18n_pref_locale=en")))
        .await;
    assert!(
        text(&english.body).contains("My profile"),
        "{}",
        english.body
    );
    assert!(
        english
            .body
            .contains("https://www.linkedin.com/in/agente-um")
    );
    let user = app
        .test
        .db
        .lookups()
        .session_user(&common::user_id("acme", "agent1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (user.language.as_str(), user.name.as_str()),
        ("en", "Agente Um")
    );

    let audit = acme_audit(&app, &common::user_id("acme", "agent1")).await;
    assert_eq!(audit.len(), 1);
    let (actor, action, changes) = &audit[0];
    assert_eq!(
        (actor.as_str(), action.as_str()),
        ("USER", "PROFILE_UPDATED")
    );
    let changes = changes.as_ref().unwrap();
    assert_eq!(changes["before"]["language"], "pt-BR");
    assert_eq!(changes["after"]["language"], "en");
    assert!(
        changes["before"].get("avatar_url").is_none(),
        "only what changed"
    );

    // Saving the same again changes (and audits) nothing, and sets no cookie.
    let same = app
        .post_form(
            "/api/profile/save",
            &profile_form("Agente Um", "https://www.linkedin.com/in/agente-um", "en"),
            Some(&cookie),
        )
        .await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(
        acme_audit(&app, &common::user_id("acme", "agent1"))
            .await
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_with_a_foreign_linkedin_address_or_no_name_is_refused_and_nothing_changes() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&common::email("acme", "agente1")).await;
    let foreign = app
        .post_form(
            "/api/profile/save",
            &profile_form("Agente", "https://evil.example/in/x", "pt-BR"),
            Some(&cookie),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        foreign.body.contains("linkedin:invalid"),
        "{}",
        foreign.body
    );
    let nameless = app
        .post_form(
            "/api/profile/save",
            &profile_form("  ", "", "pt-BR"),
            Some(&cookie),
        )
        .await;
    assert!(nameless.body.contains("name:required"));
    let user = app
        .test
        .db
        .lookups()
        .session_user(&common::user_id("acme", "agent1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.name, "agent1 of acme");
    let guest = app
        .post_form(
            "/api/profile/save",
            &profile_form("Intruso", "", "pt-BR"),
            None,
        )
        .await;
    assert_eq!(guest.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_edit_their_own_profile_too() {
    let app = TestApp::new().await;
    let cookie = app.session_for("suporte@performancy.dev").await;
    let reply = app
        .post_form(
            "/api/profile/save",
            &profile_form("Suporte Nível 2", "", "pt-BR"),
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let profile = app
        .test
        .db
        .lookups()
        .own_profile(&app.staff_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.name, "Suporte Nível 2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions_but_not_this_one()
{
    let app = TestApp::new().await;
    let agent = common::email("acme", "agente1");
    let other = app.session_for(&agent).await;
    let this = app.session_for(&agent).await;
    let change = |current: &'static str, new: &'static str, confirmation: &'static str| {
        [
            ("current_password", current),
            ("new_password", new),
            ("password_confirmation", confirmation),
        ]
    };

    let wrong = app
        .post_form(
            "/api/profile/password",
            &change("nao-e-a-senha", NEW_PASSWORD, NEW_PASSWORD),
            Some(&this),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("current_password:wrong"));
    let weak = app
        .post_form(
            "/api/profile/password",
            &change(common::PASSWORD, "12345678", "12345678"),
            Some(&this),
        )
        .await;
    assert!(
        weak.body.contains("new_password:too_common"),
        "{}",
        weak.body
    );
    let mismatch = app
        .post_form(
            "/api/profile/password",
            &change(common::PASSWORD, NEW_PASSWORD, "outra coisa qualquer"),
            Some(&this),
        )
        .await;
    assert!(mismatch.body.contains("password_confirmation:mismatch"));
    assert!(opens_acme(&app, &other).await, "refusals change nothing");

    let ok = app
        .post_form(
            "/api/profile/password",
            &change(common::PASSWORD, NEW_PASSWORD, NEW_PASSWORD),
            Some(&this),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(!opens_acme(&app, &other).await, "the other session ended");
    assert!(opens_acme(&app, &this).await, "this one goes on");
    assert_eq!(
        app.sign_in_as(&agent, common::PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in_as(&agent, NEW_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    let audit = acme_audit(&app, &common::user_id("acme", "agent1")).await;
    assert_eq!(
        audit,
        vec![("USER".to_owned(), "PASSWORD_CHANGED".to_owned(), None)],
        "audited, without any secret"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_everywhere_ends_every_session_including_this_one() {
    let app = TestApp::new().await;
    let agent = common::email("acme", "agente2");
    let other = app.session_for(&agent).await;
    let this = app.session_for(&agent).await;
    let reply = app
        .post_form("/api/profile/sign-out-everywhere", &[], Some(&this))
        .await;
    assert!(
        reply.status.is_success() || reply.status.is_redirection(),
        "{}",
        reply.status
    );
    assert_eq!(reply.location(), Some("/login"));
    assert!(!opens_acme(&app, &other).await);
    assert!(!opens_acme(&app, &this).await);
    assert_eq!(
        app.get("/profile", Some(&this)).await.location(),
        Some("/login?next=/profile")
    );
    let audit = acme_audit(&app, &common::user_id("acme", "agent2")).await;
    assert_eq!(
        audit
            .iter()
            .map(|(_, action, _)| action.as_str())
            .collect::<Vec<_>>(),
        ["SIGNED_OUT_EVERYWHERE"]
    );
    assert_eq!(
        app.sign_in_as(&agent, common::PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "signing in again works"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_profile_server_function_answers_a_get_or_a_cross_site_post() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&common::email("acme", "agente1")).await;
    for uri in [
        "/api/profile/save?name=X&avatar_url=&linkedin=&language=en",
        "/api/profile/password",
        "/api/profile/sign-out-everywhere",
        "/api/profile/get",
    ] {
        assert_eq!(
            app.get(uri, Some(&cookie)).await.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{uri}"
        );
    }
    for uri in [
        "/api/profile/save",
        "/api/profile/password",
        "/api/profile/sign-out-everywhere",
    ] {
        let request = axum::http::Request::post(uri)
            .header(
                axum::http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(axum::http::header::COOKIE, &cookie)
            .header("sec-fetch-site", "cross-site")
            .body(axum::body::Body::from(
                "name=X&avatar_url=&linkedin=&language=en",
            ))
            .unwrap();
        assert_eq!(
            app.send(request).await.status,
            StatusCode::FORBIDDEN,
            "{uri}"
        );
    }
    assert!(opens_acme(&app, &cookie).await, "still signed in");
    let user = app
        .test
        .db
        .lookups()
        .session_user(&common::user_id("acme", "agent1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (user.name.as_str(), user.language.as_str()),
        ("agent1 of acme", "pt-BR")
    );
}
