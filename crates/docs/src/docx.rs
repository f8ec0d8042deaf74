//! DOCX output (docx-rs): real paragraphs, paragraph styles and tables that stay editable in
//! Word and LibreOffice.
//!
//! A4 portrait with the format's margins, Times New Roman, the two-column heading table
//! (issuer and number left, national or Party title and the date right), page numbers
//! centred at the top from page 2 (a different first-page header), "Nơi nhận:" and the
//! signature side by side at the end, appendices on new pages.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BorderType, Docx, Header, LineSpacing, LineSpacingType, PageMargin, PageNum,
    Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, RunFonts,
    SpecialIndentType, Style, StyleType, Table as DTable, TableCell, TableCellMargins,
    TableLayoutType, TableRow, TextBorder, VAlignType, WidthType,
};

use crate::DocError;
use crate::layout::{Align, Block, Head, IssuerMark, Layout, RowStyle, Table};

/// Twentieths of a point per millimetre.
const TWIPS_PER_MM: f32 = 1440.0 / 25.4;
const A4_WIDTH_MM: f32 = 210.0;
const A4_HEIGHT_MM: f32 = 297.0;
const FONT: &str = "Times New Roman";
/// First-line indent of body paragraphs: 1 cm.
const FIRST_LINE: i32 = 567;
/// Indent of one breakdown level in a table: 0,5 cm.
const INDENT_STEP: i32 = 284;

fn twips(mm: f32) -> i32 {
    // page geometry is small and positive: the rounding cannot overflow
    #[allow(clippy::cast_possible_truncation)]
    let t = (mm * TWIPS_PER_MM).round() as i32;
    t
}

/// Font size in half-points.
fn half_points(pt: f32) -> usize {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let h = (pt * 2.0).round().max(2.0) as usize;
    h
}

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT)
}

/// A run in the given style.
fn run(text: &str, size: f32, bold: bool, italic: bool) -> Run {
    let mut r = Run::new().add_text(text).size(half_points(size));
    if bold {
        r = r.bold();
    }
    if italic {
        r = r.italic();
    }
    r
}

fn spacing(before: u32, after: u32) -> LineSpacing {
    LineSpacing::new()
        .before(before)
        .after(after)
        .line(240)
        .line_rule(LineSpacingType::Auto)
}

/// A centred paragraph with no spacing (heading block, signature).
fn center(text: &str, size: f32, bold: bool, italic: bool) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, size, bold, italic))
        .align(AlignmentType::Center)
        .line_spacing(spacing(0, 0))
}

/// A short horizontal rule: an empty paragraph narrowed by indents with a top border.
fn rule(cell_width_mm: f32, length_mm: f32) -> Paragraph {
    let side = twips(((cell_width_mm - length_mm) / 2.0).max(0.0));
    let mut p = Paragraph::new()
        .indent(Some(side), None, Some(side), None)
        .line_spacing(spacing(0, 0).line(120).line_rule(LineSpacingType::Exact))
        .size(4);
    // only a top border (docx-rs' default border set has all four sides)
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Top)
                .val(BorderType::Single)
                .size(6)
                .space(1)
                .color("000000"),
        ),
    );
    p
}

fn plain_cell(width: i32, paragraphs: Vec<Paragraph>) -> TableCell {
    let mut c = TableCell::new().width(usize::try_from(width).unwrap_or(0), WidthType::Dxa);
    for p in paragraphs {
        c = c.add_paragraph(p);
    }
    c.clear_all_border()
}

fn borderless(widths: &[i32], rows: Vec<TableRow>) -> DTable {
    DTable::without_borders(rows)
        .set_grid(
            widths
                .iter()
                .map(|w| usize::try_from(*w).unwrap_or(0))
                .collect(),
        )
        .layout(TableLayoutType::Fixed)
        .width(
            usize::try_from(widths.iter().sum::<i32>()).unwrap_or(0),
            WidthType::Dxa,
        )
        .margins(TableCellMargins::new().margin(0, 40, 0, 40))
}

struct Page {
    content_mm: f32,
}

