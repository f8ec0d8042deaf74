//! Rounds (đợt báo cáo): creation with recipients from the issuer's subtree,
//! per-recipient status, completeness and timeliness.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use qcdc_core::period::{Period, format_date};
use qcdc_core::unit::UnitKind;
use qcdc_core::workflow::Status;
use qcdc_core::{CoreError, CoreResult, ErrorCode, text};
use serde::{Deserialize, Serialize};

use crate::audit::audit;
use crate::db::{
    DbResult, Store, Val, bulk_insert, get_i64, get_opt_i64, get_opt_str, get_str, now,
};

/// Vietnam's offset (UTC+7): deadlines end at midnight local time.
pub(crate) fn vn() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("fixed offset")
}

/// Today in Vietnam.
pub fn today_vn() -> NaiveDate {
    Utc::now().with_timezone(&vn()).date_naive()
}

/// The last instant of the deadline day, Vietnam time.
pub(crate) fn deadline_end(d: NaiveDate) -> DateTime<Utc> {
    vn().from_local_datetime(&d.and_hms_milli_opt(23, 59, 59, 999).expect("valid time"))
        .single()
        .expect("fixed offset is unambiguous")
        .with_timezone(&Utc)
}

/// Who receives a round: units of the issuer's subtree by kind and depth, and/or a list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientSelector {
    /// Kinds to include (empty with no `units` = every kind).
    #[serde(default)]
    pub kinds: Vec<UnitKind>,
    /// Only units at most this many levels below the issuer (1 = direct children).
    #[serde(default)]
    pub max_depth: Option<i64>,
    /// Unit codes to include one by one.
    #[serde(default)]
    pub units: Vec<String>,
}

/// A new round as requested by an office.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRound {
    pub title: String,
    pub template: String,
    #[serde(default)]
    pub template_version: Option<i64>,
    pub period: Period,
    /// Issuing unit code (its office).
    pub issuer: String,
    pub deadline: NaiveDate,
    #[serde(default)]
    pub letter: String,
    pub recipients: RecipientSelector,
}

/// A round as shown.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoundInfo {
    pub id: i64,
    pub title: String,
    pub template_id: i64,
    pub template_code: String,
    pub template_version: i64,
    pub period: Period,
    pub period_label: String,
    pub cutoff_from: String,
    pub cutoff_to: String,
    pub issuer_code: String,
    pub issuer_name: String,
    pub deadline: NaiveDate,
    pub deadline_display: String,
    pub letter: String,
    pub status: String,
    pub created_at: String,
    pub recipients: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Counts of recipients by status, with the two rates offices watch.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct StatusCounts {
    pub recipients: i64,
    pub not_started: i64,
    pub draft: i64,
    pub submitted: i64,
    pub returned: i64,
    pub accepted: i64,
    /// Reports that reached the office by the deadline.
    pub on_time: i64,
    /// Reports that reached the office after it.
    pub late: i64,
    /// Not yet in and the deadline has passed.
    pub overdue: i64,
    /// (submitted + accepted) / recipients, %.
    pub completeness_pct: f64,
    /// on time / recipients, %.
    pub timeliness_pct: f64,
}

impl StatusCounts {
    pub(crate) fn add(&mut self, status: Status, on_time: Option<bool>, overdue: bool) {
        self.recipients += 1;
        match status {
            Status::NotStarted => self.not_started += 1,
            Status::Draft => self.draft += 1,
            Status::Submitted => self.submitted += 1,
            Status::Returned => self.returned += 1,
            Status::Accepted => self.accepted += 1,
        }
        match on_time {
            Some(true) => self.on_time += 1,
            Some(false) => self.late += 1,
            None => {}
        }
        if overdue {
            self.overdue += 1;
        }
    }

    pub(crate) fn finish(&mut self) {
        if self.recipients > 0 {
            let r = self.recipients as f64;
            self.completeness_pct =
                ((self.submitted + self.accepted) as f64 / r * 1000.0).round() / 10.0;
            self.timeliness_pct = (self.on_time as f64 / r * 1000.0).round() / 10.0;
        }
    }
}

/// One recipient's line on the round page.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecipientStatus {
    pub unit_code: String,
    pub unit_name: String,
    pub kind: UnitKind,
    pub status: Status,
    pub status_label: &'static str,
    pub on_time: Option<bool>,
    pub overdue: bool,
    pub version: i64,
    pub first_submitted_at: Option<String>,
    pub accepted_at: Option<String>,
    pub return_reason: Option<String>,
    pub updated_at: String,
}

