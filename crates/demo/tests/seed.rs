//! The demo generator against a real, migrated PostgreSQL, reached as the app role: what a person
//! opening the demo would notice (every stage has deals, each company sees only its own rows, the
//! same date gives the same demo).

use chrono::{Datelike, NaiveDate};
use db::testing::TestDb;
use db::{Db, SystemActor, SystemCtx};
use demo::{DemoOptions, DemoReport, Outcome, ScaleOptions, seed_demo};
use domain::CompanySlug;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("valid date")
}

fn options(scale: Option<ScaleOptions>) -> DemoOptions {
    // Any string will do: the hash is only stored, and tests never sign in.
    DemoOptions {
        password_hash: "$argon2id$v=19$m=8,t=1,p=1$ZmFrZQ$ZmFrZQ".into(),
        scale,
        today: today(),
    }
}

async fn seeded() -> TestDb {
    let test_db = TestDb::new().await;
    seed_demo(&test_db.db, &options(None)).await.expect("seed");
    test_db
}

async fn company_id(db: &Db, slug: &str) -> String {
    let slug = CompanySlug::parse(slug).expect("slug");
    db.lookups()
        .company_by_slug(&slug)
        .await
        .expect("lookup")
        .expect("company exists")
        .id
}

fn system(company_id: &str) -> SystemCtx {
    SystemCtx::new(company_id, SystemActor::Command("test"))
}

fn created(report: &DemoReport, slug: &str) -> bool {
    report
        .companies
        .iter()
        .any(|c| c.slug == slug && c.outcome == Outcome::Created)
}

#[tokio::test]
async fn seeding_twice_creates_each_demo_company_once() {
    let test_db = TestDb::new().await;
    let first = seed_demo(&test_db.db, &options(None))
        .await
        .expect("first seed");
    assert_eq!(first.staff, Outcome::Created);
    assert!(
        created(&first, "acme") && created(&first, "globex"),
        "{first}"
    );

    let second = seed_demo(&test_db.db, &options(None))
        .await
        .expect("second seed");
    assert_eq!(second.staff, Outcome::AlreadyPresent);
    assert!(
        second
            .companies
            .iter()
            .all(|c| c.outcome == Outcome::AlreadyPresent),
        "{second}"
    );
    assert_eq!(
        test_db
            .db
            .lookups()
            .staff_company_slugs()
            .await
            .expect("slugs"),
        vec!["acme", "globex"]
    );

    let acme = company_id(&test_db.db, "acme").await;
    let mut tx = test_db.db.begin(&system(&acme)).await.expect("begin");
    let leads: i64 = sqlx::query_scalar("SELECT count(*) FROM leads")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    assert_eq!(leads, 300);
}

#[tokio::test]
async fn acme_has_deals_in_every_stage_with_owners() {
    let test_db = seeded().await;
    let acme = company_id(&test_db.db, "acme").await;
    let mut tx = test_db.db.begin(&system(&acme)).await.expect("begin");
    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT s.key, count(d.id), count(d.owner_id), count(d.closed_at)
         FROM pipeline_stages s LEFT JOIN deals d ON d.company_id = s.company_id AND d.stage = s.key
         GROUP BY s.key, s.position ORDER BY s.position",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("stages");
    let keys: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        keys,
        [
            "prospecting",
            "qualification",
            "proposal",
            "negotiation",
            "won",
            "lost"
        ]
    );
    for (stage, deals, owned, closed) in &rows {
        assert!(
            *deals > 0 && *owned > 0,
            "{stage}: {deals} deals, {owned} owned"
        );
        let closes = matches!(stage.as_str(), "won" | "lost");
        assert_eq!(
            *closed,
            if closes { *deals } else { 0 },
            "{stage}: closed_at only on won and lost"
        );
    }
    let total: i64 = rows.iter().map(|r| r.1).sum();
    assert_eq!(total, 200);

    let month_start = today().with_day(1).expect("first of month");
    let won_this_month: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM deals WHERE stage = 'won' AND currency = 'BRL'
           AND (closed_at AT TIME ZONE 'America/Sao_Paulo')::date >= $1",
    )
    .bind(month_start)
    .fetch_one(&mut *tx)
    .await
    .expect("won this month");
    assert!(won_this_month >= 5, "{won_this_month} deals won this month");

    let stuck_in_proposal: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM deals WHERE stage = 'proposal' AND stage_changed_at < $1::date - 30",
    )
    .bind(today())
    .fetch_one(&mut *tx)
    .await
    .expect("stuck");
    assert!(stuck_in_proposal > 0);
}

