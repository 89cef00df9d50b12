//! A word-sized trend line (won revenue week by week, say) to sit beside a number.
//!
//! It shows a shape, not values, so it is one image whose name is the caller's sentence (which
//! should say the numbers that matter: "de R$ 10.000,00 a R$ 14.000,00 em 8 semanas"). It is not
//! focusable: there is nothing more to read inside it. The line is `currentColor`, so a class on
//! the element around it (`text-emerald-600`) colours it.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::markup::{escape, num};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sparkline {
    /// The accessible name: what the line shows, with its numbers.
    pub label: String,
    /// Oldest first.
    pub values: Vec<Decimal>,
}

const WIDTH: f64 = 100.0;
const HEIGHT: f64 = 24.0;
/// Keeps the stroke inside the box at the highest and lowest points.
const INSET: f64 = 2.0;

/// The sparkline as an SVG element; with no value it is only its name, with one a dot.
pub fn render(sparkline: &Sparkline) -> String {
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"100%\" \
         role=\"img\"><title>{}</title>",
        escape(&sparkline.label)
    );
    // Only the shape matters, so floats are fine; every Decimal converts to one.
    let values: Vec<f64> = sparkline
        .values
        .iter()
        .map(|value| value.to_f64().unwrap_or(0.0))
        .collect();
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let y = |value: f64| {
        if high > low {
            HEIGHT - INSET - (value - low) / (high - low) * (HEIGHT - 2.0 * INSET)
        } else {
            HEIGHT / 2.0
        }
    };
    match values.as_slice() {
        [] => {}
        [only] => out.push_str(&format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"2\" fill=\"currentColor\"/>",
            num(WIDTH / 2.0),
            num(y(*only))
        )),
        _ => {
            let step = (WIDTH - 2.0 * INSET) / (values.len() - 1) as f64;
            let points: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(i, value)| format!("{},{}", num(INSET + i as f64 * step), num(y(*value))))
                .collect();
            out.push_str(&format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" \
                 stroke-linejoin=\"round\" stroke-linecap=\"round\" vector-effect=\"non-scaling-stroke\"/>",
                points.join(" ")
            ));
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(values: &[i64]) -> String {
        render(&Sparkline {
            label: "Receita & meta".into(),
            values: values.iter().map(|v| Decimal::from(*v)).collect(),
        })
    }

    #[test]
    fn the_lowest_point_sits_at_the_bottom_and_the_highest_at_the_top() {
        let svg = line(&[10, 30, 20]);
        assert!(svg.contains("points=\"2,22 50,2 98,12\""), "{svg}");
        assert!(svg.contains("<title>Receita &amp; meta</title>"));
    }

    #[test]
    fn a_flat_series_is_a_line_across_the_middle_and_a_single_value_is_a_dot() {
        assert!(line(&[5, 5]).contains("points=\"2,12 98,12\""));
        assert!(line(&[5]).contains("<circle cx=\"50\" cy=\"12\""));
        let nothing = line(&[]);
        assert!(!nothing.contains("<polyline") && !nothing.contains("<circle"));
    }
}
