//! Pipeline stages, leads and deals, shaped for the dashboards that read them.
//!
//! The distributions are chosen for what a demo must show: deals in every stage, revenue won in
//! the current month (so "won vs target" has a bar), wins and losses spread over six months (so
//! trends have a line), a few proposals stuck for over a month (so DEAL_STUCK fires), leads with
//! and without owners (so an agent's view differs from a director's), and external ids namespaced
//! by source as CRM imports write them. Leads and deals are produced one at a time, so the scale
//! tenant can generate and insert them in batches without holding every row in memory.

use chrono::{DateTime, Duration, Utc};
use domain::StageKind;
use rand::Rng;
use rand::seq::SliceRandom;
use rust_decimal::Decimal;
use serde_json::json;

use crate::calendar::{DemoCalendar, cuid};
use crate::offering::Offering;
use crate::people::Seller;
use domain::pipeline::DEFAULT_STAGES;

use crate::rows::{DealRow, LeadRow, StageRow};
use crate::transcripts::business_email;
use crate::vocabulary::{
    CITIES, COMPANY_SIZES, COMPANY_SUFFIXES, LEAD_SOURCES, LEAD_STATUSES, POSITIONS, SECTORS,
    SURNAMES, mobile_phone, person_name, pick,
};

/// Relative frequency of each default stage among generated deals, in the same order.
const STAGE_WEIGHTS: [u32; 6] = [14, 15, 18, 11, 26, 16];

const PROPOSAL: usize = 2;
const WON: usize = 4;
const LOST: usize = 5;

const LOSS_REASONS: &[&str] = &[
    "Preço",
    "Escolheu concorrente",
    "Sem orçamento",
    "Timing",
    "Sem resposta",
    "Fez internamente",
];

pub fn stage_rows<R: Rng>(rng: &mut R) -> Vec<StageRow> {
    DEFAULT_STAGES
        .iter()
        .zip(1..)
        .map(|(stage, position)| StageRow {
            id: cuid(rng),
            key: stage.key,
            name: stage.name,
            position,
            probability: Decimal::from(stage.probability),
            kind: stage.kind,
        })
        .collect()
}

/// What deals and conversations need to know of a lead once its row has been written.
pub struct LeadRef {
    pub id: String,
    /// Index into the company's sellers.
    pub owner: Option<u32>,
    pub name: String,
    pub email: String,
    pub company: String,
    pub created_at: DateTime<Utc>,
    pub from_hubspot: bool,
}

/// "Transportes Ribeiro Ltda" → "Transportes Ribeiro", for deal titles.
/// The longest matching suffix wins, so "& Filhos Ltda" goes whole rather than just "Ltda".
fn without_legal_suffix(company: &str) -> &str {
    COMPANY_SUFFIXES
        .iter()
        .filter_map(|suffix| company.strip_suffix(suffix).map(str::trim_end))
        .min_by_key(|rest| rest.len())
        .unwrap_or(company)
}

/// Makes leads one at a time; `index` keeps external ids unique within the company.
pub struct LeadGenerator<'a> {
    calendar: DemoCalendar,
    sellers: &'a [Seller],
    offering: &'a Offering,
    index: u64,
}

impl<'a> LeadGenerator<'a> {
    pub fn new(calendar: DemoCalendar, sellers: &'a [Seller], offering: &'a Offering) -> Self {
        Self {
            calendar,
            sellers,
            offering,
            index: 0,
        }
    }

    pub fn next_lead<R: Rng>(&mut self, rng: &mut R) -> (LeadRow, LeadRef) {
        self.index += 1;
        let person = person_name(rng);
        let sector = pick(rng, SECTORS);
        let company = format!(
            "{} {} {}",
            pick(rng, sector.name_prefixes),
            pick(rng, SURNAMES),
            pick(rng, COMPANY_SUFFIXES)
        );
        let city = pick(rng, CITIES);
        let email = business_email(&person, &company);
        let owner = (!self.sellers.is_empty() && rng.random_bool(0.88))
            .then(|| rng.random_range(0..self.sellers.len()) as u32);
        let origin = rng.random_range(0..100);
        let external_id = match origin {
            0..=59 => Some(format!(
                "hubspot:{}",
                4_100_000 + self.index * 3 + rng.random_range(0..3)
            )),
            60..=69 => Some(format!("csv:LD-{:06}", self.index)),
            _ => None,
        };
        let mut custom_fields = json!({
            "segmento": sector.label,
            "porte": pick(rng, COMPANY_SIZES),
            "cidade": city.name,
            "uf": city.state,
            "funcionarios": rng.random_range(8..2400),
        });
        if rng.random_bool(0.3) {
            custom_fields["concorrente_atual"] = json!(pick(rng, self.offering.competitors));
        }
        let created_at = self.calendar.moment_within(rng, 3..270);
        let row = LeadRow {
            id: cuid(rng),
            external_id,
            name: person.clone(),
            email: rng.random_bool(0.93).then(|| email.clone()),
            phone: rng
                .random_bool(0.85)
                .then(|| mobile_phone(rng, city.area_code)),
            company_name: Some(company.clone()),
            position: rng
                .random_bool(0.9)
                .then(|| (*pick(rng, POSITIONS)).to_owned()),
            source: Some((*pick(rng, LEAD_SOURCES)).to_owned()),
            status: Some((*pick(rng, LEAD_STATUSES)).to_owned()),
            lead_score: rng
                .random_bool(0.85)
                .then(|| f64::from(rng.random_range(50..985_u32)) / 10.0),
            custom_fields_json: custom_fields.to_string(),
            owner_id: owner.map(|i| self.sellers[i as usize].user_id.clone()),
            created_at,
        };
        let lead = LeadRef {
            id: row.id.clone(),
            owner,
            name: person,
            email,
            company,
            created_at,
            from_hubspot: origin < 60,
        };
        (row, lead)
    }
}

