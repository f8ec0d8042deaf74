//! The demo province: a 2024 tree with districts succeeded by the 2025 two-level
//! tree (`demo/units.csv`), a closed 2025 six-month round in the old tree, a closed
//! 2025 annual round and an open 2026 six-month round with every status, and one
//! user per role.

use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::submissions::{self, DraftChange};
use qcdc_app::views::RoundView;
use qcdc_app::{App, maintenance, rounds, units, users};
use qcdc_core::access::Role;
use qcdc_core::period::Period;
use qcdc_core::round::RoundState;
use qcdc_core::unit::{self, UnitKind};

use crate::cli::date;
use crate::figures::{DEFAULT_PROFILE, Figures, Profile};

const UNITS: &str = include_str!("../../../demo/units.csv");
const PROVINCE: &str = "LV";
const ACTOR: &str = "demo";

/// Demo accounts: (username, password, full name, role, unit).
pub const USERS: &[(&str, &str, &str, Role, &str)] = &[
    (
        "admin",
        "qcdc-admin-2026",
        "Quản trị hệ thống",
        Role::Admin,
        PROVINCE,
    ),
    (
        "thuongtruc",
        "qcdc-office-2026",
        "Trần Thị Thu — Ban Tuyên giáo và Dân vận Tỉnh ủy",
        Role::Office,
        PROVINCE,
    ),
    (
        "lanhdao",
        "qcdc-viewer-2026",
        "Nguyễn Văn Hùng — Trưởng Ban Chỉ đạo",
        Role::Viewer,
        PROVINCE,
    ),
    (
        "canbo.damrong1",
        "qcdc-reporter-2026",
        "K' Thị Lan — cán bộ xã Đam Rông 1",
        Role::Reporter,
        "LV-XDR01",
    ),
    (
        "canbo.sonoivu",
        "qcdc-reporter-2026",
        "Lê Minh — Sở Nội vụ",
        Role::Reporter,
        "LV-S02",
    ),
];

fn print_users() {
    outln!("Tài khoản demo (vai trò trên đơn vị):");
    for (u, p, name, role, unit) in USERS {
        outln!(
            "  {u:<16} mật khẩu {p:<20} {:<9} {unit:<10} {name}",
            role.as_str()
        );
    }
}

fn at(d: NaiveDate, days_before: i64) -> DateTime<Utc> {
    (d - Duration::days(days_before))
        .and_time(chrono::NaiveTime::from_hms_opt(2, 30, 0).unwrap_or_default())
        .and_utc()
}

