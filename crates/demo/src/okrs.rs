//! The current quarter's OKRs, with a progress log that ends today.
//!
//! The quarter is the one `today` falls in, so the board always shows a period in progress. Key
//! results come in two kinds: accumulating ones (revenue won, meetings held) whose expected value
//! grows with the elapsed share of the quarter, and levels (average score, conversion rate) that
//! are compared to the target directly. Each gets a status and trend consistent with its log, the
//! way the OKR rules would compute them, so the board is coherent before any job has run.

use chrono::Duration;
use domain::{GoalTargetType, KeyResultStatus, KeyResultUnit, OkrArea, OkrStatus};
use rand::Rng;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde_json::json;

use crate::calendar::{DemoCalendar, cuid};
use crate::people::People;
use crate::rows::{KeyResultProgressRow, KeyResultRow, ObjectiveRow, OkrPeriodRow};

pub struct Okrs {
    pub period: OkrPeriodRow,
    pub objectives: Vec<ObjectiveRow>,
    pub key_results: Vec<KeyResultRow>,
    pub progress: Vec<KeyResultProgressRow>,
}

/// Who owns an objective or a key result, by the company's structure.
#[derive(Clone, Copy)]
enum Owner {
    Director,
    FirstSquad,
    LastSquadManager,
    FirstSeller,
}

struct KeyResultPlan {
    title: &'static str,
    target: f64,
    unit: KeyResultUnit,
    /// Grows through the quarter (revenue, counts) rather than being a level (score, rate).
    accumulates: bool,
    /// `pipeline` and `crm` are written by jobs (no recorder); `manual` and `coach` by a person.
    source: &'static str,
    metric: Option<&'static str>,
    owner: Owner,
}

struct ObjectivePlan {
    title: &'static str,
    description: &'static str,
    area: OkrArea,
    owner: Owner,
    key_results: Vec<KeyResultPlan>,
}

fn plans(full: bool, quarter_revenue_target: f64) -> Vec<ObjectivePlan> {
    let revenue = ObjectivePlan {
        title: "Crescer a receita nova do trimestre",
        description: "Bater a meta somada dos squads com ticket médio saudável.",
        area: OkrArea::Revenue,
        owner: if full {
            Owner::Director
        } else {
            Owner::FirstSquad
        },
        key_results: vec![
            KeyResultPlan {
                title: "Receita ganha no trimestre",
                target: quarter_revenue_target,
                unit: KeyResultUnit::Currency,
                accumulates: true,
                source: "pipeline",
                metric: Some("revenue_won"),
                owner: Owner::Director,
            },
            KeyResultPlan {
                title: "Ticket médio dos negócios ganhos",
                target: 60_000.0,
                unit: KeyResultUnit::Currency,
                accumulates: false,
                source: "crm",
                metric: None,
                owner: Owner::Director,
            },
            KeyResultPlan {
                title: "Taxa de conversão de propostas em ganhos",
                target: 35.0,
                unit: KeyResultUnit::Percentage,
                accumulates: false,
                source: "pipeline",
                metric: Some("conversion"),
                owner: Owner::LastSquadManager,
            },
        ],
    };
    if !full {
        let mut only = revenue;
        only.key_results.truncate(2);
        return vec![only];
    }
    vec![
        revenue,
        ObjectivePlan {
            title: "Elevar a qualidade das conversas de vendas",
            description: "Todo vendedor cobrindo o playbook e saindo de cada conversa com próximo passo.",
            area: OkrArea::Sales,
            owner: Owner::FirstSquad,
            key_results: vec![
                KeyResultPlan {
                    title: "Nota média de playbook nas ligações",
                    target: 80.0,
                    unit: KeyResultUnit::Number,
                    accumulates: false,
                    source: "coach",
                    metric: Some("avg_playbook_score"),
                    owner: Owner::FirstSquad,
                },
                KeyResultPlan {
                    title: "Conversas com próximo passo datado",
                    target: 90.0,
                    unit: KeyResultUnit::Percentage,
                    accumulates: false,
                    source: "manual",
                    metric: None,
                    owner: Owner::FirstSquad,
                },
                KeyResultPlan {
                    title: "Reuniões de descoberta realizadas",
                    target: 120.0,
                    unit: KeyResultUnit::Number,
                    accumulates: true,
                    source: "manual",
                    metric: None,
                    owner: Owner::FirstSeller,
                },
            ],
        },
        ObjectivePlan {
            title: "Garantir a expansão da base de clientes",
            description: "Clientes bem implantados renovam e compram mais.",
            area: OkrArea::Cs,
            owner: Owner::LastSquadManager,
            key_results: vec![
                KeyResultPlan {
                    title: "NPS dos clientes ativos",
                    target: 70.0,
                    unit: KeyResultUnit::Number,
                    accumulates: false,
                    source: "manual",
                    metric: None,
                    owner: Owner::LastSquadManager,
                },
                KeyResultPlan {
                    title: "Clientes com implantação concluída",
                    target: 40.0,
                    unit: KeyResultUnit::Number,
                    accumulates: true,
                    source: "crm",
                    metric: None,
                    owner: Owner::LastSquadManager,
                },
            ],
        },
    ]
}

fn decimal(value: f64, places: u32) -> Decimal {
    Decimal::from_f64(value).map_or(Decimal::ZERO, |d| d.round_dp(places))
}

