//! Petitions (đơn) and cases (vụ việc): recorded by the unit, processed step by
//! step through the state machine of `core::registers::petition`, linked into
//! cases when duplicates are found, and listed with their running deadline — for
//! the unit, or for an office over its whole subtree (counts and deadlines, no
//! names). A denouncer's identity is shown only to those who process the
//! petition, and each time it is shown the audit log records who saw it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use qcdc_core::access::RegisterSight;
use qcdc_core::period::format_date;
use qcdc_core::registers::duplicates::{self, Candidate, PetitionText};
use qcdc_core::registers::{
    Calendar, Channel, Complexity, DeadlineStatus, Petition, PetitionKind, PetitionRules,
    PetitionState, Step, StepKind,
};
use qcdc_core::{CoreError, CoreResult, ErrorCode};
use qcdc_store::audit::{self, Change};
use qcdc_store::registers_facts::{self, Units};
use qcdc_store::registers_repo::{self, NewPetition, StoredPetition, StoredStep};
use qcdc_store::{Conn, units_repo};
use serde::Serialize;

use super::{
    load_calendar, petition_rules, require_record, require_sight, sight_of, text, units_of,
};
use crate::ctx::{Ctx, forbidden};
use crate::views::{Page, PageReq};

/// Days before the due date a deadline shows as "sắp đến hạn".
pub const WARN_DAYS: u32 = 3;

/// A petition as typed in the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetitionInput {
    pub kind: PetitionKind,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub petitioners: Vec<String>,
    pub summary: String,
    pub content: String,
    /// The body that forwarded it (channel "chuyển đến").
    pub forwarded_from: String,
    pub remote: bool,
    pub complexity: Complexity,
}

/// A step as typed in the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepInput {
    pub date: NaiveDate,
    pub kind: StepKind,
    pub note: String,
    /// A new complexity decided with this step (e.g. before an extension).
    pub complexity: Option<Complexity>,
    /// Forwarding only: the code of the receiving unit when it keeps its
    /// registers in qcdc — it then gets the petition in its own register.
    pub to_unit: Option<String>,
}

/// The deadline badge of a petition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineBadge {
    pub stage: &'static str,
    pub due: String,
    pub status: DeadlineStatus,
    pub status_label: &'static str,
    pub days_left: i64,
    pub limit: String,
    pub source: String,
    /// The due date lies in a year the holiday calendar does not list.
    pub calendar_incomplete: bool,
}

/// A step as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepView {
    pub date: String,
    pub label: &'static str,
    /// Reason, receiving body, finding — hidden from those who see counts only.
    pub detail: String,
    pub note: String,
}

/// A petition as shown to the actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PetitionView {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub case_id: Option<i64>,
    pub kind: PetitionKind,
    pub kind_label: &'static str,
    pub channel_label: &'static str,
    pub received_on: String,
    /// None when hidden from this actor.
    pub petitioners: Option<Vec<String>>,
    /// Why the petitioners are hidden, in words.
    pub hidden: Option<&'static str>,
    /// Empty when the actor sees counts only.
    pub summary: String,
    pub content: String,
    pub state: PetitionState,
    pub state_label: &'static str,
    pub complexity_label: &'static str,
    pub remote: bool,
    pub deadline: Option<DeadlineBadge>,
    pub steps: Vec<StepView>,
}

/// A recorded petition and the earlier ones that may be the same matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub id: i64,
    pub duplicates: Vec<Candidate>,
}

/// A list of petitions with its totals by deadline status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PetitionList {
    pub items: Vec<PetitionView>,
    pub on_track: usize,
    pub due_soon: usize,
    pub overdue: usize,
    /// Cases among the listed petitions (linked petitions count once).
    pub cases: usize,
}

/// What to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// The unit and everything below it (an office's view).
    pub subtree: bool,
    pub kind: Option<PetitionKind>,
    /// Only petitions still being processed.
    pub open_only: bool,
    pub status: Option<DeadlineStatus>,
    /// Part of a petitioner's name or of the summary, with or without
    /// diacritics (compared folded: `duplicates::fold_name`). Names are searched
    /// only where the actor is shown them (never a protected denouncer for
    /// those who do not process the case, never for an office above), so a
    /// search cannot probe who wrote; the summary only where it is shown.
    pub query: String,
}

/// Whether a petition matches a folded search, looking only at what `sight`
/// shows of it.
fn matches_query(sp: &StoredPetition, sight: RegisterSight, folded: &str) -> bool {
    let names = sight.shows_petitioners(sp.kind.protects_identity());
    let details = sight >= RegisterSight::Names;
    (names
        && sp
            .petitioners
            .iter()
            .any(|p| duplicates::fold_name(p).contains(folded)))
        || ((details || names) && duplicates::fold_name(&sp.summary).contains(folded))
}

