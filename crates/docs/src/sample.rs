//! Realistic sample documents of the fictional province of Lâm Viên, in the style of the
//! real seeds: used for the JSON fixtures, the smoke tests and the benchmark.
//!
//! Generation is deterministic (a small linear congruential generator), so fixtures and
//! benchmark inputs are reproducible without a random-number crate.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use qcdc_core::number::Milli;
use qcdc_core::period::{Period, PeriodKind};
use qcdc_core::template::{Aggregate, Parts, Template};

use crate::model::{
    Completeness, ConsolidatedReport, DocumentFormat, FigureTable, Issuer, LateUnit, Letter,
    NarrativeParagraph, NarrativeSection, Outline, OutlinePart, Signature, TotalsTable, UnitReport,
    UnitTable, ratio_milli,
};

/// The periodic QCDC template shipped with qcdc.
pub const TEMPLATE_TOML: &str = include_str!("../../../templates/qcdc-dinh-ky.v1.toml");

/// The periodic QCDC template, parsed.
pub fn template() -> Result<Template, qcdc_core::CoreError> {
    Template::from_toml(TEMPLATE_TOML)
}

/// A deterministic pseudo-random sequence.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }

    /// A number in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let n = u64::try_from(items.len()).unwrap_or(0);
        items.get(usize::try_from(self.below(n)).unwrap_or(0))
    }
}

/// The titles of the outline's Roman-numbered parts (Hải Phòng 2023 outline).
pub fn outline_parts() -> Vec<OutlinePart> {
    [
        (
            "II",
            "Công tác lãnh đạo, chỉ đạo của cấp ủy đảng, chính quyền, Mặt trận Tổ quốc Việt Nam, \
             các tổ chức chính trị - xã hội và hoạt động của Ban Chỉ đạo thực hiện QCDC ở cơ sở",
        ),
        (
            "III",
            "Kết quả thực hiện QCDC ở cơ sở đối với các loại hình cơ sở",
        ),
        ("IV", "Đánh giá chung"),
        (
            "V",
            "Nhiệm vụ, giải pháp trọng tâm kỳ tới và kiến nghị, đề xuất",
        ),
    ]
    .into_iter()
    .map(|(n, t)| OutlinePart {
        number: n.into(),
        title: t.into(),
    })
    .collect()
}

/// The provincial steering committee of Lâm Viên in the given format.
pub fn province_issuer(format: DocumentFormat) -> Issuer {
    Issuer {
        format,
        parent_body: match format {
            DocumentFormat::State => "UBND TỈNH LÂM VIÊN".into(),
            DocumentFormat::Party => "TỈNH ỦY LÂM VIÊN".into(),
        },
        body: "BAN CHỈ ĐẠO THỰC HIỆN QUY CHẾ DÂN CHỦ Ở CƠ SỞ".into(),
        place: "Lâm Viên".into(),
        symbol: "BCĐ".into(),
    }
}

/// A commune's people's committee (state format).
pub fn commune_issuer(name: &str) -> Issuer {
    Issuer {
        format: DocumentFormat::State,
        parent_body: "TỈNH LÂM VIÊN".into(),
        body: format!("ỦY BAN NHÂN DÂN {}", name.to_uppercase()),
        place: name
            .trim_start_matches("Xã ")
            .trim_start_matches("Phường ")
            .to_string(),
        symbol: "UBND".into(),
    }
}

const PLACES: &[&str] = &[
    "Đam Rông",
    "Phước Bình",
    "Ngọc Hà",
    "Lạc Dương",
    "Đạ Huoai",
    "Bảo Lộc",
    "Di Linh",
    "Đức Trọng",
    "Hòa Ninh",
    "Liên Nghĩa",
    "Tân Hội",
    "Xuân Trường",
    "Lộc Thắng",
    "Quảng Trị",
    "Ba Đình",
    "Hải Châu",
    "Ngũ Hành Sơn",
    "Thủy Nguyên",
    "Ứng Hòa",
    "Ỷ La",
    "Ẩm Thượng",
    "Đông Hà",
    "Yên Thế",
    "Hữu Lũng",
];

/// A hundred-odd distinct commune and ward names with Vietnamese letters.
pub fn unit_names(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let kind = if i % 3 == 0 { "Phường" } else { "Xã" };
            let place = PLACES.get(i % PLACES.len()).copied().unwrap_or("Lâm Viên");
            let round = i / PLACES.len();
            if round == 0 {
                format!("{kind} {place}")
            } else {
                format!("{kind} {place} {}", round + 1)
            }
        })
        .collect()
}

