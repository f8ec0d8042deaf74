//! Report use cases: view, save the draft, submit, return, accept, correct, the
//! history, and a legacy report imported into the draft. Each write is one
//! transaction that re-checks the round's state and the report's status inside
//! it, moves the running status counts (and, on acceptance, the running totals)
//! of every ancestor, and writes the audit log.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use qcdc_core::access::Permission;
use qcdc_core::number::{self, Milli};
use qcdc_core::period::deadline_end;
use qcdc_core::template::{Severity, Template};
use qcdc_core::validate::{self, Narrative, Stage, Values};
use qcdc_core::workflow::{Action, Status};
use qcdc_core::{CoreError, CoreResult, ErrorCode, text};
use qcdc_store::Conn as AnyConnection;
use qcdc_store::rounds_repo::Round;
use qcdc_store::submissions_repo::{self, Figures, RowChange, Submission, Version};
use qcdc_store::units_repo::{self, Unit};
use qcdc_store::{audit, rollup};

use crate::ctx::Ctx;
use crate::rounds::load as load_round;
use crate::sources::{PrefillProvider, PrefillRequest, Prefills, has_sources};

/// What counts the figures of `source` indicators: the registers. The only place the
/// report code names them; everything else sees the `PrefillProvider` trait.
fn prefill_provider() -> &'static dyn PrefillProvider {
    &crate::registers::prefill::RegisterCounts
}
use crate::views::{OverrideLine, Page, PageReq, SubmissionRights, SubmissionView, VersionInfo};

/// Values and sections to merge into a draft: `None` clears a cell or a section.
#[derive(Debug, Clone, Default)]
pub struct DraftChange {
    pub values: BTreeMap<String, Option<Milli>>,
    pub sections: BTreeMap<String, Option<String>>,
    /// Why a figure differs from the value counted for its indicator's `source`
    /// (required for every such figure the change sets differently).
    pub reasons: BTreeMap<String, String>,
}

impl DraftChange {
    /// A stable fingerprint of the change (to check that what is confirmed is what
    /// was previewed).
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for (k, v) in &self.values {
            h.update(format!("v:{k}={v:?};"));
        }
        for (k, v) in &self.sections {
            h.update(format!(
                "s:{k}={}:{v:?};",
                v.as_ref().map_or(0, String::len)
            ));
        }
        for (k, v) in &self.reasons {
            h.update(format!("r:{k}={v:?};"));
        }
        hex::encode(&h.finalize()[..12])
    }
}

/// One figure or section a change would alter: what the draft holds now and what
/// it would hold (`None`: empty).
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct PreviewLine {
    /// `v.<indicator>` or `s.<section>`, as in the form.
    pub field: String,
    pub label: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// The value counted from the unit's registers when the new figure differs
    /// from it: confirming then needs a written reason for this figure.
    pub counted: Option<String>,
}

/// What `change` would alter in the report's draft, figure by figure and section
/// by section; nothing is written.
pub async fn preview_change(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    change: &DraftChange,
) -> CoreResult<Vec<PreviewLine>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (round, unit, s) = load(&mut tx, round_id, unit_code).await?;
        cx.require(&mut tx, Permission::Report, unit.id).await?;
        let t = cx.app().template(&mut tx, round.template_id).await?;
        check_change(&t, change)?;
        let old_values = submissions_repo::values(&mut tx, Figures::Draft, s.id).await?;
        let old_sections = submissions_repo::draft_sections(&mut tx, s.id).await?;
        let counted = prefill(&mut tx, &t, &round, &unit).await?;
        let mut out = Vec::new();
        for sec in t.sections() {
            if let Some(new) = change.sections.get(&sec.number) {
                let old = old_sections
                    .get(&sec.number)
                    .filter(|x| !x.is_empty())
                    .cloned();
                let new = new.clone().filter(|x| !x.is_empty());
                if old != new {
                    out.push(PreviewLine {
                        field: format!("s.{}", sec.number),
                        label: format!("Mục {}. {}", sec.number, sec.title),
                        old,
                        new,
                        counted: None,
                    });
                }
            }
        }
        for ind in t.indicators() {
            if let Some(new) = change.values.get(&ind.code) {
                let old = old_values.get(&ind.code).copied();
                if old != *new {
                    out.push(PreviewLine {
                        field: format!("v.{}", ind.code),
                        label: ind.name.clone(),
                        old: old.map(fmt_value),
                        new: new.map(fmt_value),
                        counted: counted
                            .get(&ind.code)
                            .filter(|c| Some(**c) != *new)
                            .map(|c| fmt_value(*c)),
                    });
                }
            }
        }
        Ok(out)
    }
    .await;
    tx.finish(r).await
}

