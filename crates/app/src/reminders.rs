//! Reminders to the units of a round that have not sent their report (not
//! started, draft, returned): sent by the issuing office from the round page (all
//! of them, only the overdue ones, or one unit), and on the round's schedule by
//! the server ([`run_due`], every few minutes in `qcdc serve`, or `qcdc
//! reminders run`).
//!
//! Each reminder is an in-app notice for every active user who reports for the
//! unit (reporters and office holders of that very unit) and, when an SMTP
//! server is configured, an e-mail to those with an address. Every reminder and
//! every e-mail (sent or not) is written in the round's history (action
//! `reminder`).
//!
//! Idempotence: a scheduled reminder is recorded under a unique key (round, unit,
//! slot of the schedule, deadline) in the same transaction as its notices and
//! history entry; whoever inserts the key first sends it, so running the due
//! reminders twice, after a restart or on two servers sends it once. E-mails go
//! out after that transaction commits: a crash between the two loses the e-mail
//! (never doubles it) — the in-app notice and the history remain.

use chrono::{DateTime, NaiveDate, Utc};
use qcdc_core::access::{Permission, Role};
use qcdc_core::period::{format_date, today_in_vietnam};
use qcdc_core::reminder::{self, Kind, Schedule};
use qcdc_core::round::RoundState;
use qcdc_core::{CoreError, CoreResult, ErrorCode};
use qcdc_store::reminders_repo::{self, Missing, NewNotice};
use qcdc_store::rounds_repo::{self, Round};
use qcdc_store::{Conn, audit, users_repo};
use rand::RngCore;
use serde::Serialize;

use crate::ctx::{Ctx, forbidden};
use crate::rounds::load;

/// Whom a reminder from the round page goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every unit that has not sent (only those past the deadline when `overdue_only`).
    NotSent { overdue_only: bool },
    /// One unit, by code (refused when it has sent).
    Unit(String),
}

/// What a round of reminders did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SendReport {
    /// Units reminded.
    pub units: usize,
    /// In-app notices written.
    pub notices: usize,
    pub mails_sent: usize,
    pub mails_failed: usize,
    /// Users reminded in the app only (no e-mail address, or no SMTP server).
    pub without_mail: usize,
    pub mail_configured: bool,
}

impl SendReport {
    fn add(&mut self, o: &SendReport) {
        self.units += o.units;
        self.notices += o.notices;
        self.mails_sent += o.mails_sent;
        self.mails_failed += o.mails_failed;
        self.without_mail += o.without_mail;
    }

    /// The outcome in Vietnamese (flash message, command line).
    pub fn describe_vi(&self) -> String {
        let mut s = format!(
            "Đã nhắc {} đơn vị: {} thông báo trong ứng dụng",
            self.units, self.notices
        );
        if self.mail_configured {
            s.push_str(&format!(", {} thư điện tử đã gửi", self.mails_sent));
            if self.mails_failed > 0 {
                s.push_str(&format!(
                    ", {} thư không gửi được (xem lịch sử đợt)",
                    self.mails_failed
                ));
            }
        } else {
            s.push_str(" (chưa cấu hình máy chủ thư nên không gửi thư điện tử)");
        }
        s.push('.');
        s
    }
}

/// Whether reminders also go out by e-mail, in words for the pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailStatus {
    pub configured: bool,
    pub server: Option<String>,
    pub from: Option<String>,
    pub public_url: Option<String>,
    pub explanation: String,
}

fn mail_status_of(cx: &Ctx) -> MailStatus {
    match cx.app().mailer() {
        Some(m) => MailStatus {
            configured: true,
            explanation: format!(
                "Lời nhắc hiện trong ứng dụng và được gửi bằng thư điện tử qua máy chủ {} (người gửi {}) tới những người dùng có địa chỉ thư.",
                m.server(),
                m.from()
            ),
            server: Some(m.server()),
            from: Some(m.from().to_string()),
            public_url: Some(m.public_url().to_string()),
        },
        None => MailStatus {
            configured: false,
            server: None,
            from: None,
            public_url: None,
            explanation: "Chưa cấu hình máy chủ thư (SMTP): lời nhắc chỉ hiện trong ứng dụng (mục «Việc cần làm»), không gửi thư điện tử. Quản trị máy chủ bật thư bằng tùy chọn --smtp-url và --smtp-from của «qcdc serve».".into(),
        },
    }
}