const OPENINGS: &[&str] = &[
    "Trong kỳ, cấp ủy, chính quyền đã tập trung lãnh đạo, chỉ đạo triển khai thực hiện Luật Thực hiện dân chủ ở cơ sở gắn với nhiệm vụ chính trị của địa phương",
    "Ban Chỉ đạo đã ban hành kế hoạch kiểm tra, giám sát việc thực hiện quy chế dân chủ ở cơ sở, phân công thành viên theo dõi từng thôn, tổ dân phố",
    "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội tiếp tục phát huy vai trò giám sát, phản biện xã hội, tham gia góp ý xây dựng Đảng, xây dựng chính quyền",
    "Việc công khai, minh bạch các nội dung theo Điều 11 của Luật được thực hiện bằng hình thức niêm yết tại trụ sở, trên cổng thông tin điện tử và hệ thống loa truyền thanh",
    "Công tác tiếp công dân, đối thoại trực tiếp giữa người đứng đầu cấp ủy, chính quyền với Nhân dân được duy trì định kỳ theo Quy định số 11-QĐi/TW",
    "Ban thanh tra nhân dân và Ban giám sát đầu tư của cộng đồng hoạt động nền nếp, kịp thời phát hiện và kiến nghị xử lý những vấn đề phát sinh",
];

const MIDDLES: &[&str] = &[
    "qua đó phát huy quyền làm chủ của Nhân dân theo phương châm “Dân biết, dân bàn, dân làm, dân kiểm tra, dân giám sát, dân thụ hưởng”",
    "góp phần giữ vững ổn định chính trị, trật tự an toàn xã hội, thúc đẩy phát triển kinh tế - xã hội trên địa bàn",
    "bảo đảm đúng quy định của Nghị định số 59/2023/NĐ-CP và hướng dẫn của Ban Chỉ đạo cấp trên",
    "tạo sự đồng thuận cao trong Nhân dân, nhất là trong công tác giải phóng mặt bằng, xây dựng nông thôn mới kiểu mẫu",
    "kết quả giải quyết đạt tỷ lệ cao, không để phát sinh điểm nóng, vụ việc đông người, phức tạp",
];

const CLOSINGS: &[&str] = &[
    "Tuy nhiên, ở một số thôn, tổ dân phố việc tổ chức hội nghị còn hình thức, tỷ lệ hộ gia đình tham dự chưa cao.",
    "Các ý kiến, kiến nghị của cử tri được tổng hợp, chuyển đến cơ quan có thẩm quyền xem xét, giải quyết và trả lời đúng thời hạn.",
    "Chế độ thông tin, báo cáo giữa các thành viên Ban Chỉ đạo với cơ sở từng bước được duy trì thường xuyên hơn.",
    "Đã tổ chức 04 hội nghị tuyên truyền với 1.235 lượt người tham dự; phát hành 2.500 tờ gấp về Luật Thực hiện dân chủ ở cơ sở.",
    "Tổng số tiền Nhân dân đóng góp xây dựng các công trình công cộng đạt 1.234,5 triệu đồng, được công khai đầy đủ tại nhà văn hóa thôn.",
];

/// A paragraph in the seeds' style.
pub fn sentence(rng: &mut Rng) -> String {
    let a = rng.pick(OPENINGS).copied().unwrap_or_default();
    let b = rng.pick(MIDDLES).copied().unwrap_or_default();
    let c = rng.pick(CLOSINGS).copied().unwrap_or_default();
    format!("{a}, {b}. {c}")
}

