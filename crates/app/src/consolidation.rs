//! Consolidation use cases: the totals of a round at one unit read from the
//! running totals (with the same period last year across succession links), the
//! drill-down to children with columns chosen from the template, the per-unit
//! values of an indicator and the children's narrative one page at a time, and
//! adoption of the totals as the office's own report upward.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use qcdc_core::access::Permission;
use qcdc_core::consolidate::{self, Totals};
use qcdc_core::number;
use qcdc_core::round::{self, EarlierRound};
use qcdc_core::{CoreError, CoreResult, ErrorCode};
use qcdc_store::Conn as AnyConnection;
use qcdc_store::rollup;
use qcdc_store::rounds_repo::{self, Round};
use qcdc_store::submissions_repo;
use qcdc_store::units_repo::{self, Unit};

use crate::ctx::Ctx;
use crate::rounds::load as load_round;
use crate::submissions::{DraftChange, save_draft_from};
use crate::views::{
    ChildTotals, Column, ComparisonCoverage, ConsolidationView, GroupRef, NarrativeEntry,
    NarrativeLine, NarrativeView, Page, PageReq, PerUnitView, RoundView, SubmissionView,
    UnitValueLine,
};

async fn root_of(c: &mut AnyConnection, round: &Round, unit: Option<&str>) -> CoreResult<Unit> {
    match unit {
        Some(code) => units_repo::by_code(c, code).await,
        None => units_repo::by_id(c, round.issuer_id).await,
    }
}

/// The round one year earlier to compare with (see `core::round::pick_previous`).
async fn previous_round(c: &mut AnyConnection, round: &Round) -> CoreResult<Option<Round>> {
    let prev_period = round.period.same_period_last_year();
    let candidates = rounds_repo::by_template_period(c, &round.template_code, prev_period).await?;
    if candidates.is_empty() {
        return Ok(None);
    }
    let (preds, _) =
        units_repo::predecessors_on(c, round.issuer_id, prev_period.cutoff().1).await?;
    let lineage = units_repo::lineage(c, round.issuer_id).await?;
    let list: Vec<EarlierRound> = candidates
        .iter()
        .map(|r| EarlierRound {
            id: r.id,
            issuer_id: r.issuer_id,
        })
        .collect();
    let pick = round::pick_previous(&list, round.issuer_id, &preds, &lineage);
    Ok(pick.and_then(|id| candidates.into_iter().find(|r| r.id == id)))
}

/// Consolidates a round at a unit (the issuer when None). `group` chooses the
/// drill-down columns (the template's first group by default). The same-period
/// comparison is like-for-like (see [`get_with`]).
pub async fn get(
    cx: &Ctx,
    round_id: i64,
    unit: Option<&str>,
    group: Option<&str>,
    children_page: PageReq,
    today: NaiveDate,
) -> CoreResult<ConsolidationView> {
    get_with(cx, round_id, unit, group, children_page, today, true).await
}

/// The accepted reports of a round below a unit: unit id → submission id.
async fn accepted_map(
    c: &mut AnyConnection,
    round_id: i64,
    under: i64,
) -> CoreResult<HashMap<i64, i64>> {
    let (refs, _) =
        submissions_repo::accepted_below(c, round_id, Some(under), 0, i64::MAX / 4).await?;
    Ok(refs
        .into_iter()
        .map(|r| (r.unit_id, r.submission_id))
        .collect())
}

/// Each unit's predecessors in force on `day` (itself when it existed then),
/// following the succession links in memory.
async fn predecessors_of(
    c: &mut AnyConnection,
    units: &[i64],
    day: NaiveDate,
) -> CoreResult<HashMap<i64, Vec<i64>>> {
    let links = units_repo::predecessor_links(c).await?;
    let mut active: HashMap<i64, bool> = HashMap::new();
    let mut out = HashMap::new();
    // walk level by level, reading the validity of each new layer at once
    let mut pending: Vec<(i64, Vec<i64>)> = units.iter().map(|&u| (u, vec![u])).collect();
    for _ in 0..16 {
        let unknown: Vec<i64> = pending
            .iter()
            .flat_map(|(_, f)| f.iter().copied())
            .filter(|id| !active.contains_key(id))
            .collect();
        for u in units_repo::by_ids(c, &unknown).await? {
            active.insert(u.id, u.active_on(day));
        }
        let mut next = Vec::new();
        for (origin, frontier) in pending {
            let mut found: Vec<i64> = out.remove(&origin).unwrap_or_default();
            let mut deeper = Vec::new();
            for id in frontier {
                if active.get(&id).copied().unwrap_or(false) {
                    found.push(id);
                } else if let Some(p) = links.get(&id) {
                    deeper.extend(p.iter().copied());
                }
            }
            out.insert(origin, found);
            if !deeper.is_empty() {
                next.push((origin, deeper));
            }
        }
        if next.is_empty() {
            break;
        }
        pending = next;
    }
    Ok(out)
}