/// Whether reminders go out by e-mail (for offices and admins).
pub async fn mail_status(cx: &Ctx) -> CoreResult<MailStatus> {
    if !cx.actor().is_system()
        && cx
            .actor()
            .units_with(&[Role::Admin, Role::Office])
            .is_empty()
    {
        return Err(forbidden());
    }
    Ok(mail_status_of(cx))
}

/// A round's reminder schedule as the office sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleView {
    pub round_id: i64,
    pub schedule: Schedule,
    /// False while the round follows the defaults.
    pub stored: bool,
    pub description: String,
    pub mail: MailStatus,
}

/// The reminder schedule of a round (the issuing office).
pub async fn schedule(cx: &Ctx, round_id: i64) -> CoreResult<ScheduleView> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load(&mut tx, round_id).await?;
        cx.require(&mut tx, Permission::Manage, round.issuer_id)
            .await?;
        let stored = reminders_repo::schedule(&mut tx, round_id).await?;
        Ok(view(cx, round_id, stored))
    }
    .await;
    tx.finish(r).await
}

fn view(cx: &Ctx, round_id: i64, stored: Option<Schedule>) -> ScheduleView {
    let schedule = stored.unwrap_or_default();
    ScheduleView {
        round_id,
        schedule,
        stored: stored.is_some(),
        description: schedule.describe_vi(),
        mail: mail_status_of(cx),
    }
}

/// Changes the reminder schedule of a round (the issuing office), in its history.
pub async fn set_schedule(cx: &Ctx, round_id: i64, s: Schedule) -> CoreResult<ScheduleView> {
    s.check()?;
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let round = load(&mut tx, round_id).await?;
        cx.require(&mut tx, Permission::Manage, round.issuer_id)
            .await?;
        let old = reminders_repo::schedule(&mut tx, round_id)
            .await?
            .unwrap_or_default();
        reminders_repo::set_schedule(&mut tx, round_id, &s, cx.who()).await?;
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "reminder_schedule",
                entity: "round",
                entity_id: &round_id.to_string(),
                field: Some("reminder_schedule"),
                old_value: Some(old.describe_vi()),
                new_value: Some(s.describe_vi()),
            },
        )
        .await?;
        Ok(view(cx, round_id, Some(s)))
    }
    .await;
    tx.finish(r).await
}

/// An e-mail to send once the reminder is committed.
struct Mail {
    to: String,
    username: String,
    unit_code: String,
    unit_name: String,
    subject: String,
    body: String,
}

fn link_path(round_id: i64, unit_code: &str) -> String {
    format!("/dot/{round_id}/bao-cao/{unit_code}")
}