fn rebuild(
    p: &StoredPetition,
    steps: &[StoredStep],
    rules: &PetitionRules,
) -> CoreResult<Petition> {
    // the stored steps were checked when written; replaying them with a date far
    // ahead only re-applies the order rules
    let far = NaiveDate::MAX;
    let mut out = Petition::new(
        p.kind,
        p.channel,
        p.received_on,
        p.remote,
        p.complexity,
        far,
    )
    .map_err(|e| qcdc_store::rows::corrupt("petitions", "received_on", e.message))?;
    for s in steps {
        out.apply_with(s.step.clone(), far, Some(rules))
            .map_err(|e| {
                qcdc_store::rows::corrupt(
                    "petition_steps",
                    "kind",
                    format!("đơn #{} bước {}: {}", p.id, s.seq, e.message),
                )
            })?;
    }
    Ok(out)
}

fn badge(
    p: &Petition,
    rules: &PetitionRules,
    cal: &Calendar,
    today: NaiveDate,
) -> Option<DeadlineBadge> {
    p.deadline(rules, cal, today, WARN_DAYS)
        .map(|d| DeadlineBadge {
            stage: d.stage.label_vi(),
            due: format_date(d.due),
            status: d.status,
            status_label: d.status.label_vi(),
            days_left: d.days_left,
            limit: d.limit_vi,
            source: d.source,
            calendar_incomplete: d.calendar_incomplete,
        })
}

struct Shown {
    view: PetitionView,
    /// A denouncer's identity was shown: to be written in the audit log.
    protected_shown: bool,
}

#[allow(clippy::too_many_arguments)]
fn show(
    sp: StoredPetition,
    steps: &[StoredStep],
    unit_code: String,
    sight: RegisterSight,
    rules: &PetitionRules,
    cal: &Calendar,
    today: NaiveDate,
) -> CoreResult<Shown> {
    let p = rebuild(&sp, steps, rules)?;
    let protected = sp.kind.protects_identity();
    let names = sight.shows_petitioners(protected);
    let details = sight >= RegisterSight::Names;
    Ok(Shown {
        protected_shown: names && protected,
        view: PetitionView {
            id: sp.id,
            unit_id: sp.unit_id,
            unit_code,
            case_id: sp.case_id,
            kind: sp.kind,
            kind_label: sp.kind.label_vi(),
            channel_label: sp.channel.label_vi(),
            received_on: format_date(sp.received_on),
            petitioners: names.then(|| sp.petitioners.clone()),
            hidden: (!names).then_some(if protected && details {
                "Danh tính người tố cáo được giữ bí mật (Luật Tố cáo 2018)"
            } else {
                "Cấp trên chỉ xem số liệu, không xem họ tên người gửi đơn"
            }),
            summary: if details || names {
                sp.summary
            } else {
                String::new()
            },
            content: if details || names {
                sp.content
            } else {
                String::new()
            },
            state: p.state(),
            state_label: p.state().label_vi(),
            complexity_label: p.complexity().label_vi(),
            remote: sp.remote,
            deadline: badge(&p, rules, cal, today),
            steps: steps
                .iter()
                .map(|s| StepView {
                    date: format_date(s.step.date),
                    label: s.step.kind.label_vi(),
                    detail: match (&s.step.kind, details) {
                        (_, false) => String::new(),
                        (StepKind::Concluded { result }, _) => result.label_vi().to_string(),
                        (k, _) => k.text().unwrap_or_default().to_string(),
                    },
                    note: if details {
                        s.note.clone()
                    } else {
                        String::new()
                    },
                })
                .collect(),
        },
    })
}

async fn audit_identity_views(cx: &Ctx, shown: &[Shown]) -> CoreResult<()> {
    let ids: Vec<String> = shown
        .iter()
        .filter(|s| s.protected_shown)
        .map(|s| s.view.id.to_string())
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let mut tx = cx.app().db().write().await?;
    let entries: Vec<Change> = ids
        .iter()
        .map(|id| Change {
            actor: cx.who(),
            action: "view_protected_identity",
            entity: "petition",
            entity_id: id,
            ..Default::default()
        })
        .collect();
    let r = audit::write_many(&mut tx, &entries).await;
    tx.finish(r).await
}

