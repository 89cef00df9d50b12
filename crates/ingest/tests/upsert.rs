//! The batched upserts against a real PostgreSQL, reached as the app role: what a person looking at
//! the leads and deals afterwards would notice (counts, owners, stages, closing dates), and that
//! an unchanged row is not touched.

mod common;

use chrono::{TimeZone, Utc};
use common::{company, count, deal, fresh, lead, stamps, system, user_email, user_id};
use db::Db;
use ingest::{
    Counts, DealInput, FailureReason, LeadInput, LeadLink, StageResolver, StageSpec, upsert_deals,
    upsert_leads,
};
use rust_decimal::Decimal;
use serde_json::{Map, json};

fn lead_input(external_id: Option<&str>, name: &str, email: &str) -> LeadInput {
    LeadInput {
        external_id: external_id.map(str::to_owned),
        name: name.to_owned(),
        email: Some(email.to_owned()),
        ..LeadInput::default()
    }
}

fn deal_input(external_id: &str, stage: StageSpec, lead: LeadLink) -> DealInput {
    DealInput {
        line: None,
        external_id: Some(external_id.to_owned()),
        title: format!("Negócio {external_id}"),
        stage,
        value: Some(Decimal::new(123_456, 2)),
        currency: None,
        probability: None,
        expected_close_at: None,
        closed_at: None,
        owner_email: None,
        lead,
        custom_fields: Map::new(),
    }
}

fn written(stage: &str) -> StageSpec {
    StageSpec::Written(stage.to_owned())
}

fn by_id(id: &str) -> LeadLink {
    LeadLink::ExternalIds(vec![id.to_owned()])
}

async fn write_leads(db: &Db, company: &str, rows: &[LeadInput]) -> Counts {
    let mut tx = db.begin(&system(company)).await.expect("begin");
    let counts = upsert_leads(&mut tx, rows).await.expect("upsert leads");
    tx.commit().await.expect("commit");
    counts
}