/// Makes deals one at a time over already-written leads.
pub struct DealGenerator<'a> {
    calendar: DemoCalendar,
    sellers: &'a [Seller],
    offering: &'a Offering,
    /// Leads in the order deals take them: each lead gets at most one deal while there are enough.
    lead_order: Vec<u32>,
    made: usize,
    /// Wins still to place in the current month, so the month's revenue is never empty.
    wins_this_month_left: usize,
    usd_left: usize,
}

impl<'a> DealGenerator<'a> {
    pub fn new<R: Rng>(
        rng: &mut R,
        calendar: DemoCalendar,
        sellers: &'a [Seller],
        offering: &'a Offering,
        lead_count: usize,
        deal_count: usize,
        usd_deals: usize,
    ) -> Self {
        let mut lead_order: Vec<u32> = (0..lead_count as u32).collect();
        lead_order.shuffle(rng);
        Self {
            calendar,
            sellers,
            offering,
            lead_order,
            made: 0,
            wins_this_month_left: (deal_count * 4 / 100).max(5),
            usd_left: usd_deals,
        }
    }

    /// The lead index the next deal belongs to.
    pub fn next_lead_index<R: Rng>(&self, rng: &mut R) -> usize {
        match self.lead_order.get(self.made) {
            Some(index) => *index as usize,
            None => rng.random_range(0..self.lead_order.len()),
        }
    }

    /// The next deal on `lead`, with its owner as an index into the sellers.
    pub fn next_deal<R: Rng>(&mut self, rng: &mut R, lead: &LeadRef) -> (DealRow, Option<u32>) {
        let index = self.made;
        self.made += 1;
        // The first six deals take one stage each, so every stage has deals however few are made.
        let stage_index = if index < DEFAULT_STAGES.len() {
            index
        } else {
            weighted_stage(rng)
        };
        let stage = &DEFAULT_STAGES[stage_index];
        let owner = match lead.owner {
            Some(owner) => Some(owner as usize),
            None if !self.sellers.is_empty() && rng.random_bool(0.6) => {
                Some(rng.random_range(0..self.sellers.len()))
            }
            None => None,
        };
        let item = *pick(rng, self.offering.deal_items);
        let usd = stage.kind == StageKind::Open && self.usd_left > 0 && rng.random_bool(0.2);
        if usd {
            self.usd_left -= 1;
        }
        let (value, currency) = if usd {
            (log_uniform(rng, 8_000.0, 60_000.0), "USD")
        } else {
            (log_uniform(rng, 5_000.0, 250_000.0), "BRL")
        };

        let today = self.calendar.today();
        let (created_at, stage_changed_at, expected_close_at, closed_at) = match stage_index {
            WON | LOST => {
                let closed_days_ago = if stage_index == WON && self.wins_this_month_left > 0 {
                    self.wins_this_month_left -= 1;
                    rng.random_range(0..=(today - self.calendar.month_start()).num_days())
                } else {
                    rng.random_range(0..180)
                };
                let closed = self.calendar.moment_days_ago(rng, closed_days_ago);
                let created = closed - Duration::days(rng.random_range(12..120));
                (created, closed, Some(closed), Some(closed))
            }
            _ => {
                let in_stage_days = if stage_index == PROPOSAL && rng.random_bool(0.35) {
                    rng.random_range(31..80)
                } else {
                    rng.random_range(0..26)
                };
                let changed = self.calendar.moment_days_ago(rng, in_stage_days);
                let created = changed - Duration::days(rng.random_range(0..45));
                let expected = self
                    .calendar
                    .start_of(today + Duration::days(rng.random_range(-10..90)))
                    + Duration::hours(12);
                (created, changed, Some(expected), None)
            }
        };
        // A deal never predates its lead.
        let created_at = created_at.max(lead.created_at + Duration::hours(2));
        let stage_changed_at = stage_changed_at.max(created_at);
        let closed_at = closed_at.map(|closed| closed.max(created_at));

        let mut custom_fields = json!({ "produto": item });
        if rng.random_bool(0.3) {
            custom_fields["concorrente"] = json!(pick(rng, self.offering.competitors));
        }
        if stage_index == LOST {
            custom_fields["motivo_perda"] = json!(pick(rng, LOSS_REASONS));
        }
        let row = DealRow {
            id: cuid(rng),
            external_id: lead.from_hubspot.then(|| {
                format!(
                    "hubspot:{}",
                    9_200_000_000_u64 + index as u64 * 7 + rng.random_range(0..7)
                )
            }),
            title: format!("{} – {item}", without_legal_suffix(&lead.company)),
            stage: stage.key,
            probability: Decimal::from(stage.probability),
            value,
            currency,
            expected_close_at: if stage.kind == StageKind::Open {
                expected_close_at
            } else {
                closed_at
            },
            closed_at,
            custom_fields_json: custom_fields.to_string(),
            lead_id: lead.id.clone(),
            owner_id: owner.map(|i| self.sellers[i].user_id.clone()),
            stage_changed_at,
            created_at,
        };
        (row, owner.map(|i| i as u32))
    }
}

