//! Which field of a form is wrong, and why, from the server to the message beside that field.
//!
//! A server function refuses input with `AppError::Invalid("field:code")` (or
//! `"field:code:detail"`, e.g. `stages:has_deals:Proposta`): a stable code, not prose, so the page
//! shows it in the reader's language next to the field it names, and tests can assert on it. The
//! server decides; the browser's `required`/`maxlength` attributes only save a round trip.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::*;

/// A refused field: `field` is the form field's name, `code` why, `detail` what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub code: String,
    pub detail: Option<String>,
}

impl Problem {
    /// The problem an error carries, when it is a validation error.
    pub fn of(error: &AppError) -> Option<Problem> {
        let AppError::Invalid(text) = error else {
            return None;
        };
        let mut parts = text.splitn(3, ':');
        let field = parts.next()?.to_owned();
        let code = parts.next()?.to_owned();
        let detail = parts.next().map(str::to_owned);
        Some(Problem {
            field,
            code,
            detail,
        })
    }
}

/// `field` is refused for `code`.
pub fn invalid(field: &str, code: &str) -> AppError {
    AppError::Invalid(format!("{field}:{code}"))
}

/// `field` is refused for `code`, about `detail` (a row number, a stage's name).
pub fn invalid_about(field: &str, code: &str, detail: &str) -> AppError {
    AppError::Invalid(format!("{field}:{code}:{detail}"))
}

pub const MAX_PERSON_NAME_CHARS: usize = 120;
pub const MAX_EMAIL_CHARS: usize = 254;

/// A person's name: trimmed, required, at most [`MAX_PERSON_NAME_CHARS`].
pub fn check_person_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(invalid("name", "required"));
    }
    if name.chars().count() > MAX_PERSON_NAME_CHARS {
        return Err(invalid("name", "too_long"));
    }
    Ok(name.to_owned())
}

/// An e-mail address: trimmed and lowercased (as sign-in compares them), one `@` with something
/// before it and a dotted domain after it, no spaces.
pub fn check_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(invalid("email", "required"));
    }
    let well_formed = email.len() <= MAX_EMAIL_CHARS
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|label| !label.is_empty())
        });
    if !well_formed {
        return Err(invalid("email", "invalid"));
    }
    Ok(email)
}

/// The locale a typed number is read in: the interface language the request was made in
/// (leptos_i18n's cookie, then `Accept-Language`), Portuguese by default.
#[cfg(feature = "ssr")]
pub fn request_locale() -> domain::Locale {
    match use_context::<http::request::Parts>() {
        Some(parts) => locale_of_headers(&parts.headers),
        None => domain::Locale::default(),
    }
}

/// [`request_locale`] of a request's headers, for plain handlers outside Leptos.
#[cfg(feature = "ssr")]
pub fn locale_of_headers(headers: &http::HeaderMap) -> domain::Locale {
    let from_cookie = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "i18n_pref_locale")
        .and_then(|(_, value)| domain::Locale::from_tag(value));
    let from_header = || {
        headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').find_map(domain::Locale::from_tag))
    };
    from_cookie.or_else(from_header).unwrap_or_default()
}