fn fold_names(names: &[String]) -> String {
    names
        .iter()
        .map(|n| duplicates::fold_name(n))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn candidates_for(
    c: &mut Conn,
    unit_id: i64,
    id: i64,
    petitioners: &[String],
    content: &str,
) -> CoreResult<Vec<Candidate>> {
    let mut others: BTreeMap<i64, PetitionText> = BTreeMap::new();
    for name in petitioners {
        let folded = duplicates::fold_name(name);
        if folded.is_empty() {
            continue;
        }
        for o in registers_repo::petitions_naming(c, &[unit_id], &folded).await? {
            others.entry(o.id).or_insert(PetitionText {
                id: o.id,
                petitioners: o.petitioners,
                content: format!("{} {}", o.summary, o.content),
            });
        }
    }
    let me = PetitionText {
        id,
        petitioners: petitioners.to_vec(),
        content: content.to_string(),
    };
    let others: Vec<PetitionText> = others.into_values().collect();
    Ok(duplicates::candidates(
        &me,
        &others,
        duplicates::DEFAULT_THRESHOLD,
    ))
}

/// Records a petition received by the unit (its reporters and office) and offers
/// the earlier petitions of the same people about the same matter.
pub async fn record(cx: &Ctx, unit_code: &str, input: &PetitionInput) -> CoreResult<Recorded> {
    let today = cx.app().today();
    let petitioners: Vec<String> = input
        .petitioners
        .iter()
        .map(|n| qcdc_core::text::nfc(n.trim()))
        .filter(|n| !n.is_empty())
        .collect();
    for n in &petitioners {
        qcdc_core::text::check_line("Họ tên người gửi đơn", n, 200)?;
    }
    qcdc_core::text::check_line(
        "Tóm tắt nội dung đơn",
        input.summary.trim(),
        qcdc_core::text::MAX_LINE_CHARS,
    )?;
    qcdc_core::text::check_line("Cơ quan chuyển đơn", input.forwarded_from.trim(), 300)?;
    qcdc_core::text::check_text("Nội dung đơn", &input.content, 100_000)?;
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        require_record(cx, &mut tx, unit.id).await?;
        super::require_active(&unit, input.received_on)?;
        let p = Petition::new(
            input.kind,
            input.channel,
            input.received_on,
            input.remote,
            input.complexity,
            today,
        )?;
        if petitioners.is_empty() {
            return Err(CoreError::invalid("Chưa nhập họ tên người gửi đơn"));
        }
        if petitioners.len() > 200 || petitioners.iter().any(|n| n.chars().count() > 200) {
            return Err(CoreError::invalid("Danh sách người gửi đơn quá dài"));
        }
        let forwarded_from = text("cơ quan chuyển đến", &input.forwarded_from, false, 300)?;
        if input.channel == Channel::Forwarded && forwarded_from.is_empty() {
            return Err(CoreError::invalid(
                "Đơn chuyển đến từ cơ quan khác phải ghi tên cơ quan chuyển đến",
            ));
        }
        let summary = text("tóm tắt nội dung", &input.summary, true, 500)?;
        let content = text("nội dung", &input.content, false, 20_000)?;
        let id = registers_repo::insert_petition(
            &mut tx,
            &NewPetition {
                unit_id: unit.id,
                kind: p.kind,
                channel: p.channel,
                received_on: p.received,
                petitioners: petitioners.clone(),
                petitioners_folded: fold_names(&petitioners),
                summary: summary.clone(),
                content: content.clone(),
                forwarded_from,
                remote: p.remote,
                complexity: p.complexity(),
                state: p.state().as_str().into(),
            },
            cx.who(),
        )
        .await?;
        // the audit entry names no petitioner: the log is read more widely
        audit::write(
            &mut tx,
            Change {
                actor: cx.who(),
                action: "record_petition",
                entity: "petition",
                entity_id: &id.to_string(),
                new_value: Some(format!("{} {}", p.kind.as_str(), format_date(p.received))),
                ..Default::default()
            },
        )
        .await?;
        let duplicates = candidates_for(
            &mut tx,
            unit.id,
            id,
            &petitioners,
            &format!("{summary} {content}"),
        )
        .await?;
        Ok(Recorded { id, duplicates })
    }
    .await;
    tx.finish(r).await
}

async fn load_one(c: &mut Conn, id: i64) -> CoreResult<(StoredPetition, Vec<StoredStep>)> {
    let p = registers_repo::petition(c, id)
        .await?
        .ok_or_else(|| CoreError::not_found(format!("đơn #{id}")))?;
    let steps = registers_repo::steps(c, &[id]).await?;
    Ok((p, steps))
}

