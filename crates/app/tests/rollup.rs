#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The running totals stay equal to a recomputation from the raw accepted figures
//! through any sequence of accepts, corrections and tree changes — on both databases.

use chrono::{NaiveDate, TimeZone, Utc};
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::submissions::DraftChange;
use qcdc_core::unit::{UnitKind, UnitRecord};
use qcdc_testkit::{fresh_pg_database, fresh_sqlite_database};
use support::{S as Store, flatten, templates_dir};

mod support;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn unit(code: &str, kind: UnitKind, parent: Option<&str>) -> (usize, UnitRecord) {
    (
        0,
        UnitRecord {
            code: code.into(),
            name: format!("Đơn vị {code}"),
            kind,
            parent: parent.map(str::to_string),
            valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            valid_to: None,
            predecessors: vec![],
            succession: None,
        },
    )
}

const SECTIONS: [&str; 9] = [
    "I", "II.1", "II.2", "II.3", "II.4", "IV.1", "IV.2", "IV.3", "V.1",
];

async fn check(s: &Store, round: i64, internal: &[i64]) {
    let a = s.bench_consolidate_qcdc(round, internal).await.unwrap();
    let b = s.bench_consolidate_cte(round, internal).await.unwrap();
    for u in internal {
        assert_eq!(
            flatten(&a[u].0),
            flatten(&b[u].0),
            "running totals of unit {u} drifted"
        );
        assert_eq!(
            a[u].0.sums, b[u].0.sums,
            "reporting counts of unit {u} drifted"
        );
        assert_eq!(a[u].1, b[u].1);
    }
}