/// The like-for-like sides of the same-period comparison below `root`: this
/// period's totals over the units whose every predecessor has an accepted report
/// last year, and last year's totals over those predecessors.
async fn like_for_like(
    c: &mut AnyConnection,
    round_id: i64,
    root: i64,
    previous: &Round,
    previous_roots: &[i64],
) -> CoreResult<(Totals, Totals, ComparisonCoverage)> {
    let current = accepted_map(c, round_id, root).await?;
    let mut before: HashMap<i64, i64> = HashMap::new();
    for p in previous_roots {
        before.extend(accepted_map(c, previous.id, *p).await?);
    }
    let units: Vec<i64> = current.keys().copied().collect();
    let preds = predecessors_of(c, &units, previous.period.cutoff().1).await?;
    let mut cur_subs = Vec::new();
    let mut prev_subs = std::collections::BTreeSet::new();
    for (unit, sub) in &current {
        let Some(p) = preds.get(unit) else { continue };
        if !p.is_empty() && p.iter().all(|x| before.contains_key(x)) {
            cur_subs.push(*sub);
            prev_subs.extend(p.iter().map(|x| before[x]));
        }
    }
    let prev_subs: Vec<i64> = prev_subs.into_iter().collect();
    let coverage = ComparisonCoverage {
        like_for_like: true,
        current_reports: i64::try_from(current.len()).unwrap_or(i64::MAX),
        previous_reports: i64::try_from(before.len()).unwrap_or(i64::MAX),
        matched_units: i64::try_from(cur_subs.len()).unwrap_or(i64::MAX),
    };
    Ok((
        Totals {
            sums: submissions_repo::sum_accepted(c, &cur_subs).await?,
        },
        Totals {
            sums: submissions_repo::sum_accepted(c, &prev_subs).await?,
        },
        coverage,
    ))
}

/// [`get`] choosing the comparison: like-for-like (`true`) or every accepted
/// report on each side, with the coverage stated either way.
pub async fn get_with(
    cx: &Ctx,
    round_id: i64,
    unit: Option<&str>,
    group: Option<&str>,
    children_page: PageReq,
    today: NaiveDate,
    like: bool,
) -> CoreResult<ConsolidationView> {
    let mut tx = cx.app().db().read().await?;
    let r = get_in(
        cx,
        &mut tx,
        round_id,
        unit,
        group,
        children_page,
        today,
        like,
    )
    .await;
    tx.finish(r).await
}

