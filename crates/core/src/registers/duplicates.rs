//! Duplicate petitions: the same people writing about the same thing, often to
//! several bodies or several times. Names and contents are compared without
//! diacritics, case or extra spaces (`core::text::fold`); the candidates are
//! offered to a person, who links them into one case — nothing is merged here.
//!
//! A candidate shares at least one petitioner (same folded full name) and its
//! content is similar: the Jaccard index of the two sets of folded words of two
//! letters or more is at least the threshold (in percent).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::text::fold;

/// What duplicate detection looks at in a petition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetitionText {
    pub id: i64,
    pub petitioners: Vec<String>,
    pub content: String,
}

/// A possible duplicate of the petition being checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub id: i64,
    /// Content similarity in percent (0–100).
    pub similarity: u8,
    /// The petitioners both share, as written in the candidate.
    pub common_petitioners: Vec<String>,
}

/// The default threshold: half of the words in common.
pub const DEFAULT_THRESHOLD: u8 = 50;

/// A person's name folded for comparison: "  Nguyễn  Văn ĐẠT " → "nguyen van dat".
pub fn fold_name(s: &str) -> String {
    fold(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn words(s: &str) -> BTreeSet<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_string)
        .collect()
}

/// Content similarity in percent (Jaccard index of folded words); 0 when either
/// text has no word.
pub fn similarity(a: &str, b: &str) -> u8 {
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 0;
    }
    let common = a.intersection(&b).count();
    ((common * 100) / union) as u8
}

/// The candidates among `others` for `petition`, most similar first (then by id).
pub fn candidates(
    petition: &PetitionText,
    others: &[PetitionText],
    threshold: u8,
) -> Vec<Candidate> {
    let mine: BTreeSet<String> = petition
        .petitioners
        .iter()
        .map(|n| fold_name(n))
        .filter(|n| !n.is_empty())
        .collect();
    let mut out: Vec<Candidate> = others
        .iter()
        .filter(|o| o.id != petition.id)
        .filter_map(|o| {
            let common: Vec<String> = o
                .petitioners
                .iter()
                .filter(|n| mine.contains(&fold_name(n)))
                .cloned()
                .collect();
            if common.is_empty() {
                return None;
            }
            let s = similarity(&petition.content, &o.content);
            (s >= threshold).then_some(Candidate {
                id: o.id,
                similarity: s,
                common_petitioners: common,
            })
        })
        .collect();
    out.sort_by(|a, b| b.similarity.cmp(&a.similarity).then(a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(id: i64, who: &[&str], content: &str) -> PetitionText {
        PetitionText {
            id,
            petitioners: who.iter().map(|s| s.to_string()).collect(),
            content: content.into(),
        }
    }

    #[test]
    fn same_people_same_matter_without_diacritics() {
        let me = p(
            1,
            &["Nguyễn Văn Đạt", "Trần Thị Hoa"],
            "Khiếu nại việc thu hồi đất tại thôn Đông, xã Hòa Bình để làm đường",
        );
        let others = [
            // typed without diacritics, in capitals, with extra spaces
            p(
                2,
                &["NGUYEN  VAN DAT"],
                "khieu nai viec thu hoi dat tai thon Dong xa Hoa Binh lam duong",
            ),
            // same person, another matter
            p(
                3,
                &["Nguyễn Văn Đạt"],
                "Phản ánh tiếng ồn của xưởng gỗ ban đêm",
            ),
            // same matter, other people
            p(
                4,
                &["Lê Văn Tám"],
                "Khiếu nại việc thu hồi đất tại thôn Đông, xã Hòa Bình để làm đường",
            ),
            // the petition itself
            p(
                1,
                &["Nguyễn Văn Đạt"],
                "Khiếu nại việc thu hồi đất tại thôn Đông, xã Hòa Bình để làm đường",
            ),
            // same people, partly the same words
            p(
                5,
                &["Trần Thị Hoa"],
                "Khiếu nại thu hồi đất thôn Đông chưa bồi thường",
            ),
        ];
        let c = candidates(&me, &others, DEFAULT_THRESHOLD);
        assert_eq!(c.iter().map(|c| c.id).collect::<Vec<_>>(), vec![2]);
        assert_eq!(c[0].common_petitioners, vec!["NGUYEN  VAN DAT".to_string()]);
        assert!(c[0].similarity >= 90, "{}", c[0].similarity);
        // a lower threshold brings in the partly similar one, less similar last
        let c = candidates(&me, &others, 30);
        assert_eq!(c.iter().map(|c| c.id).collect::<Vec<_>>(), vec![2, 5]);
    }

    #[test]
    fn empty_texts_are_never_similar() {
        assert_eq!(similarity("", ""), 0);
        assert_eq!(similarity("a b", "a b"), 0, "one-letter words are ignored");
        assert_eq!(similarity("Đất đai", "dat dai"), 100);
        let me = p(1, &[" "], "đất");
        assert!(candidates(&me, &[p(2, &[""], "đất")], 0).is_empty());
    }

    proptest! {
        #[test]
        fn similarity_is_symmetric_and_bounded(a in "\\PC{0,60}", b in "\\PC{0,60}") {
            let s = similarity(&a, &b);
            prop_assert!(s <= 100);
            prop_assert_eq!(s, similarity(&b, &a));
            if words(&a).is_empty() { prop_assert_eq!(s, 0); } else { prop_assert_eq!(similarity(&a, &a), 100); }
        }
    }
}
