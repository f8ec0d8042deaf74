//! Official documents (issue 10): the round's covering letter, a unit's report and
//! the consolidated report of an office as DOCX or PDF, the outgoing-number register
//! (sổ văn bản đi), each unit's document settings, the office's consolidated
//! narrative draft, and the Excel forms in and out.
//!
//! Documents are built from the same view models the pages show —
//! [`SubmissionView`] for a unit's report, [`ConsolidationView`] for the consolidated
//! report, [`RoundView`] for the letter — by the pure functions [`unit_report_from_view`]
//! and [`consolidated_from_view`], so a page and its document print the same figures.
//!
//! - A **draft** (unnumbered, "DỰ THẢO") renders from the current data any number of
//!   times.
//! - **Issuing** ([`issue`]) takes the next number of the issuer's register for the
//!   year and kind (`CV`, `BC`) in the same write transaction that records the
//!   document with the content it was issued with; a document is issued once.
//! - **Downloading** an issued document renders what was issued, with its number.
//!
//! Rendering is CPU-bound: it runs on the blocking pool, outside any transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate};
use qcdc_core::access::Permission;
use qcdc_core::consolidate::Row;
use qcdc_core::number::{self, Milli};
use qcdc_core::template::Template;
use qcdc_core::unit::UnitKind;
use qcdc_core::{CoreError, CoreResult, ErrorCode, text};
use qcdc_docs::xlsx::{self, FormExport, FormIdentity, FormImportError};
use qcdc_docs::{
    Completeness, ConsolidatedReport, DocKind, FigureRow, FigureTable, Issuer, LateUnit, Letter,
    NarrativeParagraph, NarrativeSection, Outline, Signature, TotalsRow, TotalsTable, UnitReport,
    UnitTable,
};
pub use qcdc_docs::{Document, DocumentFormat};
use qcdc_store::Conn as AnyConnection;
use qcdc_store::documents_repo::{self, NewIssued, SettingsRow};
use qcdc_store::rounds_repo::{self, Round};
use qcdc_store::units_repo::{self, Unit};
use qcdc_store::{audit, submissions_repo};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ctx::Ctx;
use crate::rounds::{load as load_round, require_visible};
use crate::submissions::{self, DraftChange};
use crate::views::{ConsolidationView, PageReq, RoundView, SubmissionView};

/// Authority prefixes of a signature block (Decree 30/2020, Art. 13).
pub const AUTHORITY_PREFIXES: [&str; 5] = ["TM.", "KT.", "TL.", "TUQ.", "Q."];

/// Placeholders printed where a unit has not filled its settings.
const PLACE_PLACEHOLDER: &str = "[Địa danh]";
const SYMBOL_PLACEHOLDER: &str = "[Ký hiệu]";

/// The file format of a rendered document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Docx,
    Pdf,
}

impl FileFormat {
    pub fn parse(s: &str) -> CoreResult<FileFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "docx" => Ok(FileFormat::Docx),
            "pdf" => Ok(FileFormat::Pdf),
            other => Err(CoreError::invalid(format!(
                "Định dạng tệp «{other}» không hỗ trợ (docx hoặc pdf)"
            ))),
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            FileFormat::Docx => "docx",
            FileFormat::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileFormat::Pdf => "application/pdf",
        }
    }
}

/// Content type of .xlsx files.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Which document of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Which {
    /// The round's covering letter (công văn), issued by the round's issuer.
    Letter,
    /// A unit's report (báo cáo), issued by the unit.
    Report,
    /// The consolidated report of an office at a unit.
    Consolidated,
}

impl Which {
    pub fn parse(s: &str) -> CoreResult<Which> {
        match s.trim() {
            "letter" => Ok(Which::Letter),
            "report" => Ok(Which::Report),
            "consolidated" => Ok(Which::Consolidated),
            other => Err(CoreError::invalid(format!(
                "Loại văn bản «{other}» không có (letter, report, consolidated)"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Which::Letter => "letter",
            Which::Report => "report",
            Which::Consolidated => "consolidated",
        }
    }

    fn kind(self) -> DocKind {
        match self {
            Which::Letter => DocKind::Letter,
            _ => DocKind::Report,
        }
    }

    fn label_vi(self) -> &'static str {
        match self {
            Which::Letter => "công văn",
            Which::Report => "báo cáo",
            Which::Consolidated => "báo cáo tổng hợp",
        }
    }
}

/// A rendered file, ready to send.
#[derive(Debug, Clone)]
pub struct RenderedFile {
    pub bytes: Vec<u8>,
    /// Vietnamese file name with extension ("Báo cáo 109-BC-UBND.docx").
    pub file_name: String,
    pub content_type: &'static str,
    /// The outgoing number when the document was issued ("109/BC-UBND").
    pub number: Option<String>,
    /// Pages of a PDF.
    pub pages: Option<usize>,
}

/// A unit's document settings (what its documents print in the heading and the
/// signature block).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DocumentSettings {
    /// State (Decree 30/2020) or Party (HD 36) format.
    pub format: DocumentFormat,
    /// The body above the issuer ("UBND TỈNH LÂM VIÊN"); may be empty.
    #[serde(default)]
    pub parent_body: String,
    /// The issuing body ("BAN CHỈ ĐẠO THỰC HIỆN QUY CHẾ DÂN CHỦ Ở CƠ SỞ").
    pub body: String,
    /// The symbol in numbers ("BCĐ", "UBND").
    pub symbol: String,
    /// Place name of the date line ("Lâm Viên").
    pub place: String,
    #[serde(default)]
    pub signer_name: String,
    #[serde(default)]
    pub signer_title: String,
    /// Empty, or one of [`AUTHORITY_PREFIXES`].
    #[serde(default)]
    pub authority_prefix: String,
    /// Who the prefix signs for ("BAN CHỈ ĐẠO", "ỦY BAN NHÂN DÂN").
    #[serde(default)]
    pub authority_body: String,
}

impl DocumentSettings {
    fn issuer(&self) -> Issuer {
        Issuer {
            format: self.format,
            parent_body: self.parent_body.clone(),
            body: self.body.clone(),
            place: if self.place.trim().is_empty() {
                PLACE_PLACEHOLDER.into()
            } else {
                self.place.clone()
            },
            symbol: if self.symbol.trim().is_empty() {
                SYMBOL_PLACEHOLDER.into()
            } else {
                self.symbol.clone()
            },
        }
    }

    fn signature(&self) -> Signature {
        Signature {
            authority_prefix: (!self.authority_prefix.trim().is_empty())
                .then(|| self.authority_prefix.trim().to_string()),
            authority_body: self.authority_body.clone(),
            title: self.signer_title.clone(),
            signer_name: (!self.signer_name.trim().is_empty()).then(|| self.signer_name.clone()),
        }
    }

