//! Tokens each provider call used and what they cost, for the `ai_usage` rows.
//!
//! Prices are data, not code: a TOML table of USD per million input and output tokens per model, so
//! a price change is a one-line edit (or a file the server reads) rather than a release. The shipped
//! table is `prompts/prices.toml`. Money is `rust_decimal`, so 1 234 tokens at $0.15 per million is
//! exactly $0.0001851, not a float that rounds differently in the database.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::config::Provider;

/// The price table shipped with the crate; see the file for its date and sources.
const DEFAULT_PRICES: &str = include_str!("../../prompts/prices.toml");

/// What one HTTP call that got an answer used, as the provider counted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub provider: Provider,
    /// The model asked for (the configured id, which is also the price table's key).
    pub model: String,
    pub prompt_tokens: u32,
    /// Output tokens billed, reasoning ("thinking") tokens included.
    pub completion_tokens: u32,
    /// The provider's own total where it gives one (OpenAI, Gemini); Anthropic gives none, so there
    /// it is input plus output.
    pub total_tokens: u32,
}

/// USD per million tokens for one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPrice {
    pub input_per_million: Decimal,
    pub output_per_million: Decimal,
}

/// An estimate of what a [`Usage`] cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostEstimate {
    /// Exact to the token; `ai_usage.estimated_cost_usd` (numeric(14,6)) rounds it on insert.
    pub estimated_cost_usd: Decimal,
    /// False when the model is not in the table: the cost is then 0, not a guess, and the caller can
    /// tell an unpriced model from a free call.
    pub priced: bool,
}

/// Prices per model id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PriceTable {
    models: BTreeMap<String, ModelPrice>,
}

/// A price table that is not valid TOML, has a misspelt field, or a negative price.
#[derive(Debug, thiserror::Error)]
pub enum PriceTableError {
    #[error("price table: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("price table: {model:?} has a negative price")]
    Negative { model: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceFile {
    #[serde(default)]
    models: BTreeMap<String, ModelPrice>,
}

const PER_MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

impl PriceTable {
    /// Reads `[models."gpt-4o-mini"] input_per_million = 0.15  output_per_million = 0.60` tables.
    /// Prices may be written as numbers or as strings ("0.15"); either is read as the exact decimal
    /// written.
    pub fn from_toml(text: &str) -> Result<Self, PriceTableError> {
        let file: PriceFile = toml::from_str(text)?;
        if let Some((model, _)) = file.models.iter().find(|(_, p)| {
            p.input_per_million.is_sign_negative() || p.output_per_million.is_sign_negative()
        }) {
            return Err(PriceTableError::Negative {
                model: model.clone(),
            });
        }
        Ok(Self {
            models: file.models,
        })
    }

    /// The table shipped in `prompts/prices.toml`.
    pub fn shipped() -> Result<Self, PriceTableError> {
        Self::from_toml(DEFAULT_PRICES)
    }

    pub fn price(&self, model: &str) -> Option<&ModelPrice> {
        self.models.get(model)
    }

    /// Every model priced, in name order.
    pub fn models(&self) -> impl Iterator<Item = (&str, &ModelPrice)> {
        self.models.iter().map(|(m, p)| (m.as_str(), p))
    }

    /// Input tokens at the input price plus output tokens at the output price; an unknown model
    /// costs 0 with `priced: false`.
    pub fn estimate(&self, usage: &Usage) -> CostEstimate {
        match self.price(&usage.model) {
            Some(price) => CostEstimate {
                estimated_cost_usd: (Decimal::from(usage.prompt_tokens) * price.input_per_million
                    + Decimal::from(usage.completion_tokens) * price.output_per_million)
                    / PER_MILLION,
                priced: true,
            },
            None => CostEstimate {
                estimated_cost_usd: Decimal::ZERO,
                priced: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn usd(text: &str) -> Decimal {
        Decimal::from_str(text).expect("a decimal literal")
    }

    fn usage(model: &str, prompt: u32, completion: u32) -> Usage {
        Usage {
            provider: Provider::OpenAi,
            model: model.to_owned(),
            prompt_tokens: prompt,
            completion_tokens: completion,
            total_tokens: prompt + completion,
        }
    }

    #[test]
    fn prices_written_as_numbers_or_strings_are_read_exactly() {
        let table = PriceTable::from_toml(
            r#"
            [models."gpt-4o-mini"]
            input_per_million = 0.15
            output_per_million = "0.60"

            [models."claude-haiku-4-5"]
            input_per_million = 1
            output_per_million = 5
            "#,
        )
        .expect("valid table");
        let mini = table.price("gpt-4o-mini").expect("priced");
        assert_eq!(mini.input_per_million, usd("0.15"));
        assert_eq!(mini.output_per_million, usd("0.6"));
        assert_eq!(
            table
                .price("claude-haiku-4-5")
                .map(|p| p.output_per_million),
            Some(usd("5"))
        );
    }

    #[test]
    fn cost_is_input_and_output_tokens_at_their_prices_to_the_exact_cent_fraction() {
        let table = PriceTable::from_toml(
            "[models.m]\ninput_per_million = 0.15\noutput_per_million = 0.60\n",
        )
        .expect("valid table");
        // 1 234 × 0.15 / 10⁶ = 0.0001851; 567 × 0.60 / 10⁶ = 0.0003402.
        let cost = table.estimate(&usage("m", 1_234, 567));
        assert!(cost.priced);
        assert_eq!(cost.estimated_cost_usd, usd("0.0005253"));

        let big = table.estimate(&usage("m", 2_000_000, 1_000_000));
        assert_eq!(big.estimated_cost_usd, usd("0.90"));
    }

    #[test]
    fn an_unknown_model_costs_nothing_and_says_it_was_not_priced() {
        let table =
            PriceTable::from_toml("[models.m]\ninput_per_million = 1\noutput_per_million = 2\n")
                .expect("valid table");
        let cost = table.estimate(&usage("some-new-model", 1_000, 1_000));
        assert_eq!(
            cost,
            CostEstimate {
                estimated_cost_usd: Decimal::ZERO,
                priced: false
            }
        );
    }

    #[test]
    fn a_misspelt_field_or_a_negative_price_is_rejected() {
        assert!(
            PriceTable::from_toml("[models.m]\ninput_per_milion = 1\noutput_per_million = 2\n")
                .is_err()
        );
        assert!(matches!(
            PriceTable::from_toml("[models.m]\ninput_per_million = -1\noutput_per_million = 2\n"),
            Err(PriceTableError::Negative { .. })
        ));
    }

    #[test]
    fn the_shipped_table_prices_models_of_every_provider() {
        let table = PriceTable::shipped().expect("prompts/prices.toml is valid");
        for model in ["gpt-4o-mini", "claude-haiku-4-5", "gemini-2.5-flash"] {
            assert!(table.price(model).is_some(), "{model} has no price");
        }
        assert_eq!(
            table.price("gpt-4o-mini").map(|p| p.input_per_million),
            Some(usd("0.15"))
        );
    }
}