/// Reminds one unit inside the caller's transaction: claims `key` (nothing
/// happens when it was taken), writes the notices and the history entry, and
/// returns the e-mails to send after the commit.
#[allow(clippy::too_many_arguments)]
async fn remind_unit(
    cx: &Ctx,
    c: &mut Conn,
    round: &Round,
    unit: &Missing,
    kind: Kind,
    key: &str,
    today: NaiveDate,
    report: &mut SendReport,
) -> CoreResult<Vec<Mail>> {
    if !reminders_repo::claim(c, key, round.id, unit.unit_id, kind.as_str(), cx.who()).await? {
        return Ok(Vec::new());
    }
    let mailer = cx.app().mailer();
    let path = link_path(round.id, &unit.code);
    let link = match &mailer {
        Some(m) => format!("{}{path}", m.public_url()),
        None => path.clone(),
    };
    let msg = reminder::message(
        &round.title,
        &round.period.label_vi(),
        &round.issuer_name,
        &unit.name,
        qcdc_core::round::effective_deadline(round.deadline, unit.deadline),
        today,
        &link,
    );
    let contacts =
        users_repo::contacts_of_unit(c, unit.unit_id, &[Role::Reporter, Role::Office]).await?;
    let notice_body = msg
        .body
        .lines()
        .filter(|l| !l.starts_with("Mở báo cáo") && !l.starts_with('(') && !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut mails = Vec::new();
    for u in &contacts {
        reminders_repo::insert_notice(
            c,
            &NewNotice {
                user_id: u.user_id,
                round_id: Some(round.id),
                unit_id: Some(unit.unit_id),
                title: &msg.subject,
                body: &notice_body,
                link: &path,
            },
        )
        .await?;
        match (&mailer, &u.email) {
            (Some(_), Some(email)) => mails.push(Mail {
                to: email.clone(),
                username: u.username.clone(),
                unit_code: unit.code.clone(),
                unit_name: unit.name.clone(),
                subject: msg.subject.clone(),
                body: msg.body.clone(),
            }),
            _ => report.without_mail += 1,
        }
    }
    let who: Vec<&str> = contacts.iter().map(|u| u.username.as_str()).collect();
    let what = if contacts.is_empty() {
        format!(
            "{} — {}: đơn vị chưa có tài khoản nào để nhận thông báo",
            kind.label_vi(),
            unit.name
        )
    } else {
        let mut s = format!(
            "{} — {}: thông báo trong ứng dụng cho {} tài khoản ({})",
            kind.label_vi(),
            unit.name,
            contacts.len(),
            who.join(", ")
        );
        if mailer.is_none() && contacts.iter().any(|u| u.email.is_some()) {
            s.push_str("; không gửi thư điện tử vì chưa cấu hình máy chủ thư");
        }
        s
    };
    audit::write(
        c,
        audit::Change {
            actor: cx.who(),
            action: "reminder",
            entity: "round",
            entity_id: &round.id.to_string(),
            field: Some(&unit.code),
            new_value: Some(what),
            ..Default::default()
        },
    )
    .await?;
    report.units += 1;
    report.notices += contacts.len();
    Ok(mails)
}

/// Sends the e-mails of committed reminders and writes each outcome in the
/// round's history.
async fn deliver(
    cx: &Ctx,
    round_id: i64,
    mails: Vec<Mail>,
    report: &mut SendReport,
) -> CoreResult<()> {
    let Some(mailer) = cx.app().mailer() else {
        return Ok(());
    };
    if mails.is_empty() {
        return Ok(());
    }
    let mut outcomes = Vec::with_capacity(mails.len());
    for m in &mails {
        let r = mailer.send(&m.to, &m.subject, &m.body).await;
        let outcome = if r.is_ok() { "sent" } else { "failed" };
        metrics::counter!("qcdc_reminder_mails_total", "outcome" => outcome).increment(1);
        match &r {
            Ok(()) => report.mails_sent += 1,
            Err(_) => report.mails_failed += 1,
        }
        outcomes.push((m, r));
    }
    let round = round_id.to_string();
    let entries: Vec<audit::Change<'_>> = outcomes
        .iter()
        .map(|(m, r)| audit::Change {
            actor: cx.who(),
            action: "reminder",
            entity: "round",
            entity_id: &round,
            field: Some(&m.unit_code),
            new_value: Some(match r {
                Ok(()) => format!(
                    "Thư điện tử tới {} ({}, {}): đã gửi",
                    m.to, m.username, m.unit_name
                ),
                Err(e) => format!(
                    "Thư điện tử tới {} ({}, {}): không gửi được — {e}",
                    m.to, m.username, m.unit_name
                ),
            }),
            ..Default::default()
        })
        .collect();
    let mut tx = cx.app().db().write().await?;
    let r = audit::write_many(&mut tx, &entries).await;
    tx.finish(r).await
}

fn manual_key(round_id: i64, unit_id: i64, now: DateTime<Utc>) -> String {
    let mut nonce = [0u8; 8];
    rand::rng().fill_bytes(&mut nonce);
    format!(
        "manual:r{round_id}:u{unit_id}:{}:{}",
        now.timestamp_millis(),
        hex::encode(nonce)
    )
}

/// Reminds units of a round now (the issuing office, round open): every unit
/// that has not sent, only the overdue ones, or one unit.
pub async fn send(
    cx: &Ctx,
    round_id: i64,
    target: &Target,
    now: DateTime<Utc>,
) -> CoreResult<SendReport> {
    let today = today_in_vietnam(now);
    let mut report = SendReport {
        mail_configured: cx.app().mailer().is_some(),
        ..Default::default()
    };
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let round = load(&mut tx, round_id).await?;
        cx.require(&mut tx, Permission::Manage, round.issuer_id)
            .await?;
        round.state.require_open(&round.title)?;
        let missing = reminders_repo::missing(&mut tx, round_id).await?;
        let targets: Vec<Missing> = match target {
            // overdue: past the deadline that binds the unit (its own when extended)
            Target::NotSent { overdue_only } => missing
                .into_iter()
                .filter(|m| {
                    !*overdue_only
                        || today > qcdc_core::round::effective_deadline(round.deadline, m.deadline)
                })
                .collect(),
            Target::Unit(code) => {
                let one: Vec<Missing> = missing.into_iter().filter(|m| m.code == *code).collect();
                if one.is_empty() {
                    // a unit of the round that has sent, or no recipient at all
                    return Err(CoreError::new(
                        ErrorCode::InvalidTransition,
                        format!(
                            "Đơn vị «{code}» không phải đơn vị chưa nộp của đợt này; không cần nhắc"
                        ),
                    ));
                }
                one
            }
        };
        if targets.is_empty() {
            return Err(CoreError::invalid(
                if matches!(target, Target::NotSent { overdue_only: true }) {
                    format!(
                        "Không có đơn vị nào quá hạn chưa nộp (hạn nộp {})",
                        format_date(round.deadline)
                    )
                } else {
                    "Mọi đơn vị đã gửi báo cáo; không cần nhắc".to_string()
                },
            ));
        }
        let mut mails = Vec::new();
        for unit in &targets {
            let key = manual_key(round_id, unit.unit_id, now);
            mails.extend(
                remind_unit(
                    cx,
                    &mut tx,
                    &round,
                    unit,
                    Kind::Manual,
                    &key,
                    today,
                    &mut report,
                )
                .await?,
            );
        }
        Ok(mails)
    }
    .await;
    let mails = tx.finish(r).await?;
    metrics::counter!("qcdc_reminders_sent_total").increment(report.units as u64);
    deliver(cx, round_id, mails, &mut report).await?;
    Ok(report)
}

