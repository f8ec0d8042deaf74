//! The arithmetic a careful reviewer does, rule by rule: number formats, percentages
//! against their fractions, wholes against their parts (before or after them, in one
//! sentence or as a list of lines), remainders against the right pair, parts larger
//! than wholes, counts against the lists that follow, the same indicator stated
//! twice, and results reported for the wrong period.
//!
//! Every rule works on figures found by [`crate::numbers`] with the words around
//! them; every window it looks at is bounded, so the whole pass is linear in the
//! length of the document.

mod counts;
mod format;
mod percent;
mod period;
mod remainder;
mod same;
mod sums;

use std::borrow::Cow;

use crate::arith::Arith;
use crate::doc::{Block, Document, Part};
use crate::numbers::{Num, scan_chars, scan_chars_lowered};
use crate::{Finding, Kind, Severity};

/// A block with its figures and the reading aids every rule shares.
pub struct Blk {
    pub chars: Vec<char>,
    pub lower: Vec<char>,
    /// The block's text lowercased as a string (`str::to_lowercase`), made once for
    /// the rules that search it.
    pub lower_text: String,
    /// Whether `lower_text` is `lower` as a string (no `İ`, no `Σ`).
    pub lower_text_is_lower: bool,
    /// When it is, the byte offset in `lower_text` of each char of `lower` (and
    /// of its end): a range of `lower` is then a slice of `lower_text`.
    lower_at: Vec<u32>,
    pub nums: Vec<Num>,
    /// Paren depth at each number, and the offset of the innermost open paren.
    pub depth: Vec<(i32, usize)>,
    /// Sorted starts of sentences (`.`, `!`, `?` ends one).
    pub sentences: Vec<usize>,
    /// Every paren with the depth after it, in order.
    pub parens: Vec<(usize, i32)>,
    /// The role of each number, read once when first asked.
    pub roles: Vec<std::cell::OnceCell<Role>>,
}

/// A char's first lowercase char (`char::to_lowercase`), with the letters of
/// Vietnamese text answered without the Unicode tables.
#[inline]
pub fn lower_char(c: char) -> char {
    let u = c as u32;
    if u < 0x80 {
        c.to_ascii_lowercase()
    } else if (0x1EA0..=0x1EF9).contains(&u) {
        // the precomposed Vietnamese letters: capital at even code points, its
        // small letter right after
        char::from_u32(u | 1).unwrap_or(c)
    } else if (0xE0..=0xFF).contains(&u) {
        // small Latin-1 letters, and `÷`
        c
    } else if (0xC0..=0xDE).contains(&u) && u != 0xD7 {
        // capital Latin-1 letters: the small one 0x20 on
        char::from_u32(u + 0x20).unwrap_or(c)
    } else {
        match c {
            // the other Vietnamese letters (Latin Extended-A and -B)
            'Đ' => 'đ',
            'Ă' => 'ă',
            'Ĩ' => 'ĩ',
            'Ũ' => 'ũ',
            'Ơ' => 'ơ',
            'Ư' => 'ư',
            'đ' | 'ă' | 'ĩ' | 'ũ' | 'ơ' | 'ư' => c,
            _ if c.is_lowercase() => c,
            _ => c.to_lowercase().next().unwrap_or(c),
        }
    }
}

