//! What each mail says, in Portuguese (the default) and English, as plain text and HTML.
//!
//! Plain functions of their facts: no Leptos, no I/O. Every value that came from a person (names,
//! company names) is escaped in the HTML part.

/// The language a mail is written in: the recipient's `users.language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailLanguage {
    PtBr,
    En,
}

impl MailLanguage {
    /// `en` is English; anything else (`pt-BR`, or a value we do not know) is Portuguese.
    pub fn from_code(code: &str) -> Self {
        if code.eq_ignore_ascii_case("en") || code.to_ascii_lowercase().starts_with("en-") {
            MailLanguage::En
        } else {
            MailLanguage::PtBr
        }
    }

    fn html_lang(self) -> &'static str {
        match self {
            MailLanguage::PtBr => "pt-BR",
            MailLanguage::En => "en",
        }
    }
}

/// A mail's content, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The facts of an invitation mail.
pub struct Invitation<'a> {
    pub name: &'a str,
    pub company_name: &'a str,
    pub inviter_name: &'a str,
    pub link: &'a str,
    pub valid_days: i64,
}

/// The facts of a password-reset mail.
pub struct PasswordReset<'a> {
    pub name: &'a str,
    pub link: &'a str,
    pub valid_minutes: i64,
}

pub fn invitation(language: MailLanguage, facts: &Invitation<'_>) -> Rendered {
    let Invitation {
        name,
        company_name,
        inviter_name,
        link,
        valid_days,
    } = *facts;
    let (subject, greeting, body, action, validity, ignore) = match language {
        MailLanguage::PtBr => (
            format!("{inviter_name} convidou você para a {company_name} no Performancy"),
            format!("Olá, {name}!"),
            format!("{inviter_name} convidou você para entrar na {company_name} no Performancy."),
            "Definir minha senha".to_owned(),
            format!("O link vale por {valid_days} dias e pode ser usado uma só vez."),
            "Se você não esperava este convite, ignore este e-mail.".to_owned(),
        ),
        MailLanguage::En => (
            format!("{inviter_name} invited you to {company_name} on Performancy"),
            format!("Hello, {name}!"),
            format!("{inviter_name} invited you to join {company_name} on Performancy."),
            "Set my password".to_owned(),
            format!("The link is valid for {valid_days} days and can be used once."),
            "If you did not expect this invitation, ignore this e-mail.".to_owned(),
        ),
    };
    render(
        language, subject, &greeting, &body, &action, link, &validity, &ignore,
    )
}

pub fn password_reset(language: MailLanguage, facts: &PasswordReset<'_>) -> Rendered {
    let PasswordReset {
        name,
        link,
        valid_minutes,
    } = *facts;
    let (subject, greeting, body, action, validity, ignore) = match language {
        MailLanguage::PtBr => (
            "Redefinição da sua senha do Performancy".to_owned(),
            format!("Olá, {name}!"),
            "Recebemos um pedido para redefinir a senha da sua conta Performancy.".to_owned(),
            "Escolher uma nova senha".to_owned(),
            format!("O link vale por {valid_minutes} minutos e pode ser usado uma só vez."),
            "Se não foi você, ignore este e-mail: sua senha continua a mesma.".to_owned(),
        ),
        MailLanguage::En => (
            "Reset your Performancy password".to_owned(),
            format!("Hello, {name}!"),
            "We received a request to reset the password of your Performancy account.".to_owned(),
            "Choose a new password".to_owned(),
            format!("The link is valid for {valid_minutes} minutes and can be used once."),
            "If it was not you, ignore this e-mail: your password stays the same.".to_owned(),
        ),
    };
    render(
        language, subject, &greeting, &body, &action, link, &validity, &ignore,
    )
}