/// The status of a round over one unit's subtree.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoundStatus {
    pub round: RoundInfo,
    pub unit_code: String,
    pub unit_name: String,
    pub counts: StatusCounts,
    /// Per child of the unit that has recipients below it.
    pub children: Vec<(String, String, StatusCounts)>,
    pub recipients: Vec<RecipientStatus>,
}

impl Store {
    /// Creates a round and one submission slot per recipient, in one transaction.
    pub async fn create_round(
        &self,
        new: &NewRound,
        actor: &str,
        today: NaiveDate,
    ) -> CoreResult<RoundInfo> {
        let title = text::nfc(new.title.trim());
        if title.is_empty() {
            return Err(CoreError::invalid("Thiếu tên đợt báo cáo"));
        }
        let issuer = self.unit(&new.issuer).await?;
        let (template_id, template) = self
            .template_by_code(&new.template, new.template_version)
            .await?;
        if !template.fits_period(new.period.family()) {
            return Err(CoreError::new(
                ErrorCode::InvalidPeriod,
                format!(
                    "Mẫu «{}» không dùng cho kỳ {}",
                    template.def.name,
                    new.period.label_vi()
                ),
            ));
        }
        if new.deadline < today {
            return Err(CoreError::new(
                ErrorCode::DeadlineInPast,
                format!("Hạn nộp {} đã qua", format_date(new.deadline)),
            ));
        }
        let (cut_from, cut_to) = new.period.cutoff();
        let mut warnings = Vec::new();
        if new.deadline < new.period.earliest_deadline() {
            warnings.push(format!(
                "Hạn nộp {} sớm hơn ngày làm việc đầu tiên sau ngày chốt số liệu {} (Nghị định 09/2019/NĐ-CP)",
                format_date(new.deadline),
                format_date(cut_to)
            ));
        }
        let recipients = self
            .resolve_recipients(issuer.id, &new.recipients, cut_to)
            .await?;
        let mut tx = self.write_tx().await?;
        let at = now();
        let row = sqlx::query(
            "INSERT INTO rounds (title, template_id, period, issuer_id, deadline, letter, status, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) RETURNING id",
        )
        .bind(title)
        .bind(template_id)
        .bind(new.period.to_string())
        .bind(issuer.id)
        .bind(new.deadline.to_string())
        .bind(text::nfc(&new.letter))
        .bind(at.clone())
        .bind(actor.to_string())
        .fetch_one(&mut *tx)
        .await
        .db()?;
        let id = get_i64(&row, "id");
        let rows: Vec<Vec<Val>> = recipients
            .iter()
            .map(|&u| {
                vec![
                    Val::I(id),
                    Val::I(u),
                    Val::S("not_started".into()),
                    Val::I(1),
                    Val::S(at.clone()),
                    Val::S(actor.to_string()),
                ]
            })
            .collect();
        bulk_insert(
            &mut tx,
            "submissions",
            &[
                "round_id",
                "unit_id",
                "status",
                "version",
                "updated_at",
                "updated_by",
            ],
            &rows,
            "",
        )
        .await?;
        crate::consolidation::rebuild_status_rollup(&mut tx, id).await?;
        audit(
            &mut tx,
            actor,
            "round_create",
            "round",
            &id.to_string(),
            None,
            None,
            Some(serde_json::to_string(new).unwrap_or_default()),
        )
        .await?;
        tx.commit().await.db()?;
        let _ = (cut_from, cut_to);
        let mut info = self.round(id).await?;
        info.warnings = warnings;
        Ok(info)
    }

