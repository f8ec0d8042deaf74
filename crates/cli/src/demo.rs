//! The demo province: a 2024 tree with districts succeeded by the 2025 two-level
//! tree (`demo/units.csv`) and four rounds placed relative to today: the current
//! six-month or annual period open with every status (a draft with an error to
//! fix for the demo commune, reports waiting for review, one returned), the
//! period before it still open with overdue units to remind, and the two before
//! that closed (the same period last year, for the comparison across the 2025
//! succession links). One user per role. The current round is on version 3 of
//! the template: every commune keeps a year of registers (petitions with their
//! steps, reception, dialogues, inspections, models) whose counts are the
//! figures of its report.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use qcdc_app::registers::bulk::{self, Batch};
use qcdc_app::registers::prefill;
use qcdc_app::registers::simple::{self, Register};
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::submissions::{self, DraftChange};
use qcdc_app::views::RoundView;
use qcdc_app::{App, maintenance, rounds, units, users};
use qcdc_core::access::Role;
use qcdc_core::number::Milli;
use qcdc_core::period::Period;
use qcdc_core::round::RoundState;
use qcdc_core::unit::{self, UnitKind};
use rand::SeedableRng;
use rand::rngs::StdRng;

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
    // the earlier rounds were issued on version 2 of the template (they keep it);
    // the current one on version 3, whose counted indicators take their figures
    // from the communes' registers
    let new_round = |title: String, period: Period, deadline: NaiveDate| NewRound {
        confirm: true,
        title,
        template: "qcdc-dinh-ky".into(),
        template_version: Some(2),
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
        fill(store, &mut fig, &r, scale(p), now, None, |i, _| {
            match (n, i) {
                (1, 5 | 17) => Outcome::Missing,
                (_, i) if i % 9 == 4 => Outcome::Accepted(-3),
                (_, i) => Outcome::Accepted(2 + (i % 5) as i64),
            }
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
    fill(
        store,
        &mut fig,
        &r,
        scale(p_previous),
        now,
        None,
        |i, _| match i % 13 {
            3 => Outcome::Missing,
            8 => Outcome::Draft,
            5 | 11 => Outcome::Accepted(-2),
            _ => Outcome::Accepted(1 + (i % 4) as i64),
        },
    )
    .await?;
    ids.push(r.id);

    // the current period: open, every status present; the demo commune's draft
    // carries an error to fix (a part larger than its whole)
    let deadline = legal_deadline(p_current).max(today + Duration::days(7));
    let r = rounds::create(
        &cx,
        &NewRound {
            template_version: None,
            ..new_round(title(p_current), p_current, deadline)
        },
        today - Duration::days(10),
    )
    .await?;
    let mut rng = StdRng::seed_from_u64(2026);
    fill(
        store,
        &mut fig,
        &r,
        scale(p_current),
        now,
        Some(&mut rng),
        |i, code| {
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
        },
    )
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
            template_version: Some(2),
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

/// A year of register records for a commune (up to yesterday, not before the
/// 2025 tree), sized on the figures drawn for its report; the report's counted
/// indicators then take exactly the registers' counts (the form offers the same
/// numbers), and the figures that depend on them are brought in line.
async fn keep_registers(
    store: &App,
    round: &RoundView,
    t: &qcdc_core::template::Template,
    unit_code: &str,
    values: &mut BTreeMap<String, Milli>,
    rng: &mut StdRng,
) -> Result<()> {
    let cx = store.system(ACTOR);
    let today = store.today();
    let (_, to) = round.period.cutoff();
    let end = to.min(today - Duration::days(1));
    let start = (end - Duration::days(364)).max(date(2025, 7, 1));
    let n = |code: &str, lo: u32, hi: u32, default: u32| {
        values
            .get(code)
            .map_or(default, |v| u32::try_from(*v / 1000).unwrap_or(default))
            .clamp(lo, hi)
    };
    let volume = crate::registers_gen::Volume {
        petitions: n("dt_tiep_nhan", 4, 120, 20),
        officer_sessions: 30,
        dialogues: n("dth_cuoc", 1, 8, 2),
        inspections: n("kt_so_doan", 1, 8, 2),
        models: n("dvk_mo_hinh", 1, 8, 3),
    };
    let mut batch = Batch::default();
    let (dialogues, inspections, models) =
        crate::registers_gen::commune(&mut batch, unit_code, start, end, today, volume, rng);
    bulk::load_generated(&cx, &batch).await?;
    for (which, entries) in [
        (Register::Dialogues, dialogues),
        (Register::Inspections, inspections),
        (Register::Models, models),
    ] {
        for e in entries {
            simple::record(&cx, which, unit_code, &e).await?;
        }
    }
    let counted = prefill::for_round(&cx, round.id, unit_code).await?;
    for item in counted.items {
        values.insert(item.indicator, item.value * 1000);
    }
    // the parts and companions of the counted figures
    let get =
        |values: &BTreeMap<String, Milli>, c: &str| values.get(c).copied().unwrap_or(0) / 1000;
    let set = |values: &mut BTreeMap<String, Milli>, c: &str, v: i64| {
        if values.contains_key(c) {
            values.insert(c.to_string(), v * 1000);
        }
    };
    let turns = get(values, "tcd_luot");
    set(values, "tcd_dinh_ky", turns * 3 / 5);
    set(values, "tcd_dot_xuat", turns - turns * 3 / 5);
    let received = get(values, "dt_tiep_nhan");
    let resolved = get(values, "dt_da_giai_quyet");
    let in_jurisdiction = resolved.max(get(values, "dt_thuoc_tham_quyen").min(received));
    set(values, "dt_thuoc_tham_quyen", in_jurisdiction);
    set(values, "dt_vu_cu", in_jurisdiction / 4);
    set(values, "dt_vu_moi", in_jurisdiction - in_jurisdiction / 4);
    set(
        values,
        "dt_dong_nguoi",
        get(values, "dt_dong_nguoi").min(in_jurisdiction),
    );
    // the ratio over them is left for the form to compute
    values.remove("dt_ty_le_giai_quyet");
    // a part never exceeds its whole (e.g. dialogues chaired by the chairman)
    for i in t.indicators() {
        if let Some(whole) = i.part_of.as_deref()
            && i.source.is_none()
            && let (Some(part), Some(w)) =
                (values.get(&i.code).copied(), values.get(whole).copied())
            && part > w
        {
            values.insert(i.code.clone(), w);
        }
    }
    let models = get(values, "dvk_mo_hinh");
    set(values, "dvk_tap_the", models - models / 2);
    set(values, "dvk_ca_nhan", models / 2);
    set(
        values,
        "dvk_khen_thuong",
        get(values, "dvk_khen_thuong").min(models),
    );
    Ok(())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
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
    mut registers: Option<&mut StdRng>,
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
        // communes keep their registers in qcdc: the counted figures are theirs
        if let Some(rng) = registers.as_deref_mut()
            && kind.is_commune_level()
        {
            keep_registers(store, round, &t, &unit_code, &mut values, rng).await?;
        }
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
