//! From what a file or a CRM gives to what the upserts take.
//!
//! External ids are namespaced by source (PRODUCT.md "Imports"): a file's `L-1` is `csv:L-1`, so it
//! never collides with `hubspot:1`. An id a file already writes with a known namespace (`csv:L-1`,
//! `hubspot:123`, as Performancy's own export writes them) is kept as it is, so an exported list,
//! edited and imported again, updates the same records instead of duplicating them.
//!
//! Dates a file writes without a zone are read in the company's time zone.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use crm::{CrmDeal, CrmLead, Provider, normalise_stage_name};
use tabular::{DealRow, LeadRef, LeadRow, Moment, Numbered};

use crate::stages::StageSpec;
use crate::upsert::{DealInput, LeadInput, LeadLink};

/// The namespace of ids that come from files.
pub const CSV_PREFIX: &str = "csv";

/// `value` namespaced as a file's id, unless it already carries a known namespace.
pub fn csv_external_id(value: &str) -> String {
    let value = value.trim();
    let namespaced = value.split_once(':').is_some_and(|(prefix, rest)| {
        !rest.is_empty()
            && (prefix == CSV_PREFIX || Provider::ALL.iter().any(|p| p.prefix() == prefix))
    });
    if namespaced {
        value.to_owned()
    } else {
        format!("{CSV_PREFIX}:{value}")
    }
}

/// A file's date and time as an instant: with its own offset, or in the company's zone. A local
/// time that a daylight-saving change skips is read as UTC-offset time of that zone's standard.
pub fn moment_to_utc(moment: Moment, zone: Tz) -> DateTime<Utc> {
    match moment {
        Moment::Offset(at) => at.with_timezone(&Utc),
        Moment::Local(naive) => local_to_utc(naive, zone),
    }
}

fn local_to_utc(naive: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&naive).earliest() {
        Some(at) => at.with_timezone(&Utc),
        // In a skipped hour: one hour later exists.
        None => zone
            .from_local_datetime(&(naive + chrono::Duration::hours(1)))
            .earliest()
            .map_or_else(|| naive.and_utc(), |at| at.with_timezone(&Utc)),
    }
}

fn clean(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

pub fn lead_from_csv(numbered: Numbered<LeadRow>) -> LeadInput {
    let Numbered { line, row } = numbered;
    LeadInput {
        line: Some(line),
        external_id: row.external_id.as_deref().map(csv_external_id),
        name: row.name,
        email: row.email,
        phone: row.phone,
        company_name: row.company_name,
        position: row.position,
        source: row.source,
        status: row.status,
        lead_score: row.lead_score,
        owner_email: row.owner_email,
        custom_fields: row.custom_fields,
    }
}

pub fn deal_from_csv(numbered: Numbered<DealRow>, zone: Tz) -> DealInput {
    let Numbered { line, row } = numbered;
    DealInput {
        line: Some(line),
        external_id: row.external_id.as_deref().map(csv_external_id),
        title: row.title,
        stage: row.stage.map_or(StageSpec::Unspecified, StageSpec::Written),
        value: Some(row.value),
        currency: row.currency,
        probability: row.probability,
        expected_close_at: row.expected_close_at.map(|m| moment_to_utc(m, zone)),
        closed_at: row.closed_at.map(|m| moment_to_utc(m, zone)),
        owner_email: row.owner_email,
        lead: match row.lead_ref {
            None => LeadLink::Unspecified,
            Some(LeadRef::Email(email)) => LeadLink::Email(email),
            Some(LeadRef::ExternalId(id)) => LeadLink::ExternalIds(vec![csv_external_id(&id)]),
        },
        custom_fields: row.custom_fields,
    }
}

pub fn lead_from_crm(lead: CrmLead) -> LeadInput {
    LeadInput {
        line: None,
        external_id: Some(lead.external_id),
        name: lead.name,
        email: clean(lead.email),
        phone: clean(lead.phone),
        company_name: clean(lead.company_name),
        position: clean(lead.position),
        source: clean(lead.source),
        status: clean(lead.status),
        lead_score: None,
        owner_email: clean(lead.owner_email),
        custom_fields: lead.custom_fields,
    }
}

/// The lead a CRM deal without an imported contact is given: one per organisation (so a
/// company's deals share it), or, without an organisation, one named after the deal.
fn stand_in_lead(deal: &CrmDeal, provider: Provider) -> LeadInput {
    let prefix = provider.prefix();
    let organisation = clean(deal.organisation_name.clone());
    let folded = organisation
        .as_deref()
        .map(normalise_stage_name)
        .filter(|f| !f.is_empty());
    match (organisation, folded) {
        (Some(name), Some(folded)) => LeadInput {
            external_id: Some(format!("{prefix}:organisation:{folded}")),
            company_name: Some(name.clone()),
            name,
            source: Some(prefix.to_owned()),
            ..LeadInput::default()
        },
        _ => {
            let own_id = deal
                .external_id
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix(':'))
                .unwrap_or(&deal.external_id);
            LeadInput {
                external_id: Some(format!("{prefix}:deal-{own_id}")),
                name: deal.title.clone(),
                source: Some(prefix.to_owned()),
                ..LeadInput::default()
            }
        }
    }
}