impl Blk {
    pub fn new(text: &str, scan: bool) -> Blk {
        let mut chars: Vec<char> = Vec::with_capacity(text.len());
        let mut lower: Vec<char> = Vec::with_capacity(text.len());
        let mut lower_at: Vec<u32> = Vec::with_capacity(text.len() + 1);
        // whether lowercasing changes a char, changes its length in bytes, or is one
        // of the two letters `str::to_lowercase` lowercases otherwise (`İ` to two
        // chars, a final `Σ` to `ς`); both are capitals, so they change
        let (mut changed, mut same_len, mut special) = (false, true, false);
        for (i, c) in text.char_indices() {
            let l = lower_char(c);
            chars.push(c);
            lower.push(l);
            lower_at.push(i as u32);
            if l != c {
                changed = true;
                same_len &= l.len_utf8() == c.len_utf8();
                special |= matches!(c, 'İ' | 'Σ');
            }
        }
        lower_at.push(text.len() as u32);
        let lower_text_is_lower = !special;
        let lower_text = if special {
            lower_at = Vec::new();
            text.to_lowercase()
        } else if !changed {
            text.to_string()
        } else if same_len {
            // the text with the changed chars written over, at the same offsets: the
            // runs of unchanged text copied as they are (no check of the bytes again)
            let mut s = String::with_capacity(text.len());
            let mut run = 0;
            for (k, (&c, &l)) in chars.iter().zip(&lower).enumerate() {
                if c != l {
                    let at = lower_at[k] as usize;
                    s.push_str(&text[run..at]);
                    s.push(l);
                    run = at + c.len_utf8();
                }
            }
            s.push_str(&text[run..]);
            s
        } else {
            let mut s = String::with_capacity(text.len());
            lower_at.clear();
            for c in &lower {
                lower_at.push(s.len() as u32);
                s.push(*c);
            }
            lower_at.push(s.len() as u32);
            s
        };
        let nums = if !scan {
            Vec::new()
        } else if lower_text_is_lower {
            scan_chars_lowered(&chars, Some((&lower_text, &lower_at)))
        } else {
            scan_chars(&chars)
        };
        let mut depth = Vec::with_capacity(nums.len());
        let mut stack: Vec<usize> = Vec::new();
        let mut k = 0;
        let mut sentences = vec![0];
        let mut parens = Vec::new();
        for (i, c) in chars.iter().enumerate() {
            while k < nums.len() && nums[k].start == i {
                depth.push((
                    stack.len() as i32,
                    stack.last().copied().unwrap_or(usize::MAX),
                ));
                k += 1;
            }
            match c {
                '(' => {
                    stack.push(i);
                    parens.push((i, stack.len() as i32));
                }
                ')' => {
                    stack.pop();
                    parens.push((i, stack.len() as i32));
                }
                '.' | '!' | '?' => {
                    let next = chars.get(i + 1);
                    let prev_digit = i > 0 && chars[i - 1].is_ascii_digit();
                    if next.is_none_or(|n| n.is_whitespace())
                        && !(prev_digit && next.is_some_and(|n| n.is_ascii_digit()))
                    {
                        sentences.push(i + 1);
                    }
                }
                _ => {}
            }
        }
        while depth.len() < nums.len() {
            depth.push((0, usize::MAX));
        }
        let mut b = Blk {
            chars,
            lower,
            lower_text,
            lower_text_is_lower,
            lower_at,
            nums,
            depth,
            sentences,
            parens,
            roles: Vec::new(),
        };
        b.roles = (0..b.nums.len())
            .map(|_| std::cell::OnceCell::new())
            .collect();
        b
    }

    /// Paren depth just before char offset `at`.
    pub fn depth_at(&self, at: usize) -> i32 {
        let k = self.parens.partition_point(|(p, _)| *p < at);
        k.checked_sub(1).map_or(0, |k| self.parens[k].1)
    }

    /// The sentence (char range) holding `offset`.
    pub fn sentence(&self, offset: usize) -> (usize, usize) {
        let i = self.sentences.partition_point(|s| *s <= offset);
        let start = self.sentences[i.saturating_sub(1)];
        let end = self.sentences.get(i).copied().unwrap_or(self.chars.len());
        (start, end)
    }