/// A stored figure as the page shows it: exactly what was typed, never rounded.
fn fmt_value(v: Milli) -> String {
    number::format_exact(v)
}

fn not_recipient(unit: &str, round: i64) -> CoreError {
    CoreError::not_found(format!(
        "báo cáo của đơn vị «{unit}» trong đợt #{round} (đơn vị không thuộc danh sách nhận)"
    ))
}

/// The round, the unit and its report, read in the caller's transaction.
async fn load(
    c: &mut AnyConnection,
    round_id: i64,
    unit_code: &str,
) -> CoreResult<(Round, Unit, Submission)> {
    let round = load_round(c, round_id).await?;
    let unit = units_repo::by_code(c, unit_code).await?;
    let sub = submissions_repo::get(c, round_id, unit.id)
        .await?
        .ok_or_else(|| not_recipient(unit_code, round_id))?;
    Ok((round, unit, sub))
}

/// The bookkeeping of every status change: the ancestors' running counts move and
/// the audit log records it.
async fn transition(
    cx: &Ctx,
    c: &mut AnyConnection,
    s: &Submission,
    next: Status,
    on_time: Option<bool>,
    action: &str,
    note: String,
) -> CoreResult<()> {
    rollup::apply_status(
        c,
        s.round_id,
        s.unit_id,
        (s.status, s.on_time),
        (next, on_time),
    )
    .await?;
    audit::write(
        c,
        audit::Change {
            actor: cx.who(),
            action,
            entity: "submission",
            entity_id: &s.id.to_string(),
            field: Some("status"),
            old_value: Some(s.status.as_str().into()),
            new_value: Some(note),
        },
    )
    .await
}

/// The report of `unit_code` in a round, with its validation findings, the
/// checker's findings on its narrative, and what the actor may do with it.
pub async fn view(cx: &Ctx, round_id: i64, unit_code: &str) -> CoreResult<SubmissionView> {
    let mut tx = cx.app().db().read().await?;
    let r = view_in(cx, &mut tx, round_id, unit_code).await;
    tx.finish(r).await
}

