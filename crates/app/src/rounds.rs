//! Round use cases: create (the issuing office), view, list what the actor sees,
//! close and reopen, the status page over a subtree (counts from the running
//! status counts, recipients one page at a time), and a unit's to-do list.

use std::collections::HashMap;

use chrono::NaiveDate;
use qcdc_core::access::{Permission, Role};
use qcdc_core::period::{Period, format_date};
use qcdc_core::round::{self, Candidate, RoundState, StatusCounts};
use qcdc_core::unit::UnitKind;
use qcdc_core::workflow::Status;
use qcdc_core::{CoreError, CoreResult, ErrorCode, text};
use qcdc_store::Conn as AnyConnection;
use qcdc_store::rounds_repo::{self, NewRoundRow, RecipientFilter, Round, RoundScope};
use qcdc_store::units_repo::{self, UnitFilter, UnitScope};
use qcdc_store::{audit, rollup, submissions_repo, templates_repo};
use serde::{Deserialize, Serialize};

use crate::ctx::{Ctx, forbidden};
use crate::views::{
    ChildCounts, Page, PageReq, RecipientLine, RoundStatusView, RoundSummary, RoundView,
};

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
    /// The office has seen and accepts the cut-off warnings and an existing round
    /// of the same request (issuer, template, period); without it, either refuses
    /// the creation with `needs_confirmation`.
    #[serde(default)]
    pub confirm: bool,
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

pub(crate) async fn load(c: &mut AnyConnection, id: i64) -> CoreResult<Round> {
    rounds_repo::get(c, id)
        .await?
        .ok_or_else(|| CoreError::not_found(format!("đợt báo cáo #{id}")))
}

/// May the actor see this round: it sees the issuer, or a recipient of it lies in
/// what the actor sees.
pub(crate) async fn require_visible(cx: &Ctx, c: &mut AnyConnection, r: &Round) -> CoreResult<()> {
    if cx.may(c, Permission::View, r.issuer_id).await? {
        return Ok(());
    }
    if rounds_repo::is_visible(c, &scope_of(cx), r.id).await? {
        Ok(())
    } else {
        Err(forbidden())
    }
}

fn scope_of(cx: &Ctx) -> RoundScope {
    let a = cx.actor();
    RoundScope {
        everything: a.is_system(),
        within: a.units_with(&[Role::Admin, Role::Office, Role::Viewer]),
        recipient_units: a.units_with(&[Role::Reporter]),
    }
}