async fn write_deals(db: &Db, company: &str, rows: &[DealInput]) -> ingest::DealsWritten {
    let mut tx = db.begin(&system(company)).await.expect("begin");
    let stages = StageResolver::load(&mut tx).await.expect("stages");
    let written = upsert_deals(&mut tx, rows, &stages)
        .await
        .expect("upsert deals");
    tx.commit().await.expect("commit");
    written
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_are_created_then_updated_and_unchanged_ones_are_not_rewritten() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let rows = vec![
        lead_input(Some("csv:L-1"), "Ana Souza", "ana@cliente.com.br"),
        lead_input(Some("csv:L-2"), "Bia Lima", "bia@cliente.com.br"),
        lead_input(None, "Sem Id", "semid@cliente.com.br"),
    ];

    let first = write_leads(db, "acme", &rows).await;
    assert_eq!(
        first,
        Counts {
            created: 3,
            updated: 0,
            unchanged: 0
        }
    );
    let before = stamps(db, "acme", "leads").await;

    let mut changed = rows[..2].to_vec();
    changed[1].name = "Bia Lima Costa".into();
    let second = write_leads(db, "acme", &changed).await;
    assert_eq!(
        second,
        Counts {
            created: 0,
            updated: 1,
            unchanged: 1
        }
    );
    let after = stamps(db, "acme", "leads").await;
    let stamp_of = |rows: &[(Option<String>, chrono::DateTime<Utc>)], id: &str| {
        rows.iter()
            .find(|(ext, _)| ext.as_deref() == Some(id))
            .map(|(_, at)| *at)
            .expect("row")
    };
    assert_eq!(
        stamp_of(&before, "csv:L-1"),
        stamp_of(&after, "csv:L-1"),
        "an unchanged lead keeps its updated_at"
    );
    assert!(stamp_of(&after, "csv:L-2") > stamp_of(&before, "csv:L-2"));
    assert_eq!(lead(db, "acme", "csv:L-2").await.0, "Bia Lima Costa");
    assert_eq!(count(db, "acme", "leads").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_left_out_never_erases_what_is_stored() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let mut full = lead_input(Some("csv:L-1"), "Ana", "ana@cliente.com.br");
    full.phone = Some("(11) 99999-0000".into());
    full.owner_email = Some(user_email("acme", "ana"));
    full.custom_fields.insert("Cidade".into(), json!("Recife"));
    write_leads(db, "acme", &[full]).await;

    let mut sparse = lead_input(Some("csv:L-1"), "Ana", "ana@cliente.com.br");
    sparse.email = None;
    sparse
        .custom_fields
        .insert("Segmento".into(), json!("Varejo"));
    let counts = write_leads(db, "acme", &[sparse]).await;

    assert_eq!(counts.updated, 1, "the new custom field is written");
    let (_, email, owner) = lead(db, "acme", "csv:L-1").await;
    assert_eq!(email.as_deref(), Some("ana@cliente.com.br"));
    assert_eq!(owner, Some(user_id("acme", "ana")));
    let custom = scalar_json(db, "acme", "SELECT custom_fields FROM leads").await;
    assert_eq!(custom, json!({"Cidade": "Recife", "Segmento": "Varejo"}));
}

async fn scalar_json(db: &Db, company: &str, sql: &str) -> serde_json::Value {
    let mut tx = db.begin(&system(company)).await.expect("begin");
    let value: serde_json::Value = sqlx::query_scalar(sql)
        .fetch_one(&mut *tx)
        .await
        .expect(sql);
    tx.commit().await.expect("commit");
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_are_matched_by_email_ignoring_case_to_active_users_of_the_company_only() {
    let test = fresh(&["acme", "globex"]).await;
    let db = &test.db;
    let with_owner = |id: &str, owner: &str| LeadInput {
        owner_email: Some(owner.to_owned()),
        ..lead_input(Some(id), id, &format!("{id}@x.com.br"))
    };
    let counts = write_leads(
        db,
        "acme",
        &[
            with_owner("csv:1", &user_email("acme", "ana").to_uppercase()),
            with_owner("csv:2", &format!(" {} ", user_email("acme", "bruno"))),
            with_owner("csv:3", &user_email("acme", "carla")), // INACTIVE
            with_owner("csv:4", &user_email("globex", "ana")), // another company's user
            with_owner("csv:5", "ninguem@acme.com.br"),
        ],
    )
    .await;

    assert_eq!(counts.created, 5, "an unknown owner is no failure");
    assert_eq!(
        lead(db, "acme", "csv:1").await.2,
        Some(user_id("acme", "ana"))
    );
    assert_eq!(
        lead(db, "acme", "csv:2").await.2,
        Some(user_id("acme", "bruno"))
    );
    for unknown in ["csv:3", "csv:4", "csv:5"] {
        assert_eq!(lead(db, "acme", unknown).await.2, None, "{unknown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_deal_to_won_sets_stage_changed_at_and_closed_at_and_reopening_clears_it() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    write_leads(
        db,
        "acme",
        &[lead_input(Some("csv:L-1"), "Ana", "ana@cliente.com.br")],
    )
    .await;
    let first = write_deals(
        db,
        "acme",
        &[deal_input("csv:D-1", written("Proposta"), by_id("csv:L-1"))],
    )
    .await;
    assert_eq!(first.counts.created, 1);
    let open = deal(db, "acme", "csv:D-1").await;
    assert_eq!(open.stage, "proposal");
    assert_eq!(open.closed_at, None);
    assert_eq!(open.currency, "BRL", "the company's currency");
    assert_eq!(
        open.probability, None,
        "no probability: the stage's applies"
    );

    let won = write_deals(
        db,
        "acme",
        &[deal_input(
            "csv:D-1",
            written("ganho"),
            LeadLink::Unspecified,
        )],
    )
    .await;
    assert_eq!(won.counts.updated, 1);
    let closed = deal(db, "acme", "csv:D-1").await;
    assert_eq!(closed.stage, "won");
    assert!(closed.stage_changed_at > open.stage_changed_at);
    let closed_at = closed.closed_at.expect("closed when it enters won");
    assert!(closed_at >= closed.stage_changed_at - chrono::Duration::seconds(1));
    assert_eq!(
        closed.lead_external_id.as_deref(),
        Some("csv:L-1"),
        "an unnamed lead stays"
    );

    let again = write_deals(
        db,
        "acme",
        &[deal_input("csv:D-1", written("won"), LeadLink::Unspecified)],
    )
    .await;
    assert_eq!(again.counts.unchanged, 1, "staying won changes nothing");
    assert_eq!(
        deal(db, "acme", "csv:D-1").await.updated_at,
        closed.updated_at
    );

    let given = Utc.with_ymd_and_hms(2026, 2, 15, 19, 45, 0).unwrap();
    let lost = DealInput {
        closed_at: Some(given),
        ..deal_input("csv:D-1", written("lost"), LeadLink::Unspecified)
    };
    write_deals(db, "acme", &[lost]).await;
    assert_eq!(
        deal(db, "acme", "csv:D-1").await.closed_at,
        Some(given),
        "a given close date wins"
    );

    write_deals(
        db,
        "acme",
        &[deal_input(
            "csv:D-1",
            written("negotiation"),
            LeadLink::Unspecified,
        )],
    )
    .await;
    let reopened = deal(db, "acme", "csv:D-1").await;
    assert_eq!(reopened.stage, "negotiation");
    assert_eq!(reopened.closed_at, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deal_whose_lead_or_stage_cannot_be_found_fails_alone_with_its_reason() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    write_leads(
        db,
        "acme",
        &[lead_input(Some("csv:L-1"), "Ana", "Ana@Cliente.com.br")],
    )
    .await;
    let numbered = |line: u64, row: DealInput| DealInput {
        line: Some(line),
        ..row
    };
    let rows = vec![
        numbered(
            2,
            deal_input(
                "csv:D-1",
                StageSpec::Unspecified,
                LeadLink::Email("ana@cliente.com.br".into()),
            ),
        ),
        numbered(
            3,
            deal_input("csv:D-2", written("Proposta"), by_id("csv:L-404")),
        ),
        numbered(
            4,
            deal_input("csv:D-3", written("Demo agendada"), by_id("csv:L-1")),
        ),
        numbered(
            5,
            deal_input("csv:D-4", written("Proposta"), LeadLink::Unspecified),
        ),
        numbered(
            6,
            DealInput {
                value: Some(Decimal::from(10_i64.pow(17))),
                ..deal_input("csv:D-5", written("Proposta"), by_id("csv:L-1"))
            },
        ),
    ];

    let result = write_deals(db, "acme", &rows).await;

    assert_eq!(result.counts.created, 1);
    let failures: Vec<(Option<u64>, FailureReason)> =
        result.failures.iter().map(|f| (f.line, f.reason)).collect();
    assert_eq!(
        failures,
        [
            (Some(3), FailureReason::LeadNotFound),
            (Some(4), FailureReason::UnknownStage),
            (Some(5), FailureReason::LeadMissing),
            (Some(6), FailureReason::ValueOutOfRange),
        ]
    );
    let written = deal(db, "acme", "csv:D-1").await;
    assert_eq!(written.stage, "prospecting", "no stage: the first open one");
    assert_eq!(written.lead_external_id.as_deref(), Some("csv:L-1"));
    assert_eq!(count(db, "acme", "deals").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_naming_one_external_id_twice_writes_the_last() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let counts = write_leads(
        db,
        "acme",
        &[
            lead_input(Some("hubspot:1"), "Primeiro", "a@x.com.br"),
            lead_input(Some("hubspot:1"), "Último", "a@x.com.br"),
        ],
    )
    .await;
    assert_eq!(
        counts,
        Counts {
            created: 1,
            updated: 0,
            unchanged: 1
        }
    );
    assert_eq!(lead(db, "acme", "hubspot:1").await.0, "Último");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crm_deals_without_an_imported_contact_share_one_lead_per_organisation() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let org_lead = |org: &str| {
        Box::new(LeadInput {
            external_id: Some(format!("pipedrive:organisation:{}", org.to_lowercase())),
            name: org.to_owned(),
            company_name: Some(org.to_owned()),
            ..LeadInput::default()
        })
    };
    let crm_deal = |id: &str, org: &str| {
        deal_input(
            id,
            StageSpec::Crm {
                external: Some("1".into()),
                label: Some("Qualificação".into()),
                outcome: None,
            },
            LeadLink::OrCreate {
                external_id: Some("pipedrive:999".into()),
                stand_in: org_lead(org),
            },
        )
    };
    let rows = [
        crm_deal("pipedrive:1", "Cliente"),
        crm_deal("pipedrive:2", "Cliente"),
        crm_deal("pipedrive:3", "Outra"),
    ];

    let first = write_deals(db, "acme", &rows).await;
    assert_eq!(first.counts.created, 3);
    assert_eq!(first.leads_created, 2);
    assert_eq!(deal(db, "acme", "pipedrive:2").await.lead_name, "Cliente");
    assert_eq!(deal(db, "acme", "pipedrive:1").await.stage, "qualification");

    let second = write_deals(db, "acme", &rows).await;
    assert_eq!(second.counts.unchanged, 3);
    assert_eq!(second.leads_created, 0);
    assert_eq!(count(db, "acme", "leads").await, 2);

    // Once the contact is imported, the deal moves to it.
    write_leads(
        db,
        "acme",
        &[lead_input(Some("pipedrive:999"), "Pessoa", "p@x.com.br")],
    )
    .await;
    let third = write_deals(db, "acme", &rows[..1]).await;
    assert_eq!(third.counts.updated, 1);
    assert_eq!(
        deal(db, "acme", "pipedrive:1")
            .await
            .lead_external_id
            .as_deref(),
        Some("pipedrive:999")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upsert_writes_only_into_its_own_company() {
    let test = fresh(&["acme", "globex"]).await;
    let db = &test.db;
    write_leads(
        db,
        "globex",
        &[lead_input(Some("csv:L-1"), "Da Globex", "g@x.com.br")],
    )
    .await;

    let counts = write_leads(
        db,
        "acme",
        &[lead_input(Some("csv:L-1"), "Da Acme", "a@x.com.br")],
    )
    .await;

    assert_eq!(
        counts.created, 1,
        "the same external id elsewhere is not a conflict"
    );
    assert_eq!(lead(db, "globex", "csv:L-1").await.0, "Da Globex");
    assert_eq!(lead(db, "acme", "csv:L-1").await.0, "Da Acme");
    // a deal of acme cannot reach globex's lead by e-mail
    let result = write_deals(
        db,
        "acme",
        &[deal_input(
            "csv:D-1",
            StageSpec::Unspecified,
            LeadLink::Email("g@x.com.br".into()),
        )],
    )
    .await;
    assert_eq!(result.failures[0].reason, FailureReason::LeadNotFound);
    company(db, "initech").await;
    assert_eq!(count(db, "initech", "leads").await, 0);
}
