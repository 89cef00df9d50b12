//! Operator commands: migrations, demo data, the first staff user, re-analysis, key rotation.

use std::io::BufRead;

use clap::Args;
use db::{Db, SystemActor, SystemCtx};

use crate::config::Config;
use crate::{ServerError, jobs};

/// The demo users' password, documented in the README.
pub const DEMO_PASSWORD: &str = "performancy";

pub async fn migrate(config: &Config) -> Result<(), ServerError> {
    let owner = config
        .owner_database
        .clone()
        .ok_or_else(|| ServerError::Usage("DATABASE_OWNER_URL is needed to migrate".into()))?;
    db::migrate(owner).await?;
    tracing::info!("migrations applied");
    Ok(())
}

#[derive(Args, Debug)]
pub struct SeedDemoArgs {
    /// Also create the large `escala` tenant for benchmarks.
    #[arg(long)]
    pub scale: bool,
    #[arg(long, default_value_t = 50)]
    pub agents: usize,
    #[arg(long, default_value_t = 200_000)]
    pub leads: usize,
    #[arg(long, default_value_t = 100_000)]
    pub deals: usize,
    #[arg(long, default_value_t = 300_000)]
    pub conversations: usize,
    /// Leave the conversations unanalysed (the servers' background workers analyse them).
    #[arg(long)]
    pub skip_analysis: bool,
}

pub async fn seed_demo(config: &Config, args: SeedDemoArgs) -> Result<(), ServerError> {
    let db = Db::connect_lazy(config.database.clone(), 4);
    let password_hash = app::auth::password::hash_password(DEMO_PASSWORD.to_owned()).await?;
    let scale = args.scale.then_some(demo::ScaleOptions {
        agents: args.agents,
        leads: args.leads,
        deals: args.deals,
        conversations: args.conversations,
    });
    let options = demo::DemoOptions {
        password_hash,
        scale,
        today: chrono::Utc::now().date_naive(),
    };
    let started = std::time::Instant::now();
    let report = demo::seed_demo(&db, &options).await?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        ?report,
        "demo data ready"
    );
    if args.skip_analysis {
        tracing::info!("conversations left for the server's background worker to analyse");
    } else {
        // The demo shows real scores from its first page: analyse now rather than on first serve.
        let started = std::time::Instant::now();
        let ran = jobs::Worker::new(db.clone(), jobs::AiSettings::from_config(config))
            .drain()
            .await?;
        tracing::info!(
            jobs = ran,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo conversations analysed"
        );
    }
    db.close().await;
    Ok(())
}

#[derive(Args, Debug)]
pub struct ReanalyseArgs {
    /// The company's slug; every company when absent.
    #[arg(long)]
    pub company: Option<String>,
    /// Only mark and queue: leave the work to the servers' background workers.
    #[arg(long)]
    pub queue_only: bool,
}

/// Analyses a company's conversations again (a new lexicon, a changed AI integration).
pub async fn reanalyse(config: &Config, args: ReanalyseArgs) -> Result<(), ServerError> {
    let db = Db::connect_lazy(config.database.clone(), 2);
    let slugs = match args.company {
        Some(slug) => vec![slug],
        None => db.lookups().staff_company_slugs().await?,
    };
    for slug in slugs {
        let parsed = domain::CompanySlug::parse(&slug)
            .map_err(|_| ServerError::Usage(format!("{slug:?} is not a company slug")))?;
        let company = db
            .lookups()
            .company_by_slug(&parsed)
            .await?
            .ok_or_else(|| ServerError::Usage(format!("no company {slug:?}")))?;
        let ctx = SystemCtx::new(company.id, SystemActor::Command("reanalyse"));
        let mut tx = db.begin(&ctx).await?;
        let marked = db::jobs::request_reanalysis(&mut tx).await?;
        tx.commit().await?;
        tracing::info!(company = %slug, conversations = marked, "re-analysis queued");
    }
    if !args.queue_only {
        let ran = jobs::Worker::new(db.clone(), jobs::AiSettings::from_config(config))
            .drain()
            .await?;
        tracing::info!(jobs = ran, "re-analysis done");
    }
    db.close().await;
    Ok(())
}

/// Prints a fresh key for `INTEGRATION_KEYS` (`<id>:<base64>`).
pub fn generate_integration_key(id: &str) -> Result<(), ServerError> {
    let key = vault::Keyring::generate_key()?;
    println!("{id}:{}", key.as_str());
    Ok(())
}

/// Re-seals every integration's credentials under the active key of `INTEGRATION_KEYS` (key
/// rotation: add the new key, make it active, run this, then drop the old key).
pub async fn rotate_integration_keys(config: &Config) -> Result<(), ServerError> {
    let db = Db::connect_lazy(config.database.clone(), 2);
    let keys = &config.integration_keys;
    let mut resealed = 0_usize;
    for slug in db.lookups().staff_company_slugs().await? {
        let Ok(parsed) = domain::CompanySlug::parse(&slug) else {
            continue;
        };
        let Some(company) = db.lookups().company_by_slug(&parsed).await? else {
            continue;
        };
        let ctx = SystemCtx::new(company.id.clone(), SystemActor::Command("rotate-keys"));
        let mut tx = db.begin(&ctx).await?;
        let rows = sqlx::query!(
            "SELECT id, encrypted_config FROM integrations WHERE company_id = $1 FOR UPDATE",
            company.id
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(db::DbError::from)?;
        for row in rows {
            if row.encrypted_config.is_empty() || !keys.needs_reseal(&row.encrypted_config)? {
                continue;
            }
            let binding = vault::Binding {
                company_id: &company.id,
                integration_id: &row.id,
            };
            let sealed = keys.reseal(&binding, &row.encrypted_config)?;
            sqlx::query!(
                "UPDATE integrations SET encrypted_config = $3 WHERE company_id = $1 AND id = $2",
                company.id,
                row.id,
                sealed
            )
            .execute(&mut *tx)
            .await
            .map_err(db::DbError::from)?;
            resealed += 1;
        }
        tx.commit().await?;
    }
    tracing::info!(
        resealed,
        active_key = keys.active_key_id(),
        "integration credentials re-sealed"
    );
    db.close().await;
    Ok(())
}

#[derive(Args, Debug)]
pub struct CreateStaffArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
}

pub async fn create_staff(config: &Config, args: CreateStaffArgs) -> Result<(), ServerError> {
    let password = match std::env::var("PERFORMANCY_STAFF_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            eprintln!("password for {}: ", args.email);
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if password.chars().count() < 8 {
        return Err(ServerError::Usage(
            "the password needs at least 8 characters".into(),
        ));
    }
    let hash = app::auth::password::hash_password(password).await?;
    let db = Db::connect_lazy(config.database.clone(), 1);
    let id = db
        .lookups()
        .create_staff_user(&args.email, &args.name, &hash)
        .await?;
    tracing::info!(user_id = %id, "staff user created");
    db.close().await;
    Ok(())
}