pub(crate) async fn view_in(
    cx: &Ctx,
    c: &mut AnyConnection,
    round_id: i64,
    unit_code: &str,
) -> CoreResult<SubmissionView> {
    let (round, unit, s) = load(c, round_id, unit_code).await?;
    cx.require(c, Permission::View, unit.id).await?;
    let t = cx.app().template(c, round.template_id).await?;
    let (values, sections) = if s.status == Status::Accepted {
        let values = submissions_repo::values(c, Figures::Accepted, s.id).await?;
        let sections = submissions_repo::version(c, s.id, s.version)
            .await?
            .map(|v| v.sections)
            .unwrap_or_default();
        (values, sections)
    } else {
        (
            submissions_repo::values(c, Figures::Draft, s.id).await?,
            submissions_repo::draft_sections(c, s.id).await?,
        )
    };
    let stage = if matches!(
        s.status,
        Status::NotStarted | Status::Draft | Status::Returned
    ) {
        Stage::Draft
    } else {
        Stage::Submit
    };
    let findings = validate::validate_for(&t, Some(unit.kind), &values, &sections, stage);
    let titled: Vec<(String, String, String)> = t
        .sections()
        .iter()
        .filter_map(|sec| {
            sections
                .get(&sec.number)
                .map(|x| (sec.number.clone(), sec.title.clone(), x.clone()))
        })
        .collect();
    // the checker reads the narrative as a reviewer would, and against the report's
    // own figures (a number in the text that differs from the form)
    let narrative_findings =
        qcdc_checker::check_submission(&t, &titled, &values, Some(cx.app().today()));
    let may_report = cx.may(c, Permission::Report, unit.id).await?;
    let may_manage = cx.may(c, Permission::Manage, round.issuer_id).await?;
    let open = round.state == qcdc_core::round::RoundState::Open;
    let can = SubmissionRights {
        edit: may_report && qcdc_core::round::editable(s.status, round.state),
        review: may_manage && open && s.status == Status::Submitted,
        correct: may_report && open && s.status == Status::Accepted,
    };
    let prefilled = if can.edit {
        prefill(c, &t, &round, &unit)
            .await?
            .into_iter()
            .map(|(k, v)| (k, fmt_value(v)))
            .collect()
    } else {
        BTreeMap::new()
    };
    let overrides = submissions_repo::overrides(c, s.id)
        .await?
        .into_iter()
        .map(|o| OverrideLine {
            name: t
                .indicator(&o.indicator)
                .map_or_else(|| o.indicator.clone(), |i| i.name.clone()),
            indicator: o.indicator,
            counted: fmt_value(o.counted),
            typed: o.typed.map(fmt_value).unwrap_or_default(),
            reason: o.reason,
            by: o.updated_by,
            at: o.updated_at,
        })
        .collect();
    Ok(SubmissionView {
        round_id,
        round_title: round.title.clone(),
        round_status: round.state.as_str().into(),
        period_label: round.period.label_vi(),
        deadline: qcdc_core::period::format_date(qcdc_core::round::effective_deadline(
            round.deadline,
            s.deadline,
        )),
        deadline_date: qcdc_core::round::effective_deadline(round.deadline, s.deadline),
        template_code: round.template_code.clone(),
        template_version: round.template_version,
        unit_code: s.unit_code.clone(),
        unit_name: s.unit_name.clone(),
        unit_kind: unit.kind,
        computed: t
            .indicators()
            .iter()
            .filter_map(|i| {
                validate::computed_ratio(&t, &values, &i.code)
                    .map(|r| (i.code.clone(), number::format_f64(r, 1)))
            })
            .collect(),
        status: s.status,
        status_label: s.status.label_vi(),
        version: s.version,
        display: values
            .iter()
            .map(|(k, v)| (k.clone(), fmt_value(*v)))
            .collect(),
        values: values
            .iter()
            .map(|(k, v)| (k.clone(), number::to_f64(*v)))
            .collect(),
        sections,
        findings,
        narrative_findings,
        return_reason: s.return_reason,
        correction_reason: s.correction_reason,
        on_time: s.on_time,
        first_submitted_at: s.first_submitted_at,
        submitted_at: s.submitted_at,
        accepted_at: s.accepted_at,
        updated_at: s.updated_at,
        updated_by: s.updated_by,
        adopted_from_round: s.adopted_from_round,
        can,
        prefilled,
        overrides,
    })
}

/// The values counted for the indicators of the template that declare a
/// `source`, for the unit over the round's cut-off window (empty when none does).
async fn prefill(
    c: &mut AnyConnection,
    t: &Template,
    round: &Round,
    unit: &Unit,
) -> CoreResult<Prefills> {
    if !has_sources(t) {
        return Ok(Prefills::new());
    }
    let (from, to) = round.period.cutoff();
    prefill_provider()
        .prefill(
            c,
            PrefillRequest {
                template: t,
                unit_id: unit.id,
                unit_kind: unit.kind,
                from,
                to,
            },
        )
        .await
}

/// How a figure that differs from its counted value is explained.
#[derive(Debug, Clone, Copy)]
enum Reasons<'a> {
    /// Typed by the reporter: the change must carry a reason for each.
    Typed,
    /// Taken from elsewhere (adopted from a round below): this reason is kept.
    Given(&'a str),
}

/// Merges figures and narrative into the working copy. Saving is allowed in any
/// state before acceptance except while the office holds the report (submitted).
pub async fn save_draft(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    change: &DraftChange,
) -> CoreResult<SubmissionView> {
    save_draft_from(cx, round_id, unit_code, change, None).await
}

