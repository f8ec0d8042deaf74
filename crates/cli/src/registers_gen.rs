//! Plausible register records for a commune over a date range: petitions of the
//! three kinds with their processing steps (most resolved in time, some still
//! open and overdue, some forwarded, repeated petitions linked into one case),
//! weekly reception by the chairman, monthly by the Party secretary, the
//! reception officer's sessions, dialogues, inspections and supervisions,
//! "Dân vận khéo" models. Used by the demo and by `qcdc gen --registers`.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use qcdc_app::registers::bulk::{Batch, CaseRecord, PetitionRecord, SessionRecord};
use qcdc_app::registers::simple::EntryInput;
use qcdc_core::registers::entries::{InspectionBody, ModelHolder, ModelLevel};
use qcdc_core::registers::reception::Receiver;
use qcdc_core::registers::source::InspectionKind;
use qcdc_core::registers::{Channel, Complexity, ConclusionResult, PetitionKind, Step, StepKind};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "K'", "Ka",
    "Ha", "Lơ Mu",
];
const MIDDLE: &[&str] = &["Văn", "Thị", "Đức", "Minh", "Ngọc", "Hữu", "Thanh"];
const GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dung", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương", "Sơn",
    "Tâm", "Thảo", "Tuấn", "Yến", "Brếu", "Điểu", "Kră",
];
const COMPLAINTS: &[&str] = &[
    "Khiếu nại quyết định thu hồi đất làm đường liên thôn",
    "Khiếu nại việc bồi thường, hỗ trợ khi giải phóng mặt bằng",
    "Khiếu nại việc cấp giấy chứng nhận quyền sử dụng đất",
    "Khiếu nại quyết định xử phạt vi phạm hành chính về xây dựng",
];
const DENUNCIATIONS: &[&str] = &[
    "Tố cáo cán bộ địa chính nhận tiền khi làm hồ sơ",
    "Tố cáo việc thu các khoản đóng góp sai quy định",
    "Tố cáo trưởng thôn sử dụng kinh phí không công khai",
];
const RECOMMENDATIONS: &[&str] = &[
    "Kiến nghị sửa chữa đường giao thông nông thôn bị sạt lở",
    "Phản ánh ô nhiễm môi trường từ cơ sở chăn nuôi",
    "Kiến nghị hỗ trợ nước sinh hoạt mùa khô",
    "Phản ánh việc chậm chi trả trợ cấp bảo trợ xã hội",
    "Kiến nghị lắp đặt đèn chiếu sáng công cộng",
];

/// How many records of each kind to make over the range.
#[derive(Debug, Clone, Copy)]
pub struct Volume {
    pub petitions: u32,
    /// Reception by the officer, on top of the chairman's weekly and the
    /// secretary's monthly sessions.
    pub officer_sessions: u32,
    pub dialogues: u32,
    pub inspections: u32,
    pub models: u32,
}

fn name(rng: &mut StdRng) -> String {
    format!(
        "{} {} {}",
        FAMILY[rng.random_range(0..FAMILY.len())],
        MIDDLE[rng.random_range(0..MIDDLE.len())],
        GIVEN[rng.random_range(0..GIVEN.len())]
    )
}

fn day_in(rng: &mut StdRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    let mut d = from + Duration::days(rng.random_range(0..=span));
    // offices receive on working days
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && d > from {
        d -= Duration::days(1);
    }
    d
}

/// The steps of a petition received on `received`, as far as `today`.
fn steps(rng: &mut StdRng, kind: PetitionKind, received: NaiveDate, today: NaiveDate) -> Vec<Step> {
    let mut out = Vec::new();
    let roll: f64 = rng.random();
    let step = |d: NaiveDate, k: StepKind| Step { date: d, kind: k };
    let accept_after = match kind {
        PetitionKind::ToCao => rng.random_range(3..=7),
        _ => rng.random_range(2..=9),
    };
    let accepted = received + Duration::days(accept_after);
    if accepted > today {
        return out;
    }
    if roll < 0.05 {
        out.push(step(
            accepted,
            StepKind::Forwarded {
                to: "Thanh tra tỉnh".into(),
            },
        ));
        return out;
    }
    if roll < 0.09 {
        out.push(step(
            accepted,
            StepKind::Refused {
                reason: "Đơn đã được giải quyết, không có tình tiết mới".into(),
            },
        ));
        return out;
    }
    out.push(step(accepted, StepKind::Accepted));
    let verify = accepted + Duration::days(rng.random_range(3..=10));
    if verify <= today {
        out.push(step(verify, StepKind::Verification));
    }
    // about one in eight is left open past its time limit
    if roll > 0.88 {
        return out;
    }
    let limit = match kind {
        PetitionKind::KienNghi => 9,
        _ => 28,
    };
    let concluded = verify + Duration::days(rng.random_range(2..=limit.max(3)));
    if concluded <= today {
        let result = match rng.random_range(0..10) {
            0..=3 => ConclusionResult::Wrong,
            4..=6 => ConclusionResult::PartlyRight,
            _ => ConclusionResult::Right,
        };
        out.push(step(concluded, StepKind::Concluded { result }));
    }
    out
}