    /// Trims, NFC-normalises and checks the settings.
    fn normalised(&self) -> CoreResult<DocumentSettings> {
        let f = |s: &str| text::nfc(s.trim());
        let s = DocumentSettings {
            format: self.format,
            parent_body: f(&self.parent_body),
            body: f(&self.body),
            symbol: f(&self.symbol),
            place: f(&self.place),
            signer_name: f(&self.signer_name),
            signer_title: f(&self.signer_title),
            authority_prefix: f(&self.authority_prefix),
            authority_body: f(&self.authority_body),
        };
        let mut problems = Vec::new();
        if s.body.is_empty() {
            problems.push("thiếu tên cơ quan ban hành".to_string());
        }
        if s.symbol.is_empty() {
            problems.push("thiếu ký hiệu cơ quan (ví dụ BCĐ, UBND)".to_string());
        } else if s.symbol.contains(['/', '\\', ' ']) {
            problems.push("ký hiệu cơ quan không chứa dấu «/», «\\» hay khoảng trắng".to_string());
        }
        if s.place.is_empty() {
            problems.push("thiếu địa danh ghi ở dòng ngày tháng".to_string());
        }
        if !s.authority_prefix.is_empty()
            && !AUTHORITY_PREFIXES.contains(&s.authority_prefix.as_str())
        {
            problems.push(format!(
                "thẩm quyền ký «{}» không hợp lệ (TM., KT., TL., TUQ., Q. hoặc để trống)",
                s.authority_prefix
            ));
        }
        let long = [
            &s.parent_body,
            &s.body,
            &s.symbol,
            &s.place,
            &s.signer_name,
            &s.signer_title,
            &s.authority_body,
        ]
        .iter()
        .any(|x| x.chars().count() > 200);
        if long {
            problems.push("mỗi mục tối đa 200 ký tự".to_string());
        }
        if problems.is_empty() {
            Ok(s)
        } else {
            Err(CoreError::invalid(format!(
                "Thiết lập văn bản chưa hợp lệ: {}",
                problems.join("; ")
            )))
        }
    }
}

impl From<SettingsRow> for DocumentSettings {
    fn from(r: SettingsRow) -> Self {
        DocumentSettings {
            format: if r.format == "party" {
                DocumentFormat::Party
            } else {
                DocumentFormat::State
            },
            parent_body: r.parent_body,
            body: r.body,
            symbol: r.symbol,
            place: r.place,
            signer_name: r.signer_name,
            signer_title: r.signer_title,
            authority_prefix: r.authority_prefix,
            authority_body: r.authority_body,
        }
    }
}

fn format_str(f: DocumentFormat) -> &'static str {
    match f {
        DocumentFormat::State => "state",
        DocumentFormat::Party => "party",
    }
}

/// A unit's settings as the settings page shows them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DocumentSettingsView {
    pub unit_code: String,
    pub unit_name: String,
    pub settings: DocumentSettings,
    /// False: never saved, `settings` are the defaults derived from the unit.
    pub saved: bool,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
    /// The actor administers the unit (may change the settings).
    pub can_edit: bool,
}

/// A document entered in the outgoing register.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IssuedView {
    pub round_id: i64,
    pub unit_code: String,
    pub document: Which,
    pub number: i64,
    /// As printed: `42-CV/BCĐ`, `109/BC-UBND`.
    pub number_text: String,
    pub issued_on: NaiveDate,
    pub issued_at: String,
    pub issued_by: String,
    pub sha256: String,
}

/// Strips a kind word from a unit's name ("Xã Đam Rông 1" → "Đam Rông 1").
fn place_of(name: &str) -> String {
    const PREFIXES: [&str; 10] = [
        "Thành phố ",
        "Tỉnh ",
        "Huyện ",
        "Quận ",
        "Thị xã ",
        "Thị trấn ",
        "Xã ",
        "Phường ",
        "Đặc khu ",
        "TP. ",
    ];
    for p in PREFIXES {
        if let Some(rest) = name.strip_prefix(p) {
            return rest.trim().to_string();
        }
    }
    String::new()
}

/// Defaults for a unit that never saved its settings: its name in capitals, its
/// parent's above it, a symbol by kind, the place from its name; no signer (the
/// documents print visible placeholders).
fn default_settings(u: &Unit, parent: Option<&Unit>) -> DocumentSettings {
    let symbol = match u.kind {
        UnitKind::Central | UnitKind::Province | UnitKind::District => "BCĐ",
        k if k.is_commune_level() => "UBND",
        _ => "",
    };
    let body = if u.kind.is_commune_level() {
        format!("ỦY BAN NHÂN DÂN {}", u.name.to_uppercase())
    } else if matches!(
        u.kind,
        UnitKind::Central | UnitKind::Province | UnitKind::District
    ) {
        "BAN CHỈ ĐẠO THỰC HIỆN QUY CHẾ DÂN CHỦ Ở CƠ SỞ".to_string()
    } else {
        u.name.to_uppercase()
    };
    let parent_body = if matches!(
        u.kind,
        UnitKind::Central | UnitKind::Province | UnitKind::District
    ) {
        u.name.to_uppercase()
    } else {
        parent.map(|p| p.name.to_uppercase()).unwrap_or_default()
    };
    let place = {
        let own = place_of(&u.name);
        if own.is_empty() {
            parent.map(|p| place_of(&p.name)).unwrap_or_default()
        } else {
            own
        }
    };
    DocumentSettings {
        format: DocumentFormat::State,
        parent_body,
        body,
        symbol: symbol.into(),
        place,
        signer_name: String::new(),
        signer_title: String::new(),
        authority_prefix: String::new(),
        authority_body: String::new(),
    }
}

/// The settings in force for a unit (saved, or the defaults).
async fn settings_of(
    c: &mut AnyConnection,
    u: &Unit,
) -> CoreResult<(DocumentSettings, Option<SettingsRow>)> {
    match documents_repo::settings(c, u.id).await? {
        Some(row) => Ok((DocumentSettings::from(row.clone()), Some(row))),
        None => {
            let parent = match u.parent_id {
                Some(p) => Some(units_repo::by_id(c, p).await?),
                None => None,
            };
            Ok((default_settings(u, parent.as_ref()), None))
        }
    }
}

/// A unit's document settings (anyone who sees the unit).
pub async fn settings(cx: &Ctx, unit_code: &str) -> CoreResult<DocumentSettingsView> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let u = units_repo::by_code(&mut tx, unit_code).await?;
        cx.require(&mut tx, Permission::View, u.id).await?;
        let (settings, row) = settings_of(&mut tx, &u).await?;
        let can_edit = cx.may(&mut tx, Permission::Administer, u.id).await?;
        Ok(DocumentSettingsView {
            unit_code: u.code,
            unit_name: u.name,
            settings,
            saved: row.is_some(),
            updated_at: row.as_ref().map(|r| r.updated_at.clone()),
            updated_by: row.map(|r| r.updated_by),
            can_edit,
        })
    }
    .await;
    tx.finish(r).await
}