/// Saves a draft whose figures arrive as JSON values (text written the Vietnamese
/// way, numbers, or null to clear); every bad cell is listed and nothing is saved.
pub async fn save_draft_json(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    values: &BTreeMap<String, serde_json::Value>,
    sections: BTreeMap<String, Option<String>>,
    reasons: BTreeMap<String, String>,
) -> CoreResult<SubmissionView> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (round, unit, _) = load(&mut tx, round_id, unit_code).await?;
        cx.require(&mut tx, Permission::Report, unit.id).await?;
        cx.app().template(&mut tx, round.template_id).await
    }
    .await;
    let t = tx.finish(r).await?;
    let values = validate::parse_json_values(&t, values)?;
    save_draft(
        cx,
        round_id,
        unit_code,
        &DraftChange {
            values,
            sections,
            reasons,
        },
    )
    .await
}

/// The template of a round (for forms that parse typed figures).
pub async fn template_of(cx: &Ctx, round_id: i64) -> CoreResult<std::sync::Arc<Template>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load_round(&mut tx, round_id).await?;
        crate::rounds::require_visible(cx, &mut tx, &round).await?;
        cx.app().template(&mut tx, round.template_id).await
    }
    .await;
    tx.finish(r).await
}

/// [`save_draft`], recording that the figures were adopted from a round below.
pub(crate) async fn save_draft_from(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    change: &DraftChange,
    adopted_from: Option<i64>,
) -> CoreResult<SubmissionView> {
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let (round, unit, s) = load(&mut tx, round_id, unit_code).await?;
        cx.require(&mut tx, Permission::Report, unit.id).await?;
        round.state.require_open(&round.title)?;
        let t = cx.app().template(&mut tx, round.template_id).await?;
        check_change(&t, change)?;
        if s.status == Status::Submitted {
            return Err(CoreError::new(
                ErrorCode::InvalidTransition,
                "Báo cáo đã gửi và đang chờ cơ quan thường trực xem xét; chưa sửa được cho đến khi bị trả lại",
            ));
        }
        let next = s.status.apply(Action::SaveDraft)?;
        let counted = prefill(&mut tx, &t, &round, &unit).await?;
        let adopted_reason = adopted_from.map(|r| format!("Lấy số liệu tổng hợp từ báo cáo cấp dưới (đợt #{r})"));
        let reasons = match &adopted_reason {
            Some(r) => Reasons::Given(r),
            None => Reasons::Typed,
        };
        write_draft(cx, &mut tx, &s, change, (&t, &counted), reasons).await?;
        if next != s.status {
            transition(cx, &mut tx, &s, next, s.on_time, "status", next.as_str().into()).await?;
        }
        submissions_repo::update(
            &mut tx,
            s.id,
            &RowChange { status: Some(next), adopted_from_round: adopted_from, ..Default::default() },
            cx.who(),
        )
        .await?;
        Ok(())
    }
    .await;
    tx.finish(r).await?;
    metrics::counter!("qcdc_report_saves_total").increment(1);
    // the view (with the checker's reading) is built after the write lock is released
    view(cx, round_id, unit_code).await
}

/// Refuses a change naming indicators or sections outside the form, or a section
/// longer than the limit (nothing is cut: the whole change is refused).
fn check_change(t: &Template, change: &DraftChange) -> CoreResult<()> {
    let codes_only: Values = change.values.keys().map(|k| (k.clone(), 0)).collect();
    let sections: Narrative = change
        .sections
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
        .collect();
    validate::check_codes(t, &codes_only, &sections)
}

