//! Reminders as stored: the schedule of each round (none stored = the defaults),
//! every reminder sent to a unit under a unique key (claiming the key is what
//! makes a scheduled reminder go out once, even with two servers), and the
//! in-app notices of each user.

use chrono::NaiveDate;
use qcdc_core::CoreResult;
use qcdc_core::reminder::Schedule;
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::db::DbResult;
use crate::rows::{self, now};

#[derive(FromRow)]
struct ScheduleRow {
    enabled: i64,
    days_before: i64,
    on_the_day: i64,
    overdue_every: i64,
    overdue_max: i64,
}

fn small(table: &str, col: &str, v: i64) -> CoreResult<u32> {
    u32::try_from(v).map_err(|_| rows::corrupt(table, col, v))
}

/// The stored schedule of a round (None: the round follows the defaults).
pub async fn schedule(c: &mut AnyConnection, round_id: i64) -> CoreResult<Option<Schedule>> {
    let r: Option<ScheduleRow> = rows::fetch_optional(
        c,
        sqlx::query_as("SELECT enabled, days_before, on_the_day, overdue_every, overdue_max FROM reminder_schedules WHERE round_id = $1")
            .bind(round_id),
        "reminder_schedules",
    )
    .await?;
    r.map(|r| {
        Ok(Schedule {
            enabled: r.enabled == 1,
            days_before: small("reminder_schedules", "days_before", r.days_before)?,
            on_the_day: r.on_the_day == 1,
            overdue_every: small("reminder_schedules", "overdue_every", r.overdue_every)?,
            overdue_max: small("reminder_schedules", "overdue_max", r.overdue_max)?,
        })
    })
    .transpose()
}

/// Stores (replaces) the schedule of a round.
pub async fn set_schedule(
    c: &mut AnyConnection,
    round_id: i64,
    s: &Schedule,
    who: &str,
) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO reminder_schedules (round_id, enabled, days_before, on_the_day, overdue_every, overdue_max, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (round_id) DO UPDATE SET enabled = excluded.enabled, \
         days_before = excluded.days_before, on_the_day = excluded.on_the_day, overdue_every = excluded.overdue_every, \
         overdue_max = excluded.overdue_max, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(round_id)
    .bind(i64::from(s.enabled))
    .bind(i64::from(s.days_before))
    .bind(i64::from(s.on_the_day))
    .bind(i64::from(s.overdue_every))
    .bind(i64::from(s.overdue_max))
    .bind(now())
    .bind(who.to_string())
    .execute(&mut *c)
    .await
    .db()?;
    Ok(())
}

/// A recipient that has not sent its report (not started, draft, returned).
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub status: String,
    /// The unit's own deadline, when the office extended it for the unit alone.
    pub deadline: Option<NaiveDate>,
}

/// The recipients of a round that have not sent, in Vietnamese order.
pub async fn missing(c: &mut AnyConnection, round_id: i64) -> CoreResult<Vec<Missing>> {
    #[derive(FromRow)]
    struct Row {
        unit_id: i64,
        code: String,
        name: String,
        status: String,
        deadline: Option<String>,
    }
    let rows: Vec<Row> = rows::fetch_all(
        c,
        sqlx::query_as(
            "SELECT s.unit_id, u.code, u.name, s.status, s.deadline FROM submissions s JOIN units u ON u.id = s.unit_id \
             WHERE s.round_id = $1 AND s.status IN ('not_started', 'draft', 'returned') ORDER BY u.sort_key, u.code",
        )
        .bind(round_id),
        "submissions",
    )
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Missing {
                unit_id: r.unit_id,
                code: r.code,
                name: r.name,
                status: r.status,
                deadline: r
                    .deadline
                    .map(|d| rows::day_col("submissions", "deadline", &d))
                    .transpose()?,
            })
        })
        .collect()
}

/// Records a reminder under its key; false when the key was already taken (the
/// reminder went out before, from this server or another).
pub async fn claim(
    c: &mut AnyConnection,
    key: &str,
    round_id: i64,
    unit_id: i64,
    kind: &str,
    who: &str,
) -> CoreResult<bool> {
    #[derive(FromRow)]
    struct Id {
        id: i64,
    }
    let r: Option<Id> = rows::fetch_optional(
        c,
        sqlx::query_as(
            "INSERT INTO reminders (reminder_key, round_id, unit_id, kind, sent_at, sent_by) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (reminder_key) DO NOTHING RETURNING id",
        )
        .bind(key.to_string())
        .bind(round_id)
        .bind(unit_id)
        .bind(kind.to_string())
        .bind(now())
        .bind(who.to_string()),
        "reminders",
    )
    .await?;
    Ok(r.is_some_and(|r| r.id > 0))
}

/// How many reminders a unit has had in a round, and when the last one went out.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct SentCount {
    pub unit_id: i64,
    pub n: i64,
    pub last_at: String,
}

/// Reminders sent per unit of a round.
pub async fn sent_counts(c: &mut AnyConnection, round_id: i64) -> CoreResult<Vec<SentCount>> {
    rows::fetch_all(
        c,
        sqlx::query_as(
            "SELECT unit_id, COUNT(*) AS n, MAX(sent_at) AS last_at FROM reminders WHERE round_id = $1 GROUP BY unit_id",
        )
        .bind(round_id),
        "reminders",
    )
    .await
}

/// A notice to write.
pub struct NewNotice<'a> {
    pub user_id: i64,
    pub round_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
}

pub async fn insert_notice(c: &mut AnyConnection, n: &NewNotice<'_>) -> CoreResult<()> {
    sqlx::query("INSERT INTO notices (user_id, round_id, unit_id, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(n.user_id)
        .bind(n.round_id)
        .bind(n.unit_id)
        .bind(n.title.to_string())
        .bind(n.body.to_string())
        .bind(n.link.to_string())
        .bind(now())
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// A user's notice.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct Notice {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// A user's notices, unread first then newest first, at most `limit`.
pub async fn notices(c: &mut AnyConnection, user_id: i64, limit: i64) -> CoreResult<Vec<Notice>> {
    rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, title, body, link, created_at, read_at FROM notices WHERE user_id = $1 \
             ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, id DESC LIMIT {}",
            limit.clamp(1, 500)
        )))
        .bind(user_id),
        "notices",
    )
    .await
}

/// How many notices of a user are unread.
pub async fn unread(c: &mut AnyConnection, user_id: i64) -> CoreResult<i64> {
    #[derive(FromRow)]
    struct N {
        n: i64,
    }
    let r: N = rows::fetch_one(
        c,
        sqlx::query_as("SELECT COUNT(*) AS n FROM notices WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id),
        "notices",
    )
    .await?;
    Ok(r.n)
}

/// Marks one notice (or all when None) of a user as read; how many changed.
pub async fn mark_read(c: &mut AnyConnection, user_id: i64, id: Option<i64>) -> CoreResult<u64> {
    let r = match id {
        Some(id) => sqlx::query(
            "UPDATE notices SET read_at = $1 WHERE user_id = $2 AND id = $3 AND read_at IS NULL",
        )
        .bind(now())
        .bind(user_id)
        .bind(id)
        .execute(&mut *c)
        .await,
        None => {
            sqlx::query("UPDATE notices SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                .bind(now())
                .bind(user_id)
                .execute(&mut *c)
                .await
        }
    }
    .db()?;
    Ok(r.rows_affected())
}