    async fn resolve_recipients(
        &self,
        issuer_id: i64,
        sel: &RecipientSelector,
        on: NaiveDate,
    ) -> CoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT descendant_id, depth FROM unit_closure WHERE ancestor_id = $1 AND depth > 0",
        )
        .bind(issuer_id)
        .fetch_all(&self.pool)
        .await
        .db()?;
        let depth: HashMap<i64, i64> = rows
            .iter()
            .map(|r| (get_i64(r, "descendant_id"), get_i64(r, "depth")))
            .collect();
        let units = self.all_units().await?;
        let by_id: HashMap<i64, &crate::Unit> = units.iter().map(|u| (u.id, u)).collect();
        let mut chosen: Vec<i64> = Vec::new();
        let mut problems = Vec::new();
        if !sel.kinds.is_empty() || sel.units.is_empty() {
            for u in &units {
                let Some(d) = depth.get(&u.id) else { continue };
                if u.active_on(on)
                    && (sel.kinds.is_empty() || sel.kinds.contains(&u.kind))
                    && sel.max_depth.is_none_or(|m| *d <= m)
                {
                    chosen.push(u.id);
                }
            }
        }
        for code in &sel.units {
            match units.iter().find(|u| &u.code == code) {
                None => problems.push(format!("không có đơn vị mã «{code}»")),
                Some(u) if !depth.contains_key(&u.id) => problems.push(format!(
                    "«{}» không thuộc phạm vi của đơn vị ra yêu cầu",
                    u.name
                )),
                Some(u) if !u.active_on(on) => problems.push(format!(
                    "«{}» không còn hoạt động vào ngày chốt số liệu {}",
                    u.name,
                    format_date(on)
                )),
                Some(u) => chosen.push(u.id),
            }
        }
        chosen.sort_unstable();
        chosen.dedup();
        if !problems.is_empty() {
            return Err(CoreError::new(
                ErrorCode::InvalidRecipients,
                format!(
                    "Danh sách đơn vị nhận không hợp lệ: {}",
                    problems.join("; ")
                ),
            ));
        }
        if chosen.is_empty() {
            return Err(CoreError::new(
                ErrorCode::InvalidRecipients,
                "Không có đơn vị nào nhận yêu cầu báo cáo",
            ));
        }
        // no recipient may sit below another: the upper one's report already covers it
        let set: HashSet<i64> = chosen.iter().copied().collect();
        let mut nested = Vec::new();
        for &id in &chosen {
            let mut cur = by_id.get(&id).and_then(|u| u.parent_id);
            while let Some(p) = cur {
                if p == issuer_id {
                    break;
                }
                if set.contains(&p) {
                    nested.push(format!("«{}» thuộc «{}»", by_id[&id].name, by_id[&p].name));
                    break;
                }
                cur = by_id.get(&p).and_then(|u| u.parent_id);
            }
        }
        if !nested.is_empty() {
            nested.truncate(5);
            return Err(CoreError::new(
                ErrorCode::InvalidRecipients,
                format!(
                    "Không gửi cùng lúc cho đơn vị cấp trên và đơn vị trực thuộc của nó (số liệu sẽ bị cộng trùng): {}",
                    nested.join("; ")
                ),
            ));
        }
        Ok(chosen)
    }

    pub async fn round(&self, id: i64) -> CoreResult<RoundInfo> {
        let row = sqlx::query(
            "SELECT r.id, r.title, r.template_id, t.code AS template_code, t.version AS template_version, r.period, u.code AS issuer_code, u.name AS issuer_name,
                    r.deadline, r.letter, r.status, r.created_at, (SELECT COUNT(*) FROM submissions s WHERE s.round_id = r.id) AS recipients
             FROM rounds r JOIN templates t ON t.id = r.template_id JOIN units u ON u.id = r.issuer_id WHERE r.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .db()?
        .ok_or_else(|| CoreError::not_found(format!("đợt báo cáo #{id}")))?;
        let period: Period = get_str(&row, "period").parse()?;
        let deadline = NaiveDate::parse_from_str(&get_str(&row, "deadline"), "%Y-%m-%d")
            .map_err(|_| CoreError::new(ErrorCode::Internal, "Hạn nộp lưu sai định dạng"))?;
        let (a, b) = period.cutoff();
        Ok(RoundInfo {
            id,
            title: get_str(&row, "title"),
            template_id: get_i64(&row, "template_id"),
            template_code: get_str(&row, "template_code"),
            template_version: get_i64(&row, "template_version"),
            period,
            period_label: period.label_vi(),
            cutoff_from: format_date(a),
            cutoff_to: format_date(b),
            issuer_code: get_str(&row, "issuer_code"),
            issuer_name: get_str(&row, "issuer_name"),
            deadline,
            deadline_display: format_date(deadline),
            letter: get_str(&row, "letter"),
            status: get_str(&row, "status"),
            created_at: get_str(&row, "created_at"),
            recipients: get_i64(&row, "recipients"),
            warnings: vec![],
        })
    }

    /// Rounds issued by a unit, or addressed to it, newest first.
    pub async fn list_rounds(
        &self,
        issuer: Option<&str>,
        recipient: Option<&str>,
    ) -> CoreResult<Vec<RoundInfo>> {
        let rows = match (issuer, recipient) {
            (Some(i), _) => sqlx::query("SELECT r.id FROM rounds r JOIN units u ON u.id = r.issuer_id WHERE u.code = $1 ORDER BY r.id DESC").bind(i.to_string()).fetch_all(&self.pool).await,
            (None, Some(c)) => sqlx::query("SELECT s.round_id AS id FROM submissions s JOIN units u ON u.id = s.unit_id WHERE u.code = $1 ORDER BY s.round_id DESC").bind(c.to_string()).fetch_all(&self.pool).await,
            (None, None) => sqlx::query("SELECT id FROM rounds ORDER BY id DESC").fetch_all(&self.pool).await,
        }
        .db()?;
        let mut out = Vec::new();
        for r in rows {
            out.push(self.round(get_i64(&r, "id")).await?);
        }
        Ok(out)
    }

    /// Opens or closes a round; a closed round takes no more drafts or submissions.
    pub async fn set_round_status(
        &self,
        id: i64,
        open: bool,
        actor: &str,
    ) -> CoreResult<RoundInfo> {
        let before = self.round(id).await?;
        let status = if open { "open" } else { "closed" };
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE rounds SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(&mut *tx)
            .await
            .db()?;
        audit(
            &mut tx,
            actor,
            "round_status",
            "round",
            &id.to_string(),
            Some("status"),
            Some(before.status),
            Some(status.into()),
        )
        .await?;
        tx.commit().await.db()?;
        self.round(id).await
    }

    /// Status of every recipient below `unit` (the issuer when None).
    pub async fn round_status(
        &self,
        round_id: i64,
        unit: Option<&str>,
        today: NaiveDate,
    ) -> CoreResult<RoundStatus> {
        let round = self.round(round_id).await?;
        let root = self.unit(unit.unwrap_or(&round.issuer_code)).await?;
        let rows = sqlx::query(
            "SELECT s.status, s.on_time, s.version, s.first_submitted_at, s.accepted_at, s.return_reason, s.updated_at, u.id AS unit_id, u.code, u.name, u.kind
             FROM submissions s JOIN unit_closure c ON c.descendant_id = s.unit_id JOIN units u ON u.id = s.unit_id
             WHERE s.round_id = $1 AND c.ancestor_id = $2",
        )
        .bind(round_id)
        .bind(root.id)
        .fetch_all(&self.pool)
        .await
        .db()?;
        // which child of root each recipient falls under
        let child_rows = sqlx::query(
            "SELECT c2.descendant_id, c2.ancestor_id FROM unit_closure c2 JOIN units ch ON ch.id = c2.ancestor_id WHERE ch.parent_id = $1",
        )
        .bind(root.id)
        .fetch_all(&self.pool)
        .await
        .db()?;
        let child_of: HashMap<i64, i64> = child_rows
            .iter()
            .map(|r| (get_i64(r, "descendant_id"), get_i64(r, "ancestor_id")))
            .collect();
        let past_deadline = today > round.deadline;
        let mut counts = StatusCounts::default();
        let mut per_child: HashMap<i64, StatusCounts> = HashMap::new();
        let mut recipients = Vec::new();
        for r in &rows {
            let status = Status::parse(&get_str(r, "status")).unwrap_or(Status::NotStarted);
            let on_time = get_opt_i64(r, "on_time").map(|v| v == 1);
            let overdue = past_deadline && on_time.is_none();
            counts.add(status, on_time, overdue);
            if let Some(c) = child_of.get(&get_i64(r, "unit_id")) {
                per_child
                    .entry(*c)
                    .or_default()
                    .add(status, on_time, overdue);
            }
            recipients.push(RecipientStatus {
                unit_code: get_str(r, "code"),
                unit_name: get_str(r, "name"),
                kind: UnitKind::parse(&get_str(r, "kind")).unwrap_or(UnitKind::Agency),
                status,
                status_label: status.label_vi(),
                on_time,
                overdue,
                version: get_i64(r, "version"),
                first_submitted_at: get_opt_str(r, "first_submitted_at"),
                accepted_at: get_opt_str(r, "accepted_at"),
                return_reason: get_opt_str(r, "return_reason"),
                updated_at: get_str(r, "updated_at"),
            });
        }
        counts.finish();
        text::sort_vi(&mut recipients, |r| &r.unit_name);
        let mut children = Vec::new();
        for ch in self.children(root.id).await? {
            if let Some(mut c) = per_child.remove(&ch.id) {
                c.finish();
                children.push((ch.code, ch.name, c));
            }
        }
        Ok(RoundStatus {
            round,
            unit_code: root.code,
            unit_name: root.name,
            counts,
            children,
            recipients,
        })
    }
}