async fn write_draft(
    cx: &Ctx,
    c: &mut AnyConnection,
    s: &Submission,
    change: &DraftChange,
    (t, counted): (&Template, &Prefills),
    reasons: Reasons<'_>,
) -> CoreResult<()> {
    let old_values = submissions_repo::values(c, Figures::Draft, s.id).await?;
    let old_sections = submissions_repo::draft_sections(c, s.id).await?;
    let entity = s.id.to_string();
    write_overrides(cx, c, s, change, &old_values, (t, counted), reasons).await?;
    for (code, new) in &change.values {
        let old = old_values.get(code).copied();
        if old == *new {
            continue;
        }
        submissions_repo::set_value(c, s.id, code, *new).await?;
        audit::write(
            c,
            audit::Change {
                actor: cx.who(),
                action: "value",
                entity: "submission",
                entity_id: &entity,
                field: Some(code),
                old_value: old.map(fmt_value),
                new_value: new.map(fmt_value),
            },
        )
        .await?;
    }
    for (section, new) in &change.sections {
        let new = new
            .as_deref()
            .map(text::nfc)
            .filter(|x| !x.trim().is_empty());
        let old = old_sections.get(section).cloned();
        if old == new {
            continue;
        }
        submissions_repo::set_section(c, s.id, section, new.as_deref()).await?;
        audit::write(
            c,
            audit::Change {
                actor: cx.who(),
                action: "section",
                entity: "submission",
                entity_id: &entity,
                field: Some(section),
                old_value: old,
                new_value: new,
            },
        )
        .await?;
    }
    Ok(())
}

/// Keeps the overrides in step with a change: a figure set differently from the
/// value counted for its source needs a reason (every missing one is listed and
/// nothing is written); a figure brought back to the counted value loses its
/// override; a new reason for an unchanged figure replaces the old one. The typed
/// value itself is never altered.
async fn write_overrides(
    cx: &Ctx,
    c: &mut AnyConnection,
    s: &Submission,
    change: &DraftChange,
    old_values: &Values,
    (t, counted): (&Template, &Prefills),
    reasons: Reasons<'_>,
) -> CoreResult<()> {
    if counted.is_empty() {
        return Ok(());
    }
    let known = submissions_repo::overrides(c, s.id).await?;
    let mut missing = Vec::new();
    let mut writes: Vec<(&str, Milli, Option<Milli>, Option<String>)> = Vec::new();
    for (code, &count) in counted {
        let reason = match reasons {
            Reasons::Given(r) => Some(r.to_string()),
            Reasons::Typed => change
                .reasons
                .get(code)
                .map(|r| text::nfc(r.trim()))
                .filter(|r| !r.is_empty()),
        };
        let (new, changed) = match change.values.get(code) {
            Some(new) => (*new, old_values.get(code).copied() != *new),
            None => (old_values.get(code).copied(), false),
        };
        let same = new == Some(count) || (new.is_none() && count == 0);
        if same {
            if known.iter().any(|o| &o.indicator == code) {
                writes.push((code, count, new, None));
            }
            continue;
        }
        let had = known.iter().find(|o| &o.indicator == code);
        match (reason, changed, had) {
            (Some(r), _, _) => {
                if r.chars().count() > 2000 {
                    return Err(CoreError::invalid(format!(
                        "Lý do của chỉ tiêu «{code}» dài quá 2.000 ký tự ({} ký tự)",
                        r.chars().count()
                    )));
                }
                if had.is_none_or(|o| o.reason != r || o.typed != new) {
                    writes.push((code, count, new, Some(r)));
                }
            }
            // an unchanged figure keeps its earlier reason
            (None, false, Some(_)) => {}
            // a figure stored before its source gave this count is left as it is
            (None, false, None) if !change.values.contains_key(code) => {}
            (None, _, _) => missing.push((code, count, new)),
        }
    }
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|(code, count, new)| {
                let t = t.indicator(code).map_or(code.as_str(), |i| i.name.as_str());
                format!(
                    "«{t}» (số đếm từ sổ theo dõi: {}, số nhập: {})",
                    fmt_value(*count),
                    new.map_or_else(|| "để trống".to_string(), fmt_value)
                )
            })
            .collect();
        return Err(CoreError::new(
            ErrorCode::InvalidInput,
            format!(
                "Số liệu khác số đếm từ sổ theo dõi phải ghi lý do; chưa có lý do cho: {}. Chưa lưu gì.",
                list.join("; ")
            ),
        )
        .with_details(serde_json::json!({
            "missing_reasons": missing.iter().map(|(c, _, _)| c).collect::<Vec<_>>()
        })));
    }
    let entity = s.id.to_string();
    for (code, count, new, reason) in writes {
        match reason {
            Some(r) => {
                submissions_repo::set_override(c, s.id, code, count, new, &r, cx.who()).await?;
                audit::write(
                    c,
                    audit::Change {
                        actor: cx.who(),
                        action: "override",
                        entity: "submission",
                        entity_id: &entity,
                        field: Some(code),
                        old_value: Some(fmt_value(count)),
                        new_value: Some(format!(
                            "{} — {r}",
                            new.map_or_else(|| "(trống)".to_string(), fmt_value)
                        )),
                    },
                )
                .await?;
            }
            None => submissions_repo::clear_override(c, s.id, code).await?,
        }
    }
    Ok(())
}

