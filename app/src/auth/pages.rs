//! The sign-in page: a plain HTML form posting to `/login`, so it works before the WebAssembly
//! loads; after a failed attempt the server renders it again with the e-mail kept.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::SignInProblem;
use super::api::get_sign_in_flash;
use crate::i18n::*;
use crate::shell::components::Header;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let flash = Resource::new(|| (), |_| get_sign_in_flash());
    view! {
        <Title text=move || t_string!(i18n, sign_in_title).to_string()/>
        <Header/>
        <main id="main" class="mx-auto flex max-w-md flex-col px-4 py-16">
            <h1 class="text-2xl font-bold tracking-tight">{t!(i18n, sign_in_title)}</h1>
            <p class="mt-1 text-sm text-slate-500">{t!(i18n, sign_in_subtitle)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (problem, email, next) = match flash.await {
                        Ok(flash) => flash,
                        Err(_) => (Some(SignInProblem::Unavailable), String::new(), None),
                    };
                    let next = next.or_else(|| query.read_untracked().get("next")).unwrap_or_default();
                    view! {
                        {problem.map(|problem| view! { <SignInError problem/> })}
                        <form method="post" action="/login" class="mt-6 space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="sign-in-form">
                            <input type="hidden" name="next" value=next/>
                            <div>
                                <label for="email" class="block text-sm font-medium text-slate-700">{t!(i18n, field_email)}</label>
                                <input id="email" name="email" type="email" required autocomplete="username" value=email
                                    class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500"/>
                            </div>
                            <div>
                                <label for="password" class="block text-sm font-medium text-slate-700">{t!(i18n, field_password)}</label>
                                <input id="password" name="password" type="password" required autocomplete="current-password"
                                    class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500"/>
                            </div>
                            <button type="submit" class="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2">
                                {t!(i18n, sign_in_submit)}
                            </button>
                            <p class="text-center text-sm">
                                <a href="/reset" class="text-indigo-600 hover:text-indigo-500">{t!(i18n, forgot_password)}</a>
                            </p>
                        </form>
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn SignInError(problem: SignInProblem) -> impl IntoView {
    let i18n = use_i18n();
    let message = match problem {
        SignInProblem::Invalid => t!(i18n, sign_in_invalid).into_any(),
        SignInProblem::Unavailable => t!(i18n, error_unavailable).into_any(),
        SignInProblem::Throttled { minutes } => {
            t!(i18n, sign_in_throttled, minutes = move || minutes).into_any()
        }
    };
    view! {
        <div role="alert" data-testid="sign-in-error" class="mt-6 rounded-md border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
            {message}
        </div>
    }
}
