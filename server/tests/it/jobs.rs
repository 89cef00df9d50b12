//! The background worker against a real database: the demo's conversations get analysed, a changed
//! transcript or playbook is analysed again and nothing else is, two workers never run the same job,
//! a crashed run is taken up after its lease, and jobs stay inside their tenant.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use db::jobs::{self, JobEnd};
use db::testing::TestDb;
use db::{Db, SystemActor, SystemCtx};
use domain::CompanySlug;
use server::jobs::{AiSettings, Worker};

fn demo_options() -> demo::DemoOptions {
    demo::DemoOptions {
        password_hash: "$argon2id$v=19$m=8,t=1,p=1$ZmFrZQ$ZmFrZQ".into(),
        scale: None,
        today: NaiveDate::from_ymd_opt(2026, 11, 27).expect("date"),
    }
}

pub fn builtin_ai() -> AiSettings {
    AiSettings::from_config(&server::config::from_lookup(|_| None).expect("development config"))
}

async fn seeded() -> TestDb {
    let test = TestDb::new().await;
    demo::seed_demo(&test.db, &demo_options())
        .await
        .expect("seed");
    test
}

async fn company_id(db: &Db, slug: &str) -> String {
    db.lookups()
        .company_by_slug(&CompanySlug::parse(slug).expect("slug"))
        .await
        .expect("lookup")
        .expect("company")
        .id
}

fn system(company_id: &str) -> SystemCtx {
    SystemCtx::new(company_id, SystemActor::Command("test"))
}

async fn pending(db: &Db, company_id: &str) -> i64 {
    let mut tx = db.begin(&system(company_id)).await.expect("begin");
    let n = sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM conversations WHERE company_id = $1 AND processed_at IS NULL",
    )
    .bind(company_id)
    .fetch_one(&mut *tx)
    .await
    .expect("count");
    tx.commit().await.expect("commit");
    n
}