/// Dialogues, inspections and supervisions, models, with their details, for the
/// simple registers' own use cases.
pub type SimpleEntries = (Vec<EntryInput>, Vec<EntryInput>, Vec<EntryInput>);

/// A generator for an entry's details that leaves the caller's generator alone
/// (the figures drawn after the entries stay the same), fixed by the entry.
fn detail_rng(on: NaiveDate, k: u32) -> StdRng {
    StdRng::seed_from_u64(u64::from(on.num_days_from_ce().unsigned_abs()) * 64 + u64::from(k))
}

/// Adds a commune's records over `[from, to]` (no record after `today`) to the
/// batch.
pub fn commune(
    batch: &mut Batch,
    unit: &str,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    v: Volume,
    rng: &mut StdRng,
) -> SimpleEntries {
    let to = to.min(today);
    let mut i = 0;
    while i < v.petitions {
        let kind = match rng.random_range(0..10) {
            0..=3 => PetitionKind::KhieuNai,
            4 => PetitionKind::ToCao,
            _ => PetitionKind::KienNghi,
        };
        let received = day_in(rng, from, to);
        let pool = match kind {
            PetitionKind::KhieuNai => COMPLAINTS,
            PetitionKind::ToCao => DENUNCIATIONS,
            PetitionKind::KienNghi => RECOMMENDATIONS,
        };
        let summary = pool[rng.random_range(0..pool.len())].to_string();
        let petitioners: Vec<String> = if rng.random_range(0..10) == 0 {
            (0..rng.random_range(2..6)).map(|_| name(rng)).collect()
        } else {
            vec![name(rng)]
        };
        let channel = match rng.random_range(0..20) {
            0..=9 => Channel::Direct,
            10..=13 => Channel::Post,
            14..=16 => Channel::Reception,
            17..=18 => Channel::Online,
            _ => Channel::Forwarded,
        };
        let record = |received: NaiveDate, steps: Vec<Step>, case: Option<usize>| PetitionRecord {
            unit: unit.to_string(),
            kind,
            channel,
            received_on: received,
            petitioners: petitioners.clone(),
            summary: summary.clone(),
            content: String::new(),
            forwarded_from: if channel == Channel::Forwarded {
                "Ban Tiếp công dân tỉnh".into()
            } else {
                String::new()
            },
            remote: false,
            complexity: Complexity::Normal,
            steps,
            case,
        };
        let first_steps = steps(rng, kind, received, today);
        // one in ten is sent again by the same people: one case of two petitions
        let again = received + Duration::days(rng.random_range(5..25));
        if i + 1 < v.petitions && rng.random_range(0..10) == 0 && again <= to {
            batch.cases.push(CaseRecord {
                unit: unit.to_string(),
                title: summary.clone(),
            });
            let k = batch.cases.len() - 1;
            batch.petitions.push(record(received, first_steps, Some(k)));
            let second = steps(rng, kind, again, today);
            batch.petitions.push(record(again, second, Some(k)));
            i += 2;
        } else {
            batch.petitions.push(record(received, first_steps, None));
            i += 1;
        }
    }
    // reception: the chairman weekly (Thursday), the secretary monthly (the 15th
    // or the working day before), the officer on other days
    let session = |batch: &mut Batch, d: NaiveDate, who: Receiver, rng: &mut StdRng| {
        let turns = rng.random_range(1..=4);
        let delegation = u32::from(rng.random_range(0..40) == 0);
        batch.sessions.push(SessionRecord {
            unit: unit.to_string(),
            held_on: d,
            receiver: who,
            receiver_name: match who {
                Receiver::Chairman => "Chủ tịch UBND xã".into(),
                Receiver::PartySecretary => "Bí thư Đảng ủy xã".into(),
                _ => "Công chức tiếp công dân".into(),
            },
            turns,
            people: turns + rng.random_range(0..3) + delegation * 12,
            delegations: delegation,
            note: String::new(),
        });
    };
    let mut d = from;
    while d <= to {
        if d.weekday() == Weekday::Thu {
            session(batch, d, Receiver::Chairman, rng);
        }
        if d.day() == 15 {
            let mut s = d;
            while matches!(s.weekday(), Weekday::Sat | Weekday::Sun) {
                s -= Duration::days(1);
            }
            if s >= from {
                session(batch, s, Receiver::PartySecretary, rng);
            }
        }
        d += Duration::days(1);
    }
    for _ in 0..v.officer_sessions {
        let d = day_in(rng, from, to);
        session(batch, d, Receiver::Officer, rng);
    }
    let topics = [
        "Đối thoại về bồi thường, hỗ trợ tái định cư dự án đường tỉnh",
        "Đối thoại với hộ dân về quy hoạch khu dân cư",
        "Đối thoại với đoàn viên thanh niên về việc làm",
        "Đối thoại với người dân về thực hiện dân chủ ở cơ sở",
    ];
    let leaders = [
        "Chủ tịch UBND xã",
        "Bí thư Đảng ủy xã",
        "Phó Chủ tịch UBND xã",
        "Chủ tịch Ủy ban MTTQ Việt Nam xã",
    ];
    let dialogues = (0..v.dialogues)
        .map(|k| {
            let on = day_in(rng, from, to);
            let title = topics[k as usize % topics.len()].to_string();
            let number = rng.random_range(30..150);
            let mut r = detail_rng(on, k);
            let raised = r.random_range(3..13);
            EntryInput {
                on,
                title,
                number,
                leader_name: name(&mut r),
                leader_position: leaders[r.random_range(0..leaders.len())].to_string(),
                issues_raised: raised,
                issues_answered: raised - r.random_range(0..3u32).min(raised),
                ..Default::default()
            }
        })
        .collect();
    let subjects = [
        "Kiểm tra việc công khai ngân sách xã",
        "Giám sát thi công công trình đường giao thông nông thôn",
        "Kiểm tra thực hiện quy chế dân chủ ở các thôn",
        "Giám sát việc bình xét hộ nghèo",
    ];
    // body, team, units inspected, findings (by subject)
    let inspected = [
        (
            InspectionBody::PeoplesInspection,
            "Ban Thanh tra nhân dân xã",
            "Bộ phận tài chính – kế toán UBND xã",
            "Ngân sách đã công khai đúng hạn tại trụ sở; chưa niêm yết ở nhà văn hóa hai thôn",
        ),
        (
            InspectionBody::CommunityInvestment,
            "Ban Giám sát đầu tư của cộng đồng xã",
            "Ban Quản lý dự án xã; đơn vị thi công",
            "Lớp đá dăm một đoạn dài khoảng 120 m mỏng hơn thiết kế; rãnh thoát nước chưa hoàn thiện",
        ),
        (
            InspectionBody::Committee,
            "Đoàn kiểm tra của Ban Chỉ đạo thực hiện dân chủ ở cơ sở xã",
            "Các thôn 2, 4 và 6",
            "Các thôn họp bàn công khai; hai thôn chưa lập biên bản hội nghị thôn đầy đủ",
        ),
        (
            InspectionBody::Front,
            "Đoàn giám sát của Ủy ban MTTQ Việt Nam xã",
            "Hội đồng bình xét hộ nghèo; trưởng các thôn",
            "Bình xét đúng quy trình; một hộ đủ điều kiện chưa được đưa vào danh sách",
        ),
    ];
    let inspections = (0..v.inspections)
        .map(|k| {
            let on = day_in(rng, from, to);
            let i = k as usize % subjects.len();
            let (body, team, units, findings) = inspected[i % inspected.len()];
            let mut r = detail_rng(on, k);
            let made = r.random_range(1..6);
            EntryInput {
                on,
                title: subjects[i].to_string(),
                kind: Some(if k % 2 == 0 {
                    InspectionKind::Inspection
                } else {
                    InspectionKind::Supervision
                }),
                body: Some(body),
                team: team.to_string(),
                inspected: units.to_string(),
                findings: findings.to_string(),
                recommendations_made: made,
                recommendations_done: made - r.random_range(0..2u32).min(made),
                ..Default::default()
            }
        })
        .collect();
    // name, field, holder
    let models = [
        (
            "Dân vận khéo trong vận động hiến đất làm đường",
            "Xây dựng nông thôn mới",
            ModelHolder::Collective,
        ),
        (
            "Chi hội phụ nữ giúp nhau thoát nghèo",
            "Giảm nghèo bền vững",
            ModelHolder::Collective,
        ),
        (
            "Tổ tự quản an ninh trật tự thôn",
            "Quốc phòng, an ninh",
            ModelHolder::Collective,
        ),
        (
            "Đoàn viên thanh niên giúp người dân dịch vụ công trực tuyến",
            "Chuyển đổi số, cải cách hành chính",
            ModelHolder::Collective,
        ),
        (
            "Nông dân sản xuất cà phê theo chuỗi liên kết",
            "Kinh tế",
            ModelHolder::Individual,
        ),
        (
            "Già làng, người có uy tín vận động bà con",
            "Văn hóa – xã hội, dân tộc",
            ModelHolder::Individual,
        ),
    ];
    let recognised = (0..v.models)
        .map(|k| {
            let on = day_in(rng, from, to);
            let (title, field, holder) = models[k as usize % models.len()];
            let mut r = detail_rng(on, k);
            let level = if r.random_range(0..5) == 0 {
                ModelLevel::Province
            } else {
                ModelLevel::Commune
            };
            let commended = r.random_range(0..3) == 0;
            EntryInput {
                on,
                title: title.to_string(),
                field: field.to_string(),
                holder: Some(holder),
                level: Some(level),
                registered_year: Some(on.year() - r.random_range(0..2)),
                commended,
                commended_by: if commended {
                    match level {
                        ModelLevel::Province => "Ban Dân vận Tỉnh ủy".to_string(),
                        _ => "Ban Thường vụ Đảng ủy xã".to_string(),
                    }
                } else {
                    String::new()
                },
                ..Default::default()
            }
        })
        .collect();
    (dialogues, inspections, recognised)
}
