//! A user's in-app notices (reminders to send a report): the list on "Việc cần
//! làm", the unread count in the header, marking as read. Each user sees and
//! marks only its own.

use qcdc_core::CoreResult;
use qcdc_store::reminders_repo::{self, Notice};

use crate::ctx::Ctx;

/// The actor's notices, unread first, newest first.
pub async fn list(cx: &Ctx, limit: i64) -> CoreResult<Vec<Notice>> {
    cx.require_user()?;
    let mut tx = cx.app().db().read().await?;
    let r = reminders_repo::notices(&mut tx, cx.actor().user_id, limit).await;
    tx.finish(r).await
}

/// How many of the actor's notices are unread.
pub async fn unread_count(cx: &Ctx) -> CoreResult<i64> {
    cx.require_user()?;
    let mut tx = cx.app().db().read().await?;
    let r = reminders_repo::unread(&mut tx, cx.actor().user_id).await;
    tx.finish(r).await
}

/// Marks one of the actor's notices (all of them when `id` is None) as read;
/// returns how many changed (a notice of someone else changes nothing).
pub async fn mark_read(cx: &Ctx, id: Option<i64>) -> CoreResult<u64> {
    cx.require_user()?;
    let mut tx = cx.app().db().write().await?;
    let r = reminders_repo::mark_read(&mut tx, cx.actor().user_id, id).await;
    tx.finish(r).await
}
