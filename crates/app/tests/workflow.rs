//! The reporting core end to end through the use-case layer, run against both
//! SQLite and a throwaway PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_core::ErrorCode;
use qcdc_core::access::Role;
use qcdc_core::unit::UnitKind;
use qcdc_core::workflow::Status;
use qcdc_store_test_support::*;
use qcdc_testkit::{fresh_pg_database, fresh_sqlite_database, rec, sample_tree as tree};
use support::{S as Store, UnitFilter, flatten, templates_dir};

mod support;

mod qcdc_store_test_support {
    use super::*;

    pub fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub async fn setup(url: &str) -> Store {
        let s = Store::open(url).await;
        s.load_template_dir(&templates_dir(), "test").await.unwrap();
        s.import_units(tree(), "test").await.unwrap();
        s
    }

    pub fn round(period: &str, units: &[&str], deadline: &str) -> NewRound {
        NewRound {
            confirm: false,
            title: format!("Báo cáo QCDC {period}"),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: period.parse().unwrap(),
            issuer: "T".into(),
            deadline: d(deadline),
            letter: String::new(),
            recipients: RecipientSelector {
                kinds: vec![],
                max_depth: None,
                units: units.iter().map(|s| s.to_string()).collect(),
            },
        }
    }

    pub fn change(
        values: &[(&str, i64)],
        sections: &[(&str, &str)],
    ) -> qcdc_app::submissions::DraftChange {
        qcdc_app::submissions::DraftChange {
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), Some(v * 1000)))
                .collect(),
            sections: sections
                .iter()
                .map(|(k, v)| (k.to_string(), Some(v.to_string())))
                .collect(),
            reasons: Default::default(),
        }
    }

    pub const SECTIONS: &[(&str, &str)] = &[
        ("I", "Đặc điểm tình hình"),
        ("II.1", "Cấp ủy"),
        ("II.2", "Chính quyền"),
        ("II.3", "Mặt trận"),
        ("II.4", "Ban Chỉ đạo"),
        ("IV.1", "Kết quả"),
        ("IV.2", "Hạn chế"),
        ("IV.3", "Nguyên nhân"),
        ("V.1", "Nhiệm vụ"),
    ];

    /// Draft, submit and accept a report in one go.
    pub async fn report(s: &Store, round: i64, unit: &str, values: &[(&str, i64)]) {
        let mut values = values.to_vec();
        if !values.iter().any(|(k, _)| *k == "vb_tong") {
            values.push(("vb_tong", 0));
        }
        s.save_draft(round, unit, &change(&values, SECTIONS), "reporter")
            .await
            .unwrap();
        s.submit(
            round,
            unit,
            "reporter",
            Utc.with_ymd_and_hms(2026, 6, 1, 3, 0, 0).unwrap(),
        )
        .await
        .unwrap();
        s.accept(round, unit, "office").await.unwrap();
    }
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(&super::fresh_sqlite_database()).await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(&super::fresh_pg_database()).await } )* }
    };
}

both_backends!(
    units_import_is_all_or_nothing,
    round_creation_checks,
    submission_lifecycle_with_audit,
    consolidation_live_with_succession_and_adoption,
    template_in_use_is_immutable,
    users_and_tokens,
    reopening_keeps_everything,
    narrative_read_against_the_form
);