/// Records a processing step; refused (nothing written) when the sequence, the
/// date or the text is impossible.
pub async fn add_step(cx: &Ctx, petition_id: i64, input: &StepInput) -> CoreResult<PetitionView> {
    let today = cx.app().today();
    let rules = petition_rules()?;
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let (sp, steps) = load_one(&mut tx, petition_id).await?;
        require_record(cx, &mut tx, sp.unit_id).await?;
        let mut p = rebuild(&sp, &steps, &rules)?;
        if let Some(c) = input.complexity {
            p.set_complexity(c, &rules)?;
        }
        let step = Step {
            date: input.date,
            kind: input.kind.clone(),
        };
        let mut step = step;
        let state = p.apply_with(step.clone(), today, Some(&rules))?;
        let note = text("ghi chú", &input.note, false, 2000)?;
        let target = match input.to_unit.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(forward_target(&mut tx, &sp, &step, code).await?),
        };
        if let (Some(t), StepKind::Forwarded { to }) = (&target, &mut step.kind)
            && to.trim() == t.code
        {
            // only the code was typed where the receiving body goes: name it
            *to = format!("{} ({})", t.name, t.code);
        }
        let seq = steps.last().map_or(1, |s| s.seq + 1);
        registers_repo::insert_step(&mut tx, petition_id, seq, &step, &note, cx.who()).await?;
        if let Some(t) = &target {
            forward_into(cx, &mut tx, &sp, t, step.date).await?;
        }
        registers_repo::set_petition_state(&mut tx, petition_id, state.as_str(), p.complexity())
            .await?;
        audit::write(
            &mut tx,
            Change {
                actor: cx.who(),
                action: "petition_step",
                entity: "petition",
                entity_id: &petition_id.to_string(),
                field: Some(step.kind.code()),
                old_value: Some(sp.state.clone()),
                new_value: Some(format!("{} {}", state.as_str(), format_date(step.date))),
            },
        )
        .await?;
        Ok(())
    }
    .await;
    tx.finish(r).await?;
    get(cx, petition_id).await
}

/// The unit a petition is forwarded to inside qcdc: it exists, is not the
/// sender, and was in operation on the day of the forwarding.
async fn forward_target(
    c: &mut Conn,
    sp: &StoredPetition,
    step: &Step,
    code: &str,
) -> CoreResult<units_repo::Unit> {
    if !matches!(step.kind, StepKind::Forwarded { .. }) {
        return Err(CoreError::invalid(
            "Chỉ khi chuyển đơn mới ghi mã đơn vị nhận",
        ));
    }
    let unit = units_repo::by_code(c, code).await.map_err(|e| {
        if e.code == ErrorCode::UnknownUnit {
            CoreError::new(ErrorCode::UnknownUnit, format!(
                "Không có đơn vị mã «{code}» trong hệ thống: nếu cơ quan nhận đơn không dùng hệ thống, \
                 chỉ ghi tên cơ quan ở ô «Nơi nhận» và bỏ trống mã đơn vị"
            ))
        } else {
            e
        }
    })?;
    if unit.id == sp.unit_id {
        return Err(CoreError::invalid("Không chuyển đơn cho chính đơn vị mình"));
    }
    super::require_active(&unit, step.date)?;
    Ok(unit)
}

/// Writes the forwarded petition into the receiving unit's register: the same
/// petitioners, kind and content, received on the day it was forwarded, from
/// the sending unit, linked to the petition it came from.
async fn forward_into(
    cx: &Ctx,
    c: &mut Conn,
    sp: &StoredPetition,
    target: &units_repo::Unit,
    on: NaiveDate,
) -> CoreResult<i64> {
    let from = units_repo::by_id(c, sp.unit_id).await?;
    let p = Petition::new(
        sp.kind,
        Channel::Forwarded,
        on,
        sp.remote,
        Complexity::Normal,
        cx.app().today(),
    )?;
    let id = registers_repo::insert_petition(
        c,
        &NewPetition {
            unit_id: target.id,
            kind: p.kind,
            channel: p.channel,
            received_on: p.received,
            petitioners: sp.petitioners.clone(),
            petitioners_folded: fold_names(&sp.petitioners),
            summary: sp.summary.clone(),
            content: sp.content.clone(),
            forwarded_from: format!("{} ({})", from.name, from.code),
            remote: p.remote,
            complexity: p.complexity(),
            state: p.state().as_str().into(),
        },
        cx.who(),
    )
    .await?;
    registers_repo::set_origin(c, id, sp.id).await?;
    audit::write(
        c,
        Change {
            actor: cx.who(),
            action: "forward_petition",
            entity: "petition",
            entity_id: &id.to_string(),
            old_value: Some(format!("#{} {}", sp.id, from.code)),
            new_value: Some(format!("{} {}", target.code, format_date(on))),
            ..Default::default()
        },
    )
    .await?;
    Ok(id)
}

/// A petition at the other end of a forwarding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PetitionLink {
    pub petition_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// Whether the actor may open it.
    pub visible: bool,
    /// The origin's steps (its history before it was forwarded), as the actor
    /// sees this petition; empty for the petitions it was forwarded to.
    pub steps: Vec<StepView>,
}

/// Where a petition came from and where it went inside qcdc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forwarding {
    pub origin: Option<PetitionLink>,
    pub forwarded_to: Vec<PetitionLink>,
}

