//! Forms never lose what was typed (PRODUCT.md "Sessions"): a draft of every form is kept in the
//! tab's `sessionStorage` while the person types, restored when the page loads again, and cleared
//! once the server accepted it. When the server answers "unauthorized" (the session expired or
//! ended while they typed), the browser goes to `/login?next=<this page>`; sign-in brings them
//! back, and the page restores the draft.
//!
//! Passwords (and hidden and file inputs) are never stored. Drafts are kept per page address and
//! form id, so the same form of two companies never mixes. Everything here runs in the browser
//! only; on the server the hook does nothing, so pages render as before.
//!
//! # Using it
//!
//! ```ignore
//! use crate::forms::use_form_draft;
//!
//! let save = ServerAction::<SaveSquad>::new();
//! let draft = use_form_draft("squad");
//! // Clear the draft after success; on "unauthorized", go to sign in and back.
//! Effect::new(move |_| {
//!     if let Some(result) = save.value().get() {
//!         draft.settle(&result);
//!     }
//! });
//! view! {
//!     <ActionForm action=save node_ref=draft.form>
//!         // Plain inputs with `name` and an initial `value` (or `bind:value`: a restore
//!         // dispatches `input` events, so bound signals follow).
//!         <input name="name" value=squad.name/>
//!         <button type="submit">"Salvar"</button>
//!     </ActionForm>
//! }
//! ```
//!
//! Pages that load their data in a `Suspense` need nothing more: the draft is restored when the
//! form is mounted, after the data arrived, so what was typed wins over what was stored.

use leptos::html;
use leptos::prelude::*;

use crate::error::AppError;

/// A form whose fields are kept as a draft. Copy it freely into closures.
#[derive(Clone, Copy)]
pub struct FormDraft {
    /// Give it to the form (`<ActionForm node_ref=draft.form>` or `<form node_ref=draft.form>`).
    pub form: NodeRef<html::Form>,
    id: &'static str,
}

/// Keeps the fields of the form `id` of this page as a draft while the person types, and restores
/// them when the form appears.
pub fn use_form_draft(id: &'static str) -> FormDraft {
    let form = NodeRef::<html::Form>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(element) = form.get() {
            browser::restore(&element, id);
            browser::keep_on_input(&element, id);
        }
    });
    FormDraft { form, id }
}