/// The report page's checker reads the narrative against the report's own figures:
/// a number in the text that differs from the form is shown to writer and reviewer.
async fn narrative_read_against_the_form(url: &str) {
    let s = setup(url).await;
    let r = s
        .create_round(
            &round("2026-H1", &["N1"], "2026-06-20"),
            "office",
            d("2026-05-01"),
        )
        .await
        .unwrap()
        .id;
    let text = "Trong 6 tháng, tiếp nhận 52 đơn thư của công dân.";
    let v = s
        .save_draft(
            r,
            "N1",
            &change(&[("dt_tiep_nhan", 50)], &[("III.1", text)]),
            "rep",
        )
        .await
        .unwrap();
    let found: Vec<_> = v
        .narrative_findings
        .iter()
        .filter(|f| f.section == "III.1")
        .map(|f| f.finding.message.clone())
        .collect();
    assert!(
        found.iter().any(|m| m.contains("52") && m.contains("50")),
        "{found:?}"
    );
    // the same figure in both: quiet
    let v = s
        .save_draft(r, "N1", &change(&[("dt_tiep_nhan", 52)], &[]), "rep")
        .await
        .unwrap();
    assert!(
        v.narrative_findings.iter().all(|f| f.section != "III.1"),
        "{:?}",
        v.narrative_findings
    );
}