/// The message of a problem in the current language.
pub fn problem_message(i18n: leptos_i18n::I18nContext<Locale>, problem: &Problem) -> AnyView {
    let detail = problem.detail.clone().unwrap_or_default();
    match (problem.field.as_str(), problem.code.as_str()) {
        (_, "required") => t!(i18n, problem_required).into_any(),
        ("password", "too_long") => t!(i18n, problem_password_long).into_any(),
        (_, "too_long") => t!(i18n, problem_too_long).into_any(),
        ("slug", "length") => t!(i18n, problem_slug_length).into_any(),
        ("slug", "characters") => t!(i18n, problem_slug_characters).into_any(),
        ("slug", "reserved") => t!(i18n, problem_slug_reserved).into_any(),
        ("slug", "taken") => t!(i18n, problem_slug_taken).into_any(),
        ("domain", _) => t!(i18n, problem_domain).into_any(),
        ("timezone", _) => t!(i18n, problem_timezone).into_any(),
        ("currency", _) => t!(i18n, problem_currency).into_any(),
        ("email", "taken") => t!(i18n, problem_email_taken).into_any(),
        ("email", _) => t!(i18n, problem_email).into_any(),
        ("password", "too_short") => t!(i18n, problem_password_short).into_any(),
        ("password", _) => t!(i18n, problem_password_common).into_any(),
        ("linkedin", _) => t!(i18n, problem_linkedin).into_any(),
        ("role", "self") => t!(i18n, problem_role_self).into_any(),
        ("role", "last_director") | ("user", "last_director") => {
            t!(i18n, problem_last_director).into_any()
        }
        ("user", "self") => t!(i18n, problem_user_self).into_any(),
        ("user", "not_invited") => t!(i18n, problem_not_invited).into_any(),
        ("target" | "value" | "min" | "max", "negative") => {
            t!(i18n, problem_amount_negative).into_any()
        }
        ("target" | "value" | "min" | "max", "too_precise") => {
            t!(i18n, problem_amount_precise).into_any()
        }
        ("target" | "value" | "min" | "max", "too_large") => {
            t!(i18n, problem_amount_large).into_any()
        }
        ("target" | "value" | "min" | "max", _) => t!(i18n, problem_amount).into_any(),
        (_, "date") => t!(i18n, problem_date).into_any(),
        (_, "percent") => t!(i18n, problem_percent).into_any(),
        ("phone", _) => t!(i18n, problem_phone).into_any(),
        ("lead_id", _) => t!(i18n, problem_lead).into_any(),
        ("stage", _) => t!(i18n, problem_stage_unknown).into_any(),
        ("owner_id", _) => t!(i18n, problem_owner).into_any(),
        ("user_id", "inactive") => t!(i18n, problem_user_inactive).into_any(),
        ("polling_interval", _) => t!(i18n, problem_polling).into_any(),
        ("model", _) => t!(i18n, problem_model).into_any(),
        ("custom_config", _) => t!(i18n, problem_custom_config).into_any(),
        ("stage_mapping", "stage") => {
            let row = row_number(&detail);
            t!(i18n, problem_stage_mapping_stage, row = move || row.clone()).into_any()
        }
        ("stage_mapping", _) => {
            let row = row_number(&detail);
            t!(i18n, problem_stage_mapping_line, row = move || row.clone()).into_any()
        }
        (_, "url") => t!(i18n, problem_url).into_any(),
        ("integration", "inactive") => t!(i18n, problem_integration_inactive).into_any(),
        ("api_key", _) => t!(i18n, problem_api_key).into_any(),
        ("provider", _) => t!(i18n, problem_provider).into_any(),
        ("stages", "has_deals") => {
            let stage = detail.clone();
            t!(i18n, problem_stage_has_deals, stage = move || stage.clone()).into_any()
        }
        ("stages", "kind_has_deals") => {
            let stage = detail.clone();
            t!(
                i18n,
                problem_stage_kind_has_deals,
                stage = move || stage.clone()
            )
            .into_any()
        }
        ("stages", "won_count") => t!(i18n, problem_stage_won).into_any(),
        ("stages", "lost_count") => t!(i18n, problem_stage_lost).into_any(),
        ("stages", "no_open") => t!(i18n, problem_stage_open).into_any(),
        ("stages", "empty") => t!(i18n, problem_stage_empty).into_any(),
        ("stages", "too_many") => t!(i18n, problem_stage_too_many).into_any(),
        ("stages", "name_required") => {
            let row = row_number(&detail);
            t!(i18n, problem_stage_name, row = move || row.clone()).into_any()
        }
        ("stages", "name_too_long") => {
            let row = row_number(&detail);
            t!(i18n, problem_stage_name_long, row = move || row.clone()).into_any()
        }
        ("stages", "duplicate_name") | ("stages", "duplicate_stage") => {
            let row = row_number(&detail);
            t!(i18n, problem_stage_duplicate, row = move || row.clone()).into_any()
        }
        ("stages", "probability") => {
            let row = row_number(&detail);
            t!(i18n, problem_stage_probability, row = move || row.clone()).into_any()
        }
        _ => t!(i18n, problem_invalid).into_any(),
    }
}

/// A 0-based row index as people count rows.
fn row_number(detail: &str) -> String {
    detail
        .parse::<usize>()
        .map(|n| (n + 1).to_string())
        .unwrap_or_else(|_| detail.to_owned())
}

/// The last answer of a form's server action (`None` before the first).
pub fn outcome<S>(action: ServerAction<S>) -> Signal<Option<Result<S::Output, AppError>>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get())
}