/// The forwarding links of a petition, for anyone who sees it: the receiving
/// unit sees the history the sender recorded, the sender sees where it went.
pub async fn forwarding(cx: &Ctx, petition_id: i64) -> CoreResult<Forwarding> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (sp, _) = load_one(&mut tx, petition_id).await?;
        let sight = sight_of(cx, &mut tx, sp.unit_id).await?;
        if sight == RegisterSight::None {
            return Err(forbidden());
        }
        let details = sight >= RegisterSight::Names;
        let link = async |c: &mut Conn, id: i64, unit_id: i64, history: bool| {
            let u = units_repo::by_id(c, unit_id).await?;
            let visible = sight_of(cx, c, unit_id).await? != RegisterSight::None;
            let steps = if history {
                registers_repo::steps(c, &[id])
                    .await?
                    .iter()
                    .map(|s| StepView {
                        date: format_date(s.step.date),
                        label: s.step.kind.label_vi(),
                        detail: match (&s.step.kind, details) {
                            (_, false) => String::new(),
                            (StepKind::Concluded { result }, _) => result.label_vi().to_string(),
                            (k, _) => k.text().unwrap_or_default().to_string(),
                        },
                        note: String::new(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            CoreResult::Ok(PetitionLink {
                petition_id: id,
                unit_code: u.code,
                unit_name: u.name,
                visible,
                steps,
            })
        };
        let origin = match registers_repo::origin_of(&mut tx, petition_id).await? {
            Some((id, unit)) => Some(link(&mut tx, id, unit, true).await?),
            None => None,
        };
        let mut forwarded_to = Vec::new();
        for (id, unit) in registers_repo::forwarded_copies(&mut tx, petition_id).await? {
            forwarded_to.push(link(&mut tx, id, unit, false).await?);
        }
        Ok(Forwarding {
            origin,
            forwarded_to,
        })
    }
    .await;
    tx.finish(r).await
}

/// One petition with its steps and deadline, as the actor may see it.
pub async fn get(cx: &Ctx, petition_id: i64) -> CoreResult<PetitionView> {
    let today = cx.app().today();
    let rules = petition_rules()?;
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (sp, steps) = load_one(&mut tx, petition_id).await?;
        let sight = sight_of(cx, &mut tx, sp.unit_id).await?;
        if sight == RegisterSight::None {
            return Err(forbidden());
        }
        let code = units_repo::by_id(&mut tx, sp.unit_id).await?.code;
        let cal = load_calendar(&mut tx).await?;
        show(sp, &steps, code, sight, &rules, &cal, today)
    }
    .await;
    let shown = tx.finish(r).await?;
    let shown = [shown];
    audit_identity_views(cx, &shown).await?;
    let [s] = shown;
    Ok(s.view)
}

/// The petitions of a unit (or of its subtree: an office's deadline view), each
/// shown as its own unit allows, most urgent first.
pub async fn list(cx: &Ctx, unit_code: &str, f: &ListFilter) -> CoreResult<PetitionList> {
    let (shown, totals) = collect_shown(cx, unit_code, f).await?;
    audit_identity_views(cx, &shown).await?;
    Ok(PetitionList {
        items: shown.into_iter().map(|s| s.view).collect(),
        on_track: totals.on_track,
        due_soon: totals.due_soon,
        overdue: totals.overdue,
        cases: totals.cases,
    })
}

/// One page of the list, most urgent first, with the totals of the whole list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PetitionPage {
    pub items: Page<PetitionView>,
    pub on_track: usize,
    pub due_soon: usize,
    pub overdue: usize,
    pub cases: usize,
}

/// One page of the petitions of a unit (or of its subtree). The order (most
/// urgent first) and the totals by deadline come from every petition's running
/// deadline, so the whole list is computed and the page cut from it; only the
/// identities shown on the page are written to the audit log.
pub async fn page(
    cx: &Ctx,
    unit_code: &str,
    f: &ListFilter,
    page: PageReq,
) -> CoreResult<PetitionPage> {
    let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let size = usize::try_from(page.size()).unwrap_or(usize::MAX);
    let (on_page, total, totals) = if f.query.trim().is_empty() {
        ranked_window(cx, unit_code, f, offset, size).await?
    } else {
        // a search reads names and summaries: the full rows
        let (shown, totals) = collect_shown(cx, unit_code, f).await?;
        let total = shown.len();
        let on_page: Vec<Shown> = shown.into_iter().skip(offset).take(size).collect();
        (on_page, total, totals)
    };
    let total = i64::try_from(total).unwrap_or(i64::MAX);
    audit_identity_views(cx, &on_page).await?;
    Ok(PetitionPage {
        items: Page::new(on_page.into_iter().map(|s| s.view).collect(), total, page),
        on_track: totals.on_track,
        due_soon: totals.due_soon,
        overdue: totals.overdue,
        cases: totals.cases,
    })
}

/// One petition as ranked for the list: its order and what the totals count.
struct Ranked {
    rank: u8,
    days_left: i64,
    id: i64,
    case_id: Option<i64>,
    status: Option<DeadlineStatus>,
}

