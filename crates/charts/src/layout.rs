//! Where things go: the columns of a row, the scale from amounts to lengths, and how much text fits.
//!
//! Units are the viewBox's. The chart is drawn at least [`MIN_WIDTH`] wide and scaled by the
//! browser to its container, so a 12-unit font reads as 12 px in a 400 px card. The server cannot
//! measure text, so widths are estimated from [`CHAR_WIDTH`], a slightly generous average advance
//! for the UI font: an estimate that errs truncates a label one character early rather than
//! letting it run into a number.

use std::borrow::Cow;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

pub(crate) const MIN_WIDTH: f64 = 400.0;
pub(crate) const FONT_SIZE: f64 = 12.0;
pub(crate) const CHAR_WIDTH: f64 = 7.0;
/// Margin on both sides, so a focus ring drawn around a row is not clipped by the viewBox.
pub(crate) const PAD: f64 = 4.0;
/// Space between a bar and its number, or a label and its note.
pub(crate) const GAP: f64 = 8.0;
/// Bars never get shorter than this; very long numbers widen the chart instead.
const MIN_BAR_LENGTH: f64 = 160.0;
/// Labels keep at least this many characters, ellipsis included.
const MIN_LABEL_CHARS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

pub(crate) fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_WIDTH
}

/// `text` cut to fit `width`, ending in an ellipsis when cut.
pub(crate) fn truncate(text: &str, width: f64) -> Cow<'_, str> {
    let fits = ((width / CHAR_WIDTH).floor().max(0.0) as usize).max(MIN_LABEL_CHARS);
    if text.chars().count() <= fits {
        return Cow::Borrowed(text);
    }
    let kept: String = text.chars().take(fits - 1).collect();
    Cow::Owned(format!("{}…", kept.trim_end()))
}

/// The horizontal layout shared by every row of a chart: bars from the left margin, numbers
/// right-aligned in a column as wide as the longest of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Columns {
    /// The viewBox width.
    pub(crate) width: f64,
    /// Where the bars start.
    pub(crate) bar_x: f64,
    /// The length of a bar at the scale's maximum.
    pub(crate) bar_length: f64,
    /// Where the numbers end (they are anchored at their end).
    pub(crate) value_x: f64,
}

impl Columns {
    pub(crate) fn new<'a>(value_texts: impl IntoIterator<Item = &'a str>) -> Self {
        let value_column = value_texts.into_iter().map(text_width).fold(0.0, f64::max);
        let width = MIN_WIDTH.max(2.0 * PAD + MIN_BAR_LENGTH + GAP + value_column);
        Columns {
            width,
            bar_x: PAD,
            bar_length: width - 2.0 * PAD - GAP - value_column,
            value_x: width - PAD,
        }
    }

    /// The room for a label on a row's first line, beside an optional note anchored at the right.
    pub(crate) fn label_room(&self, note: Option<&str>) -> f64 {
        let note = note.map_or(0.0, |note| text_width(note) + GAP);
        self.width - 2.0 * PAD - note
    }

    /// A focus ring spanning the whole width, from `top`, `height` high.
    pub(crate) fn ring(&self, top: f64, height: f64) -> Rect {
        Rect {
            x: 1.0,
            y: top,
            width: self.width - 2.0,
            height,
        }
    }
}

/// Amounts to bar lengths, from zero to the largest amount of the chart. Negative amounts and a
/// chart whose amounts are all zero or less give no length at all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    max: Decimal,
    length: f64,
}

impl Scale {
    pub(crate) fn new(amounts: impl IntoIterator<Item = Decimal>, length: f64) -> Self {
        let max = amounts.into_iter().fold(Decimal::ZERO, Decimal::max);
        Scale { max, length }
    }

    pub(crate) fn length_of(&self, amount: Decimal) -> f64 {
        if amount <= Decimal::ZERO || self.max <= Decimal::ZERO {
            return 0.0;
        }
        // Both positive and `amount <= max`, so the quotient lies in (0, 1]; every Decimal
        // converts to f64, and the float only has to place a pixel.
        match (amount / self.max).to_f64() {
            Some(share) => share.min(1.0) * self.length,
            None => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(value: i64) -> Decimal {
        Decimal::from(value)
    }

    #[test]
    fn lengths_are_proportional_to_amounts_with_the_largest_filling_the_bar() {
        let scale = Scale::new([dec(200), dec(50), dec(100)], 300.0);
        assert_eq!(scale.length_of(dec(200)), 300.0);
        assert_eq!(scale.length_of(dec(100)), 150.0);
        assert_eq!(scale.length_of(dec(50)), 75.0);
    }

    #[test]
    fn negative_and_zero_amounts_have_no_length_and_an_all_zero_chart_does_not_divide_by_zero() {
        let scale = Scale::new([dec(-10), dec(0), dec(40)], 100.0);
        assert_eq!(scale.length_of(dec(-10)), 0.0);
        assert_eq!(scale.length_of(dec(0)), 0.0);
        let nothing = Scale::new([dec(0), dec(-5)], 100.0);
        assert_eq!(nothing.length_of(dec(0)), 0.0);
        assert_eq!(nothing.length_of(dec(-5)), 0.0);
    }

    #[test]
    fn amounts_near_the_decimal_limit_still_scale() {
        let scale = Scale::new([Decimal::MAX, Decimal::MAX / dec(4)], 200.0);
        assert_eq!(scale.length_of(Decimal::MAX), 200.0);
        assert!((scale.length_of(Decimal::MAX / dec(4)) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn long_labels_end_in_an_ellipsis_and_short_ones_are_untouched() {
        assert_eq!(truncate("Inside Sales", 100.0), "Inside Sales");
        // 77 units hold 11 characters: ten kept, then the ellipsis.
        assert_eq!(truncate("Enterprise Nordeste", 77.0), "Enterprise…");
        assert_eq!(truncate("Enterprise Nordeste", 0.0), "Enter…");
    }

    #[test]
    fn a_long_number_widens_the_chart_instead_of_squeezing_the_bars() {
        let narrow = Columns::new(["R$ 1,00"]);
        assert_eq!(narrow.width, MIN_WIDTH);
        let wide = Columns::new(["R$ 79.228.162.514.264.337.593.543.950.335,00"]);
        assert_eq!(wide.bar_length, MIN_BAR_LENGTH);
        assert!(wide.width > MIN_WIDTH);
    }
}
