//! Server functions of people and squads. Thin: the tenant context; the area check (an AGENT is
//! forbidden the whole area); one call of `server.rs`, which scopes the record first ("not found"
//! outside the viewer's squads) and then checks the action ("forbidden" for a MANAGER's change).

use leptos::prelude::*;

use super::{InviteOutcome, Squad, SquadsView, UserPage};
use crate::error::AppError;

/// The request's tenant context, refused (403) to a role that may never use the users area.
#[cfg(feature = "ssr")]
async fn people_ctx(state: &crate::state::AppState, slug: &str) -> Result<db::TenantCtx, AppError> {
    let ctx = crate::auth::server::tenant_ctx(&state.db, slug).await?;
    if !crate::policy::may_use_area(ctx.role(), crate::shell::Area::Users) {
        return Err(AppError::Forbidden);
    }
    Ok(ctx)
}

#[server(endpoint = "users/list")]
pub async fn list_users(
    slug: String,
    #[server(default)] q: String,
    #[server(default)] status: String,
    #[server(default)] page: u32,
) -> Result<UserPage, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = people_ctx(&state, &slug).await?;
            super::server::list_users(
                &state,
                &ctx,
                &super::server::UserFilter {
                    query: q,
                    status,
                    page,
                },
            )
            .await
        }
        .await,
    )
}

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "users/invite")]
pub async fn invite_user(
    slug: String,
    name: String,
    email: String,
    role: String,
    #[server(default)] area: String,
    #[server(default)] linkedin: String,
    #[server(default)] language: String,
) -> Result<InviteOutcome, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let inviter = crate::auth::server::require_user()?;
            let ctx = people_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            let area = if area.is_empty() {
                domain::UserArea::Sales.as_str().to_owned()
            } else {
                area
            };
            let input = super::server::InviteInput {
                name,
                email,
                role,
                area,
                linkedin,
                language,
            };
            super::server::invite(&state, &ctx, &inviter, input, &meta).await
        }
        .await,
    )
}

#[server(endpoint = "users/update")]
pub async fn update_user(
    slug: String,
    user_id: String,
    role: String,
    area: String,
    #[server(default)] linkedin: String,
) -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = people_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::update_person(
                &state,
                &ctx,
                &user_id,
                super::server::PersonChange {
                    role,
                    area,
                    linkedin,
                },
                &meta,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "users/status")]
pub async fn set_user_status(slug: String, user_id: String, active: bool) -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = people_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::set_person_status(&state, &ctx, &user_id, active, &meta).await
        }
        .await,
    )
}

#[server(endpoint = "users/resend")]
pub async fn resend_invitation(slug: String, user_id: String) -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let inviter = crate::auth::server::require_user()?;
            let ctx = people_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::resend_invitation(&state, &ctx, &inviter, &user_id, &meta).await
        }
        .await,
    )
}

#[server(endpoint = "squads/list")]
pub async fn list_squads(slug: String) -> Result<SquadsView, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = people_ctx(&state, &slug).await?;
            super::server::list_squads(&state, &ctx).await
        }
        .await,
    )
}

#[server(endpoint = "squads/get")]
pub async fn get_squad(slug: String, squad_id: String) -> Result<Squad, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = people_ctx(&state, &slug).await?;
            super::server::get_squad(&state, &ctx, &squad_id).await
        }
        .await,
    )
}

/// A new squad; the monthly target is money in the company's currency, typed `150.000,00` or
/// `150000.00` (empty: no target).
#[server(endpoint = "squads/create")]
pub async fn create_squad(
    slug: String,
    name: String,
    squad_type: String,
    #[server(default)] target: String,
) -> Result<String, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = people_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            let input = super::server::SquadInput {
                name,
                squad_type,
                target,
            };
            super::server::create_squad(
                &state,
                &ctx,
                input,
                crate::validation::request_locale(),
                &meta,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "squads/update")]
pub async fn update_squad(
    slug: String,
    squad_id: String,
    name: String,
    squad_type: String,
    #[server(default)] target: String,
) -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = people_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            let input = super::server::SquadInput {
                name,
                squad_type,
                target,
            };
            super::server::update_squad(
                &state,
                &ctx,
                &squad_id,
                input,
                crate::validation::request_locale(),
                &meta,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "squads/delete")]
pub async fn delete_squad(slug: String, squad_id: String) -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = people_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::delete_squad(&state, &ctx, &squad_id, &meta).await
        }
        .await,
    )
}

/// Adds `user_id` to the squad, or changes whether they lead it (`is_leader` checked: `on`).
#[server(endpoint = "squads/member")]
pub async fn set_squad_member(
    slug: String,
    squad_id: String,
    user_id: String,
    is_leader: Option<String>,
) -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = people_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            let leader = is_leader.is_some_and(|v| v != "false");
            super::server::set_member(&state, &ctx, &squad_id, &user_id, leader, &meta).await
        }
        .await,
    )
}

#[server(endpoint = "squads/member/remove")]
pub async fn remove_squad_member(
    slug: String,
    squad_id: String,
    user_id: String,
) -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = people_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::remove_member(&state, &ctx, &squad_id, &user_id, &meta).await
        }
        .await,
    )
}
