//! PDF output: typst compiled in-process, with Liberation Serif (metric-compatible with
//! Times New Roman) embedded in the binary.
//!
//! The layout is handed to the typst template as JSON in a virtual file (`/data.json`);
//! the template places strings as text, never as markup, so user text needs no escaping
//! (`#`, `*`, `$`, `]`, `\` print as typed). Nothing is read from disk or the network.

use std::sync::OnceLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::DocError;
use crate::layout::Layout;

const TEMPLATE: &str = include_str!("../typst/document.typ");

const FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
];

/// What every compilation shares: the standard library and the embedded fonts.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let fonts: Vec<Font> = FONT_FILES
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        let book = FontBook::from_fonts(&fonts);
        Shared {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(book),
            fonts,
        }
    })
}

fn file_id(path: &str) -> Result<FileId, DocError> {
    let vpath = VirtualPath::new(path).map_err(|e| DocError::Pdf(format!("{path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One compilation: the template and the document's data.
struct DocWorld {
    shared: &'static Shared,
    main: Source,
    data_id: FileId,
    data: Bytes,
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // documents carry their own date; the template never asks for today
        None
    }
}

/// Shown instead of a character the embedded fonts cannot draw (the DOCX keeps it).
const MISSING_GLYPH: char = '\u{25A1}';

/// Right-to-left scripts (Hebrew, Arabic and their presentation forms, historic RTL
/// scripts) and bidi controls: never part of a Vietnamese official document, and mixed
/// directions trip typst's shaper on stray marks.
fn right_to_left(c: char) -> bool {
    matches!(u32::from(c),
        0x0590..=0x08FF
            | 0xFB1D..=0xFDFF
            | 0xFE70..=0xFEFF
            | 0x10800..=0x10FFF
            | 0x1E800..=0x1EFFF
            | 0x200E..=0x200F
            | 0x202A..=0x202E
            | 0x2066..=0x2069)
}

/// Replaces characters the embedded fonts do not cover, right-to-left characters and
/// control characters other than line breaks, so typst never falls back to a font it does
/// not have nor mixes directions; stray marks of other scripts otherwise trip its shaper.
fn printable(s: &str, fonts: &[Font]) -> Option<String> {
    let covered = |c: char| {
        c == '\n'
            || (!c.is_control()
                && !right_to_left(c)
                && fonts
                    .first()
                    .is_some_and(|f| f.info().coverage.contains(u32::from(c))))
    };
    if s.chars().all(covered) {
        return None;
    }
    Some(
        s.chars()
            .map(|c| {
                if covered(c) {
                    c
                } else if c.is_whitespace() || c.is_control() {
                    ' '
                } else {
                    MISSING_GLYPH
                }
            })
            .collect(),
    )
}

fn make_printable(v: &mut serde_json::Value, fonts: &[Font]) {
    match v {
        serde_json::Value::String(s) => {
            if let Some(clean) = printable(s, fonts) {
                *s = clean;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| make_printable(i, fonts)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|i| make_printable(i, fonts)),
        _ => {}
    }
}

/// Untagged: the tag tree (structure for screen readers) more than doubles the file of a
/// long report (2,2 MB against 0,85 MB for the 221-page consolidated report) and costs
/// time on every export; the same document is offered as DOCX, which keeps its
/// structure for assistive tools and for editing.
fn pdf_options() -> typst_pdf::PdfOptions {
    typst_pdf::PdfOptions {
        tagged: false,
        ..Default::default()
    }
}

/// A PDF and its page count.
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// Lays a [`Layout`] out as a PDF.
pub fn render(l: &Layout) -> Result<Pdf, DocError> {
    let shared = shared();
    let mut value = serde_json::to_value(l).map_err(|e| DocError::Pdf(e.to_string()))?;
    make_printable(&mut value, &shared.fonts);
    let data = serde_json::to_vec(&value).map_err(|e| DocError::Pdf(e.to_string()))?;
    let world = DocWorld {
        shared,
        main: Source::new(file_id("/main.typ")?, TEMPLATE.to_string()),
        data_id: file_id("/data.json")?,
        data: Bytes::new(data),
    };
    // typst is third-party code running on user text: a panic in it must become an error,
    // not take the server's thread down
    let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        typst::compile::<PagedDocument>(&world).output
    }))
    .map_err(|_| DocError::Pdf("lỗi nội bộ của bộ dàn trang typst".into()))?;
    // keep typst's memo cache from growing across many documents
    typst::comemo::evict(10);
    let doc = compiled.map_err(|errors| {
        DocError::Pdf(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let exported = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        typst_pdf::pdf(&doc, &pdf_options())
    }))
    .map_err(|_| DocError::Pdf("lỗi nội bộ khi xuất PDF".into()))?;
    let bytes = exported.map_err(|errors| {
        DocError::Pdf(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    Ok(Pdf {
        bytes,
        pages: doc.pages().len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unprintable_characters_become_squares() {
        let fonts = &shared().fonts;
        assert_eq!(printable("﬩𞸅A", fonts).as_deref(), Some("□□A"));
        assert_eq!(printable("Đam Rông ệ ử ẫ", fonts), None);
        assert_eq!(printable("a\tb\nc\u{0}", fonts).as_deref(), Some("a b\nc "));
        assert_eq!(printable("שלום", fonts).as_deref(), Some("□□□□"));
    }
}
