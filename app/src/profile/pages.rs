//! The own profile page: the profile form (kept as a draft while typed), the password change and
//! "sign out everywhere".

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;

use super::api::{ChangePassword, SaveProfile, SignOutEverywhere, get_profile};
use super::{Profile, problem_of};
use crate::auth::PasswordRule;
use crate::auth::link_pages::password_rule_message;
use crate::error::AppError;
use crate::forms::use_form_draft;
use crate::i18n::*;
use crate::shell::components::Header;
use crate::shell::pages::{ErrorPage, RedirectToSignIn};

const INPUT_CLASS: &str = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500";
const BUTTON_CLASS: &str = "rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2";
const CARD_CLASS: &str = "mt-6 space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm";
const LABEL_CLASS: &str = "block text-sm font-medium text-slate-700";

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let profile = Resource::new(|| (), |_| get_profile());
    view! {
        <Title text=move || t_string!(i18n, profile_title).to_string()/>
        <Suspense fallback=move || view! { <p class="p-8 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => view! {
                        <Header/>
                        <main id="main" class="mx-auto max-w-2xl px-4 py-10">
                            <p class="text-sm"><a href=profile.home.clone() class="text-indigo-600 hover:text-indigo-500">{t!(i18n, back_home)}</a></p>
                            <h1 class="mt-2 text-2xl font-bold tracking-tight">{t!(i18n, profile_title)}</h1>
                            <p class="mt-1 text-sm text-slate-500" data-testid="profile-email">{profile.email.clone()}</p>
                            <ProfileForm profile/>
                            <PasswordForm/>
                            <SignOutEverywhereForm/>
                        </main>
                    }.into_any(),
                    Err(AppError::Unauthorized) => view! { <RedirectToSignIn/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The message for a refused field, in the reader's language.
fn problem_message(i18n: I18nContext<Locale>, field: &str, code: &str) -> &'static str {
    match (field, code) {
        ("name", "required") => t_string!(i18n, profile_problem_name_required),
        ("name", "too_long") => t_string!(i18n, profile_problem_name_long),
        ("avatar_url", _) => t_string!(i18n, profile_problem_avatar),
        ("linkedin", _) => t_string!(i18n, profile_problem_linkedin),
        ("current_password", "throttled") => t_string!(i18n, profile_problem_throttled),
        ("current_password", _) => t_string!(i18n, profile_problem_current_password),
        ("new_password", "too_short") => password_rule_message(i18n, PasswordRule::TooShort),
        ("new_password", "too_long") => password_rule_message(i18n, PasswordRule::TooLong),
        ("new_password", _) => password_rule_message(i18n, PasswordRule::TooCommon),
        ("password_confirmation", _) => t_string!(i18n, password_mismatch),
        _ => t_string!(i18n, error_body),
    }
}

/// The outcome of a form: saved, a refused field, or a failure to say plainly.
#[component]
fn Outcome<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        result.get().map(|result| match result {
            Ok(_) => view! { <p role="status" data-testid=testid class="text-sm text-emerald-700">{t!(i18n, profile_saved)}</p> }.into_any(),
            Err(error) => {
                let message = match problem_of(&error) {
                    Some((field, code)) => problem_message(i18n, &field, &code),
                    None if error == AppError::Unavailable => t_string!(i18n, error_unavailable),
                    None => t_string!(i18n, error_body),
                };
                view! { <p role="alert" data-testid=testid class="text-sm text-rose-700">{message}</p> }.into_any()
            }
        })
    }
}

