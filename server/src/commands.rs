//! Operator commands: migrations, demo data, the first staff user.

use std::io::BufRead;

use clap::Args;
use db::Db;

use crate::ServerError;
use crate::config::Config;

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
