//! Server side of people and squads. A viewer's scope is applied in every query (a MANAGER sees
//! the squads they lead and those squads' members); a record outside it is "not found" before any
//! permission is considered, and only then may a role be "forbidden" to change it.

use chrono::{DateTime, Utc};
use db::{SessionUser, TenantCtx, TenantTx};
use domain::money::{AmountError, parse_amount};
use domain::{Locale, UserArea, UserRole, UserStatus};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::{
    InviteOutcome, MAX_SQUAD_NAME_CHARS, PersonChoice, Squad, SquadMember, SquadType, SquadsView,
    USERS_PAGE_SIZE, UserPage, UserRow, normalise_linkedin,
};
use crate::audit::server::{Change, RequestMeta, record};
use crate::auth::invitations::{Invitee, send_invitation};
use crate::error::AppError;
use crate::pipeline::server::{company_zone, like_pattern};
use crate::state::AppState;
use crate::validation::{check_email, check_person_name, invalid};

/// The squads whose members a viewer may see: `None` for everyone (DIRECTOR, staff), the squads
/// they lead for a MANAGER.
fn squad_scope(ctx: &TenantCtx) -> Option<Vec<String>> {
    match ctx.role() {
        UserRole::Director | UserRole::Admin => None,
        _ => Some(ctx.led_squad_ids().to_vec()),
    }
}

/// Refuses a viewer who may see people but not change them (a MANAGER).
fn require_manage(ctx: &TenantCtx) -> Result<(), AppError> {
    if crate::policy::may_manage_people(ctx.role()) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The users list's filters as typed: empty means "any".
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub query: String,
    pub status: String,
    pub page: u32,
}

