//! The board of deals by stage (`/{slug}/deals/board`). Three ways to move a deal, all through the
//! same server function: drag a card to another column; focus a card and press ← or → (the move is
//! announced to screen readers); or, without JavaScript, pick the stage in the card's select and
//! submit its form.

use leptos::ev;
use leptos::prelude::*;

use super::api::{MoveDeal, get_board};
use super::components::{money, money_totals, query_param};
use super::{Board, BoardCard, BoardColumn};
use crate::company::components::LoadFailed;
use crate::fields::{INPUT, LABEL, PRIMARY, SECONDARY};
use crate::i18n::*;
use crate::shell::Area;
use crate::shell::pages::with_tenant;

#[component]
pub fn BoardPage() -> impl IntoView {
    with_tenant(Area::Deals, |shell| {
        let i18n = use_i18n();
        let param = query_param();
        let slug = shell.slug.clone();
        let reload = RwSignal::new(0u32);
        let load_slug = slug.clone();
        let board = Resource::new(
            move || (param("q"), param("owner"), reload.get()),
            move |(q, owner, _)| get_board(load_slug.clone(), q, owner),
        );
        let action = ServerAction::<MoveDeal>::new();
        let announce = RwSignal::new(String::new());
        Effect::new(move |_| match action.value().get() {
            Some(Ok(deal)) => {
                announce.set(format!("{} → {}", deal.title, deal.stage_name));
                reload.update(|n| *n += 1);
            }
            Some(Err(_)) => announce.set(t_string!(i18n, board_move_failed).to_owned()),
            None => {}
        });
        view! {
            <div class="mb-4 flex flex-wrap items-center justify-between gap-3">
                <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, board_title)}</h1>
                <a href=format!("/{slug}/deals") class=SECONDARY>{t!(i18n, board_list_view)}</a>
            </div>
            <form method="get" class="mb-4 flex flex-wrap items-end gap-3" role="search">
                <div class="min-w-[12rem] flex-1">
                    <label for="board-q" class=LABEL>{t!(i18n, list_search)}</label>
                    <input id="board-q" name="q" type="search" value=param("q") class=INPUT placeholder=move || t_string!(i18n, deals_search_hint).to_string()/>
                </div>
                <button type="submit" class=PRIMARY>{t!(i18n, list_apply)}</button>
            </form>
            <p class="mb-2 text-xs text-slate-500">{t!(i18n, board_hint)}</p>
            <p class="sr-only" role="status" aria-live="polite" data-testid="board-announce">{move || announce.get()}</p>
            <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        match board.await {
                            Ok(board) => view! { <Columns slug board action/> }.into_any(),
                            Err(error) => view! { <LoadFailed error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        }
    })
}