/// Sends the report to the office. Refused (nothing changed) while validation
/// has blocking errors; the findings travel in the error's details.
pub async fn submit(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    at: DateTime<Utc>,
) -> CoreResult<SubmissionView> {
    submit_with(cx, round_id, unit_code, &DraftChange::default(), at).await
}

/// Sends the report with the form's last values: `change` (what the form holds when
/// "Gửi" is pressed) is written into the draft and the report sent in one
/// transaction, so the last keystrokes are in the submitted version; if the report
/// cannot be sent, nothing of the change is kept either (the browser still has it).
pub async fn submit_with(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    change: &DraftChange,
    at: DateTime<Utc>,
) -> CoreResult<SubmissionView> {
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let (round, unit, mut s) = load(&mut tx, round_id, unit_code).await?;
        cx.require(&mut tx, Permission::Report, unit.id).await?;
        round.state.require_open(&round.title)?;
        let t = cx.app().template(&mut tx, round.template_id).await?;
        if !change.values.is_empty() || !change.sections.is_empty() {
            check_change(&t, change)?;
            let drafted = s.status.apply(Action::SaveDraft)?;
            let counted = prefill(&mut tx, &t, &round, &unit).await?;
            write_draft(cx, &mut tx, &s, change, (&t, &counted), Reasons::Typed).await?;
            if drafted != s.status {
                transition(
                    cx,
                    &mut tx,
                    &s,
                    drafted,
                    s.on_time,
                    "status",
                    drafted.as_str().into(),
                )
                .await?;
                submissions_repo::update(
                    &mut tx,
                    s.id,
                    &RowChange {
                        status: Some(drafted),
                        ..Default::default()
                    },
                    cx.who(),
                )
                .await?;
                s.status = drafted;
            }
        }
        let next = s.status.apply(Action::Submit)?;
        let values = submissions_repo::values(&mut tx, Figures::Draft, s.id).await?;
        let sections = submissions_repo::draft_sections(&mut tx, s.id).await?;
        let findings =
            validate::validate_for(&t, Some(unit.kind), &values, &sections, Stage::Submit);
        if validate::has_errors(&findings) {
            let n = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
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
        let on_time = first_dt
            <= deadline_end(qcdc_core::round::effective_deadline(
                round.deadline,
                s.deadline,
            ));
        submissions_repo::update(
            &mut tx,
            s.id,
            &RowChange {
                status: Some(next),
                first_submitted_at: Some(first),
                submitted_at: Some(at_s),
                on_time: Some(on_time),
                ..Default::default()
            },
            cx.who(),
        )
        .await?;
        transition(
            cx,
            &mut tx,
            &s,
            next,
            Some(on_time),
            "submit",
            next.as_str().into(),
        )
        .await?;
        Ok(())
    }
    .await;
    tx.finish(r).await?;
    // the view (with the checker's reading) is built after the write lock is released
    view(cx, round_id, unit_code).await
}

/// The issuing office returns a submitted report with a reason.
pub async fn return_report(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    reason: &str,
) -> CoreResult<SubmissionView> {
    let reason = text::nfc(reason.trim());
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let (round, _unit, s) = load(&mut tx, round_id, unit_code).await?;
        cx.require(&mut tx, Permission::Manage, round.issuer_id)
            .await?;
        round.state.require_open(&round.title)?;
        if reason.is_empty() {
            return Err(CoreError::invalid("Cần ghi lý do trả lại báo cáo"));
        }
        let next = s.status.apply(Action::Return)?;
        submissions_repo::update(
            &mut tx,
            s.id,
            &RowChange {
                status: Some(next),
                return_reason: Some(Some(reason.clone())),
                ..Default::default()
            },
            cx.who(),
        )
        .await?;
        transition(
            cx,
            &mut tx,
            &s,
            next,
            s.on_time,
            "return",
            format!("{}: {reason}", next.as_str()),
        )
        .await?;
        Ok(())
    }
    .await;
    tx.finish(r).await?;
    // the view (with the checker's reading) is built after the write lock is released
    view(cx, round_id, unit_code).await
}

