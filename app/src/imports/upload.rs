//! `POST /{slug}/imports`: the upload form's target, a plain multipart form so it works before (and
//! without) the WebAssembly, and so a 50 MB file streams in without a server function's encoding.
//! Stores the file with its guessed mapping and sends the browser to its preview; a file that
//! cannot be read goes back to the form with a code the page explains.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::server::AuthSession;
use crate::shell::encode_query_value;
use crate::state::AppState;

/// The request body limit of the upload route: the file plus the form's other fields.
pub const BODY_LIMIT: usize = tabular::MAX_FILE_BYTES + 64 * 1024;

fn back(slug: &str, kind: &str, code: &str) -> Response {
    Redirect::to(&format!(
        "/{slug}/imports?kind={}&error={}",
        encode_query_value(kind),
        encode_query_value(code)
    ))
    .into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(slug): Path<String>,
    mut multipart: Multipart,
) -> Response {
    let Some(user) = auth.user.map(|u| u.0) else {
        return Redirect::to(&format!(
            "/login?next=/{}/imports",
            encode_query_value(&slug)
        ))
        .into_response();
    };
    let ctx = match crate::auth::server::tenant_ctx_of(&state.db, &user, &slug).await {
        Ok(ctx) => ctx,
        Err(error) => return error.status().into_response(),
    };
    if !super::server::may_import(&ctx) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let mut kind = String::from("LEAD");
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("kind") => kind = field.text().await.unwrap_or_default(),
                Some("file") => {
                    let name = field.file_name().unwrap_or("arquivo.csv").to_owned();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((name, bytes.to_vec())),
                        Err(_) => return back(&slug, &kind, "too_large"),
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return back(&slug, &kind, "too_large"),
        }
    }
    let Ok(parsed_kind) = super::server::parse_kind(&kind) else {
        return back(&slug, "LEAD", "invalid");
    };
    let Some((name, bytes)) = file.filter(|(_, bytes)| !bytes.is_empty()) else {
        return back(&slug, &kind, "empty");
    };
    let stored = async {
        let mut tx = state.db.begin(&ctx).await?;
        let preview =
            ingest::create_upload(&mut tx, parsed_kind, &name, &bytes, ctx.user_id()).await;
        match preview {
            Ok(preview) => {
                tx.commit().await?;
                Ok(Ok(preview.upload_id))
            }
            Err(error) => Ok(Err(error)),
        }
    }
    .await;
    match stored {
        Ok(Ok(id)) => Redirect::to(&format!("/{slug}/imports/{id}")).into_response(),
        Ok(Err(error)) => match super::server::refusal(error) {
            crate::error::AppError::Invalid(text) => {
                let code = text.split(':').nth(1).unwrap_or("invalid").to_owned();
                back(&slug, &kind, &code)
            }
            other => other.status().into_response(),
        },
        Err::<_, db::DbError>(error) => {
            tracing::error!(error = %error, "storing an upload failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
