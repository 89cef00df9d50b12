//! The weighted forecast: per stage (or per owner), the open value and the weighted value — each
//! deal's value times its stage's probability — as two bars one above the other.
//!
//! Two bars per row rather than one drawn over the other, so that neither hides the other and
//! each has its own number; the open bar is neutral slate, the weighted one indigo, and a legend
//! on top names them. Each bar is its own stop for the keyboard, named with its row and series.

use domain::format::format_money;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::Frame;
use crate::layout::{CHAR_WIDTH, Columns, PAD, Rect, Scale, text_width, truncate};
use crate::markup::{Anchor, Canvas, colour, empty_chart};

/// The chart's data and words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightedForecast {
    pub frame: Frame,
    /// The name of the open-value series, e.g. "Em aberto" / "Open".
    pub open_word: String,
    /// The name of the weighted series, e.g. "Ponderado" / "Weighted".
    pub weighted_word: String,
    /// In the order to draw them (the company's stage order, or owners by name).
    pub rows: Vec<ForecastRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastRow {
    pub label: String,
    pub open_value: Decimal,
    pub weighted_value: Decimal,
}

impl ForecastRow {
    /// A stage's row from its open value and its probability in percent (as stages store it);
    /// the weighted value is rounded to cents, half away from zero as `domain` formats. A probability above 100 counts as 100.
    pub fn from_probability(label: String, open_value: Decimal, probability: u32) -> Self {
        let share = Decimal::from(probability.min(100)) / Decimal::ONE_HUNDRED;
        ForecastRow {
            label,
            open_value,
            // |share| <= 1, so the product never exceeds the open value and cannot overflow.
            weighted_value: (open_value * share)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        }
    }
}

const LEGEND_HEIGHT: f64 = 24.0;
const SWATCH: f64 = 10.0;
const ROW_HEIGHT: f64 = 48.0;
const LABEL_BASELINE: f64 = 14.0;
const BAR_HEIGHT: f64 = 9.0;
/// Each series' bar top, ring top and number baseline, relative to the row.
const OPEN_BAR_TOP: f64 = 20.0;
const WEIGHTED_BAR_TOP: f64 = 33.0;
const RING_ABOVE_BAR: f64 = 2.0;
const RING_HEIGHT: f64 = 13.0;
const BASELINE_BELOW_BAR_TOP: f64 = 8.5;

/// One of a row's two bars.
struct Series<'a> {
    word: &'a str,
    amount: Decimal,
    text: &'a str,
    bar_top: f64,
    fill: &'static str,
    /// `data-part` of the bar, for tests and styling.
    part: &'static str,
}

/// The chart as an SVG element, or the empty state when there is no row.
pub fn render(chart: &WeightedForecast) -> String {
    if chart.rows.is_empty() {
        return empty_chart(&chart.frame);
    }
    let frame = &chart.frame;
    let money = |amount| format_money(amount, &frame.currency, frame.locale);
    let values: Vec<(String, String)> = chart
        .rows
        .iter()
        .map(|row| (money(row.open_value), money(row.weighted_value)))
        .collect();
    let columns = Columns::new(
        values
            .iter()
            .flat_map(|(open, weighted)| [open.as_str(), weighted.as_str()]),
    );
    let scale = Scale::new(
        chart
            .rows
            .iter()
            .flat_map(|row| [row.open_value, row.weighted_value]),
        columns.bar_length,
    );

    let height = LEGEND_HEIGHT + chart.rows.len() as f64 * ROW_HEIGHT;
    let mut canvas = Canvas::new(frame, columns.width, height);
    canvas.decoration(|canvas| {
        let mut x = PAD;
        for (word, fill) in [
            (&chart.open_word, colour::OPEN),
            (&chart.weighted_word, colour::VALUE),
        ] {
            let swatch = Rect {
                x,
                y: 5.0,
                width: SWATCH,
                height: SWATCH,
            };
            canvas.rect("legend", swatch, fill);
            canvas.text(x + SWATCH + 4.0, 14.0, Anchor::Start, colour::TEXT, word);
            x += SWATCH + 4.0 + text_width(word) + 2.0 * CHAR_WIDTH;
        }
    });

    canvas.begin_list();
    for (index, (row, (open, weighted))) in chart.rows.iter().zip(&values).enumerate() {
        let top = LEGEND_HEIGHT + index as f64 * ROW_HEIGHT;
        canvas.begin_row();
        // Read through the bars' names, which carry it whole.
        canvas.hidden_text(
            PAD,
            top + LABEL_BASELINE,
            colour::TEXT,
            &truncate(&row.label, columns.label_room(None)),
        );
        let bars = [
            Series {
                word: &chart.open_word,
                amount: row.open_value,
                text: open,
                bar_top: OPEN_BAR_TOP,
                fill: colour::OPEN,
                part: "open",
            },
            Series {
                word: &chart.weighted_word,
                amount: row.weighted_value,
                text: weighted,
                bar_top: WEIGHTED_BAR_TOP,
                fill: colour::VALUE,
                part: "weighted",
            },
        ];
        for series in bars {
            let bar_top = top + series.bar_top;
            let name = format!("{}, {}: {}", row.label, series.word, series.text);
            canvas.begin_bar(&name, columns.ring(bar_top - RING_ABOVE_BAR, RING_HEIGHT));
            let bar = |width| Rect {
                x: columns.bar_x,
                y: bar_top,
                width,
                height: BAR_HEIGHT,
            };
            canvas.rect("track", bar(columns.bar_length), colour::TRACK);
            canvas.rect(
                series.part,
                bar(scale.length_of(series.amount)),
                series.fill,
            );
            let text_fill = if series.amount < Decimal::ZERO {
                colour::NEGATIVE_TEXT
            } else {
                colour::TEXT
            };
            canvas.text(
                columns.value_x,
                bar_top + BASELINE_BELOW_BAR_TOP,
                Anchor::End,
                text_fill,
                series.text,
            );
            canvas.end();
        }
        canvas.end();
    }
    canvas.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_weighted_value_is_the_open_value_times_the_probability_rounded_to_cents() {
        let row = ForecastRow::from_probability("Proposta".into(), Decimal::new(1_000_001, 2), 25);
        assert_eq!(row.weighted_value, Decimal::new(250_000, 2));
        let certain = ForecastRow::from_probability("Ganho".into(), Decimal::from(10), 100);
        assert_eq!(certain.weighted_value, Decimal::from(10));
    }

    #[test]
    fn a_probability_above_one_hundred_counts_as_certain_and_cannot_overflow() {
        let row = ForecastRow::from_probability("X".into(), Decimal::MAX, 250);
        assert_eq!(row.weighted_value, Decimal::MAX);
    }
}