    /// Lowercased text of a char range.
    pub fn low(&self, a: usize, b: usize) -> Cow<'_, str> {
        let b = b.min(self.lower.len());
        self.lower_str(a.min(b), b)
    }

    /// The chars `lower[a..b]` (a valid range) as a string.
    fn lower_str(&self, a: usize, b: usize) -> Cow<'_, str> {
        if !self.lower_at.is_empty() {
            return Cow::Borrowed(
                &self.lower_text[self.lower_at[a] as usize..self.lower_at[b] as usize],
            );
        }
        let chars = &self.lower[a..b];
        // sized first: Vietnamese letters take two or three bytes each
        let mut s = String::with_capacity(chars.iter().map(|c| c.len_utf8()).sum());
        s.extend(chars);
        Cow::Owned(s)
    }

    /// [`Blk::low`] with the spaces at both ends trimmed (as `str::trim`: a
    /// lowercased char is white space only when the char is).
    pub fn low_trimmed(&self, a: usize, b: usize) -> Cow<'_, str> {
        let mut b = b.min(self.lower.len());
        let mut a = a.min(b);
        while a < b && self.lower[a].is_whitespace() {
            a += 1;
        }
        while a < b && self.lower[b - 1].is_whitespace() {
            b -= 1;
        }
        self.lower_str(a, b)
    }

    /// The words before number `i` in its clause (lowercase): back to a `,;:()` or
    /// the previous figure, at most 80 chars.
    pub fn label_before(&self, i: usize) -> Cow<'_, str> {
        let n = &self.nums[i];
        let floor = n.start.saturating_sub(80).max(if i > 0 {
            self.nums[i - 1].tail.min(n.start)
        } else {
            0
        });
        let mut a = n.start;
        while a > floor && !matches!(self.chars[a - 1], ',' | ';' | ':' | '(' | ')' | '.' | '=') {
            a -= 1;
        }
        self.low_trimmed(a, n.start)
    }

    /// The label of a "label: N" figure: the words before the colon (else the label before it).
    pub fn colon_label(&self, i: usize) -> Cow<'_, str> {
        let own = self.label_before(i);
        if !own.is_empty() {
            return own;
        }
        let n = &self.nums[i];
        let mut p = n.start;
        while p > 0 && self.chars[p - 1] == ' ' {
            p -= 1;
        }
        if p == 0 || self.chars[p - 1] != ':' {
            return own;
        }
        let end = p - 1;
        let floor = end.saturating_sub(100);
        let mut a = end;
        while a > floor && !matches!(self.chars[a - 1], ',' | ';' | '.' | ':') {
            a -= 1;
        }
        self.low_trimmed(a, end)
    }

    /// Like [`Blk::label_before`] but reaching across parentheses (`Về giám sát (13 cuộc)`).
    pub fn clause_before(&self, i: usize) -> Cow<'_, str> {
        let n = &self.nums[i];
        let floor = n.start.saturating_sub(80).max(if i > 0 {
            self.nums[i - 1].tail.min(n.start)
        } else {
            0
        });
        let mut a = n.start;
        while a > floor && !matches!(self.chars[a - 1], ',' | ';' | ':' | '.' | '=') {
            a -= 1;
        }
        self.low_trimmed(a, n.start)
    }

    /// The words before number `i` back to the sentence start (or 160 chars).
    pub fn context_before(&self, i: usize) -> Cow<'_, str> {
        let n = &self.nums[i];
        let (s, _) = self.sentence(n.start);
        self.low(s.max(n.start.saturating_sub(160)), n.start)
    }

    /// The words after number `i`'s unit up to a `,;:.()` or the next figure, at most 60 chars.
    pub fn label_after(&self, i: usize) -> Cow<'_, str> {
        let n = &self.nums[i];
        let ceil = (n.tail + 60)
            .min(self.chars.len())
            .min(self.nums.get(i + 1).map_or(usize::MAX, |m| m.start));
        let mut z = n.tail;
        while z < ceil && !matches!(self.chars[z], ',' | ';' | ':' | '(' | ')' | '.' | '=') {
            z += 1;
        }
        self.low_trimmed(n.tail, z)
    }

    /// Whether numbers `a` and `b` sit at the same paren level (same group or both outside).
    pub fn same_level(&self, a: usize, b: usize) -> bool {
        self.depth[a] == self.depth[b]
    }
}

/// What a footnote is attached to: its citing block, the marker offset, and the
/// figure right before the marker (the whole a "Trong đó" note breaks down).
#[derive(Clone, Copy)]
pub struct NoteCtx {
    pub block: usize,
    pub marker: usize,
    pub whole: Option<usize>,
}

/// Everything the rules read.
pub struct Ctx<'a> {
    pub doc: &'a Document,
    pub blks: Vec<Blk>,
    pub notes: Vec<Option<NoteCtx>>,
}