fn head_table(h: &Head, page: &Page) -> DTable {
    let left_mm = page.content_mm * 0.42;
    let right_mm = page.content_mm - left_mm;
    let (lw, rw) = (twips(left_mm), twips(right_mm));
    let mut left = Vec::new();
    if !h.issuer_parent.is_empty() {
        left.push(center(&h.issuer_parent, 13.0, false, false));
    }
    left.push(center(&h.issuer_body, 13.0, true, false));
    match h.mark {
        IssuerMark::Rule => left.push(rule(left_mm, (left_mm / 3.0).max(15.0))),
        IssuerMark::Star => left.push(center("*", 13.0, false, false)),
    }
    let mut right = Vec::new();
    match &h.motto {
        Some(m) => {
            right.push(center(&h.title, 12.5, true, false));
            right.push(
                Paragraph::new()
                    .add_run(run(m, 13.5, true, false).underline("single"))
                    .align(AlignmentType::Center)
                    .line_spacing(spacing(0, 0)),
            );
        }
        None => right.push(
            Paragraph::new()
                .add_run(run(&h.title, 15.0, true, false).underline("single"))
                .align(AlignmentType::Center)
                .line_spacing(spacing(0, 0)),
        ),
    }
    let mut left2 = vec![center(&h.number, 13.0, false, false)];
    if let Some(s) = &h.subject {
        left2.push(center(s, 12.0, false, false));
    }
    let right2 = vec![center(&h.date, 14.0, false, true)];
    borderless(
        &[lw, rw],
        vec![
            TableRow::new(vec![plain_cell(lw, left), plain_cell(rw, right)]),
            TableRow::new(vec![
                plain_cell(lw, left2).vertical_align(VAlignType::Top),
                plain_cell(rw, right2).vertical_align(VAlignType::Top),
            ]),
        ],
    )
}

fn body_para(text: &str, attribution: Option<&str>, size: f32) -> Paragraph {
    let mut p = Paragraph::new()
        .style("QcdcBody")
        .add_run(run(text, size, false, false));
    if let Some(a) = attribution {
        p = p.add_run(run(&format!(" {a}"), size, false, true));
    }
    p
}

fn block(b: &Block, size: f32, page: &Page) -> BlockOut {
    match b {
        Block::Heading { level, text } => {
            let p = match level {
                1 => Paragraph::new()
                    .style("QcdcHeading1")
                    .add_run(run(text, size, true, false)),
                2 => Paragraph::new()
                    .style("QcdcHeading2")
                    .add_run(run(text, size, true, false)),
                _ => Paragraph::new()
                    .align(AlignmentType::Left)
                    .keep_next(true)
                    .line_spacing(spacing(160, 80))
                    .add_run(run(text, 13.0, true, false)),
            };
            BlockOut::P(Box::new(p))
        }
        Block::Para { text, attribution } => {
            BlockOut::P(Box::new(body_para(text, attribution.as_deref(), size)))
        }
        Block::Note { text } => BlockOut::P(Box::new(
            Paragraph::new()
                .style("QcdcBody")
                .add_run(run(text, size, false, true)),
        )),
        Block::Centered {
            text,
            bold,
            italic,
            size,
        } => BlockOut::P(Box::new(
            center(text, *size, *bold, *italic).line_spacing(spacing(0, 60)),
        )),
        Block::Table(t) => BlockOut::T(Box::new(data_table(t, page))),
        Block::Rule => BlockOut::P(Box::new(
            rule(page.content_mm, 30.0)
                .line_spacing(spacing(60, 180).line(120).line_rule(LineSpacingType::Exact)),
        )),
    }
}

enum BlockOut {
    P(Box<Paragraph>),
    T(Box<DTable>),
}