/// Creates a round and one report slot per recipient, in one transaction.
pub async fn create(cx: &Ctx, new: &NewRound, today: NaiveDate) -> CoreResult<RoundView> {
    let title = text::nfc(new.title.trim());
    text::check_line("Tên đợt báo cáo", &title, text::MAX_LINE_CHARS)?;
    if title.is_empty() {
        return Err(CoreError::invalid("Thiếu tên đợt báo cáo"));
    }
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let issuer = units_repo::by_code(&mut tx, &new.issuer).await?;
        cx.require(&mut tx, Permission::Manage, issuer.id).await?;
        let trow = match new.template_version {
            Some(v) => templates_repo::by_code_version(&mut tx, &new.template, v).await?,
            None => templates_repo::latest(&mut tx, &new.template).await?,
        }
        .ok_or_else(|| CoreError::not_found(format!("mẫu báo cáo «{}»", new.template)))?;
        let template = cx.app().template(&mut tx, trow.id).await?;
        if !template.fits_period(new.period.family()) {
            return Err(CoreError::new(
                ErrorCode::InvalidPeriod,
                format!("Mẫu «{}» không dùng cho kỳ {}", template.def.name, new.period.label_vi()),
            ));
        }
        if new.deadline < today {
            return Err(CoreError::new(
                ErrorCode::DeadlineInPast,
                format!("Hạn nộp {} đã qua", format_date(new.deadline)),
            ));
        }
        round::check_deadline_range(new.deadline, new.period)?;
        let (_, cut_to) = new.period.cutoff();
        let mut warnings = Vec::new();
        if new.deadline < new.period.earliest_deadline() {
            warnings.push(format!(
                "Hạn nộp {} sớm hơn ngày làm việc đầu tiên sau ngày chốt số liệu {} (Nghị định 09/2019/NĐ-CP)",
                format_date(new.deadline),
                format_date(cut_to)
            ));
        }
        let same = rounds_repo::same_request(&mut tx, issuer.id, &new.template, new.period).await?;
        if !same.is_empty() {
            warnings.push(format!(
                "Đơn vị đã có yêu cầu cùng mẫu và cùng kỳ {}: {}",
                new.period.label_vi(),
                same.iter()
                    .map(|r| format!("«{}» (#{}, hạn {})", r.title, r.id, format_date(r.deadline)))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        let recipients = resolve_recipients(&mut tx, issuer.id, &new.recipients, cut_to).await?;
        if !warnings.is_empty() && !new.confirm {
            return Err(CoreError::new(
                ErrorCode::NeedsConfirmation,
                format!("Cần xác nhận trước khi tạo đợt: {}", warnings.join(" · ")),
            )
            .with_details(serde_json::json!({ "warnings": warnings, "recipients": recipients.len() })));
        }
        let id = rounds_repo::insert(
            &mut tx,
            &NewRoundRow {
                title: &title,
                template_id: trow.id,
                period: new.period,
                issuer_id: issuer.id,
                deadline: new.deadline,
                letter: &text::nfc(&new.letter),
                created_by: cx.who(),
            },
        )
        .await?;
        rounds_repo::insert_recipients(&mut tx, id, &recipients, cx.who()).await?;
        rollup::add_recipients(&mut tx, id).await?;
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "round_create",
                entity: "round",
                entity_id: &id.to_string(),
                new_value: Some(serde_json::to_string(new).unwrap_or_default()),
                ..Default::default()
            },
        )
        .await?;
        let mut view = RoundView::from(load(&mut tx, id).await?);
        view.warnings = warnings;
        Ok(view)
    }
    .await;
    tx.finish(r).await
}

async fn resolve_recipients(
    c: &mut AnyConnection,
    issuer_id: i64,
    sel: &RecipientSelector,
    on: NaiveDate,
) -> CoreResult<Vec<i64>> {
    let below = units_repo::all(
        c,
        &UnitFilter {
            scope: Some(UnitScope {
                subtrees: vec![issuer_id],
                exact: vec![],
            }),
            under: Some(issuer_id),
            ..Default::default()
        },
    )
    .await?;
    let parent: HashMap<i64, Option<i64>> = below.iter().map(|u| (u.id, u.parent_id)).collect();
    let depth_of = |id: i64| {
        let mut d = 0;
        let mut cur = Some(id);
        while let Some(x) = cur {
            if x == issuer_id {
                break;
            }
            d += 1;
            cur = parent.get(&x).copied().flatten();
        }
        d
    };
    let mut chosen: Vec<i64> = Vec::new();
    let mut problems = Vec::new();
    if !sel.kinds.is_empty() || sel.units.is_empty() {
        for u in &below {
            if u.active_on(on)
                && (sel.kinds.is_empty() || sel.kinds.contains(&u.kind))
                && sel.max_depth.is_none_or(|m| depth_of(u.id) <= m)
            {
                chosen.push(u.id);
            }
        }
    }
    for code in &sel.units {
        match below.iter().find(|u| &u.code == code) {
            Some(u) if !u.active_on(on) => problems.push(format!(
                "«{}» không còn hoạt động vào ngày chốt số liệu {}",
                u.name,
                format_date(on)
            )),
            Some(u) => chosen.push(u.id),
            None => match units_repo::by_code(c, code).await {
                Ok(u) => problems.push(format!(
                    "«{}» không thuộc phạm vi của đơn vị ra yêu cầu",
                    u.name
                )),
                Err(_) => problems.push(format!("không có đơn vị mã «{code}»")),
            },
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
    let ancestors: Vec<Vec<i64>> = chosen
        .iter()
        .map(|&id| {
            let mut v = Vec::new();
            let mut cur = parent.get(&id).copied().flatten();
            while let Some(p) = cur {
                if p == issuer_id {
                    break;
                }
                v.push(p);
                cur = parent.get(&p).copied().flatten();
            }
            v
        })
        .collect();
    let cands: Vec<Candidate<'_>> = chosen
        .iter()
        .zip(&ancestors)
        .map(|(&id, a)| Candidate { id, ancestors: a })
        .collect();
    let nested = round::nested_recipients(&cands);
    if !nested.is_empty() {
        let name = |id: i64| {
            below
                .iter()
                .find(|u| u.id == id)
                .map(|u| u.name.clone())
                .unwrap_or_default()
        };
        let list: Vec<String> = nested
            .iter()
            .take(5)
            .map(|(a, b)| format!("«{}» thuộc «{}»", name(*a), name(*b)))
            .collect();
        return Err(CoreError::new(
            ErrorCode::InvalidRecipients,
            format!(
                "Không gửi cùng lúc cho đơn vị cấp trên và đơn vị trực thuộc của nó (số liệu sẽ bị cộng trùng): {}",
                list.join("; ")
            ),
        ));
    }
    Ok(chosen)
}

/// A round, for the actor who sees it.
pub async fn get(cx: &Ctx, id: i64) -> CoreResult<RoundView> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load(&mut tx, id).await?;
        require_visible(cx, &mut tx, &round).await?;
        Ok(RoundView::from(round))
    }
    .await;
    tx.finish(r).await
}