impl<'a> Ctx<'a> {
    pub fn new(doc: &'a Document) -> Ctx<'a> {
        let blks: Vec<Blk> = doc
            .blocks
            .iter()
            .map(|b| Blk::new(&b.text, b.part != Part::Header))
            .collect();
        let notes = doc
            .blocks
            .iter()
            .enumerate()
            .map(|(bi, b)| {
                b.footnote.as_ref()?;
                let (ci, off) = doc.citing_block(bi)?;
                let cb = &blks[ci];
                let k = cb.nums.partition_point(|n| n.end <= off);
                let whole = k.checked_sub(1).filter(|&w| {
                    let n = &cb.nums[w];
                    n.tail <= off && off - n.tail <= 2 && n.is_quantity() && !n.percent
                });
                Some(NoteCtx {
                    block: ci,
                    marker: off,
                    whole,
                })
            })
            .collect();
        Ctx { doc, blks, notes }
    }

    /// A finding at a char range of block `bi`.
    pub fn finding(
        &self,
        bi: usize,
        kind: Kind,
        severity: Severity,
        at: (usize, usize),
        message: String,
        arith: Option<Arith>,
    ) -> Finding {
        let b: &Block = &self.doc.blocks[bi];
        Finding {
            line: b.line_of(at.0),
            kind,
            severity,
            message,
            excerpt: excerpt(&self.blks[bi].chars, at.0, at.1),
            arith,
        }
    }
}

/// The text around a char range, for a finding's excerpt.
pub fn excerpt(chars: &[char], start: usize, end: usize) -> String {
    let a = start.min(chars.len()).saturating_sub(60);
    let b = (end + 60).min(chars.len()).max(a);
    let mut s: String = chars[a..b].iter().collect();
    if a > 0 {
        s.insert(0, '…');
    }
    if b < chars.len() {
        s.push('…');
    }
    s
}

/// A list of words found in one pass (the longest at each place), for the short
/// texts of a block where searching each word on its own would cost more than the
/// search.
///
/// The search is that of the regex `w1|w2|…` with the words longest first (leftmost
/// match, the first alternative there, then on after it): one Aho-Corasick
/// automaton with leftmost-first matching over the words in that order, run as a
/// DFA — on the short labels it mostly runs on, a regex's per-search setup costs
/// more than the search.
pub struct Words {
    ac: Option<aho_corasick::AhoCorasick>,
}

impl Words {
    /// A list of non-empty words (an empty one is left out).
    pub fn new(words: &[&str]) -> Words {
        let mut sorted: Vec<&str> = words.iter().copied().filter(|w| !w.is_empty()).collect();
        sorted.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let ac = (!sorted.is_empty())
            .then(|| {
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .build(&sorted)
                    .ok()
            })
            .flatten();
        Words { ac }
    }

    /// Every whole-word match: (byte start, byte end, the word).
    pub fn matches<'t>(&'t self, text: &'t str) -> Vec<(usize, usize, &'t str)> {
        self.iter(text).collect()
    }

    /// [`Words::matches`] one by one, without collecting them.
    pub fn iter<'t>(&'t self, text: &'t str) -> impl Iterator<Item = (usize, usize, &'t str)> + 't {
        self.ac
            .iter()
            .flat_map(move |ac| ac.find_iter(text))
            .filter_map(move |m| {
                let (s, e) = (m.start(), m.end());
                let whole = text[..s]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
                    && text[e..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_alphanumeric());
                whole.then_some((s, e, &text[s..e]))
            })
    }

    /// Whether any word occurs (as a substring).
    pub fn any_in(&self, text: &str) -> bool {
        self.ac.as_ref().is_some_and(|ac| ac.is_match(text))
    }
}

/// Whether `w` is at byte `p` of `hay`: compared byte by byte, since most tries
/// fail on the first bytes and the words are short.
#[inline]
pub fn bytes_at(hay: &[u8], p: usize, w: &[u8]) -> bool {
    hay.len() >= p + w.len() && hay[p..p + w.len()].iter().zip(w).all(|(a, b)| a == b)
}

static ROLES: std::sync::LazyLock<Words> =
    std::sync::LazyLock::new(|| Words::new(&ROLE_WORDS.iter().map(|x| x.0).collect::<Vec<_>>()));

/// The role a figure plays, read from the words next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Whole,
    Done,
    Remainder,
    Other,
}