/// The issuing office accepts a submitted report: its figures become a new
/// immutable version, replace the previously accepted ones, and every ancestor's
/// running totals move by the difference — all in one transaction.
pub async fn accept(cx: &Ctx, round_id: i64, unit_code: &str) -> CoreResult<SubmissionView> {
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let (round, _unit, s) = load(&mut tx, round_id, unit_code).await?;
        cx.require(&mut tx, Permission::Manage, round.issuer_id)
            .await?;
        round.state.require_open(&round.title)?;
        let next = s.status.apply(Action::Accept)?;
        let new_values = submissions_repo::values(&mut tx, Figures::Draft, s.id).await?;
        let sections = submissions_repo::draft_sections(&mut tx, s.id).await?;
        let old_values = submissions_repo::values(&mut tx, Figures::Accepted, s.id).await?;
        let at = qcdc_store::rows::now();
        submissions_repo::insert_version(
            &mut tx,
            s.id,
            &Version {
                version: s.version,
                accepted_at: at.clone(),
                accepted_by: cx.who().to_string(),
                reason: s.correction_reason.clone(),
                values: new_values.clone(),
                sections,
            },
        )
        .await?;
        submissions_repo::replace_accepted(&mut tx, s.id, &new_values).await?;
        rollup::apply_values(&mut tx, round_id, s.unit_id, &old_values, &new_values).await?;
        submissions_repo::clear_draft(&mut tx, s.id).await?;
        submissions_repo::update(
            &mut tx,
            s.id,
            &RowChange {
                status: Some(next),
                accepted_at: Some(at),
                return_reason: Some(None),
                ..Default::default()
            },
            cx.who(),
        )
        .await?;
        transition(
            cx,
            &mut tx,
            &s,
            next,
            s.on_time,
            "accept",
            format!("{} v{}", next.as_str(), s.version),
        )
        .await?;
        Ok(())
    }
    .await;
    tx.finish(r).await?;
    metrics::counter!("qcdc_acceptances_total").increment(1);
    // the view (with the checker's reading) is built after the write lock is released
    view(cx, round_id, unit_code).await
}

/// Reopens accepted data as a new version with a reason. The accepted figures keep
/// counting until the corrected version is accepted.
pub async fn start_correction(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    reason: &str,
) -> CoreResult<SubmissionView> {
    let reason = text::nfc(reason.trim());
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let (round, unit, s) = load(&mut tx, round_id, unit_code).await?;
        cx.require(&mut tx, Permission::Report, unit.id).await?;
        if reason.is_empty() {
            return Err(CoreError::invalid(
                "Cần ghi lý do điều chỉnh số liệu đã tiếp nhận",
            ));
        }
        round.state.require_open(&round.title)?;
        let next = s.status.apply(Action::Correct)?;
        let values = submissions_repo::values(&mut tx, Figures::Accepted, s.id).await?;
        let sections = submissions_repo::version(&mut tx, s.id, s.version)
            .await?
            .map(|v| v.sections)
            .unwrap_or_default();
        submissions_repo::replace_draft(&mut tx, s.id, &values, &sections).await?;
        submissions_repo::update(
            &mut tx,
            s.id,
            &RowChange {
                status: Some(next),
                version: Some(s.version + 1),
                correction_reason: Some(reason.clone()),
                ..Default::default()
            },
            cx.who(),
        )
        .await?;
        transition(
            cx,
            &mut tx,
            &s,
            next,
            s.on_time,
            "correction",
            format!("{}: {reason}", s.version + 1),
        )
        .await?;
        Ok(())
    }
    .await;
    tx.finish(r).await?;
    // the view (with the checker's reading) is built after the write lock is released
    view(cx, round_id, unit_code).await
}

