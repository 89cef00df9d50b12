//! The browser entry point: hydrates the server-rendered page. Nothing else lives here.

// The views of the app are deeply nested generic types; computing their layout needs more depth.
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