impl FormDraft {
    /// After the server answered: success clears the draft; "unauthorized" keeps it and goes to
    /// sign in with this page as `next`; any other refusal keeps it for another try.
    pub fn settle<T>(&self, result: &Result<T, AppError>) {
        #[cfg(feature = "hydrate")]
        match result {
            Ok(_) => browser::clear(self.id),
            Err(AppError::Unauthorized) => {
                if let Some(element) = self.form.get_untracked() {
                    browser::save(&element, self.id);
                }
                browser::go_to_sign_in();
            }
            Err(_) => {}
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (result, self.id);
    }

    /// Forgets the draft (a "discard changes" button).
    pub fn discard(&self) {
        #[cfg(feature = "hydrate")]
        browser::clear(self.id);
    }
}

/// `/login?next=<path>` for a page of this site.
pub fn sign_in_path(here: &str) -> String {
    format!("/login?next={}", crate::shell::encode_query_value(here))
}

/// The storage key of a form's draft on a page.
pub fn draft_key(pathname: &str, id: &str) -> String {
    format!("performancy:draft:{pathname}:{id}")
}

/// Whether an input of this `type` may be kept in a draft.
pub fn keeps_input_type(input_type: &str) -> bool {
    !matches!(
        input_type.to_ascii_lowercase().as_str(),
        "password" | "hidden" | "file" | "submit" | "button" | "reset" | "image"
    )
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::collections::BTreeMap;

    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::web_sys::{
        Event, HtmlFormElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, Storage,
    };

    use super::{draft_key, keeps_input_type};

    fn storage() -> Option<Storage> {
        // Storage can be refused (private modes, quotas): then there is simply no draft.
        leptos::prelude::window().session_storage().ok().flatten()
    }

    fn here() -> (String, String) {
        let location = leptos::prelude::window().location();
        (
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default(),
        )
    }

    fn key(id: &str) -> String {
        draft_key(&here().0, id)
    }

    /// Every field worth keeping, by name: text-like inputs, checkboxes and radios, selects,
    /// text areas. Never passwords.
    fn fields(form: &HtmlFormElement) -> BTreeMap<String, String> {
        let mut values = BTreeMap::new();
        let elements = form.elements();
        for i in 0..elements.length() {
            let Some(element) = elements.item(i) else {
                continue;
            };
            if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
                let kind = input.type_();
                if input.name().is_empty() || !keeps_input_type(&kind) {
                    continue;
                }
                match kind.as_str() {
                    "checkbox" => {
                        values.insert(
                            input.name(),
                            if input.checked() {
                                input.value()
                            } else {
                                String::new()
                            },
                        );
                    }
                    "radio" => {
                        if input.checked() {
                            values.insert(input.name(), input.value());
                        }
                    }
                    _ => {
                        values.insert(input.name(), input.value());
                    }
                }
            } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
                if !select.name().is_empty() {
                    values.insert(select.name(), select.value());
                }
            } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>()
                && !area.name().is_empty()
            {
                values.insert(area.name(), area.value());
            }
        }
        values
    }

    pub fn save(form: &HtmlFormElement, id: &str) {
        let Some(storage) = storage() else { return };
        if let Ok(json) = serde_json::to_string(&fields(form)) {
            // A full storage only means no draft this time.
            let _ = storage.set_item(&key(id), &json);
        }
    }

    pub fn clear(id: &str) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(&key(id));
        }
    }

    pub fn restore(form: &HtmlFormElement, id: &str) {
        let Some(storage) = storage() else { return };
        let Some(json) = storage.get_item(&key(id)).ok().flatten() else {
            return;
        };
        let Ok(values) = serde_json::from_str::<BTreeMap<String, String>>(&json) else {
            clear(id);
            return;
        };
        let elements = form.elements();
        for i in 0..elements.length() {
            let Some(element) = elements.item(i) else {
                continue;
            };
            let changed = if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
                let kind = input.type_();
                match values.get(&input.name()) {
                    Some(_) if !keeps_input_type(&kind) => false,
                    Some(value) if kind == "checkbox" => {
                        input.set_checked(!value.is_empty());
                        true
                    }
                    Some(value) if kind == "radio" => {
                        input.set_checked(input.value() == *value);
                        true
                    }
                    Some(value) => {
                        input.set_value(value);
                        true
                    }
                    None => false,
                }
            } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
                values
                    .get(&select.name())
                    .map(|value| select.set_value(value))
                    .is_some()
            } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
                values
                    .get(&area.name())
                    .map(|value| area.set_value(value))
                    .is_some()
            } else {
                false
            };
            if changed {
                // Inputs bound to signals (`bind:value`) follow the restored value.
                if let Ok(event) = Event::new("input") {
                    let _ = element.dispatch_event(&event);
                }
            }
        }
    }

    pub fn keep_on_input(form: &HtmlFormElement, id: &'static str) {
        let target = form.clone();
        let on_input = Closure::<dyn Fn(Event)>::new(move |_: Event| save(&target, id));
        for event in ["input", "change"] {
            let _ = form.add_event_listener_with_callback(event, on_input.as_ref().unchecked_ref());
        }
        // The listener lives as long as the form element (the page); the closure must too.
        on_input.forget();
    }

    pub fn go_to_sign_in() {
        let (path, search) = here();
        let _ = leptos::prelude::window()
            .location()
            .set_href(&super::sign_in_path(&format!("{path}{search}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_hidden_fields_are_never_kept() {
        for kind in ["password", "PASSWORD", "hidden", "file", "submit"] {
            assert!(!keeps_input_type(kind), "{kind}");
        }
        for kind in ["text", "email", "url", "number", "checkbox", "date"] {
            assert!(keeps_input_type(kind), "{kind}");
        }
    }

    #[test]
    fn drafts_are_kept_per_page_and_form_and_sign_in_comes_back_here() {
        assert_eq!(
            draft_key("/acme/squads/1", "squad"),
            "performancy:draft:/acme/squads/1:squad"
        );
        assert_ne!(
            draft_key("/acme/settings", "company"),
            draft_key("/globex/settings", "company")
        );
        assert_eq!(
            sign_in_path("/profile?tab=1"),
            "/login?next=/profile%3Ftab%3D1"
        );
    }
}
