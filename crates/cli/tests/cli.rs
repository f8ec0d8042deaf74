#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The `qcdc` binary as a user runs it: demo data, imports, rounds, reports,
//! consolidation, and `serve` printing its address and answering.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn qcdc(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qcdc"))
        .arg("--data")
        .arg(data)
        .arg("--templates")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates"))
        .args(args)
        .output()
        .expect("qcdc runs")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn demo_then_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = stdout(&qcdc(d, &["demo"]));
    assert!(
        out.contains("thuongtruc") && out.contains("canbo.damrong1"),
        "{out}"
    );
    // running it again changes nothing
    assert!(stdout(&qcdc(d, &["demo"])).contains("đã có sẵn"));

    // four rounds placed relative to today: two closed, the previous period still
    // open past its deadline, the current one open; and the central committee's
    // round to the province for the previous period
    let rounds = stdout(&qcdc(d, &["rounds", "list"]));
    assert_eq!(rounds.lines().count(), 5, "{rounds}");
    let counts = |round: &str| -> serde_json::Value {
        let status: serde_json::Value = serde_json::from_str(&stdout(&qcdc(
            d,
            &["rounds", "status", "--round", round, "--format", "json"],
        )))
        .unwrap();
        status["counts"].clone()
    };
    let current = counts("4");
    for k in ["accepted", "submitted", "returned", "draft", "not_started"] {
        assert!(
            current[k].as_i64().unwrap() > 0,
            "the current round has no {k}: {current}"
        );
    }
    assert_eq!(
        current["late"], 0,
        "nothing is late before the deadline: {current}"
    );
    let previous = counts("3");
    for k in ["late", "overdue"] {
        assert!(
            previous[k].as_i64().unwrap() > 0,
            "the overdue round has no {k}: {previous}"
        );
    }

    let cons: serde_json::Value = serde_json::from_str(&stdout(&qcdc(
        d,
        &[
            "consolidate",
            "--round",
            "3",
            "--unit",
            "LV",
            "--format",
            "json",
        ],
    )))
    .unwrap();
    // the province's totals can become its report to the central committee
    assert!(
        cons["adoption_targets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == 5),
        "{}",
        cons["adoption_targets"]
    );
    // the same period last year is round 1
    assert_eq!(
        cons["previous_round"]["id"], 1,
        "{}",
        cons["previous_round"]
    );
    let row = cons["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "vb_tong")
        .unwrap();
    assert!(row["value"].as_f64().unwrap() > 0.0 && row["previous"].as_f64().unwrap() > 0.0);
    // a commune merged on 01/07/2025 is compared with the communes it came from
    // when last year's round was reported on the old tree
    let merged: serde_json::Value = serde_json::from_str(&stdout(&qcdc(
        d,
        &[
            "consolidate",
            "--round",
            "3",
            "--unit",
            "LV-XDR01",
            "--format",
            "json",
        ],
    )))
    .unwrap();
    let old_tree = cons["previous_round"]["cutoff_to"]
        .as_str()
        .map(|d| d.split('/').rev().collect::<Vec<_>>().join("-"))
        .is_some_and(|iso| iso.as_str() < "2025-07-01");
    assert_eq!(
        merged["previous_units"].as_array().unwrap().len(),
        if old_tree { 2 } else { 1 },
        "{}",
        merged["previous_units"]
    );
    let table = stdout(&qcdc(d, &["consolidate", "--round", "3"]));
    assert!(table.contains("Tổng số văn bản đã ban hành") && table.contains("So với cùng kỳ"));

    // units: export, re-import unchanged, and a bad file refused whole with lines
    let csv = d.join("units.csv");
    stdout(&qcdc(
        d,
        &["units", "export", "--out", csv.to_str().unwrap()],
    ));
    assert!(
        stdout(&qcdc(d, &["units", "import", csv.to_str().unwrap()])).contains("0 mới, 0 cập nhật")
    );
    let bad = d.join("bad.csv");
    std::fs::write(&bad, "code,name,kind,parent,valid_from,valid_to,predecessors,succession\nA1,Xã A,commune,LV,01/07/2025,,,\nA2,Xã B,commune,KHONG_CO,01/07/2025,,,\nA1,Xã C,xa,LV,2025-13-01,,,\n").unwrap();
    let o = qcdc(d, &["units", "import", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("dòng 4") && err.contains("invalid_units"),
        "{err}"
    );
    assert!(
        !stdout(&qcdc(d, &["units", "list", "--q", "xa a"])).contains("A1"),
        "nothing imported"
    );
    assert!(stdout(&qcdc(d, &["units", "list", "--q", "dam rong 1"])).contains("Xã Đam Rông 1"));

    // a report from a file by a unit that had not started, then the office accepts it
    let status: serde_json::Value = serde_json::from_str(&stdout(&qcdc(
        d,
        &["rounds", "status", "--round", "4", "--format", "json"],
    )))
    .unwrap();
    let before: serde_json::Value = serde_json::from_str(&stdout(&qcdc(
        d,
        &["consolidate", "--round", "4", "--format", "json"],
    )))
    .unwrap();
    let waiting = status["recipients"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "not_started" && r["kind"] == "commune")
        .unwrap()["unit_code"]
        .as_str()
        .unwrap()
        .to_string();
    let rep = d.join("report.json");
    let sections: String = [
        "I", "II.1", "II.2", "II.3", "II.4", "IV.1", "IV.2", "IV.3", "V.1",
    ]
    .iter()
    .map(|s| format!(r#""{s}": "Nội dung {s}""#))
    .collect::<Vec<_>>()
    .join(",");
    std::fs::write(&rep, format!(r#"{{"round": 4, "unit": "{waiting}", "values": {{"vb_tong": "12", "vb_cap_uy": 4, "vb_chinh_quyen": 4, "vb_bcd": "1.124.5"}}}}"#)).unwrap();
    let o = qcdc(d, &["submissions", "import", rep.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Tổng số")
            || String::from_utf8_lossy(&o.stderr).contains("Văn bản của Ban Chỉ đạo"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::write(&rep, format!(r#"{{"round": 4, "unit": "{waiting}", "values": {{"vb_tong": "12", "vb_cap_uy": 4, "vb_chinh_quyen": 4, "vb_bcd": 4, "tcd_luot": "1.234"}}, "sections": {{{sections}}}}}"#)).unwrap();
    assert!(
        stdout(&qcdc(
            d,
            &["submissions", "import", rep.to_str().unwrap(), "--submit"]
        ))
        .contains("Đã gửi")
    );
    assert!(
        stdout(&qcdc(
            d,
            &["submissions", "accept", "--round", "4", "--unit", &waiting]
        ))
        .contains("Đã tiếp nhận")
    );
    let after: serde_json::Value = serde_json::from_str(&stdout(&qcdc(
        d,
        &["consolidate", "--round", "4", "--format", "json"],
    )))
    .unwrap();
    let tcd = |c: &serde_json::Value| {
        c["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "tcd_luot")
            .unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(
        tcd(&after),
        tcd(&before) + 1234.0,
        "the accepted report shows at once"
    );
    let exported: serde_json::Value = serde_json::from_str(&stdout(&qcdc(
        d,
        &[
            "submissions",
            "export",
            "--round",
            "3",
            "--unit",
            "LV-XDR01",
        ],
    )))
    .unwrap();
    assert_eq!(exported["unit_name"], "Xã Đam Rông 1");

    // templates and users
    assert!(stdout(&qcdc(d, &["templates", "list"])).contains("qcdc-dinh-ky"));
    assert!(stdout(&qcdc(d, &["users", "list"])).contains("lanhdao"));
    let o = qcdc(
        d,
        &[
            "rounds",
            "create",
            "--title",
            "Quý",
            "--template",
            "qcdc-dinh-ky",
            "--period",
            "2026-Q9",
            "--issuer",
            "LV",
            "--deadline",
            "01/01/2099",
        ],
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid_period"));
}

#[test]
fn serve_prints_its_address_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qcdc"))
        .arg("--data")
        .arg(dir.path())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        resp.starts_with("HTTP/1.1 200") && resp.contains("\"status\":\"ok\""),
        "{resp}"
    );
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../checker/tests/fixtures")
        .join(name)
}

#[test]
fn check_exit_codes_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.txt");
    std::fs::write(&clean, "Tổng số văn bản: 41 trong đó: cấp ủy: 20; chính quyền: 05; Ban chỉ đạo: 16\n9/9 phường, tỷ lệ 100%.\n").unwrap();
    let o = qcdc(dir.path(), &["check", clean.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = qcdc(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            fixture("dong-ha-2020-qcdc-annual.txt").to_str().unwrap(),
            clean.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // the first slip (a notice at line 1 says the report has no date line, so the
    // citation checks that need one were skipped)
    let findings = v["files"][0]["findings"].as_array().unwrap();
    assert_eq!(findings[0]["kind"], "notice");
    let f = findings.iter().find(|f| f["kind"] != "notice").unwrap();
    assert_eq!(
        (
            f["line"].as_u64(),
            f["kind"].as_str(),
            f["severity"].as_str()
        ),
        (Some(24), Some("percent_mismatch"), Some("error"))
    );
    assert!(
        f["message"].as_str().unwrap().contains("87,9")
            && f["excerpt"].as_str().unwrap().contains("138/157")
    );
    // quiet on figures that add up: only the notice that the file has no date line
    let clean_findings = v["files"][1]["findings"].as_array().unwrap();
    assert!(
        clean_findings
            .iter()
            .all(|f| f["kind"] == "notice" && f["severity"] == "info"),
        "{clean_findings:?}"
    );
    assert_eq!(clean_findings.len(), 1);
    let text = stdout(&qcdc(
        dir.path(),
        &[
            "check",
            fixture("hai-phong-2023-request-and-outline.txt")
                .to_str()
                .unwrap(),
        ],
    ));
    assert!(
        text.contains("dòng   93") && text.contains("145/NĐ-CP"),
        "{text}"
    );
    let o = qcdc(
        dir.path(),
        &["check", dir.path().join("khong-co.txt").to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    // a Word 97-2003 file: not read, the message names the format (UTF-16 with a
    // BOM, which this test used before, is now read)
    let bin = dir.path().join("cu.doc");
    std::fs::write(
        &bin,
        [0xD0u8, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0],
    )
    .unwrap();
    let o = qcdc(dir.path(), &["check", bin.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Word") || err.contains(".doc"), "{err}");
}

#[test]
fn import_report_into_a_demo_draft() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    stdout(&qcdc(d, &["demo"]));
    let status: serde_json::Value = serde_json::from_str(&stdout(&qcdc(
        d,
        &["rounds", "status", "--round", "3", "--format", "json"],
    )))
    .unwrap();
    let waiting = status["recipients"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "not_started")
        .unwrap()["unit_code"]
        .as_str()
        .unwrap()
        .to_string();
    let out = stdout(&qcdc(
        d,
        &[
            "import-report",
            fixture("dong-ha-2020-qcdc-annual.txt").to_str().unwrap(),
            "--round",
            "3",
            "--unit",
            &waiting,
        ],
    ));
    assert!(
        out.contains("✓") && out.contains("Tổng số văn bản đã ban hành"),
        "{out}"
    );
    let sub: serde_json::Value = serde_json::from_str(&stdout(&qcdc(
        d,
        &["submissions", "export", "--round", "3", "--unit", &waiting],
    )))
    .unwrap();
    assert_eq!(sub["status"], "draft");
    assert_eq!(sub["values"]["vb_tong"], 41.0);
    assert_eq!(sub["values"]["vb_cap_uy"], 20.0);
    assert!(
        sub["sections"].as_object().unwrap().len() >= 2,
        "{}",
        sub["sections"]
    );
    // the checker reads the imported narrative too: Đông Hà's 138/157 (87,8%)
    assert!(
        sub["narrative_findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "percent_mismatch"),
        "{}",
        sub["narrative_findings"]
    );
}

#[test]
fn render_issue_and_excel_forms_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    stdout(&qcdc(d, &["demo"]));
    let letter = d.join("cong-van.docx");
    let out = stdout(&qcdc(
        d,
        &[
            "render",
            "letter",
            "--round",
            "3",
            "--format",
            "docx",
            "--out",
            letter.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("dự thảo"), "{out}");
    assert!(std::fs::read(&letter).unwrap().starts_with(b"PK"));
    let out = stdout(&qcdc(d, &["issue", "letter", "--round", "3"]));
    assert!(out.contains("Đã phát hành số 01/CV-BCĐ"), "{out}");
    let out = stdout(&qcdc(
        d,
        &[
            "render",
            "letter",
            "--round",
            "3",
            "--format",
            "docx",
            "--out",
            letter.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("(số 01/CV-BCĐ"), "{out}");
    let pdf = d.join("tong-hop.pdf");
    let out = stdout(&qcdc(
        d,
        &[
            "render",
            "consolidated",
            "--round",
            "3",
            "--format",
            "pdf",
            "--out",
            pdf.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("trang"), "{out}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    // a unit still drafting: export its form and import it back unchanged
    let status: serde_json::Value = serde_json::from_str(&stdout(&qcdc(
        d,
        &["rounds", "status", "--round", "3", "--format", "json"],
    )))
    .unwrap();
    let unit = status["recipients"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "draft")
        .map(|r| r["unit_code"].as_str().unwrap().to_string())
        .expect("a draft in demo round 3");
    let form = d.join("bieu-mau.xlsx");
    stdout(&qcdc(
        d,
        &[
            "form",
            "export",
            "--round",
            "3",
            "--unit",
            &unit,
            "--out",
            form.to_str().unwrap(),
        ],
    ));
    let out = stdout(&qcdc(
        d,
        &[
            "form",
            "import",
            form.to_str().unwrap(),
            "--round",
            "3",
            "--unit",
            &unit,
        ],
    ));
    assert!(out.contains("Đã nhập biểu mẫu"), "{out}");
    // another unit's form is refused, with the stable code and exit status 1
    let other = status["recipients"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unit_code"].as_str().unwrap().to_string())
        .find(|c| *c != unit)
        .unwrap();
    let o = qcdc(
        d,
        &[
            "form",
            "import",
            form.to_str().unwrap(),
            "--round",
            "3",
            "--unit",
            &other,
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("xlsx_wrong_form"));
}

/// The demo communes keep a year of registers; in the current round (template
/// version 3) the demo reporter's commune is offered figures equal to its
/// registers' counts, and those are the figures of its report.
#[test]
fn demo_registers_match_the_demo_reports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    stdout(&qcdc(d, &["demo"]));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let app = qcdc_app::App::open_dir(d, &Default::default())
            .await
            .unwrap();
        let cx = app.system("test");
        let v = qcdc_app::submissions::view(&cx, 4, "LV-XDR01")
            .await
            .unwrap();
        assert_eq!(v.template_version, 3);
        for code in [
            "tcd_luot",
            "tcd_nguoi",
            "tcd_chu_tich",
            "dt_tiep_nhan",
            "dt_khieu_nai",
            "dt_da_giai_quyet",
            "dth_cuoc",
            "kt_so_doan",
            "dvk_mo_hinh",
        ] {
            let counted = v
                .prefilled
                .get(code)
                .unwrap_or_else(|| panic!("{code} counted"));
            assert_eq!(v.display.get(code), Some(counted), "{code}");
            assert_ne!(counted, "0", "{code}");
        }
        assert!(v.overrides.is_empty());
        // the earlier rounds keep version 2 and offer nothing
        let old = qcdc_app::submissions::view(&cx, 3, "LV-XDR01")
            .await
            .unwrap();
        assert_eq!(old.template_version, 2);
        assert!(old.prefilled.is_empty());
        // petitions with steps, some past their legal time limit
        let list = qcdc_app::registers::petitions::list(&cx, "LV-XDR01", &Default::default())
            .await
            .unwrap();
        assert!(list.items.len() >= 4);
        assert!(list.overdue > 0, "some petitions are overdue");
        assert!(list.items.iter().any(|p| p.steps.len() >= 3));
        app.close().await;
    });
}
