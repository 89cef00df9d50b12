//! Open pipeline value per stage, in the company's stage order, with the number of deals when the
//! caller has it.
//!
//! Horizontal bars, because stage names are the company's own and can be long: each row is the
//! stage's name (with the deal count at the right), then its bar and amount.

use domain::format::format_money;
use rust_decimal::Decimal;

use crate::Frame;
use crate::layout::{Columns, PAD, Rect, Scale, truncate};
use crate::markup::{Anchor, Canvas, colour, empty_chart};

/// The chart's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineByStage {
    pub frame: Frame,
    /// In the company's stage order, which is the order drawn.
    pub stages: Vec<StageValue>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageValue {
    pub label: String,
    pub open_value: Decimal,
    /// The deal count already in words, e.g. "12 negócios" / "1 deal" (plurals are the page's).
    pub deals: Option<String>,
}

const ROW_HEIGHT: f64 = 40.0;
const LABEL_BASELINE: f64 = 14.0;
const BAR_TOP: f64 = 20.0;
const BAR_HEIGHT: f64 = 10.0;
const VALUE_BASELINE: f64 = 29.0;

/// The chart as an SVG element, or the empty state when there is no stage.
pub fn render(chart: &PipelineByStage) -> String {
    if chart.stages.is_empty() {
        return empty_chart(&chart.frame);
    }
    let frame = &chart.frame;
    let values: Vec<String> = chart
        .stages
        .iter()
        .map(|stage| format_money(stage.open_value, &frame.currency, frame.locale))
        .collect();
    let columns = Columns::new(values.iter().map(String::as_str));
    let scale = Scale::new(
        chart.stages.iter().map(|stage| stage.open_value),
        columns.bar_length,
    );

    let mut canvas = Canvas::new(frame, columns.width, chart.stages.len() as f64 * ROW_HEIGHT);
    canvas.begin_list();
    for (index, (stage, value)) in chart.stages.iter().zip(&values).enumerate() {
        let top = index as f64 * ROW_HEIGHT;
        let name = match &stage.deals {
            Some(deals) => format!("{}: {value}; {deals}", stage.label),
            None => format!("{}: {value}", stage.label),
        };
        canvas.begin_row();
        canvas.begin_bar(&name, columns.ring(top + 1.0, ROW_HEIGHT - 4.0));

        canvas.text(
            PAD,
            top + LABEL_BASELINE,
            Anchor::Start,
            colour::TEXT,
            &truncate(&stage.label, columns.label_room(stage.deals.as_deref())),
        );
        if let Some(deals) = &stage.deals {
            canvas.text(
                columns.value_x,
                top + LABEL_BASELINE,
                Anchor::End,
                colour::MUTED_TEXT,
                deals,
            );
        }
        let bar = |width| Rect {
            x: columns.bar_x,
            y: top + BAR_TOP,
            width,
            height: BAR_HEIGHT,
        };
        canvas.rect("track", bar(columns.bar_length), colour::TRACK);
        canvas.rect(
            "value",
            bar(scale.length_of(stage.open_value)),
            colour::VALUE,
        );
        let value_fill = if stage.open_value < Decimal::ZERO {
            colour::NEGATIVE_TEXT
        } else {
            colour::TEXT
        };
        canvas.text(
            columns.value_x,
            top + VALUE_BASELINE,
            Anchor::End,
            value_fill,
            value,
        );

        canvas.end();
        canvas.end();
    }
    canvas.finish()
}