#[tokio::test]
async fn globex_rows_are_invisible_inside_acme() {
    let test_db = seeded().await;
    let acme = company_id(&test_db.db, "acme").await;
    let globex = company_id(&test_db.db, "globex").await;
    for (inside, expect_globex_rows) in [(&acme, false), (&globex, true)] {
        let mut tx = test_db.db.begin(&system(inside)).await.expect("begin");
        for table in [
            "users",
            "leads",
            "deals",
            "conversations",
            "playbooks",
            "squads",
            "objectives",
        ] {
            let count: i64 = sqlx::query_scalar(&format!(
                "SELECT count(*) FROM {table} WHERE company_id = $1"
            ))
            .bind(&globex)
            .fetch_one(&mut *tx)
            .await
            .expect("count");
            assert_eq!(
                count > 0,
                expect_globex_rows,
                "{table} of globex seen from {inside}: {count}"
            );
        }
        let companies: i64 = sqlx::query_scalar("SELECT count(*) FROM companies")
            .fetch_one(&mut *tx)
            .await
            .expect("companies");
        assert_eq!(companies, 1, "a tenant sees only its own company row");
    }
}

#[tokio::test]
async fn generation_is_deterministic() {
    async fn snapshot(test_db: &TestDb) -> Vec<(String, String, String)> {
        let acme = company_id(&test_db.db, "acme").await;
        let mut tx = test_db.db.begin(&system(&acme)).await.expect("begin");
        let mut rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, name, coalesce(email, '') FROM leads ORDER BY id")
                .fetch_all(&mut *tx)
                .await
                .expect("leads");
        let transcripts: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, transcript, channel::text FROM conversations ORDER BY id")
                .fetch_all(&mut *tx)
                .await
                .expect("conversations");
        rows.extend(transcripts);
        rows
    }
    let (first, second) = tokio::join!(seeded(), seeded());
    let (a, b) = (snapshot(&first).await, snapshot(&second).await);
    assert_eq!(a.len(), 300 + 150);
    assert!(a == b, "two runs on the same date differ");
    assert_eq!(
        company_id(&first.db, "acme").await,
        company_id(&second.db, "acme").await
    );
}

#[tokio::test]
async fn managers_lead_their_squad_and_everyone_signs_in_to_their_own_company() {
    let test_db = seeded().await;
    let acme = company_id(&test_db.db, "acme").await;
    let mut tx = test_db.db.begin(&system(&acme)).await.expect("begin");
    let users: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, email, role::text FROM users WHERE status = 'ACTIVE' ORDER BY email",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("users");
    drop(tx);
    assert_eq!(users.len(), 11, "director, two managers, eight agents");
    let acme_slug = CompanySlug::parse("acme").expect("slug");
    let globex_slug = CompanySlug::parse("globex").expect("slug");
    for (id, email, role) in &users {
        let membership = test_db
            .db
            .lookups()
            .membership(id, &acme_slug)
            .await
            .expect("membership");
        let ctx = membership.unwrap_or_else(|| panic!("{email} cannot enter acme"));
        match role.as_str() {
            "MANAGER" => assert_eq!(ctx.led_squad_ids().len(), 1, "{email}"),
            "AGENT" => {
                assert!(ctx.led_squad_ids().is_empty(), "{email}");
                assert_eq!(ctx.member_squad_ids().len(), 1, "{email}");
            }
            "DIRECTOR" => assert_eq!(email, "diretora@acme.com.br"),
            other => panic!("unexpected role {other}"),
        }
        let elsewhere = test_db
            .db
            .lookups()
            .membership(id, &globex_slug)
            .await
            .expect("membership");
        assert!(elsewhere.is_none(), "{email} can enter globex");
    }
}

