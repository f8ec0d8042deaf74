//! The demo province: a 2024 tree with districts succeeded by the 2025 two-level
//! tree (`demo/units.csv`) and four rounds placed relative to today: the current
//! six-month or annual period open with every status (a draft with an error to
//! fix for the demo commune, reports waiting for review, one returned), the
//! period before it still open with overdue units to remind, and the two before
//! that closed (the same period last year, for the comparison across the 2025
//! succession links). One user per role.

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

use crate::figures::{DEFAULT_PROFILE, Figures, Profile};

const UNITS: &str = include_str!("../../../demo/units.csv");
const PROVINCE: &str = "LV";
/// The central steering committee above the province (its rounds go to the province).
const CENTRE: &str = "TW";
const ACTOR: &str = "demo";

/// Demo accounts: (username, password, full name, role, unit).
pub const USERS: &[(&str, &str, &str, Role, &str)] = &[
    (
        "admin",
        "qcdc-admin-2026",
        "Quản trị hệ thống",
        Role::Admin,
        CENTRE,
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
    let today = store.today();
    let now = Utc::now();
    let letter = "Thực hiện Chương trình công tác năm của Ban Chỉ đạo tỉnh, đề nghị các đơn vị báo cáo kết quả xây dựng và thực hiện quy chế dân chủ ở cơ sở theo đề cương gửi kèm.";
    let new_round = |title: String, period: Period, deadline: NaiveDate| NewRound {
        confirm: true,
        title,
        template: "qcdc-dinh-ky".into(),
        template_version: None,
        period,
        issuer: PROVINCE.into(),
        deadline,
        letter: letter.into(),
        recipients: RecipientSelector {
            kinds: kinds.clone(),
            max_depth: None,
            units: vec![],
        },
    };
    let periods = demo_periods(today);
    let [p_oldest, p_last_year, p_previous, p_current] = periods;
    let title = |p: Period| format!("Báo cáo kết quả thực hiện QCDC ở cơ sở {}", p.label_vi());
    let legal_deadline = |p: Period| p.earliest_deadline() + Duration::days(5);
    let scale = |p: Period| if p.family() == "year" { 2.0 } else { 1.0 };

    // two closed periods: everything accepted but a few late, then two never came
    let mut ids = Vec::new();
    for (n, p) in [p_oldest, p_last_year].into_iter().enumerate() {
        let deadline = legal_deadline(p);
        let r = rounds::create(
            &cx,
            &new_round(title(p), p, deadline),
            deadline - Duration::days(25),
        )
        .await?;
        fill(store, &mut fig, &r, scale(p), now, |i, _| match (n, i) {
            (1, 5 | 17) => Outcome::Missing,
            (_, i) if i % 9 == 4 => Outcome::Accepted(-3),
            (_, i) => Outcome::Accepted(2 + (i % 5) as i64),
        })
        .await?;
        rounds::set_state(&cx, r.id, RoundState::Closed).await?;
        ids.push(r.id);
    }

    // the period before the current one: still open, its deadline passed, a few
    // units have not sent (overdue: to remind)
    let deadline = legal_deadline(p_previous).min(today - Duration::days(1));
    let r = rounds::create(
        &cx,
        &new_round(title(p_previous), p_previous, deadline),
        deadline - Duration::days(25),
    )
    .await?;
    fill(store, &mut fig, &r, scale(p_previous), now, |i, _| {
        match i % 13 {
            3 => Outcome::Missing,
            8 => Outcome::Draft,
            5 | 11 => Outcome::Accepted(-2),
            _ => Outcome::Accepted(1 + (i % 4) as i64),
        }
    })
    .await?;
    ids.push(r.id);

    // the current period: open, every status present; the demo commune's draft
    // carries an error to fix (a part larger than its whole)
    let deadline = legal_deadline(p_current).max(today + Duration::days(7));
    let r = rounds::create(
        &cx,
        &new_round(title(p_current), p_current, deadline),
        today - Duration::days(10),
    )
    .await?;
    fill(store, &mut fig, &r, scale(p_current), now, |i, code| {
        if code == "LV-XDR01" {
            return Outcome::DraftWithError;
        }
        match i % 10 {
            0..=2 => Outcome::Accepted(1 + (i % 3) as i64),
            3 | 4 => Outcome::Submitted(2),
            5 => Outcome::Submitted(1),
            6 => Outcome::Returned,
            7 => Outcome::Draft,
            _ => Outcome::Missing,
        }
    })
    .await?;
    ids.push(r.id);

    // the central committee asks the province for the previous period: the
    // office adopts its consolidated totals (and its edited narrative) as the
    // province's own report upward
    let r = rounds::create(
        &cx,
        &NewRound {
            confirm: true,
            title: format!(
                "Báo cáo kết quả thực hiện QCDC ở cơ sở {} (Ban Chỉ đạo Trung ương)",
                p_previous.label_vi()
            ),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: p_previous,
            issuer: CENTRE.into(),
            deadline: today + Duration::days(14),
            letter: "Ban Chỉ đạo Trung ương đề nghị Ban Chỉ đạo các tỉnh, thành phố tổng hợp, báo cáo kết quả thực hiện quy chế dân chủ ở cơ sở theo đề cương gửi kèm.".into(),
            recipients: RecipientSelector {
                kinds: vec![],
                max_depth: None,
                units: vec![PROVINCE.into()],
            },
        },
        today - Duration::days(5),
    )
    .await?;
    ids.push(r.id);

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
        "Đã tạo dữ liệu demo: tỉnh Lâm Viên ({} đơn vị), {} đợt báo cáo của tỉnh ({}) và 1 đợt của Ban Chỉ đạo Trung ương ({}).",
        units::all(&cx, &Default::default()).await?.len(),
        periods.len(),
        periods
            .iter()
            .map(|p| p.label_vi())
            .collect::<Vec<_>>()
            .join(", "),
        p_previous.label_vi()
    );
    print_users();
    Ok(())
}

