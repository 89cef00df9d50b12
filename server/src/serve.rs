//! Serving: migrate if asked, bind, serve until SIGINT/SIGTERM, then drain and close the pool.

use std::time::Duration;

use app::mail::server::Mailer;
use app::state::{AppState, Settings};
use axum::serve::ListenerExt;
use axum_login::tower_sessions::ExpiredDeletion;
use leptos::config::get_configuration;

use crate::config::Config;
use crate::{ServerError, jobs, routes};

pub async fn run(config: Config) -> Result<(), ServerError> {
    if config.migrate_on_start
        && let Some(owner) = config.owner_database.clone()
    {
        db::migrate(owner).await?;
        tracing::info!("migrations applied");
    }
    let leptos = get_configuration(None).map_err(|e| ServerError::Leptos(e.to_string()))?;
    let addr = leptos.leptos_options.site_addr;
    let db = db::Db::connect_lazy(config.database.clone(), config.database_max_connections);
    let mailer = match &config.smtp {
        Some(smtp) => Mailer::smtp(smtp, config.mail_from.clone())
            .map_err(|e| ServerError::Usage(format!("SMTP settings: {e}")))?,
        None => {
            tracing::warn!("no SMTP_HOST: mail is kept in memory and listed on /dev/mail");
            Mailer::dev_outbox(config.mail_from.clone())
        }
    };
    let state = AppState {
        leptos_options: leptos.leptos_options,
        db: db.clone(),
        settings: Settings {
            development: config.development(),
            public_origin: config.public_origin(),
            public_base_url: config.public_base_url.clone(),
            trusted_proxies: config.trusted_proxies.clone(),
            ai_base_urls: config.ai_base_urls.clone(),
        },
        mailer,
        keyring: std::sync::Arc::new(config.integration_keys.clone()),
    };
    let app = routes::router(state);
    let (stop_worker, worker_stopped) = tokio::sync::watch::channel(false);
    let worker = config.background_jobs.then(|| {
        let worker = jobs::Worker::new(db.clone(), jobs::AiSettings::from_config(&config))
            .with_crm_http(crm::HttpSettings {
                allow_private_addresses: config.development(),
                ..crm::HttpSettings::default()
            });
        let mut stop = worker_stopped.clone();
        tokio::spawn(worker.run_until(async move {
            // Either a stop or a dropped sender ends the worker.
            let _ = stop.wait_for(|stopped| *stopped).await;
        }))
    });
    let expired_sessions = tokio::spawn(
        db.session_store()
            .continuously_delete_expired(Duration::from_secs(300)),
    );

    // Leptos streams its HTML in chunks: without NODELAY, Nagle's algorithm and the client's delayed
    // ACK add ~40 ms to every request on a kept-alive connection.
    let listener = tokio::net::TcpListener::bind(addr).await?.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(error = %err, "could not set TCP_NODELAY");
        }
    });
    tracing::info!(%addr, environment = ?config.environment, "listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    expired_sessions.abort();
    if let Some(worker) = worker {
        let _ = stop_worker.send(true);
        tracing::info!("waiting for the background job in hand");
        if tokio::time::timeout(Duration::from_secs(30), worker)
            .await
            .is_err()
        {
            tracing::warn!("the background job did not finish in 30 s; its lease will expire");
        }
    }
    tracing::info!("draining connections to the database");
    tokio::time::timeout(Duration::from_secs(10), db.close())
        .await
        .ok();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}
