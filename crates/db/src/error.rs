use thiserror::Error;

/// What can go wrong below the features. Callers map it to their own error; its text is for the
/// log, never for the browser.
#[derive(Debug, Error)]
pub enum DbError {
    #[error("database unavailable or query failed")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

impl DbError {
    /// The name of the constraint a write violated, for mapping by name rather than by message.
    pub fn constraint(&self) -> Option<&str> {
        match self {
            DbError::Sqlx(sqlx::Error::Database(e)) => e.constraint(),
            _ => None,
        }
    }

    /// The SQLSTATE of a database-side error.
    pub fn sqlstate(&self) -> Option<String> {
        match self {
            DbError::Sqlx(sqlx::Error::Database(e)) => e.code().map(|c| c.into_owned()),
            _ => None,
        }
    }
}
