//! Submissions: drafts, submit, return, accept, corrections — each one transaction,
//! each change written to the audit log.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use qcdc_core::number::{self, Milli};
use qcdc_core::template::{Template, allows_decimals};
use qcdc_core::validate::{self, Finding, Narrative, Stage, Values};
use qcdc_core::workflow::{Action, Status};
use qcdc_core::{CoreError, CoreResult, ErrorCode, text};
use serde::Serialize;
use sqlx::{Any, Transaction};

use crate::audit::audit;
use crate::consolidation::{apply_rollup_delta, apply_status_delta};
use crate::db::{
    DbResult, Store, Val, bulk_insert, get_i64, get_opt_i64, get_opt_str, get_str, now,
};
use crate::rounds::{RoundInfo, deadline_end};

/// An accepted, immutable version.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VersionInfo {
    pub version: i64,
    pub accepted_at: String,
    pub accepted_by: String,
    pub reason: Option<String>,
    pub values: BTreeMap<String, f64>,
    pub sections: Narrative,
}

/// A unit's report in a round, as the unit or the office sees it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SubmissionView {
    pub round_id: i64,
    pub round_title: String,
    pub period_label: String,
    pub deadline: String,
    pub template_code: String,
    pub template_version: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub status: Status,
    pub status_label: &'static str,
    pub version: i64,
    /// Figures of the working copy (or of the accepted version when accepted).
    pub values: BTreeMap<String, f64>,
    /// The same figures written the Vietnamese way.
    pub display: BTreeMap<String, String>,
    pub sections: Narrative,
    pub findings: Vec<Finding>,
    /// What the report checker finds in the narrative (percentages, sums, citations…).
    pub narrative_findings: Vec<qcdc_checker::SectionFinding>,
    pub return_reason: Option<String>,
    pub correction_reason: Option<String>,
    pub on_time: Option<bool>,
    pub first_submitted_at: Option<String>,
    pub submitted_at: Option<String>,
    pub accepted_at: Option<String>,
    pub updated_at: String,
    pub updated_by: String,
    pub adopted_from_round: Option<i64>,
}

pub(crate) struct SubRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub status: Status,
    pub version: i64,
    pub first_submitted_at: Option<String>,
    pub on_time: Option<bool>,
}

/// Values and sections to merge into a draft: `None` clears a cell or a section.
#[derive(Debug, Clone, Default)]
pub struct DraftChange {
    pub values: BTreeMap<String, Option<Milli>>,
    pub sections: BTreeMap<String, Option<String>>,
}

async fn load_values(
    tx: &mut Transaction<'_, Any>,
    table: &str,
    sub_id: i64,
) -> CoreResult<Values> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT indicator, value FROM {table} WHERE submission_id = $1"
    )))
    .bind(sub_id)
    .fetch_all(&mut **tx)
    .await
    .db()?;
    Ok(rows
        .iter()
        .map(|r| (get_str(r, "indicator"), get_i64(r, "value")))
        .collect())
}

async fn load_sections(tx: &mut Transaction<'_, Any>, sub_id: i64) -> CoreResult<Narrative> {
    let rows = sqlx::query("SELECT section, body FROM draft_sections WHERE submission_id = $1")
        .bind(sub_id)
        .fetch_all(&mut **tx)
        .await
        .db()?;
    Ok(rows
        .iter()
        .map(|r| (get_str(r, "section"), get_str(r, "body")))
        .collect())
}

fn fmt_value(t: &Template, code: &str, v: Milli) -> String {
    let d = t
        .indicator(code)
        .map_or(3, |i| if allows_decimals(&i.unit) { 3 } else { 0 });
    number::format_vn(v, d)
}

/// Writes one cell of the working copy (a figure or a section): upsert, or delete
/// when cleared. `table` and `key` are fixed names from this module.
async fn set_cell(
    tx: &mut Transaction<'_, Any>,
    table: &str,
    key: &str,
    sub_id: i64,
    name: &str,
    value: Option<Val>,
) -> CoreResult<()> {
    let value_col = if table == "draft_values" {
        "value"
    } else {
        "body"
    };
    let q = match value {
        Some(v) => {
            let q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO {table} (submission_id, {key}, {value_col}) VALUES ($1, $2, $3) ON CONFLICT (submission_id, {key}) DO UPDATE SET {value_col} = excluded.{value_col}"
            )))
            .bind(sub_id)
            .bind(name.to_string());
            match v {
                Val::I(i) => q.bind(i),
                Val::S(t) => q.bind(t),
                Val::Null => q.bind(Option::<String>::None),
            }
        }
        None => sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE submission_id = $1 AND {key} = $2"
        )))
        .bind(sub_id)
        .bind(name.to_string()),
    };
    q.execute(&mut **tx).await.db()?;
    Ok(())
}

