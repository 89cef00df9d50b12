//! Writing the SVG by hand: escaping, coordinates, and the pieces every chart repeats
//! (the root with its title, the empty state, a focusable bar).
//!
//! The markup is small, and writing it directly keeps the one thing that must never slip — the
//! escaping of text that users typed — in one visible place: [`escape`].

use crate::Frame;
use crate::layout::{CHAR_WIDTH, FONT_SIZE, MIN_WIDTH, Rect};

/// The fixed palette, as presentation attributes (no CSS needed). Every colour a reader must tell
/// apart keeps at least 3:1 against white (WCAG 1.4.11); text defaults to the page's colour.
pub(crate) mod colour {
    /// slate-100: the track behind a bar, showing the full length of the scale.
    pub(crate) const TRACK: &str = "#f1f5f9";
    /// indigo-600: a value.
    pub(crate) const VALUE: &str = "#4f46e5";
    /// emerald-600: a value that reached its target.
    pub(crate) const REACHED: &str = "#059669";
    /// slate-500: the open value behind a weighted one.
    pub(crate) const OPEN: &str = "#64748b";
    /// slate-900: the target marker.
    pub(crate) const MARKER: &str = "#0f172a";
    /// slate-600: secondary text (targets, deal counts, the empty state).
    pub(crate) const MUTED_TEXT: &str = "#475569";
    /// rose-700: a negative amount.
    pub(crate) const NEGATIVE_TEXT: &str = "#be123c";
    pub(crate) const TEXT: &str = "currentColor";
}

/// The focusable bar: it carries Tailwind's `group`, so its ring (below) can react to its focus.
/// `focus:outline-none` as on the app's buttons: the ring replaces the browser's outline.
const BAR_CLASS: &str = "group focus:outline-none";
/// The ring around a bar: invisible until hovered or focused from the keyboard.
const RING_CLASS: &str = "group-hover:stroke-slate-300 group-focus-visible:stroke-indigo-500";

/// Text for XML content and attribute values. Characters XML 1.0 forbids (most C0 controls)
/// are dropped, since one of them in a squad name would make the whole chart unreadable.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\u{0}'..='\u{8}'
            | '\u{b}'
            | '\u{c}'
            | '\u{e}'..='\u{1f}'
            | '\u{fffe}'
            | '\u{ffff}' => {}
            _ => out.push(ch),
        }
    }
    out
}

/// A coordinate with at most two decimals and no trailing zeros: `12.5`, `0`, `100`.
pub(crate) fn num(value: f64) -> String {
    let fixed = format!("{value:.2}");
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The `<svg>` element, named by its first `<title>` child and described by its `<desc>` child
/// (SVG Accessibility API Mappings). No ids and no `aria-labelledby`: two charts on one page then
/// cannot take each other's names, whatever the caller passes.
fn root(width: f64, height: f64, role: &str, title: &str, description: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" \
         font-size=\"{FONT_SIZE}\" fill=\"{text}\" role=\"{role}\">\
         <title>{title}</title><desc>{description}</desc>",
        w = num(width),
        h = num(height),
        text = colour::TEXT,
        title = escape(title),
        description = escape(description),
    )
}

/// The chart for no rows: one image, whose name is the title followed by the caller's message so
/// that the message is heard even where descriptions are not read.
pub(crate) fn empty_chart(frame: &Frame) -> String {
    let width = MIN_WIDTH.max(frame.empty_message.chars().count() as f64 * CHAR_WIDTH + 16.0);
    let name = format!("{}: {}", frame.title, frame.empty_message);
    let mut out = root(width, 48.0, "img", &name, &frame.description);
    out.push_str(&format!(
        "<text x=\"{x}\" y=\"28\" text-anchor=\"middle\" fill=\"{fill}\">{message}</text></svg>",
        x = num(width / 2.0),
        fill = colour::MUTED_TEXT,
        message = escape(&frame.empty_message),
    ));
    out
}

/// Where text is anchored on its `x`.
#[derive(Clone, Copy)]
pub(crate) enum Anchor {
    Start,
    End,
}