/// The page `[offset, offset + size)` of the list without a search, read the
/// cheap way: every petition of the units as counted (no names, no texts) to
/// rank it by its running deadline and count the totals, then the full rows of
/// the petitions on the page only. Same order, totals and views as
/// [`collect_shown`] (a test holds it); a subtree of thousands of units reads
/// every unit's petitions and keeps those of the subtree.
async fn ranked_window(
    cx: &Ctx,
    unit_code: &str,
    f: &ListFilter,
    offset: usize,
    size: usize,
) -> CoreResult<(Vec<Shown>, usize, Totals)> {
    let today = cx.app().today();
    let rules = petition_rules()?;
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        let ids = units_of(&mut tx, &unit, f.subtree).await?;
        let far = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
        let many = ids.len() > 2000;
        let facts = registers_facts::petitions(
            &mut tx,
            if many { Units::All } else { Units::Some(&ids) },
            far,
        )
        .await?;
        let keep: std::collections::HashSet<i64> = if many {
            ids.iter().copied().collect()
        } else {
            Default::default()
        };
        let cal = load_calendar(&mut tx).await?;
        let mut sights: BTreeMap<i64, RegisterSight> = BTreeMap::new();
        let mut ranked = Vec::new();
        for fp in facts {
            if (many && !keep.contains(&fp.unit_id)) || f.kind.is_some_and(|k| k != fp.kind) {
                continue;
            }
            let sight = match sights.get(&fp.unit_id) {
                Some(s) => *s,
                None => {
                    let s = sight_of(cx, &mut tx, fp.unit_id).await?;
                    sights.insert(fp.unit_id, s);
                    s
                }
            };
            if sight == RegisterSight::None {
                continue;
            }
            let (id, case_id) = (fp.id, fp.case_id);
            let mut p = Petition::new(
                fp.kind,
                fp.channel,
                fp.received_on,
                fp.remote,
                fp.complexity,
                NaiveDate::MAX,
            )
            .map_err(|e| qcdc_store::rows::corrupt("petitions", "received_on", e.message))?;
            for st in fp.steps {
                p.apply_with(st, NaiveDate::MAX, Some(&rules))
                    .map_err(|e| {
                        qcdc_store::rows::corrupt(
                            "petition_steps",
                            "kind",
                            format!("đơn #{id}: {}", e.message),
                        )
                    })?;
            }
            if f.open_only && p.state().is_closed() {
                continue;
            }
            let d = badge(&p, &rules, &cal, today);
            let status = d.as_ref().map(|d| d.status);
            if f.status.is_some_and(|s| status != Some(s)) {
                continue;
            }
            ranked.push(Ranked {
                rank: match status {
                    Some(DeadlineStatus::Overdue) => 0,
                    Some(DeadlineStatus::DueSoon) => 1,
                    Some(DeadlineStatus::OnTrack) => 2,
                    _ => 3,
                },
                days_left: d.map_or(i64::MAX, |d| d.days_left),
                id,
                case_id,
                status,
            });
        }
        ranked.sort_by_key(|r| (r.rank, r.days_left, r.id));
        let count = |st: DeadlineStatus| ranked.iter().filter(|r| r.status == Some(st)).count();
        let totals = Totals {
            on_track: count(DeadlineStatus::OnTrack),
            due_soon: count(DeadlineStatus::DueSoon),
            overdue: count(DeadlineStatus::Overdue),
            cases: ranked
                .iter()
                .map(|r| r.case_id.map_or((1, r.id), |c| (0, c)))
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
        };
        let mut shown = Vec::new();
        for r in ranked.iter().skip(offset).take(size) {
            let (sp, steps) = load_one(&mut tx, r.id).await?;
            let sight = sights
                .get(&sp.unit_id)
                .copied()
                .unwrap_or(RegisterSight::None);
            let code = units_repo::by_id(&mut tx, sp.unit_id).await?.code;
            shown.push(show(sp, &steps, code, sight, &rules, &cal, today)?);
        }
        Ok((shown, ranked.len(), totals))
    }
    .await;
    tx.finish(r).await
}

struct Totals {
    on_track: usize,
    due_soon: usize,
    overdue: usize,
    cases: usize,
}