/// What one run of the scheduled reminders did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Open rounds with a reminder due today.
    pub rounds: usize,
    #[serde(flatten)]
    pub sent: SendReport,
}

/// Sends the scheduled reminders due at `now` for every open round (the server's
/// own task and the command line). Idempotent: a reminder already sent (by this
/// server or another) is skipped.
pub async fn run_due(cx: &Ctx, now: DateTime<Utc>) -> CoreResult<RunReport> {
    cx.require_system()?;
    let today = today_in_vietnam(now);
    let mut out = RunReport {
        sent: SendReport {
            mail_configured: cx.app().mailer().is_some(),
            ..Default::default()
        },
        ..Default::default()
    };
    let ids = {
        let mut tx = cx.app().db().read().await?;
        let r = rounds_repo::open_ids(&mut tx).await;
        tx.finish(r).await?
    };
    for id in ids {
        let mut report = SendReport::default();
        let mut tx = cx.app().db().write().await?;
        let r = async {
            let round = load(&mut tx, id).await?;
            if round.state != RoundState::Open {
                return Ok(None);
            }
            let s = reminders_repo::schedule(&mut tx, id)
                .await?
                .unwrap_or_default();
            // each unit on the deadline that binds it (its own when extended); the
            // deadline is in the slot, so a new deadline starts a new schedule
            let mut mails = Vec::new();
            let mut any = false;
            for unit in reminders_repo::missing(&mut tx, id).await? {
                let deadline = qcdc_core::round::effective_deadline(round.deadline, unit.deadline);
                let Some((kind, slot)) = reminder::due(&s, deadline, today) else {
                    continue;
                };
                any = true;
                let key = format!("r{id}:u{}:{slot}", unit.unit_id);
                mails.extend(
                    remind_unit(cx, &mut tx, &round, &unit, kind, &key, today, &mut report).await?,
                );
            }
            Ok(any.then_some(mails))
        }
        .await;
        let Some(mails) = tx.finish(r).await? else {
            continue;
        };
        metrics::counter!("qcdc_reminders_sent_total").increment(report.units as u64);
        deliver(cx, id, mails, &mut report).await?;
        if report.units > 0 {
            out.rounds += 1;
        }
        out.sent.add(&report);
    }
    Ok(out)
}