/// [`get`] in the caller's transaction (documents build on the same view).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn get_in(
    cx: &Ctx,
    c: &mut AnyConnection,
    round_id: i64,
    unit: Option<&str>,
    group: Option<&str>,
    children_page: PageReq,
    today: NaiveDate,
    like: bool,
) -> CoreResult<ConsolidationView> {
    let round = load_round(c, round_id).await?;
    let root = root_of(c, &round, unit).await?;
    let lineage = cx.require(c, Permission::View, root.id).await?;
    let t = cx.app().template(c, round.template_id).await?;
    let past = today > round.deadline;
    let completeness = rollup::counts(c, round_id, &[root.id], past)
        .await?
        .remove(&root.id)
        .unwrap_or_default();
    let current = rollup::totals(c, round_id, &[root.id])
        .await?
        .remove(&root.id)
        .unwrap_or_default();
    // the children with recipients below them, one page at a time
    let children = units_repo::children(c, root.id).await?;
    let child_ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    let mut child_counts = rollup::counts(c, round_id, &child_ids, past).await?;
    let reporting: Vec<_> = children
        .into_iter()
        .filter_map(|ch| {
            child_counts
                .remove(&ch.id)
                .filter(|c| c.recipients > 0)
                .map(|c| (ch, c))
        })
        .collect();
    let children_total = i64::try_from(reporting.len()).unwrap_or(i64::MAX);
    let shown: Vec<_> = reporting
        .into_iter()
        .skip(usize::try_from(children_page.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(children_page.size()).unwrap_or(0))
        .collect();
    let shown_ids: Vec<i64> = shown.iter().map(|(ch, _)| ch.id).collect();
    let recipients = rounds_repo::recipients_in(c, round_id, &shown_ids).await?;

    // the same period last year, through succession links
    let previous = previous_round(c, &round).await?;
    let mut previous_units = Vec::new();
    let mut approximate = false;
    let mut comparison = None;
    let rows = match &previous {
        Some(pr) => {
            let (preds, approx) =
                units_repo::predecessors_on(c, root.id, pr.period.cutoff().1).await?;
            approximate = approx;
            let pt = rollup::totals(c, pr.id, &preds).await?;
            let mut sum = Totals::default();
            for p in &preds {
                if let Some(x) = pt.get(p) {
                    sum.merge(x);
                }
            }
            previous_units = units_repo::by_ids(c, &preds)
                .await?
                .into_iter()
                .map(|u| u.name)
                .collect();
            let mut rows = consolidate::rows(&t, &current, Some(&sum), &BTreeMap::new());
            let (lc, lp, mut coverage) = like_for_like(c, round_id, root.id, pr, &preds).await?;
            if like {
                consolidate::compare_like_for_like(&t, &mut rows, &lc, &lp);
            } else {
                coverage.like_for_like = false;
            }
            comparison = Some(coverage);
            rows
        }
        None => consolidate::rows(&t, &current, None, &BTreeMap::new()),
    };

    // drill-down columns from the template, by group
    let groups: Vec<GroupRef> = t
        .def
        .groups
        .iter()
        .map(|g| GroupRef {
            code: g.code.clone(),
            title: g.title.clone(),
        })
        .collect();
    let group = group
        .filter(|g| groups.iter().any(|x| x.code == *g))
        .map(str::to_string)
        .or_else(|| groups.first().map(|g| g.code.clone()))
        .unwrap_or_default();
    let columns: Vec<Column> = t
        .indicators()
        .iter()
        .filter(|i| i.group == group && i.part_of.is_none())
        .take(8)
        .map(|i| Column {
            code: i.code.clone(),
            name: i.name.clone(),
            unit: i.unit.clone(),
        })
        .collect();
    // only the columns' figures (and the parts of their ratios) for the children
    let mut codes: Vec<String> = Vec::new();
    for col in &columns {
        codes.push(col.code.clone());
        if let Some(i) = t.indicator(&col.code) {
            codes.extend(i.numerator.iter().cloned());
            codes.extend(i.denominator.iter().cloned());
        }
    }
    let mut totals = rollup::totals_of(c, round_id, &shown_ids, Some(&codes)).await?;
    let mut child_rows = Vec::new();
    for (ch, counts) in &shown {
        let counts = counts.clone();
        let tot = totals.remove(&ch.id).unwrap_or_default();
        let mut values = BTreeMap::new();
        let mut display = BTreeMap::new();
        for i in t
            .indicators()
            .iter()
            .filter(|i| columns.iter().any(|c| c.code == i.code))
        {
            if let Some(v) = tot.value(&t, &i.code) {
                values.insert(i.code.clone(), v);
                display.insert(i.code.clone(), number::format_f64(v, i.decimals()));
            }
        }
        child_rows.push(ChildTotals {
            unit_code: ch.code.clone(),
            unit_name: ch.name.clone(),
            kind: ch.kind,
            is_recipient: recipients.contains(&ch.id),
            counts,
            values,
            display,
        });
    }
    let (_, accepted_reports) = submissions_repo::accepted_below(
        c,
        round_id,
        (root.id != round.issuer_id).then_some(root.id),
        0,
        0,
    )
    .await?;
    // the way down from the highest unit the actor sees (up to the issuer)
    let mut breadcrumb = Vec::new();
    for id in lineage.iter().rev() {
        if breadcrumb.is_empty()
            && !cx
                .actor()
                .may(Permission::View, &units_repo::lineage(c, *id).await?)
        {
            continue;
        }
        let u = units_repo::by_id(c, *id).await?;
        breadcrumb.push((u.code, u.name));
    }
    let can_adopt = cx.may(c, Permission::Manage, root.id).await?
        && cx.may(c, Permission::Report, root.id).await?;
    let adoption_targets = if can_adopt {
        rounds_repo::addressed_to(c, &[root.id], true)
            .await?
            .into_iter()
            .map(|(r, _)| r)
            .filter(|r| r.period == round.period && r.id != round.id)
            .map(RoundView::from)
            .collect()
    } else {
        Vec::new()
    };
    Ok(ConsolidationView {
        round: RoundView::from(round),
        unit_code: root.code,
        unit_name: root.name,
        breadcrumb,
        completeness,
        rows,
        previous_round: previous.map(RoundView::from),
        previous_units,
        comparison,
        comparison_approximate: approximate,
        groups,
        group,
        columns,
        children: Page::new(child_rows, children_total, children_page),
        accepted_reports,
        can_adopt,
        adoption_targets,
    })
}

/// The values of one indicator in each accepted report below a unit (for
/// indicators that cannot be aggregated), one page at a time.
pub async fn per_unit(
    cx: &Ctx,
    round_id: i64,
    unit: &str,
    indicator: &str,
    page: PageReq,
) -> CoreResult<PerUnitView> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load_round(&mut tx, round_id).await?;
        let root = units_repo::by_code(&mut tx, unit).await?;
        cx.require(&mut tx, Permission::View, root.id).await?;
        let t = cx.app().template(&mut tx, round.template_id).await?;
        let ind = t.indicator(indicator).ok_or_else(|| {
            CoreError::new(
                ErrorCode::UnknownIndicator,
                format!("Chỉ tiêu «{indicator}» không có trong biểu mẫu"),
            )
        })?;
        let decimals = if qcdc_core::template::allows_decimals(&ind.unit) {
            3
        } else {
            0
        };
        let (lines, total) = submissions_repo::accepted_values_page(
            &mut tx,
            round_id,
            (root.id != round.issuer_id).then_some(root.id),
            &ind.code,
            page.offset(),
            page.size(),
        )
        .await?;
        let items = lines
            .into_iter()
            .map(|l| UnitValueLine {
                unit_code: l.unit_code,
                unit_name: l.unit_name,
                value: number::to_f64(l.value),
                display: number::format_vn(l.value, decimals),
            })
            .collect();
        Ok(PerUnitView {
            round_id,
            unit_code: root.code,
            indicator: ind.code.clone(),
            indicator_name: ind.name.clone(),
            unit_of_measure: ind.unit.clone(),
            values: Page::new(items, total, page),
        })
    }
    .await;
    tx.finish(r).await
}