/// Every petition the filter keeps, shown as the actor may see it and sorted
/// most urgent first, with the totals; nothing is written to the audit log yet.
async fn collect_shown(
    cx: &Ctx,
    unit_code: &str,
    f: &ListFilter,
) -> CoreResult<(Vec<Shown>, Totals)> {
    let today = cx.app().today();
    let rules = petition_rules()?;
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        let folded = duplicates::fold_name(&text("từ khóa tìm", &f.query, false, 200)?);
        let ids = units_of(&mut tx, &unit, f.subtree).await?;
        let rows = registers_repo::petitions(&mut tx, &ids, None).await?;
        let pids: Vec<i64> = rows.iter().map(|p| p.id).collect();
        let mut steps: BTreeMap<i64, Vec<StoredStep>> = BTreeMap::new();
        for s in registers_repo::steps(&mut tx, &pids).await? {
            steps.entry(s.petition_id).or_default().push(s);
        }
        let cal = load_calendar(&mut tx).await?;
        let mut sights: BTreeMap<i64, (RegisterSight, String)> = BTreeMap::new();
        let mut out = Vec::new();
        for sp in rows {
            if f.kind.is_some_and(|k| k != sp.kind) {
                continue;
            }
            let (sight, code) = match sights.get(&sp.unit_id) {
                Some(known) => known.clone(),
                None => {
                    let s = sight_of(cx, &mut tx, sp.unit_id).await?;
                    let code = units_repo::by_id(&mut tx, sp.unit_id).await?.code;
                    sights.insert(sp.unit_id, (s, code.clone()));
                    (s, code)
                }
            };
            if sight == RegisterSight::None {
                continue;
            }
            if !folded.is_empty() && !matches_query(&sp, sight, &folded) {
                continue;
            }
            let st = steps.remove(&sp.id).unwrap_or_default();
            let shown = show(sp, &st, code, sight, &rules, &cal, today)?;
            if f.open_only && shown.view.state.is_closed() {
                continue;
            }
            if f.status
                .is_some_and(|s| shown.view.deadline.as_ref().map(|d| d.status) != Some(s))
            {
                continue;
            }
            out.push(shown);
        }
        Ok(out)
    }
    .await;
    let mut shown = tx.finish(r).await?;
    shown.sort_by_key(|s| {
        let d = s.view.deadline.as_ref();
        let rank = match d.map(|d| d.status) {
            Some(DeadlineStatus::Overdue) => 0,
            Some(DeadlineStatus::DueSoon) => 1,
            Some(DeadlineStatus::OnTrack) => 2,
            _ => 3,
        };
        (rank, d.map_or(i64::MAX, |d| d.days_left), s.view.id)
    });
    let count = |st: DeadlineStatus| {
        shown
            .iter()
            .filter(|s| s.view.deadline.as_ref().map(|d| d.status) == Some(st))
            .count()
    };
    let totals = Totals {
        on_track: count(DeadlineStatus::OnTrack),
        due_soon: count(DeadlineStatus::DueSoon),
        overdue: count(DeadlineStatus::Overdue),
        cases: shown
            .iter()
            .map(|s| s.view.case_id.map_or((1, s.view.id), |c| (0, c)))
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
    };
    Ok((shown, totals))
}

/// Petitions of the units still running against a deadline: (due soon, overdue).
/// For the registers' hub; the caller has authorized.
pub(crate) async fn deadline_counts(
    c: &mut Conn,
    unit_ids: &[i64],
    today: NaiveDate,
) -> CoreResult<(usize, usize)> {
    let rules = petition_rules()?;
    let rows = registers_repo::petitions(c, unit_ids, None).await?;
    let pids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let mut steps: BTreeMap<i64, Vec<StoredStep>> = BTreeMap::new();
    for s in registers_repo::steps(c, &pids).await? {
        steps.entry(s.petition_id).or_default().push(s);
    }
    let cal = load_calendar(c).await?;
    let (mut soon, mut over) = (0, 0);
    for sp in rows {
        let st = steps.remove(&sp.id).unwrap_or_default();
        let p = rebuild(&sp, &st, &rules)?;
        match badge(&p, &rules, &cal, today).map(|b| b.status) {
            Some(DeadlineStatus::DueSoon) => soon += 1,
            Some(DeadlineStatus::Overdue) => over += 1,
            _ => {}
        }
    }
    Ok((soon, over))
}

/// A case (vụ việc) and its petitions, as the actor may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseView {
    pub id: i64,
    /// Empty when the actor sees counts only.
    pub title: String,
    pub petitions: Vec<CaseMember>,
}

/// A petition of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseMember {
    pub id: i64,
    pub received_on: String,
    pub kind_label: &'static str,
    pub state_label: &'static str,
}

fn state_label(stored: &str) -> &'static str {
    use PetitionState::*;
    [
        Received,
        Accepted,
        Refused,
        Forwarded,
        Resolved,
        SecondInstance,
        ResolvedSecond,
        Withdrawn,
    ]
    .into_iter()
    .find(|s| s.as_str() == stored)
    .map_or("", PetitionState::label_vi)
}

