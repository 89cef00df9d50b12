//! Sending: lettre's async SMTP transport when SMTP is configured, the in-memory development
//! outbox otherwise. Both build the same `lettre::Message`, so an address that SMTP would refuse is
//! refused in development too.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use lettre::message::MultiPart;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub use lettre::message::Mailbox;

use super::DevMail;
use super::templates::Rendered;
use crate::error::AppError;

/// How the SMTP connection is secured (`SMTP_TLS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (usually port 587). The default.
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption: a relay on the same host or network, or a local mail catcher.
    None,
}

impl SmtpTls {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.to_ascii_lowercase().as_str() {
            "starttls" => Some(SmtpTls::StartTls),
            "tls" => Some(SmtpTls::Tls),
            "none" => Some(SmtpTls::None),
            _ => None,
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        }
    }
}

/// Where the SMTP server is and how to log in to it.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// User name and password, when the server asks for them.
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.credentials.as_ref().map(|(user, _)| user))
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address")]
    Address(#[from] lettre::address::AddressError),
    #[error("could not build the message")]
    Build(#[from] lettre::error::Error),
    #[error("SMTP")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

impl From<MailError> for AppError {
    fn from(err: MailError) -> Self {
        tracing::error!(error = ?err, "mail could not be sent");
        AppError::Unavailable
    }
}

/// `Name <address>` or a bare address, as `MAIL_FROM` is given.
pub fn parse_sender(raw: &str) -> Result<Mailbox, MailError> {
    Ok(raw.trim().parse::<Mailbox>()?)
}

/// One mail to one person.
pub struct OutgoingMail {
    pub to_email: String,
    pub to_name: String,
    pub content: Rendered,
}

/// Mails sent in development, kept in memory for `/dev/mail` and the tests.
#[derive(Clone, Default)]
pub struct DevOutbox(Arc<Mutex<Vec<DevMail>>>);

impl DevOutbox {
    /// Every mail sent so far, newest first.
    pub fn mails(&self) -> Vec<DevMail> {
        let kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.iter().rev().cloned().collect()
    }

    fn keep(&self, mail: DevMail) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(mail);
    }
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    DevOutbox(DevOutbox),
}

/// Sends mail from the configured sender. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::DevOutbox(_) => "dev-outbox",
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.email.to_string())
            .field("transport", &kind)
            .finish()
    }
}

/// A slow or silent SMTP server must not hold a request (or a spawned task) for long.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

impl Mailer {
    pub fn smtp(settings: &SmtpSettings, from: Mailbox) -> Result<Self, MailError> {
        let builder = match settings.tls {
            SmtpTls::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)?
            }
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)?,
            SmtpTls::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
        };
        let mut builder = builder.port(settings.port).timeout(Some(SMTP_TIMEOUT));
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            from,
            transport: Transport::Smtp(builder.build()),
        })
    }

    /// The development outbox (never used when SMTP is configured, and never in production).
    pub fn dev_outbox(from: Mailbox) -> Self {
        Self {
            from,
            transport: Transport::DevOutbox(DevOutbox::default()),
        }
    }

    /// The outbox, when mails are kept instead of sent.
    pub fn outbox(&self) -> Option<&DevOutbox> {
        match &self.transport {
            Transport::DevOutbox(outbox) => Some(outbox),
            Transport::Smtp(_) => None,
        }
    }

    pub async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        let to = Mailbox::new(Some(mail.to_name.clone()), mail.to_email.trim().parse()?);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.clone())
            .subject(mail.content.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.content.text.clone(),
                mail.content.html.clone(),
            ))?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::DevOutbox(outbox) => {
                outbox.keep(DevMail {
                    to: to.email.to_string(),
                    subject: mail.content.subject,
                    text: mail.content.text,
                    sent_at: Utc::now(),
                });
            }
        }
        Ok(())
    }
}

/// What `/dev/mail` lists: the outbox in development (empty when development sends through SMTP),
/// "not found" anywhere else.
pub fn dev_mails(state: &crate::state::AppState) -> Result<Vec<DevMail>, AppError> {
    if !state.settings.development {
        return Err(AppError::NotFound);
    }
    Ok(state
        .mailer
        .outbox()
        .map(DevOutbox::mails)
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::templates::{Invitation, MailLanguage, invitation};

    fn content() -> Rendered {
        invitation(
            MailLanguage::En,
            &Invitation {
                name: "Ana",
                company_name: "Acme",
                inviter_name: "Bruno",
                link: "http://x.test/invite/t",
                valid_days: 7,
            },
        )
    }

    #[tokio::test]
    async fn the_outbox_keeps_mails_newest_first() {
        let mailer =
            Mailer::dev_outbox(parse_sender("Performancy <no-reply@performancy.local>").unwrap());
        for to in ["a@acme.test", "b@acme.test"] {
            mailer
                .send(OutgoingMail {
                    to_email: to.into(),
                    to_name: "X".into(),
                    content: content(),
                })
                .await
                .unwrap();
        }
        let mails = mailer.outbox().unwrap().mails();
        assert_eq!(
            mails.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(),
            ["b@acme.test", "a@acme.test"]
        );
        assert!(mails[0].text.contains("http://x.test/invite/t"));
    }

    #[tokio::test]
    async fn an_invalid_address_is_refused_in_development_too() {
        let mailer = Mailer::dev_outbox(parse_sender("no-reply@performancy.local").unwrap());
        let sent = mailer
            .send(OutgoingMail {
                to_email: "not an address".into(),
                to_name: "X".into(),
                content: content(),
            })
            .await;
        assert!(matches!(sent, Err(MailError::Address(_))));
        assert!(mailer.outbox().unwrap().mails().is_empty());
    }

    #[test]
    fn tls_modes_parse_with_their_usual_ports_and_credentials_never_print() {
        assert_eq!(
            SmtpTls::parse("STARTTLS").map(SmtpTls::default_port),
            Some(587)
        );
        assert_eq!(SmtpTls::parse("tls").map(SmtpTls::default_port), Some(465));
        assert_eq!(SmtpTls::parse("none").map(SmtpTls::default_port), Some(25));
        assert_eq!(SmtpTls::parse("ssl"), None);
        let settings = SmtpSettings {
            host: "smtp.test".into(),
            port: 587,
            tls: SmtpTls::StartTls,
            credentials: Some(("user".into(), "hunter2".into())),
        };
        assert!(!format!("{settings:?}").contains("hunter2"));
        assert!(Mailer::smtp(&settings, parse_sender("a@b.test").unwrap()).is_ok());
    }
}
