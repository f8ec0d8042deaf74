#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Schema migrations: a database made at migration 1 by the first release, with
//! its real data (the demo province, written by qcdc 0.1), is migrated to the
//! latest version on SQLite and PostgreSQL and reads back the same figures; a
//! database newer than the binary is refused with a clear message; a database of
//! the first release that never knew the migrator is adopted; register entries
//! written before migration 10 read back with their details unknown.

use std::collections::BTreeMap;
use std::io::Read;

use qcdc_app::{App, AppOptions, PageReq, consolidation, maintenance, rounds, submissions, users};
use qcdc_testkit::{fresh_pg_database, fresh_sqlite_database};

fn fixture() -> String {
    let gz = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/v1-demo.sql.gz"
    ))
    .unwrap();
    let mut s = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// Runs SQL statements on the database behind `url` (test set-up only).
async fn exec(url: &str, sql: &str) {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url)
        .await
        .unwrap();
    conn.execute(sqlx::AssertSqlSafe(sql.to_string()))
        .await
        .unwrap();
}

async fn upgrade(url: &str, postgres: bool) {
    // the schema of migration 1, then the first release's data
    let at1 = App::open(
        url,
        &AppOptions {
            migrate_to: Some(1),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let cx = at1.system("test");
    assert_eq!(maintenance::schema_versions(&cx).await.unwrap().0, 1);
    at1.close().await;
    exec(url, &fixture()).await;
    if postgres {
        for t in [
            "units",
            "templates",
            "rounds",
            "submissions",
            "audit_log",
            "users",
        ] {
            exec(
                url,
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
                ),
            )
            .await;
        }
    }
    // the current binary migrates it on open
    let app = App::open(url, &AppOptions::default()).await.unwrap();
    let cx = app.system("test");
    let (now, latest) = maintenance::schema_versions(&cx).await.unwrap();
    assert_eq!(now, latest);
    assert!(latest >= 3);
    // every consolidation reads the figures the first release computed
    let expected: BTreeMap<String, serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/v1-demo-expected.json"
        ))
        .unwrap(),
    )
    .unwrap();
    for (round, exp) in &expected {
        let c = consolidation::get(
            &cx,
            round.parse().unwrap(),
            None,
            None,
            PageReq::all(),
            app.today(),
        )
        .await
        .unwrap();
        assert_eq!(c.unit_code, exp["unit"]);
        assert_eq!(
            c.completeness.accepted,
            exp["accepted"].as_i64().unwrap(),
            "round {round}"
        );
        assert_eq!(
            c.completeness.recipients,
            exp["recipients"].as_i64().unwrap(),
            "round {round}"
        );
        let values: BTreeMap<String, f64> = serde_json::from_value(exp["values"].clone()).unwrap();
        let got: BTreeMap<String, f64> = c
            .rows
            .iter()
            .filter_map(|r| r.value.map(|v| (r.code.clone(), v)))
            .collect();
        assert_eq!(got.len(), values.len(), "round {round}");
        for (code, v) in &values {
            assert!(
                (got[code] - v).abs() < 1e-9,
                "round {round} {code}: {} vs {v}",
                got[code]
            );
        }
        // non-aggregable indicators now count their reporting units (migration 2's data step)
        assert!(
            c.rows
                .iter()
                .any(|r| r.aggregate == qcdc_core::template::Aggregate::None
                    && r.units_reporting > 0),
            "round {round}"
        );
        // and the running totals still equal a recomputation from the raw figures
        let root = maintenance::unit_ids(&cx, std::slice::from_ref(&c.unit_code))
            .await
            .unwrap()[&c.unit_code];
        let a = maintenance::consolidate_running(&cx, round.parse().unwrap(), &[root], app.today())
            .await
            .unwrap();
        let b =
            maintenance::consolidate_recomputed(&cx, round.parse().unwrap(), &[root], app.today())
                .await
                .unwrap();
        assert_eq!(a[&root].0, b[&root].0, "round {round}");
        assert_eq!(a[&root].1, b[&root].1, "round {round}");
    }
    // the people can still sign in, with their passwords and roles
    let (signed, _) = qcdc_app::auth::sign_in(&app, "thuongtruc", "qcdc-office-2026", 1)
        .await
        .unwrap();
    let r = rounds::status(
        &signed,
        3,
        None,
        &Default::default(),
        PageReq::new(1, 10),
        app.today(),
    )
    .await
    .unwrap();
    assert_eq!(r.recipients.total, 55);
    assert_eq!(r.recipients.items.len(), 10);
    // lists are in Vietnamese order from the sort keys filled by the migration
    let names: Vec<String> = r
        .recipients
        .items
        .iter()
        .map(|x| x.unit_name.clone())
        .collect();
    let mut sorted = names.clone();
    qcdc_core::text::sort_vi(&mut sorted, |s| s);
    assert_eq!(names, sorted);
    let found = users::list(&cx, Some("thu"), PageReq::default())
        .await
        .unwrap();
    assert!(
        found.items.iter().any(|u| u.username == "thuongtruc"),
        "user search text filled"
    );
    // and work goes on: the open round takes a report
    let v = submissions::view(&cx, 3, "LV-XDR01").await.unwrap();
    assert!(!v.unit_name.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_from_migration_1_with_real_data_sqlite() {
    upgrade(&fresh_sqlite_database(), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_from_migration_1_with_real_data_postgres() {
    upgrade(&fresh_pg_database(), true).await;
}

async fn newer_database_is_refused(url: &str) {
    App::open(url, &AppOptions::default())
        .await
        .unwrap()
        .close()
        .await;
    exec(url, "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (999, 'from the future', TRUE, X'00', 0)").await;
    let e = App::open(url, &AppOptions::default())
        .await
        .err()
        .expect("refused");
    assert!(
        e.message.contains("999") && e.message.contains("mới hơn"),
        "{}",
        e.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_newer_than_the_binary_is_refused_sqlite() {
    newer_database_is_refused(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_newer_than_the_binary_is_refused_postgres() {
    let url = fresh_pg_database();
    App::open(&url, &AppOptions::default())
        .await
        .unwrap()
        .close()
        .await;
    exec(&url, "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (999, 'from the future', TRUE, '\\x00', 0)").await;
    let e = App::open(&url, &AppOptions::default())
        .await
        .err()
        .expect("refused");
    assert!(
        e.message.contains("999") && e.message.contains("mới hơn"),
        "{}",
        e.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_release_database_without_the_migrator_is_adopted() {
    // the first release wrote its schema itself: no migration table, meta.schema_version = 1
    let url = fresh_sqlite_database();
    let at1 = App::open(
        &url,
        &AppOptions {
            migrate_to: Some(1),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    at1.close().await;
    exec(&url, "DROP TABLE _sqlx_migrations").await;
    exec(&url, &fixture()).await;
    let app = App::open(&url, &AppOptions::default()).await.unwrap();
    let cx = app.system("test");
    let (now, latest) = maintenance::schema_versions(&cx).await.unwrap();
    assert_eq!(now, latest);
    assert_eq!(rounds::get(&cx, 3).await.unwrap().recipients, 55);
}

/// Entries of the simple registers written before migration 10 (dialogues,
/// inspections, models without their details) read back after it with the
/// details unknown, and new entries carry them.
async fn register_details_added(url: &str) {
    use qcdc_app::registers::simple::{self, Register};
    use qcdc_core::registers::entries::{
        DialogueDetail, EntryDetail, InspectionDetail, ModelDetail,
    };
    let at9 = App::open(
        url,
        &AppOptions {
            migrate_to: Some(9),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let cx = at9.system("test");
    assert_eq!(maintenance::schema_versions(&cx).await.unwrap().0, 9);
    qcdc_app::units::import(&cx, qcdc_testkit::sample_tree())
        .await
        .unwrap();
    at9.close().await;
    exec(
        url,
        "INSERT INTO dialogues (unit_id, held_on, topic, participants, created_at, created_by) \
         SELECT id, '2025-03-02', 'Đối thoại cũ', 40, '2025-03-02T08:00:00Z', 'x' FROM units WHERE code = 'N1'; \
         INSERT INTO inspections (unit_id, kind, held_on, subject, created_at, created_by) \
         SELECT id, 'supervision', '2025-03-03', 'Giám sát cũ', '2025-03-03T08:00:00Z', 'x' FROM units WHERE code = 'N1'; \
         INSERT INTO mobilisation_models (unit_id, name, field, recognised_on, created_at, created_by) \
         SELECT id, 'Mô hình cũ', 'Kinh tế', '2025-03-04', '2025-03-04T08:00:00Z', 'x' FROM units WHERE code = 'N1'",
    )
    .await;
    let app = App::open(url, &AppOptions::default()).await.unwrap();
    let cx = app.system("test");
    let (now, latest) = maintenance::schema_versions(&cx).await.unwrap();
    assert_eq!(now, latest);
    assert!(latest >= 10);
    let on = |which| {
        let cx = &cx;
        async move {
            let from = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
            let to = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
            let l = simple::list(cx, which, "N1", false, from, to)
                .await
                .unwrap();
            assert_eq!(l.len(), 1);
            l.into_iter().next().unwrap()
        }
    };
    let d = on(Register::Dialogues).await;
    assert_eq!((d.title.as_str(), d.number), ("Đối thoại cũ", 40));
    assert_eq!(d.detail, EntryDetail::Dialogue(DialogueDetail::default()));
    let i = on(Register::Inspections).await;
    assert_eq!(i.kind_label, Some("Giám sát"));
    assert_eq!(
        i.detail,
        EntryDetail::Inspection(InspectionDetail::default())
    );
    let m = on(Register::Models).await;
    assert_eq!(m.field, "Kinh tế");
    assert_eq!(m.detail, EntryDetail::Model(ModelDetail::default()));
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_details_added_sqlite() {
    register_details_added(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_details_added_postgres() {
    register_details_added(&fresh_pg_database()).await;
}