#[component]
fn Columns(slug: String, board: Board, action: ServerAction<MoveDeal>) -> impl IntoView {
    let dragging = RwSignal::new(None::<String>);
    let keys: Vec<String> = board.columns.iter().map(|c| c.stage.key.clone()).collect();
    let stages: Vec<(String, String)> = board
        .columns
        .iter()
        .map(|c| (c.stage.key.clone(), c.stage.name.clone()))
        .collect();
    let can_move = board.can_move;
    view! {
        <div class="flex gap-4 overflow-x-auto pb-4" data-testid="board">
            {board.columns.into_iter().enumerate().map(|(index, column)| {
                view! { <Column slug=slug.clone() column index keys=keys.clone() stages=stages.clone() dragging action can_move/> }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Column(
    slug: String,
    column: BoardColumn,
    index: usize,
    keys: Vec<String>,
    stages: Vec<(String, String)>,
    dragging: RwSignal<Option<String>>,
    action: ServerAction<MoveDeal>,
    can_move: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let over = RwSignal::new(false);
    let stage_key = column.stage.key.clone();
    let drop_slug = slug.clone();
    let on_drop = move |ev: ev::DragEvent| {
        ev.prevent_default();
        over.set(false);
        if let Some(id) = dragging.get_untracked() {
            dragging.set(None);
            action.dispatch(MoveDeal {
                slug: drop_slug.clone(),
                id,
                stage: stage_key.clone(),
            });
        }
    };
    let shown = column.cards.len() as i64;
    let more = column.count - shown;
    let heading = format!("column-{}", column.stage.key);
    let labelled_by = heading.clone();
    view! {
        <section
            class=move || if over.get() { "flex w-72 shrink-0 flex-col rounded-xl border-2 border-indigo-400 bg-indigo-50 p-3" } else { "flex w-72 shrink-0 flex-col rounded-xl border border-slate-200 bg-slate-50 p-3" }
            aria-labelledby=labelled_by
            data-testid="board-column"
            data-stage=column.stage.key.clone()
            on:dragover=move |ev: ev::DragEvent| { ev.prevent_default(); over.set(true); }
            on:dragleave=move |_| over.set(false)
            on:drop=on_drop
        >
            <header class="mb-2">
                <h2 id=heading class="text-sm font-semibold text-slate-800">{column.stage.name.clone()}" "<span class="font-normal text-slate-500">"("{column.count}")"</span></h2>
                <p class="text-xs text-slate-500 tabular-nums">{money_totals(i18n, &column.sums)}</p>
            </header>
            <ol class="flex min-h-[4rem] flex-col gap-2">
                {column.cards.into_iter().map(|card| view! {
                    <Card slug=slug.clone() card index keys=keys.clone() stages=stages.clone() dragging action can_move/>
                }).collect_view()}
            </ol>
            {(more > 0).then(|| view! {
                <a class="mt-2 text-xs text-indigo-700 hover:underline" href=format!("/{slug}/deals?stage={}", column.stage.key)>
                    {t!(i18n, board_more, count = move || more)}
                </a>
            })}
        </section>
    }
}

#[component]
fn Card(
    slug: String,
    card: BoardCard,
    index: usize,
    keys: Vec<String>,
    stages: Vec<(String, String)>,
    dragging: RwSignal<Option<String>>,
    action: ServerAction<MoveDeal>,
    can_move: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = card.id.clone();
    let drag_id = card.id.clone();
    let key_slug = slug.clone();
    let key_id = card.id.clone();
    let on_key = move |ev: ev::KeyboardEvent| {
        let target = match ev.key().as_str() {
            "ArrowRight" if index + 1 < keys.len() => Some(keys[index + 1].clone()),
            "ArrowLeft" if index > 0 => Some(keys[index - 1].clone()),
            _ => None,
        };
        if let Some(stage) = target {
            ev.prevent_default();
            action.dispatch(MoveDeal {
                slug: key_slug.clone(),
                id: key_id.clone(),
                stage,
            });
        }
    };
    let current = keys_at(&stages, index);
    let select_id = format!("move-{id}");
    let days = card.days_in_stage;
    let (form_id, form_slug, link) = (id.clone(), slug.clone(), format!("/{slug}/deals/{id}"));
    view! {
        <li
            class="rounded-lg border border-slate-200 bg-white p-3 shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
            draggable=if can_move { "true" } else { "false" }
            tabindex="0"
            data-testid="board-card"
            data-deal=id
            aria-keyshortcuts=can_move.then_some("ArrowLeft ArrowRight")
            on:dragstart=move |ev: ev::DragEvent| {
                // Firefox starts a drag only when the drag carries data.
                #[cfg(feature = "hydrate")]
                if let Some(data) = ev.data_transfer() {
                    let _ = data.set_data("text/plain", &drag_id);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = &ev;
                dragging.set(Some(drag_id.clone()));
            }
            on:keydown=on_key
        >
            <a class="text-sm font-medium text-indigo-700 hover:underline" href=link>{card.title.clone()}</a>
            <p class="text-xs text-slate-600">{card.lead_name.clone()}</p>
            <p class="mt-1 text-sm font-semibold tabular-nums text-slate-800">{money(i18n, card.value, &card.currency)}</p>
            <p class="text-xs text-slate-500">
                {card.owner_name.clone().unwrap_or_else(|| "—".to_owned())}" · "{t!(i18n, board_days_in_stage, days = move || days)}
            </p>
            {can_move.then(|| view! {
                <ActionForm action attr:class="mt-2 flex items-center gap-1">
                    <input type="hidden" name="slug" value=form_slug/>
                    <input type="hidden" name="id" value=form_id/>
                    <label for=select_id.clone() class="sr-only">{t!(i18n, deal_move_to)}</label>
                    <select id=select_id name="stage" class="w-full rounded border border-slate-300 px-1 py-0.5 text-xs">
                        {stages.iter().map(|(key, name)| {
                            let selected = *key == current;
                            view! { <option value=key.clone() selected=selected>{name.clone()}</option> }
                        }).collect_view()}
                    </select>
                    <button type="submit" class="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50">{t!(i18n, deal_move)}</button>
                </ActionForm>
            })}
        </li>
    }
}

fn keys_at(stages: &[(String, String)], index: usize) -> String {
    stages
        .get(index)
        .map(|(k, _)| k.clone())
        .unwrap_or_default()
}
