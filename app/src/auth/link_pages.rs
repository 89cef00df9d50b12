//! The pages of invitation and password-reset links, and the "forgot password" page. Plain HTML
//! forms posting to the same address (handled in `links.rs`), so they work before the
//! WebAssembly loads; a refused form comes back from the server with the problem shown.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::api::{get_account_flash, get_invitation, get_reset_link};
use super::{AccountFlash, AccountProblem, PasswordRule};
use crate::i18n::*;
use crate::shell::components::Header;
use crate::shell::pages::ErrorPage;

const INPUT_CLASS: &str = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500";
const BUTTON_CLASS: &str = "w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2";
const CARD_CLASS: &str = "mt-6 space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm";

fn token_param() -> String {
    use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default()
}

/// `/invite/:token`: who is invited, and the form to set a password.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = token_param();
    let action = format!("/invite/{token}");
    let invitation = Resource::new(move || token.clone(), get_invitation);
    let flash = Resource::new(|| (), |_| get_account_flash());
    view! {
        <Title text=move || t_string!(i18n, invite_title).to_string()/>
        <Header/>
        <main id="main" class="mx-auto flex max-w-md flex-col px-4 py-16">
            <Suspense fallback=|| ()>
                {move || {
                    let action = action.clone();
                    Suspend::new(async move {
                        let flash = flash.await.unwrap_or_default();
                        match invitation.await {
                            Ok(Some(invited)) if flash.problem != Some(AccountProblem::LinkInvalid) => view! {
                                <h1 class="text-2xl font-bold tracking-tight">{t!(i18n, invite_heading, company = move || invited.company_name.clone())}</h1>
                                <p class="mt-1 text-sm text-slate-500" data-testid="invitee">
                                    {t!(i18n, invite_intro, name = move || invited.name.clone(), email = move || invited.email.clone())}
                                </p>
                                <NewPasswordForm action flash submit=move || t_string!(i18n, invite_submit)/>
                            }.into_any(),
                            Ok(_) => view! { <LinkInvalid/> }.into_any(),
                            Err(error) => view! { <ErrorPage error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </main>
    }
}

/// `/reset`: "forgot password", asking for the e-mail.
#[component]
pub fn ResetRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let flash = Resource::new(|| (), |_| get_account_flash());
    view! {
        <Title text=move || t_string!(i18n, reset_title).to_string()/>
        <Header/>
        <main id="main" class="mx-auto flex max-w-md flex-col px-4 py-16">
            <h1 class="text-2xl font-bold tracking-tight">{t!(i18n, reset_title)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash.await.unwrap_or_default();
                    if flash.reset_requested {
                        return view! {
                            <div role="status" data-testid="reset-requested" class="mt-6 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900">
                                {t!(i18n, reset_requested)}
                            </div>
                            <p class="mt-6 text-center text-sm"><a href="/login" class="text-indigo-600 hover:text-indigo-500">{t!(i18n, back_to_sign_in)}</a></p>
                        }.into_any();
                    }
                    view! {
                        <p class="mt-1 text-sm text-slate-500">{t!(i18n, reset_intro)}</p>
                        {flash.problem.map(|problem| view! { <ProblemNotice problem/> })}
                        <form method="post" action="/reset" class=CARD_CLASS data-testid="reset-request-form">
                            <div>
                                <label for="email" class="block text-sm font-medium text-slate-700">{t!(i18n, field_email)}</label>
                                <input id="email" name="email" type="email" required autocomplete="username" class=INPUT_CLASS/>
                            </div>
                            <button type="submit" class=BUTTON_CLASS>{t!(i18n, reset_request_submit)}</button>
                            <p class="text-center text-sm"><a href="/login" class="text-indigo-600 hover:text-indigo-500">{t!(i18n, back_to_sign_in)}</a></p>
                        </form>
                    }.into_any()
                })}
            </Suspense>
        </main>
    }
}

/// `/reset/:token`: the new password.
#[component]
pub fn ResetPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = token_param();
    let action = format!("/reset/{token}");
    let link = Resource::new(move || token.clone(), get_reset_link);
    let flash = Resource::new(|| (), |_| get_account_flash());
    view! {
        <Title text=move || t_string!(i18n, reset_title).to_string()/>
        <Header/>
        <main id="main" class="mx-auto flex max-w-md flex-col px-4 py-16">
            <Suspense fallback=|| ()>
                {move || {
                    let action = action.clone();
                    Suspend::new(async move {
                        let flash = flash.await.unwrap_or_default();
                        match link.await {
                            Ok(Some(reset)) if flash.problem != Some(AccountProblem::LinkInvalid) => view! {
                                <h1 class="text-2xl font-bold tracking-tight">{t!(i18n, reset_new_heading)}</h1>
                                <p class="mt-1 text-sm text-slate-500">{t!(i18n, reset_new_intro, email = move || reset.email.clone())}</p>
                                <NewPasswordForm action flash submit=move || t_string!(i18n, reset_new_submit)/>
                            }.into_any(),
                            Ok(_) => view! { <LinkInvalid/> }.into_any(),
                            Err(error) => view! { <ErrorPage error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </main>
    }
}

/// A new password and its confirmation. Never kept in a draft: passwords are not stored anywhere
/// in the browser.
#[component]
fn NewPasswordForm(
    action: String,
    flash: AccountFlash,
    submit: impl Fn() -> &'static str + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {flash.problem.map(|problem| view! { <ProblemNotice problem/> })}
        <form method="post" action=action class=CARD_CLASS data-testid="new-password-form">
            <div>
                <label for="password" class="block text-sm font-medium text-slate-700">{t!(i18n, field_new_password)}</label>
                <input id="password" name="password" type="password" required minlength="8" maxlength="128" autocomplete="new-password" aria-describedby="password-hint" class=INPUT_CLASS/>
                <p id="password-hint" class="mt-1 text-xs text-slate-500">{t!(i18n, password_hint)}</p>
            </div>
            <div>
                <label for="password_confirmation" class="block text-sm font-medium text-slate-700">{t!(i18n, field_password_confirmation)}</label>
                <input id="password_confirmation" name="password_confirmation" type="password" required autocomplete="new-password" class=INPUT_CLASS/>
            </div>
            <button type="submit" class=BUTTON_CLASS>{submit}</button>
        </form>
    }
}

/// The sentence for a broken password rule, in the reader's language.
pub fn password_rule_message(i18n: I18nContext<Locale>, rule: PasswordRule) -> &'static str {
    match rule {
        PasswordRule::TooShort => t_string!(i18n, password_too_short),
        PasswordRule::TooLong => t_string!(i18n, password_too_long),
        PasswordRule::TooCommon => t_string!(i18n, password_too_common),
    }
}

#[component]
fn ProblemNotice(problem: AccountProblem) -> impl IntoView {
    let i18n = use_i18n();
    let message = match problem {
        AccountProblem::LinkInvalid => t!(i18n, link_invalid_title).into_any(),
        AccountProblem::Mismatch => t!(i18n, password_mismatch).into_any(),
        AccountProblem::Password(rule) => (move || password_rule_message(i18n, rule)).into_any(),
        AccountProblem::Throttled { minutes } => {
            t!(i18n, sign_in_throttled, minutes = move || minutes).into_any()
        }
        AccountProblem::Unavailable => t!(i18n, error_unavailable).into_any(),
    };
    view! {
        <div role="alert" data-testid="account-problem" class="mt-6 rounded-md border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
            {message}
        </div>
    }
}

/// A link that is unknown, expired or used: said plainly, with the ways forward.
#[component]
fn LinkInvalid() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::error::AppError::NotFound.set_response_status();
    let i18n = use_i18n();
    view! {
        <section data-testid="link-invalid" class="text-center">
            <h1 class="text-2xl font-bold tracking-tight">{t!(i18n, link_invalid_title)}</h1>
            <p class="mt-3 text-sm text-slate-600">{t!(i18n, link_invalid_body)}</p>
            <p class="mt-6 flex justify-center gap-4 text-sm">
                <a href="/reset" class="text-indigo-600 hover:text-indigo-500">{t!(i18n, link_invalid_new_reset)}</a>
                <a href="/login" class="text-indigo-600 hover:text-indigo-500">{t!(i18n, back_to_sign_in)}</a>
            </p>
        </section>
    }
}