fn data_table(t: &Table, page: &Page) -> DTable {
    let total: u32 = t
        .columns
        .iter()
        .map(|c| u32::from(c.width))
        .sum::<u32>()
        .max(1);
    let content = twips(page.content_mm);
    let widths: Vec<i32> = t
        .columns
        .iter()
        .map(|c| {
            i32::try_from(i64::from(content) * i64::from(c.width) / i64::from(total)).unwrap_or(0)
        })
        .collect();
    let align = |a: Align| match a {
        Align::Left => AlignmentType::Both,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
    };
    let cell = |w: i32, p: Paragraph| {
        TableCell::new()
            .width(usize::try_from(w).unwrap_or(0), WidthType::Dxa)
            .vertical_align(VAlignType::Center)
            .add_paragraph(p)
    };
    let mut rows = Vec::with_capacity(t.rows.len() + 1);
    let header = t
        .columns
        .iter()
        .zip(&widths)
        .map(|(c, w)| {
            cell(
                *w,
                center(&c.header, t.size, true, false).line_spacing(spacing(40, 40)),
            )
        })
        .collect();
    rows.push(TableRow::new(header).cant_split());
    for r in &t.rows {
        let (bold, italic) = match r.style {
            RowStyle::Group | RowStyle::Total => (true, false),
            RowStyle::Part => (false, true),
            RowStyle::Item => (false, false),
        };
        // a group title spans the rest of its row
        let group = r.style == RowStyle::Group;
        let cells = r
            .cells
            .iter()
            .enumerate()
            .filter(|(i, _)| !(group && *i > t.label_column))
            .map(|(i, text)| {
                let spanned = group && i == t.label_column;
                let w = if spanned {
                    widths.iter().skip(i).sum()
                } else {
                    widths.get(i).copied().unwrap_or(0)
                };
                let a = t.columns.get(i).map_or(Align::Left, |c| c.align);
                let mut p = Paragraph::new()
                    .add_run(run(text, t.size, bold, italic))
                    .align(if i == t.label_column {
                        AlignmentType::Left
                    } else {
                        align(a)
                    })
                    .line_spacing(spacing(30, 30));
                if i == t.label_column && r.indent > 0 {
                    p = p.indent(Some(INDENT_STEP * i32::from(r.indent)), None, None, None);
                }
                let c = cell(w, p);
                if spanned {
                    c.grid_span(widths.len().saturating_sub(i).max(1))
                } else {
                    c
                }
            })
            .collect();
        rows.push(TableRow::new(cells).cant_split());
    }
    DTable::new(rows)
        .set_grid(
            widths
                .iter()
                .map(|w| usize::try_from(*w).unwrap_or(0))
                .collect(),
        )
        .layout(TableLayoutType::Fixed)
        .width(usize::try_from(content).unwrap_or(0), WidthType::Dxa)
        .margins(TableCellMargins::new().margin(0, 80, 0, 80))
}

fn closing_table(l: &Layout, page: &Page) -> DTable {
    let lw = twips(page.content_mm * 0.45);
    let rw = twips(page.content_mm) - lw;
    let mut left = Vec::new();
    if !l.distribution.is_empty() {
        left.push(
            Paragraph::new()
                .add_run(run("Nơi nhận:", 12.0, true, true))
                .line_spacing(spacing(0, 0)),
        );
        for d in &l.distribution {
            left.push(
                Paragraph::new()
                    .add_run(run(d, 11.0, false, false))
                    .line_spacing(spacing(0, 0)),
            );
        }
    } else {
        left.push(Paragraph::new());
    }
    let s = &l.signature;
    let mut right = Vec::new();
    if !s.authority.is_empty() {
        right.push(center(&s.authority, 14.0, true, false));
    }
    right.push(center(&s.title, 14.0, true, false));
    // room for the signature and the seal
    for _ in 0..4 {
        right.push(center("", 14.0, false, false));
    }
    right.push(center(&s.name, 14.0, true, false));
    borderless(
        &[lw, rw],
        vec![
            TableRow::new(vec![
                plain_cell(lw, left).vertical_align(VAlignType::Top),
                plain_cell(rw, right).vertical_align(VAlignType::Top),
            ])
            .cant_split(),
        ],
    )
}

fn styles(docx: Docx, body_size: f32) -> Docx {
    let body = Style::new("QcdcBody", StyleType::Paragraph)
        .name("Qcdc Body")
        .fonts(fonts())
        .size(half_points(body_size))
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(FIRST_LINE)),
            None,
            None,
        )
        .line_spacing(
            LineSpacing::new()
                .before(0)
                .after(120)
                .line(264)
                .line_rule(LineSpacingType::Auto),
        );
    let h1 = Style::new("QcdcHeading1", StyleType::Paragraph)
        .name("Qcdc Heading 1")
        .based_on("QcdcBody")
        .bold()
        .outline_lvl(0);
    let h2 = Style::new("QcdcHeading2", StyleType::Paragraph)
        .name("Qcdc Heading 2")
        .based_on("QcdcBody")
        .bold()
        .outline_lvl(1);
    docx.add_style(body).add_style(h1).add_style(h2)
}

