//! Units use cases: list and search (in the actor's scope), one unit with its
//! children, export, and import — a whole file, or one unit from the admin page —
//! checked whole, authorized record by record, written in one transaction that
//! also moves the closure table and the open rounds' running totals.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use qcdc_core::access::{self, Permission, Role};
use qcdc_core::unit::{self, UnitKind, UnitRecord};
use qcdc_core::{CoreError, CoreResult, ErrorCode, Problem, text};
use qcdc_store::units_repo::{self, Unit, UnitFilter, UnitScope};
use qcdc_store::{audit, closure, rollup, rounds_repo};
use serde::Serialize;

use crate::ctx::{Ctx, forbidden};
use crate::views::{ImportSummary, Page, PageReq};

/// What a units list asks for.
#[derive(Debug, Clone, Default)]
pub struct UnitQuery {
    /// Words of the name or code, with or without diacritics.
    pub q: Option<String>,
    pub active_on: Option<NaiveDate>,
    pub kinds: Vec<UnitKind>,
    /// Only units strictly below this one (by code).
    pub under: Option<String>,
}

/// The units an actor sees: the subtrees of its admin, office and viewer roles,
/// and the units it reports for.
pub(crate) fn scope_of(cx: &Ctx) -> Option<UnitScope> {
    let a = cx.actor();
    if a.is_system() {
        return None;
    }
    Some(UnitScope {
        subtrees: a.units_with(&[Role::Admin, Role::Office, Role::Viewer]),
        exact: a.units_with(&[Role::Reporter]),
    })
}

async fn scoped_filter(
    cx: &Ctx,
    c: &mut qcdc_store::Conn,
    q: &UnitQuery,
) -> CoreResult<UnitFilter> {
    let under = match &q.under {
        Some(code) => Some(units_repo::by_code(c, code).await?.id),
        None => None,
    };
    Ok(UnitFilter {
        q: q.q.clone(),
        active_on: q.active_on,
        kinds: q.kinds.clone(),
        scope: scope_of(cx),
        under,
    })
}

/// One page of the units the actor sees, in Vietnamese order.
pub async fn list(cx: &Ctx, q: &UnitQuery, page: PageReq) -> CoreResult<Page<Unit>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let f = scoped_filter(cx, &mut tx, q).await?;
        let (items, total) = units_repo::list(&mut tx, &f, page.offset(), page.size()).await?;
        Ok(Page::new(items, total, page))
    }
    .await;
    tx.finish(r).await
}

/// Every unit the actor sees matching the query (the admin tree, exports).
pub async fn all(cx: &Ctx, q: &UnitQuery) -> CoreResult<Vec<Unit>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let f = scoped_filter(cx, &mut tx, q).await?;
        units_repo::all(&mut tx, &f).await
    }
    .await;
    tx.finish(r).await
}

/// A unit with its children.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnitDetail {
    pub unit: Unit,
    pub children: Vec<Unit>,
}

pub async fn get(cx: &Ctx, code: &str) -> CoreResult<UnitDetail> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let unit = units_repo::by_code(&mut tx, code).await?;
        cx.require(&mut tx, Permission::View, unit.id).await?;
        let children = units_repo::children(&mut tx, unit.id).await?;
        Ok(UnitDetail { unit, children })
    }
    .await;
    tx.finish(r).await
}

/// The units the actor sees as import records, parents first.
pub async fn export(cx: &Ctx) -> CoreResult<Vec<UnitRecord>> {
    let units = all(cx, &UnitQuery::default()).await?;
    Ok(units_repo::records_parents_first(&units))
}

/// The units that came before `code` and existed on `day` (succession links).
pub async fn predecessors_on(
    cx: &Ctx,
    code: &str,
    day: NaiveDate,
) -> CoreResult<(Vec<Unit>, bool)> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let unit = units_repo::by_code(&mut tx, code).await?;
        cx.require(&mut tx, Permission::View, unit.id).await?;
        let (ids, approx) = units_repo::predecessors_on(&mut tx, unit.id, day).await?;
        Ok((units_repo::by_ids(&mut tx, &ids).await?, approx))
    }
    .await;
    tx.finish(r).await
}