/// The bookkeeping of every status change: the ancestors' running counts move and
/// the audit log records it.
#[allow(clippy::too_many_arguments)]
async fn transition(
    tx: &mut Transaction<'_, Any>,
    round_id: i64,
    s: &SubRow,
    next: Status,
    on_time: Option<bool>,
    actor: &str,
    action: &str,
    note: String,
) -> CoreResult<()> {
    apply_status_delta(
        tx,
        round_id,
        s.unit_id,
        (s.status, s.on_time),
        (next, on_time),
    )
    .await?;
    audit(
        tx,
        actor,
        action,
        "submission",
        &s.id.to_string(),
        Some("status"),
        Some(s.status.as_str().into()),
        Some(note),
    )
    .await
}

impl Store {
    pub(crate) async fn sub_row(
        tx: &mut Transaction<'_, Any>,
        round_id: i64,
        unit_code: &str,
    ) -> CoreResult<SubRow> {
        let r = sqlx::query(
            "SELECT s.id, s.unit_id, u.code, u.name, s.status, s.version, s.first_submitted_at, s.on_time FROM submissions s JOIN units u ON u.id = s.unit_id WHERE s.round_id = $1 AND u.code = $2",
        )
        .bind(round_id)
        .bind(unit_code.to_string())
        .fetch_optional(&mut **tx)
        .await
        .db()?
        .ok_or_else(|| CoreError::not_found(format!("báo cáo của đơn vị «{unit_code}» trong đợt #{round_id} (đơn vị không thuộc danh sách nhận)")))?;
        Ok(SubRow {
            id: get_i64(&r, "id"),
            unit_id: get_i64(&r, "unit_id"),
            unit_code: get_str(&r, "code"),
            unit_name: get_str(&r, "name"),
            status: Status::parse(&get_str(&r, "status")).unwrap_or(Status::NotStarted),
            version: get_i64(&r, "version"),
            first_submitted_at: get_opt_str(&r, "first_submitted_at"),
            on_time: get_opt_i64(&r, "on_time").map(|v| v == 1),
        })
    }

    fn check_open(round: &RoundInfo) -> CoreResult<()> {
        if round.status != "open" {
            return Err(CoreError::new(
                ErrorCode::InvalidTransition,
                format!(
                    "Đợt báo cáo «{}» đã kết thúc; không nhận thêm báo cáo",
                    round.title
                ),
            ));
        }
        Ok(())
    }