/// Saves a unit's document settings (the unit's admin, or an admin above it).
pub async fn save_settings(
    cx: &Ctx,
    unit_code: &str,
    new: &DocumentSettings,
) -> CoreResult<DocumentSettingsView> {
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let u = units_repo::by_code(&mut tx, unit_code).await?;
        cx.require(&mut tx, Permission::Administer, u.id).await?;
        let s = new.normalised()?;
        let old = documents_repo::settings(&mut tx, u.id).await?;
        let row = SettingsRow {
            format: format_str(s.format).into(),
            parent_body: s.parent_body.clone(),
            body: s.body.clone(),
            symbol: s.symbol.clone(),
            place: s.place.clone(),
            signer_name: s.signer_name.clone(),
            signer_title: s.signer_title.clone(),
            authority_prefix: s.authority_prefix.clone(),
            authority_body: s.authority_body.clone(),
            updated_at: String::new(),
            updated_by: String::new(),
        };
        documents_repo::save_settings(&mut tx, u.id, &row, cx.who()).await?;
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "document_settings",
                entity: "unit",
                entity_id: &u.code,
                field: Some("document_settings"),
                old_value: old
                    .map(|o| serde_json::to_string(&DocumentSettings::from(o)).unwrap_or_default()),
                new_value: Some(serde_json::to_string(&s).unwrap_or_default()),
            },
        )
        .await?;
        Ok(())
    }
    .await;
    tx.finish(r).await?;
    settings(cx, unit_code).await
}

// ------------------------------------------------------------------ builders

