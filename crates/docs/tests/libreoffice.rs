//! A generated DOCX opened by LibreOffice (headless `soffice --convert-to pdf`): it must
//! open, keep A4 and come out with a sensible page count. Skipped, with the reason printed,
//! when `soffice` is not installed (Debian `libreoffice-writer-nogui`) — except under
//! `QCDC_REQUIRE_READERS=1` (set by `scripts/test`), where a missing reader fails.

mod common;

use std::process::Command;

#[test]
fn libreoffice_opens_the_docx() {
    if Command::new("soffice").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("QCDC_REQUIRE_READERS").is_none(),
            "soffice is required (QCDC_REQUIRE_READERS is set) but not installed"
        );
        println!("SKIPPED: soffice not installed (apt-get install libreoffice-writer-nogui)");
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (fixture, min, max) in [("report-commune.json", 4, 12), ("letter-party.json", 4, 12)] {
        let doc = common::fixture(fixture);
        let docx = qcdc_docs::render_docx(&doc).unwrap_or_else(|e| panic!("{e}"));
        let stem = fixture.trim_end_matches(".json");
        let input = dir.path().join(format!("{stem}.docx"));
        std::fs::write(&input, docx).unwrap_or_else(|e| panic!("{e}"));
        let out = Command::new("soffice")
            .arg(format!(
                "-env:UserInstallation=file://{}/profile",
                dir.path().display()
            ))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir.path())
            .arg(&input)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pdf = dir.path().join(format!("{stem}.pdf"));
        let p = pdf.to_string_lossy().to_string();
        let info = common::poppler("pdfinfo", &[&p]);
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0);
        println!("{fixture}: LibreOffice lays it out on {pages} pages");
        assert!((min..=max).contains(&pages), "{fixture}: {pages} pages");
        assert!(info.contains("pts (A4)"), "A4: {info}");
        let text = common::squash(&common::poppler("pdftotext", &[&p, "-"]));
        assert!(text.contains("Tự do - Hạnh phúc") || text.contains("ĐẢNG CỘNG SẢN VIỆT NAM"));
        std::fs::copy(
            &pdf,
            common::out_dir().join(format!("{stem}-libreoffice.pdf")),
        )
        .ok();
    }
}
