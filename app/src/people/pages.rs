//! The users page (`/{slug}/users`) and the squads page (`/{slug}/users/squads`), two tabs of one
//! area. Search and filters live in the URL (a GET form); every change is a form posting to its
//! server function, usable before the WebAssembly loads. A MANAGER sees the same pages without
//! the forms.

use domain::format::{format_date_time, format_money};
use domain::{UserArea, UserRole, UserStatus};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_query_map;

use super::api::{
    CreateSquad, DeleteSquad, InviteUser, RemoveSquadMember, ResendInvitation, SetSquadMember,
    SetUserStatus, UpdateSquad, UpdateUser, list_squads, list_users,
};
use super::{PersonChoice, Squad, SquadType, UserRow};
use crate::company::components::LoadFailed;
use crate::fields::{
    BADGE, CARD, DANGER, INPUT, LABEL, PRIMARY, SECONDARY, SelectField, TextField,
};
use crate::i18n::*;
use crate::shell::pages::with_tenant;
use crate::shell::{Area, encode_query_value, locale_of};
use crate::validation::{FieldError, FormStatus, drafted, outcome, problem_of, reload_on_success};

pub fn role_label(i18n: I18nContext<Locale>, role: UserRole) -> &'static str {
    match role {
        UserRole::Admin => t_string!(i18n, role_admin),
        UserRole::Director => t_string!(i18n, role_director),
        UserRole::Manager => t_string!(i18n, role_manager),
        UserRole::Agent => t_string!(i18n, role_agent),
    }
}

pub fn status_label(i18n: I18nContext<Locale>, status: UserStatus) -> &'static str {
    match status {
        UserStatus::Active => t_string!(i18n, status_active),
        UserStatus::Inactive => t_string!(i18n, status_inactive),
        UserStatus::Invited => t_string!(i18n, status_invited),
    }
}

fn status_badge(status: UserStatus) -> &'static str {
    match status {
        UserStatus::Active => "bg-emerald-100 text-emerald-800",
        UserStatus::Inactive => "bg-slate-200 text-slate-600",
        UserStatus::Invited => "bg-amber-100 text-amber-800",
    }
}

pub fn area_name(i18n: I18nContext<Locale>, area: UserArea) -> &'static str {
    match area {
        UserArea::Sales => t_string!(i18n, user_area_sales),
        UserArea::Marketing => t_string!(i18n, user_area_marketing),
        UserArea::CxCs => t_string!(i18n, user_area_cx_cs),
        UserArea::Gtm => t_string!(i18n, user_area_gtm),
    }
}

fn squad_type_label(i18n: I18nContext<Locale>, squad_type: SquadType) -> &'static str {
    match squad_type {
        SquadType::Sales => t_string!(i18n, squad_type_sales),
        SquadType::PreSales => t_string!(i18n, squad_type_pre_sales),
        SquadType::Cs => t_string!(i18n, squad_type_cs),
    }
}

/// The roles a company's people may have (never ADMIN).
fn role_options(i18n: I18nContext<Locale>) -> Vec<(String, String)> {
    [UserRole::Agent, UserRole::Manager, UserRole::Director]
        .iter()
        .map(|r| (r.as_str().to_owned(), role_label(i18n, *r).to_owned()))
        .collect()
}

fn area_options(i18n: I18nContext<Locale>) -> Vec<(String, String)> {
    UserArea::ALL
        .iter()
        .map(|a| (a.as_str().to_owned(), area_name(i18n, *a).to_owned()))
        .collect()
}

fn squad_type_options(i18n: I18nContext<Locale>) -> Vec<(String, String)> {
    SquadType::ALL
        .iter()
        .map(|t| (t.as_str().to_owned(), squad_type_label(i18n, *t).to_owned()))
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    People,
    Squads,
}