async fn job_state(db: &Db, company_id: &str) -> Option<jobs::JobStatus> {
    let mut tx = db.begin(&system(company_id)).await.expect("begin");
    let status = jobs::job_status(&mut tx, jobs::kind::ANALYSE_CONVERSATIONS)
        .await
        .expect("status");
    tx.commit().await.expect("commit");
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_conversations_are_analysed_with_scores_their_quotes_explain() {
    let test = seeded().await;
    let acme = company_id(&test.db, "acme").await;
    let globex = company_id(&test.db, "globex").await;
    let waiting = pending(&test.db, &acme).await;
    assert!(
        waiting >= 100,
        "the demo writes its conversations unanalysed: {waiting}"
    );
    let queued = job_state(&test.db, &acme)
        .await
        .expect("the insert asked for the job");
    assert_eq!(queued.status, "QUEUED");

    let ran = Worker::new(test.db.clone(), builtin_ai())
        .drain()
        .await
        .expect("drain");
    assert_eq!(ran, 2, "one job per demo company");
    assert_eq!(pending(&test.db, &acme).await, 0);
    assert_eq!(pending(&test.db, &globex).await, 0);
    assert_eq!(
        job_state(&test.db, &acme).await.expect("job").status,
        "DONE"
    );

    let mut tx = test.db.begin(&system(&acme)).await.expect("begin");
    let rows: Vec<(String, f64, String, serde_json::Value, serde_json::Value, String)> = sqlx::query_as(
        "SELECT transcript, playbook_score, sentiment::text, methodology_scores, key_moments, analysed_by
         FROM conversations WHERE company_id = $1 AND channel = 'CALL'",
    )
    .bind(&acme)
    .fetch_all(&mut *tx)
    .await
    .expect("rows");
    tx.commit().await.expect("commit");
    assert!(!rows.is_empty());
    let mut covered = 0;
    for (transcript, score, sentiment, scores, moments, analysed_by) in &rows {
        assert!((0.0..=100.0).contains(score));
        assert!(["POSITIVE", "NEUTRAL", "NEGATIVE"].contains(&sentiment.as_str()));
        assert!(analysed_by.starts_with("builtin"), "{analysed_by}");
        assert_eq!(scores["methodology"], "SPICED", "acme sells with SPICED");
        let elements = scores["elements"].as_array().expect("elements");
        assert_eq!(
            elements.len(),
            5,
            "every SPICED element, missing ones included"
        );
        for element in elements {
            if element["status"] == "covered" {
                covered += 1;
            }
            // Every score points to its quotes, and each quote is the transcript's own text.
            for evidence in element["evidence"].as_array().expect("evidence") {
                let start = evidence["start"].as_u64().expect("start") as usize;
                let end = evidence["end"].as_u64().expect("end") as usize;
                assert_eq!(
                    &transcript[start..end],
                    evidence["quote"].as_str().expect("quote")
                );
            }
        }
        assert!(moments.is_array());
    }
    assert!(
        covered > 0,
        "demo calls cover SPICED elements: {covered} in {} calls",
        rows.len()
    );

    // The built-in analyser calls no provider: no usage is recorded.
    let mut tx = test.db.begin(&system(&acme)).await.expect("begin");
    let usage: i64 = sqlx::query_scalar("SELECT count(*) FROM ai_usage WHERE company_id = $1")
        .bind(&acme)
        .fetch_one(&mut *tx)
        .await
        .expect("usage");
    tx.commit().await.expect("commit");
    assert_eq!(usage, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_transcript_or_playbook_is_analysed_again_and_nothing_else_is() {
    let test = seeded().await;
    let acme = company_id(&test.db, "acme").await;
    let worker = Worker::new(test.db.clone(), builtin_ai());
    worker.drain().await.expect("drain");

    // Nothing changed: a second run finds nothing to do.
    let mut tx = test.db.begin(&system(&acme)).await.expect("begin");
    jobs::request_job(
        &mut tx,
        jobs::kind::ANALYSE_CONVERSATIONS,
        jobs::kind::ANALYSE_CONVERSATIONS,
        &serde_json::json!({}),
        Utc::now(),
    )
    .await
    .expect("request");
    tx.commit().await.expect("commit");
    let before: Vec<(String, chrono::DateTime<Utc>)> = {
        let mut tx = test.db.begin(&system(&acme)).await.expect("begin");
        let rows = sqlx::query_as(
            "SELECT id, processed_at FROM conversations WHERE company_id = $1 ORDER BY id",
        )
        .bind(&acme)
        .fetch_all(&mut *tx)
        .await
        .expect("rows");
        tx.commit().await.expect("commit");
        rows
    };
    worker.drain().await.expect("drain");
    let after: Vec<(String, chrono::DateTime<Utc>)> = {
        let mut tx = test.db.begin(&system(&acme)).await.expect("begin");
        let rows = sqlx::query_as(
            "SELECT id, processed_at FROM conversations WHERE company_id = $1 ORDER BY id",
        )
        .bind(&acme)
        .fetch_all(&mut *tx)
        .await
        .expect("rows");
        tx.commit().await.expect("commit");
        rows
    };
    assert_eq!(
        before, after,
        "an unchanged conversation is not analysed again"
    );

    // One transcript changes: that conversation alone waits, and gets the new text's analysis.
    let (changed_id,): (String,) = {
        let mut tx = test.db.begin(&system(&acme)).await.expect("begin");
        let row = sqlx::query_as(
            "UPDATE conversations SET transcript = 'Vendedor: Qual é o prazo para decidir?\nCliente: Precisamos decidir até março, quando o contrato atual vence.'
             WHERE company_id = $1 AND id = (SELECT min(id) FROM conversations WHERE company_id = $1)
             RETURNING id",
        )
        .bind(&acme)
        .fetch_one(&mut *tx)
        .await
        .expect("update");
        tx.commit().await.expect("commit");
        row
    };
    assert_eq!(pending(&test.db, &acme).await, 1);
    assert_eq!(
        job_state(&test.db, &acme).await.expect("job").status,
        "QUEUED"
    );
    worker.drain().await.expect("drain");
    assert_eq!(pending(&test.db, &acme).await, 0);
    let mut tx = test.db.begin(&system(&acme)).await.expect("begin");
    let (summary, moments): (String, serde_json::Value) = sqlx::query_as(
        "SELECT summary, key_moments FROM conversations WHERE company_id = $1 AND id = $2",
    )
    .bind(&acme)
    .bind(&changed_id)
    .fetch_one(&mut *tx)
    .await
    .expect("row");
    tx.commit().await.expect("commit");
    assert!(!summary.is_empty());
    assert!(
        moments.to_string().contains("março")
            || summary.contains("março")
            || summary.contains("prazo"),
        "the analysis is of the new text: {summary} {moments}"
    );

    // The active playbook's content changes: its conversations (and those without one) wait again.
    let mut tx = test.db.begin(&system(&acme)).await.expect("begin");
    sqlx::query(
        "UPDATE playbooks SET content = jsonb_set(content, '{changed}', 'true')
         WHERE company_id = $1 AND status = 'ACTIVE'",
    )
    .bind(&acme)
    .execute(&mut *tx)
    .await
    .expect("playbook");
    tx.commit().await.expect("commit");
    let waiting = pending(&test.db, &acme).await;
    assert!(waiting > 1, "the playbook's conversations wait: {waiting}");
    worker.drain().await.expect("drain");
    assert_eq!(pending(&test.db, &acme).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_never_claim_the_same_job_and_every_due_job_is_claimed_once() {
    let test = TestDb::new().await;
    // Twenty companies with one due job each.
    let mut companies = Vec::new();
    for n in 0..20 {
        let id = format!("company-{n:02}");
        let mut tx = test.db.begin(&system(&id)).await.expect("begin");
        sqlx::query("INSERT INTO companies (id, name, slug) VALUES ($1, $1, $1)")
            .bind(&id)
            .execute(&mut *tx)
            .await
            .expect("company");
        jobs::request_job(
            &mut tx,
            "test_kind",
            "only",
            &serde_json::json!({}),
            Utc::now(),
        )
        .await
        .expect("request");
        tx.commit().await.expect("commit");
        companies.push(id);
    }
    let claim = |worker: &'static str| {
        let db = test.db.clone();
        async move {
            let mut mine = Vec::new();
            loop {
                let got = db
                    .lookups()
                    .claim_jobs(worker, &["test_kind"], 3, Duration::from_secs(60))
                    .await
                    .expect("claim");
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|j| j.company_id));
            }
        }
    };
    let (a, b) = tokio::join!(tokio::spawn(claim("a")), tokio::spawn(claim("b")));
    let (a, b) = (a.expect("a"), b.expect("b"));
    let a_set: HashSet<_> = a.iter().cloned().collect();
    let b_set: HashSet<_> = b.iter().cloned().collect();
    assert!(
        a_set.is_disjoint(&b_set),
        "a job claimed twice: {a:?} / {b:?}"
    );
    assert_eq!(
        a.len() + b.len(),
        companies.len(),
        "every due job claimed once"
    );
    let all: HashSet<_> = a_set.union(&b_set).cloned().collect();
    assert_eq!(all, companies.iter().cloned().collect());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_run_is_taken_up_after_its_lease_and_the_late_worker_cannot_record() {
    let test = TestDb::new().await;
    let id = "company-lease";
    let mut tx = test.db.begin(&system(id)).await.expect("begin");
    sqlx::query("INSERT INTO companies (id, name, slug) VALUES ($1, $1, 'lease')")
        .bind(id)
        .execute(&mut *tx)
        .await
        .expect("company");
    jobs::request_job(
        &mut tx,
        "test_kind",
        "only",
        &serde_json::json!({}),
        Utc::now(),
    )
    .await
    .expect("request");
    tx.commit().await.expect("commit");

    let lookups = test.db.lookups();
    let first = lookups
        .claim_jobs("crashed", &["test_kind"], 5, Duration::from_secs(1))
        .await
        .expect("claim");
    assert_eq!(first.len(), 1);
    assert!(
        lookups
            .claim_jobs("other", &["test_kind"], 5, Duration::from_secs(60))
            .await
            .expect("claim")
            .is_empty(),
        "held under its lease"
    );
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let second = lookups
        .claim_jobs("other", &["test_kind"], 5, Duration::from_secs(60))
        .await
        .expect("claim");
    assert_eq!(second.len(), 1, "taken up after the lease");
    assert_eq!(second[0].attempts, 2);

    let mut tx = test.db.begin(&system(id)).await.expect("begin");
    let late = jobs::finish_job(
        &mut tx,
        &first[0],
        "crashed",
        &JobEnd::Succeeded { next_run_at: None },
    )
    .await
    .expect("finish");
    assert!(!late, "the first worker no longer holds the job");
    assert!(
        jobs::finish_job(
            &mut tx,
            &second[0],
            "other",
            &JobEnd::Succeeded { next_run_at: None }
        )
        .await
        .expect("finish")
    );
    tx.commit().await.expect("commit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_asked_for_during_a_run_runs_again_and_failures_back_off_until_the_last_attempt() {
    let test = TestDb::new().await;
    let id = "company-rerun";
    let mut tx = test.db.begin(&system(id)).await.expect("begin");
    sqlx::query("INSERT INTO companies (id, name, slug) VALUES ($1, $1, 'rerun')")
        .bind(id)
        .execute(&mut *tx)
        .await
        .expect("company");
    jobs::request_job(
        &mut tx,
        "test_kind",
        "only",
        &serde_json::json!({}),
        Utc::now(),
    )
    .await
    .expect("request");
    tx.commit().await.expect("commit");
    let lookups = test.db.lookups();
    let claimed = lookups
        .claim_jobs("w", &["test_kind"], 1, Duration::from_secs(60))
        .await
        .expect("claim")
        .remove(0);
    // Asked for again while running: the same row, marked to run once more.
    let mut tx = test.db.begin(&system(id)).await.expect("begin");
    jobs::request_job(
        &mut tx,
        "test_kind",
        "only",
        &serde_json::json!({}),
        Utc::now(),
    )
    .await
    .expect("request");
    assert_eq!(
        jobs::job_status(&mut tx, "only")
            .await
            .expect("status")
            .expect("row")
            .status,
        "RUNNING"
    );
    assert!(
        jobs::finish_job(
            &mut tx,
            &claimed,
            "w",
            &JobEnd::Succeeded { next_run_at: None }
        )
        .await
        .expect("finish")
    );
    assert_eq!(
        jobs::job_status(&mut tx, "only")
            .await
            .expect("status")
            .expect("row")
            .status,
        "QUEUED"
    );
    tx.commit().await.expect("commit");

    // Failures: queued for later each time, FAILED after max_attempts (5).
    for attempt in 1..=5 {
        let job = lookups
            .claim_jobs("w", &["test_kind"], 1, Duration::from_secs(60))
            .await
            .expect("claim")
            .pop()
            .expect("due");
        assert_eq!(job.attempts, attempt);
        let mut tx = test.db.begin(&system(id)).await.expect("begin");
        jobs::finish_job(
            &mut tx,
            &job,
            "w",
            &JobEnd::Failed {
                error: "provider down".into(),
                // Due at once, so the test need not wait for the backoff.
                retry_at: Utc::now() - chrono::Duration::seconds(1),
            },
        )
        .await
        .expect("fail");
        let state = jobs::job_status(&mut tx, "only")
            .await
            .expect("status")
            .expect("row");
        tx.commit().await.expect("commit");
        assert_eq!(state.last_error.as_deref(), Some("provider down"));
        assert_eq!(state.status, if attempt < 5 { "QUEUED" } else { "FAILED" });
    }
    assert!(
        lookups
            .claim_jobs("w", &["test_kind"], 1, Duration::from_secs(60))
            .await
            .expect("claim")
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_sees_and_asks_for_only_its_own_jobs() {
    let test = seeded().await;
    let acme = company_id(&test.db, "acme").await;
    let globex = company_id(&test.db, "globex").await;
    let mut tx = test.db.begin(&system(&globex)).await.expect("begin");
    let visible: Vec<String> = sqlx::query_scalar("SELECT company_id FROM jobs")
        .fetch_all(&mut *tx)
        .await
        .expect("jobs");
    assert_eq!(visible, vec![globex.clone()]);
    // Asking for a job in another company is refused by the policy.
    let refused = sqlx::query("SELECT request_job($1, 'x', 'x', '{}', now())")
        .bind(&acme)
        .execute(&mut *tx)
        .await;
    assert!(refused.is_err(), "a job for another tenant was written");
    drop(tx);

    // Re-analysis of globex leaves acme's conversations alone.
    let worker = Worker::new(test.db.clone(), builtin_ai());
    worker.drain().await.expect("drain");
    let mut tx = test.db.begin(&system(&globex)).await.expect("begin");
    let marked = jobs::request_reanalysis(&mut tx).await.expect("reanalyse");
    tx.commit().await.expect("commit");
    assert!(marked > 0);
    assert_eq!(pending(&test.db, &acme).await, 0);
    assert_eq!(pending(&test.db, &globex).await as u64, marked);
    worker.drain().await.expect("drain");
    assert_eq!(pending(&test.db, &globex).await, 0);
}