/// The rounds the actor sees, newest first, with the counts over what it sees.
pub async fn list(
    cx: &Ctx,
    open_only: bool,
    page: PageReq,
    today: NaiveDate,
) -> CoreResult<Page<RoundSummary>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let scope = scope_of(cx);
        let (rounds, total) =
            rounds_repo::list(&mut tx, &scope, open_only, page.offset(), page.size()).await?;
        let mut items = Vec::with_capacity(rounds.len());
        for round in rounds {
            let at: Vec<i64> = if cx.may(&mut tx, Permission::View, round.issuer_id).await? {
                vec![round.issuer_id]
            } else {
                cx.actor().grants.iter().map(|g| g.unit_id).collect()
            };
            let counts_map =
                rollup::counts_on(&mut tx, round.id, &at, round.deadline, today).await?;
            let mut counts = StatusCounts::default();
            for c in counts_map.values() {
                counts.merge(c);
            }
            counts.finish();
            items.push(RoundSummary {
                round: RoundView::from(round),
                counts,
            });
        }
        Ok(Page::new(items, total, page))
    }
    .await;
    tx.finish(r).await
}

/// Opens or closes a round (the issuing office); a closed round takes no more
/// drafts, submissions, returns or acceptances.
pub async fn set_state(cx: &Ctx, id: i64, state: RoundState) -> CoreResult<RoundView> {
    set_state_with(cx, id, state, "").await
}

/// [`set_state`] with the reason written into the round's history.
pub async fn set_state_with(
    cx: &Ctx,
    id: i64,
    state: RoundState,
    reason: &str,
) -> CoreResult<RoundView> {
    let reason = text::nfc(reason.trim());
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let round = load(&mut tx, id).await?;
        cx.require(&mut tx, Permission::Manage, round.issuer_id)
            .await?;
        if round.state == state {
            return Err(CoreError::new(
                ErrorCode::InvalidTransition,
                if state == RoundState::Open {
                    "Đợt báo cáo đang mở"
                } else {
                    "Đợt báo cáo đã kết thúc"
                },
            ));
        }
        rounds_repo::set_state(&mut tx, id, state).await?;
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "round_status",
                entity: "round",
                entity_id: &id.to_string(),
                field: Some("status"),
                old_value: Some(round.state.as_str().into()),
                new_value: Some(if reason.is_empty() {
                    state.as_str().into()
                } else {
                    format!("{}: {reason}", state.as_str())
                }),
            },
        )
        .await?;
        Ok(RoundView::from(load(&mut tx, id).await?))
    }
    .await;
    tx.finish(r).await
}