/// The case a petition belongs to, with all its petitions (None: not linked).
pub async fn case_of(cx: &Ctx, petition_id: i64) -> CoreResult<Option<CaseView>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let sp = registers_repo::petition(&mut tx, petition_id)
            .await?
            .ok_or_else(|| CoreError::not_found(format!("đơn #{petition_id}")))?;
        let sight = sight_of(cx, &mut tx, sp.unit_id).await?;
        if sight == RegisterSight::None {
            return Err(forbidden());
        }
        let Some(case_id) = sp.case_id else {
            return Ok(None);
        };
        let case = registers_repo::case(&mut tx, case_id)
            .await?
            .ok_or_else(|| qcdc_store::rows::corrupt("petitions", "case_id", case_id))?;
        let members = registers_repo::case_petitions(&mut tx, case_id).await?;
        Ok(Some(CaseView {
            id: case.id,
            title: if sight >= RegisterSight::Names {
                case.title
            } else {
                String::new()
            },
            petitions: members
                .into_iter()
                .map(|m| CaseMember {
                    id: m.id,
                    received_on: format_date(m.received_on),
                    kind_label: m.kind.label_vi(),
                    state_label: state_label(&m.state),
                })
                .collect(),
        }))
    }
    .await;
    tx.finish(r).await
}

/// The earlier petitions of the unit that may be the same matter as this one.
pub async fn duplicates(cx: &Ctx, petition_id: i64) -> CoreResult<Vec<Candidate>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (sp, _) = load_one(&mut tx, petition_id).await?;
        require_record(cx, &mut tx, sp.unit_id).await?;
        candidates_for(
            &mut tx,
            sp.unit_id,
            sp.id,
            &sp.petitioners,
            &format!("{} {}", sp.summary, sp.content),
        )
        .await
    }
    .await;
    tx.finish(r).await
}

/// Links petitions of one unit into one case (a new one, or the case one of them
/// already belongs to); returns the case id. Petitions of two different cases are
/// refused.
pub async fn link_case(cx: &Ctx, petition_ids: &[i64], title: &str) -> CoreResult<i64> {
    let mut ids = petition_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let petition_ids = ids.as_slice();
    if petition_ids.is_empty() {
        return Err(CoreError::invalid("Chưa chọn đơn"));
    }
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let mut unit = None;
        let mut cases = std::collections::BTreeSet::new();
        // every petition is authorized first, so that a refused actor is told so
        // whatever it chose
        for &id in petition_ids {
            let p = registers_repo::petition(&mut tx, id)
                .await?
                .ok_or_else(|| CoreError::not_found(format!("đơn #{id}")))?;
            require_record(cx, &mut tx, p.unit_id).await?;
            if unit.is_some_and(|u| u != p.unit_id) {
                return Err(CoreError::invalid(
                    "Chỉ gộp các đơn của cùng một đơn vị thành một vụ việc",
                ));
            }
            unit = Some(p.unit_id);
            cases.extend(p.case_id);
        }
        let unit = unit.ok_or_else(|| CoreError::invalid("Chưa chọn đơn"))?;
        if petition_ids.len() < 2 {
            return Err(CoreError::invalid(
                "Chọn ít nhất hai đơn để gộp thành một vụ việc",
            ));
        }
        let case_id = match cases.len() {
            0 => {
                let title = text("tên vụ việc", title, true, 300)?;
                registers_repo::insert_case(&mut tx, unit, &title, cx.who()).await?
            }
            1 => cases.into_iter().next().unwrap_or_default(),
            _ => {
                return Err(CoreError::new(
                    ErrorCode::Conflict,
                    "Các đơn đã chọn thuộc những vụ việc khác nhau; không gộp hai vụ việc",
                ));
            }
        };
        registers_repo::set_case(&mut tx, petition_ids, case_id).await?;
        audit::write(
            &mut tx,
            Change {
                actor: cx.who(),
                action: "link_case",
                entity: "case",
                entity_id: &case_id.to_string(),
                new_value: Some(
                    petition_ids
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                ..Default::default()
            },
        )
        .await?;
        Ok(case_id)
    }
    .await;
    tx.finish(r).await
}

/// Who has seen the identity of this denouncer, and when (for those who process
/// the petition).
pub async fn identity_views(
    cx: &Ctx,
    petition_id: i64,
) -> CoreResult<Vec<qcdc_store::audit::AuditEntry>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (sp, _) = load_one(&mut tx, petition_id).await?;
        require_record(cx, &mut tx, sp.unit_id).await?;
        Ok(audit::all(&mut tx, "petition", &petition_id.to_string())
            .await?
            .into_iter()
            .filter(|e| e.action == "view_protected_identity")
            .collect())
    }
    .await;
    tx.finish(r).await
}

/// Whether the actor records in the unit's registers (pages show the entry form
/// only then); refused when the actor does not see the unit at all.
pub async fn can_record(cx: &Ctx, unit_code: &str) -> CoreResult<bool> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        Ok(require_record(cx, &mut tx, unit.id).await.is_ok())
    }
    .await;
    tx.finish(r).await
}
