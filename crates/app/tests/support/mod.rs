//! Test support: the use cases called the way the first release's store tests
//! called them (name of the actor as a string, the command line's rights), so
//! those tests keep their assertions while exercising the use-case layer.
//! Permissions are tested separately (route × role matrices).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use qcdc_app::consolidation;
use qcdc_app::rounds::{self, NewRound};
use qcdc_app::submissions::{self, DraftChange, History};
use qcdc_app::units::{self, UnitQuery};
use qcdc_app::views::{
    ChildTotals, ConsolidationView, NarrativeEntry, RoundStatusView, RoundView, SubmissionView,
    TemplateInfo,
};
use qcdc_app::{
    App, AppOptions, Ctx, PageReq, RecipientFilter, Unit, auth, maintenance, templates, users,
};
use qcdc_core::CoreResult;
use qcdc_core::access::Role;
use qcdc_core::consolidate::{Row, Totals, UnitValue};
use qcdc_core::round::{RoundState, StatusCounts};
use qcdc_core::template::Aggregate;
use qcdc_core::unit::UnitRecord;

pub struct S {
    pub app: App,
}

/// The units filter of the first release's tests.
#[derive(Default)]
pub struct UnitFilter {
    pub q: Option<String>,
    pub active_on: Option<NaiveDate>,
    pub under: Option<String>,
}

/// A consolidation with its per-unit values and narrative (all pages) attached.
pub struct Consolidation {
    pub view: ConsolidationView,
    pub rows: Vec<Row>,
    pub completeness: StatusCounts,
    pub children: Vec<ChildTotals>,
    pub narrative: Vec<NarrativeEntry>,
    pub previous_units: Vec<String>,
}

pub fn templates_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates")
}

impl S {
    pub async fn open(url: &str) -> S {
        S {
            app: App::open(url, &AppOptions::default()).await.unwrap(),
        }
    }

    pub fn as_(&self, who: &str) -> Ctx {
        self.app.system(who)
    }

    pub async fn load_template_dir(&self, dir: &Path, who: &str) -> CoreResult<()> {
        templates::load_files(&self.as_(who), &templates::read_dir(dir)?)
            .await
            .map(|_| ())
    }

    pub async fn import_template(&self, src: &str, who: &str) -> CoreResult<TemplateInfo> {
        templates::import(&self.as_(who), src).await
    }

    pub async fn list_templates(&self) -> CoreResult<Vec<TemplateInfo>> {
        templates::list(&self.as_("test")).await
    }

    pub async fn import_units(
        &self,
        recs: Vec<(usize, UnitRecord)>,
        who: &str,
    ) -> CoreResult<qcdc_app::views::ImportSummary> {
        units::import(&self.as_(who), recs).await
    }

    pub async fn all_units(&self) -> CoreResult<Vec<Unit>> {
        units::all(&self.as_("test"), &UnitQuery::default()).await
    }

    pub async fn units(&self, f: &UnitFilter) -> CoreResult<Vec<Unit>> {
        units::all(
            &self.as_("test"),
            &UnitQuery {
                q: f.q.clone(),
                active_on: f.active_on,
                kinds: vec![],
                under: f.under.clone(),
            },
        )
        .await
    }

    pub async fn unit(&self, code: &str) -> CoreResult<Unit> {
        Ok(units::get(&self.as_("test"), code).await?.unit)
    }

    pub async fn unit_records(&self) -> CoreResult<Vec<UnitRecord>> {
        units::export(&self.as_("test")).await
    }

    pub async fn predecessors_on(&self, id: i64, day: NaiveDate) -> CoreResult<(Vec<i64>, bool)> {
        let code = self
            .all_units()
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .unwrap()
            .code;
        let (units, approx) = units::predecessors_on(&self.as_("test"), &code, day).await?;
        Ok((units.into_iter().map(|u| u.id).collect(), approx))
    }

    pub async fn create_round(
        &self,
        r: &NewRound,
        who: &str,
        today: NaiveDate,
    ) -> CoreResult<RoundView> {
        rounds::create(&self.as_(who), r, today).await
    }

    pub async fn list_rounds(
        &self,
        issuer: Option<&str>,
        _recipient: Option<&str>,
    ) -> CoreResult<Vec<RoundView>> {
        let page = rounds::list(&self.as_("test"), false, PageReq::all(), self.app.today()).await?;
        Ok(page
            .items
            .into_iter()
            .map(|s| s.round)
            .filter(|r| issuer.is_none_or(|i| r.issuer_code == i))
            .collect())
    }

    pub async fn set_round_status(&self, id: i64, open: bool, who: &str) -> CoreResult<RoundView> {
        rounds::set_state(
            &self.as_(who),
            id,
            if open {
                RoundState::Open
            } else {
                RoundState::Closed
            },
        )
        .await
    }

    pub async fn round_status(
        &self,
        id: i64,
        unit: Option<&str>,
        today: NaiveDate,
    ) -> CoreResult<RoundStatusView> {
        rounds::status(
            &self.as_("test"),
            id,
            unit,
            &RecipientFilter::default(),
            PageReq::all(),
            today,
        )
        .await
    }

    pub async fn submission(&self, r: i64, unit: &str) -> CoreResult<SubmissionView> {
        submissions::view(&self.as_("test"), r, unit).await
    }