/// The status of a round over one unit's subtree (the issuer when None).
pub async fn status(
    cx: &Ctx,
    id: i64,
    unit: Option<&str>,
    filter: &RecipientFilter,
    page: PageReq,
    today: NaiveDate,
) -> CoreResult<RoundStatusView> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load(&mut tx, id).await?;
        let root = match unit {
            Some(code) => units_repo::by_code(&mut tx, code).await?,
            None => units_repo::by_id(&mut tx, round.issuer_id).await?,
        };
        cx.require(&mut tx, Permission::View, root.id).await?;
        let deadline = round.deadline;
        let counts = rollup::counts_on(&mut tx, id, &[root.id], round.deadline, today)
            .await?
            .remove(&root.id)
            .unwrap_or_default();
        let kids = units_repo::children(&mut tx, root.id).await?;
        let ids: Vec<i64> = kids.iter().map(|k| k.id).collect();
        let mut per_child = rollup::counts_on(&mut tx, id, &ids, round.deadline, today).await?;
        let children = kids
            .into_iter()
            .filter_map(|k| {
                per_child
                    .remove(&k.id)
                    .filter(|c| c.recipients > 0)
                    .map(|counts| ChildCounts {
                        unit_code: k.code,
                        unit_name: k.name,
                        counts,
                    })
            })
            .collect();
        // the whole round when the scope is the issuer (every recipient lies below
        // it), and the total from the running counts when no text filter applies
        let under = (root.id != round.issuer_id).then_some(root.id);
        let known_total = if filter.q.is_none() && filter.kind.is_none() {
            match (filter.status, filter.missing_only) {
                (None, false) => Some(counts.recipients),
                (None, true) => Some(counts.missing()),
                (Some(st), false) => Some(match st {
                    Status::NotStarted => counts.not_started,
                    Status::Draft => counts.draft,
                    Status::Submitted => counts.submitted,
                    Status::Returned => counts.returned,
                    Status::Accepted => counts.accepted,
                }),
                (Some(_), true) => None,
            }
        } else {
            None
        };
        let (lines, total) = rounds_repo::recipients(
            &mut tx,
            id,
            under,
            filter,
            page.offset(),
            page.size(),
            known_total,
        )
        .await?;
        let recipients = Page::new(lines, total, page)
            .map(|r| RecipientLine::from_recipient(r, deadline, today));
        let can_manage = cx.may(&mut tx, Permission::Manage, round.issuer_id).await?;
        Ok(RoundStatusView {
            round: RoundView::from(round),
            unit_code: root.code,
            unit_name: root.name,
            counts,
            children,
            recipients,
            can_manage,
        })
    }
    .await;
    tx.finish(r).await
}

/// One line of a unit's to-do list.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TodoLine {
    pub round: RoundView,
    pub unit_code: String,
    pub unit_name: String,
    pub status: Status,
    pub status_label: &'static str,
    /// The deadline that binds this unit (its own when extended), dd/mm/yyyy.
    pub deadline_display: String,
    pub days_left: i64,
}

/// The open rounds addressed to the units the actor reports for, nearest deadline first.
pub async fn todo(cx: &Ctx, today: NaiveDate) -> CoreResult<Vec<TodoLine>> {
    let units = cx
        .actor()
        .units_with(&[Role::Reporter, Role::Office, Role::Admin]);
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let mut out = Vec::new();
        for (round, unit_id) in rounds_repo::addressed_to(&mut tx, &units, true).await? {
            if !cx.may(&mut tx, Permission::Report, unit_id).await? {
                continue;
            }
            let Some(s) = submissions_repo::get(&mut tx, round.id, unit_id).await? else {
                continue;
            };
            let due = round::effective_deadline(round.deadline, s.deadline);
            out.push(TodoLine {
                days_left: round::days_left(due, today),
                deadline_display: format_date(due),
                unit_code: s.unit_code,
                unit_name: s.unit_name,
                status: s.status,
                status_label: s.status.label_vi(),
                round: RoundView::from(round),
            });
        }
        Ok(out)
    }
    .await;
    tx.finish(r).await
}

