//! The details of the simple registers' entries: who held a dialogue and how many
//! of the issues raised were answered; which body carried out an inspection or a
//! supervision, whom it inspected, what it found, how many recommendations it
//! made and how many were carried out; a "Dân vận khéo" model's holder
//! (collective or individual), level, year registered and commendation.
//!
//! The fixed lists have stable codes (stored and used by the API) and Vietnamese
//! labels. Entries recorded before these details existed keep `None` where the
//! register did not know them.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The body that carried out an inspection or a supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionBody {
    /// The committee or steering board (Ban Chỉ đạo) for grassroots democracy.
    Committee,
    /// The Party committee (cấp ủy).
    Party,
    /// The Fatherland Front (Mặt trận Tổ quốc).
    Front,
    /// The People's Inspection Board (Ban Thanh tra nhân dân).
    PeoplesInspection,
    /// The Community Investment Supervision Board (Ban Giám sát đầu tư của cộng đồng).
    CommunityInvestment,
}

impl InspectionBody {
    pub const ALL: [InspectionBody; 5] = [
        Self::Committee,
        Self::Party,
        Self::Front,
        Self::PeoplesInspection,
        Self::CommunityInvestment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Committee => "committee",
            Self::Party => "party",
            Self::Front => "front",
            Self::PeoplesInspection => "peoples_inspection",
            Self::CommunityInvestment => "community_investment",
        }
    }

    pub fn parse(s: &str) -> Option<InspectionBody> {
        Self::ALL.into_iter().find(|b| b.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Committee => "Ban Chỉ đạo thực hiện Quy chế dân chủ",
            Self::Party => "Cấp ủy Đảng",
            Self::Front => "Mặt trận Tổ quốc",
            Self::PeoplesInspection => "Ban Thanh tra nhân dân",
            Self::CommunityInvestment => "Ban Giám sát đầu tư của cộng đồng",
        }
    }
}

/// Who holds a "Dân vận khéo" model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelHolder {
    /// Tập thể.
    Collective,
    /// Cá nhân.
    Individual,
}

impl ModelHolder {
    pub const ALL: [ModelHolder; 2] = [Self::Collective, Self::Individual];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Collective => "collective",
            Self::Individual => "individual",
        }
    }

    pub fn parse(s: &str) -> Option<ModelHolder> {
        Self::ALL.into_iter().find(|h| h.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Collective => "Tập thể",
            Self::Individual => "Cá nhân",
        }
    }
}

/// The first day without district-level government (two-level local
/// government from 1 July 2025): no model is recognised at district level from
/// this day; older records keep the level.
pub fn districts_abolished() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or(NaiveDate::MIN)
}

/// The level at which a "Dân vận khéo" model was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelLevel {
    /// Cấp xã.
    Commune,
    /// Cấp huyện (until 30 June 2025).
    District,
    /// Cấp tỉnh.
    Province,
    /// Toàn quốc.
    National,
}

impl ModelLevel {
    pub const ALL: [ModelLevel; 4] = [
        Self::Commune,
        Self::District,
        Self::Province,
        Self::National,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Commune => "commune",
            Self::District => "district",
            Self::Province => "province",
            Self::National => "national",
        }
    }

    pub fn parse(s: &str) -> Option<ModelLevel> {
        Self::ALL.into_iter().find(|l| l.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Commune => "Cấp xã",
            Self::District => "Cấp huyện",
            Self::Province => "Cấp tỉnh",
            Self::National => "Toàn quốc",
        }
    }

    /// Whether a model can be recognised at this level on `on`.
    pub fn exists_on(self, on: NaiveDate) -> bool {
        self != Self::District || on < districts_abolished()
    }

    /// The levels a form offers for an entry dated `on`.
    pub fn offered_on(on: NaiveDate) -> Vec<ModelLevel> {
        Self::ALL.into_iter().filter(|l| l.exists_on(on)).collect()
    }
}

/// The earliest year a model can have been registered in.
pub const FIRST_MODEL_YEAR: i32 = 2000;