#[component]
fn ProfileForm(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveProfile>::new();
    let draft = use_form_draft("profile");
    let language = profile.language.clone();
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            draft.settle(&result);
            // A new language: render everything again in it (the server set the locale cookie).
            #[cfg(feature = "hydrate")]
            if let Ok(saved) = &result
                && saved.language != language
            {
                let _ = window().location().reload();
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &language;
        }
    });
    let result = Signal::derive(move || save.value().get());
    let selected = profile.language.clone();
    view! {
        <section aria-labelledby="profile-heading">
            <ActionForm action=save node_ref=draft.form attr:class=CARD_CLASS attr:data-testid="profile-form">
                <h2 id="profile-heading" class="text-base font-semibold">{t!(i18n, profile_section)}</h2>
                <div>
                    <label for="name" class=LABEL_CLASS>{t!(i18n, profile_name)}</label>
                    <input id="name" name="name" type="text" required maxlength="120" autocomplete="name" value=profile.name.clone() class=INPUT_CLASS/>
                </div>
                <div>
                    <label for="avatar_url" class=LABEL_CLASS>{t!(i18n, profile_avatar)}</label>
                    <input id="avatar_url" name="avatar_url" type="url" placeholder="https://" value=profile.avatar_url.clone() class=INPUT_CLASS/>
                </div>
                <div>
                    <label for="linkedin" class=LABEL_CLASS>{t!(i18n, profile_linkedin)}</label>
                    <input id="linkedin" name="linkedin" type="url" placeholder="https://www.linkedin.com/in/..." value=profile.linkedin.clone() class=INPUT_CLASS/>
                </div>
                <div>
                    <label for="language" class=LABEL_CLASS>{t!(i18n, language)}</label>
                    <select id="language" name="language" class=INPUT_CLASS>
                        <option value="pt-BR" selected=selected == "pt-BR">"Português (Brasil)"</option>
                        <option value="en" selected=selected == "en">"English"</option>
                    </select>
                </div>
                <div class="flex items-center gap-4">
                    <button type="submit" class=BUTTON_CLASS>{t!(i18n, profile_save)}</button>
                    <Outcome result testid="profile-outcome"/>
                </div>
            </ActionForm>
        </section>
    }
}

/// Passwords are never kept as a draft.
#[component]
fn PasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<ChangePassword>::new();
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(result) = change.value().get() {
            match result {
                Ok(()) => {
                    if let Some(form) = form.get_untracked() {
                        form.reset();
                    }
                }
                Err(AppError::Unauthorized) => {
                    let navigate = leptos_router::hooks::use_navigate();
                    navigate(&crate::forms::sign_in_path("/profile"), Default::default());
                }
                Err(_) => {}
            }
        }
    });
    let result = Signal::derive(move || change.value().get());
    view! {
        <section aria-labelledby="password-heading">
            <ActionForm action=change node_ref=form attr:class=CARD_CLASS attr:data-testid="password-form">
                <h2 id="password-heading" class="text-base font-semibold">{t!(i18n, profile_password_section)}</h2>
                <p class="text-sm text-slate-500">{t!(i18n, profile_password_hint)}</p>
                <div>
                    <label for="current_password" class=LABEL_CLASS>{t!(i18n, profile_current_password)}</label>
                    <input id="current_password" name="current_password" type="password" required autocomplete="current-password" class=INPUT_CLASS/>
                </div>
                <div>
                    <label for="new_password" class=LABEL_CLASS>{t!(i18n, field_new_password)}</label>
                    <input id="new_password" name="new_password" type="password" required minlength="8" maxlength="128" autocomplete="new-password" class=INPUT_CLASS/>
                    <p class="mt-1 text-xs text-slate-500">{t!(i18n, password_hint)}</p>
                </div>
                <div>
                    <label for="password_confirmation" class=LABEL_CLASS>{t!(i18n, field_password_confirmation)}</label>
                    <input id="password_confirmation" name="password_confirmation" type="password" required autocomplete="new-password" class=INPUT_CLASS/>
                </div>
                <div class="flex items-center gap-4">
                    <button type="submit" class=BUTTON_CLASS>{t!(i18n, profile_change_password)}</button>
                    <Outcome result testid="password-outcome"/>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn SignOutEverywhereForm() -> impl IntoView {
    let i18n = use_i18n();
    let sign_out = ServerAction::<SignOutEverywhere>::new();
    view! {
        <section aria-labelledby="sessions-heading" class=CARD_CLASS>
            <h2 id="sessions-heading" class="text-base font-semibold">{t!(i18n, profile_sessions_section)}</h2>
            <p class="text-sm text-slate-500">{t!(i18n, profile_sessions_hint)}</p>
            <ActionForm action=sign_out attr:data-testid="sign-out-everywhere-form">
                <button type="submit" data-testid="sign-out-everywhere" class="rounded-md border border-rose-300 bg-white px-4 py-2 text-sm font-semibold text-rose-700 shadow-sm hover:bg-rose-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-rose-500">
                    {t!(i18n, profile_sign_out_everywhere)}
                </button>
            </ActionForm>
        </section>
    }
}
