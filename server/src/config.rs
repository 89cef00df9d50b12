//! Typed configuration from the environment.
//!
//! Development has explicit defaults (the project-local PostgreSQL that `scripts/dev.sh` starts, a
//! fixed development secret) so a clean clone runs with no set-up. Production has none: a missing
//! or development-valued secret stops the server before it listens.

use std::env;

use app::mail::server::{Mailbox, SmtpSettings, SmtpTls, parse_sender};
pub use app::state::AiBaseUrls;
use sqlx::postgres::PgConnectOptions;

pub const DEV_DATABASE_URL: &str = "postgres://performancy_app@127.0.0.1:55432/performancy";
pub const DEV_OWNER_URL: &str = "postgres://performancy_owner@127.0.0.1:55432/performancy";
const DEV_SECRET_KEY: &str = "development-only-secret-key-never-use-in-production-0000";
const MIN_SECRET_LEN: usize = 32;
/// The sender of development mail when `MAIL_FROM` is unset.
pub const DEV_MAIL_FROM: &str = "Performancy <no-reply@performancy.local>";
/// The key that seals integration credentials in development when `INTEGRATION_KEYS` is unset.
/// Public, so anything sealed with it is readable by anyone: production refuses it.
const DEV_INTEGRATION_KEYS: &str = "dev2026:ZGV2ZWxvcG1lbnQtb25seS1rZXktMzItYnl0ZXMhISE=";
const DEV_INTEGRATION_KEY_ID: &str = "dev2026";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone)]
pub struct Config {
    pub environment: Environment,
    pub database: PgConnectOptions,
    /// The schema owner's connection, for migrations; absent when migrations run elsewhere.
    pub owner_database: Option<PgConnectOptions>,
    pub database_max_connections: u32,
    pub migrate_on_start: bool,
    /// Key material for sealing credentials and signing tokens (used as features land).
    pub secret_key: Secret,
    pub public_base_url: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`, comma-separated).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub log_format: LogFormat,
    /// The SMTP server; `None` only in development, where mail goes to the outbox page instead.
    pub smtp: Option<SmtpSettings>,
    /// Keys sealing integration credentials (`INTEGRATION_KEYS`, `INTEGRATION_ACTIVE_KEY`).
    pub integration_keys: vault::Keyring,
    /// Whether this instance runs the background worker (`BACKGROUND_JOBS`, on by default).
    pub background_jobs: bool,
    /// The LLM price table (`AI_PRICES_FILE`), as TOML text; the built-in table when unset.
    pub ai_prices: Option<String>,
    /// Base URLs of the LLM APIs (`ANTHROPIC_BASE_URL`, `OPENAI_BASE_URL`, `GEMINI_BASE_URL`), for a
    /// proxy or a gateway; the public APIs when unset.
    pub ai_base_urls: AiBaseUrls,
    /// Who mail comes from (`MAIL_FROM`).
    pub mail_from: Mailbox,
}

impl Config {
    pub fn development(&self) -> bool {
        self.environment == Environment::Development
    }

    /// `scheme://host[:port]` of the public base URL.
    pub fn public_origin(&self) -> String {
        let after_scheme = self.public_base_url.find("://").map(|i| i + 3).unwrap_or(0);
        match self.public_base_url[after_scheme..].find('/') {
            Some(slash) => self.public_base_url[..after_scheme + slash].to_owned(),
            None => self.public_base_url.clone(),
        }
    }
}

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("environment", &self.environment)
            .field("database_host", &self.database.get_host())
            .field("database_name", &self.database.get_database())
            .field("migrate_on_start", &self.migrate_on_start)
            .field("public_base_url", &self.public_base_url)
            .field("smtp", &self.smtp)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{0} must be set in production")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Reads variables through a function, so tests can pass a map instead of the process environment.
pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let environment = match get("APP_ENV").as_deref() {
        None | Some("development") | Some("dev") => Environment::Development,
        Some("production") | Some("prod") => Environment::Production,
        Some(other) => {
            return Err(ConfigError::Invalid {
                name: "APP_ENV",
                reason: format!("{other:?} is neither development nor production"),
            });
        }
    };
    let dev = environment == Environment::Development;

    let database_url = match get("DATABASE_URL") {
        Some(url) => url,
        None if dev => DEV_DATABASE_URL.to_owned(),
        None => return Err(ConfigError::Missing("DATABASE_URL")),
    };
    let database = parse_url("DATABASE_URL", &database_url)?;
    let owner_url = get("DATABASE_OWNER_URL")
        .or_else(|| (dev && get("DATABASE_URL").is_none()).then(|| DEV_OWNER_URL.to_owned()));
    let owner_database = owner_url
        .map(|url| parse_url("DATABASE_OWNER_URL", &url))
        .transpose()?;

    let database_max_connections = match get("DATABASE_MAX_CONNECTIONS") {
        None => 10,
        Some(raw) => raw.parse().map_err(|_| ConfigError::Invalid {
            name: "DATABASE_MAX_CONNECTIONS",
            reason: format!("{raw:?} is not a whole number"),
        })?,
    };
    let migrate_on_start = match get("MIGRATE_ON_START").as_deref() {
        None => dev && owner_database.is_some(),
        Some("1") | Some("true") => true,
        Some("0") | Some("false") => false,
        Some(other) => {
            return Err(ConfigError::Invalid {
                name: "MIGRATE_ON_START",
                reason: format!("{other:?} is not true/false"),
            });
        }
    };
    if migrate_on_start && owner_database.is_none() {
        return Err(ConfigError::Invalid {
            name: "MIGRATE_ON_START",
            reason: "needs DATABASE_OWNER_URL".into(),
        });
    }

    let secret_key = match get("SECRET_KEY") {
        Some(key) if key == DEV_SECRET_KEY && !dev => {
            return Err(ConfigError::Invalid {
                name: "SECRET_KEY",
                reason: "the development key cannot be used in production".into(),
            });
        }
        Some(key) if key.len() < MIN_SECRET_LEN => {
            return Err(ConfigError::Invalid {
                name: "SECRET_KEY",
                reason: format!("needs at least {MIN_SECRET_LEN} characters"),
            });
        }
        Some(key) => key,
        None if dev => DEV_SECRET_KEY.to_owned(),
        None => return Err(ConfigError::Missing("SECRET_KEY")),
    };

    let public_base_url = match get("PUBLIC_BASE_URL") {
        Some(url) if url.starts_with("https://") || (dev && url.starts_with("http://")) => {
            url.trim_end_matches('/').to_owned()
        }
        Some(url) => {
            return Err(ConfigError::Invalid {
                name: "PUBLIC_BASE_URL",
                reason: format!("{url:?} must be an https:// URL"),
            });
        }
        None if dev => "http://127.0.0.1:3000".to_owned(),
        None => return Err(ConfigError::Missing("PUBLIC_BASE_URL")),
    };

    let trusted_proxies = match get("TRUSTED_PROXIES") {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|ip| {
                ip.parse().map_err(|_| ConfigError::Invalid {
                    name: "TRUSTED_PROXIES",
                    reason: format!("{ip:?} is not an IP address"),
                })
            })
            .collect::<Result<_, _>>()?,
    };

    let log_format = match get("LOG_FORMAT").as_deref() {
        None if dev => LogFormat::Pretty,
        None => LogFormat::Json,
        Some("json") => LogFormat::Json,
        Some("pretty") => LogFormat::Pretty,
        Some(other) => {
            return Err(ConfigError::Invalid {
                name: "LOG_FORMAT",
                reason: format!("{other:?} is neither json nor pretty"),
            });
        }
    };

    let smtp = smtp_settings(&get, dev)?;
    let mail_from = match get("MAIL_FROM") {
        Some(raw) => parse_sender(&raw).map_err(|_| ConfigError::Invalid {
            name: "MAIL_FROM",
            reason: format!("{raw:?} is not an address or `Name <address>`"),
        })?,
        None if dev => parse_sender(DEV_MAIL_FROM).map_err(|_| ConfigError::Invalid {
            name: "MAIL_FROM",
            reason: "the development sender".into(),
        })?,
        None => return Err(ConfigError::Missing("MAIL_FROM")),
    };

    let integration_keys = match (get("INTEGRATION_KEYS"), get("INTEGRATION_ACTIVE_KEY")) {
        (Some(keys), Some(active)) => {
            vault::Keyring::parse(&keys, &active).map_err(|e| ConfigError::Invalid {
                name: "INTEGRATION_KEYS",
                reason: e.to_string(),
            })?
        }
        (Some(_), None) => return Err(ConfigError::Missing("INTEGRATION_ACTIVE_KEY")),
        (None, _) if dev => vault::Keyring::parse(DEV_INTEGRATION_KEYS, DEV_INTEGRATION_KEY_ID)
            .map_err(|e| ConfigError::Invalid {
                name: "INTEGRATION_KEYS",
                reason: format!("the development key: {e}"),
            })?,
        (None, _) => return Err(ConfigError::Missing("INTEGRATION_KEYS")),
    };
    if !dev
        && integration_keys
            .key_ids()
            .any(|id| id == DEV_INTEGRATION_KEY_ID)
    {
        return Err(ConfigError::Invalid {
            name: "INTEGRATION_KEYS",
            reason: "the development key cannot be used in production".into(),
        });
    }
    let background_jobs = match get("BACKGROUND_JOBS").as_deref() {
        None | Some("1") | Some("true") | Some("on") => true,
        Some("0") | Some("false") | Some("off") => false,
        Some(other) => {
            return Err(ConfigError::Invalid {
                name: "BACKGROUND_JOBS",
                reason: format!("{other:?} is not on/off"),
            });
        }
    };
    let ai_prices = match get("AI_PRICES_FILE") {
        None => None,
        Some(path) => Some(
            std::fs::read_to_string(&path).map_err(|e| ConfigError::Invalid {
                name: "AI_PRICES_FILE",
                reason: format!("cannot read {path}: {e}"),
            })?,
        ),
    };
    let ai_base_urls = AiBaseUrls {
        anthropic: get("ANTHROPIC_BASE_URL"),
        openai: get("OPENAI_BASE_URL"),
        gemini: get("GEMINI_BASE_URL"),
    };

    Ok(Config {
        environment,
        database,
        owner_database,
        database_max_connections,
        migrate_on_start,
        secret_key: Secret(secret_key),
        public_base_url,
        trusted_proxies,
        log_format,
        smtp,
        mail_from,
        integration_keys,
        background_jobs,
        ai_prices,
        ai_base_urls,
    })
}