/// Figures for one unit, consistent with the template's breakdowns and ratios.
pub fn unit_values(t: &Template, rng: &mut Rng) -> BTreeMap<String, Milli> {
    let mut v: BTreeMap<String, Milli> = BTreeMap::new();
    let inds = t.indicators();
    let has_parts = |code: &str| inds.iter().any(|i| i.part_of.as_deref() == Some(code));
    for i in inds {
        if i.aggregate == Aggregate::Sum && !has_parts(&i.code) {
            let n = match i.unit.as_str() {
                "hồ sơ" => 200 + rng.below(3_000),
                "triệu đồng" => 1_000 + rng.below(900_000),
                "lượt" | "người" => 5 + rng.below(400),
                _ => rng.below(40),
            };
            let milli = if i.unit == "triệu đồng" {
                n * 100
            } else {
                n * 1000
            };
            v.insert(i.code.clone(), i64::try_from(milli).unwrap_or(0));
        }
    }
    for _ in 0..2 {
        // wholes from their parts, deepest first
        for _ in 0..4 {
            for w in inds.iter().filter(|w| has_parts(&w.code)) {
                let parts: Vec<Milli> = inds
                    .iter()
                    .filter(|p| p.part_of.as_deref() == Some(w.code.as_str()))
                    .filter_map(|p| v.get(&p.code).copied())
                    .collect();
                let total = match w.parts {
                    Parts::Complete => parts.iter().sum(),
                    Parts::Disjoint => parts.iter().sum::<Milli>() + 2000,
                    Parts::Overlapping => parts.iter().copied().max().unwrap_or(0) + 3000,
                };
                v.insert(w.code.clone(), total);
            }
        }
        // a ratio's numerator may not exceed its denominator
        for r in inds.iter().filter(|i| i.aggregate == Aggregate::Ratio) {
            let (Some(n), Some(d)) = (r.numerator.as_deref(), r.denominator.as_deref()) else {
                continue;
            };
            if let (Some(nv), Some(dv)) = (v.get(n).copied(), v.get(d).copied())
                && nv > dv
                && !has_parts(n)
            {
                v.insert(n.to_string(), dv / 1000 * 9 / 10 * 1000);
            }
        }
    }
    for r in inds {
        match r.aggregate {
            Aggregate::Ratio => {
                let (Some(n), Some(d)) = (r.numerator.as_deref(), r.denominator.as_deref()) else {
                    continue;
                };
                if let Some(p) = v
                    .get(n)
                    .zip(v.get(d))
                    .and_then(|(n, d)| ratio_milli(*n, *d))
                {
                    v.insert(r.code.clone(), p);
                }
            }
            Aggregate::None => {
                let tenths = 800 + rng.below(200);
                v.insert(r.code.clone(), i64::try_from(tenths * 100).unwrap_or(0));
            }
            Aggregate::Sum => {}
        }
    }
    v
}

fn signature_province() -> Signature {
    Signature {
        authority_prefix: Some("KT.".into()),
        authority_body: "TRƯỞNG BAN".into(),
        title: "PHÓ TRƯỞNG BAN THƯỜNG TRỰC".into(),
        signer_name: Some("Nguyễn Thị Hồng Nhung".into()),
    }
}