/// "Kết quả xây dựng và thực hiện quy chế dân chủ ở cơ sở 6 tháng đầu năm 2026" from the
/// template's name ("Báo cáo kết quả … (6 tháng, năm)") and the period.
fn report_title(t: &Template, period_label: &str) -> String {
    let name = t.def.name.trim();
    let name = match name.find(" (") {
        Some(i) if name.ends_with(')') => &name[..i],
        _ => name,
    };
    let name = name
        .strip_prefix("Báo cáo ")
        .or_else(|| name.strip_prefix("BÁO CÁO "))
        .unwrap_or(name);
    format!("{} {period_label}", upper_first(name))
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// "Kính gửi:" grouped by kind: a kind's only recipient by name, several as a group.
fn recipient_groups(kinds: &[(UnitKind, i64, String)]) -> Vec<String> {
    let count = |ks: &[UnitKind]| -> i64 {
        kinds
            .iter()
            .filter(|(k, _, _)| ks.contains(k))
            .map(|(_, n, _)| n)
            .sum()
    };
    let only = |ks: &[UnitKind]| -> Option<String> {
        let mut it = kinds.iter().filter(|(k, _, _)| ks.contains(k));
        match (it.next(), it.next()) {
            (Some((_, 1, name)), None) => Some(name.clone()),
            _ => None,
        }
    };
    let mut out = Vec::new();
    let commune: Vec<UnitKind> = [
        UnitKind::Commune,
        UnitKind::Ward,
        UnitKind::Township,
        UnitKind::SpecialZone,
    ]
    .into_iter()
    .filter(|k| kinds.iter().any(|(x, _, _)| x == k))
    .collect();
    if !commune.is_empty() {
        if let Some(name) = only(&commune) {
            out.push(format!(
                "Ban Chỉ đạo thực hiện quy chế dân chủ ở cơ sở {name}"
            ));
        } else {
            let words: Vec<&str> = commune
                .iter()
                .map(|k| match k {
                    UnitKind::Commune => "xã",
                    UnitKind::Ward => "phường",
                    UnitKind::Township => "thị trấn",
                    _ => "đặc khu",
                })
                .collect();
            out.push(format!(
                "Ban Chỉ đạo thực hiện quy chế dân chủ ở cơ sở các {}",
                words.join(", ")
            ));
        }
    }
    let groups: [(&[UnitKind], &str); 7] = [
        (&[UnitKind::Central], "Ban Chỉ đạo Trung ương"),
        (
            &[UnitKind::Province],
            "Ban Chỉ đạo thực hiện quy chế dân chủ ở cơ sở các tỉnh, thành phố",
        ),
        (
            &[UnitKind::District],
            "Ban Chỉ đạo thực hiện quy chế dân chủ ở cơ sở các huyện, thị xã, thành phố",
        ),
        (&[UnitKind::PartyOrg], "các đảng bộ, chi bộ trực thuộc"),
        (&[UnitKind::Agency], "các sở, ban, ngành"),
        (&[UnitKind::PublicService], "các đơn vị sự nghiệp công lập"),
        (&[UnitKind::Enterprise], "các doanh nghiệp"),
    ];
    for (ks, label) in groups {
        if count(ks) > 0 {
            out.push(only(ks).unwrap_or_else(|| label.to_string()));
        }
    }
    if count(&[UnitKind::MassOrg]) > 0 {
        out.push(
            only(&[UnitKind::MassOrg])
                .unwrap_or_else(|| "Ủy ban Mặt trận Tổ quốc Việt Nam và các đoàn thể".to_string()),
        );
    }
    out
}

/// The letter of a round.
async fn build_letter(
    cx: &Ctx,
    c: &mut AnyConnection,
    round: &Round,
    date: NaiveDate,
) -> CoreResult<Letter> {
    let t = cx.app().template(c, round.template_id).await?;
    let issuer_unit = units_repo::by_id(c, round.issuer_id).await?;
    let (settings, _) = settings_of(c, &issuer_unit).await?;
    let kinds = rounds_repo::recipient_kinds(c, round.id).await?;
    let view = RoundView::from(round.clone());
    let title = report_title(&t, &view.period_label);
    let mut body: Vec<String> = NarrativeParagraph::split(&view.letter, None)
        .into_iter()
        .map(|p| p.text)
        .collect();
    if body.is_empty() {
        body.push(format!(
            "Để có cơ sở tổng hợp, đánh giá {}, {} đề nghị các đơn vị báo cáo theo đề cương và biểu mẫu số liệu gửi kèm.",
            lower_first(&title),
            issuer_unit.name
        ));
    }
    body.push(format!(
        "Số liệu báo cáo tính từ ngày {} đến hết ngày {} (thời điểm chốt số liệu theo Nghị định số 09/2019/NĐ-CP ngày 24/01/2019 của Chính phủ).",
        view.cutoff_from, view.cutoff_to
    ));
    body.push(format!(
        "Báo cáo gửi về {} và nộp trên hệ thống qcdc trước ngày {} để tổng hợp, báo cáo cấp trên./.",
        issuer_unit.name, view.deadline_display
    ));
    Ok(Letter {
        issuer: settings.issuer(),
        number: None,
        date,
        subject: format!("báo cáo {}", lower_first(&title)),
        recipients: recipient_groups(&kinds),
        body,
        distribution: vec![
            "Như trên".into(),
            format!("Lưu: VT, {}", settings.issuer().symbol),
        ],
        signature: settings.signature(),
        outline: Some(Outline::from_template(&t, lower_first(&title))),
        form: Some(FigureTable {
            subtitle: format!("Kỳ báo cáo: {}", view.period_label),
            ..FigureTable::from_template(&t, "BIỂU MẪU SỐ LIỆU", &BTreeMap::new())
        }),
    })
}

/// Sections of a narrative in the template's order, as paragraphs.
fn narrative_sections(
    t: &Template,
    texts: &BTreeMap<String, String>,
    attribution: &dyn Fn(&str) -> (String, Option<String>),
) -> Vec<NarrativeSection> {
    t.sections()
        .iter()
        .map(|s| NarrativeSection {
            number: s.number.clone(),
            title: s.title.clone(),
            paragraphs: texts
                .get(&s.number)
                .map(|x| {
                    NarrativeParagraph::split(x, None)
                        .into_iter()
                        .map(|p| {
                            let (text, attribution) = attribution(&p.text);
                            NarrativeParagraph { text, attribution }
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// What a report says about the letter it answers.
fn intro_line(
    letter: Option<&(String, NaiveDate)>,
    issuer_name: &str,
    subject: &str,
    body: &str,
) -> String {
    match letter {
        Some((number, on)) => format!(
            "Thực hiện Công văn số {number} ngày {} của {issuer_name} về việc {subject}, {} báo cáo như sau:",
            qcdc_core::period::format_date(*on),
            upper_first_words(body)
        ),
        None => format!(
            "Thực hiện yêu cầu của {issuer_name} về việc {subject}, {} báo cáo như sau:",
            upper_first_words(body)
        ),
    }
}

/// "ỦY BAN NHÂN DÂN XÃ ĐAM RÔNG" → "Ủy Ban Nhân Dân Xã Đam Rông" is wrong Vietnamese; a
/// body in capitals is written as a sentence with its first letter capital instead.
fn upper_first_words(body: &str) -> String {
    if body.chars().any(char::is_lowercase) {
        body.to_string()
    } else {
        upper_first(&body.to_lowercase())
    }
}

/// A unit's report from the page's view model ([`SubmissionView`]) and the template.
pub fn unit_report_from_view(
    view: &SubmissionView,
    t: &Template,
    settings: &DocumentSettings,
    date: NaiveDate,
    letter: Option<&(String, NaiveDate)>,
    round_issuer_name: &str,
) -> UnitReport {
    let title = report_title(t, &view.period_label);
    let mut values: BTreeMap<String, Milli> = BTreeMap::new();
    for (code, v) in &view.values {
        if let Ok(m) = number::from_f64(*v) {
            values.insert(code.clone(), m);
        }
    }
    let mut appendix = FigureTable {
        subtitle: format!("{} — {}", view.unit_name, view.period_label),
        ..FigureTable::from_template(t, "PHỤ LỤC SỐ LIỆU", &values)
    };
    for row in &mut appendix.rows {
        if let FigureRow::Indicator {
            code,
            value: Some(v),
            ..
        } = row
            && let Some(d) = view.display.get(code)
        {
            v.text = d.clone();
        }
    }
    UnitReport {
        issuer: settings.issuer(),
        number: None,
        date,
        title: title.clone(),
        period_label: view.period_label.clone(),
        intro: vec![intro_line(
            letter,
            round_issuer_name,
            &format!("báo cáo {}", lower_first(&title)),
            &settings.body,
        )],
        parts: Vec::new(),
        sections: narrative_sections(t, &view.sections, &|p| (p.to_string(), None)),
        distribution: vec![
            format!("{round_issuer_name} (b/c)"),
            format!("Lưu: VT, {}", settings.issuer().symbol),
        ],
        signature: settings.signature(),
        appendix: Some(appendix),
    }
}

/// Everything of a consolidation a document needs beyond [`ConsolidationView`]: the
/// late and missing reports by name, the accepted reports' figures unit by unit and
/// the narrative sections (the office's edited text, or the assembled draft).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConsolidationExtras {
    pub late: Vec<(String, NaiveDate)>,
    pub missing: Vec<String>,
    /// (unit name, figures) of every accepted report below, in Vietnamese order.
    pub units: Vec<(String, BTreeMap<String, Milli>)>,
    /// Section → text, each paragraph ending with "(unit name)" when attributed.
    pub narrative: BTreeMap<String, String>,
}

fn milli_of(v: Option<f64>) -> Option<Milli> {
    v.and_then(|x| number::from_f64(x).ok())
}

/// Splits a trailing "(Tên đơn vị)" off a paragraph when it names a reporting unit.
fn split_attribution(p: &str, names: &[String]) -> (String, Option<String>) {
    let p = p.trim();
    if let Some(open) = p.rfind(" (")
        && p.ends_with(')')
    {
        let name = &p[open + 2..p.len() - 1];
        if names.iter().any(|n| n == name) {
            return (p[..open].trim_end().to_string(), Some(name.to_string()));
        }
    }
    (p.to_string(), None)
}

/// The consolidated report from the page's view model ([`ConsolidationView`]).
pub fn consolidated_from_view(
    view: &ConsolidationView,
    extras: &ConsolidationExtras,
    t: &Template,
    settings: &DocumentSettings,
    date: NaiveDate,
) -> ConsolidatedReport {
    let period_label = view.round.period_label.clone();
    let title = report_title(t, &period_label);
    let by_code: BTreeMap<&str, &Row> = view.rows.iter().map(|r| (r.code.as_str(), r)).collect();
    let current: BTreeMap<String, Milli> = view
        .rows
        .iter()
        .filter_map(|r| milli_of(r.value).map(|m| (r.code.clone(), m)))
        .collect();
    let last: BTreeMap<String, Milli> = view
        .rows
        .iter()
        .filter_map(|r| milli_of(r.previous).map(|m| (r.code.clone(), m)))
        .collect();
    let last_label = view
        .previous_round
        .as_ref()
        .map(|r| r.period_label.clone())
        .unwrap_or_else(|| view.round.period.same_period_last_year().label_vi());
    let mut totals = TotalsTable::from_template(
        t,
        "TỔNG HỢP SỐ LIỆU THEO CHỈ TIÊU",
        period_label.clone(),
        last_label,
        &current,
        &last,
    );
    for row in &mut totals.rows {
        if let TotalsRow::Indicator {
            code,
            value: Some(v),
            ..
        } = row
            && let Some(r) = by_code.get(code.as_str())
            && !r.display.is_empty()
        {
            v.text = r.display.clone();
        }
    }
    let c = &view.completeness;
    let n = |x: i64| u32::try_from(x.max(0)).unwrap_or(u32::MAX);
    let completeness = Completeness {
        title: "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC ĐƠN VỊ".into(),
        deadline: Some(view.round.deadline),
        expected: n(c.recipients),
        submitted: n(c.submitted + c.accepted),
        on_time: n(c.on_time),
        late: n(c.late),
        missing: n(c.missing()),
        late_units: extras
            .late
            .iter()
            .map(|(name, on)| LateUnit {
                name: name.clone(),
                submitted_on: *on,
            })
            .collect(),
        missing_units: extras.missing.clone(),
    };
    let names: Vec<String> = extras.units.iter().map(|(n, _)| n.clone()).collect();
    let unit_tables = t
        .def
        .groups
        .iter()
        .filter(|g| {
            extras.units.iter().any(|(_, vals)| {
                t.indicators()
                    .iter()
                    .any(|i| i.group == g.code && vals.contains_key(&i.code))
            })
        })
        .filter_map(|g| UnitTable::from_template(t, &g.code, &extras.units))
        .collect();
    let accepted = extras.units.len();
    ConsolidatedReport {
        issuer: settings.issuer(),
        number: None,
        date,
        title: title.clone(),
        period_label,
        intro: vec![format!(
            "Trên cơ sở báo cáo của {accepted} đơn vị đã được tiếp nhận (trên tổng số {} đơn vị được yêu cầu báo cáo), {} tổng hợp {} như sau:",
            c.recipients,
            upper_first_words(&settings.body),
            lower_first(&title)
        )],
        parts: Vec::new(),
        sections: narrative_sections(t, &extras.narrative, &|p| split_attribution(p, &names)),
        distribution: vec![
            "Cấp trên (b/c)".into(),
            format!("Lưu: VT, {}", settings.issuer().symbol),
        ],
        signature: settings.signature(),
        totals,
        completeness,
        unit_tables,
    }
}

/// The children's accepted narratives assembled section by section, each paragraph
/// followed by its unit's name in brackets.
fn assemble(
    t: &Template,
    refs: &[submissions_repo::AcceptedRef],
    texts: &std::collections::HashMap<i64, BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for s in t.sections() {
        let mut lines = Vec::new();
        for r in refs {
            if let Some(x) = texts.get(&r.submission_id).and_then(|n| n.get(&s.number)) {
                for p in NarrativeParagraph::split(x, None) {
                    lines.push(format!("{} ({})", p.text, r.unit_name));
                }
            }
        }
        if !lines.is_empty() {
            out.insert(s.number.clone(), lines.join("\n"));
        }
    }
    out
}

/// Reads what [`ConsolidationExtras`] holds, in the caller's transaction.
async fn extras_in(
    cx: &Ctx,
    c: &mut AnyConnection,
    round: &Round,
    root: &Unit,
) -> CoreResult<(ConsolidationExtras, BTreeMap<String, String>, bool)> {
    let t = cx.app().template(c, round.template_id).await?;
    let under = (root.id != round.issuer_id).then_some(root.id);
    let (refs, _) = submissions_repo::accepted_below(c, round.id, under, 0, i64::MAX / 2).await?;
    let pairs: Vec<(i64, i64)> = refs.iter().map(|r| (r.submission_id, r.version)).collect();
    let texts = submissions_repo::accepted_narratives(c, &pairs).await?;
    let assembled = assemble(&t, &refs, &texts);
    let saved = documents_repo::consolidated_narrative(c, round.id, root.id).await?;
    let edited = !saved.is_empty();
    let codes: Vec<String> = t.indicators().iter().map(|i| i.code.clone()).collect();
    let ids: Vec<i64> = refs.iter().map(|r| r.submission_id).collect();
    let mut vals = submissions_repo::accepted_values_of(c, &ids, &codes).await?;
    let units = refs
        .iter()
        .map(|r| {
            (
                r.unit_name.clone(),
                vals.remove(&r.submission_id).unwrap_or_default(),
            )
        })
        .collect();
    let (recips, _) = rounds_repo::recipients(
        c,
        round.id,
        under,
        &qcdc_store::rounds_repo::RecipientFilter::default(),
        0,
        i64::MAX / 2,
        None,
    )
    .await?;
    let mut late = Vec::new();
    let mut missing = Vec::new();
    for r in recips {
        if r.on_time == Some(false) {
            let on = r
                .first_submitted_at
                .as_deref()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|d| qcdc_core::period::today_in_vietnam(d.to_utc()))
                .unwrap_or(round.deadline);
            late.push((r.unit_name, on));
        } else if r.on_time.is_none() {
            missing.push(r.unit_name);
        }
    }
    Ok((
        ConsolidationExtras {
            late,
            missing,
            units,
            narrative: if edited { saved } else { assembled.clone() },
        },
        assembled,
        edited,
    ))
}

/// The consolidation view and its extras at a unit, in the caller's transaction.
async fn consolidation_in(
    cx: &Ctx,
    c: &mut AnyConnection,
    round: &Round,
    root: &Unit,
) -> CoreResult<(ConsolidationView, ConsolidationExtras)> {
    let view = crate::consolidation::get_in(
        cx,
        c,
        round.id,
        Some(&root.code),
        None,
        PageReq::new(1, 1),
        cx.app().today(),
        true,
    )
    .await?;
    let (extras, _, _) = extras_in(cx, c, round, root).await?;
    Ok((view, extras))
}

/// The letter's number and date when it was issued.
async fn issued_letter(
    c: &mut AnyConnection,
    round: &Round,
) -> CoreResult<Option<(String, NaiveDate)>> {
    Ok(
        documents_repo::issued(c, round.id, round.issuer_id, Which::Letter.as_str())
            .await?
            .and_then(|d| {
                NaiveDate::parse_from_str(&d.issued_on, "%Y-%m-%d")
                    .ok()
                    .map(|on| (d.number_text, on))
            }),
    )
}

/// The unit a document is about (and issued by): the issuer for a letter, the
/// given unit for a report, the given unit (the issuer by default) for a
/// consolidated report.
async fn subject_unit(
    c: &mut AnyConnection,
    round: &Round,
    which: Which,
    unit: Option<&str>,
) -> CoreResult<Unit> {
    match (which, unit) {
        (Which::Letter, _) => units_repo::by_id(c, round.issuer_id).await,
        (Which::Report, Some(code)) => units_repo::by_code(c, code).await,
        (Which::Report, None) => Err(CoreError::invalid("Cần chọn đơn vị của báo cáo")),
        (Which::Consolidated, Some(code)) => units_repo::by_code(c, code).await,
        (Which::Consolidated, None) => units_repo::by_id(c, round.issuer_id).await,
    }
}

/// Who may read a document: a letter anyone who sees the round; a report anyone
/// who sees the unit; a consolidated report anyone who sees the unit.
async fn require_read(
    cx: &Ctx,
    c: &mut AnyConnection,
    round: &Round,
    which: Which,
    u: &Unit,
) -> CoreResult<()> {
    match which {
        Which::Letter => require_visible(cx, c, round).await,
        Which::Report | Which::Consolidated => {
            cx.require(c, Permission::View, u.id).await.map(|_| ())
        }
    }
}

/// Who may issue: the round's issuing office for a letter, the unit's reporter (or
/// its own office) for its report, the office over the unit for a consolidated report.
async fn require_issue(
    cx: &Ctx,
    c: &mut AnyConnection,
    round: &Round,
    which: Which,
    u: &Unit,
) -> CoreResult<()> {
    let perm = match which {
        Which::Letter => {
            cx.require(c, Permission::Manage, round.issuer_id).await?;
            return Ok(());
        }
        Which::Report => Permission::Report,
        Which::Consolidated => Permission::Manage,
    };
    cx.require(c, perm, u.id).await.map(|_| ())
}

/// Builds the current (unnumbered) document, in the caller's transaction.
async fn build(
    cx: &Ctx,
    c: &mut AnyConnection,
    round: &Round,
    which: Which,
    u: &Unit,
    date: NaiveDate,
) -> CoreResult<Document> {
    match which {
        Which::Letter => Ok(Document::Letter(build_letter(cx, c, round, date).await?)),
        Which::Report => {
            let view = submissions::view_in(cx, c, round.id, &u.code).await?;
            let t = cx.app().template(c, round.template_id).await?;
            let (settings, _) = settings_of(c, u).await?;
            let letter = issued_letter(c, round).await?;
            Ok(Document::UnitReport(unit_report_from_view(
                &view,
                &t,
                &settings,
                date,
                letter.as_ref(),
                &round.issuer_name,
            )))
        }
        Which::Consolidated => {
            let (view, extras) = consolidation_in(cx, c, round, u).await?;
            let t = cx.app().template(c, round.template_id).await?;
            let (settings, _) = settings_of(c, u).await?;
            Ok(Document::Consolidated(consolidated_from_view(
                &view, &extras, &t, &settings, date,
            )))
        }
    }
}

fn issued_view(d: documents_repo::Issued, unit_code: &str, which: Which) -> IssuedView {
    IssuedView {
        round_id: d.round_id,
        unit_code: unit_code.to_string(),
        document: which,
        number: d.number,
        number_text: d.number_text,
        issued_on: NaiveDate::parse_from_str(&d.issued_on, "%Y-%m-%d").unwrap_or_default(),
        issued_at: d.issued_at,
        issued_by: d.issued_by,
        sha256: d.sha256,
    }
}

/// A document as it stands: the issued one (with its number) unless `draft`, else
/// a fresh unnumbered draft of the current data; with the register entry if issued.
pub async fn document(
    cx: &Ctx,
    round_id: i64,
    which: Which,
    unit: Option<&str>,
    draft: bool,
) -> CoreResult<(Document, Option<IssuedView>)> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load_round(&mut tx, round_id).await?;
        let u = subject_unit(&mut tx, &round, which, unit).await?;
        require_read(cx, &mut tx, &round, which, &u).await?;
        let issued = documents_repo::issued(&mut tx, round.id, u.id, which.as_str()).await?;
        match issued {
            Some(d) if !draft => {
                let doc: Document = serde_json::from_str(&d.content_json).map_err(|e| {
                    qcdc_store::rows::corrupt("issued_documents", "content_json", e)
                })?;
                Ok((doc, Some(issued_view(d, &u.code, which))))
            }
            other => {
                let doc = build(cx, &mut tx, &round, which, &u, cx.app().today()).await?;
                Ok((doc, other.map(|d| issued_view(d, &u.code, which))))
            }
        }
    }
    .await;
    tx.finish(r).await
}

/// The register entry of a document, if it was issued.
pub async fn issued(
    cx: &Ctx,
    round_id: i64,
    which: Which,
    unit: Option<&str>,
) -> CoreResult<Option<IssuedView>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load_round(&mut tx, round_id).await?;
        let u = subject_unit(&mut tx, &round, which, unit).await?;
        require_read(cx, &mut tx, &round, which, &u).await?;
        Ok(
            documents_repo::issued(&mut tx, round.id, u.id, which.as_str())
                .await?
                .map(|d| issued_view(d, &u.code, which)),
        )
    }
    .await;
    tx.finish(r).await
}

/// Renders a document on the blocking pool.
pub async fn render_document(doc: Document, format: FileFormat) -> CoreResult<RenderedFile> {
    let stem = qcdc_docs::file_stem(&doc);
    let number = doc.number().map(|n| {
        let i = doc.issuer();
        qcdc_docs::outgoing_number(i.format, Some(n), doc.kind(), &i.symbol)
    });
    let (bytes, pages) = tokio::task::spawn_blocking(move || match format {
        FileFormat::Docx => qcdc_docs::render_docx(&doc).map(|b| (b, None)),
        FileFormat::Pdf => qcdc_docs::render_pdf_counted(&doc).map(|(b, p)| (b, Some(p))),
    })
    .await
    .map_err(|e| {
        CoreError::new(
            ErrorCode::Internal,
            format!("Tạo văn bản bị gián đoạn: {e}"),
        )
    })?
    .map_err(|e| {
        CoreError::new(ErrorCode::Internal, e.to_string())
            .with_details(serde_json::json!({ "code": e.code() }))
    })?;
    Ok(RenderedFile {
        bytes,
        file_name: format!("{stem}.{}", format.ext()),
        content_type: format.content_type(),
        number,
        pages,
    })
}

/// Downloads a document as DOCX or PDF: the issued one with its number (unless
/// `draft`), else an unnumbered draft of the current data.
pub async fn render(
    cx: &Ctx,
    round_id: i64,
    which: Which,
    unit: Option<&str>,
    format: FileFormat,
    draft: bool,
) -> CoreResult<RenderedFile> {
    let (doc, _) = document(cx, round_id, which, unit, draft).await?;
    render_document(doc, format).await
}

/// Issues a document ("Phát hành"): in one write transaction, builds it from the
/// current data, takes the next number of the issuer's register for the year and
/// kind, and records it with its content. A document is issued once (409 after).
pub async fn issue(
    cx: &Ctx,
    round_id: i64,
    which: Which,
    unit: Option<&str>,
) -> CoreResult<IssuedView> {
    let today = cx.app().today();
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let round = load_round(&mut tx, round_id).await?;
        let u = subject_unit(&mut tx, &round, which, unit).await?;
        require_issue(cx, &mut tx, &round, which, &u).await?;
        if let Some(d) = documents_repo::issued(&mut tx, round.id, u.id, which.as_str()).await? {
            return Err(CoreError::new(
                ErrorCode::Conflict,
                format!(
                    "{} này đã phát hành, số {} ngày {}",
                    upper_first(which.label_vi()),
                    d.number_text,
                    d.issued_on
                ),
            ));
        }
        if which == Which::Report {
            let s = submissions_repo::get(&mut tx, round.id, u.id)
                .await?
                .ok_or_else(|| {
                    CoreError::not_found(format!("báo cáo của «{}» trong đợt #{round_id}", u.name))
                })?;
            if s.status == qcdc_core::workflow::Status::NotStarted {
                return Err(CoreError::new(
                    ErrorCode::InvalidTransition,
                    "Báo cáo chưa có nội dung; hãy nhập số liệu và nội dung trước khi phát hành",
                ));
            }
        }
        let mut doc = build(cx, &mut tx, &round, which, &u, today).await?;
        let kind = which.kind();
        let issuer = doc.issuer().clone();
        let year = i64::from(today.year());
        let n = documents_repo::next_number(&mut tx, u.id, year, kind.code()).await?;
        let n32 = u32::try_from(n)
            .map_err(|_| CoreError::new(ErrorCode::Internal, "Số văn bản vượt giới hạn"))?;
        match &mut doc {
            Document::Letter(l) => l.number = Some(n32),
            Document::UnitReport(r) => r.number = Some(n32),
            Document::Consolidated(c) => c.number = Some(n32),
        }
        let number_text =
            qcdc_docs::outgoing_number(issuer.format, Some(n32), kind, &issuer.symbol);
        let content = serde_json::to_string(&doc)
            .map_err(|e| CoreError::new(ErrorCode::Internal, e.to_string()))?;
        let sha = hex::encode(Sha256::digest(content.as_bytes()));
        let issued_on = today.format("%Y-%m-%d").to_string();
        documents_repo::insert_issued(
            &mut tx,
            &NewIssued {
                issuer_id: u.id,
                round_id: round.id,
                unit_id: u.id,
                document: which.as_str(),
                kind: kind.code(),
                year,
                number: n,
                number_text: &number_text,
                issued_on: &issued_on,
                issued_by: cx.who(),
                content_json: &content,
                sha256: &sha,
            },
        )
        .await?;
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "issue",
                entity: "round",
                entity_id: &round.id.to_string(),
                field: Some(which.as_str()),
                old_value: None,
                new_value: Some(format!("{number_text} ({})", u.code)),
            },
        )
        .await?;
        let d = documents_repo::issued(&mut tx, round.id, u.id, which.as_str())
            .await?
            .ok_or_else(|| {
                CoreError::new(
                    ErrorCode::Internal,
                    "Văn bản vừa phát hành không đọc lại được",
                )
            })?;
        Ok(issued_view(d, &u.code, which))
    }
    .await;
    tx.finish(r).await
}