    pub async fn save_draft(
        &self,
        r: i64,
        unit: &str,
        c: &DraftChange,
        who: &str,
    ) -> CoreResult<SubmissionView> {
        submissions::save_draft(&self.as_(who), r, unit, c).await
    }

    pub async fn submit(
        &self,
        r: i64,
        unit: &str,
        who: &str,
        at: DateTime<Utc>,
    ) -> CoreResult<SubmissionView> {
        submissions::submit(&self.as_(who), r, unit, at).await
    }

    pub async fn return_submission(
        &self,
        r: i64,
        unit: &str,
        reason: &str,
        who: &str,
    ) -> CoreResult<SubmissionView> {
        submissions::return_report(&self.as_(who), r, unit, reason).await
    }

    pub async fn accept(&self, r: i64, unit: &str, who: &str) -> CoreResult<SubmissionView> {
        submissions::accept(&self.as_(who), r, unit).await
    }

    pub async fn start_correction(
        &self,
        r: i64,
        unit: &str,
        reason: &str,
        who: &str,
    ) -> CoreResult<SubmissionView> {
        submissions::start_correction(&self.as_(who), r, unit, reason).await
    }

    pub async fn submission_history(
        &self,
        r: i64,
        unit: &str,
    ) -> CoreResult<(Vec<qcdc_app::views::VersionInfo>, Vec<qcdc_app::AuditEntry>)> {
        let h: History = submissions::history(&self.as_("test"), r, unit, PageReq::all()).await?;
        let mut audit = h.audit.items;
        audit.reverse();
        Ok((h.versions, audit))
    }

    pub async fn consolidate(&self, r: i64, unit: Option<&str>) -> CoreResult<Consolidation> {
        let cx = self.as_("test");
        let view = consolidation::get(&cx, r, unit, None, PageReq::all(), self.app.today()).await?;
        let round = rounds::get(&cx, r).await?;
        let (_, t) =
            templates::get(&cx, &round.template_code, Some(round.template_version)).await?;
        let mut rows = view.rows.clone();
        for row in &mut rows {
            if row.aggregate == Aggregate::None && row.units_reporting > 0 {
                let p = consolidation::per_unit(&cx, r, &view.unit_code, &row.code, PageReq::all())
                    .await?;
                row.per_unit = p
                    .values
                    .items
                    .into_iter()
                    .map(|l| UnitValue {
                        unit_code: l.unit_code,
                        unit_name: l.unit_name,
                        value: l.value,
                        display: l.display,
                    })
                    .collect();
            }
        }
        let _ = t;
        let narrative = consolidation::narrative(&cx, r, &view.unit_code, None, PageReq::all())
            .await?
            .sections;
        Ok(Consolidation {
            rows,
            completeness: view.completeness.clone(),
            children: view.children.items.clone(),
            previous_units: view.previous_units.clone(),
            narrative,
            view,
        })
    }

    pub async fn adopt(
        &self,
        r: i64,
        unit: &str,
        parent: i64,
        who: &str,
    ) -> CoreResult<SubmissionView> {
        consolidation::adopt(&self.as_(who), r, unit, parent).await
    }

    pub async fn create_user(
        &self,
        username: &str,
        name: &str,
        password: &str,
        roles: &[(Role, String)],
        who: &str,
    ) -> CoreResult<i64> {
        users::create(
            &self.as_(who),
            &users::NewUser {
                username: username.into(),
                full_name: name.into(),
                password: password.into(),
                roles: roles.to_vec(),
            },
        )
        .await
    }

    pub async fn grant_role(
        &self,
        username: &str,
        role: Role,
        unit: &str,
        who: &str,
    ) -> CoreResult<()> {
        users::grant(&self.as_(who), username, role, unit).await
    }

    pub async fn verify_password(
        &self,
        username: &str,
        password: &str,
    ) -> CoreResult<qcdc_app::Actor> {
        Ok(auth::verify_password(&self.app, username, password)
            .await?
            .actor()
            .clone())
    }

    pub async fn issue_token(&self, user_id: i64, hours: i64) -> CoreResult<String> {
        // a token for the user behind `user_id`, issued as that user would be
        let users = users::list(&self.as_("test"), None, PageReq::all()).await?;
        let u = users.items.into_iter().find(|u| u.id == user_id).unwrap();
        auth::issue_for_user(&self.as_("test"), &u.username, hours).await
    }

    pub async fn actor_for_token(&self, token: &str) -> CoreResult<qcdc_app::Actor> {
        Ok(auth::from_token(&self.app, token).await?.actor().clone())
    }

    pub async fn close(&self) {
        self.app.close().await;
    }

    pub async fn bench_consolidate_qcdc(
        &self,
        r: i64,
        ids: &[i64],
    ) -> CoreResult<HashMap<i64, (Totals, StatusCounts)>> {
        maintenance::consolidate_running(&self.as_("test"), r, ids, self.app.today()).await
    }

    pub async fn bench_consolidate_cte(
        &self,
        r: i64,
        ids: &[i64],
    ) -> CoreResult<HashMap<i64, (Totals, StatusCounts)>> {
        maintenance::consolidate_recomputed(&self.as_("test"), r, ids, self.app.today()).await
    }
}

/// Sum indicators of a totals map as plain numbers, for comparing the two methods.
pub fn flatten(t: &Totals) -> std::collections::BTreeMap<String, i64> {
    t.sums.iter().map(|(k, (v, _))| (k.clone(), *v)).collect()
}