    /// The report of `unit_code` in a round, with its validation findings.
    pub async fn submission(&self, round_id: i64, unit_code: &str) -> CoreResult<SubmissionView> {
        let round = self.round(round_id).await?;
        let t = self.template(round.template_id).await?;
        let mut tx = self.pool.begin().await.db()?;
        let s = Self::sub_row(&mut tx, round_id, unit_code).await?;
        let (values, sections) = if s.status == Status::Accepted {
            let values = load_values(&mut tx, "accepted_values", s.id).await?;
            let row = sqlx::query("SELECT sections_json FROM submission_versions WHERE submission_id = $1 AND version = $2").bind(s.id).bind(s.version).fetch_optional(&mut *tx).await.db()?;
            let sections = row
                .map(|r| serde_json::from_str(&get_str(&r, "sections_json")).unwrap_or_default())
                .unwrap_or_default();
            (values, sections)
        } else {
            (
                load_values(&mut tx, "draft_values", s.id).await?,
                load_sections(&mut tx, s.id).await?,
            )
        };
        let meta = sqlx::query("SELECT on_time, submitted_at, accepted_at, return_reason, correction_reason, updated_at, updated_by, adopted_from_round FROM submissions WHERE id = $1")
            .bind(s.id)
            .fetch_one(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        let stage = if matches!(
            s.status,
            Status::NotStarted | Status::Draft | Status::Returned
        ) {
            Stage::Draft
        } else {
            Stage::Submit
        };
        let findings = validate::validate(&t, &values, &sections, stage);
        let titled: Vec<(String, String, String)> = t
            .sections()
            .iter()
            .filter_map(|s| {
                sections
                    .get(&s.number)
                    .map(|x| (s.number.clone(), s.title.clone(), x.clone()))
            })
            .collect();
        let narrative_findings =
            qcdc_checker::check_sections(&titled, Some(crate::rounds::today_vn()));
        Ok(SubmissionView {
            round_id,
            round_title: round.title.clone(),
            period_label: round.period_label.clone(),
            deadline: round.deadline_display.clone(),
            template_code: round.template_code.clone(),
            template_version: round.template_version,
            unit_code: s.unit_code,
            unit_name: s.unit_name,
            status: s.status,
            status_label: s.status.label_vi(),
            version: s.version,
            display: values
                .iter()
                .map(|(k, v)| (k.clone(), fmt_value(&t, k, *v)))
                .collect(),
            values: values
                .iter()
                .map(|(k, v)| (k.clone(), number::to_f64(*v)))
                .collect(),
            sections,
            findings,
            narrative_findings,
            return_reason: get_opt_str(&meta, "return_reason"),
            correction_reason: get_opt_str(&meta, "correction_reason"),
            on_time: get_opt_i64(&meta, "on_time").map(|v| v == 1),
            first_submitted_at: s.first_submitted_at,
            submitted_at: get_opt_str(&meta, "submitted_at"),
            accepted_at: get_opt_str(&meta, "accepted_at"),
            updated_at: get_str(&meta, "updated_at"),
            updated_by: get_str(&meta, "updated_by"),
            adopted_from_round: get_opt_i64(&meta, "adopted_from_round"),
        })
    }

    /// Merges figures and narrative into the working copy. Saving is allowed in any
    /// state before acceptance except while the office holds the report (submitted).
    pub async fn save_draft(
        &self,
        round_id: i64,
        unit_code: &str,
        change: &DraftChange,
        actor: &str,
    ) -> CoreResult<SubmissionView> {
        self.save_draft_from(round_id, unit_code, change, actor, None)
            .await
    }

    /// [`Store::save_draft`], recording that the figures were adopted from a round below.
    pub(crate) async fn save_draft_from(
        &self,
        round_id: i64,
        unit_code: &str,
        change: &DraftChange,
        actor: &str,
        adopted_from: Option<i64>,
    ) -> CoreResult<SubmissionView> {
        let round = self.round(round_id).await?;
        Self::check_open(&round)?;
        let t = self.template(round.template_id).await?;
        let probe_values: Values = change
            .values
            .iter()
            .filter_map(|(k, v)| v.map(|v| (k.clone(), v)))
            .collect();
        let probe_sections: Narrative = change
            .sections
            .iter()
            .map(|(k, _)| (k.clone(), String::new()))
            .collect();
        let mut codes_only = probe_values.clone();
        for k in change.values.keys() {
            codes_only.entry(k.clone()).or_insert(0);
        }
        validate::check_codes(&t, &codes_only, &probe_sections)?;
        let mut tx = self.write_tx().await?;
        let s = Self::sub_row(&mut tx, round_id, unit_code).await?;
        if s.status == Status::Submitted {
            return Err(CoreError::new(
                ErrorCode::InvalidTransition,
                "Báo cáo đã gửi và đang chờ cơ quan thường trực xem xét; chưa sửa được cho đến khi bị trả lại",
            ));
        }
        let next = s.status.apply(Action::SaveDraft)?;
        self.write_draft(&mut tx, &t, &s, change, actor).await?;
        if next != s.status {
            transition(
                &mut tx,
                round_id,
                &s,
                next,
                s.on_time,
                actor,
                "status",
                next.as_str().into(),
            )
            .await?;
        }
        sqlx::query("UPDATE submissions SET status = $1, updated_at = $2, updated_by = $3, adopted_from_round = COALESCE($4, adopted_from_round) WHERE id = $5")
            .bind(next.as_str())
            .bind(now())
            .bind(actor.to_string())
            .bind(adopted_from)
            .bind(s.id)
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        self.submission(round_id, unit_code).await
    }

    async fn write_draft(
        &self,
        tx: &mut Transaction<'_, Any>,
        t: &Template,
        s: &SubRow,
        change: &DraftChange,
        actor: &str,
    ) -> CoreResult<()> {
        let old_values = load_values(tx, "draft_values", s.id).await?;
        let old_sections = load_sections(tx, s.id).await?;
        let entity = s.id.to_string();
        for (code, new) in &change.values {
            let old = old_values.get(code).copied();
            if old == *new {
                continue;
            }
            set_cell(tx, "draft_values", "indicator", s.id, code, new.map(Val::I)).await?;
            audit(
                tx,
                actor,
                "value",
                "submission",
                &entity,
                Some(code),
                old.map(|v| fmt_value(t, code, v)),
                new.map(|v| fmt_value(t, code, v)),
            )
            .await?;
        }
        for (section, new) in &change.sections {
            let new = new
                .as_deref()
                .map(text::nfc)
                .filter(|s| !s.trim().is_empty());
            let old = old_sections.get(section).cloned();
            if old == new {
                continue;
            }
            set_cell(
                tx,
                "draft_sections",
                "section",
                s.id,
                section,
                new.clone().map(Val::S),
            )
            .await?;
            audit(
                tx,
                actor,
                "section",
                "submission",
                &entity,
                Some(section),
                old,
                new,
            )
            .await?;
        }
        Ok(())
    }

    /// Sends the report to the office. Refused (nothing changed) while validation
    /// has blocking errors; the findings travel in the error's details.
    pub async fn submit(
        &self,
        round_id: i64,
        unit_code: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> CoreResult<SubmissionView> {
        let round = self.round(round_id).await?;
        Self::check_open(&round)?;
        let t = self.template(round.template_id).await?;
        let mut tx = self.write_tx().await?;
        let s = Self::sub_row(&mut tx, round_id, unit_code).await?;
        let next = s.status.apply(Action::Submit)?;
        let values = load_values(&mut tx, "draft_values", s.id).await?;
        let sections = load_sections(&mut tx, s.id).await?;
        let findings = validate::validate(&t, &values, &sections, Stage::Submit);
        if validate::has_errors(&findings) {
            let n = findings
                .iter()
                .filter(|f| f.severity == qcdc_core::template::Severity::Error)
                .count();
            return Err(CoreError::new(
                ErrorCode::ValidationFailed,
                format!("Báo cáo còn {n} lỗi cần sửa trước khi gửi"),
            )
            .with_details(serde_json::json!({ "findings": findings })));
        }
        let at_s = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        // timeliness counts from the first time the report reached the office
        let first = s.first_submitted_at.clone().unwrap_or_else(|| at_s.clone());
        let first_dt = DateTime::parse_from_rfc3339(&first)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(at);
        let on_time = first_dt <= deadline_end(round.deadline);
        sqlx::query("UPDATE submissions SET status = $1, first_submitted_at = $2, submitted_at = $3, on_time = $4, updated_at = $5, updated_by = $6 WHERE id = $7")
            .bind(next.as_str())
            .bind(first)
            .bind(at_s.clone())
            .bind(i64::from(on_time))
            .bind(at_s)
            .bind(actor.to_string())
            .bind(s.id)
            .execute(&mut *tx)
            .await
            .db()?;
        transition(
            &mut tx,
            round_id,
            &s,
            next,
            Some(on_time),
            actor,
            "submit",
            next.as_str().into(),
        )
        .await?;
        tx.commit().await.db()?;
        self.submission(round_id, unit_code).await
    }

    /// The office returns a submitted report with a reason.
    pub async fn return_submission(
        &self,
        round_id: i64,
        unit_code: &str,
        reason: &str,
        actor: &str,
    ) -> CoreResult<SubmissionView> {
        let reason = text::nfc(reason.trim());
        if reason.is_empty() {
            return Err(CoreError::invalid("Cần ghi lý do trả lại báo cáo"));
        }
        let mut tx = self.write_tx().await?;
        let s = Self::sub_row(&mut tx, round_id, unit_code).await?;
        let next = s.status.apply(Action::Return)?;
        sqlx::query("UPDATE submissions SET status = $1, return_reason = $2, updated_at = $3, updated_by = $4 WHERE id = $5")
            .bind(next.as_str())
            .bind(reason.clone())
            .bind(now())
            .bind(actor.to_string())
            .bind(s.id)
            .execute(&mut *tx)
            .await
            .db()?;
        transition(
            &mut tx,
            round_id,
            &s,
            next,
            s.on_time,
            actor,
            "return",
            format!("{}: {reason}", next.as_str()),
        )
        .await?;
        tx.commit().await.db()?;
        self.submission(round_id, unit_code).await
    }

    /// The office accepts a submitted report: its figures become a new immutable
    /// version, replace the previously accepted ones, and every ancestor's running
    /// totals move by the difference — all in one transaction.
    pub async fn accept(
        &self,
        round_id: i64,
        unit_code: &str,
        actor: &str,
    ) -> CoreResult<SubmissionView> {
        let round = self.round(round_id).await?;
        let t = self.template(round.template_id).await?;
        let mut tx = self.write_tx().await?;
        let s = Self::sub_row(&mut tx, round_id, unit_code).await?;
        let next = s.status.apply(Action::Accept)?;
        let new_values = load_values(&mut tx, "draft_values", s.id).await?;
        let sections = load_sections(&mut tx, s.id).await?;
        let old_values = load_values(&mut tx, "accepted_values", s.id).await?;
        let at = now();
        let reason = get_opt_str(
            &sqlx::query("SELECT correction_reason FROM submissions WHERE id = $1")
                .bind(s.id)
                .fetch_one(&mut *tx)
                .await
                .db()?,
            "correction_reason",
        );
        sqlx::query("INSERT INTO submission_versions (submission_id, version, values_json, sections_json, accepted_at, accepted_by, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(s.id)
            .bind(s.version)
            .bind(serde_json::to_string(&new_values).unwrap_or_default())
            .bind(serde_json::to_string(&sections).unwrap_or_default())
            .bind(at.clone())
            .bind(actor.to_string())
            .bind(reason)
            .execute(&mut *tx)
            .await
            .db()?;
        sqlx::query("DELETE FROM accepted_values WHERE submission_id = $1")
            .bind(s.id)
            .execute(&mut *tx)
            .await
            .db()?;
        let rows: Vec<Vec<Val>> = new_values
            .iter()
            .map(|(k, v)| vec![Val::I(s.id), Val::S(k.clone()), Val::I(*v)])
            .collect();
        bulk_insert(
            &mut tx,
            "accepted_values",
            &["submission_id", "indicator", "value"],
            &rows,
            "",
        )
        .await?;
        apply_rollup_delta(&mut tx, &t, round_id, s.unit_id, &old_values, &new_values).await?;
        sqlx::query("DELETE FROM draft_values WHERE submission_id = $1")
            .bind(s.id)
            .execute(&mut *tx)
            .await
            .db()?;
        sqlx::query("DELETE FROM draft_sections WHERE submission_id = $1")
            .bind(s.id)
            .execute(&mut *tx)
            .await
            .db()?;
        sqlx::query("UPDATE submissions SET status = $1, accepted_at = $2, return_reason = NULL, updated_at = $2, updated_by = $3 WHERE id = $4")
            .bind(next.as_str())
            .bind(at)
            .bind(actor.to_string())
            .bind(s.id)
            .execute(&mut *tx)
            .await
            .db()?;
        transition(
            &mut tx,
            round_id,
            &s,
            next,
            s.on_time,
            actor,
            "accept",
            format!("{} v{}", next.as_str(), s.version),
        )
        .await?;
        tx.commit().await.db()?;
        self.submission(round_id, unit_code).await
    }

    /// Reopens accepted data as a new version with a reason. The accepted figures keep
    /// counting until the corrected version is accepted.
    pub async fn start_correction(
        &self,
        round_id: i64,
        unit_code: &str,
        reason: &str,
        actor: &str,
    ) -> CoreResult<SubmissionView> {
        let reason = text::nfc(reason.trim());
        if reason.is_empty() {
            return Err(CoreError::invalid(
                "Cần ghi lý do điều chỉnh số liệu đã tiếp nhận",
            ));
        }
        let round = self.round(round_id).await?;
        Self::check_open(&round)?;
        let mut tx = self.write_tx().await?;
        let s = Self::sub_row(&mut tx, round_id, unit_code).await?;
        let next = s.status.apply(Action::Correct)?;
        let values = load_values(&mut tx, "accepted_values", s.id).await?;
        let row = sqlx::query("SELECT sections_json FROM submission_versions WHERE submission_id = $1 AND version = $2").bind(s.id).bind(s.version).fetch_one(&mut *tx).await.db()?;
        let sections: Narrative =
            serde_json::from_str(&get_str(&row, "sections_json")).unwrap_or_default();
        let vrows: Vec<Vec<Val>> = values
            .iter()
            .map(|(k, v)| vec![Val::I(s.id), Val::S(k.clone()), Val::I(*v)])
            .collect();
        bulk_insert(
            &mut tx,
            "draft_values",
            &["submission_id", "indicator", "value"],
            &vrows,
            "",
        )
        .await?;
        let srows: Vec<Vec<Val>> = sections
            .iter()
            .map(|(k, v)| vec![Val::I(s.id), Val::S(k.clone()), Val::S(v.clone())])
            .collect();
        bulk_insert(
            &mut tx,
            "draft_sections",
            &["submission_id", "section", "body"],
            &srows,
            "",
        )
        .await?;
        sqlx::query("UPDATE submissions SET status = $1, version = $2, correction_reason = $3, updated_at = $4, updated_by = $5 WHERE id = $6")
            .bind(next.as_str())
            .bind(s.version + 1)
            .bind(reason.clone())
            .bind(now())
            .bind(actor.to_string())
            .bind(s.id)
            .execute(&mut *tx)
            .await
            .db()?;
        transition(
            &mut tx,
            round_id,
            &s,
            next,
            s.on_time,
            actor,
            "correction",
            format!("{}: {reason}", s.version + 1),
        )
        .await?;
        tx.commit().await.db()?;
        self.submission(round_id, unit_code).await
    }

    /// Accepted versions (oldest first) and the audit log of a report.
    pub async fn submission_history(
        &self,
        round_id: i64,
        unit_code: &str,
    ) -> CoreResult<(Vec<VersionInfo>, Vec<crate::AuditEntry>)> {
        let mut tx = self.pool.begin().await.db()?;
        let s = Self::sub_row(&mut tx, round_id, unit_code).await?;
        let rows = sqlx::query("SELECT version, values_json, sections_json, accepted_at, accepted_by, reason FROM submission_versions WHERE submission_id = $1 ORDER BY version")
            .bind(s.id)
            .fetch_all(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        let versions = rows
            .iter()
            .map(|r| {
                let values: Values =
                    serde_json::from_str(&get_str(r, "values_json")).unwrap_or_default();
                VersionInfo {
                    version: get_i64(r, "version"),
                    accepted_at: get_str(r, "accepted_at"),
                    accepted_by: get_str(r, "accepted_by"),
                    reason: get_opt_str(r, "reason"),
                    values: values
                        .iter()
                        .map(|(k, v)| (k.clone(), number::to_f64(*v)))
                        .collect(),
                    sections: serde_json::from_str(&get_str(r, "sections_json"))
                        .unwrap_or_default(),
                }
            })
            .collect();
        Ok((
            versions,
            self.audit_log("submission", &s.id.to_string()).await?,
        ))
    }
}

impl Store {
    /// Turns a legacy report (.txt or .docx bytes) into the unit's draft: narrative by
    /// section, confidently matched figures; returns the draft and the review list.
    pub async fn import_report(
        &self,
        round_id: i64,
        unit_code: &str,
        bytes: &[u8],
        actor: &str,
    ) -> CoreResult<(SubmissionView, Vec<qcdc_checker::import::ReviewItem>)> {
        let round = self.round(round_id).await?;
        let t = self.template(round.template_id).await?;
        let doc = qcdc_checker::read(bytes).map_err(|e| {
            CoreError::new(
                ErrorCode::InvalidInput,
                format!("Không đọc được tệp báo cáo: {}", e.0),
            )
        })?;
        let mapped = qcdc_checker::import::map_report(&doc, &t);
        let mut change = DraftChange::default();
        for (code, v) in &mapped.values {
            change
                .values
                .insert(code.clone(), Some(v.value));
        }
        for (number, text) in &mapped.sections {
            change.sections.insert(number.clone(), Some(text.clone()));
        }
        let view = self.save_draft(round_id, unit_code, &change, actor).await?;
        Ok((view, mapped.review))
    }
}