/// The narrative of the accepted reports below a unit, side by side, one page of
/// units at a time (every section, or one).
pub async fn narrative(
    cx: &Ctx,
    round_id: i64,
    unit: &str,
    section: Option<&str>,
    page: PageReq,
) -> CoreResult<NarrativeView> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load_round(&mut tx, round_id).await?;
        let root = units_repo::by_code(&mut tx, unit).await?;
        cx.require(&mut tx, Permission::View, root.id).await?;
        let t = cx.app().template(&mut tx, round.template_id).await?;
        let (refs, total) = submissions_repo::accepted_below(
            &mut tx,
            round_id,
            (root.id != round.issuer_id).then_some(root.id),
            page.offset(),
            page.size(),
        )
        .await?;
        let pairs: Vec<(i64, i64)> = refs.iter().map(|r| (r.submission_id, r.version)).collect();
        let texts = submissions_repo::accepted_narratives(&mut tx, &pairs).await?;
        let section = section
            .filter(|s| t.section(s).is_some())
            .map(str::to_string);
        let sections = t
            .sections()
            .iter()
            .filter(|s| section.as_deref().is_none_or(|x| x == s.number))
            .filter_map(|s| {
                let entries: Vec<NarrativeLine> = refs
                    .iter()
                    .filter_map(|r| {
                        texts
                            .get(&r.submission_id)
                            .and_then(|n| n.get(&s.number))
                            .map(|text| NarrativeLine {
                                unit_code: r.unit_code.clone(),
                                unit_name: r.unit_name.clone(),
                                text: text.clone(),
                            })
                    })
                    .collect();
                (!entries.is_empty()).then(|| NarrativeEntry {
                    section: s.number.clone(),
                    title: s.title.clone(),
                    entries,
                })
            })
            .collect();
        let p = Page::new(Vec::<()>::new(), total, page);
        Ok(NarrativeView {
            round_id,
            unit_code: root.code,
            unit_name: root.name,
            sections,
            outline: t
                .sections()
                .iter()
                .map(|s| (s.number.clone(), s.title.clone()))
                .collect(),
            section,
            page: p.page,
            pages: p.pages,
            total_units: total,
        })
    }
    .await;
    tx.finish(r).await
}

