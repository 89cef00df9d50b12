//! Why an ingest call could not do its work. A bad row is not here (it is a
//! [`RowFailure`](crate::RowFailure) and never stops the good rows), nor is a CRM that failed
//! midway (the run ends PARTIAL or FAILED and says so in its report): these are what the caller
//! must map to a page's answer or a job's retry.

use db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The database failed; the worker retries the job, a server function answers 500.
    #[error(transparent)]
    Db(#[from] DbError),
    /// No upload with this id in the transaction's company (another company's is not found too).
    #[error("upload not found")]
    UploadNotFound,
    /// The upload is queued, importing or imported: its mapping can no longer change, nor can it be
    /// queued again.
    #[error("the upload is {status} and cannot be changed")]
    UploadNotEditable { status: String },
    /// The file cannot be read as a table at all (empty, too large, a workbook, no header…).
    #[error("the file cannot be imported: {0}")]
    File(#[from] tabular::FileError),
    /// The mapping is invalid, for another kind of file, or for other columns.
    #[error("the mapping cannot be used: {0}")]
    Mapping(#[from] tabular::ReadError),
    /// The thread reading the file or a task writing its batches panicked.
    #[error("the import stopped unexpectedly")]
    Stopped,
    /// The file name is blank or longer than 255 characters.
    #[error("the file name is blank or too long")]
    InvalidFileName,
}

impl From<sqlx::Error> for IngestError {
    fn from(error: sqlx::Error) -> Self {
        IngestError::Db(DbError::Sqlx(error))
    }
}

impl IngestError {
    /// A short stable code for pages to translate; the `Display` text is for logs.
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::Db(_) => "database",
            IngestError::UploadNotFound => "upload_not_found",
            IngestError::UploadNotEditable { .. } => "upload_not_editable",
            IngestError::File(file) => file.code(),
            IngestError::Mapping(read) => read.code(),
            IngestError::Stopped => "stopped",
            IngestError::InvalidFileName => "invalid_file_name",
        }
    }
}
