//! Performancy's server binary: serves the app, and carries the operator commands (migrate, seed
//! the demo, create the first staff user). It only wires: configuration, pool, router, shutdown.

use clap::{Parser, Subcommand};
use server::{commands, config, serve, telemetry};

#[derive(Parser)]
#[command(name = "server", about = "Performancy server and operator commands")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (the default; cargo-leptos starts the binary without arguments).
    Serve,
    /// Apply the database migrations with DATABASE_OWNER_URL.
    Migrate,
    /// Load the demo companies once (idempotent); `--scale` adds one large tenant for benchmarks.
    SeedDemo(commands::SeedDemoArgs),
    /// Create a staff (ADMIN) user; the password is read from PERFORMANCY_STAFF_PASSWORD or stdin.
    CreateStaff(commands::CreateStaffArgs),
    /// Analyse a company's conversations again (all companies without --company).
    Reanalyse(commands::ReanalyseArgs),
    /// Print a new key for INTEGRATION_KEYS, as `<id>:<base64>`.
    GenerateIntegrationKey {
        /// The key's id, e.g. k2027.
        id: String,
    },
    /// Re-seal every integration's credentials under INTEGRATION_ACTIVE_KEY.
    RotateIntegrationKeys,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = match config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("configuration error: {err}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let result = match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => serve::run(config).await,
        Command::Migrate => commands::migrate(&config).await,
        Command::SeedDemo(args) => commands::seed_demo(&config, args).await,
        Command::CreateStaff(args) => commands::create_staff(&config, args).await,
        Command::Reanalyse(args) => commands::reanalyse(&config, args).await,
        Command::GenerateIntegrationKey { id } => commands::generate_integration_key(&id),
        Command::RotateIntegrationKeys => commands::rotate_integration_keys(&config).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = ?err, "stopped with an error");
            std::process::ExitCode::FAILURE
        }
    }
}