async fn random_history(url: &str, seed: u64) {
    let s = Store::open(url).await;
    s.load_template_dir(&templates_dir(), "t").await.unwrap();
    // centre > 2 provinces > 3 agencies each > 2 public service units each; communes under provinces
    let mut tree = vec![unit("C", UnitKind::Central, None)];
    let mut leaves = Vec::new();
    for p in 0..2 {
        let pc = format!("P{p}");
        tree.push(unit(&pc, UnitKind::Province, Some("C")));
        for x in 0..3 {
            let xc = format!("{pc}X{x}");
            tree.push(unit(&xc, UnitKind::Commune, Some(&pc)));
            leaves.push(xc);
            let ac = format!("{pc}S{x}");
            tree.push(unit(&ac, UnitKind::Agency, Some(&pc)));
            for v in 0..2 {
                let vc = format!("{ac}V{v}");
                tree.push(unit(&vc, UnitKind::PublicService, Some(&ac)));
                leaves.push(vc);
            }
        }
    }
    let tree: Vec<_> = tree
        .into_iter()
        .enumerate()
        .map(|(i, (_, r))| (i + 2, r))
        .collect();
    s.import_units(tree, "t").await.unwrap();
    let r = s
        .create_round(
            &NewRound {
                confirm: false,
                title: "t".into(),
                template: "qcdc-dinh-ky".into(),
                template_version: None,
                period: "2026-H1".parse().unwrap(),
                issuer: "C".into(),
                deadline: NaiveDate::from_ymd_opt(2026, 6, 20).unwrap(),
                letter: String::new(),
                recipients: RecipientSelector {
                    kinds: vec![UnitKind::Commune, UnitKind::PublicService],
                    max_depth: None,
                    units: vec![],
                },
            },
            "t",
            NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        )
        .await
        .unwrap()
        .id;
    let internal: Vec<i64> = {
        let mut v = Vec::new();
        for code in [
            "C", "P0", "P1", "P0S0", "P0S1", "P0S2", "P1S0", "P1S1", "P1S2",
        ] {
            v.push(s.unit(code).await.unwrap().id);
        }
        v
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let at = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    for step in 0..30 {
        let u = &leaves[rng.random_range(0..leaves.len())];
        let current = s.submission(r, u).await.unwrap().status;
        if current == qcdc_core::workflow::Status::Accepted {
            s.start_correction(r, u, &format!("điều chỉnh {step}"), "t")
                .await
                .unwrap();
        }
        let mut change = DraftChange::default();
        // some figures set, some cleared, values of any size
        for code in [
            "vb_tong",
            "tcd_luot",
            "dt_tiep_nhan",
            "hs_tiep_nhan",
            "tt_luot_nguoi",
        ] {
            let v = if rng.random_bool(0.2) {
                None
            } else {
                Some(rng.random_range(0..100i64) * 1000)
            };
            change.values.insert(code.to_string(), v);
        }
        change
            .values
            .insert("vb_tong".into(), Some(rng.random_range(0..50i64) * 1000));
        for sec in SECTIONS {
            change.sections.insert(sec.into(), Some("nội dung".into()));
        }
        // keep the breakdown of vb_tong empty so the draft validates
        s.save_draft(r, u, &change, "t").await.unwrap();
        s.submit(r, u, "t", at).await.unwrap();
        if rng.random_bool(0.8) {
            s.accept(r, u, "t").await.unwrap();
        } else {
            s.return_submission(r, u, "trả lại", "t").await.unwrap();
        }
        check(&s, r, &internal).await;
    }
    // a closed round of the same tree, reported before the move
    let closed = s
        .create_round(
            &NewRound {
                confirm: false,
                title: "đã đóng".into(),
                template: "qcdc-dinh-ky".into(),
                template_version: None,
                period: "2025-H2".parse().unwrap(),
                issuer: "C".into(),
                deadline: NaiveDate::from_ymd_opt(2026, 6, 20).unwrap(),
                letter: String::new(),
                recipients: RecipientSelector {
                    kinds: vec![UnitKind::Commune, UnitKind::PublicService],
                    max_depth: None,
                    units: vec![],
                },
            },
            "t",
            NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        )
        .await
        .unwrap()
        .id;
    for u in leaves.iter().take(4) {
        let mut change = DraftChange::default();
        change
            .values
            .insert("tcd_luot".into(), Some(rng.random_range(1..100i64) * 1000));
        change.values.insert("vb_tong".into(), Some(0));
        for sec in SECTIONS {
            change.sections.insert(sec.into(), Some("nội dung".into()));
        }
        s.save_draft(closed, u, &change, "t").await.unwrap();
        s.submit(closed, u, "t", at).await.unwrap();
        s.accept(closed, u, "t").await.unwrap();
    }
    s.set_round_status(closed, false, "t").await.unwrap();
    let before = s.bench_consolidate_qcdc(closed, &internal).await.unwrap();
    // moving an agency to the other province keeps every total right
    let mut moved = s
        .unit_records()
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.code == "P0S0")
        .unwrap();
    moved.parent = Some("P1".into());
    s.import_units(vec![(2, moved)], "t").await.unwrap();
    check(&s, r, &internal).await;
    // and back again, then a commune to the other province: still right
    let mut back = s
        .unit_records()
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.code == "P0S0")
        .unwrap();
    back.parent = Some("P0".into());
    s.import_units(vec![(2, back)], "t").await.unwrap();
    let mut commune = s
        .unit_records()
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.code == "P1X2")
        .unwrap();
    commune.parent = Some("P0".into());
    s.import_units(vec![(2, commune)], "t").await.unwrap();
    check(&s, r, &internal).await;
    // a closed round keeps the tree it was reported on: its totals did not move
    let after = s.bench_consolidate_qcdc(closed, &internal).await.unwrap();
    for u in &internal {
        assert_eq!(
            flatten(&before[u].0),
            flatten(&after[u].0),
            "closed round totals of unit {u} moved"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_totals_match_recomputation_sqlite() {
    for seed in 0..3 {
        random_history(&fresh_sqlite_database(), seed).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_totals_match_recomputation_postgres() {
    for seed in 3..5 {
        random_history(&fresh_pg_database(), seed).await;
    }
}