/// Both parts of a mail of the one shape every mail here has: greeting, why, a button, how long
/// the link lives, what to do if it was unexpected.
#[allow(clippy::too_many_arguments)]
fn render(
    language: MailLanguage,
    subject: String,
    greeting: &str,
    body: &str,
    action: &str,
    link: &str,
    validity: &str,
    ignore: &str,
) -> Rendered {
    let text = format!(
        "{greeting}\n\n{body}\n\n{action}:\n{link}\n\n{validity}\n\n{ignore}\n\n— Performancy\n"
    );
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{subject}</title></head>\
         <body style=\"margin:0;background:#f8fafc;font-family:Arial,Helvetica,sans-serif;color:#0f172a\">\
         <div style=\"max-width:560px;margin:0 auto;padding:32px 24px\">\
         <p style=\"font-size:18px;font-weight:bold;margin:0 0 16px\">{greeting}</p>\
         <p style=\"font-size:15px;line-height:1.5;margin:0 0 24px\">{body}</p>\
         <p style=\"margin:0 0 24px\"><a href=\"{link}\" style=\"display:inline-block;background:#4f46e5;color:#ffffff;text-decoration:none;\
         font-weight:bold;padding:12px 20px;border-radius:6px\">{action}</a></p>\
         <p style=\"font-size:13px;color:#475569;margin:0 0 8px\">{validity}</p>\
         <p style=\"font-size:13px;color:#475569;margin:0 0 24px;word-break:break-all\"><a href=\"{link}\" style=\"color:#4f46e5\">{link}</a></p>\
         <p style=\"font-size:13px;color:#475569;margin:0\">{ignore}</p>\
         <p style=\"font-size:13px;color:#94a3b8;margin:24px 0 0\">Performancy</p>\
         </div></body></html>",
        lang = language.html_lang(),
        subject = escape_html(&subject),
        greeting = escape_html(greeting),
        body = escape_html(body),
        link = escape_html(link),
        action = escape_html(action),
        validity = escape_html(validity),
        ignore = escape_html(ignore),
    );
    Rendered {
        subject,
        text,
        html,
    }
}

/// Escapes text for HTML content and double-quoted attributes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(language: MailLanguage) -> Rendered {
        invitation(
            language,
            &Invitation {
                name: "Ana",
                company_name: "Acme <Vendas>",
                inviter_name: "Bruno",
                link: "https://app.test/invite/abc",
                valid_days: 7,
            },
        )
    }

    #[test]
    fn the_language_code_picks_the_template_and_portuguese_is_the_default() {
        assert_eq!(MailLanguage::from_code("en"), MailLanguage::En);
        assert_eq!(MailLanguage::from_code("en-US"), MailLanguage::En);
        assert_eq!(MailLanguage::from_code("pt-BR"), MailLanguage::PtBr);
        assert_eq!(MailLanguage::from_code(""), MailLanguage::PtBr);
        assert_eq!(
            invite(MailLanguage::PtBr).subject,
            "Bruno convidou você para a Acme <Vendas> no Performancy"
        );
        assert_eq!(
            invite(MailLanguage::En).subject,
            "Bruno invited you to Acme <Vendas> on Performancy"
        );
        assert!(invite(MailLanguage::En).text.contains("valid for 7 days"));
        assert!(invite(MailLanguage::PtBr).text.contains("vale por 7 dias"));
    }

    #[test]
    fn both_parts_carry_the_link_and_the_html_escapes_names() {
        let mail = invite(MailLanguage::PtBr);
        assert!(mail.text.contains("https://app.test/invite/abc"));
        assert!(mail.html.contains("href=\"https://app.test/invite/abc\""));
        assert!(mail.html.contains("Acme &lt;Vendas&gt;"));
        assert!(!mail.html.contains("<Vendas>"));
        assert!(mail.html.contains("lang=\"pt-BR\""));
    }

    #[test]
    fn the_reset_mail_says_how_long_the_link_lives_in_each_language() {
        let facts = PasswordReset {
            name: "Ana",
            link: "https://app.test/reset/xyz",
            valid_minutes: 60,
        };
        let pt = password_reset(MailLanguage::PtBr, &facts);
        let en = password_reset(MailLanguage::En, &facts);
        assert!(pt.text.contains("60 minutos") && pt.text.contains("https://app.test/reset/xyz"));
        assert!(en.text.contains("60 minutes") && en.subject.contains("Reset"));
    }
}