#[tokio::test]
async fn conversations_await_analysis_and_calls_use_the_active_playbook() {
    let test_db = seeded().await;
    let acme = company_id(&test_db.db, "acme").await;
    let mut tx = test_db.db.begin(&system(&acme)).await.expect("begin");
    let (active_id, parent_id): (String, Option<String>) = sqlx::query_as(
        "SELECT id, parent_version_id FROM playbooks WHERE status = 'ACTIVE' AND methodology = 'SPICED'",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("one active SPICED playbook");
    let parent_status: String =
        sqlx::query_scalar("SELECT status::text FROM playbooks WHERE id = $1")
            .bind(&parent_id)
            .fetch_one(&mut *tx)
            .await
            .expect("v1");
    assert_eq!(parent_status, "INACTIVE");

    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT channel::text, count(*),
                count(*) FILTER (WHERE playbook_id = $1),
                count(*) FILTER (WHERE summary IS NOT NULL OR playbook_score IS NOT NULL OR sentiment IS NOT NULL
                                   OR methodology_scores IS NOT NULL OR key_moments IS NOT NULL
                                   OR suggested_actions IS NOT NULL OR processed_at IS NOT NULL)
         FROM conversations GROUP BY channel ORDER BY channel::text",
    )
    .bind(&active_id)
    .fetch_all(&mut *tx)
    .await
    .expect("channels");
    let channels: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(channels, ["CALL", "EMAIL", "VIDEO", "WHATSAPP"]);
    for (channel, total, with_playbook, analysed) in &rows {
        assert_eq!(*analysed, 0, "{channel} conversations arrive unanalysed");
        let spoken = matches!(channel.as_str(), "CALL" | "VIDEO");
        assert_eq!(*with_playbook, if spoken { *total } else { 0 }, "{channel}");
    }
    let call: String =
        sqlx::query_scalar("SELECT transcript FROM conversations WHERE channel = 'CALL' LIMIT 1")
            .fetch_one(&mut *tx)
            .await
            .expect("a call");
    assert!(
        call.starts_with("[00:00:0") && call.contains("Vendedor (") && call.contains("Cliente ("),
        "{call}"
    );
}

#[tokio::test]
async fn the_current_quarter_has_objectives_with_progress() {
    let test_db = seeded().await;
    let acme = company_id(&test_db.db, "acme").await;
    let mut tx = test_db.db.begin(&system(&acme)).await.expect("begin");
    let (label, objectives, key_results, progress): (String, i64, i64, i64) = sqlx::query_as(
        "SELECT p.label,
                (SELECT count(*) FROM objectives o WHERE o.period_id = p.id),
                (SELECT count(*) FROM key_results k JOIN objectives o ON o.id = k.objective_id WHERE o.period_id = p.id),
                (SELECT count(*) FROM key_result_progress)
         FROM okr_periods p WHERE p.is_current",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("current period");
    assert_eq!(label, "Q4 2026");
    assert_eq!(objectives, 3);
    assert!((6..=9).contains(&key_results), "{key_results}");
    assert!(progress >= key_results * 3, "{progress}");
}

#[tokio::test]
async fn a_scale_tenant_gets_the_requested_sizes() {
    let test_db = TestDb::new().await;
    let scale = ScaleOptions {
        agents: 7,
        leads: 1_500,
        deals: 900,
        conversations: 1_200,
    };
    let report = seed_demo(&test_db.db, &options(Some(scale)))
        .await
        .expect("seed");
    assert!(created(&report, "escala"), "{report}");
    let escala = company_id(&test_db.db, "escala").await;
    let mut tx = test_db.db.begin(&system(&escala)).await.expect("begin");
    let counts: (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM users WHERE role = 'AGENT'), (SELECT count(*) FROM squads),
                (SELECT count(*) FROM leads), (SELECT count(*) FROM deals), (SELECT count(*) FROM conversations)",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("counts");
    assert_eq!(counts, (7, 5, 1_500, 900, 1_200));
}

#[tokio::test]
async fn a_scale_tenant_without_agents_is_refused() {
    let test_db = TestDb::new().await;
    let scale = ScaleOptions {
        agents: 0,
        ..ScaleOptions::default()
    };
    let outcome = seed_demo(&test_db.db, &options(Some(scale))).await;
    assert!(
        matches!(outcome, Err(demo::DemoError::InvalidScale)),
        "{outcome:?}"
    );
    assert!(
        test_db
            .db
            .lookups()
            .staff_company_slugs()
            .await
            .expect("slugs")
            .is_empty()
    );
}

/// The load-test tenant at its default size; slow, so run on demand:
/// `cargo test --release -p demo --test seed -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "seeds 600 000 rows; run on demand, in release"]
async fn the_default_scale_tenant_gets_every_row() {
    let test_db = TestDb::new().await;
    let report = seed_demo(&test_db.db, &options(Some(ScaleOptions::default())))
        .await
        .expect("seed");
    println!("{report}");
    let escala = report
        .companies
        .iter()
        .find(|c| c.slug == "escala")
        .expect("escala reported");
    assert_eq!(escala.outcome, Outcome::Created);
    assert_eq!(
        (
            escala.counts.leads,
            escala.counts.deals,
            escala.counts.conversations
        ),
        (200_000, 100_000, 300_000)
    );
    // Its speed is for a benchmark to measure (the report prints the time), not for a test to assert.
}