/// `SMTP_HOST` and friends. Without a host, development keeps mail in its outbox and production
/// refuses to start (an invitation nobody receives is worse than a server that says why it stopped).
fn smtp_settings(
    get: &impl Fn(&str) -> Option<String>,
    dev: bool,
) -> Result<Option<SmtpSettings>, ConfigError> {
    let Some(host) = get("SMTP_HOST") else {
        return if dev {
            Ok(None)
        } else {
            Err(ConfigError::Missing("SMTP_HOST"))
        };
    };
    let tls = match get("SMTP_TLS") {
        None => SmtpTls::StartTls,
        Some(raw) => SmtpTls::parse(&raw).ok_or_else(|| ConfigError::Invalid {
            name: "SMTP_TLS",
            reason: format!("{raw:?} is none of starttls, tls, none"),
        })?,
    };
    let port = match get("SMTP_PORT") {
        None => tls.default_port(),
        Some(raw) => raw.parse().map_err(|_| ConfigError::Invalid {
            name: "SMTP_PORT",
            reason: format!("{raw:?} is not a port number"),
        })?,
    };
    let credentials = match (get("SMTP_USERNAME"), get("SMTP_PASSWORD")) {
        (None, None) => None,
        (Some(user), Some(password)) => Some((user, password)),
        _ => {
            return Err(ConfigError::Invalid {
                name: "SMTP_USERNAME",
                reason: "SMTP_USERNAME and SMTP_PASSWORD go together".into(),
            });
        }
    };
    if credentials.is_some() && tls == SmtpTls::None && !dev {
        return Err(ConfigError::Invalid {
            name: "SMTP_TLS",
            reason: "a password is never sent over an unencrypted connection in production".into(),
        });
    }
    Ok(Some(SmtpSettings {
        host,
        port,
        tls,
        credentials,
    }))
}

pub fn from_env() -> Result<Config, ConfigError> {
    from_lookup(|name| env::var(name).ok().filter(|v| !v.is_empty()))
}