// ------------------------------------------------------- consolidated narrative

/// One section of the consolidated narrative draft.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DraftSection {
    pub number: String,
    pub title: String,
    /// The office's edited text, or the assembled draft.
    pub text: String,
    /// What the children's accepted reports say (assembled, attributed).
    pub assembled: String,
}

/// The consolidated narrative draft as the editing page shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConsolidatedDraftView {
    pub round: RoundView,
    pub unit_code: String,
    pub unit_name: String,
    pub sections: Vec<DraftSection>,
    /// The office saved its own text (false: the assembled draft is shown).
    pub edited: bool,
    pub accepted_reports: usize,
    pub issued: Option<IssuedView>,
    /// The actor may edit and issue (the office over the unit).
    pub can_edit: bool,
}

/// The consolidated narrative draft of a round at a unit (the issuer by default):
/// the office's saved text, else the children's accepted narratives section by
/// section, each paragraph followed by its unit's name.
pub async fn consolidated_draft(
    cx: &Ctx,
    round_id: i64,
    unit: Option<&str>,
) -> CoreResult<ConsolidatedDraftView> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load_round(&mut tx, round_id).await?;
        let u = subject_unit(&mut tx, &round, Which::Consolidated, unit).await?;
        cx.require(&mut tx, Permission::View, u.id).await?;
        let t = cx.app().template(&mut tx, round.template_id).await?;
        let (extras, assembled, edited) = extras_in(cx, &mut tx, &round, &u).await?;
        let issued = documents_repo::issued(&mut tx, round.id, u.id, Which::Consolidated.as_str())
            .await?
            .map(|d| issued_view(d, &u.code, Which::Consolidated));
        let can_edit = cx.may(&mut tx, Permission::Manage, u.id).await?;
        Ok(ConsolidatedDraftView {
            sections: t
                .sections()
                .iter()
                .map(|s| DraftSection {
                    number: s.number.clone(),
                    title: s.title.clone(),
                    text: extras.narrative.get(&s.number).cloned().unwrap_or_default(),
                    assembled: assembled.get(&s.number).cloned().unwrap_or_default(),
                })
                .collect(),
            accepted_reports: extras.units.len(),
            round: RoundView::from(round),
            unit_code: u.code,
            unit_name: u.name,
            edited,
            issued,
            can_edit,
        })
    }
    .await;
    tx.finish(r).await
}