async fn units_import_is_all_or_nothing(url: &str) {
    let s = setup(url).await;
    assert_eq!(s.all_units().await.unwrap().len(), 8);
    // a bad file: one good new unit, one unknown parent, one duplicate
    let bad = vec![
        (
            2,
            rec(
                "N3",
                "Phường Mới",
                UnitKind::Ward,
                Some("T"),
                "2025-07-01",
                None,
                &[],
                None,
            ),
        ),
        (
            3,
            rec(
                "N4",
                "Phường Lạ",
                UnitKind::Ward,
                Some("KHONG_CO"),
                "2025-07-01",
                None,
                &[],
                None,
            ),
        ),
        (
            4,
            rec(
                "N3",
                "Phường Trùng",
                UnitKind::Ward,
                Some("T"),
                "2025-07-01",
                None,
                &[],
                None,
            ),
        ),
    ];
    let e = s.import_units(bad, "test").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidUnits);
    assert_eq!(
        e.problems
            .iter()
            .map(|p| (p.line, p.code))
            .collect::<Vec<_>>(),
        [(3, "unknown_parent"), (4, "duplicate_code")]
    );
    assert_eq!(s.all_units().await.unwrap().len(), 8, "nothing written");
    // re-import of the export changes nothing
    let again: Vec<_> = s
        .unit_records()
        .await
        .unwrap()
        .into_iter()
        .enumerate()
        .collect();
    let sum = s.import_units(again, "test").await.unwrap();
    assert_eq!((sum.created, sum.updated, sum.unchanged), (0, 0, 8));
    // search with or without diacritics, Vietnamese order
    let found = s
        .units(&UnitFilter {
            q: Some("dam rong".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(),
        ["H", "N1", "N2"]
    );
    let active = s
        .units(&UnitFilter {
            active_on: Some(d("2026-01-01")),
            under: Some("T".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        active.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        ["Sở Nội vụ", "Xã Đam Rông 1", "Xã Đam Rông 2"]
    );
    let (preds, approx) = s
        .predecessors_on(s.unit("N1").await.unwrap().id, d("2025-06-14"))
        .await
        .unwrap();
    assert_eq!(preds.len(), 2);
    assert!(!approx);
}

async fn round_creation_checks(url: &str) {
    let s = setup(url).await;
    let today = d("2026-05-01");
    // by kind: the communes active on the cut-off day (14/6/2026) — the new ones only
    let mut r = round("2026-H1", &[], "2026-06-20");
    r.recipients.kinds = vec![UnitKind::Commune];
    let info = s.create_round(&r, "office", today).await.unwrap();
    assert_eq!(info.recipients, 2);
    assert!(info.warnings.is_empty());
    // nested recipients would count twice
    let mut r = round("2025-H1", &["H", "X1"], "2026-06-20");
    r.recipients.kinds = vec![];
    assert_eq!(
        s.create_round(&r, "office", today).await.unwrap_err().code,
        ErrorCode::InvalidRecipients
    );
    // a unit that no longer exists on the cut-off day
    assert_eq!(
        s.create_round(&round("2026-H1", &["X1"], "2026-06-20"), "office", today)
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidRecipients
    );
    // a deadline in the past, and one before the Decree 09 earliest day (a warning)
    assert_eq!(
        s.create_round(&round("2026-H1", &["N1"], "2026-04-01"), "office", today)
            .await
            .unwrap_err()
            .code,
        ErrorCode::DeadlineInPast
    );
    // a deadline before the Decree 09 earliest day, and the same request (issuer,
    // template, period) as an existing round: refused until confirmed
    let refused = s
        .create_round(&round("2026-H1", &["N1"], "2026-06-10"), "office", today)
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::NeedsConfirmation);
    let warnings = refused.details.as_ref().unwrap()["warnings"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].as_str().unwrap().contains("09/2019"));
    assert!(
        warnings[1]
            .as_str()
            .unwrap()
            .contains("cùng mẫu và cùng kỳ")
    );
    let mut confirmed = round("2026-H1", &["N1"], "2026-06-10");
    confirmed.confirm = true;
    let early = s.create_round(&confirmed, "office", today).await.unwrap();
    assert_eq!(early.warnings.len(), 2);
    // a template meant for half-years cannot serve a quarter
    assert_eq!(
        s.create_round(&round("2026-Q2", &["N1"], "2026-06-30"), "office", today)
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidPeriod
    );
    assert_eq!(s.list_rounds(Some("T"), None).await.unwrap().len(), 2);
}

async fn submission_lifecycle_with_audit(url: &str) {
    let s = setup(url).await;
    let r = s
        .create_round(
            &round("2026-H1", &["N1", "N2", "S1"], "2026-06-20"),
            "office",
            d("2026-05-01"),
        )
        .await
        .unwrap()
        .id;
    // a draft with a slip: parts do not add up to the whole
    let v = s
        .save_draft(
            r,
            "N1",
            &change(
                &[
                    ("vb_tong", 41),
                    ("vb_cap_uy", 20),
                    ("vb_chinh_quyen", 5),
                    ("vb_bcd", 17),
                ],
                &[("I", "Tình hình")],
            ),
            "rep",
        )
        .await
        .unwrap();
    assert_eq!(v.status, Status::Draft);
    assert!(v.findings.iter().any(|f| {
        f.rule == "vb_tong.tong_thanh_phan"
            && f.indicators
                .iter()
                .any(|i| i.name == "Văn bản của Ban Chỉ đạo")
    }));
    let at = Utc.with_ymd_and_hms(2026, 6, 19, 10, 0, 0).unwrap();
    let e = s.submit(r, "N1", "rep", at).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert!(e.details.is_some());
    assert_eq!(
        s.submission(r, "N1").await.unwrap().status,
        Status::Draft,
        "refused submit changes nothing"
    );
    // fix and submit before the deadline
    s.save_draft(r, "N1", &change(&[("vb_bcd", 16)], SECTIONS), "rep")
        .await
        .unwrap();
    let v = s.submit(r, "N1", "rep", at).await.unwrap();
    assert_eq!((v.status, v.on_time), (Status::Submitted, Some(true)));
    assert_eq!(
        s.submit(r, "N1", "rep", at).await.unwrap_err().code,
        ErrorCode::InvalidTransition,
        "double submit"
    );
    assert_eq!(
        s.save_draft(r, "N1", &change(&[("vb_bcd", 1)], &[]), "rep")
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidTransition
    );
    // returned with a reason, fixed, resubmitted after the deadline: still on time (first submission counts)
    assert_eq!(
        s.return_submission(r, "N1", "  ", "office")
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    let v = s
        .return_submission(r, "N1", "Thiếu số liệu tiếp công dân", "office")
        .await
        .unwrap();
    assert_eq!(
        v.return_reason.as_deref(),
        Some("Thiếu số liệu tiếp công dân")
    );
    s.save_draft(
        r,
        "N1",
        &change(
            &[
                ("tcd_luot", 12),
                ("tcd_dinh_ky", 10),
                ("tcd_dot_xuat", 2),
                ("tcd_nguoi", 15),
            ],
            &[],
        ),
        "rep",
    )
    .await
    .unwrap();
    let late = Utc.with_ymd_and_hms(2026, 6, 25, 10, 0, 0).unwrap();
    assert_eq!(
        s.submit(r, "N1", "rep", late).await.unwrap().on_time,
        Some(true)
    );
    let v = s.accept(r, "N1", "office").await.unwrap();
    assert_eq!((v.status, v.version), (Status::Accepted, 1));
    // accepted data is immutable; a correction is a new version with a reason
    assert_eq!(
        s.save_draft(r, "N1", &change(&[("vb_tong", 1)], &[]), "rep")
            .await
            .unwrap_err()
            .code,
        ErrorCode::SubmissionLocked
    );
    assert_eq!(
        s.start_correction(r, "N1", "", "rep")
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    let v = s
        .start_correction(r, "N1", "Bổ sung văn bản ban hành cuối kỳ", "rep")
        .await
        .unwrap();
    assert_eq!((v.status, v.version), (Status::Draft, 2));
    assert_eq!(
        v.values["vb_tong"], 41.0,
        "correction starts from the accepted figures"
    );
    // until the correction is accepted, the old figures count
    assert_eq!(
        s.consolidate(r, None)
            .await
            .unwrap()
            .rows
            .iter()
            .find(|x| x.code == "vb_tong")
            .unwrap()
            .value,
        Some(41.0)
    );
    s.save_draft(
        r,
        "N1",
        &change(&[("vb_tong", 42), ("vb_bcd", 17)], &[]),
        "rep",
    )
    .await
    .unwrap();
    s.submit(r, "N1", "rep", late).await.unwrap();
    s.accept(r, "N1", "office").await.unwrap();
    assert_eq!(
        s.consolidate(r, None)
            .await
            .unwrap()
            .rows
            .iter()
            .find(|x| x.code == "vb_tong")
            .unwrap()
            .value,
        Some(42.0)
    );
    let (versions, audit) = s.submission_history(r, "N1").await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(
        versions[1].reason.as_deref(),
        Some("Bổ sung văn bản ban hành cuối kỳ")
    );
    let bcd: Vec<_> = audit
        .iter()
        .filter(|a| a.field.as_deref() == Some("vb_bcd"))
        .map(|a| (a.old_value.clone(), a.new_value.clone()))
        .collect();
    assert_eq!(
        bcd,
        [
            (None, Some("17".into())),
            (Some("17".into()), Some("16".into())),
            (Some("16".into()), Some("17".into()))
        ]
    );
    assert!(
        audit
            .iter()
            .any(|a| a.action == "return" && a.actor == "office")
    );
    // status of the round
    let st = s.round_status(r, None, d("2026-06-30")).await.unwrap();
    assert_eq!(
        (
            st.counts.recipients,
            st.counts.accepted,
            st.counts.not_started,
            st.counts.overdue
        ),
        (3, 1, 2, 2)
    );
    assert_eq!(st.counts.completeness_pct, 33.3);
    // unknown indicator or section: refused whole
    assert_eq!(
        s.save_draft(r, "N2", &change(&[("khong_co", 1)], &[]), "rep")
            .await
            .unwrap_err()
            .code,
        ErrorCode::UnknownIndicator
    );
    assert_eq!(
        s.submission(r, "N2").await.unwrap().status,
        Status::NotStarted
    );
    // a closed round takes nothing more
    s.set_round_status(r, false, "office").await.unwrap();
    assert_eq!(
        s.save_draft(r, "N2", &change(&[("vb_tong", 1)], &[]), "rep")
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidTransition
    );
}

async fn consolidation_live_with_succession_and_adoption(url: &str) {
    let s = setup(url).await;
    // last year, in the old tree
    let old = s
        .create_round(
            &round("2025-H1", &["X1", "X2", "X3", "S1"], "2025-06-20"),
            "office",
            d("2025-05-01"),
        )
        .await
        .unwrap()
        .id;
    report(
        &s,
        old,
        "X1",
        &[
            ("tcd_luot", 10),
            ("dt_thuoc_tham_quyen", 10),
            ("dt_da_giai_quyet", 5),
            ("xh_ty_le_ho_ngheo", 3),
        ],
    )
    .await;
    report(
        &s,
        old,
        "X2",
        &[
            ("tcd_luot", 20),
            ("dt_thuoc_tham_quyen", 30),
            ("dt_da_giai_quyet", 30),
        ],
    )
    .await;
    report(&s, old, "X3", &[("tcd_luot", 7)]).await;
    // this year, in the new tree
    let r = s
        .create_round(
            &round("2026-H1", &["N1", "N2", "S1"], "2026-06-20"),
            "office",
            d("2026-05-01"),
        )
        .await
        .unwrap()
        .id;
    report(
        &s,
        r,
        "N1",
        &[
            ("tcd_luot", 40),
            ("dt_thuoc_tham_quyen", 1),
            ("dt_da_giai_quyet", 1),
            ("xh_ty_le_ho_ngheo", 2),
        ],
    )
    .await;
    let c = s.consolidate(r, None).await.unwrap();
    let row = |c: &support::Consolidation, code: &str| {
        c.rows.iter().find(|x| x.code == code).unwrap().clone()
    };
    assert_eq!(row(&c, "tcd_luot").value, Some(40.0));
    // like-for-like by default: N1 (merged from X1 and X2, both reported last year)
    // against X1 + X2; X3, with no successor reporting yet, is left out
    assert_eq!(row(&c, "tcd_luot").compared, Some(40.0));
    assert_eq!(row(&c, "tcd_luot").previous, Some(30.0));
    let cov = c.view.comparison.clone().unwrap();
    assert!(cov.like_for_like);
    assert_eq!(
        (cov.current_reports, cov.previous_reports, cov.matched_units),
        (1, 3, 1)
    );
    // every accepted report on each side, on request, with the coverage stated
    let all = qcdc_app::consolidation::get_with(
        &s.as_("test"),
        r,
        None,
        None,
        qcdc_app::PageReq::all(),
        d("2026-07-01"),
        false,
    )
    .await
    .unwrap();
    let all_row = all.rows.iter().find(|x| x.code == "tcd_luot").unwrap();
    assert_eq!(
        (all_row.value, all_row.compared, all_row.previous),
        (Some(40.0), None, Some(37.0))
    );
    assert!(!all.comparison.unwrap().like_for_like);
    // live: a newly accepted report shows at once
    report(
        &s,
        r,
        "N2",
        &[
            ("tcd_luot", 3),
            ("dt_thuoc_tham_quyen", 3),
            ("dt_da_giai_quyet", 0),
        ],
    )
    .await;
    let c = s.consolidate(r, None).await.unwrap();
    assert_eq!(row(&c, "tcd_luot").value, Some(43.0));
    // ratio from summed parts: (1 + 0) / (1 + 3) = 25 %, not the mean of 100 % and 0 %
    assert_eq!(row(&c, "dt_ty_le_giai_quyet").value, Some(25.0));
    assert_eq!(row(&c, "dt_ty_le_giai_quyet").previous, Some(87.5));
    // non-aggregable: listed per unit
    assert_eq!(row(&c, "xh_ty_le_ho_ngheo").value, None);
    assert_eq!(
        row(&c, "xh_ty_le_ho_ngheo")
            .per_unit
            .iter()
            .map(|u| (u.unit_code.as_str(), u.display.as_str()))
            .collect::<Vec<_>>(),
        [("N1", "2")]
    );
    assert_eq!(
        (c.completeness.accepted, c.completeness.not_started),
        (2, 1)
    );
    assert_eq!(c.children.len(), 3);
    assert_eq!(
        c.narrative
            .iter()
            .find(|n| n.section == "I")
            .unwrap()
            .entries
            .len(),
        2
    );
    // the new commune is compared with the two communes it was merged from
    let n1 = s.consolidate(r, Some("N1")).await.unwrap();
    assert_eq!(row(&n1, "tcd_luot").previous, Some(30.0));
    assert_eq!(n1.previous_units.len(), 2);
    // the totals agree with the plain recursive-CTE baseline
    let t = s.unit("T").await.unwrap().id;
    let a = s.bench_consolidate_qcdc(r, &[t]).await.unwrap();
    let b = s.bench_consolidate_cte(r, &[t]).await.unwrap();
    assert_eq!(flatten(&a[&t].0), flatten(&b[&t].0));
    assert_eq!(a[&t].1, b[&t].1);
    // adoption: the province's totals become its draft in the centre's round
    let centre = vec![(
        2,
        rec(
            "TW",
            "Ban Chỉ đạo Trung ương",
            UnitKind::Central,
            None,
            "2000-01-01",
            None,
            &[],
            None,
        ),
    )];
    s.import_units(centre, "test").await.unwrap();
    let mut moved = s
        .unit_records()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.code == "T")
        .unwrap();
    moved.parent = Some("TW".into());
    s.import_units(vec![(2, moved)], "test").await.unwrap();
    // a tree change keeps running totals right
    assert_eq!(
        row(&s.consolidate(r, None).await.unwrap(), "tcd_luot").value,
        Some(43.0)
    );
    let mut up = round("2026-H1", &["T"], "2026-06-25");
    up.issuer = "TW".into();
    let up = s
        .create_round(&up, "centre", d("2026-05-01"))
        .await
        .unwrap()
        .id;
    // a stale figure typed into the draft by hand before adopting
    s.save_draft(up, "T", &change(&[("vb_bcd", 99)], &[]), "office")
        .await
        .unwrap();
    // the office's edited consolidated narrative goes up with the figures
    let office = s.as_("office");
    qcdc_app::documents::save_consolidated_draft(
        &office,
        r,
        Some("T"),
        &[(
            "IV.1".to_string(),
            "Toàn tỉnh tiếp 43 lượt công dân (tổng hợp đã biên tập).".to_string(),
        )]
        .into(),
    )
    .await
    .unwrap();
    // first the preview: old → new for every figure, nothing written
    let (lines, fp) = qcdc_app::consolidation::adopt_preview(&office, r, "T", up)
        .await
        .unwrap();
    let line = |f: &str| lines.iter().find(|l| l.field == f).cloned();
    let tcd = line("v.tcd_luot").unwrap();
    assert_eq!((tcd.old.as_deref(), tcd.new.as_deref()), (None, Some("43")));
    let sec = line("s.IV.1").expect("the narrative section in the preview");
    assert_eq!(
        sec.new.as_deref(),
        Some("Toàn tỉnh tiếp 43 lượt công dân (tổng hợp đã biên tập).")
    );
    let stale = line("v.vb_bcd").unwrap();
    assert_eq!(
        (stale.old.as_deref(), stale.new.as_deref()),
        (Some("99"), None)
    );
    assert_eq!(
        s.submission(up, "T").await.unwrap().values.get("tcd_luot"),
        None
    );
    // a report accepted after the preview: the confirmed fingerprint no longer fits
    report(&s, r, "S1", &[("tcd_luot", 2)]).await;
    let e = qcdc_app::consolidation::adopt_confirmed(&office, r, "T", up, Some(&fp))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert_eq!(
        s.submission(up, "T").await.unwrap().values.get("tcd_luot"),
        None
    );
    let (_, fp) = qcdc_app::consolidation::adopt_preview(&office, r, "T", up)
        .await
        .unwrap();
    let v = qcdc_app::consolidation::adopt_confirmed(&office, r, "T", up, Some(&fp))
        .await
        .unwrap();
    assert_eq!(v.values["tcd_luot"], 45.0);
    assert_eq!(v.values["dt_ty_le_giai_quyet"], 25.0);
    assert_eq!(v.adopted_from_round, Some(r));
    assert!(!v.values.contains_key("xh_ty_le_ho_ngheo"));
    // the stale hand-typed figure is gone, not kept beside the adopted totals
    assert!(!v.values.contains_key("vb_bcd"));
    assert_eq!(
        v.sections.get("IV.1").map(String::as_str),
        Some("Toàn tỉnh tiếp 43 lượt công dân (tổng hợp đã biên tập).")
    );
}

async fn template_in_use_is_immutable(url: &str) {
    let s = setup(url).await;
    s.create_round(
        &round("2026-H1", &["N1"], "2026-06-20"),
        "office",
        d("2026-05-01"),
    )
    .await
    .unwrap();
    // the round took the newest version, 3
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/qcdc-dinh-ky.v3.toml");
    let src = std::fs::read_to_string(path).unwrap();
    // same content: a no-op
    assert_eq!(s.import_template(&src, "admin").await.unwrap().version, 3);
    let changed = src.replace("Khái quát đặc điểm", "Đặc điểm");
    assert_eq!(
        s.import_template(&changed, "admin").await.unwrap_err().code,
        ErrorCode::TemplateInUse
    );
    let v4 = changed.replace("version = 3", "version = 4");
    assert_eq!(s.import_template(&v4, "admin").await.unwrap().version, 4);
    assert_eq!(
        s.import_template("code = 1", "admin")
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidTemplate
    );
    // the two shipped templates in versions 1, 2 and 3, and the imported version 4
    assert_eq!(s.list_templates().await.unwrap().len(), 7);
}

async fn users_and_tokens(url: &str) {
    let s = setup(url).await;
    let id = s
        .create_user(
            "canbo.n1",
            "Nguyễn Văn A",
            "mat-khau-dai",
            &[(Role::Reporter, "N1".into())],
            "admin",
        )
        .await
        .unwrap();
    assert_eq!(
        s.create_user("x", "X", "ngan", &[], "admin")
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    assert_eq!(
        s.verify_password("canbo.n1", "sai-mat-khau")
            .await
            .unwrap_err()
            .code,
        ErrorCode::Unauthorized
    );
    let a = s.verify_password("CANBO.N1", "mat-khau-dai").await.unwrap();
    assert_eq!(a.user_id, id);
    assert_eq!(a.grants.len(), 1);
    let tok = s.issue_token(id, 1).await.unwrap();
    assert_eq!(s.actor_for_token(&tok).await.unwrap().username, "canbo.n1");
    assert_eq!(
        s.actor_for_token("nope").await.unwrap_err().code,
        ErrorCode::Unauthorized
    );
    s.grant_role("canbo.n1", Role::Viewer, "T", "admin")
        .await
        .unwrap();
    assert_eq!(
        s.verify_password("canbo.n1", "mat-khau-dai")
            .await
            .unwrap()
            .grants
            .len(),
        2
    );
    assert_eq!(
        s.grant_role("khong-co", Role::Viewer, "T", "admin")
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    let expired = s.issue_token(id, -1).await.unwrap();
    assert_eq!(
        s.actor_for_token(&expired).await.unwrap_err().code,
        ErrorCode::Unauthorized
    );
    let _ = BTreeMap::<i32, i32>::new();
}

async fn reopening_keeps_everything(url: &str) {
    let s = setup(url).await;
    s.close().await;
    // a second start on the same database finds its schema, units and templates
    let again = Store::open(url).await;
    assert_eq!(again.all_units().await.unwrap().len(), 8);
    // two templates in three versions each
    assert_eq!(again.list_templates().await.unwrap().len(), 6);
}
