//! The development mail page: what would have been sent, so a flow that goes through an e-mail
//! can be finished in the browser.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::list_dev_mail;
use super::{DevMail, TextPiece, link_pieces};
use crate::error::AppError;
use crate::i18n::*;
use crate::shell::components::Header;
use crate::shell::pages::{ErrorPage, NotFound};

#[component]
pub fn DevMailPage() -> impl IntoView {
    let i18n = use_i18n();
    let mails = Resource::new(|| (), |_| list_dev_mail());
    view! {
        <Suspense fallback=move || view! { <p class="p-8 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match mails.await {
                    Ok(mails) => view! {
                        <Title text=move || t_string!(i18n, dev_mail_title).to_string()/>
                        <Header/>
                        <main id="main" class="mx-auto max-w-3xl px-4 py-10">
                            <h1 class="text-2xl font-bold tracking-tight">{t!(i18n, dev_mail_title)}</h1>
                            <p class="mt-1 text-sm text-slate-500">{t!(i18n, dev_mail_hint)}</p>
                            {if mails.is_empty() {
                                view! { <p class="mt-8 text-sm text-slate-600" data-testid="dev-mail-empty">{t!(i18n, dev_mail_empty)}</p> }.into_any()
                            } else {
                                view! {
                                    <ol class="mt-6 space-y-4">
                                        {mails.into_iter().map(|mail| view! { <DevMailItem mail/> }).collect_view()}
                                    </ol>
                                }.into_any()
                            }}
                        </main>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DevMailItem(mail: DevMail) -> impl IntoView {
    let i18n = use_i18n();
    let body = link_pieces(&mail.text)
        .into_iter()
        .map(|piece| match piece {
            TextPiece::Plain(text) => text.to_owned().into_any(),
            TextPiece::Link(href) => view! { <a href=href.to_owned() class="break-all text-indigo-600 underline">{href.to_owned()}</a> }.into_any(),
        })
        .collect_view();
    view! {
        <li class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="dev-mail">
            <dl class="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
                <dt class="font-medium text-slate-500">{t!(i18n, dev_mail_to)}</dt>
                <dd data-testid="dev-mail-to">{mail.to.clone()}</dd>
                <dt class="font-medium text-slate-500">{t!(i18n, dev_mail_subject)}</dt>
                <dd class="font-semibold" data-testid="dev-mail-subject">{mail.subject.clone()}</dd>
                <dt class="font-medium text-slate-500">{t!(i18n, dev_mail_sent_at)}</dt>
                <dd class="tabular-nums">{mail.sent_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</dd>
            </dl>
            <pre class="mt-4 whitespace-pre-wrap break-words font-sans text-sm text-slate-800" data-testid="dev-mail-body">{body}</pre>
        </li>
    }
}