/// Saves the office's edited consolidated narrative (section → text); refused once
/// the consolidated report is issued. Empty sections are kept empty.
pub async fn save_consolidated_draft(
    cx: &Ctx,
    round_id: i64,
    unit: Option<&str>,
    sections: &BTreeMap<String, String>,
) -> CoreResult<ConsolidatedDraftView> {
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let round = load_round(&mut tx, round_id).await?;
        let u = subject_unit(&mut tx, &round, Which::Consolidated, unit).await?;
        cx.require(&mut tx, Permission::Manage, u.id).await?;
        let t = cx.app().template(&mut tx, round.template_id).await?;
        if let Some(bad) = sections.keys().find(|k| t.section(k).is_none()) {
            return Err(CoreError::new(
                ErrorCode::UnknownSection,
                format!("Mục «{bad}» không có trong đề cương"),
            ));
        }
        if let Some(d) =
            documents_repo::issued(&mut tx, round.id, u.id, Which::Consolidated.as_str()).await?
        {
            return Err(CoreError::new(
                ErrorCode::Conflict,
                format!(
                    "Báo cáo tổng hợp đã phát hành (số {}); không sửa được nữa",
                    d.number_text
                ),
            ));
        }
        // every section is stored (an emptied one too), so the saved text replaces the draft
        let clean: BTreeMap<String, String> = t
            .sections()
            .iter()
            .map(|s| {
                let text = sections
                    .get(&s.number)
                    .map(|x| text::nfc(x.trim()))
                    .unwrap_or_default();
                (s.number.clone(), text)
            })
            .collect();
        documents_repo::replace_consolidated_narrative(&mut tx, round.id, u.id, &clean, cx.who())
            .await?;
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "consolidated_narrative",
                entity: "round",
                entity_id: &round.id.to_string(),
                field: Some(&u.code),
                old_value: None,
                new_value: Some(format!("{} mục", clean.len())),
            },
        )
        .await?;
        Ok(())
    }
    .await;
    tx.finish(r).await?;
    consolidated_draft(cx, round_id, unit).await
}

