//! Units: import/export, listing and search, lineage, succession.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use chrono::NaiveDate;
use qcdc_core::unit::{self, Succession, UnitKind, UnitRecord};
use qcdc_core::{CoreError, CoreResult, text};
use serde::Serialize;
use sqlx::{Any, Transaction};

use crate::audit::audit;
use crate::db::{
    DbResult, Store, Val, bulk_insert, get_i64, get_opt_i64, get_opt_str, get_str, now,
};

/// A stored unit.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub kind_label: &'static str,
    pub parent_id: Option<i64>,
    pub parent_code: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub predecessors: Vec<String>,
    pub succession: Option<Succession>,
    #[serde(skip)]
    pub name_folded: String,
}

impl Unit {
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|t| day <= t)
    }

    pub fn record(&self) -> UnitRecord {
        UnitRecord {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind,
            parent: self.parent_code.clone(),
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            predecessors: self.predecessors.clone(),
            succession: self.succession,
        }
    }
}

/// Filters for listing units.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Words matched in code or name, with or without diacritics.
    pub q: Option<String>,
    pub active_on: Option<NaiveDate>,
    pub kind: Option<UnitKind>,
    /// Only units below this one (itself excluded).
    pub under: Option<String>,
}

/// What an import changed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    pub received: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

fn parse_day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
}

impl Store {
    /// Every unit, in Vietnamese order of name.
    pub async fn all_units(&self) -> CoreResult<Vec<Unit>> {
        let rows = sqlx::query(
            "SELECT u.id, u.code, u.name, u.name_folded, u.kind, u.parent_id, p.code AS parent_code, u.valid_from, u.valid_to, u.succession
             FROM units u LEFT JOIN units p ON p.id = u.parent_id",
        )
        .fetch_all(&self.pool)
        .await
        .db()?;
        let preds = sqlx::query("SELECT x.unit_id, p.code FROM unit_predecessors x JOIN units p ON p.id = x.predecessor_id ORDER BY p.code")
            .fetch_all(&self.pool)
            .await
            .db()?;
        let mut pred_map: HashMap<i64, Vec<String>> = HashMap::new();
        for r in &preds {
            pred_map
                .entry(get_i64(r, "unit_id"))
                .or_default()
                .push(get_str(r, "code"));
        }
        let mut units: Vec<Unit> = rows
            .iter()
            .map(|r| {
                let id = get_i64(r, "id");
                let kind = UnitKind::parse(&get_str(r, "kind")).unwrap_or(UnitKind::Agency);
                Unit {
                    id,
                    code: get_str(r, "code"),
                    name: get_str(r, "name"),
                    name_folded: get_str(r, "name_folded"),
                    kind,
                    kind_label: kind.label_vi(),
                    parent_id: get_opt_i64(r, "parent_id"),
                    parent_code: get_opt_str(r, "parent_code"),
                    valid_from: parse_day(&get_str(r, "valid_from")),
                    valid_to: get_opt_str(r, "valid_to").map(|s| parse_day(&s)),
                    predecessors: pred_map.remove(&id).unwrap_or_default(),
                    succession: get_opt_str(r, "succession").and_then(|s| Succession::parse(&s)),
                }
            })
            .collect();
        text::sort_vi(&mut units, |u| &u.name);
        Ok(units)
    }

    /// Units matching a filter, in Vietnamese order.
    pub async fn units(&self, f: &UnitFilter) -> CoreResult<Vec<Unit>> {
        let mut units = self.all_units().await?;
        let under: Option<HashSet<i64>> = match &f.under {
            Some(code) => {
                let root = self.unit(code).await?;
                Some(
                    self.descendants(root.id)
                        .await?
                        .into_iter()
                        .filter(|&d| d != root.id)
                        .collect(),
                )
            }
            None => None,
        };
        let q =
            f.q.as_deref()
                .map(text::fold)
                .filter(|q| !q.trim().is_empty());
        units.retain(|u| {
            f.active_on.is_none_or(|d| u.active_on(d))
                && f.kind.is_none_or(|k| u.kind == k)
                && under.as_ref().is_none_or(|s| s.contains(&u.id))
                && q.as_ref().is_none_or(|q| {
                    let hay = format!("{} {}", u.name_folded, u.code.to_lowercase());
                    q.split_whitespace().all(|w| hay.contains(w))
                })
        });
        Ok(units)
    }