pub fn deal_from_crm(deal: CrmDeal, provider: Provider) -> DealInput {
    let stand_in = Box::new(stand_in_lead(&deal, provider));
    DealInput {
        line: None,
        stage: StageSpec::Crm {
            external: clean(deal.stage_external),
            label: clean(deal.stage_label),
            outcome: deal.outcome,
        },
        external_id: Some(deal.external_id),
        title: deal.title,
        value: deal.value,
        currency: clean(deal.currency),
        probability: None,
        expected_close_at: deal.expected_close_at,
        closed_at: deal.closed_at,
        owner_email: clean(deal.owner_email),
        lead: LeadLink::OrCreate {
            external_id: clean(deal.lead_external_id),
            stand_in,
        },
        custom_fields: deal.custom_fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use serde_json::Map;

    #[test]
    fn a_files_ids_are_namespaced_unless_they_already_are() {
        assert_eq!(csv_external_id("L-1"), "csv:L-1");
        assert_eq!(csv_external_id(" csv:L-1 "), "csv:L-1");
        assert_eq!(csv_external_id("hubspot:123"), "hubspot:123");
        assert_eq!(csv_external_id("pedido:9"), "csv:pedido:9");
        assert_eq!(csv_external_id("hubspot:"), "csv:hubspot:");
    }

    #[test]
    fn a_date_without_a_zone_is_read_in_the_companys_zone() {
        let naive = NaiveDate::from_ymd_opt(2026, 3, 31)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let at = moment_to_utc(Moment::Local(naive), chrono_tz::America::Sao_Paulo);
        assert_eq!(at.to_rfc3339(), "2026-03-31T03:00:00+00:00");
    }

    fn crm_deal(organisation: Option<&str>) -> CrmDeal {
        CrmDeal {
            external_id: "pipedrive:42".into(),
            title: "Negócio 42".into(),
            stage_external: Some("3".into()),
            stage_label: Some("Fechamento".into()),
            outcome: None,
            value: None,
            currency: None,
            expected_close_at: None,
            closed_at: None,
            owner_email: None,
            lead_external_id: None,
            organisation_name: organisation.map(str::to_owned),
            custom_fields: Map::new(),
            updated_at: None,
        }
    }

    #[test]
    fn a_crm_deal_without_a_contact_gets_a_lead_of_its_organisation_or_of_itself() {
        let by_org = stand_in_lead(&crm_deal(Some(" Cliente SA ")), Provider::Pipedrive);
        assert_eq!(
            by_org.external_id.as_deref(),
            Some("pipedrive:organisation:clientesa")
        );
        assert_eq!(by_org.name, "Cliente SA");
        assert_eq!(by_org.company_name.as_deref(), Some("Cliente SA"));
        let by_deal = stand_in_lead(&crm_deal(None), Provider::Pipedrive);
        assert_eq!(by_deal.external_id.as_deref(), Some("pipedrive:deal-42"));
        assert_eq!(by_deal.name, "Negócio 42");
    }
}