fn status_of(current: f64, expected_now: f64, target: f64) -> KeyResultStatus {
    if current >= target {
        KeyResultStatus::Achieved
    } else if expected_now <= 0.0 || current >= expected_now * 0.9 {
        KeyResultStatus::OnTrack
    } else if current >= expected_now * 0.7 {
        KeyResultStatus::AtRisk
    } else {
        KeyResultStatus::Behind
    }
}

/// `full` gives the three objectives of the main demo; otherwise one revenue objective.
pub fn draw_okrs<R: Rng>(
    rng: &mut R,
    calendar: &DemoCalendar,
    people: &People,
    full: bool,
) -> Okrs {
    let (start, end, label) = calendar.quarter();
    let today = calendar.today();
    let quarter_days = (end - start).num_days() + 1;
    let elapsed_days = (today - start).num_days() + 1;
    let elapsed = elapsed_days as f64 / quarter_days as f64;
    let period = OkrPeriodRow {
        id: cuid(rng),
        label,
        start_date: calendar.start_of(start),
        end_date: calendar.start_of(end + Duration::days(1)) - Duration::seconds(1),
        is_current: true,
    };
    let monthly_target: Decimal = people.squads.iter().map(|s| s.target_monthly).sum();
    let quarter_revenue_target = (monthly_target * Decimal::from(3))
        .to_f64()
        .unwrap_or(1_000_000.0);

    let owner_of = |owner: Owner| -> (String, GoalTargetType) {
        match (
            owner,
            people.squad_leads.first(),
            people.squad_leads.last(),
            people.sellers.first(),
        ) {
            (Owner::FirstSquad, Some((squad, _)), _, _) => (squad.clone(), GoalTargetType::Squad),
            (Owner::LastSquadManager, _, Some((_, manager)), _) => {
                (manager.clone(), GoalTargetType::User)
            }
            (Owner::FirstSeller, _, _, Some(seller)) => {
                (seller.user_id.clone(), GoalTargetType::User)
            }
            _ => (people.director_id.clone(), GoalTargetType::User),
        }
    };
    // A key result is owned by a person: a squad owner becomes the squad's manager.
    let person_of = |owner: Owner| -> String {
        match (owner, people.squad_leads.first()) {
            (Owner::FirstSquad, Some((_, manager))) => manager.clone(),
            _ => owner_of(owner).0,
        }
    };

    let mut okrs = Okrs {
        period,
        objectives: Vec::new(),
        key_results: Vec::new(),
        progress: Vec::new(),
    };
    for plan in plans(full, quarter_revenue_target) {
        let (owner_id, owner_type) = owner_of(plan.owner);
        let objective_id = cuid(rng);
        let mut ratios = Vec::new();
        for kr in &plan.key_results {
            let expected_now = if kr.accumulates {
                kr.target * elapsed
            } else {
                kr.target
            };
            let performance = rng.random_range(0.55..1.15);
            let places = if kr.unit == KeyResultUnit::Currency {
                2
            } else {
                1
            };
            let current = expected_now * performance;
            let key_result_id = cuid(rng);

            // The log: a few readings from the quarter's start to today, ending at `current`.
            let entries = rng.random_range(3..6);
            let mut values = Vec::with_capacity(entries);
            for step in 1..=entries {
                let share = step as f64 / entries as f64;
                let day = start + Duration::days(((elapsed_days - 1) as f64 * share) as i64);
                let value = if kr.accumulates {
                    current * share
                } else {
                    current * rng.random_range(0.85..1.05) * (0.9 + 0.1 * share)
                };
                let value = if step == entries { current } else { value };
                let recorded_at = calendar.moment_days_ago(rng, (today - day).num_days());
                let human = matches!(kr.source, "manual" | "coach");
                okrs.progress.push(KeyResultProgressRow {
                    id: cuid(rng),
                    key_result_id: key_result_id.clone(),
                    value: decimal(value, places),
                    note: (human && rng.random_bool(0.5))
                        .then(|| "Atualizado na reunião semanal de OKRs.".to_owned()),
                    recorded_at,
                    recorded_by_id: human.then(|| people.director_id.clone()),
                    source: kr.source,
                });
                values.push(value);
            }
            let previous = values.iter().rev().nth(1).copied().unwrap_or(current);
            let change = if previous > 0.0 {
                (current - previous) / previous * 100.0
            } else {
                0.0
            };
            let trend = if change > 1.0 {
                "up"
            } else if change < -1.0 {
                "down"
            } else {
                "stable"
            };
            let linked = match kr.metric {
                Some(metric) => json!([{ "source": kr.source, "metric": metric }]),
                None => json!([]),
            };
            okrs.key_results.push(KeyResultRow {
                id: key_result_id,
                objective_id: objective_id.clone(),
                title: kr.title.to_owned(),
                current: decimal(current, places),
                target: decimal(kr.target, places),
                unit: kr.unit,
                status: status_of(current, expected_now, kr.target),
                trend,
                trend_value: (change * 10.0).round() / 10.0,
                owner_id: Some(person_of(kr.owner)),
                due_date: okrs.period.end_date,
                linked_metrics_json: linked.to_string(),
            });
            ratios.push((current / kr.target).min(1.0));
        }
        let progress =
            (ratios.iter().sum::<f64>() / ratios.len().max(1) as f64 * 100.0).round() as i32;
        okrs.objectives.push(ObjectiveRow {
            id: objective_id,
            period_id: okrs.period.id.clone(),
            title: plan.title.to_owned(),
            description: plan.description.to_owned(),
            area: plan.area,
            status: OkrStatus::Active,
            progress: progress.clamp(0, 100),
            owner_id,
            owner_type,
            created_by_id: people.director_id.clone(),
        });
    }
    okrs
}