/// Creates the demo data unless the demo province exists already.
pub async fn ensure(store: &App) -> Result<()> {
    let cx = store.system(ACTOR);
    if units::get(&cx, PROVINCE).await.is_ok() {
        outln!("Dữ liệu demo đã có sẵn.");
        print_users();
        return Ok(());
    }
    units::import(&cx, unit::parse_csv(UNITS)?).await?;
    let profile = Profile::load(DEFAULT_PROFILE)?;
    let mut fig = Figures::new(&profile, 2026)?;
    let kinds = vec![
        UnitKind::Commune,
        UnitKind::Ward,
        UnitKind::Township,
        UnitKind::Agency,
        UnitKind::PublicService,
        UnitKind::Enterprise,
        UnitKind::MassOrg,
    ];
    let new_round = |title: &str, period: &str, deadline: &str| {
        NewRound {
        confirm: true,
        title: title.into(),
        template: "qcdc-dinh-ky".into(),
        template_version: None,
        period: period.parse::<Period>().unwrap_or(Period::new(2026, qcdc_core::period::PeriodKind::FirstHalf)),
        issuer: PROVINCE.into(),
        deadline: date(deadline),
        letter: "Thực hiện Chương trình công tác năm của Ban Chỉ đạo tỉnh, đề nghị các đơn vị báo cáo kết quả xây dựng và thực hiện quy chế dân chủ ở cơ sở theo đề cương gửi kèm.".into(),
        recipients: RecipientSelector { kinds: kinds.clone(), max_depth: None, units: vec![] },
    }
    };

    // 2025, first half: the old tree, everything accepted, a few late
    let r1 = rounds::create(
        &cx,
        &new_round(
            "Báo cáo kết quả thực hiện QCDC ở cơ sở 6 tháng đầu năm 2025",
            "2025-H1",
            "20/06/2025",
        ),
        date("26/05/2025"),
    )
    .await?;
    fill(store, &mut fig, &r1, 1.0, |i| {
        if i % 9 == 4 {
            Outcome::Accepted(-3)
        } else {
            Outcome::Accepted(2 + (i % 5) as i64)
        }
    })
    .await?;
    rounds::set_state(&cx, r1.id, RoundState::Closed).await?;

    // 2025, whole year: the new tree, two reports never came
    let r2 = rounds::create(
        &cx,
        &new_round(
            "Báo cáo kết quả thực hiện QCDC ở cơ sở năm 2025",
            "2025-Y",
            "20/12/2025",
        ),
        date("25/11/2025"),
    )
    .await?;
    fill(store, &mut fig, &r2, 2.0, |i| {
        if i == 5 || i == 17 {
            Outcome::Missing
        } else if i % 7 == 3 {
            Outcome::Accepted(-2)
        } else {
            Outcome::Accepted(1 + (i % 4) as i64)
        }
    })
    .await?;
    rounds::set_state(&cx, r2.id, RoundState::Closed).await?;

    // 2026, first half: open, every status present
    let r3 = rounds::create(
        &cx,
        &new_round(
            "Báo cáo kết quả thực hiện QCDC ở cơ sở 6 tháng đầu năm 2026",
            "2026-H1",
            "20/06/2026",
        ),
        date("25/05/2026"),
    )
    .await?;
    fill(store, &mut fig, &r3, 1.0, |i| match i % 10 {
        0..=3 => Outcome::Accepted(1 + (i % 3) as i64),
        4 => Outcome::Accepted(-4),
        5 => Outcome::Submitted(2),
        6 => Outcome::Submitted(-6),
        7 => Outcome::Returned,
        8 => Outcome::Draft,
        _ => Outcome::Missing,
    })
    .await?;

    for (u, p, name, role, unit) in USERS {
        users::create(
            &cx,
            &users::NewUser {
                username: (*u).into(),
                full_name: (*name).into(),
                password: (*p).into(),
                roles: vec![(*role, unit.to_string())],
            },
        )
        .await?;
    }
    outln!(
        "Đã tạo dữ liệu demo: tỉnh Lâm Viên ({} đơn vị), 3 đợt báo cáo (#{}, #{}, #{}).",
        units::all(&cx, &Default::default()).await?.len(),
        r1.id,
        r2.id,
        r3.id
    );
    print_users();
    Ok(())
}

/// What becomes of one recipient's report; numbers are days before the deadline
/// it was sent (negative: late).
enum Outcome {
    Accepted(i64),
    Submitted(i64),
    Returned,
    Draft,
    Missing,
}

async fn fill(
    store: &App,
    fig: &mut Figures<'_>,
    round: &RoundView,
    scale: f64,
    outcome: impl Fn(usize) -> Outcome,
) -> Result<()> {
    let cx = store.system(ACTOR);
    let t = submissions::template_of(&cx, round.id).await?;
    for (i, (_, unit_code, unit_name, kind)) in maintenance::recipients(&cx, round.id)
        .await?
        .into_iter()
        .enumerate()
    {
        let o = outcome(i);
        if matches!(o, Outcome::Missing) {
            continue;
        }
        let reporter = store.system(format!("canbo:{unit_code}"));
        let office = store.system("thuongtruc");
        let values = fig.report(&t, kind, scale)?;
        let sections = fig.narrative(&t, &unit_name, &round.period_label);
        let change = DraftChange {
            values: values.into_iter().map(|(k, v)| (k, Some(v))).collect(),
            sections: sections.into_iter().map(|(k, v)| (k, Some(v))).collect(),
        };
        submissions::save_draft(&reporter, round.id, &unit_code, &change).await?;
        match o {
            Outcome::Accepted(days) => {
                submissions::submit(&reporter, round.id, &unit_code, at(round.deadline, days))
                    .await?;
                submissions::accept(&office, round.id, &unit_code).await?;
            }
            Outcome::Submitted(days) => {
                submissions::submit(&reporter, round.id, &unit_code, at(round.deadline, days))
                    .await?;
            }
            Outcome::Returned => {
                submissions::submit(&reporter, round.id, &unit_code, at(round.deadline, 1)).await?;
                submissions::return_report(&office, round.id, &unit_code, "Đề nghị bổ sung số liệu đối thoại trực tiếp và làm rõ kết quả giải quyết đơn thư tồn đọng.").await?;
            }
            Outcome::Draft | Outcome::Missing => {}
        }
    }
    Ok(())
}