pub async fn list_users(
    state: &AppState,
    ctx: &TenantCtx,
    filter: &UserFilter,
) -> Result<UserPage, AppError> {
    let status = match filter.status.trim() {
        "" => None,
        raw => Some(
            raw.parse::<UserStatus>()
                .map_err(|_| invalid("status", "unknown"))?,
        ),
    };
    let page = filter.page.max(1);
    let offset = i64::from(page - 1) * USERS_PAGE_SIZE;
    let scope = squad_scope(ctx);
    let pattern = if filter.query.trim().is_empty() {
        None
    } else {
        Some(like_pattern(&filter.query))
    };
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let tz = company_zone(&mut tx).await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM users u
           WHERE u.company_id = $1
             AND ($2::text[] IS NULL OR u.id = $3 OR u.id IN (SELECT sm.user_id FROM squad_members sm WHERE sm.company_id = $1 AND sm.squad_id = ANY($2)))
             AND ($4::text IS NULL OR public.immutable_unaccent(lower(u.name)) LIKE public.immutable_unaccent($4) OR lower(u.email) LIKE $4)
             AND ($5::user_status IS NULL OR u.status = $5)"#,
        company_id,
        scope.as_deref(),
        ctx.user_id(),
        pattern,
        status as Option<UserStatus>
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    let rows = sqlx::query!(
        r#"SELECT u.id, u.name, u.email, u.role AS "role: UserRole", u.area AS "area: UserArea", u.status AS "status: UserStatus",
                  u.linkedin, u.last_login_at AS "last_login_at: DateTime<Utc>",
                  ARRAY(SELECT s.name FROM squad_members sm JOIN squads s ON s.company_id = sm.company_id AND s.id = sm.squad_id
                        WHERE sm.company_id = u.company_id AND sm.user_id = u.id AND ($2::text[] IS NULL OR sm.squad_id = ANY($2))
                        ORDER BY lower(s.name)) AS "squads!"
           FROM users u
           WHERE u.company_id = $1
             AND ($2::text[] IS NULL OR u.id = $3 OR u.id IN (SELECT sm.user_id FROM squad_members sm WHERE sm.company_id = $1 AND sm.squad_id = ANY($2)))
             AND ($4::text IS NULL OR public.immutable_unaccent(lower(u.name)) LIKE public.immutable_unaccent($4) OR lower(u.email) LIKE $4)
             AND ($5::user_status IS NULL OR u.status = $5)
           ORDER BY lower(u.name), u.id
           LIMIT $6 OFFSET $7"#,
        company_id,
        scope.as_deref(),
        ctx.user_id(),
        pattern,
        status as Option<UserStatus>,
        USERS_PAGE_SIZE,
        offset
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    tx.commit().await?;
    let items = rows
        .into_iter()
        .map(|r| UserRow {
            id: r.id,
            name: r.name,
            email: r.email,
            role: r.role,
            area: r.area,
            status: r.status,
            linkedin: r.linkedin,
            last_login_at: r
                .last_login_at
                .map(|at| at.with_timezone(&tz).fixed_offset()),
            squads: r.squads,
        })
        .collect();
    Ok(UserPage {
        items,
        total,
        page,
        page_size: USERS_PAGE_SIZE,
        can_manage: crate::policy::may_manage_people(ctx.role()),
        viewer_id: ctx.user_id().to_owned(),
    })
}

/// A person of the company, locked for a change.
struct Target {
    id: String,
    name: String,
    email: String,
    role: UserRole,
    area: UserArea,
    status: UserStatus,
    linkedin: Option<String>,
    language: String,
    has_password: bool,
}

/// Locks the person `user_id` of the company, if the viewer may see them: "not found" otherwise.
async fn lock_person(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    user_id: &str,
) -> Result<Target, AppError> {
    let company_id = tx.company_id().to_owned();
    let scope = squad_scope(ctx);
    let target = sqlx::query_as!(
        Target,
        r#"SELECT u.id, u.name, u.email, u.role AS "role: UserRole", u.area AS "area: UserArea", u.status AS "status: UserStatus",
                  u.linkedin, u.language, u.password_hash IS NOT NULL AS "has_password!"
           FROM users u
           WHERE u.company_id = $1 AND u.id = $2
             AND ($3::text[] IS NULL OR u.id = $4 OR u.id IN (SELECT sm.user_id FROM squad_members sm WHERE sm.company_id = $1 AND sm.squad_id = ANY($3)))
           FOR UPDATE OF u"#,
        company_id,
        user_id,
        scope.as_deref(),
        ctx.user_id()
    )
    .fetch_optional(&mut **tx)
    .await
    .map_err(db::DbError::from)?;
    target.ok_or(AppError::NotFound)
}

/// Whether the company keeps an active director besides `user_id`. The other directors' rows are
/// locked, so two directors demoting each other at the same moment cannot both succeed.
async fn another_active_director(tx: &mut TenantTx, user_id: &str) -> Result<bool, AppError> {
    let company_id = tx.company_id().to_owned();
    let others = sqlx::query_scalar!(
        r#"SELECT id FROM users WHERE company_id = $1 AND role = 'DIRECTOR' AND status = 'ACTIVE' AND id <> $2 FOR UPDATE"#,
        company_id,
        user_id
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db::DbError::from)?;
    Ok(!others.is_empty())
}

fn parse_role(raw: &str) -> Result<UserRole, AppError> {
    raw.trim()
        .parse::<UserRole>()
        .map_err(|_| invalid("role", "unknown"))
}

fn parse_area(raw: &str) -> Result<UserArea, AppError> {
    raw.trim()
        .parse::<UserArea>()
        .map_err(|_| invalid("area", "unknown"))
}

fn check_linkedin(raw: &str) -> Result<Option<String>, AppError> {
    normalise_linkedin(raw).map_err(|_| invalid("linkedin", "invalid"))
}

/// A new person as the invite form submits them.
#[derive(Debug, Clone, Default)]
pub struct InviteInput {
    pub name: String,
    pub email: String,
    pub role: String,
    pub area: String,
    pub linkedin: String,
    pub language: String,
}

/// Creates the person INVITED (audited in the same transaction), then mails the invitation. A
/// mail that cannot leave does not undo the invitation: the answer says so, and "resend" retries.
pub async fn invite(
    state: &AppState,
    ctx: &TenantCtx,
    inviter: &SessionUser,
    input: InviteInput,
    meta: &RequestMeta,
) -> Result<InviteOutcome, AppError> {
    require_manage(ctx)?;
    let role = parse_role(&input.role)?;
    if !crate::policy::may_assign_role(ctx.role(), role) {
        return Err(AppError::Forbidden);
    }
    let name = check_person_name(&input.name)?;
    let email = check_email(&input.email)?;
    let area = parse_area(&input.area)?;
    let linkedin = check_linkedin(&input.linkedin)?;
    let language = Locale::from_tag(&input.language).unwrap_or_default().tag();
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let company_name = sqlx::query_scalar!("SELECT name FROM companies WHERE id = $1", company_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db::DbError::from)?;
    let inserted = sqlx::query_scalar!(
        r#"INSERT INTO users (company_id, email, name, role, area, linkedin, status, language)
           VALUES ($1, $2, $3, $4, $5, $6, 'INVITED', $7) RETURNING id"#,
        company_id,
        email,
        name,
        role as UserRole,
        area as UserArea,
        linkedin,
        language
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(db::DbError::from);
    let user_id = match inserted {
        Ok(id) => id,
        Err(err) if err.constraint() == Some("users_email_lower_key") => {
            return Err(invalid("email", "taken"));
        }
        Err(err) => return Err(err.into()),
    };
    let after = json!({ "name": name, "email": email, "role": role.as_str(), "area": area.as_str(), "linkedin": linkedin, "status": "INVITED" });
    record(
        &mut tx,
        ctx,
        Change {
            action: "USER_INVITED",
            entity_type: "user",
            entity_id: &user_id,
            before: None,
            after: Some(after),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    let invitee = Invitee {
        user_id: user_id.clone(),
        email,
        name,
        language: language.to_owned(),
        company_name,
        inviter_name: inviter.name.clone(),
    };
    let mail_sent = match send_invitation(state, &invitee).await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(user_id = %user_id, error = ?err, "invitation created but its mail was not sent");
            false
        }
    };
    Ok(InviteOutcome { user_id, mail_sent })
}

/// A person's role, area and LinkedIn as the edit form submits them.
#[derive(Debug, Clone, Default)]
pub struct PersonChange {
    pub role: String,
    pub area: String,
    pub linkedin: String,
}

pub async fn update_person(
    state: &AppState,
    ctx: &TenantCtx,
    user_id: &str,
    change: PersonChange,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let target = lock_person(&mut tx, ctx, user_id).await?;
    require_manage(ctx)?;
    let role = parse_role(&change.role)?;
    if !crate::policy::may_assign_role(ctx.role(), role) {
        return Err(AppError::Forbidden);
    }
    let area = parse_area(&change.area)?;
    let linkedin = check_linkedin(&change.linkedin)?;
    if role != target.role {
        if target.id == ctx.user_id() {
            return Err(invalid("role", "self"));
        }
        if target.role == UserRole::Director
            && target.status == UserStatus::Active
            && !another_active_director(&mut tx, &target.id).await?
        {
            return Err(invalid("role", "last_director"));
        }
    }
    let mut before = Map::new();
    let mut after = Map::new();
    let mut note = |key: &str, old: Value, new: Value| {
        if old != new {
            before.insert(key.to_owned(), old);
            after.insert(key.to_owned(), new);
        }
    };
    note("role", json!(target.role.as_str()), json!(role.as_str()));
    note("area", json!(target.area.as_str()), json!(area.as_str()));
    note("linkedin", json!(target.linkedin), json!(linkedin));
    if after.is_empty() {
        return Ok(());
    }
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "UPDATE users SET role = $3, area = $4, linkedin = $5 WHERE company_id = $1 AND id = $2",
        company_id,
        target.id,
        role as UserRole,
        area as UserArea,
        linkedin
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    record(
        &mut tx,
        ctx,
        Change {
            action: "USER_UPDATED",
            entity_type: "user",
            entity_id: &target.id,
            before: Some(Value::Object(before)),
            after: Some(Value::Object(after)),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates a person (their sessions end at once: a new security stamp, and sign-in refuses
/// anyone not ACTIVE) or reactivates them (ACTIVE again, or INVITED if they never set a password).
/// Nobody deactivates themselves, and the last active director stays.
pub async fn set_person_status(
    state: &AppState,
    ctx: &TenantCtx,
    user_id: &str,
    active: bool,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let target = lock_person(&mut tx, ctx, user_id).await?;
    require_manage(ctx)?;
    if target.id == ctx.user_id() {
        return Err(invalid("user", "self"));
    }
    let company_id = tx.company_id().to_owned();
    let new_status = if active {
        if target.status != UserStatus::Inactive {
            return Ok(());
        }
        if target.has_password {
            UserStatus::Active
        } else {
            UserStatus::Invited
        }
    } else {
        if target.status == UserStatus::Inactive {
            return Ok(());
        }
        if target.role == UserRole::Director
            && target.status == UserStatus::Active
            && !another_active_director(&mut tx, &target.id).await?
        {
            return Err(invalid("user", "last_director"));
        }
        UserStatus::Inactive
    };
    sqlx::query!(
        "UPDATE users
         SET status = $3,
             security_stamp = CASE WHEN $3 = 'INACTIVE'::user_status THEN performancy_id() ELSE security_stamp END
         WHERE company_id = $1 AND id = $2",
        company_id,
        target.id,
        new_status as UserStatus
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    record(
        &mut tx,
        ctx,
        Change {
            action: if active {
                "USER_REACTIVATED"
            } else {
                "USER_DEACTIVATED"
            },
            entity_type: "user",
            entity_id: &target.id,
            before: Some(json!({ "status": target.status.as_str() })),
            after: Some(json!({ "status": new_status.as_str() })),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends an INVITED person a new link (the previous one stops working). Audited only when the
/// mail left.
pub async fn resend_invitation(
    state: &AppState,
    ctx: &TenantCtx,
    inviter: &SessionUser,
    user_id: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let target = lock_person(&mut tx, ctx, user_id).await?;
    require_manage(ctx)?;
    if target.status != UserStatus::Invited {
        return Err(invalid("user", "not_invited"));
    }
    let company_id = tx.company_id().to_owned();
    let company_name = sqlx::query_scalar!("SELECT name FROM companies WHERE id = $1", company_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db::DbError::from)?;
    record(
        &mut tx,
        ctx,
        Change {
            action: "USER_INVITATION_RESENT",
            entity_type: "user",
            entity_id: &target.id,
            before: None,
            after: None,
        },
        meta,
    )
    .await?;
    let invitee = Invitee {
        user_id: target.id,
        email: target.email,
        name: target.name,
        language: target.language,
        company_name,
        inviter_name: inviter.name.clone(),
    };
    send_invitation(state, &invitee).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Squads
// ---------------------------------------------------------------------------------------------

/// A squad as its form submits it.
#[derive(Debug, Clone, Default)]
pub struct SquadInput {
    pub name: String,
    pub squad_type: String,
    pub target: String,
}

struct CheckedSquad {
    name: String,
    squad_type: SquadType,
    target: Option<Decimal>,
}

/// A monthly target as typed (`150.000,00`, `150000`), or nothing for an empty field.
pub fn parse_target(raw: &str, locale: Locale) -> Result<Option<Decimal>, AppError> {
    match parse_amount(raw, locale) {
        Ok(amount) => Ok(Some(amount)),
        Err(AmountError::Empty) => Ok(None),
        Err(AmountError::Negative) => Err(invalid("target", "negative")),
        Err(AmountError::TooPrecise) => Err(invalid("target", "too_precise")),
        Err(AmountError::TooLarge) => Err(invalid("target", "too_large")),
        Err(AmountError::Malformed) => Err(invalid("target", "malformed")),
    }
}

fn check_squad(input: &SquadInput, locale: Locale) -> Result<CheckedSquad, AppError> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(invalid("name", "required"));
    }
    if name.chars().count() > MAX_SQUAD_NAME_CHARS {
        return Err(invalid("name", "too_long"));
    }
    let squad_type =
        SquadType::parse(&input.squad_type).ok_or_else(|| invalid("squad_type", "unknown"))?;
    let target = parse_target(&input.target, locale)?;
    Ok(CheckedSquad {
        name: name.to_owned(),
        squad_type,
        target,
    })
}

fn squad_json(name: &str, squad_type: &str, target: Option<Decimal>) -> Value {
    json!({ "name": name, "type": squad_type, "target_monthly": target })
}

struct SquadRow {
    id: String,
    name: String,
    squad_type: String,
    target_monthly: Option<Decimal>,
}

struct MemberRow {
    squad_id: String,
    user_id: String,
    name: String,
    email: String,
    role: UserRole,
    status: UserStatus,
    is_leader: bool,
}

fn squad_type_of(stored: &str) -> SquadType {
    // squads_type_check admits only the three spellings.
    SquadType::parse(stored).unwrap_or(SquadType::Sales)
}

async fn squads_with_members(
    tx: &mut TenantTx,
    ids: Option<&[String]>,
) -> Result<Vec<Squad>, AppError> {
    let company_id = tx.company_id().to_owned();
    let squads = sqlx::query_as!(
        SquadRow,
        r#"SELECT id, name, type AS squad_type, target_monthly FROM squads
           WHERE company_id = $1 AND ($2::text[] IS NULL OR id = ANY($2))
           ORDER BY lower(name), id"#,
        company_id,
        ids
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db::DbError::from)?;
    let squad_ids: Vec<String> = squads.iter().map(|s| s.id.clone()).collect();
    let members = sqlx::query_as!(
        MemberRow,
        r#"SELECT sm.squad_id, u.id AS user_id, u.name, u.email, u.role AS "role: UserRole", u.status AS "status: UserStatus", sm.is_leader
           FROM squad_members sm
           JOIN users u ON u.company_id = sm.company_id AND u.id = sm.user_id
           WHERE sm.company_id = $1 AND sm.squad_id = ANY($2)
           ORDER BY sm.is_leader DESC, lower(u.name), u.id"#,
        company_id,
        &squad_ids
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db::DbError::from)?;
    Ok(squads
        .into_iter()
        .map(|s| Squad {
            members: members
                .iter()
                .filter(|m| m.squad_id == s.id)
                .map(|m| SquadMember {
                    user_id: m.user_id.clone(),
                    name: m.name.clone(),
                    email: m.email.clone(),
                    role: m.role,
                    status: m.status,
                    is_leader: m.is_leader,
                })
                .collect(),
            squad_type: squad_type_of(&s.squad_type),
            id: s.id,
            name: s.name,
            target_monthly: s.target_monthly,
        })
        .collect())
}

pub async fn list_squads(state: &AppState, ctx: &TenantCtx) -> Result<SquadsView, AppError> {
    let scope = squad_scope(ctx);
    let can_manage = crate::policy::may_manage_people(ctx.role());
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let squads = squads_with_members(&mut tx, scope.as_deref()).await?;
    let currency = sqlx::query_scalar!("SELECT currency FROM companies WHERE id = $1", company_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db::DbError::from)?;
    let people = if can_manage {
        sqlx::query_as!(
            PersonChoice,
            r#"SELECT id, name, status AS "status: UserStatus" FROM users
               WHERE company_id = $1 AND status <> 'INACTIVE' ORDER BY lower(name), id"#,
            company_id
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(db::DbError::from)?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    Ok(SquadsView {
        squads,
        currency,
        can_manage,
        people,
    })
}

/// Locks the squad `squad_id` if the viewer may see it: "not found" otherwise.
async fn lock_squad(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    squad_id: &str,
) -> Result<SquadRow, AppError> {
    let company_id = tx.company_id().to_owned();
    let scope = squad_scope(ctx);
    let squad = sqlx::query_as!(
        SquadRow,
        r#"SELECT id, name, type AS squad_type, target_monthly FROM squads
           WHERE company_id = $1 AND id = $2 AND ($3::text[] IS NULL OR id = ANY($3))
           FOR UPDATE"#,
        company_id,
        squad_id,
        scope.as_deref()
    )
    .fetch_optional(&mut **tx)
    .await
    .map_err(db::DbError::from)?;
    squad.ok_or(AppError::NotFound)
}

pub async fn get_squad(
    state: &AppState,
    ctx: &TenantCtx,
    squad_id: &str,
) -> Result<Squad, AppError> {
    let scope = squad_scope(ctx);
    if scope
        .as_ref()
        .is_some_and(|ids| !ids.iter().any(|id| id == squad_id))
    {
        return Err(AppError::NotFound);
    }
    let mut tx = state.db.begin(ctx).await?;
    let ids = [squad_id.to_owned()];
    let squad = squads_with_members(&mut tx, Some(&ids))
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(squad)
}

pub async fn create_squad(
    state: &AppState,
    ctx: &TenantCtx,
    input: SquadInput,
    locale: Locale,
    meta: &RequestMeta,
) -> Result<String, AppError> {
    require_manage(ctx)?;
    let squad = check_squad(&input, locale)?;
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let id = sqlx::query_scalar!(
        "INSERT INTO squads (company_id, name, type, target_monthly) VALUES ($1, $2, $3, $4) RETURNING id",
        company_id,
        squad.name,
        squad.squad_type.as_str(),
        squad.target
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    let after = squad_json(&squad.name, squad.squad_type.as_str(), squad.target);
    record(
        &mut tx,
        ctx,
        Change {
            action: "SQUAD_CREATED",
            entity_type: "squad",
            entity_id: &id,
            before: None,
            after: Some(after),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_squad(
    state: &AppState,
    ctx: &TenantCtx,
    squad_id: &str,
    input: SquadInput,
    locale: Locale,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let current = lock_squad(&mut tx, ctx, squad_id).await?;
    require_manage(ctx)?;
    let squad = check_squad(&input, locale)?;
    let before = squad_json(&current.name, &current.squad_type, current.target_monthly);
    let after = squad_json(&squad.name, squad.squad_type.as_str(), squad.target);
    if before == after {
        return Ok(());
    }
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "UPDATE squads SET name = $3, type = $4, target_monthly = $5 WHERE company_id = $1 AND id = $2",
        company_id,
        current.id,
        squad.name,
        squad.squad_type.as_str(),
        squad.target
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    record(
        &mut tx,
        ctx,
        Change {
            action: "SQUAD_UPDATED",
            entity_type: "squad",
            entity_id: &current.id,
            before: Some(before),
            after: Some(after),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a squad and its memberships (its playbooks stay, no longer tied to it).
pub async fn delete_squad(
    state: &AppState,
    ctx: &TenantCtx,
    squad_id: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let current = lock_squad(&mut tx, ctx, squad_id).await?;
    require_manage(ctx)?;
    let company_id = tx.company_id().to_owned();
    let members = sqlx::query_scalar!(
        "SELECT user_id FROM squad_members WHERE company_id = $1 AND squad_id = $2 ORDER BY user_id",
        company_id,
        current.id
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    sqlx::query!(
        "DELETE FROM squads WHERE company_id = $1 AND id = $2",
        company_id,
        current.id
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    let mut before = squad_json(&current.name, &current.squad_type, current.target_monthly);
    before["members"] = json!(members);
    record(
        &mut tx,
        ctx,
        Change {
            action: "SQUAD_DELETED",
            entity_type: "squad",
            entity_id: &current.id,
            before: Some(before),
            after: None,
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a person to a squad, or changes whether they lead it.
pub async fn set_member(
    state: &AppState,
    ctx: &TenantCtx,
    squad_id: &str,
    user_id: &str,
    is_leader: bool,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let squad = lock_squad(&mut tx, ctx, squad_id).await?;
    require_manage(ctx)?;
    let person = lock_person(&mut tx, ctx, user_id).await?;
    let company_id = tx.company_id().to_owned();
    let current = sqlx::query_scalar!(
        "SELECT is_leader FROM squad_members WHERE company_id = $1 AND squad_id = $2 AND user_id = $3",
        company_id,
        squad.id,
        person.id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    if current == Some(is_leader) {
        return Ok(());
    }
    if current.is_none() && person.status == UserStatus::Inactive {
        return Err(invalid("user_id", "inactive"));
    }
    sqlx::query!(
        "INSERT INTO squad_members (company_id, squad_id, user_id, is_leader) VALUES ($1, $2, $3, $4)
         ON CONFLICT (company_id, user_id, squad_id) DO UPDATE SET is_leader = EXCLUDED.is_leader",
        company_id,
        squad.id,
        person.id,
        is_leader
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    let (action, before) = match current {
        None => ("SQUAD_MEMBER_ADDED", None),
        Some(was) => (
            "SQUAD_MEMBER_UPDATED",
            Some(json!({ "user_id": person.id, "name": person.name, "is_leader": was })),
        ),
    };
    let after = json!({ "user_id": person.id, "name": person.name, "is_leader": is_leader });
    record(
        &mut tx,
        ctx,
        Change {
            action,
            entity_type: "squad",
            entity_id: &squad.id,
            before,
            after: Some(after),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(
    state: &AppState,
    ctx: &TenantCtx,
    squad_id: &str,
    user_id: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let squad = lock_squad(&mut tx, ctx, squad_id).await?;
    require_manage(ctx)?;
    let company_id = tx.company_id().to_owned();
    let removed = sqlx::query!(
        r#"DELETE FROM squad_members sm USING users u
           WHERE sm.company_id = $1 AND sm.squad_id = $2 AND sm.user_id = $3 AND u.company_id = sm.company_id AND u.id = sm.user_id
           RETURNING sm.is_leader, u.name"#,
        company_id,
        squad.id,
        user_id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(db::DbError::from)?
    .ok_or(AppError::NotFound)?;
    let before =
        json!({ "user_id": user_id, "name": removed.name, "is_leader": removed.is_leader });
    record(
        &mut tx,
        ctx,
        Change {
            action: "SQUAD_MEMBER_REMOVED",
            entity_type: "squad",
            entity_id: &squad.id,
            before: Some(before),
            after: None,
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_wildcards_typed_by_people_are_literal() {
        assert_eq!(like_pattern(" 100%_Ana\\ "), "%100\\%\\_ana\\\\%");
    }

    #[test]
    fn monthly_targets_read_brazilian_and_plain_input_and_may_be_empty() {
        assert_eq!(
            parse_target("150.000,50", Locale::PtBr),
            Ok(Some(Decimal::new(15_000_050, 2)))
        );
        assert_eq!(
            parse_target("150000.50", Locale::PtBr),
            Ok(Some(Decimal::new(15_000_050, 2)))
        );
        assert_eq!(parse_target("  ", Locale::PtBr), Ok(None));
        assert_eq!(
            parse_target("-5", Locale::PtBr),
            Err(invalid("target", "negative"))
        );
        assert_eq!(
            parse_target("dez mil", Locale::PtBr),
            Err(invalid("target", "malformed"))
        );
        assert_eq!(
            parse_target("1,999", Locale::PtBr),
            Err(invalid("target", "too_precise"))
        );
    }
}
