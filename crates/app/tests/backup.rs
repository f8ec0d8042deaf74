//! Backup and restore on SQLite: a backup made while reporters keep saving is a
//! consistent snapshot that restores with every count checked; a quiet backup
//! restores every table row for row; a damaged or foreign file is refused with a
//! clear message and nothing restored. On PostgreSQL (`pg_dump`/`pg_restore` under
//! the throwaway server): a backup restores into a fresh database row for row.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::NaiveDate;
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::submissions::DraftChange;
use qcdc_app::{
    App, AppOptions, ErrorCode, backup, maintenance, rounds, submissions, templates, units,
};
use qcdc_testkit::sample_tree;

async fn populated(dir: &Path) -> (App, i64) {
    let app = App::open_dir(dir, &AppOptions::default()).await.unwrap();
    let r = fill(&app).await;
    (app, r)
}

/// Templates, the sample tree and one round to three units.
async fn fill(app: &App) -> i64 {
    let cx = app.system("test");
    templates::load_files(
        &cx,
        &templates::read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates"))
            .unwrap(),
    )
    .await
    .unwrap();
    units::import(&cx, sample_tree()).await.unwrap();
    rounds::create(
        &cx,
        &NewRound {
            confirm: false,
            title: "Sao lưu".into(),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: "2099-H1".parse().unwrap(),
            issuer: "T".into(),
            deadline: NaiveDate::from_ymd_opt(2099, 6, 20).unwrap(),
            letter: String::new(),
            recipients: RecipientSelector {
                units: vec!["N1".into(), "N2".into(), "S1".into()],
                ..Default::default()
            },
        },
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    )
    .await
    .unwrap()
    .id
}

