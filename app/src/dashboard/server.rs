//! Server side of the ranking: every agent's revenue and deals won in the period, computed over
//! the whole company (a position needs everyone), then cut to the viewer's own line when the
//! company hides the ranking from agents.

use chrono::{Datelike, NaiveDate, Utc};
use db::TenantCtx;
use domain::UserRole;
use rust_decimal::Decimal;

use super::{Ranking, RankingRow};
use crate::company::Feature;
use crate::error::AppError;
use crate::pipeline::server::company_zone;
use crate::validation::invalid;

fn day(field: &str, raw: &str) -> Result<Option<NaiveDate>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| invalid(field, "date")),
    }
}

/// Ranks rows already sorted by revenue then deals: equal figures share a position (1, 2, 2, 4).
pub fn assign_positions(rows: &mut [RankingRow]) {
    let mut previous: Option<(Decimal, i64)> = None;
    let mut position = 0;
    for (index, row) in rows.iter_mut().enumerate() {
        let key = (row.revenue, row.deals_won);
        if previous != Some(key) {
            position = index as i64 + 1;
            previous = Some(key);
        }
        row.position = position;
    }
}

pub async fn ranking(
    db: &db::Db,
    ctx: &TenantCtx,
    from: &str,
    to: &str,
) -> Result<Ranking, AppError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let tz = company_zone(&mut tx).await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let from = day("from", from)?.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let to = day("to", to)?.unwrap_or(today);
    if to < from {
        return Err(invalid("to", "before_from"));
    }
    let currency = sqlx::query_scalar!("SELECT currency FROM companies WHERE id = $1", company_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db::DbError::from)?;
    let start = tz
        .from_local_datetime(&from.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|at| at.with_timezone(&Utc));
    let end = tz
        .from_local_datetime(
            &to.succ_opt()
                .unwrap_or(to)
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default(),
        )
        .earliest()
        .map(|at| at.with_timezone(&Utc));
    let rows = sqlx::query!(
        r#"SELECT u.id, u.name,
                  coalesce(sum(d.value) FILTER (WHERE d.id IS NOT NULL), 0) AS "revenue!",
                  count(d.id) AS "deals_won!"
           FROM users u
           LEFT JOIN (deals d JOIN pipeline_stages s ON s.company_id = d.company_id AND s.key = d.stage AND s.kind = 'WON')
             ON d.company_id = u.company_id AND d.owner_id = u.id AND d.currency = $2
                AND d.closed_at >= $3 AND d.closed_at < $4
           WHERE u.company_id = $1 AND u.role = 'AGENT' AND u.status = 'ACTIVE'
           GROUP BY u.id, u.name
           ORDER BY 3 DESC, 4 DESC, lower(u.name), u.id"#,
        company_id,
        currency,
        start as _,
        end as _
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    let visible = crate::company::server::feature_on(&mut tx, Feature::RankingVisibility).await?;
    tx.commit().await?;
    let mut rows: Vec<RankingRow> = rows
        .into_iter()
        .map(|r| RankingRow {
            position: 0,
            user_id: r.id,
            name: r.name,
            revenue: r.revenue,
            deals_won: r.deals_won,
        })
        .collect();
    assign_positions(&mut rows);
    let of = rows.len() as i64;
    let mine = rows.iter().find(|r| r.user_id == ctx.user_id()).cloned();
    let hidden = !visible && ctx.role() == UserRole::Agent;
    if hidden {
        rows = mine.iter().cloned().collect();
    }
    Ok(Ranking {
        from,
        to,
        currency,
        rows,
        of,
        mine,
        hidden,
    })
}

use chrono::TimeZone;

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, revenue: i64, deals: i64) -> RankingRow {
        RankingRow {
            position: 0,
            user_id: name.into(),
            name: name.into(),
            revenue: Decimal::from(revenue),
            deals_won: deals,
        }
    }

    #[test]
    fn equal_figures_share_a_position_and_the_next_one_skips() {
        let mut rows = vec![
            row("a", 100, 2),
            row("b", 50, 1),
            row("c", 50, 1),
            row("d", 10, 1),
            row("e", 0, 0),
        ];
        assign_positions(&mut rows);
        let positions: Vec<i64> = rows.iter().map(|r| r.position).collect();
        assert_eq!(positions, [1, 2, 2, 4, 5]);
    }
}