/// A chart being written: a `role="group"` root holding a `role="list"` of rows.
pub(crate) struct Canvas {
    out: String,
}

impl Canvas {
    /// Opens the root; `width` and `height` are the viewBox, in the units of [`crate::layout`].
    pub(crate) fn new(frame: &Frame, width: f64, height: f64) -> Self {
        Canvas {
            out: root(width, height, "group", &frame.title, &frame.description),
        }
    }

    /// Content hidden from assistive technology because each bar's name already says it (a
    /// legend). Comes before [`Canvas::begin_list`].
    pub(crate) fn decoration(&mut self, draw: impl FnOnce(&mut Canvas)) {
        self.out.push_str("<g aria-hidden=\"true\">");
        draw(self);
        self.out.push_str("</g>");
    }

    /// Opens the list of rows, which [`Canvas::finish`] closes.
    pub(crate) fn begin_list(&mut self) {
        self.out.push_str("<g role=\"list\">");
    }

    pub(crate) fn begin_row(&mut self) {
        self.out.push_str("<g role=\"listitem\">");
    }

    /// Opens a focusable bar named `name` (its tooltip too); `ring` is the area it highlights
    /// on hover and focus, and receives the pointer.
    pub(crate) fn begin_bar(&mut self, name: &str, ring: Rect) {
        self.out.push_str(&format!(
            "<g role=\"img\" tabindex=\"0\" class=\"{BAR_CLASS}\"><title>{name}</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"4\" fill=\"#ffffff\" \
             fill-opacity=\"0\" stroke=\"none\" stroke-width=\"2\" class=\"{RING_CLASS}\"/>",
            name = escape(name),
            x = num(ring.x),
            y = num(ring.y),
            w = num(ring.width),
            h = num(ring.height),
        ));
    }

    /// Closes the innermost bar or row.
    pub(crate) fn end(&mut self) {
        self.out.push_str("</g>");
    }

    /// A filled rectangle; `part` names it for tests and styling (`value`, `track`, …).
    pub(crate) fn rect(&mut self, part: &str, area: Rect, fill: &str) {
        self.out.push_str(&format!(
            "<rect data-part=\"{part}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"2\" fill=\"{fill}\"/>",
            x = num(area.x),
            y = num(area.y),
            w = num(area.width.max(0.0)),
            h = num(area.height),
        ));
    }

    /// A vertical line from `top` to `bottom` at `x`.
    pub(crate) fn marker(&mut self, x: f64, top: f64, bottom: f64) {
        self.out.push_str(&format!(
            "<line data-part=\"target\" x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{bottom}\" stroke=\"{stroke}\" stroke-width=\"2\"/>",
            x = num(x),
            top = num(top),
            bottom = num(bottom),
            stroke = colour::MARKER,
        ));
    }

    pub(crate) fn text(&mut self, x: f64, y: f64, anchor: Anchor, fill: &str, content: &str) {
        let anchor = match anchor {
            Anchor::Start => "",
            Anchor::End => " text-anchor=\"end\"",
        };
        self.out.push_str(&format!(
            "<text x=\"{x}\" y=\"{y}\"{anchor} fill=\"{fill}\">{content}</text>",
            x = num(x),
            y = num(y),
            content = escape(content),
        ));
    }

    /// Text that assistive technology skips, because the bars' names carry it in full.
    pub(crate) fn hidden_text(&mut self, x: f64, y: f64, fill: &str, content: &str) {
        self.out.push_str("<g aria-hidden=\"true\">");
        self.text(x, y, Anchor::Start, fill, content);
        self.out.push_str("</g>");
    }

    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</g></svg>");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_and_quotes_are_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn control_characters_that_xml_forbids_are_dropped_but_accents_and_emoji_stay() {
        assert_eq!(escape("Sq\u{0}ua\u{1b}d\tÁgua 🚀"), "Squad\tÁgua 🚀");
    }

    #[test]
    fn coordinates_have_no_trailing_zeros_and_no_negative_zero() {
        assert_eq!(num(100.0), "100");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(1.0 / 3.0), "0.33");
        assert_eq!(num(-0.001), "0");
    }
}