#[component]
fn Tabs(slug: String, active: Tab) -> impl IntoView {
    let i18n = use_i18n();
    let link = |href: String, tab: Tab, label: AnyView| {
        let current = tab == active;
        view! {
            <a href=href aria-current=current.then_some("page")
                class=if current { "border-b-2 border-indigo-600 px-1 pb-2 text-sm font-semibold text-indigo-700" } else { "border-b-2 border-transparent px-1 pb-2 text-sm text-slate-600 hover:text-slate-900" }>
                {label}
            </a>
        }
    };
    view! {
        <nav class="mb-6 flex gap-6 border-b border-slate-200" aria-label=move || t_string!(i18n, area_users).to_string()>
            {link(format!("/{slug}/users"), Tab::People, t!(i18n, people_tab).into_any())}
            {link(format!("/{slug}/users/squads"), Tab::Squads, t!(i18n, squads_tab).into_any())}
        </nav>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    with_tenant(Area::Users, |shell| {
        let i18n = use_i18n();
        view! {
            <h1 class="mb-4 text-2xl font-semibold tracking-tight">{t!(i18n, area_users)}</h1>
            <Tabs slug=shell.slug.clone() active=Tab::People/>
            <PeopleList slug=shell.slug.clone()/>
        }
    })
}

#[component]
fn PeopleList(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let reload = RwSignal::new(0u32);
    let load_slug = slug.clone();
    let people = Resource::new(
        move || {
            (
                param("q"),
                param("status"),
                param("page").parse::<u32>().unwrap_or(1),
                reload.get(),
            )
        },
        move |(q, status, page, _)| list_users(load_slug.clone(), q, status, page),
    );
    let page_href = move |page: u32| {
        let mut parts = vec![format!("page={page}")];
        for name in ["q", "status"] {
            let value = param(name);
            if !value.is_empty() {
                parts.push(format!("{name}={}", encode_query_value(&value)));
            }
        }
        format!("?{}", parts.join("&"))
    };
    view! {
        <form method="get" class="mb-4 flex flex-wrap items-end gap-3" role="search">
            <div class="min-w-[12rem] flex-1">
                <label for="people-q" class=LABEL>{t!(i18n, people_search)}</label>
                <input id="people-q" name="q" type="search" value=param("q") class=INPUT placeholder=move || t_string!(i18n, people_search_hint).to_string()/>
            </div>
            <div>
                <label for="people-status" class=LABEL>{t!(i18n, people_status)}</label>
                <select id="people-status" name="status" class=INPUT>
                    <option value="">{t!(i18n, audit_any)}</option>
                    {UserStatus::ALL.iter().map(|s| {
                        let s = *s;
                        view! { <option value=s.as_str() selected=move || param("status") == s.as_str()>{move || status_label(i18n, s)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class=PRIMARY>{t!(i18n, people_search_submit)}</button>
        </form>
        <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || {
                let slug = slug.clone();
                Suspend::new(async move {
                    let page = match people.await {
                        Ok(page) => page,
                        Err(error) => return view! { <LoadFailed error/> }.into_any(),
                    };
                    let pages = ((page.total + page.page_size - 1) / page.page_size).max(1) as u32;
                    let locale = move || locale_of(i18n.get_locale());
                    let viewer = page.viewer_id.clone();
                    let manage = page.can_manage;
                    view! {
                        {manage.then(|| view! { <InviteForm slug=slug.clone() reload/> })}
                        <p class="mb-2 text-sm text-slate-500" data-testid="people-total">{t!(i18n, people_total, count = move || page.total)}</p>
                        <ul class="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="people-list">
                            {page.items.into_iter().map(|person| {
                                let mine = person.id == viewer;
                                view! { <PersonRow slug=slug.clone() person manage=manage && !mine reload locale=Signal::derive(locale)/> }
                            }).collect_view()}
                        </ul>
                        <nav class="mt-4 flex items-center justify-between text-sm" aria-label=move || t_string!(i18n, pagination).to_string()>
                            {(page.page > 1).then(|| view! { <a href=page_href(page.page - 1) class=SECONDARY rel="prev">{t!(i18n, page_previous)}</a> })}
                            <span class="text-slate-500">{t!(i18n, page_of, page = move || page.page, pages = move || pages)}</span>
                            {(page.page < pages).then(|| view! { <a href=page_href(page.page + 1) class=SECONDARY rel="next">{t!(i18n, page_next)}</a> })}
                        </nav>
                    }
                    .into_any()
                })
            }}
        </Transition>
    }
}

#[component]
fn InviteForm(slug: String, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<InviteUser>::new();
    let draft = drafted(action, "people-invite");
    let problem = problem_of(outcome(action));
    reload_on_success(outcome(action), reload);
    let language = move || match i18n.get_locale() {
        Locale::en => "en",
        _ => "pt-BR",
    };
    let mail_failed =
        move || matches!(outcome(action).get(), Some(Ok(outcome)) if !outcome.mail_sent);
    view! {
        <details class=format!("{CARD} mb-6") data-testid="invite-form" open=move || problem.get().is_some()>
            <summary class="cursor-pointer text-sm font-semibold text-indigo-700">{t!(i18n, people_invite_title)}</summary>
            <ActionForm action node_ref=draft>
                <input type="hidden" name="slug" value=slug/>
                <div class="mt-4 grid gap-4 sm:grid-cols-2">
                    <TextField id="invite-name" name="name" label=move || t!(i18n, field_person_name) required=true maxlength=120 autocomplete="off" problem/>
                    <TextField id="invite-email" name="email" kind="email" label=move || t!(i18n, field_email) required=true autocomplete="off" problem/>
                    <SelectField id="invite-role" name="role" label=move || t!(i18n, field_role) options=role_options(i18n) selected="AGENT" problem/>
                    <SelectField id="invite-area" name="area" label=move || t!(i18n, field_area) options=area_options(i18n) selected="SALES" problem/>
                    <TextField id="invite-linkedin" name="linkedin" kind="url" label=move || t!(i18n, field_linkedin) hint=move || t!(i18n, field_linkedin_hint) problem/>
                    <div>
                        <label for="invite-language" class=LABEL>{t!(i18n, field_language)}</label>
                        <select id="invite-language" name="language" class=INPUT>
                            <option value="pt-BR" selected=move || language() == "pt-BR">"Português (Brasil)"</option>
                            <option value="en" selected=move || language() == "en">"English"</option>
                        </select>
                    </div>
                </div>
                <div class="mt-4 flex flex-wrap items-center gap-3">
                    <button type="submit" class=PRIMARY disabled=move || action.pending().get()>{t!(i18n, people_invite_submit)}</button>
                    <FormStatus value=outcome(action) fields=&["name", "email", "role", "area", "linkedin"]/>
                    {move || mail_failed().then(|| view! { <p role="alert" class="text-sm text-amber-800">{t!(i18n, people_invite_mail_failed)}</p> })}
                </div>
            </ActionForm>
        </details>
    }
}

#[component]
fn PersonRow(
    slug: String,
    person: UserRow,
    manage: bool,
    reload: RwSignal<u32>,
    locale: Signal<domain::Locale>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (role, status, area) = (person.role, person.status, person.area);
    let last = person.last_login_at;
    view! {
        <li class="p-4" data-testid="person-row">
            <div class="flex flex-wrap items-start justify-between gap-2">
                <div class="min-w-0">
                    <p class="font-medium text-slate-900">{person.name.clone()}</p>
                    <p class="break-all text-sm text-slate-500">{person.email.clone()}</p>
                    {person.linkedin.clone().map(|url| view! { <a href=url.clone() rel="noopener noreferrer" target="_blank" class="text-xs text-indigo-600 underline">"LinkedIn"</a> })}
                </div>
                <div class="flex flex-wrap items-center gap-1.5 text-xs">
                    <span class=format!("{BADGE} bg-indigo-50 text-indigo-700")>{move || role_label(i18n, role)}</span>
                    <span class=format!("{BADGE} bg-slate-100 text-slate-700")>{move || area_name(i18n, area)}</span>
                    <span class=format!("{BADGE} {}", status_badge(status))>{move || status_label(i18n, status)}</span>
                </div>
            </div>
            <p class="mt-1 text-xs text-slate-500">
                {(!person.squads.is_empty()).then(|| view! { <span>{t!(i18n, people_squads)}": "{person.squads.join(", ")}" · "</span> })}
                {match last {
                    Some(at) => view! { <span>{t!(i18n, people_last_login)}": "{move || format_date_time(at, locale.get())}</span> }.into_any(),
                    None => view! { <span>{t!(i18n, people_never_signed_in)}</span> }.into_any(),
                }}
            </p>
            {manage.then(|| view! { <PersonActions slug person reload/> })}
        </li>
    }
}

#[component]
fn PersonActions(slug: String, person: UserRow, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let update = ServerAction::<UpdateUser>::new();
    let status = ServerAction::<SetUserStatus>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let problem = problem_of(outcome(update));
    reload_on_success(outcome(status), reload);
    let id = person.id.clone();
    let prefix = format!("person-{id}");
    let deactivating = person.status != UserStatus::Inactive;
    let invited = person.status == UserStatus::Invited;
    let (slug_status, id_status) = (slug.clone(), id.clone());
    let (slug_resend, id_resend) = (slug.clone(), id.clone());
    view! {
        <details class="mt-2" open=move || problem.get().is_some()>
            <summary class="cursor-pointer text-sm font-medium text-indigo-700">{t!(i18n, person_edit)}</summary>
            <ActionForm action=update>
                <input type="hidden" name="slug" value=slug.clone()/>
                <input type="hidden" name="user_id" value=id.clone()/>
                <div class="mt-3 grid gap-3 sm:grid-cols-3">
                    <SelectField id=format!("{prefix}-role") name="role" label=move || t!(i18n, field_role) options=role_options(i18n) selected=person.role.as_str() problem/>
                    <SelectField id=format!("{prefix}-area") name="area" label=move || t!(i18n, field_area) options=area_options(i18n) selected=person.area.as_str() problem/>
                    <TextField id=format!("{prefix}-linkedin") name="linkedin" kind="url" label=move || t!(i18n, field_linkedin) value=person.linkedin.clone().unwrap_or_default() problem/>
                </div>
                <div class="mt-3 flex flex-wrap items-center gap-3">
                    <button type="submit" class=PRIMARY disabled=move || update.pending().get()>{t!(i18n, save)}</button>
                    <FormStatus value=outcome(update) fields=&["role", "area", "linkedin"]/>
                </div>
            </ActionForm>
            <div class="mt-3 flex flex-wrap items-center gap-3 border-t border-slate-100 pt-3">
                <ActionForm action=status>
                    <input type="hidden" name="slug" value=slug_status/>
                    <input type="hidden" name="user_id" value=id_status/>
                    <input type="hidden" name="active" value=if deactivating { "false" } else { "true" }/>
                    <button type="submit" class=if deactivating { DANGER } else { SECONDARY } disabled=move || status.pending().get()>
                        {if deactivating { t!(i18n, person_deactivate).into_any() } else { t!(i18n, person_reactivate).into_any() }}
                    </button>
                </ActionForm>
                <FormStatus value=outcome(status)/>
                {invited.then(|| view! {
                    <ActionForm action=resend>
                        <input type="hidden" name="slug" value=slug_resend/>
                        <input type="hidden" name="user_id" value=id_resend/>
                        <button type="submit" class=SECONDARY disabled=move || resend.pending().get()>{t!(i18n, person_resend)}</button>
                    </ActionForm>
                    <FormStatus value=outcome(resend)/>
                })}
            </div>
        </details>
    }
}

#[component]
pub fn SquadsPage() -> impl IntoView {
    with_tenant(Area::Users, |shell| {
        let i18n = use_i18n();
        view! {
            <h1 class="mb-4 text-2xl font-semibold tracking-tight">{t!(i18n, area_users)}</h1>
            <Tabs slug=shell.slug.clone() active=Tab::Squads/>
            <SquadList slug=shell.slug.clone()/>
        }
    })
}

#[component]
fn SquadList(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let reload = RwSignal::new(0u32);
    let load_slug = slug.clone();
    let view_data = Resource::new(
        move || reload.get(),
        move |_| list_squads(load_slug.clone()),
    );
    view! {
        <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || {
                let slug = slug.clone();
                Suspend::new(async move {
                    let data = match view_data.await {
                        Ok(data) => data,
                        Err(error) => return view! { <LoadFailed error/> }.into_any(),
                    };
                    let manage = data.can_manage;
                    let currency = data.currency.clone();
                    let empty = data.squads.is_empty();
                    view! {
                        {manage.then(|| view! { <CreateSquadForm slug=slug.clone() currency=currency.clone() reload/> })}
                        {empty.then(|| view! { <p class="text-sm text-slate-500">{t!(i18n, squads_empty)}</p> })}
                        <div class="grid gap-4 lg:grid-cols-2">
                            {data.squads.into_iter().map(|squad| view! {
                                <SquadCard slug=slug.clone() squad currency=currency.clone() people=data.people.clone() manage reload/>
                            }).collect_view()}
                        </div>
                    }
                    .into_any()
                })
            }}
        </Transition>
    }
}

#[component]
fn CreateSquadForm(slug: String, currency: String, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CreateSquad>::new();
    let draft = drafted(action, "squad-create");
    let problem = problem_of(outcome(action));
    reload_on_success(outcome(action), reload);
    view! {
        <details class=format!("{CARD} mb-6") data-testid="create-squad-form" open=move || problem.get().is_some()>
            <summary class="cursor-pointer text-sm font-semibold text-indigo-700">{t!(i18n, squad_create_title)}</summary>
            <ActionForm action node_ref=draft>
                <input type="hidden" name="slug" value=slug/>
                <SquadFields prefix="new-squad".into() name=String::new() squad_type=SquadType::Sales target=String::new() currency problem/>
                <div class="mt-4 flex flex-wrap items-center gap-3">
                    <button type="submit" class=PRIMARY disabled=move || action.pending().get()>{t!(i18n, squad_create_submit)}</button>
                    <FormStatus value=outcome(action) fields=&["name", "squad_type", "target"]/>
                </div>
            </ActionForm>
        </details>
    }
}

#[component]
fn SquadFields(
    prefix: String,
    name: String,
    squad_type: SquadType,
    target: String,
    currency: String,
    problem: Signal<Option<crate::validation::Problem>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="mt-4 grid gap-4 sm:grid-cols-3">
            <TextField id=format!("{prefix}-name") name="name" label=move || t!(i18n, field_squad_name) value=name required=true maxlength=80 problem/>
            <SelectField id=format!("{prefix}-type") name="squad_type" label=move || t!(i18n, field_squad_type) options=squad_type_options(i18n) selected=squad_type.as_str() problem/>
            <TextField id=format!("{prefix}-target") name="target" label=move || { let currency = currency.clone(); t!(i18n, field_squad_target, currency = move || currency.clone()) } value=target inputmode="decimal"
                hint=move || t!(i18n, field_squad_target_hint) problem/>
        </div>
    }
}

#[component]
fn SquadCard(
    slug: String,
    squad: Squad,
    currency: String,
    people: Vec<PersonChoice>,
    manage: bool,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || locale_of(i18n.get_locale());
    let target = squad.target_monthly;
    let money_currency = currency.clone();
    let squad_type = squad.squad_type;
    let members = squad.members.clone();
    let member_ids: Vec<String> = members.iter().map(|m| m.user_id.clone()).collect();
    let candidates: Vec<PersonChoice> = people
        .into_iter()
        .filter(|p| !member_ids.contains(&p.id))
        .collect();
    view! {
        <section class=CARD data-testid="squad-card" aria-label=squad.name.clone()>
            <div class="flex flex-wrap items-start justify-between gap-2">
                <h2 class="text-lg font-semibold">{squad.name.clone()}</h2>
                <span class=format!("{BADGE} bg-indigo-50 text-indigo-700")>{move || squad_type_label(i18n, squad_type)}</span>
            </div>
            <p class="mt-1 text-sm text-slate-600">
                {t!(i18n, squad_target)}": "
                <span class="font-medium tabular-nums">
                    {move || match target {
                        Some(amount) => format_money(amount, &money_currency, locale()),
                        None => t_string!(i18n, squad_no_target).to_owned(),
                    }}
                </span>
            </p>
            <h3 class="mt-4 text-xs font-semibold uppercase tracking-wider text-slate-500">{t!(i18n, squad_members)}</h3>
            {members.is_empty().then(|| view! { <p class="mt-1 text-sm text-slate-500">{t!(i18n, squad_no_members)}</p> })}
            <ul class="mt-1 divide-y divide-slate-100">
                {members.into_iter().map(|member| {
                    let leader = member.is_leader;
                    view! {
                        <li class="flex flex-wrap items-center justify-between gap-2 py-2">
                            <span class="min-w-0">
                                <span class="text-sm font-medium">{member.name.clone()}</span>
                                {leader.then(|| view! { <span class=format!("{BADGE} ml-2 bg-amber-100 text-amber-800")>{t!(i18n, squad_leader)}</span> })}
                                {(member.status != UserStatus::Active).then(|| {
                                    let status = member.status;
                                    view! { <span class=format!("{BADGE} ml-2 {}", status_badge(status))>{move || status_label(i18n, status)}</span> }
                                })}
                            </span>
                            {manage.then(|| view! { <MemberActions slug=slug.clone() squad_id=squad.id.clone() user_id=member.user_id.clone() leader reload/> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {manage.then(|| view! {
                <AddMemberForm slug=slug.clone() squad_id=squad.id.clone() candidates reload/>
                <EditSquadForm slug=slug.clone() squad=squad.clone() currency=currency.clone() reload/>
            })}
        </section>
    }
}

#[component]
fn MemberActions(
    slug: String,
    squad_id: String,
    user_id: String,
    leader: bool,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let set = ServerAction::<SetSquadMember>::new();
    let remove = ServerAction::<RemoveSquadMember>::new();
    reload_on_success(outcome(set), reload);
    reload_on_success(outcome(remove), reload);
    let (slug_set, squad_set, user_set) = (slug.clone(), squad_id.clone(), user_id.clone());
    view! {
        <span class="flex flex-wrap gap-2">
            <ActionForm action=set>
                <input type="hidden" name="slug" value=slug_set/>
                <input type="hidden" name="squad_id" value=squad_set/>
                <input type="hidden" name="user_id" value=user_set/>
                {(!leader).then(|| view! { <input type="hidden" name="is_leader" value="on"/> })}
                <button type="submit" class=SECONDARY>{if leader { t!(i18n, squad_unset_leader).into_any() } else { t!(i18n, squad_set_leader).into_any() }}</button>
            </ActionForm>
            <ActionForm action=remove>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="squad_id" value=squad_id/>
                <input type="hidden" name="user_id" value=user_id/>
                <button type="submit" class=DANGER>{t!(i18n, squad_remove_member)}</button>
            </ActionForm>
            <FormStatus value=outcome(set)/>
            <FormStatus value=outcome(remove)/>
        </span>
    }
}

#[component]
fn AddMemberForm(
    slug: String,
    squad_id: String,
    candidates: Vec<PersonChoice>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetSquadMember>::new();
    let problem = problem_of(outcome(action));
    reload_on_success(outcome(action), reload);
    let id = format!("squad-{squad_id}-add");
    let leader_id = format!("squad-{squad_id}-leader");
    let leader_label = leader_id.clone();
    let select_id = id.clone();
    let select_label = id.clone();
    let described = format!("{id}-error");
    (!candidates.is_empty()).then(|| {
        view! {
            <ActionForm action>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="squad_id" value=squad_id/>
                <div class="mt-3 flex flex-wrap items-end gap-3 border-t border-slate-100 pt-3">
                    <div class="min-w-[10rem] flex-1">
                        <label for=select_label class=LABEL>{t!(i18n, squad_add_member)}</label>
                        <select id=select_id name="user_id" class=INPUT aria-describedby=described>
                            {candidates.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                        </select>
                    </div>
                    <label for=leader_label class="flex items-center gap-2 pb-2 text-sm">
                        <input id=leader_id type="checkbox" name="is_leader" class="h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500"/>
                        {t!(i18n, squad_leader)}
                    </label>
                    <button type="submit" class=SECONDARY disabled=move || action.pending().get()>{t!(i18n, squad_add_submit)}</button>
                </div>
                <FieldError problem field="user_id" id=id/>
                <FormStatus value=outcome(action) fields=&["user_id"]/>
            </ActionForm>
        }
    })
}

#[component]
fn EditSquadForm(
    slug: String,
    squad: Squad,
    currency: String,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let update = ServerAction::<UpdateSquad>::new();
    let delete = ServerAction::<DeleteSquad>::new();
    let problem = problem_of(outcome(update));
    reload_on_success(outcome(update), reload);
    reload_on_success(outcome(delete), reload);
    let target = squad
        .target_monthly
        .map(|t| t.normalize().to_string())
        .unwrap_or_default();
    let (slug_delete, squad_delete) = (slug.clone(), squad.id.clone());
    view! {
        <details class="mt-3 border-t border-slate-100 pt-3" open=move || problem.get().is_some()>
            <summary class="cursor-pointer text-sm font-medium text-indigo-700">{t!(i18n, squad_edit)}</summary>
            <ActionForm action=update>
                <input type="hidden" name="slug" value=slug.clone()/>
                <input type="hidden" name="squad_id" value=squad.id.clone()/>
                <SquadFields prefix=format!("squad-{}", squad.id) name=squad.name.clone() squad_type=squad.squad_type target currency problem/>
                <div class="mt-3 flex flex-wrap items-center gap-3">
                    <button type="submit" class=PRIMARY disabled=move || update.pending().get()>{t!(i18n, save)}</button>
                    <FormStatus value=outcome(update) fields=&["name", "squad_type", "target"]/>
                </div>
            </ActionForm>
            <ActionForm action=delete>
                <input type="hidden" name="slug" value=slug_delete/>
                <input type="hidden" name="squad_id" value=squad_delete/>
                <div class="mt-3 flex flex-wrap items-center gap-3">
                    <button type="submit" class=DANGER disabled=move || delete.pending().get()>{t!(i18n, squad_delete)}</button>
                    <span class="text-xs text-slate-500">{t!(i18n, squad_delete_hint)}</span>
                    <FormStatus value=outcome(delete)/>
                </div>
            </ActionForm>
        </details>
    }
}