/// Moves the deadline of the whole round (the issuing office), with the reason in
/// the round's history. The new deadline may not be in the past.
pub async fn extend_deadline(
    cx: &Ctx,
    id: i64,
    deadline: NaiveDate,
    reason: &str,
    today: NaiveDate,
) -> CoreResult<RoundView> {
    let reason = text::nfc(reason.trim());
    if reason.is_empty() {
        return Err(CoreError::invalid("Cần ghi lý do gia hạn"));
    }
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let round = load(&mut tx, id).await?;
        cx.require(&mut tx, Permission::Manage, round.issuer_id)
            .await?;
        round.state.require_open(&round.title)?;
        if deadline < today {
            return Err(CoreError::new(
                ErrorCode::DeadlineInPast,
                format!("Hạn nộp mới {} đã qua", format_date(deadline)),
            ));
        }
        round::check_deadline_range(deadline, round.period)?;
        if deadline == round.deadline {
            return Err(CoreError::invalid("Hạn nộp mới trùng hạn hiện tại"));
        }
        rounds_repo::set_deadline(&mut tx, id, deadline).await?;
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "round_deadline",
                entity: "round",
                entity_id: &id.to_string(),
                field: Some("deadline"),
                old_value: Some(format_date(round.deadline)),
                new_value: Some(format!("{}: {reason}", format_date(deadline))),
            },
        )
        .await?;
        Ok(RoundView::from(load(&mut tx, id).await?))
    }
    .await;
    tx.finish(r).await
}

/// Gives one recipient more time (the issuing office, round open): the unit's own
/// deadline, later than the round's, with the reason in the round's history and
/// an in-app notice to the unit's reporters. Its timeliness, the overdue counts
/// and its reminders follow the new date.
pub async fn extend_unit_deadline(
    cx: &Ctx,
    id: i64,
    unit_code: &str,
    deadline: NaiveDate,
    reason: &str,
    today: NaiveDate,
) -> CoreResult<RoundView> {
    let reason = text::nfc(reason.trim());
    if reason.is_empty() {
        return Err(CoreError::invalid("Cần ghi lý do gia hạn"));
    }
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let round = load(&mut tx, id).await?;
        cx.require(&mut tx, Permission::Manage, round.issuer_id)
            .await?;
        round.state.require_open(&round.title)?;
        let unit = units_repo::by_code(&mut tx, unit_code).await?;
        let Some(s) = submissions_repo::get(&mut tx, id, unit.id).await? else {
            return Err(CoreError::new(
                ErrorCode::NotFound,
                format!("Đơn vị «{}» không thuộc đợt báo cáo này", unit.name),
            ));
        };
        if s.status.is_in() {
            return Err(CoreError::new(
                ErrorCode::InvalidTransition,
                format!("{} đã gửi báo cáo; không cần gia hạn", unit.name),
            ));
        }
        round::check_unit_extension(round.deadline, s.deadline, deadline, today)?;
        round::check_deadline_range(deadline, round.period)?;
        let before = round::effective_deadline(round.deadline, s.deadline);
        submissions_repo::set_deadline(&mut tx, s.id, Some(deadline)).await?;
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "unit_deadline",
                entity: "round",
                entity_id: &id.to_string(),
                field: Some(&unit.code),
                old_value: Some(format_date(before)),
                new_value: Some(format!(
                    "{}: {} — {reason}",
                    unit.name,
                    format_date(deadline)
                )),
            },
        )
        .await?;
        let title = format!(
            "Được gia hạn nộp báo cáo «{}» đến {}",
            round.title,
            format_date(deadline)
        );
        let body = format!(
            "{} gia hạn cho {} nộp báo cáo «{}» ({}) đến hết ngày {}. Lý do: {reason}",
            round.issuer_name,
            unit.name,
            round.title,
            round.period.label_vi(),
            format_date(deadline)
        );
        let link = format!("/dot/{id}/bao-cao/{}", unit.code);
        for u in qcdc_store::users_repo::contacts_of_unit(
            &mut tx,
            unit.id,
            &[Role::Reporter, Role::Office],
        )
        .await?
        {
            qcdc_store::reminders_repo::insert_notice(
                &mut tx,
                &qcdc_store::reminders_repo::NewNotice {
                    user_id: u.user_id,
                    round_id: Some(id),
                    unit_id: Some(unit.id),
                    title: &title,
                    body: &body,
                    link: &link,
                },
            )
            .await?;
        }
        Ok(RoundView::from(round))
    }
    .await;
    tx.finish(r).await
}