/// The reporting period under way on `today` (the year's report from July, the
/// first half before) and the three before it, oldest first.
pub fn demo_periods(today: NaiveDate) -> [Period; 4] {
    use chrono::Datelike;
    use qcdc_core::period::PeriodKind::{FirstHalf, Year};
    let y = today.year();
    if today.month() >= 7 {
        [
            Period::new(y - 1, FirstHalf),
            Period::new(y - 1, Year),
            Period::new(y, FirstHalf),
            Period::new(y, Year),
        ]
    } else {
        [
            Period::new(y - 2, Year),
            Period::new(y - 1, FirstHalf),
            Period::new(y - 1, Year),
            Period::new(y, FirstHalf),
        ]
    }
}

/// What becomes of one recipient's report; numbers are days before the deadline
/// it was sent (negative: late).
enum Outcome {
    Accepted(i64),
    Submitted(i64),
    Returned,
    Draft,
    /// A draft with a figure that breaks a rule of the form.
    DraftWithError,
    Missing,
}

async fn fill(
    store: &App,
    fig: &mut Figures<'_>,
    round: &RoundView,
    scale: f64,
    now: DateTime<Utc>,
    outcome: impl Fn(usize, &str) -> Outcome,
) -> Result<()> {
    let cx = store.system(ACTOR);
    let t = submissions::template_of(&cx, round.id).await?;
    for (i, (_, unit_code, unit_name, kind)) in maintenance::recipients(&cx, round.id)
        .await?
        .into_iter()
        .enumerate()
    {
        let o = outcome(i, &unit_code);
        // nothing is sent in the future: an open round's reports went in before now
        let sent =
            |days: i64| at(round.deadline, days).min(now - Duration::hours(3 + i as i64 % 40));
        if matches!(o, Outcome::Missing) {
            continue;
        }
        let reporter = store.system(format!("canbo:{unit_code}"));
        let office = store.system("thuongtruc");
        let mut values = fig.report(&t, kind, scale)?;
        // only what the unit's kind reports
        values.retain(|code, _| t.indicator(code).is_some_and(|ind| t.applies(ind, kind)));
        if matches!(o, Outcome::DraftWithError)
            && let Some(total) = values.get("vb_tong").copied()
        {
            values.insert("vb_cap_uy".into(), total + 3_000);
        }
        let sections = fig.narrative(&t, kind, &unit_name, round.period, &values);
        let change = DraftChange {
            values: values.into_iter().map(|(k, v)| (k, Some(v))).collect(),
            sections: sections.into_iter().map(|(k, v)| (k, Some(v))).collect(),
            reasons: Default::default(),
        };
        submissions::save_draft(&reporter, round.id, &unit_code, &change).await?;
        match o {
            Outcome::Accepted(days) => {
                submissions::submit(&reporter, round.id, &unit_code, sent(days)).await?;
                submissions::accept(&office, round.id, &unit_code).await?;
            }
            Outcome::Submitted(days) => {
                submissions::submit(&reporter, round.id, &unit_code, sent(days)).await?;
            }
            Outcome::Returned => {
                submissions::submit(&reporter, round.id, &unit_code, sent(1)).await?;
                submissions::return_report(&office, round.id, &unit_code, "Đề nghị bổ sung số liệu đối thoại trực tiếp và làm rõ kết quả giải quyết đơn thư tồn đọng.").await?;
            }
            Outcome::Draft | Outcome::DraftWithError | Outcome::Missing => {}
        }
    }
    Ok(())
}
