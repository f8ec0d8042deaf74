//! Test helpers: read DOCX files back with zip + quick-xml (independently of the writer),
//! load the fixtures, run poppler's command-line tools.

#![allow(dead_code)]

use std::io::{Cursor, Read};
use std::path::PathBuf;
use std::process::Command;

use qcdc_docs::Document;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

pub fn fixture(name: &str) -> Document {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// Where tests leave files for a person to look at.
pub fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("target")
        .join("qcdc-docs-samples");
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(|t| PathBuf::from(t).join("qcdc-docs-samples"))
        .unwrap_or(dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}"));
    dir
}

pub fn zip_part(bytes: &[u8], name: &str) -> Option<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut f = zip.by_name(name).ok()?;
    let mut s = String::new();
    f.read_to_string(&mut s).ok()?;
    Some(s)
}

pub fn zip_names(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
    zip.file_names()
        .filter_map(|n| n.ok())
        .map(|n| n.to_string())
        .collect()
}

/// A DOCX read back: paragraphs (outside tables), tables (rows of cell texts) and section
/// properties.
#[derive(Debug, Default)]
pub struct DocxText {
    /// Every paragraph's text, in order, including those inside tables.
    pub paragraphs: Vec<String>,
    /// Every table: rows of cells, each cell's paragraphs joined by '\n'.
    pub tables: Vec<Vec<Vec<String>>>,
    pub page_w: Option<u32>,
    pub page_h: Option<u32>,
    pub margins: Vec<(String, i32)>,
    pub title_pg: bool,
    pub header_refs: Vec<(String, String)>,
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
        .map(|v| v.to_string())
}

pub fn read_docx(bytes: &[u8]) -> DocxText {
    let xml = zip_part(bytes, "word/document.xml").unwrap_or_else(|| panic!("no document.xml"));
    let mut r = Reader::from_str(&xml);
    let mut out = DocxText::default();
    let mut para = String::new();
    let mut in_text = false;
    // stack of open tables: rows → cells → text
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    let mut cell_text: Vec<String> = Vec::new();
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => match e.name().as_ref() {
                "w:p" => para.clear(),
                "w:t" => in_text = true,
                "w:tbl" => tables.push(Vec::new()),
                "w:tr" => {
                    if let Some(t) = tables.last_mut() {
                        t.push(Vec::new());
                    }
                }
                "w:tc" => cell_text.push(String::new()),
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.name().as_ref() {
                "w:pgSz" => {
                    out.page_w = attr(&e, "w:w").and_then(|v| v.parse().ok());
                    out.page_h = attr(&e, "w:h").and_then(|v| v.parse().ok());
                }
                "w:pgMar" => {
                    for k in ["top", "bottom", "left", "right", "header"] {
                        if let Some(v) = attr(&e, &format!("w:{k}")) {
                            out.margins.push((k.to_string(), v.parse().unwrap_or(-1)));
                        }
                    }
                }
                "w:titlePg" => {
                    out.title_pg = attr(&e, "w:val").is_none_or(|v| v != "0" && v != "false")
                }
                "w:headerReference" => out.header_refs.push((
                    attr(&e, "w:type").unwrap_or_default(),
                    attr(&e, "r:id").unwrap_or_default(),
                )),
                "w:p" => out.paragraphs.push(String::new()),
                "w:tab" => para.push('\t'),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                let s = t.xml10_content().to_string();
                para.push_str(&s);
            }
            Ok(Event::GeneralRef(g)) if in_text => {
                // &amp; &lt; … inside w:t
                let s = match g.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                };
                para.push_str(s);
            }
            Ok(Event::End(e)) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" => {
                    out.paragraphs.push(para.clone());
                    if let Some(c) = cell_text.last_mut() {
                        if !c.is_empty() {
                            c.push('\n');
                        }
                        c.push_str(&para);
                    }
                }
                "w:tc" => {
                    let c = cell_text.pop().unwrap_or_default();
                    if let Some(row) = tables.last_mut().and_then(|t| t.last_mut()) {
                        row.push(c);
                    }
                }
                "w:tbl" => {
                    if let Some(t) = tables.pop() {
                        out.tables.push(t);
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => panic!("document.xml does not parse: {e}"),
            _ => {}
        }
    }
    out
}

/// The default font of a DOCX (docDefaults).
pub fn default_font(bytes: &[u8]) -> Option<String> {
    let xml = zip_part(bytes, "word/styles.xml")?;
    let mut r = Reader::from_str(&xml);
    let mut in_defaults = false;
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == "w:docDefaults" => in_defaults = true,
            Ok(Event::End(e)) if e.name().as_ref() == "w:docDefaults" => in_defaults = false,
            Ok(Event::Empty(e)) | Ok(Event::Start(e))
                if in_defaults && e.name().as_ref() == "w:rFonts" =>
            {
                return attr(&e, "w:ascii");
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

pub fn has_tool(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

/// Runs a poppler tool; fails the test with the package to install when it is missing.
pub fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("`{tool}` is needed by this test (Debian package poppler-utils): {e}")
    });
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes a PDF and returns its text as extracted by `pdftotext`.
pub fn pdf_text(pdf: &[u8], name: &str) -> String {
    let path = out_dir().join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap_or_else(|e| panic!("{e}"));
    let p = path.to_string_lossy().to_string();
    poppler("pdftotext", &["-enc", "UTF-8", &p, "-"])
}

/// Collapses runs of white space (pdftotext breaks lines where the PDF does).
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