/// Does one of `admin_codes` lie on the way up from `start` (itself included)?
fn administered(
    start: Option<&str>,
    parent_of: &HashMap<String, Option<String>>,
    admin_codes: &HashSet<String>,
) -> bool {
    let mut cur = start.map(str::to_string);
    let mut steps = 0;
    while let Some(code) = cur {
        if admin_codes.contains(&code) {
            return true;
        }
        steps += 1;
        if steps > 64 {
            return false;
        }
        cur = parent_of.get(&code).cloned().flatten();
    }
    false
}

/// Imports units (create or update by code). The file is checked whole against
/// the stored tree and every changed record must lie where the actor administers
/// both its old and its new parent; with any problem nothing is written.
pub async fn import(cx: &Ctx, incoming: Vec<(usize, UnitRecord)>) -> CoreResult<ImportSummary> {
    require_some_admin(cx)?;
    let mut incoming = incoming;
    for (_, r) in &mut incoming {
        r.name = text::nfc(r.name.trim());
        r.code = r.code.trim().to_string();
    }
    if incoming.is_empty() {
        return Err(CoreError::invalid("Tệp không có đơn vị nào"));
    }
    let mut tx = cx.app().db().write().await?;
    let r = import_in(cx, &mut tx, &incoming).await;
    tx.finish(r).await
}