/// A report's accepted versions (oldest first) and one page of its audit log
/// (newest first).
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct History {
    pub versions: Vec<VersionInfo>,
    pub audit: Page<qcdc_store::audit::AuditEntry>,
}

pub async fn history(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    page: PageReq,
) -> CoreResult<History> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (_round, unit, s) = load(&mut tx, round_id, unit_code).await?;
        cx.require(&mut tx, Permission::View, unit.id).await?;
        let versions = submissions_repo::versions(&mut tx, s.id)
            .await?
            .into_iter()
            .map(|v| VersionInfo {
                version: v.version,
                accepted_at: v.accepted_at,
                accepted_by: v.accepted_by,
                reason: v.reason,
                values: v
                    .values
                    .iter()
                    .map(|(k, x)| (k.clone(), number::to_f64(*x)))
                    .collect(),
                sections: v.sections,
            })
            .collect();
        let (entries, total) = audit::page(
            &mut tx,
            "submission",
            &s.id.to_string(),
            page.offset(),
            page.size(),
        )
        .await?;
        Ok(History {
            versions,
            audit: Page::new(entries, total, page),
        })
    }
    .await;
    tx.finish(r).await
}

/// Turns a legacy report (.txt or .docx bytes) into the unit's draft: narrative by
/// section, confidently matched figures; returns the draft and the review list.
/// A legacy report read for the draft, not yet written: the change it makes, the
/// old → new of every figure and section it alters, and what needs a person's eye.
pub struct ImportPreview {
    pub change: DraftChange,
    pub lines: Vec<PreviewLine>,
    pub review: Vec<qcdc_checker::import::ReviewItem>,
}

/// Reads a .docx/.txt report and shows what importing it into the draft would
/// change; nothing is written (the page confirms with a normal draft save).
pub async fn import_preview(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    bytes: &[u8],
) -> CoreResult<ImportPreview> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (round, unit, _s) = load(&mut tx, round_id, unit_code).await?;
        cx.require(&mut tx, Permission::Report, unit.id).await?;
        cx.app().template(&mut tx, round.template_id).await
    }
    .await;
    let t = tx.finish(r).await?;
    let doc = qcdc_checker::read(bytes).map_err(|e| {
        CoreError::new(
            ErrorCode::InvalidInput,
            format!("Không đọc được tệp báo cáo: {}", e.0),
        )
    })?;
    let mapped = qcdc_checker::import::map_report(&doc, &t);
    let mut change = DraftChange::default();
    for (code, v) in &mapped.values {
        change.values.insert(code.clone(), Some(v.value));
    }
    for (num, body) in &mapped.sections {
        change.sections.insert(num.clone(), Some(body.clone()));
    }
    let lines = preview_change(cx, round_id, unit_code, &change).await?;
    Ok(ImportPreview {
        change,
        lines,
        review: mapped.review,
    })
}

pub async fn import_report(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    bytes: &[u8],
) -> CoreResult<(SubmissionView, Vec<qcdc_checker::import::ReviewItem>)> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (round, unit, _s) = load(&mut tx, round_id, unit_code).await?;
        cx.require(&mut tx, Permission::Report, unit.id).await?;
        cx.app().template(&mut tx, round.template_id).await
    }
    .await;
    let t = tx.finish(r).await?;
    let doc = qcdc_checker::read(bytes).map_err(|e| {
        CoreError::new(
            ErrorCode::InvalidInput,
            format!("Không đọc được tệp báo cáo: {}", e.0),
        )
    })?;
    let mapped = qcdc_checker::import::map_report(&doc, &t);
    let mut change = DraftChange::default();
    for (code, v) in &mapped.values {
        // exactly what the report's text reads, never through a float
        change.values.insert(code.clone(), Some(v.value));
    }
    for (num, body) in &mapped.sections {
        change.sections.insert(num.clone(), Some(body.clone()));
    }
    let view = save_draft(cx, round_id, unit_code, &change).await?;
    Ok((view, mapped.review))
}