fn weighted_stage<R: Rng>(rng: &mut R) -> usize {
    let total: u32 = STAGE_WEIGHTS.iter().sum();
    let mut roll = rng.random_range(0..total);
    for (index, weight) in STAGE_WEIGHTS.iter().enumerate() {
        if roll < *weight {
            return index;
        }
        roll -= weight;
    }
    STAGE_WEIGHTS.len() - 1
}

/// Deal sizes cluster low with a long tail, as B2B deal sizes do; rounded to hundreds.
fn log_uniform<R: Rng>(rng: &mut R, min: f64, max: f64) -> Decimal {
    let value = (rng.random_range(min.ln()..max.ln())).exp();
    Decimal::from((value / 100.0).round() as i64 * 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offering::ACME_ROTAS;
    use chrono::NaiveDate;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn sellers() -> Vec<Seller> {
        (1..=4)
            .map(|i| Seller {
                user_id: format!("u{i}"),
                name: format!("Agente {i}"),
                email: format!("agente{i}@x.com.br"),
                skill: 0.5,
            })
            .collect()
    }

    #[test]
    fn legal_suffixes_are_dropped_from_titles() {
        assert_eq!(
            without_legal_suffix("Transportes Ribeiro Ltda"),
            "Transportes Ribeiro"
        );
        assert_eq!(without_legal_suffix("Agro Lima S.A."), "Agro Lima");
        assert_eq!(
            without_legal_suffix("Construtora Dias & Filhos Ltda"),
            "Construtora Dias"
        );
        assert_eq!(
            without_legal_suffix("Atacadão Rocha Comércio Ltda"),
            "Atacadão Rocha"
        );
        assert_eq!(without_legal_suffix("Grupo Sem Sufixo"), "Grupo Sem Sufixo");
    }

    #[test]
    fn deals_cover_every_stage_and_win_in_the_current_month() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).expect("valid date");
        let calendar = DemoCalendar::new(today);
        let sellers = sellers();
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut leads = LeadGenerator::new(calendar, &sellers, &ACME_ROTAS);
        let refs: Vec<LeadRef> = (0..60).map(|_| leads.next_lead(&mut rng).1).collect();
        let mut deals =
            DealGenerator::new(&mut rng, calendar, &sellers, &ACME_ROTAS, refs.len(), 40, 0);
        let rows: Vec<DealRow> = (0..40)
            .map(|_| {
                let lead = deals.next_lead_index(&mut rng);
                deals.next_deal(&mut rng, &refs[lead]).0
            })
            .collect();
        for stage in &DEFAULT_STAGES {
            assert!(
                rows.iter().any(|d| d.stage == stage.key),
                "no deal in {}",
                stage.key
            );
        }
        let month_start = calendar.start_of(calendar.month_start());
        let wins_this_month = rows
            .iter()
            .filter(|d| d.stage == "won" && d.closed_at.is_some_and(|c| c >= month_start))
            .count();
        assert!(wins_this_month >= 5, "{wins_this_month}");
        for deal in &rows {
            assert!(deal.stage_changed_at >= deal.created_at);
            assert_eq!(
                deal.closed_at.is_some(),
                matches!(deal.stage, "won" | "lost"),
                "{}",
                deal.stage
            );
            assert!(
                deal.value >= Decimal::from(5_000) && deal.value <= Decimal::from(250_000),
                "{}",
                deal.value
            );
        }
    }

    #[test]
    fn external_ids_are_namespaced_and_unique() {
        let calendar =
            DemoCalendar::new(NaiveDate::from_ymd_opt(2026, 11, 27).expect("valid date"));
        let sellers = sellers();
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let mut leads = LeadGenerator::new(calendar, &sellers, &ACME_ROTAS);
        let ids: Vec<String> = (0..2000)
            .filter_map(|_| leads.next_lead(&mut rng).0.external_id)
            .collect();
        assert!(
            ids.iter()
                .all(|id| id.starts_with("hubspot:") || id.starts_with("csv:"))
        );
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
    }
}