    pub async fn unit(&self, code: &str) -> CoreResult<Unit> {
        self.find_unit("u.code = $1", |q| q.bind(code.to_string()))
            .await?
            .ok_or_else(|| {
                CoreError::new(
                    qcdc_core::ErrorCode::UnknownUnit,
                    format!("Không tìm thấy đơn vị có mã «{code}»"),
                )
            })
    }

    pub async fn unit_by_id(&self, id: i64) -> CoreResult<Unit> {
        self.find_unit("u.id = $1", |q| q.bind(id))
            .await?
            .ok_or_else(|| CoreError::not_found(format!("đơn vị #{id}")))
    }

    async fn find_unit<'a>(
        &self,
        cond: &str,
        bind: impl FnOnce(
            sqlx::query::Query<'a, Any, sqlx::any::AnyArguments>,
        ) -> sqlx::query::Query<'a, Any, sqlx::any::AnyArguments>,
    ) -> CoreResult<Option<Unit>> {
        let sql = format!(
            "SELECT u.id, u.code, u.name, u.name_folded, u.kind, u.parent_id, p.code AS parent_code, u.valid_from, u.valid_to, u.succession
             FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE {cond}"
        );
        let row = bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
            .fetch_optional(&self.pool)
            .await
            .db()?;
        let Some(r) = row else { return Ok(None) };
        let id = get_i64(&r, "id");
        let preds = sqlx::query("SELECT p.code FROM unit_predecessors x JOIN units p ON p.id = x.predecessor_id WHERE x.unit_id = $1 ORDER BY p.code")
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .db()?;
        let kind = UnitKind::parse(&get_str(&r, "kind")).unwrap_or(UnitKind::Agency);
        Ok(Some(Unit {
            id,
            code: get_str(&r, "code"),
            name: get_str(&r, "name"),
            name_folded: get_str(&r, "name_folded"),
            kind,
            kind_label: kind.label_vi(),
            parent_id: get_opt_i64(&r, "parent_id"),
            parent_code: get_opt_str(&r, "parent_code"),
            valid_from: parse_day(&get_str(&r, "valid_from")),
            valid_to: get_opt_str(&r, "valid_to").map(|s| parse_day(&s)),
            predecessors: preds.iter().map(|p| get_str(p, "code")).collect(),
            succession: get_opt_str(&r, "succession").and_then(|s| Succession::parse(&s)),
        }))
    }

    /// The unit and its ancestors, nearest first.
    pub async fn lineage(&self, unit_id: i64) -> CoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT ancestor_id FROM unit_closure WHERE descendant_id = $1 ORDER BY depth",
        )
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await
        .db()?;
        Ok(rows.iter().map(|r| get_i64(r, "ancestor_id")).collect())
    }

    /// The unit and everything below it.
    pub async fn descendants(&self, unit_id: i64) -> CoreResult<Vec<i64>> {
        let rows = sqlx::query("SELECT descendant_id FROM unit_closure WHERE ancestor_id = $1")
            .bind(unit_id)
            .fetch_all(&self.pool)
            .await
            .db()?;
        Ok(rows.iter().map(|r| get_i64(r, "descendant_id")).collect())
    }

    /// Direct children, in Vietnamese order.
    pub async fn children(&self, unit_id: i64) -> CoreResult<Vec<Unit>> {
        // only the children, not the whole tree: this runs on every consolidation page
        let rows = sqlx::query("SELECT code FROM units WHERE parent_id = $1")
            .bind(unit_id)
            .fetch_all(&self.pool)
            .await
            .db()?;
        let mut v = Vec::with_capacity(rows.len());
        for r in &rows {
            v.push(self.unit(&get_str(r, "code")).await?);
        }
        text::sort_vi(&mut v, |u| &u.name);
        Ok(v)
    }

    /// The units that `unit_id` came from and that existed on `day`, following
    /// succession links backwards. The flag is true when some link was a split, so
    /// the comparison covers more than the unit's own territory.
    pub async fn predecessors_on(
        &self,
        unit_id: i64,
        day: NaiveDate,
    ) -> CoreResult<(Vec<i64>, bool)> {
        let mut out = BTreeSet::new();
        let mut approximate = false;
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([unit_id]);
        while let Some(id) = queue.pop_front() {
            if !seen.insert(id) {
                continue;
            }
            // a handful of lookups along the succession chain, not the whole tree
            let Ok(u) = self.unit_by_id(id).await else {
                continue;
            };
            if u.active_on(day) {
                out.insert(id);
                continue;
            }
            if u.succession == Some(Succession::Split) {
                approximate = true;
            }
            for p in &u.predecessors {
                if let Ok(pu) = self.unit(p).await {
                    queue.push_back(pu.id);
                }
            }
        }
        Ok((out.into_iter().collect(), approximate))
    }

    /// Every unit as import records (parents before children), for export.
    pub async fn unit_records(&self) -> CoreResult<Vec<UnitRecord>> {
        let units = self.all_units().await?;
        let by_id: HashMap<i64, &Unit> = units.iter().map(|u| (u.id, u)).collect();
        let depth = |u: &Unit| {
            let mut d = 0;
            let mut cur = u.parent_id;
            while let Some(p) = cur {
                d += 1;
                cur = by_id.get(&p).and_then(|x| x.parent_id);
                if d > 64 {
                    break;
                }
            }
            d
        };
        let mut v: Vec<(usize, &Unit)> = units.iter().map(|u| (depth(u), u)).collect();
        v.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.valid_from.cmp(&b.1.valid_from))
                .then(a.1.code.cmp(&b.1.code))
        });
        Ok(v.into_iter().map(|(_, u)| u.record()).collect())
    }

    /// Imports units (create or update by code). The file is checked whole against
    /// the stored tree; with any problem nothing is written.
    pub async fn import_units(
        &self,
        incoming: Vec<(usize, UnitRecord)>,
        actor: &str,
    ) -> CoreResult<ImportSummary> {
        let mut incoming = incoming;
        for (_, r) in &mut incoming {
            r.name = text::nfc(r.name.trim());
            r.code = r.code.trim().to_string();
        }
        let existing = self.unit_records().await?;
        let changed = unit::check_import(&existing, &incoming).map_err(unit::import_error)?;
        let existing_codes: HashSet<&str> = existing.iter().map(|r| r.code.as_str()).collect();
        let created = changed
            .iter()
            .filter(|r| !existing_codes.contains(r.code.as_str()))
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
        let old: HashMap<&str, &UnitRecord> =
            existing.iter().map(|r| (r.code.as_str(), r)).collect();
        let mut tx = self.write_tx().await?;
        let at = now();
        // pass 1: rows without links
        let new_rows: Vec<Vec<Val>> = changed
            .iter()
            .filter(|r| !existing_codes.contains(r.code.as_str()))
            .map(|r| {
                vec![
                    Val::S(r.code.clone()),
                    Val::S(r.name.clone()),
                    Val::S(text::fold(&r.name)),
                    Val::S(r.kind.as_str().into()),
                    Val::S(r.valid_from.to_string()),
                    r.valid_to.map_or(Val::Null, |d| Val::S(d.to_string())),
                    r.succession
                        .map_or(Val::Null, |s| Val::S(s.as_str().into())),
                    Val::S(at.clone()),
                ]
            })
            .collect();
        bulk_insert(
            &mut tx,
            "units",
            &[
                "code",
                "name",
                "name_folded",
                "kind",
                "valid_from",
                "valid_to",
                "succession",
                "updated_at",
            ],
            &new_rows,
            "",
        )
        .await?;
        for r in changed
            .iter()
            .filter(|r| existing_codes.contains(r.code.as_str()))
        {
            sqlx::query("UPDATE units SET name = $1, name_folded = $2, kind = $3, valid_from = $4, valid_to = $5, succession = $6, updated_at = $7 WHERE code = $8")
                .bind(r.name.clone())
                .bind(text::fold(&r.name))
                .bind(r.kind.as_str())
                .bind(r.valid_from.to_string())
                .bind(r.valid_to.map(|d| d.to_string()))
                .bind(r.succession.map(|s| s.as_str().to_string()))
                .bind(at.clone())
                .bind(r.code.clone())
                .execute(&mut *tx)
                .await
                .db()?;
        }
        // pass 2: parents and predecessors, now that every code has an id
        let ids: HashMap<String, i64> = sqlx::query("SELECT id, code FROM units")
            .fetch_all(&mut *tx)
            .await
            .db()?
            .iter()
            .map(|r| (get_str(r, "code"), get_i64(r, "id")))
            .collect();
        let mut parent_changed = created > 0;
        let mut pred_rows = Vec::new();
        for r in &changed {
            let id = ids[&r.code];
            let before = old.get(r.code.as_str());
            if before.is_none_or(|b| b.parent != r.parent) {
                parent_changed = true;
                sqlx::query("UPDATE units SET parent_id = $1 WHERE id = $2")
                    .bind(r.parent.as_ref().map(|p| ids[p]))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .db()?;
            }
            if before.is_none_or(|b| b.predecessors != r.predecessors) {
                sqlx::query("DELETE FROM unit_predecessors WHERE unit_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .db()?;
                for p in &r.predecessors {
                    pred_rows.push(vec![Val::I(id), Val::I(ids[p])]);
                }
            }
            audit(
                &mut tx,
                actor,
                if before.is_some() {
                    "unit_update"
                } else {
                    "unit_create"
                },
                "unit",
                &r.code,
                None,
                before.map(|b| serde_json::to_string(b).unwrap_or_default()),
                Some(serde_json::to_string(r).unwrap_or_default()),
            )
            .await?;
        }
        bulk_insert(
            &mut tx,
            "unit_predecessors",
            &["unit_id", "predecessor_id"],
            &pred_rows,
            "",
        )
        .await?;
        if parent_changed {
            rebuild_closure(&mut tx).await?;
            let rounds = sqlx::query("SELECT id FROM rounds")
                .fetch_all(&mut *tx)
                .await
                .db()?;
            for r in rounds {
                crate::consolidation::rebuild_rollup(&mut tx, get_i64(&r, "id")).await?;
                crate::consolidation::rebuild_status_rollup(&mut tx, get_i64(&r, "id")).await?;
            }
        }
        tx.commit().await.db()?;
        Ok(summary)
    }
}

/// Recomputes `unit_closure` from `units.parent_id`.
pub(crate) async fn rebuild_closure(tx: &mut Transaction<'_, Any>) -> CoreResult<()> {
    let rows = sqlx::query("SELECT id, parent_id FROM units")
        .fetch_all(&mut **tx)
        .await
        .db()?;
    let parent: HashMap<i64, Option<i64>> = rows
        .iter()
        .map(|r| (get_i64(r, "id"), get_opt_i64(r, "parent_id")))
        .collect();
    let mut out = Vec::with_capacity(parent.len() * 4);
    for &id in parent.keys() {
        let mut depth = 0;
        let mut cur = Some(id);
        while let Some(c) = cur {
            out.push(vec![Val::I(c), Val::I(id), Val::I(depth)]);
            depth += 1;
            cur = parent.get(&c).copied().flatten();
            if depth > 64 {
                break;
            }
        }
    }
    sqlx::query("DELETE FROM unit_closure")
        .execute(&mut **tx)
        .await
        .db()?;
    bulk_insert(
        tx,
        "unit_closure",
        &["ancestor_id", "descendant_id", "depth"],
        &out,
        "",
    )
    .await
}
