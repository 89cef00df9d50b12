//! Form fields as the administration pages draw them: a label, the input, and the problem the
//! server found with it beside it (linked by `aria-describedby`, so a screen reader reads it with
//! the field). Kept in one place so every form looks and behaves the same, by keyboard and on a
//! phone.

use leptos::prelude::*;

use crate::validation::{FieldError, Problem};

pub const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500";
pub const LABEL: &str = "block text-sm font-medium text-slate-700";
pub const PRIMARY: &str = "inline-flex items-center justify-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:opacity-50";
pub const SECONDARY: &str = "inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:opacity-50";
pub const DANGER: &str = "inline-flex items-center justify-center rounded-md border border-rose-300 bg-white px-3 py-1.5 text-sm font-medium text-rose-700 shadow-sm hover:bg-rose-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-rose-500 disabled:opacity-50";
pub const CARD: &str = "rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6";
pub const BADGE: &str = "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium";

/// A labelled text input with its problem beside it.
#[component]
pub fn TextField(
    /// The element id; unique on the page (forms repeated per row prefix it).
    #[prop(into)]
    id: String,
    /// The form field's name, also the `field` of the server's problems.
    name: &'static str,
    #[prop(into)] label: ViewFn,
    #[prop(into, optional)] value: String,
    /// `text` unless given (`email`, `password`, `url`, `number`, `date`).
    #[prop(optional)]
    kind: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
    /// The id of a `<datalist>` of suggestions.
    #[prop(into, optional)]
    list: Option<String>,
    #[prop(into, optional)] hint: Option<ViewFn>,
    #[prop(into)] problem: Signal<Option<Problem>>,
) -> impl IntoView {
    let described = format!("{id}-error");
    let invalid = move || {
        problem
            .get()
            .is_some_and(|p| p.field == name)
            .then_some("true")
    };
    view! {
        <div>
            <label for=id.clone() class=LABEL>{label.run()}</label>
            <input
                id=id.clone()
                name=name
                type=kind.unwrap_or("text")
                value=value
                required=required
                autocomplete=autocomplete
                inputmode=inputmode
                maxlength=maxlength
                list=list
                aria-describedby=described
                aria-invalid=invalid
                class=INPUT
            />
            {hint.map(|hint| view! { <p class="mt-1 text-xs text-slate-500">{hint.run()}</p> })}
            <FieldError problem field=name id=id/>
        </div>
    }
}

/// A labelled select; `options` are (value, label) pairs.
#[component]
pub fn SelectField(
    #[prop(into)] id: String,
    name: &'static str,
    #[prop(into)] label: ViewFn,
    options: Vec<(String, String)>,
    #[prop(into, optional)] selected: String,
    #[prop(into)] problem: Signal<Option<Problem>>,
) -> impl IntoView {
    let described = format!("{id}-error");
    view! {
        <div>
            <label for=id.clone() class=LABEL>{label.run()}</label>
            <select id=id.clone() name=name aria-describedby=described class=INPUT>
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let is_selected = value == selected;
                        view! { <option value=value selected=is_selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            <FieldError problem field=name id=id/>
        </div>
    }
}

/// A signal that never holds a problem, for forms whose fields the server does not refuse.
pub fn no_problem() -> Signal<Option<Problem>> {
    Signal::derive(|| None)
}
