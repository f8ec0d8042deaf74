//! The demo province: a 2024 tree with districts succeeded by the 2025 two-level
//! tree (`demo/units.csv`), a closed 2025 six-month round in the old tree, a closed
//! 2025 annual round and an open 2026 six-month round with every status, and one
//! user per role.

use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use qcdc_core::access::Role;
use qcdc_core::period::Period;
use qcdc_core::unit::{self, UnitKind};
use qcdc_store::{DraftChange, NewRound, RecipientSelector, Store};

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
        .and_hms_opt(2, 30, 0)
        .expect("valid time")
        .and_utc()
}

/// Creates the demo data unless the demo province exists already.
pub async fn ensure(store: &Store) -> Result<()> {
    if store.unit(PROVINCE).await.is_ok() {
        outln!("Dữ liệu demo đã có sẵn.");
        print_users();
        return Ok(());
    }
    store.import_units(unit::parse_csv(UNITS)?, ACTOR).await?;
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
        title: title.into(),
        template: "qcdc-dinh-ky".into(),
        template_version: None,
        period: period.parse::<Period>().expect("fixed period"),
        issuer: PROVINCE.into(),
        deadline: date(deadline),
        letter: "Thực hiện Chương trình công tác năm của Ban Chỉ đạo tỉnh, đề nghị các đơn vị báo cáo kết quả xây dựng và thực hiện quy chế dân chủ ở cơ sở theo đề cương gửi kèm.".into(),
        recipients: RecipientSelector { kinds: kinds.clone(), max_depth: None, units: vec![] },
    }
    };

    // 2025, first half: the old tree, everything accepted, a few late
    let r1 = store
        .create_round(
            &new_round(
                "Báo cáo kết quả thực hiện QCDC ở cơ sở 6 tháng đầu năm 2025",
                "2025-H1",
                "20/06/2025",
            ),
            ACTOR,
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
    store.set_round_status(r1.id, false, ACTOR).await?;

    // 2025, whole year: the new tree, two reports never came
    let r2 = store
        .create_round(
            &new_round(
                "Báo cáo kết quả thực hiện QCDC ở cơ sở năm 2025",
                "2025-Y",
                "20/12/2025",
            ),
            ACTOR,
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
    store.set_round_status(r2.id, false, ACTOR).await?;

    // 2026, first half: open, every status present
    let r3 = store
        .create_round(
            &new_round(
                "Báo cáo kết quả thực hiện QCDC ở cơ sở 6 tháng đầu năm 2026",
                "2026-H1",
                "20/06/2026",
            ),
            ACTOR,
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
        store
            .create_user(u, name, p, &[(*role, unit.to_string())], ACTOR)
            .await?;
    }
    outln!(
        "Đã tạo dữ liệu demo: tỉnh Lâm Viên ({} đơn vị), 3 đợt báo cáo (#{}, #{}, #{}).",
        store.all_units().await?.len(),
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
    store: &Store,
    fig: &mut Figures<'_>,
    round: &qcdc_store::RoundInfo,
    scale: f64,
    outcome: impl Fn(usize) -> Outcome,
) -> Result<()> {
    let t = store.template(round.template_id).await?;
    let status = store.round_status(round.id, None, round.deadline).await?;
    for (i, r) in status.recipients.iter().enumerate() {
        let o = outcome(i);
        if matches!(o, Outcome::Missing) {
            continue;
        }
        let values = fig.report(&t, r.kind, scale)?;
        let sections = fig.narrative(&t, &r.unit_name, &round.period_label);
        let change = DraftChange {
            values: values.into_iter().map(|(k, v)| (k, Some(v))).collect(),
            sections: sections.into_iter().map(|(k, v)| (k, Some(v))).collect(),
        };
        store
            .save_draft(
                round.id,
                &r.unit_code,
                &change,
                &format!("canbo:{}", r.unit_code),
            )
            .await?;
        match o {
            Outcome::Accepted(days) => {
                store
                    .submit(
                        round.id,
                        &r.unit_code,
                        &format!("canbo:{}", r.unit_code),
                        at(round.deadline, days),
                    )
                    .await?;
                store.accept(round.id, &r.unit_code, "thuongtruc").await?;
            }
            Outcome::Submitted(days) => {
                store
                    .submit(
                        round.id,
                        &r.unit_code,
                        &format!("canbo:{}", r.unit_code),
                        at(round.deadline, days),
                    )
                    .await?;
            }
            Outcome::Returned => {
                store
                    .submit(
                        round.id,
                        &r.unit_code,
                        &format!("canbo:{}", r.unit_code),
                        at(round.deadline, 1),
                    )
                    .await?;
                store.return_submission(round.id, &r.unit_code, "Đề nghị bổ sung số liệu đối thoại trực tiếp và làm rõ kết quả giải quyết đơn thư tồn đọng.", "thuongtruc").await?;
            }
            Outcome::Draft | Outcome::Missing => {}
        }
    }
    Ok(())
}