/// Lays a [`Layout`] out as a DOCX file.
pub fn render(l: &Layout) -> Result<Vec<u8>, DocError> {
    let m = l.margins;
    let page = Page {
        content_mm: A4_WIDTH_MM - m.left - m.right,
    };
    let page_number = Header::new().add_paragraph(
        Paragraph::new()
            .add_page_num(PageNum::new())
            .align(AlignmentType::Center)
            .size(half_points(13.0)),
    );
    // the file's properties carry the document's date (readers such as the checker
    // take it when no date line is found), never the 1970 default
    let stamp = format!("{}T00:00:00Z", l.date.format("%Y-%m-%d"));
    let mut docx = Docx::new()
        .created_at(&stamp)
        .updated_at(&stamp)
        .page_size(
            u32::try_from(twips(A4_WIDTH_MM)).unwrap_or(11906),
            u32::try_from(twips(A4_HEIGHT_MM)).unwrap_or(16838),
        )
        .page_margin(PageMargin {
            top: twips(m.top),
            left: twips(m.left),
            bottom: twips(m.bottom),
            right: twips(m.right),
            header: twips(10.0),
            footer: twips(10.0),
            gutter: 0,
        })
        .default_fonts(fonts())
        .default_size(half_points(l.body_size))
        .header(page_number)
        .first_header(Header::new().add_paragraph(Paragraph::new()))
        .title_pg();
    docx = styles(docx, l.body_size);
    if l.draft {
        docx = docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .line_spacing(spacing(0, 120))
                .add_run(
                    run(&l.draft_mark, 13.0, true, false).text_border(
                        TextBorder::new()
                            .border_type(BorderType::Single)
                            .size(8)
                            .color("000000"),
                    ),
                ),
        );
    }
    docx = docx.add_table(head_table(&l.head, &page));
    docx = docx.add_paragraph(Paragraph::new().line_spacing(spacing(0, 120)));
    if !l.recipients.is_empty() {
        let kw = twips(page.content_mm * 0.25);
        let iw = twips(page.content_mm) - kw;
        let mut rows = Vec::new();
        for (i, r) in l.recipients.iter().enumerate() {
            let label = if i == 0 { "Kính gửi:" } else { "" };
            rows.push(TableRow::new(vec![
                plain_cell(
                    kw,
                    vec![
                        Paragraph::new()
                            .add_run(run(label, l.body_size, false, false))
                            .align(AlignmentType::Right)
                            .line_spacing(spacing(0, 0)),
                    ],
                ),
                plain_cell(
                    iw,
                    vec![
                        Paragraph::new()
                            .add_run(run(r, l.body_size, false, false))
                            .align(AlignmentType::Both)
                            .line_spacing(spacing(0, 0)),
                    ],
                ),
            ]));
        }
        docx = docx.add_table(borderless(&[kw, iw], rows));
        docx = docx.add_paragraph(Paragraph::new().line_spacing(spacing(0, 120)));
    }
    if let Some((kind, subject)) = &l.title {
        docx = docx.add_paragraph(center(kind, 14.0, true, false).line_spacing(spacing(120, 0)));
        docx = docx.add_paragraph(center(subject, 14.0, true, false));
        docx = docx.add_paragraph(rule(page.content_mm, 35.0));
        docx = docx.add_paragraph(Paragraph::new().line_spacing(spacing(0, 120)));
    }
    for b in &l.body {
        docx = match block(b, l.body_size, &page) {
            BlockOut::P(p) => docx.add_paragraph(*p),
            BlockOut::T(t) => docx.add_table(*t),
        };
    }
    docx = docx.add_paragraph(Paragraph::new().line_spacing(spacing(0, 120)));
    docx = docx.add_table(closing_table(l, &page));
    for a in &l.appendices {
        let mut first = true;
        for b in &a.blocks {
            docx = match block(b, l.body_size, &page) {
                BlockOut::P(p) => docx.add_paragraph(p.page_break_before(first)),
                BlockOut::T(t) => {
                    if first {
                        docx = docx.add_paragraph(Paragraph::new().page_break_before(true));
                    }
                    docx.add_table(*t)
                }
            };
            first = false;
        }
    }
    let mut buf = Cursor::new(Vec::new());
    docx.build()
        .pack(&mut buf)
        .map_err(|e| DocError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}