const ROLE_WORDS: &[(&str, Role)] = &[
    ("còn lại", Role::Remainder),
    ("chưa giải quyết", Role::Remainder),
    ("đang giải quyết", Role::Remainder),
    ("đang tiếp tục giải quyết", Role::Remainder),
    ("đang xử lý", Role::Remainder),
    ("chưa xử lý", Role::Remainder),
    ("đang xem xét", Role::Remainder),
    ("đang xác minh", Role::Remainder),
    ("chưa hoàn thành", Role::Remainder),
    ("đang thực hiện", Role::Remainder),
    ("đang triển khai", Role::Remainder),
    ("tồn đọng", Role::Remainder),
    ("còn tồn", Role::Remainder),
    ("tiếp nhận", Role::Whole),
    ("nhận được", Role::Whole),
    ("tổng số", Role::Whole),
    ("tổng cộng", Role::Whole),
    ("thụ lý", Role::Whole),
    ("phải giải quyết", Role::Whole),
    ("thẩm quyền giải quyết", Role::Whole),
    ("thuộc thẩm quyền", Role::Whole),
    ("thẩm quyền", Role::Whole),
    ("đăng ký", Role::Whole),
    ("được giao", Role::Whole),
    ("chỉ tiêu", Role::Whole),
    ("kế hoạch", Role::Whole),
    ("trong tổng số", Role::Whole),
    ("trong số", Role::Whole),
    ("đã giải quyết", Role::Done),
    ("giải quyết xong", Role::Done),
    ("giải quyết dứt điểm", Role::Done),
    ("giải quyết", Role::Done),
    ("đã xử lý", Role::Done),
    ("xử lý xong", Role::Done),
    ("hoàn thành", Role::Done),
    ("đã hoàn thành", Role::Done),
    ("đã trả lời", Role::Done),
    ("trả lời", Role::Done),
    ("đã thực hiện xong", Role::Done),
    ("đã có kết quả", Role::Done),
    ("đưa vào sử dụng", Role::Done),
    ("khánh thành", Role::Done),
];

pub fn role_in(text: &str, last: bool) -> Option<(Role, usize)> {
    if text.len() < 4 {
        return None;
    }
    // the nearest to the number wins: the last match before it, the first after it
    let mut hits = ROLES.iter(text);
    let hit = if last { hits.last() } else { hits.next() }?;
    let role = ROLE_WORDS.iter().find(|(w, _)| *w == hit.2).map(|x| x.1)?;
    Some((role, hit.0))
}

/// The role of figure `i`: the nearest role word before it in its clause, else one
/// right after its unit.
pub fn role(b: &Blk, i: usize) -> Role {
    match b.roles.get(i) {
        Some(c) => *c.get_or_init(|| read_role(b, i)),
        None => read_role(b, i),
    }
}

fn read_role(b: &Blk, i: usize) -> Role {
    let n = &b.nums[i];
    // only figures have a role; dates, symbols and the like do not
    if !n.is_figure() || n.percent {
        return Role::Other;
    }
    let before = b.label_before(i);
    let after = b.label_after(i);
    let a = role_in(&after, false).filter(|(_, p)| *p <= 12);
    match (role_in(&before, true), a) {
        (_, Some((r @ Role::Remainder, _))) => r,
        (Some((r, _)), _) => r,
        (None, Some((r, _))) => r,
        (None, None) => Role::Other,
    }
}

/// Whether two units are the same measure.
pub fn same_unit(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => crate::numbers::unit_family(x) == crate::numbers::unit_family(y),
        (None, None) => true,
        _ => false,
    }
}

/// Runs every arithmetic check over the document.
pub fn check(doc: &Document, out: &mut Vec<Finding>) {
    check_ctx(&Ctx::new(doc), out);
}

/// Runs every arithmetic check with the blocks already read.
pub fn check_ctx(ctx: &Ctx, out: &mut Vec<Finding>) {
    let doc = ctx.doc;
    for bi in 0..doc.blocks.len() {
        if doc.blocks[bi].part == Part::Header {
            continue;
        }
        format::check(ctx, bi, out);
        percent::check(ctx, bi, out);
        sums::check(ctx, bi, out);
        remainder::check(ctx, bi, out);
        counts::check(ctx, bi, out);
    }
    sums::lists(ctx, out);
    same::check(ctx, out);
    period::check(ctx, out);
}

#[cfg(test)]
mod tests;