// ------------------------------------------------------------------ Excel

/// The unit's form of a round as .xlsx, pre-filled with its current figures.
pub async fn export_form(cx: &Ctx, round_id: i64, unit_code: &str) -> CoreResult<RenderedFile> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let view = submissions::view_in(cx, &mut tx, round_id, unit_code).await?;
        let round = load_round(&mut tx, round_id).await?;
        let t = cx.app().template(&mut tx, round.template_id).await?;
        Ok((view, round, t))
    }
    .await;
    let (view, round, t) = tx.finish(r).await?;
    let values: BTreeMap<String, Milli> = view
        .values
        .iter()
        .filter_map(|(k, v)| number::from_f64(*v).ok().map(|m| (k.clone(), m)))
        .collect();
    let identity = FormIdentity {
        round_id,
        unit_code: view.unit_code.clone(),
        template_code: round.template_code.clone(),
        template_version: u32::try_from(round.template_version).unwrap_or(0),
    };
    let file_name = format!("Biểu mẫu {} - đợt {round_id}.xlsx", view.unit_name);
    let bytes = tokio::task::spawn_blocking(move || {
        xlsx::export_form(&FormExport {
            identity,
            template: &t,
            unit_name: view.unit_name.clone(),
            round_title: round.title.clone(),
            period_label: view.period_label.clone(),
            deadline: Some(round.deadline),
            values,
        })
    })
    .await
    .map_err(|e| {
        CoreError::new(
            ErrorCode::Internal,
            format!("Tạo tệp Excel bị gián đoạn: {e}"),
        )
    })?
    .map_err(|e| CoreError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(RenderedFile {
        bytes,
        file_name: sanitize_file_name(&file_name),
        content_type: XLSX_CONTENT_TYPE,
        number: None,
        pages: None,
    })
}

