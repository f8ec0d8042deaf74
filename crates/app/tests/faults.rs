#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A full disk: saves fail with a clear error while the data directory's disk is
//! full, and once space is freed every save succeeds again without a restart —
//! no pooled connection is left inside a failed transaction.
//!
//! Runs on a real small filesystem (a 16 MB tmpfs mounted by the test); that
//! needs root, which CI and this project's machines have. Elsewhere the test says
//! why it did not run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::submissions::DraftChange;
use qcdc_app::{App, AppOptions, ErrorCode, maintenance, rounds, submissions, templates, units};
use qcdc_testkit::sample_tree;

struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn mount_small_disk() -> Option<Mount> {
    let dir = std::env::temp_dir().join(format!("qcdc-full-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
        .arg(&dir)
        .status()
        .ok()?
        .success();
    if !ok {
        let _ = std::fs::remove_dir_all(&dir);
        return None;
    }
    Some(Mount(dir))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Fills the filesystem with one file until it refuses more.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 64 * 1024];
    while f.write_all(&block).is_ok() {}
    let small = vec![0u8; 512];
    while f.write_all(&small).is_ok() {}
    let _ = f.sync_all();
    path
}

fn big_change(i: usize) -> DraftChange {
    let mut c = DraftChange::default();
    c.values.insert("tcd_luot".into(), Some(i as i64 * 1000));
    // a long narrative: tens of pages, like a real report with annexes (each
    // section under the per-section limit)
    for number in ["I", "II.1", "II.2", "II.3"] {
        c.sections.insert(
            number.into(),
            Some(format!(
                "Lần lưu {i}. {}",
                "Tình hình chính trị, kinh tế - xã hội ổn định. ".repeat(1000)
            )),
        );
    }
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_never_poisons_the_pool() {
    if !is_root() {
        eprintln!("bỏ qua: cần quyền root để gắn một ổ đĩa nhỏ (tmpfs) cho phép thử đầy đĩa");
        return;
    }
    let mount =
        mount_small_disk().expect("as root, a 16 MB tmpfs can be mounted for the full-disk test");
    let app = App::open_dir(&mount.0, &AppOptions::default())
        .await
        .unwrap();
    let cx = app.system("test");
    templates::load_files(
        &cx,
        &templates::read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates"))
            .unwrap(),
    )
    .await
    .unwrap();
    units::import(&cx, sample_tree()).await.unwrap();
    let r = rounds::create(
        &cx,
        &NewRound {
            confirm: false,
            title: "Thử đầy đĩa".into(),
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
    .id;
    let filler = fill(&mount.0);
    // while the disk is full, saves fail cleanly (some may still fit in free pages)
    let mut failures = 0;
    for i in 0..30 {
        let unit = ["N1", "N2", "S1"][i % 3];
        if let Err(e) = submissions::save_draft(&cx, r, unit, &big_change(i)).await {
            assert!(
                matches!(e.code, ErrorCode::Unavailable | ErrorCode::Internal),
                "{e:?}"
            );
            failures += 1;
        }
    }
    assert!(
        failures > 0,
        "the disk never filled up: the test proved nothing"
    );
    // readiness tells the truth while the disk is full (a few probes: SQLite may
    // still find a free page for one small write)
    let mut unready = 0;
    for _ in 0..5 {
        if let Err(e) = maintenance::ready(&app).await {
            assert_eq!(e.code, ErrorCode::Unavailable, "{e:?}");
            unready += 1;
        }
    }
    assert!(unready > 0, "readiness answered ready on a full disk");
    // space comes back: every save succeeds again, on every pooled connection
    std::fs::remove_file(&filler).unwrap();
    let mut tasks = Vec::new();
    for i in 0..48 {
        let cx = cx.clone();
        tasks.push(tokio::spawn(async move {
            let unit = ["N1", "N2", "S1"][i % 3];
            let mut c = DraftChange::default();
            c.values.insert("tcd_luot".into(), Some(i as i64 * 1000));
            submissions::save_draft(&cx, r, unit, &c).await
        }));
    }
    for t in tasks {
        t.await
            .unwrap()
            .expect("every save succeeds once space is back");
    }
    let v = submissions::view(&cx, r, "N1").await.unwrap();
    assert!(v.values.contains_key("tcd_luot"));
    maintenance::ready(&app)
        .await
        .expect("ready again once space is back");
    app.close().await;
    drop(mount);
}
