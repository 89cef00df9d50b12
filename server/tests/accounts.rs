//! Accounts as their owners meet them: the invitation mail and link, password reset, the own
//! profile page, and the development mail page.

mod common;

use app::auth::invitations::{send_invitation, Invitee};
use axum::http::StatusCode;
use common::TestApp;

/// Creates an INVITED agent in acme (as the users page will) and returns their id.
async fn invited_agent(app: &TestApp, email: &str, language: &str) -> String {
    let mut tx = app.test.db.begin(&db::testing::TestDb::system("company-acme")).await.unwrap();
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

#[tokio::test]
async fn an_invitation_mails_a_link_in_the_invitees_language_and_a_resend_replaces_it() {
    let app = TestApp::new().await;
    let pt = invited_agent(&app, "nova@acme.test", "pt-BR").await;
    let en = invited_agent(&app, "new@acme.test", "en").await;
    send_invitation(&app.state, &invitee(&pt, "nova@acme.test", "pt-BR")).await.unwrap();
    send_invitation(&app.state, &invitee(&en, "new@acme.test", "en")).await.unwrap();

    let mail = &app.mails_to("nova@acme.test")[0];
    assert_eq!(mail.subject, "Diretora da Acme convidou você para a Acme Vendas no Performancy");
    let link = app.link_mailed_to("nova@acme.test", "/invite/").expect("an invitation link");
    assert!(mail.text.contains(&format!("{}{link}", app.base_url)), "absolute link from the base URL");
    assert_eq!(app.mails_to("new@acme.test")[0].subject, "Diretora da Acme invited you to Acme Vendas on Performancy");

    // Only the hash is stored; a resend replaces the first link.
    let secret = link.trim_start_matches("/invite/");
    let peek = app.test.db.lookups().peek_token(&app::auth::tokens::hash_token(secret)).await.unwrap().unwrap();
    assert_eq!(peek.identifier, format!("invite:{pt}"));
    assert!(app.test.db.lookups().peek_token(secret).await.unwrap().is_none());
    send_invitation(&app.state, &invitee(&pt, "nova@acme.test", "pt-BR")).await.unwrap();
    assert_eq!(app.mails_to("nova@acme.test").len(), 2);
    assert!(app.test.db.lookups().peek_token(&app::auth::tokens::hash_token(secret)).await.unwrap().is_none(), "the first link is dead");
}

#[tokio::test]
async fn the_development_mail_page_lists_sent_mails_with_clickable_links() {
    let app = TestApp::new().await;
    let id = invited_agent(&app, "nova@acme.test", "pt-BR").await;
    send_invitation(&app.state, &invitee(&id, "nova@acme.test", "pt-BR")).await.unwrap();
    let link = app.link_mailed_to("nova@acme.test", "/invite/").unwrap();
    let page = app.get("/dev/mail", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("nova@acme.test"));
    assert!(page.body.contains(&format!("href=\"{}{link}\"", app.base_url)), "{}", page.body);
}

#[tokio::test]
async fn the_development_mail_page_does_not_exist_in_production() {
    let app = TestApp::production().await;
    let page = app.get("/dev/mail", None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("data-testid=\"dev-mail"));
    let staff = app.session_for("suporte@performancy.dev").await;
    assert_eq!(app.get("/dev/mail", Some(&staff)).await.status, StatusCode::NOT_FOUND);
}