fn sanitize_file_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '"' | '*' | '?' | '<' | '>' | '|') || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// The error a refused form import answers: its stable code, a Vietnamese message,
/// and every unreadable cell (sheet, cell, value, why) in `problems` and `details`.
pub fn form_import_error(e: &FormImportError) -> CoreError {
    let code = match e {
        FormImportError::FileTooLarge { .. } => ErrorCode::PayloadTooLarge,
        FormImportError::Unreadable(_) => ErrorCode::XlsxUnreadable,
        FormImportError::WrongForm(_) => ErrorCode::XlsxWrongForm,
        FormImportError::BadCells(_) => ErrorCode::XlsxBadCells,
    };
    let problems = e
        .bad_cells()
        .iter()
        .enumerate()
        .map(|(i, b)| qcdc_core::Problem {
            line: i + 1,
            code: "xlsx_bad_cell",
            message: format!("{}!{}: «{}» — {}", b.sheet, b.cell, b.value, b.reason),
        })
        .collect();
    CoreError::with_problems(code, e.to_string(), problems)
        .with_details(serde_json::json!({ "import_code": e.code(), "bad_cells": e.bad_cells() }))
}

/// Reads a filled Excel form of this round and unit into a draft change (all or
/// nothing: any unreadable cell refuses the whole file, each listed).
async fn read_form(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    bytes: Vec<u8>,
) -> CoreResult<DraftChange> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load_round(&mut tx, round_id).await?;
        let u = units_repo::by_code(&mut tx, unit_code).await?;
        cx.require(&mut tx, Permission::Report, u.id).await?;
        let t = cx.app().template(&mut tx, round.template_id).await?;
        Ok((round, u, t))
    }
    .await;
    let (round, u, t) = tx.finish(r).await?;
    let expected = FormIdentity {
        round_id,
        unit_code: u.code.clone(),
        template_code: round.template_code.clone(),
        template_version: u32::try_from(round.template_version).unwrap_or(0),
    };
    let imported = tokio::task::spawn_blocking(move || xlsx::import_form(&bytes, &expected, &t))
        .await
        .map_err(|e| {
            CoreError::new(
                ErrorCode::Internal,
                format!("Đọc tệp Excel bị gián đoạn: {e}"),
            )
        })?
        .map_err(|e| form_import_error(&e))?;
    let change = DraftChange {
        values: imported
            .values
            .into_iter()
            .map(|v| (v.code, v.value))
            .collect(),
        sections: BTreeMap::new(),
        reasons: Default::default(),
    };
    Ok(change)
}

/// Imports a filled form into the unit's draft: all or nothing. Refused (nothing
/// changed) when the file is not this round's and unit's form, is damaged, too big,
/// or has any unreadable value cell — every such cell listed. Empty cells clear the
/// figure (the exported form is pre-filled with the draft).
pub async fn import_form(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    bytes: Vec<u8>,
) -> CoreResult<SubmissionView> {
    let change = read_form(cx, round_id, unit_code, bytes).await?;
    // one write transaction: the round's state and the report's status are re-checked there
    submissions::save_draft(cx, round_id, unit_code, &change).await
}

/// What importing a filled Excel form would change in the draft (old → new),
/// nothing written: the page confirms with a normal draft save.
pub async fn import_form_preview(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    bytes: Vec<u8>,
) -> CoreResult<submissions::ImportPreview> {
    let change = read_form(cx, round_id, unit_code, bytes).await?;
    let lines = submissions::preview_change(cx, round_id, unit_code, &change).await?;
    Ok(submissions::ImportPreview {
        change,
        lines,
        review: Vec::new(),
    })
}

/// A consolidation as .xlsx: totals with last year, one sheet per per-unit table,
/// completeness with the late and missing units.
pub async fn export_consolidation(
    cx: &Ctx,
    round_id: i64,
    unit: Option<&str>,
) -> CoreResult<RenderedFile> {
    let (doc, _) = document(cx, round_id, Which::Consolidated, unit, true).await?;
    let Document::Consolidated(c) = doc else {
        return Err(CoreError::new(
            ErrorCode::Internal,
            "không phải báo cáo tổng hợp",
        ));
    };
    let name = format!("Tổng hợp {} - đợt {round_id}.xlsx", c.issuer.body);
    let bytes = tokio::task::spawn_blocking(move || xlsx::export_consolidation(&c))
        .await
        .map_err(|e| {
            CoreError::new(
                ErrorCode::Internal,
                format!("Tạo tệp Excel bị gián đoạn: {e}"),
            )
        })?
        .map_err(|e| CoreError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(RenderedFile {
        bytes,
        file_name: sanitize_file_name(&name),
        content_type: XLSX_CONTENT_TYPE,
        number: None,
        pages: None,
    })
}