/// The office adopts its consolidated figures as its own report in the parent's
/// round: summable figures and recomputed ratios go into its draft there. Needs
/// both the office's right over the unit and the right to report for it.
/// The change adopting the consolidated totals makes to the unit's draft in the
/// parent round: every figure of the parent form set from the totals, and every
/// figure the totals do not give cleared (no stale value stays).
async fn adoption_change(
    cx: &Ctx,
    round_id: i64,
    unit: &str,
    parent_round_id: i64,
) -> CoreResult<DraftChange> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let u = units_repo::by_code(&mut tx, unit).await?;
        cx.require(&mut tx, Permission::Manage, u.id).await?;
        cx.require(&mut tx, Permission::Report, u.id).await?;
        let round = load_round(&mut tx, round_id).await?;
        let parent_round = load_round(&mut tx, parent_round_id).await?;
        if parent_round.period != round.period {
            return Err(CoreError::invalid(format!(
                "Kỳ của đợt cấp trên ({}) khác kỳ của đợt tổng hợp ({})",
                parent_round.period.label_vi(),
                round.period.label_vi()
            )));
        }
        parent_round.state.require_open(&parent_round.title)?;
        let t = cx.app().template(&mut tx, round.template_id).await?;
        let pt = cx.app().template(&mut tx, parent_round.template_id).await?;
        let totals = rollup::totals(&mut tx, round_id, &[u.id])
            .await?
            .remove(&u.id)
            .unwrap_or_default();
        let adopted = consolidate::adoption(&t, &pt, &totals);
        Ok((pt, adopted))
    }
    .await;
    let (pt, values) = tx.finish(r).await?;
    let mut change = DraftChange::default();
    for ind in pt.indicators() {
        change
            .values
            .insert(ind.code.clone(), values.get(&ind.code).copied());
    }
    Ok(change)
}

/// What adopting would change in the draft (old → new for every figure), and the
/// fingerprint to confirm exactly that change with [`adopt`].
pub async fn adopt_preview(
    cx: &Ctx,
    round_id: i64,
    unit: &str,
    parent_round_id: i64,
) -> CoreResult<(Vec<crate::submissions::PreviewLine>, String)> {
    let change = adoption_change(cx, round_id, unit, parent_round_id).await?;
    let lines = crate::submissions::preview_change(cx, parent_round_id, unit, &change).await?;
    Ok((lines, change.fingerprint()))
}

/// Uses the consolidated totals as the unit's draft in the parent round. With
/// `confirmed` (the fingerprint shown by [`adopt_preview`]), refuses when the
/// totals changed since the preview.
pub async fn adopt(
    cx: &Ctx,
    round_id: i64,
    unit: &str,
    parent_round_id: i64,
) -> CoreResult<SubmissionView> {
    adopt_confirmed(cx, round_id, unit, parent_round_id, None).await
}

pub async fn adopt_confirmed(
    cx: &Ctx,
    round_id: i64,
    unit: &str,
    parent_round_id: i64,
    confirmed: Option<&str>,
) -> CoreResult<SubmissionView> {
    let change = adoption_change(cx, round_id, unit, parent_round_id).await?;
    if let Some(f) = confirmed
        && f != change.fingerprint()
    {
        return Err(CoreError::new(
            ErrorCode::Conflict,
            "Số liệu tổng hợp đã thay đổi từ lúc xem trước (có báo cáo mới được tiếp nhận); hãy xem lại trước khi dùng",
        ));
    }
    save_draft_from(cx, parent_round_id, unit, &change, Some(round_id)).await
}