/// Bumps `reload` whenever `value` becomes a success, so what the page shows follows the change.
pub fn reload_on_success<T: Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
    reload: RwSignal<u32>,
) {
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            reload.update(|n| *n += 1);
        }
    });
}

/// Keeps the form `id` of an action as a draft ([`crate::forms`]): restored if the page loads
/// again, cleared once the server accepted it, and kept through sign-in when the session ended
/// while the person typed. Give the returned reference to the form (`node_ref`).
pub fn drafted<S>(action: ServerAction<S>, id: &'static str) -> NodeRef<leptos::html::Form>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let draft = crate::forms::use_form_draft(id);
    Effect::new(move |_| {
        if let Some(result) = action.value().get() {
            draft.settle(&result);
        }
    });
    draft.form
}

/// The problem of an action's last answer, when it was a validation error.
pub fn problem_of<T: Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
) -> Signal<Option<Problem>> {
    Signal::derive(move || {
        value.with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().err())
                .and_then(Problem::of)
        })
    })
}

/// The message beside a field, shown when `problem` is about `field` (`aria-live`, so a screen
/// reader hears it too). Give the input `aria-describedby` = `{id}-error`.
#[component]
pub fn FieldError(
    problem: Signal<Option<Problem>>,
    field: &'static str,
    id: String,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p id=format!("{id}-error") class="mt-1 text-sm text-rose-700" aria-live="polite" data-testid=format!("error-{field}")>
            {move || problem.get().filter(|p| p.field == field).map(|p| problem_message(i18n, &p))}
        </p>
    }
}

/// The outcome of a form that answered: a "saved" note, or the failure of anything that is not a
/// field's problem (forbidden, unavailable, a problem about the whole form).
#[component]
pub fn FormStatus<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
    /// Fields that have their own [`FieldError`]; their problems are not repeated here.
    #[prop(optional)]
    fields: &'static [&'static str],
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {move || value.get().map(|result| match result {
            Ok(_) => view! { <p role="status" class="text-sm font-medium text-emerald-700" data-testid="form-saved">{t!(i18n, form_saved)}</p> }.into_any(),
            Err(error) => {
                let message = match Problem::of(&error) {
                    Some(p) if fields.contains(&p.field.as_str()) => None,
                    Some(p) => Some(problem_message(i18n, &p)),
                    None => Some(match error {
                        AppError::Forbidden => t!(i18n, forbidden_body).into_any(),
                        AppError::NotFound => t!(i18n, form_not_found).into_any(),
                        AppError::Unauthorized => t!(i18n, form_signed_out).into_any(),
                        _ => t!(i18n, error_unavailable).into_any(),
                    }),
                };
                message.map(|m| view! { <p role="alert" class="text-sm font-medium text-rose-700" data-testid="form-error">{m}</p> }).into_any()
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_emails_are_trimmed_and_checked() {
        assert_eq!(check_person_name("  Ana Souza "), Ok("Ana Souza".into()));
        assert_eq!(check_person_name("   "), Err(invalid("name", "required")));
        assert_eq!(
            check_email(" Ana@Acme.com.BR "),
            Ok("ana@acme.com.br".into())
        );
        for bad in [
            "ana",
            "ana@",
            "@acme.com",
            "ana@acme",
            "ana @acme.com",
            "ana@acme..com",
            "a@b@c.com",
        ] {
            assert_eq!(check_email(bad), Err(invalid("email", "invalid")), "{bad}");
        }
        assert_eq!(check_email(""), Err(invalid("email", "required")));
    }

    #[test]
    fn a_validation_error_names_its_field_code_and_detail() {
        assert_eq!(
            Problem::of(&invalid("slug", "taken")),
            Some(Problem {
                field: "slug".into(),
                code: "taken".into(),
                detail: None
            })
        );
        let stage = Problem::of(&invalid_about("stages", "has_deals", "Proposta: fase 2")).unwrap();
        assert_eq!(
            (
                stage.field.as_str(),
                stage.code.as_str(),
                stage.detail.as_deref()
            ),
            ("stages", "has_deals", Some("Proposta: fase 2"))
        );
        assert_eq!(Problem::of(&AppError::Forbidden), None);
        assert_eq!(Problem::of(&AppError::Invalid("no code".into())), None);
    }
}