fn parse_url(name: &'static str, url: &str) -> Result<PgConnectOptions, ConfigError> {
    // The parse error can echo the URL, password included: keep only its kind.
    url.parse().map_err(|_| ConfigError::Invalid {
        name,
        reason: "not a PostgreSQL URL".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn development_runs_with_no_variables_against_the_local_cluster() {
        let cfg = config(&[]).unwrap();
        assert_eq!(cfg.environment, Environment::Development);
        assert_eq!(cfg.database.get_port(), 55432);
        assert!(cfg.migrate_on_start);
        assert_eq!(cfg.log_format, LogFormat::Pretty);
    }

    #[test]
    fn production_refuses_to_start_without_real_secrets() {
        let base = [
            ("APP_ENV", "production"),
            ("DATABASE_URL", "postgres://app@db/p"),
            ("PUBLIC_BASE_URL", "https://app.example.com"),
        ];
        assert_eq!(
            config(&base).err(),
            Some(ConfigError::Missing("SECRET_KEY"))
        );
        let mut with_dev_key = base.to_vec();
        with_dev_key.push(("SECRET_KEY", DEV_SECRET_KEY));
        assert!(matches!(
            config(&with_dev_key),
            Err(ConfigError::Invalid {
                name: "SECRET_KEY",
                ..
            })
        ));
        let mut short = base.to_vec();
        short.push(("SECRET_KEY", "short"));
        assert!(matches!(
            config(&short),
            Err(ConfigError::Invalid {
                name: "SECRET_KEY",
                ..
            })
        ));
        let mut good = base.to_vec();
        good.push((
            "SECRET_KEY",
            "a-real-secret-of-sufficient-length-1234567890",
        ));
        good.extend([
            ("SMTP_HOST", "smtp.example.com"),
            ("MAIL_FROM", "no-reply@example.com"),
        ]);
        assert_eq!(
            config(&good).err(),
            Some(ConfigError::Missing("INTEGRATION_KEYS"))
        );
        let mut dev_vault_key = good.clone();
        dev_vault_key.extend([
            ("INTEGRATION_KEYS", DEV_INTEGRATION_KEYS),
            ("INTEGRATION_ACTIVE_KEY", DEV_INTEGRATION_KEY_ID),
        ]);
        assert!(matches!(
            config(&dev_vault_key),
            Err(ConfigError::Invalid {
                name: "INTEGRATION_KEYS",
                ..
            })
        ));
        good.extend([
            (
                "INTEGRATION_KEYS",
                "k2026:cHJvZHVjdGlvbi1rZXktb2YtMzItYnl0ZXMtbG9uZyE=",
            ),
            ("INTEGRATION_ACTIVE_KEY", "k2026"),
        ]);
        let cfg = config(&good).unwrap();
        assert_eq!(cfg.integration_keys.active_key_id(), "k2026");
        assert!(!cfg.migrate_on_start);
        assert_eq!(cfg.log_format, LogFormat::Json);
    }

    #[test]
    fn production_needs_its_database_and_an_https_base_url() {
        assert_eq!(
            config(&[("APP_ENV", "production")]).err(),
            Some(ConfigError::Missing("DATABASE_URL"))
        );
        let plain_http = config(&[
            ("APP_ENV", "production"),
            ("DATABASE_URL", "postgres://app@db/p"),
            (
                "SECRET_KEY",
                "a-real-secret-of-sufficient-length-1234567890",
            ),
            ("PUBLIC_BASE_URL", "http://app.example.com"),
        ]);
        assert!(matches!(
            plain_http,
            Err(ConfigError::Invalid {
                name: "PUBLIC_BASE_URL",
                ..
            })
        ));
    }

    #[test]
    fn a_given_database_url_is_used_as_given_and_not_migrated_without_an_owner() {
        let cfg = config(&[("DATABASE_URL", "postgres://someone@db.internal:6543/perf")]).unwrap();
        assert_eq!(cfg.database.get_host(), "db.internal");
        assert!(cfg.owner_database.is_none());
        assert!(!cfg.migrate_on_start);
    }

    #[test]
    fn the_public_origin_drops_any_path_and_proxies_parse() {
        let cfg = config(&[
            ("PUBLIC_BASE_URL", "https://app.example.com/base/"),
            ("TRUSTED_PROXIES", "10.0.0.1, ::1"),
        ])
        .unwrap();
        assert_eq!(cfg.public_origin(), "https://app.example.com");
        assert_eq!(cfg.trusted_proxies.len(), 2);
        assert!(matches!(
            config(&[("TRUSTED_PROXIES", "proxy.local")]),
            Err(ConfigError::Invalid {
                name: "TRUSTED_PROXIES",
                ..
            })
        ));
    }

    #[test]
    fn the_secret_never_prints() {
        let cfg = config(&[]).unwrap();
        assert!(!format!("{cfg:?}").contains(DEV_SECRET_KEY));
        assert_eq!(format!("{:?}", cfg.secret_key), "Secret(..)");
    }

    const PRODUCTION: [(&str, &str); 6] = [
        ("APP_ENV", "production"),
        ("DATABASE_URL", "postgres://app@db/p"),
        ("PUBLIC_BASE_URL", "https://app.example.com"),
        (
            "SECRET_KEY",
            "a-real-secret-of-sufficient-length-1234567890",
        ),
        (
            "INTEGRATION_KEYS",
            "k2026:cHJvZHVjdGlvbi1rZXktb2YtMzItYnl0ZXMtbG9uZyE=",
        ),
        ("INTEGRATION_ACTIVE_KEY", "k2026"),
    ];

    fn production_with(extra: &[(&'static str, &'static str)]) -> Result<Config, ConfigError> {
        let mut vars = PRODUCTION.to_vec();
        vars.extend_from_slice(extra);
        config(&vars)
    }

    #[test]
    fn development_without_smtp_keeps_mail_in_the_outbox_from_a_default_sender() {
        let cfg = config(&[]).unwrap();
        assert!(cfg.smtp.is_none());
        assert_eq!(
            cfg.mail_from.email.to_string(),
            "no-reply@performancy.local"
        );
    }

    #[test]
    fn production_refuses_to_start_without_smtp_or_a_sender() {
        assert_eq!(
            production_with(&[("MAIL_FROM", "a@b.com")]).err(),
            Some(ConfigError::Missing("SMTP_HOST"))
        );
        assert_eq!(
            production_with(&[("SMTP_HOST", "smtp.example.com")]).err(),
            Some(ConfigError::Missing("MAIL_FROM"))
        );
        let cfg = production_with(&[
            ("SMTP_HOST", "smtp.example.com"),
            ("MAIL_FROM", "Performancy <no-reply@example.com>"),
        ])
        .unwrap();
        let smtp = cfg.smtp.unwrap();
        assert_eq!(
            (smtp.host.as_str(), smtp.port, smtp.tls, smtp.credentials),
            ("smtp.example.com", 587, SmtpTls::StartTls, None)
        );
        assert_eq!(cfg.mail_from.name.as_deref(), Some("Performancy"));
    }

    #[test]
    fn smtp_settings_parse_with_port_by_tls_mode_and_credentials_in_pairs() {
        let smtp = config(&[
            ("SMTP_HOST", "mail.test"),
            ("SMTP_TLS", "tls"),
            ("SMTP_USERNAME", "u"),
            ("SMTP_PASSWORD", "p4ss"),
        ])
        .unwrap()
        .smtp
        .unwrap();
        assert_eq!((smtp.port, smtp.tls), (465, SmtpTls::Tls));
        assert_eq!(smtp.credentials, Some(("u".to_owned(), "p4ss".to_owned())));
        let catcher = config(&[
            ("SMTP_HOST", "127.0.0.1"),
            ("SMTP_PORT", "1025"),
            ("SMTP_TLS", "none"),
        ])
        .unwrap()
        .smtp
        .unwrap();
        assert_eq!((catcher.port, catcher.tls), (1025, SmtpTls::None));
        assert!(matches!(
            config(&[("SMTP_HOST", "h"), ("SMTP_TLS", "ssl")]),
            Err(ConfigError::Invalid {
                name: "SMTP_TLS",
                ..
            })
        ));
        assert!(matches!(
            config(&[("SMTP_HOST", "h"), ("SMTP_PORT", "99999")]),
            Err(ConfigError::Invalid {
                name: "SMTP_PORT",
                ..
            })
        ));
        assert!(matches!(
            config(&[("SMTP_HOST", "h"), ("SMTP_USERNAME", "u")]),
            Err(ConfigError::Invalid {
                name: "SMTP_USERNAME",
                ..
            })
        ));
        assert!(matches!(
            config(&[("MAIL_FROM", "not an address")]),
            Err(ConfigError::Invalid {
                name: "MAIL_FROM",
                ..
            })
        ));
    }

    #[test]
    fn production_never_sends_an_smtp_password_unencrypted_and_never_prints_it() {
        let clear = production_with(&[
            ("SMTP_HOST", "h"),
            ("SMTP_TLS", "none"),
            ("SMTP_USERNAME", "u"),
            ("SMTP_PASSWORD", "hunter2-secret"),
            ("MAIL_FROM", "a@b.com"),
        ]);
        assert!(matches!(
            clear,
            Err(ConfigError::Invalid {
                name: "SMTP_TLS",
                ..
            })
        ));
        let cfg = production_with(&[
            ("SMTP_HOST", "h"),
            ("SMTP_USERNAME", "u"),
            ("SMTP_PASSWORD", "hunter2-secret"),
            ("MAIL_FROM", "a@b.com"),
        ])
        .unwrap();
        assert!(!format!("{cfg:?}").contains("hunter2-secret"));
    }

    #[test]
    fn nonsense_values_are_named_in_the_error() {
        assert!(matches!(
            config(&[("APP_ENV", "staging")]),
            Err(ConfigError::Invalid {
                name: "APP_ENV",
                ..
            })
        ));
        assert!(matches!(
            config(&[("DATABASE_MAX_CONNECTIONS", "many")]),
            Err(ConfigError::Invalid {
                name: "DATABASE_MAX_CONNECTIONS",
                ..
            })
        ));
    }
}