async fn import_in(
    cx: &Ctx,
    tx: &mut qcdc_store::Conn,
    incoming: &[(usize, UnitRecord)],
) -> CoreResult<ImportSummary> {
    let everything = units_repo::all(tx, &UnitFilter::default()).await?;
    let existing = units_repo::records_parents_first(&everything);
    let old: HashMap<&str, &UnitRecord> = existing.iter().map(|r| (r.code.as_str(), r)).collect();
    // authorization first, on every record that differs from what is stored,
    // against the old and the new tree (before any data check can tell anything)
    if !cx.actor().is_system() {
        let differs: Vec<(usize, &UnitRecord)> = incoming
            .iter()
            .filter(|(_, r)| old.get(r.code.as_str()).is_none_or(|o| *o != r))
            .map(|(l, r)| (*l, r))
            .collect();
        let code_of: HashMap<i64, &str> =
            everything.iter().map(|u| (u.id, u.code.as_str())).collect();
        let admin_codes: HashSet<String> = cx
            .actor()
            .units_with(&[Role::Admin])
            .iter()
            .filter_map(|id| code_of.get(id).map(|c| c.to_string()))
            .collect();
        let old_parent: HashMap<String, Option<String>> = existing
            .iter()
            .map(|r| (r.code.clone(), r.parent.clone()))
            .collect();
        let mut new_parent = old_parent.clone();
        for (_, r) in &differs {
            new_parent.insert(r.code.clone(), r.parent.clone());
        }
        let mut problems = Vec::new();
        for (line, r) in &differs {
            let before = old.get(r.code.as_str());
            let old_ok = match before {
                None => true,
                Some(b) => administered(b.parent.as_deref(), &old_parent, &admin_codes),
            };
            // a parent nobody knows is the data check's to report (unknown_parent)
            let unknown_parent = r
                .parent
                .as_deref()
                .is_some_and(|p| !new_parent.contains_key(p));
            let new_ok =
                unknown_parent || administered(r.parent.as_deref(), &new_parent, &admin_codes);
            if !(old_ok && new_ok) {
                problems.push(Problem {
                    line: *line,
                    code: "out_of_scope",
                    message: match before {
                        None => format!("Không có quyền tạo đơn vị «{}» ở vị trí này (đơn vị cấp trên phải thuộc phạm vi quản trị của bạn)", r.code),
                        Some(_) => format!("Không có quyền sửa hoặc chuyển đơn vị «{}» (cả đơn vị cấp trên cũ và mới phải thuộc phạm vi quản trị của bạn)", r.code),
                    },
                });
            }
        }
        if !problems.is_empty() {
            return Err(CoreError::with_problems(
                ErrorCode::Forbidden,
                format!(
                    "Tệp có {} đơn vị ngoài phạm vi quản trị; không có thay đổi nào được lưu",
                    problems.len()
                ),
                problems,
            ));
        }
    }
    let changed = unit::check_import(&existing, incoming).map_err(unit::import_error)?;
    let created = changed
        .iter()
        .filter(|r| !old.contains_key(r.code.as_str()))
        .count();
    let summary = ImportSummary {
        received: incoming.len(),
        created,
        updated: changed.len() - created,
        unchanged: incoming.len() - changed.len(),
    };
    if changed.is_empty() {
        return Ok(summary);
    }
    // write: new units level by level with their parents' ids, their closure rows
    // computed from their parents'; changed units; moves one by one; links; audit
    let changed_by_code: HashMap<&str, &UnitRecord> =
        changed.iter().map(|r| (r.code.as_str(), r)).collect();
    let parent_of = |code: &str| -> Option<String> {
        match changed_by_code.get(code) {
            Some(r) => r.parent.clone(),
            None => old.get(code).and_then(|r| r.parent.clone()),
        }
    };
    let depth_of = |code: &str| {
        let mut d = 0;
        let mut cur = parent_of(code);
        while let Some(p) = cur {
            d += 1;
            if d > 64 {
                break;
            }
            cur = parent_of(&p);
        }
        d
    };
    let mut codes: Vec<String> = Vec::new();
    for r in &changed {
        if old.contains_key(r.code.as_str()) {
            codes.push(r.code.clone());
        }
        codes.extend(r.parent.iter().cloned());
        codes.extend(r.predecessors.iter().cloned());
    }
    codes.sort();
    codes.dedup();
    let mut ids = units_repo::ids_by_code(tx, &codes).await?;
    let mut new_recs: Vec<(usize, &UnitRecord)> = changed
        .iter()
        .filter(|r| !old.contains_key(r.code.as_str()))
        .map(|r| (depth_of(&r.code), r))
        .collect();
    new_recs.sort_by_key(|(d, _)| *d);
    // closure ancestors of the existing parents of new units
    let existing_parents: Vec<i64> = new_recs
        .iter()
        .filter_map(|(_, r)| r.parent.as_deref())
        .filter(|p| old.contains_key(p))
        .filter_map(|p| ids.get(p).copied())
        .collect();
    let mut ancestors = closure::ancestors_of(tx, &existing_parents).await?;
    let missing = |code: &str| {
        CoreError::new(
            ErrorCode::Internal,
            format!("Mã đơn vị «{code}» vừa ghi không tìm thấy"),
        )
    };
    let mut closure_rows = Vec::new();
    let mut i = 0;
    while i < new_recs.len() {
        let depth = new_recs[i].0;
        let level: Vec<&UnitRecord> = new_recs[i..]
            .iter()
            .take_while(|(d, _)| *d == depth)
            .map(|(_, r)| *r)
            .collect();
        i += level.len();
        let mut rows = Vec::with_capacity(level.len());
        for r in &level {
            let parent = match r.parent.as_deref() {
                Some(p) => Some(ids.get(p).copied().ok_or_else(|| missing(p))?),
                None => None,
            };
            rows.push((*r, parent));
        }
        units_repo::insert_many(tx, &rows).await?;
        let level_codes: Vec<String> = level.iter().map(|r| r.code.clone()).collect();
        ids.extend(units_repo::ids_by_code(tx, &level_codes).await?);
        for (r, parent) in rows {
            let uid = ids
                .get(r.code.as_str())
                .copied()
                .ok_or_else(|| missing(&r.code))?;
            let mut mine = vec![(uid, 0)];
            if let Some(p) = parent {
                mine.extend(
                    ancestors
                        .get(&p)
                        .into_iter()
                        .flatten()
                        .map(|(a, d)| (*a, d + 1)),
                );
            }
            closure_rows.extend(mine.iter().map(|(a, d)| (*a, uid, *d)));
            ancestors.insert(uid, mine);
        }
    }
    closure::insert(tx, &closure_rows).await?;
    let id = |code: &str| ids.get(code).copied().ok_or_else(|| missing(code));
    let mut links = Vec::new();
    for (_, r) in &new_recs {
        for p in &r.predecessors {
            links.push((id(&r.code)?, id(p)?));
        }
    }
    units_repo::add_predecessors(tx, &links).await?;
    // changed units: their own fields, then moves (parents first), then links
    let mut moved: Vec<&UnitRecord> = Vec::new();
    for r in changed.iter().filter(|r| old.contains_key(r.code.as_str())) {
        units_repo::update(tx, r).await?;
        if old
            .get(r.code.as_str())
            .is_some_and(|b| b.parent != r.parent)
        {
            moved.push(r);
        }
    }
    moved.sort_by_key(|r| depth_of(&r.code));
    let open_rounds = if moved.is_empty() {
        Vec::new()
    } else {
        rounds_repo::open_ids(tx).await?
    };
    for r in moved {
        let uid = id(&r.code)?;
        let parent = r.parent.as_deref().map(id).transpose()?;
        units_repo::set_parent(tx, uid, parent).await?;
        let subtree: Vec<i64> = closure::subtree(tx, uid)
            .await?
            .into_iter()
            .map(|s| s.0)
            .collect();
        let (old_anc, new_anc) = closure::move_subtree(tx, uid, parent).await?;
        // no recipient of an open round may end up below another recipient, or
        // outside the subtree of the unit that issued the round
        for &round in &open_rounds {
            let below = rounds_repo::recipients_in(tx, round, &subtree).await?;
            if !below.is_empty()
                && let Some(rd) = rounds_repo::get(tx, round).await?
                && !new_anc.contains(&rd.issuer_id)
                && !subtree.contains(&rd.issuer_id)
            {
                return Err(CoreError::new(
                    ErrorCode::InvalidUnits,
                    format!(
                        "Không chuyển được «{}»: đơn vị nhận của đợt báo cáo #{round} đang mở sẽ ra ngoài phạm vi của đơn vị ra yêu cầu «{}»",
                        r.code, rd.issuer_name
                    ),
                ));
            }
            let above = rounds_repo::recipients_in(tx, round, &new_anc).await?;
            if !below.is_empty() && !above.is_empty() {
                return Err(CoreError::new(
                    ErrorCode::InvalidUnits,
                    format!(
                        "Không chuyển được «{}»: trong đợt báo cáo #{round} đang mở, đơn vị cấp trên mới và đơn vị bên dưới đều là đơn vị nhận (số liệu sẽ bị cộng trùng)",
                        r.code
                    ),
                ));
            }
        }
        rollup::shift_subtree(tx, &open_rounds, uid, &old_anc, &new_anc).await?;
    }
    for r in changed.iter().filter(|r| {
        old.get(r.code.as_str())
            .is_some_and(|b| b.predecessors != r.predecessors)
    }) {
        let preds = r
            .predecessors
            .iter()
            .map(|p| id(p))
            .collect::<CoreResult<Vec<_>>>()?;
        units_repo::set_predecessors(tx, id(&r.code)?, &preds).await?;
    }
    let old_json: HashMap<&str, String> = changed
        .iter()
        .filter_map(|r| {
            old.get(r.code.as_str()).map(|b| {
                (
                    r.code.as_str(),
                    serde_json::to_string(b).unwrap_or_default(),
                )
            })
        })
        .collect();
    let entries: Vec<audit::Change<'_>> = changed
        .iter()
        .map(|r| audit::Change {
            actor: cx.who(),
            action: if old.contains_key(r.code.as_str()) {
                "unit_update"
            } else {
                "unit_create"
            },
            entity: "unit",
            entity_id: &r.code,
            old_value: old_json.get(r.code.as_str()).cloned(),
            new_value: Some(serde_json::to_string(r).unwrap_or_default()),
            ..Default::default()
        })
        .collect();
    audit::write_many(tx, &entries).await?;
    Ok(summary)
}

/// Whether the actor may add units under `parent_code` (for the admin page).
pub async fn may_add_under(cx: &Ctx, parent_code: &str) -> CoreResult<bool> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let p = units_repo::by_code(&mut tx, parent_code).await?;
        let lineage = units_repo::lineage(&mut tx, p.id).await?;
        Ok(access::may_place_unit(cx.actor(), None, Some(&lineage)))
    }
    .await;
    tx.finish(r).await
}

/// Refuses unless the actor administers somewhere (admin pages).
pub fn require_some_admin(cx: &Ctx) -> CoreResult<()> {
    if cx.actor().has_role(Role::Admin) {
        Ok(())
    } else {
        Err(forbidden())
    }
}