/// A dialogue's details.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DialogueDetail {
    pub leader_name: String,
    pub leader_position: String,
    /// Issues raised (None: recorded before the register counted them).
    pub issues_raised: Option<u32>,
    pub issues_answered: Option<u32>,
}

/// An inspection's or a supervision's details.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InspectionDetail {
    pub body: Option<InspectionBody>,
    pub team: String,
    /// The units inspected or supervised.
    pub inspected: String,
    pub findings: String,
    pub recommendations_made: Option<u32>,
    pub recommendations_done: Option<u32>,
}

/// A model's details.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ModelDetail {
    pub holder: Option<ModelHolder>,
    pub level: Option<ModelLevel>,
    pub registered_year: Option<i32>,
    pub commended: Option<bool>,
    /// Who commended it (empty when unknown or not commended).
    pub commended_by: String,
}

/// The details of an entry, by register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "register", rename_all = "snake_case")]
pub enum EntryDetail {
    Dialogue(DialogueDetail),
    Inspection(InspectionDetail),
    Model(ModelDetail),
}

/// Refuses a count "done" larger than the count it is part of.
pub fn check_part(done: u32, of: u32, done_label: &str, of_label: &str) -> Result<(), String> {
    if done > of {
        Err(format!(
            "Số {done_label} ({done}) lớn hơn số {of_label} ({of})"
        ))
    } else {
        Ok(())
    }
}

/// Checks a model's level and year registered against the day it was recognised.
pub fn check_model(level: ModelLevel, year: i32, recognised_on: NaiveDate) -> Result<(), String> {
    if !level.exists_on(recognised_on) {
        return Err(format!(
            "Từ ngày {} không còn cấp huyện: chọn cấp xã, cấp tỉnh hoặc toàn quốc",
            crate::period::format_date(districts_abolished())
        ));
    }
    if year < FIRST_MODEL_YEAR || year > recognised_on.year() {
        return Err(format!(
            "Năm đăng ký {year} không hợp lệ: phải từ {FIRST_MODEL_YEAR} đến năm công nhận ({})",
            recognised_on.year()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for b in InspectionBody::ALL {
            assert_eq!(InspectionBody::parse(b.as_str()), Some(b));
        }
        for l in ModelLevel::ALL {
            assert_eq!(ModelLevel::parse(l.as_str()), Some(l));
        }
        for h in ModelHolder::ALL {
            assert_eq!(ModelHolder::parse(h.as_str()), Some(h));
        }
        assert_eq!(InspectionBody::parse("police"), None);
        assert_eq!(ModelLevel::parse("Cấp xã"), None);
        assert_eq!(ModelHolder::parse(""), None);
    }

    #[test]
    fn district_level_only_before_july_2025() {
        assert!(ModelLevel::District.exists_on(d(2025, 6, 30)));
        assert!(!ModelLevel::District.exists_on(d(2025, 7, 1)));
        assert_eq!(ModelLevel::offered_on(d(2024, 1, 1)).len(), 4);
        assert!(!ModelLevel::offered_on(d(2026, 1, 1)).contains(&ModelLevel::District));
        assert!(check_model(ModelLevel::District, 2024, d(2024, 5, 1)).is_ok());
        let e = check_model(ModelLevel::District, 2025, d(2025, 8, 1)).unwrap_err();
        assert!(e.contains("01/07/2025"), "{e}");
    }

    #[test]
    fn year_registered_is_bounded_by_the_recognition() {
        assert!(check_model(ModelLevel::Commune, 2026, d(2026, 3, 1)).is_ok());
        assert!(check_model(ModelLevel::Commune, 2027, d(2026, 3, 1)).is_err());
        assert!(check_model(ModelLevel::Commune, 1999, d(2026, 3, 1)).is_err());
    }

    #[test]
    fn a_part_cannot_exceed_its_whole() {
        assert!(check_part(3, 3, "vấn đề đã trả lời", "vấn đề nêu ra").is_ok());
        let e = check_part(4, 3, "vấn đề đã trả lời", "vấn đề nêu ra").unwrap_err();
        assert_eq!(e, "Số vấn đề đã trả lời (4) lớn hơn số vấn đề nêu ra (3)");
    }
}