/// The period of the samples: the first half of 2026.
pub fn period() -> Period {
    Period::new(2026, PeriodKind::FirstHalf)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The round's covering letter, modelled on Công văn 42-CV/BCĐ of Hải Phòng (2023).
pub fn letter(t: &Template, format: DocumentFormat, number: Option<u32>) -> Letter {
    let p = period();
    let (from, to) = p.cutoff();
    let deadline = p.earliest_deadline() + chrono::Days::new(3);
    let fd = qcdc_core::period::format_date;
    Letter {
        issuer: province_issuer(format),
        number,
        date: date(2026, 6, 2),
        subject: format!(
            "báo cáo kết quả xây dựng và thực hiện quy chế dân chủ ở cơ sở {}",
            p.label_vi()
        ),
        recipients: vec![
            "Ban Chỉ đạo thực hiện quy chế dân chủ ở cơ sở các xã, phường, đặc khu".into(),
            "các đảng bộ trực thuộc Tỉnh ủy".into(),
            "các sở, ban, ngành, đoàn thể tỉnh".into(),
        ],
        body: vec![
            "Thực hiện Chương trình công tác năm 2026 của Ban Chỉ đạo thực hiện quy chế dân chủ ở cơ sở tỉnh (Ban Chỉ đạo tỉnh); Ban Chỉ đạo tỉnh đề nghị Ban Chỉ đạo các xã, phường, đặc khu; các đảng bộ trực thuộc Tỉnh ủy; các sở, ban, ngành, đoàn thể tỉnh đánh giá kết quả xây dựng và thực hiện quy chế dân chủ ở cơ sở 6 tháng đầu năm, nhiệm vụ trọng tâm 6 tháng cuối năm 2026 (có đề cương báo cáo và biểu mẫu số liệu gửi kèm).".into(),
            format!("Số liệu báo cáo tính từ ngày {} đến hết ngày {} theo quy định tại Nghị định số 09/2019/NĐ-CP ngày 24/01/2019 của Chính phủ.", fd(from), fd(to)),
            format!("Báo cáo gửi về Ban Chỉ đạo tỉnh (qua Ban Tuyên giáo và Dân vận Tỉnh ủy - Cơ quan Thường trực Ban Chỉ đạo, số 12 đường Trần Hưng Đạo, phường Lâm Viên) và nộp trên Hệ thống qcdc trước ngày {} để tổng hợp, báo cáo Thường trực Tỉnh ủy và Ban Chỉ đạo Trung ương./.", fd(deadline)),
        ],
        distribution: vec![
            "Như trên".into(),
            "Đ/c Phó Bí thư Thường trực Tỉnh ủy, Trưởng Ban Chỉ đạo tỉnh (để b/c)".into(),
            "Thành viên Ban Chỉ đạo tỉnh".into(),
            "Tổ giúp việc Ban Chỉ đạo tỉnh".into(),
            "Lưu BCĐ".into(),
        ],
        signature: signature_province(),
        outline: Some(Outline {
            subtitle: format!(
                "kết quả xây dựng và thực hiện quy chế dân chủ ở cơ sở {}; nhiệm vụ 6 tháng cuối năm 2026",
                p.label_vi()
            ),
            parts: outline_parts(),
            ..Outline::from_template(t, "")
        }),
        form: Some(FigureTable {
            subtitle: format!("Kỳ báo cáo: {}", p.label_vi()),
            ..FigureTable::from_template(t, "BIỂU MẪU SỐ LIỆU", &BTreeMap::new())
        }),
    }
}

fn narrative(
    t: &Template,
    rng: &mut Rng,
    paragraphs: usize,
    attribution: Option<&str>,
) -> Vec<NarrativeSection> {
    t.sections()
        .iter()
        .map(|s| NarrativeSection {
            number: s.number.clone(),
            title: s.title.clone(),
            paragraphs: (0..paragraphs)
                .map(|_| NarrativeParagraph {
                    text: sentence(rng),
                    attribution: attribution.map(str::to_string),
                })
                .collect(),
        })
        .collect()
}

/// A commune's report with its appendix.
pub fn unit_report(t: &Template, unit_name: &str, number: Option<u32>, seed: u64) -> UnitReport {
    let mut rng = Rng::new(seed);
    let p = period();
    let values = unit_values(t, &mut rng);
    let mut sections = narrative(t, &mut rng, 2, None);
    // an enterprise section the commune does not have
    if let Some(s) = sections.iter_mut().find(|s| s.number == "III.3") {
        s.paragraphs.clear();
    }
    UnitReport {
        issuer: commune_issuer(unit_name),
        number,
        date: date(2026, 6, 16),
        title: format!(
            "Kết quả xây dựng và thực hiện quy chế dân chủ ở cơ sở {}",
            p.label_vi()
        ),
        period_label: p.label_vi(),
        intro: vec![format!(
            "Thực hiện Công văn số 42-CV/BCĐ ngày 02/06/2026 của Ban Chỉ đạo thực hiện quy chế dân chủ ở cơ sở tỉnh về việc báo cáo kết quả xây dựng và thực hiện quy chế dân chủ ở cơ sở {}, Ủy ban nhân dân {} báo cáo như sau:",
            p.label_vi(),
            unit_name
        )],
        parts: outline_parts(),
        sections,
        distribution: vec![
            "Ban Chỉ đạo QCDC tỉnh (b/c)".into(),
            "Thường trực Đảng ủy, HĐND xã (b/c)".into(),
            "Ủy ban MTTQ Việt Nam xã".into(),
            "Lưu: VT".into(),
        ],
        signature: Signature {
            authority_prefix: Some("TM.".into()),
            authority_body: "ỦY BAN NHÂN DÂN".into(),
            title: "CHỦ TỊCH".into(),
            signer_name: Some("Trần Thị Ngọc Diễm".into()),
        },
        appendix: Some(FigureTable {
            subtitle: format!("{} — {}", unit_name, p.label_vi()),
            ..FigureTable::from_template(t, "PHỤ LỤC SỐ LIỆU", &values)
        }),
    }
}

/// Indicator groups shown unit by unit in the consolidated report.
pub const KEY_GROUPS: &[&str] = &["5", "7", "8", "9"];

/// The office's consolidated report over `n_units` submitting units, each with
/// `paragraphs_per_section` paragraphs of narrative per outline section.
pub fn consolidated(
    t: &Template,
    n_units: usize,
    paragraphs_per_section: usize,
    number: Option<u32>,
) -> ConsolidatedReport {
    let p = period();
    let names = unit_names(n_units + 6);
    let (submitting, missing) = names.split_at(n_units.min(names.len()));
    let mut units = Vec::new();
    let mut sections: Vec<NarrativeSection> = t
        .sections()
        .iter()
        .map(|s| NarrativeSection {
            number: s.number.clone(),
            title: s.title.clone(),
            paragraphs: Vec::new(),
        })
        .collect();
    for (i, name) in submitting.iter().enumerate() {
        let mut rng = Rng::new(1000 + i as u64);
        units.push((name.clone(), unit_values(t, &mut rng)));
        for s in &mut sections {
            for _ in 0..paragraphs_per_section {
                s.paragraphs.push(NarrativeParagraph {
                    text: sentence(&mut rng),
                    attribution: Some(name.clone()),
                });
            }
        }
    }
    let mut totals: BTreeMap<String, Milli> = BTreeMap::new();
    for (_, v) in &units {
        for (code, x) in v {
            if t.indicator(code)
                .is_some_and(|i| i.aggregate == Aggregate::Sum)
            {
                *totals.entry(code.clone()).or_insert(0) += x;
            }
        }
    }
    for r in t
        .indicators()
        .iter()
        .filter(|i| i.aggregate == Aggregate::Ratio)
    {
        if let (Some(n), Some(d)) = (
            r.numerator.as_deref().and_then(|n| totals.get(n)),
            r.denominator.as_deref().and_then(|d| totals.get(d)),
        ) && let Some(x) = ratio_milli(*n, *d)
        {
            totals.insert(r.code.clone(), x);
        }
    }
    let mut rng = Rng::new(7);
    let last_year: BTreeMap<String, Milli> = totals
        .iter()
        .map(|(k, v)| {
            let factor = 80 + i64::try_from(rng.below(40)).unwrap_or(0);
            (k.clone(), v / 1000 * factor / 100 * 1000)
        })
        .collect();
    let deadline = date(2026, 6, 18);
    let late_units: Vec<LateUnit> = submitting
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 9 == 4)
        .map(|(i, n)| LateUnit {
            name: n.clone(),
            submitted_on: deadline + chrono::Days::new(1 + (i % 5) as u64),
        })
        .collect();
    let n_sub = u32::try_from(submitting.len()).unwrap_or(0);
    let n_missing = u32::try_from(missing.len()).unwrap_or(0);
    let n_late = u32::try_from(late_units.len()).unwrap_or(0);
    ConsolidatedReport {
        issuer: province_issuer(DocumentFormat::Party),
        number,
        date: date(2026, 6, 26),
        title: format!(
            "Kết quả xây dựng và thực hiện quy chế dân chủ ở cơ sở {}, nhiệm vụ trọng tâm 6 tháng cuối năm 2026",
            p.label_vi()
        ),
        period_label: p.label_vi(),
        intro: vec![format!(
            "Thực hiện Chương trình công tác năm 2026, trên cơ sở báo cáo của {n_sub} đơn vị, Ban Chỉ đạo thực hiện quy chế dân chủ ở cơ sở tỉnh báo cáo kết quả {} như sau:",
            p.label_vi()
        )],
        parts: outline_parts(),
        sections,
        distribution: vec![
            "Ban Chỉ đạo Trung ương (b/c)".into(),
            "Thường trực Tỉnh ủy (b/c)".into(),
            "Thành viên Ban Chỉ đạo tỉnh".into(),
            "Lưu BCĐ".into(),
        ],
        signature: Signature {
            authority_prefix: Some("TM.".into()),
            authority_body: "BAN CHỈ ĐẠO".into(),
            title: "PHÓ TRƯỞNG BAN THƯỜNG TRỰC".into(),
            signer_name: Some("Nguyễn Thị Hồng Nhung".into()),
        },
        totals: TotalsTable::from_template(
            t,
            "TỔNG HỢP SỐ LIỆU THEO CHỈ TIÊU",
            p.label_vi(),
            p.same_period_last_year().label_vi(),
            &totals,
            &last_year,
        ),
        completeness: Completeness {
            title: "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC ĐƠN VỊ".into(),
            deadline: Some(deadline),
            expected: n_sub + n_missing,
            submitted: n_sub,
            on_time: n_sub - n_late,
            late: n_late,
            missing: n_missing,
            late_units,
            missing_units: missing.to_vec(),
        },
        unit_tables: KEY_GROUPS
            .iter()
            .filter_map(|g| UnitTable::from_template(t, g, &units))
            .collect(),
    }
}
