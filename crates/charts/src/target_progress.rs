//! Won revenue this month against target, one row per squad (a bullet chart).
//!
//! Every squad is drawn on one scale, from zero to the largest of all won values and targets, so
//! squads compare with each other as well as with their own target. A row is the squad's name,
//! its target in words at the right, then the won bar with the target as a dark marker across it
//! and the amount with the share of the target. A squad that reached its target has an emerald
//! bar; one without a target has no marker and no share; a target of zero has its marker at zero
//! and no share, since a share of nothing means nothing.

use domain::format::{format_money, format_percent};
use rust_decimal::Decimal;

use crate::Frame;
use crate::layout::{Columns, PAD, Rect, Scale, truncate};
use crate::markup::{Anchor, Canvas, colour, empty_chart};

/// The chart's data and words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetProgress {
    pub frame: Frame,
    /// The word before a target amount, e.g. "meta" / "target".
    pub target_word: String,
    /// In the order to draw them.
    pub squads: Vec<SquadProgress>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SquadProgress {
    pub label: String,
    pub won: Decimal,
    pub target: Option<Decimal>,
}

const ROW_HEIGHT: f64 = 40.0;
const LABEL_BASELINE: f64 = 14.0;
const BAR_TOP: f64 = 20.0;
const BAR_HEIGHT: f64 = 10.0;
/// The marker overhangs the bar by this much above and below.
const MARKER_OVERHANG: f64 = 3.0;
const VALUE_BASELINE: f64 = 29.0;

/// Share of the target in percent, when the target is positive.
fn share_of_target(won: Decimal, target: Decimal) -> Option<Decimal> {
    if target <= Decimal::ZERO {
        return None;
    }
    won.checked_div(target)?.checked_mul(Decimal::ONE_HUNDRED)
}

/// One squad's words, worked out before layout because the number column's width depends on them.
struct RowText {
    /// The number beside the bar: `R$ 1.234,56 (62%)`.
    value: String,
    /// The target at the right of the label line: `meta R$ 2.000,00`.
    target: Option<String>,
    /// The bar's accessible name and tooltip.
    name: String,
}

fn row_text(chart: &TargetProgress, squad: &SquadProgress) -> RowText {
    let locale = chart.frame.locale;
    let money = |amount| format_money(amount, &chart.frame.currency, locale);
    let won = money(squad.won);
    let share = squad
        .target
        .and_then(|target| share_of_target(squad.won, target))
        .map(|share| format_percent(share, 0, locale));
    let value = match &share {
        Some(share) => format!("{won} ({share})"),
        None => won,
    };
    let target = squad
        .target
        .map(|target| format!("{} {}", chart.target_word, money(target)));
    let name = match &target {
        Some(target) => format!("{}: {value}; {target}", squad.label),
        None => format!("{}: {value}", squad.label),
    };
    RowText {
        value,
        target,
        name,
    }
}

/// The chart as an SVG element, or the empty state when there is no squad.
pub fn render(chart: &TargetProgress) -> String {
    if chart.squads.is_empty() {
        return empty_chart(&chart.frame);
    }
    let texts: Vec<RowText> = chart
        .squads
        .iter()
        .map(|squad| row_text(chart, squad))
        .collect();
    let columns = Columns::new(texts.iter().map(|text| text.value.as_str()));
    let scale = Scale::new(
        chart
            .squads
            .iter()
            .flat_map(|squad| [Some(squad.won), squad.target])
            .flatten(),
        columns.bar_length,
    );

    let mut canvas = Canvas::new(
        &chart.frame,
        columns.width,
        chart.squads.len() as f64 * ROW_HEIGHT,
    );
    canvas.begin_list();
    for (index, (squad, text)) in chart.squads.iter().zip(&texts).enumerate() {
        let top = index as f64 * ROW_HEIGHT;
        canvas.begin_row();
        canvas.begin_bar(&text.name, columns.ring(top + 1.0, ROW_HEIGHT - 4.0));

        let label_room = columns.label_room(text.target.as_deref());
        canvas.text(
            PAD,
            top + LABEL_BASELINE,
            Anchor::Start,
            colour::TEXT,
            &truncate(&squad.label, label_room),
        );
        if let Some(target) = &text.target {
            canvas.text(
                columns.value_x,
                top + LABEL_BASELINE,
                Anchor::End,
                colour::MUTED_TEXT,
                target,
            );
        }

        let bar = |width| Rect {
            x: columns.bar_x,
            y: top + BAR_TOP,
            width,
            height: BAR_HEIGHT,
        };
        canvas.rect("track", bar(columns.bar_length), colour::TRACK);
        let reached = squad
            .target
            .is_some_and(|target| target > Decimal::ZERO && squad.won >= target);
        let fill = if reached {
            colour::REACHED
        } else {
            colour::VALUE
        };
        canvas.rect("value", bar(scale.length_of(squad.won)), fill);
        if let Some(target) = squad.target {
            canvas.marker(
                columns.bar_x + scale.length_of(target),
                top + BAR_TOP - MARKER_OVERHANG,
                top + BAR_TOP + BAR_HEIGHT + MARKER_OVERHANG,
            );
        }
        let value_fill = if squad.won < Decimal::ZERO {
            colour::NEGATIVE_TEXT
        } else {
            colour::TEXT
        };
        canvas.text(
            columns.value_x,
            top + VALUE_BASELINE,
            Anchor::End,
            value_fill,
            &text.value,
        );

        canvas.end();
        canvas.end();
    }
    canvas.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Locale;

    fn frame(locale: Locale) -> Frame {
        Frame {
            title: "Receita ganha".into(),
            description: "Por squad".into(),
            empty_message: "Sem dados".into(),
            currency: "BRL".into(),
            locale,
        }
    }

    #[test]
    fn the_share_of_a_target_is_a_percentage_and_absent_for_a_zero_or_negative_target() {
        let share = |won: i64, target: i64| share_of_target(won.into(), target.into());
        assert_eq!(share(50, 200), Some(Decimal::from(25)));
        assert_eq!(share(300, 200), Some(Decimal::from(150)));
        assert_eq!(share(-50, 200), Some(Decimal::from(-25)));
        assert_eq!(share(50, 0), None);
        assert_eq!(share(50, -10), None);
    }

    #[test]
    fn a_bars_name_has_the_squad_the_amount_the_share_and_the_target_in_the_readers_language() {
        let chart = TargetProgress {
            frame: frame(Locale::En),
            target_word: "target".into(),
            squads: vec![],
        };
        let squad = SquadProgress {
            label: "Norte".into(),
            won: Decimal::new(123_456, 2),
            target: Some(Decimal::from(2000)),
        };
        assert_eq!(
            row_text(&chart, &squad).name,
            "Norte: R$1,234.56 (62%); target R$2,000.00"
        );
        let without_target = SquadProgress {
            target: None,
            ..squad
        };
        assert_eq!(row_text(&chart, &without_target).name, "Norte: R$1,234.56");
    }
}
