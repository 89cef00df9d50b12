//! The dashboard's charts as SVG markup, drawn on the server.
//!
//! Pages are server-rendered and must read without JavaScript, so a chart is a string of SVG that a
//! page puts in place with `inner_html` (`<div inner_html=svg/>` in Leptos). Each chart takes data already aggregated by the caller
//! (labels as given, amounts as [`Decimal`]) plus the words of the page's language, and returns
//! the same string for the same input, so its output can be compared in tests.
//!
//! Choices every chart shares, and why:
//! - **Accessibility.** The `<svg>` is a `role="group"` named by its first child, `<title>`, and
//!   described by its `<desc>`, holding a `role="list"` with one `listitem` per row. Every bar is a
//!   focusable (`tabindex="0"`) `role="img"` named by its own `<title>` ("Squad Norte: R$ 1.234,56;
//!   …"), which is also the tooltip on hover. `role="img"` on the whole `<svg>` was rejected: an
//!   image's children are presentational, so the bars would be hidden from screen readers and
//!   focusable content inside an image is an ARIA authoring error. A named image per bar is read
//!   as one graphic in both browse and focus mode, and since its own children are presentational
//!   the visible (possibly truncated) label is not read a second time; the list says how many rows
//!   there are. Names come from `<title>` children (SVG-AAM), not ids and `aria-labelledby`, so two
//!   charts on one page cannot take each other's names.
//! - **Content-Security-Policy.** The pages send `style-src 'self'` with no nonce for styles, so
//!   `style="…"` attributes and `<style>` elements would be dropped. Colours, sizes and anchors
//!   are SVG presentation attributes (`fill`, `stroke`, `font-size`, `text-anchor`), which CSP
//!   does not govern; text uses `currentColor` to follow the page. States that need CSS (the focus
//!   ring) are Tailwind classes on the elements. Tailwind only generates classes found in the files
//!   it scans, so the app's `style/tailwind.css` needs `@source "../crates/charts/src/**/*.rs";`;
//!   until then the browser's default outline marks the focused bar (Chrome, Firefox; Safari may
//!   draw none on SVG).
//! - **Layout.** A `viewBox` with `width="100%"` and no height: the chart scales with its
//!   container and keeps its proportions. Text width cannot be measured on the server, so labels
//!   are truncated with an ellipsis from an estimate of the glyph width, the full text staying in
//!   the bar's `<title>`. Rows stack (label above its bar), so long labels get the full width.
//! - **Values.** Bars start at zero on one scale per chart; a negative value draws no bar but its
//!   number is still shown (in rose), and a chart whose values are all zero draws empty tracks.
//!
//! ```
//! use charts::pipeline_by_stage::{self, PipelineByStage, StageValue};
//! use charts::{Decimal, Frame};
//! use domain::Locale;
//!
//! let svg = pipeline_by_stage::render(&PipelineByStage {
//!     frame: Frame {
//!         title: "Pipeline por etapa".into(),
//!         description: "Valor em aberto de cada etapa, na ordem do funil".into(),
//!         empty_message: "Sem dados no período".into(),
//!         currency: "BRL".into(),
//!         locale: Locale::PtBr,
//!     },
//!     stages: vec![StageValue {
//!         label: "Proposta".into(),
//!         open_value: Decimal::new(123_456, 2),
//!         deals: Some("3 negócios".into()),
//!     }],
//! });
//! assert!(svg.contains("<title>Proposta: R$\u{a0}1.234,56; 3 negócios</title>"));
//! ```

use domain::Locale;
pub use rust_decimal::Decimal;

mod layout;
mod markup;
pub mod pipeline_by_stage;
pub mod sparkline;
pub mod target_progress;
pub mod weighted_forecast;

/// What every chart needs besides its data: the page's words and how to write amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The chart's accessible name (`<title>`), e.g. "Receita ganha no mês por squad".
    pub title: String,
    /// A sentence saying what the chart shows (`<desc>`).
    pub description: String,
    /// Shown instead of the chart when there is no row, e.g. "Sem dados no período"; the empty
    /// chart's name is then "{title}: {empty_message}".
    pub empty_message: String,
    /// ISO 4217 code of the company's currency, e.g. `BRL`.
    pub currency: String,
    /// The reader's language, deciding how numbers are written.
    pub locale: Locale,
}