/// A round's history: creation, closing and reopening, deadline changes, reminders.
pub async fn history(
    cx: &Ctx,
    id: i64,
    page: PageReq,
) -> CoreResult<Page<qcdc_store::audit::AuditEntry>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load(&mut tx, id).await?;
        cx.require(&mut tx, Permission::View, round.issuer_id)
            .await?;
        let (items, total) = audit::page(
            &mut tx,
            "round",
            &id.to_string(),
            page.offset(),
            page.size(),
        )
        .await?;
        Ok(Page::new(items, total, page))
    }
    .await;
    tx.finish(r).await
}

/// What a recipient sees of a round: the request (letter, deadline, the outline
/// with its guidance, the form's groups) and its own reports in it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RequestView {
    pub round: RoundView,
    pub sections: Vec<qcdc_core::template::Section>,
    pub groups: Vec<String>,
    pub mine: Vec<TodoLine>,
}

/// The request of a round, for anyone who sees the round.
pub async fn request(cx: &Ctx, id: i64, today: NaiveDate) -> CoreResult<RequestView> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load(&mut tx, id).await?;
        require_visible(cx, &mut tx, &round).await?;
        let t = cx.app().template(&mut tx, round.template_id).await?;
        let mut mine = Vec::new();
        for unit_id in cx
            .actor()
            .units_with(&[Role::Reporter, Role::Office, Role::Admin])
        {
            if let Some(s) = submissions_repo::get(&mut tx, round.id, unit_id).await?
                && cx.may(&mut tx, Permission::Report, unit_id).await?
            {
                let due = round::effective_deadline(round.deadline, s.deadline);
                mine.push(TodoLine {
                    days_left: round::days_left(due, today),
                    deadline_display: format_date(due),
                    unit_code: s.unit_code,
                    unit_name: s.unit_name,
                    status: s.status,
                    status_label: s.status.label_vi(),
                    round: RoundView::from(round.clone()),
                });
            }
        }
        Ok(RequestView {
            sections: t.sections().to_vec(),
            groups: t
                .def
                .groups
                .iter()
                .map(|g| format!("{}. {}", g.code, g.title))
                .collect(),
            mine,
            round: RoundView::from(round),
        })
    }
    .await;
    tx.finish(r).await
}

/// An open round of the office with what is still missing.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OpenRoundLine {
    pub round: RoundView,
    pub missing: i64,
    pub days_left: i64,
}

/// What waits for an office: reports to review (oldest first) and its open rounds
/// with the units that have not sent yet (overdue ones and those near the deadline
/// first).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OfficeQueue {
    pub waiting: Vec<qcdc_store::rounds_repo::Waiting>,
    pub waiting_total: i64,
    pub open: Vec<OpenRoundLine>,
}

pub async fn office_queue(cx: &Ctx, today: NaiveDate) -> CoreResult<OfficeQueue> {
    let issuers = cx.actor().units_with(&[Role::Office, Role::Admin]);
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (waiting, waiting_total) = rounds_repo::waiting_review(&mut tx, &issuers, 50).await?;
        let open = rounds_repo::open_with_missing(&mut tx, &issuers)
            .await?
            .into_iter()
            .map(|(r, missing)| OpenRoundLine {
                days_left: round::days_left(r.deadline, today),
                missing,
                round: RoundView::from(r),
            })
            .collect();
        Ok(OfficeQueue {
            waiting,
            waiting_total,
            open,
        })
    }
    .await;
    tx.finish(r).await
}

/// The next report waiting for review in a round after `unit_code` (oldest sent
/// first), for "next report to review".
pub async fn next_to_review(cx: &Ctx, id: i64, after_unit: &str) -> CoreResult<Option<String>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load(&mut tx, id).await?;
        cx.require(&mut tx, Permission::Manage, round.issuer_id)
            .await?;
        let (items, _) = rounds_repo::waiting_review(&mut tx, &[round.issuer_id], 500).await?;
        Ok(items
            .into_iter()
            .filter(|w| w.round_id == id)
            .map(|w| w.unit_code)
            .find(|c| c != after_unit))
    }
    .await;
    tx.finish(r).await
}