fn save(i: usize) -> DraftChange {
    let mut c = DraftChange::default();
    c.values.insert("vb_tong".into(), Some(i as i64 * 1000));
    c.sections
        .insert("I".into(), Some(format!("Lần lưu thứ {i}.")));
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_under_writes_restores_checked_and_a_quiet_one_restores_every_row() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, r) = populated(&tmp.path().join("src")).await;
    let cx = app.system("test");
    // reporters keep saving while the backup runs
    let stop = Arc::new(AtomicBool::new(false));
    let saved = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for unit in ["N1", "N2", "S1"] {
        let (app, stop, saved) = (app.clone(), stop.clone(), saved.clone());
        writers.push(tokio::spawn(async move {
            let cx = app.system("rep");
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                submissions::save_draft(&cx, r, unit, &save(i))
                    .await
                    .unwrap();
                saved.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let busy = tmp.path().join("busy.qcdcbak");
    let m = backup::backup(&cx, &busy, None).await.unwrap();
    let during = saved.load(Ordering::Relaxed);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    assert!(
        saved.load(Ordering::Relaxed) > during && during > 0,
        "the backup ran under writes"
    );
    assert!(
        m.tables["draft_values"] > 0 && m.tables["audit_log"] > 0,
        "{:?}",
        m.tables
    );
    // a second backup to the same name is refused, the first untouched
    assert_eq!(
        backup::backup(&cx, &busy, None).await.unwrap_err().code,
        ErrorCode::InvalidInput
    );

    // restored: counts checked against the manifest; the running totals agree with
    // a recomputation from the raw figures
    let restored_dir = tmp.path().join("restored");
    backup::restore_sqlite(&busy, &restored_dir).await.unwrap();
    let restored = App::open_dir(&restored_dir, &AppOptions::default())
        .await
        .unwrap();
    let rcx = restored.system("test");
    let t = maintenance::unit_ids(&rcx, &["T".into()]).await.unwrap()["T"];
    let day = NaiveDate::from_ymd_opt(2099, 1, 1).unwrap();
    let running = maintenance::consolidate_running(&rcx, r, &[t], day)
        .await
        .unwrap();
    let recomputed = maintenance::consolidate_recomputed(&rcx, r, &[t], day)
        .await
        .unwrap();
    assert_eq!(running, recomputed);
    assert!(running[&t].1.draft > 0, "the restored round has its drafts");
    // restoring over a database is refused
    let e = backup::restore_sqlite(&busy, &restored_dir)
        .await
        .unwrap_err();
    assert!(e.message.contains("thư mục trống"), "{}", e.message);

    // quiet: every table row for row
    let quiet = tmp.path().join("quiet.qcdcbak");
    backup::backup(&cx, &quiet, None).await.unwrap();
    let again_dir = tmp.path().join("again");
    backup::restore_sqlite(&quiet, &again_dir).await.unwrap();
    let again = App::open_dir(&again_dir, &AppOptions::default())
        .await
        .unwrap();
    let src = backup::table_dump(&cx).await.unwrap();
    let dst = backup::table_dump(&again.system("test")).await.unwrap();
    assert_eq!(
        src.keys().collect::<Vec<_>>(),
        dst.keys().collect::<Vec<_>>()
    );
    for (table, rows) in &src {
        // the server secret and sessions are the copy's own too: nothing differs
        assert_eq!(rows, &dst[table], "table {table} differs after restore");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_or_foreign_backups_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _) = populated(&tmp.path().join("src")).await;
    let good = tmp.path().join("good.qcdcbak");
    backup::backup(&app.system("test"), &good, None)
        .await
        .unwrap();
    assert!(backup::verify(&good).is_ok());
    let bytes = std::fs::read(&good).unwrap();

    // one byte changed inside the data: refused, nothing restored
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x5a;
    let bad = tmp.path().join("flipped.qcdcbak");
    std::fs::write(&bad, &flipped).unwrap();
    let target = tmp.path().join("t1");
    let e = backup::restore_sqlite(&bad, &target).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e:?}");
    assert!(!target.join("qcdc.db").exists());

    // cut short
    let cut = tmp.path().join("cut.qcdcbak");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let e = backup::verify(&cut).unwrap_err();
    assert!(
        e.message.contains("không phải tệp sao lưu"),
        "{}",
        e.message
    );

    // not a backup at all
    let foreign = tmp.path().join("foreign.qcdcbak");
    std::fs::write(&foreign, "xin chào").unwrap();
    assert_eq!(
        backup::verify(&foreign).unwrap_err().code,
        ErrorCode::InvalidInput
    );

    // made by a newer program: refused before anything is written
    let newer = tmp.path().join("newer.qcdcbak");
    {
        let mut src = zip::ZipArchive::new(std::fs::File::open(&good).unwrap()).unwrap();
        let mut out = zip::ZipWriter::new(std::fs::File::create(&newer).unwrap());
        for i in 0..src.len() {
            let mut f = src.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut data).unwrap();
            if name == "manifest.json" {
                let mut m: serde_json::Value = serde_json::from_slice(&data).unwrap();
                m["schema_version"] = serde_json::json!(9999);
                data = serde_json::to_vec(&m).unwrap();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut out, &data).unwrap();
        }
        out.finish().unwrap();
    }
    let e = backup::restore_sqlite(&newer, &tmp.path().join("t2"))
        .await
        .unwrap_err();
    assert!(e.message.contains("mới hơn"), "{}", e.message);
}

fn installed(tool: &str) -> bool {
    std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backup_restores_every_table_row_for_row() {
    if !(installed("pg_dump") && installed("pg_restore")) {
        eprintln!(
            "SKIPPED: pg_dump/pg_restore are not installed (Debian's postgresql-client, which scripts/test installs)"
        );
        return;
    }
    let url = qcdc_testkit::fresh_pg_database();
    let app = App::open(&url, &AppOptions::default()).await.unwrap();
    let r = fill(&app).await;
    let cx = app.system("test");
    // drafts, a sent report, an accepted one: every kind of row
    for (i, unit) in ["N1", "N2", "S1"].iter().enumerate() {
        let mut c = save(i + 1);
        // a complete report (the office can accept it)
        let n = (i as i64 + 1) * 1000;
        for (k, v) in [
            ("vb_tong", 3 * n),
            ("vb_cap_uy", n),
            ("vb_chinh_quyen", n),
            ("vb_bcd", n),
            ("tcd_luot", n),
        ] {
            c.values.insert(k.into(), Some(v));
        }
        for sec in [
            "II.1", "II.2", "II.3", "II.4", "IV.1", "IV.2", "IV.3", "V.1",
        ] {
            c.sections
                .insert(sec.into(), Some(format!("Nội dung mục {sec} của {unit}.")));
        }
        submissions::save_draft(&cx, r, unit, &c).await.unwrap();
    }
    let at = chrono::Utc::now();
    submissions::submit(&cx, r, "N1", at).await.unwrap();
    submissions::accept(&cx, r, "N1").await.unwrap();
    submissions::submit(&cx, r, "N2", at).await.unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("pg.qcdcbak");
    let m = backup::backup(&cx, &file, Some(&url)).await.unwrap();
    assert_eq!(m.backend, "postgres");
    assert!(m.tables["submission_versions"] > 0, "{:?}", m.tables);
    assert_eq!(backup::verify(&file).unwrap().sha256, m.sha256);

    // restored into a fresh database: every table row for row, the running
    // totals equal to a recomputation
    let target = qcdc_testkit::fresh_pg_database();
    backup::restore_postgres(&file, &target).await.unwrap();
    let restored = App::open(&target, &AppOptions::default()).await.unwrap();
    let rcx = restored.system("test");
    let src = backup::table_dump(&cx).await.unwrap();
    let dst = backup::table_dump(&rcx).await.unwrap();
    assert_eq!(
        src.keys().collect::<Vec<_>>(),
        dst.keys().collect::<Vec<_>>()
    );
    for (table, rows) in &src {
        assert_eq!(
            rows.len() as i64,
            m.tables[table],
            "table {table}: manifest count"
        );
        assert_eq!(rows, &dst[table], "table {table} differs after restore");
    }
    let t = maintenance::unit_ids(&rcx, &["T".into()]).await.unwrap()["T"];
    let day = NaiveDate::from_ymd_opt(2099, 1, 1).unwrap();
    let running = maintenance::consolidate_running(&rcx, r, &[t], day)
        .await
        .unwrap();
    assert_eq!(
        running,
        maintenance::consolidate_recomputed(&rcx, r, &[t], day)
            .await
            .unwrap()
    );
    assert_eq!(running[&t].1.accepted, 1, "the accepted report came back");

    // restoring again over the now full database is refused
    assert!(backup::restore_postgres(&file, &target).await.is_err());
    // a PostgreSQL backup is not restored into an SQLite data directory
    let e = backup::restore_sqlite(&file, &tmp.path().join("sqlite"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e:?}");
}
