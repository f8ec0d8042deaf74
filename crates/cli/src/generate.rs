//! `qcdc gen`: a national-scale dataset (34 provinces, 3.321 communes, ~30.000
//! units) with one round in which every report is accepted; with `--registers`,
//! a year of registers for every commune (about 2 million petitions and 500
//! thousand reception sessions).

use std::time::Instant;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use qcdc_app::rounds::{self, NewRound, RecipientSelector};
use qcdc_app::{App, maintenance, submissions, units};
use qcdc_core::unit::{UnitKind, UnitRecord};
use qcdc_core::validate::Narrative;

use crate::cli::{Scale, date};
use crate::figures::{DEFAULT_PROFILE, Figures, Profile};

struct Shape {
    provinces: usize,
    communes: usize,
    agencies: usize,
    services_per_agency: usize,
    enterprises: usize,
    mass_orgs: usize,
}

fn shape(scale: Scale) -> Shape {
    match scale {
        Scale::National => Shape {
            provinces: 34,
            communes: 3321,
            agencies: 20,
            services_per_agency: 10,
            enterprises: 400,
            mass_orgs: 164,
        },
        Scale::Province => Shape {
            provinces: 1,
            communes: 100,
            agencies: 20,
            services_per_agency: 5,
            enterprises: 100,
            mass_orgs: 20,
        },
    }
}

/// The unit records of a generated country.
fn units(s: &Shape) -> Vec<(usize, UnitRecord)> {
    let from: NaiveDate = date("01/07/2025");
    let mut out = Vec::new();
    let mut push = |code: String, name: String, kind: UnitKind, parent: Option<String>| {
        let line = out.len() + 2;
        out.push((
            line,
            UnitRecord {
                code,
                name,
                kind,
                parent,
                valid_from: from,
                valid_to: None,
                predecessors: vec![],
                succession: None,
            },
        ));
    };
    push(
        "TW".into(),
        "Ban Chỉ đạo Trung ương".into(),
        UnitKind::Central,
        None,
    );
    let mut commune_no = 0;
    for p in 0..s.provinces {
        let pc = format!("P{:02}", p + 1);
        push(
            pc.clone(),
            format!("Tỉnh số {}", p + 1),
            UnitKind::Province,
            Some("TW".into()),
        );
        let n = s.communes / s.provinces + usize::from(p < s.communes % s.provinces);
        for c in 0..n {
            commune_no += 1;
            // 13 special zones in the country, about a third wards
            let kind = if commune_no % 255 == 0 {
                UnitKind::SpecialZone
            } else if c % 3 == 0 {
                UnitKind::Ward
            } else {
                UnitKind::Commune
            };
            let label = match kind {
                UnitKind::Ward => "Phường",
                UnitKind::SpecialZone => "Đặc khu",
                _ => "Xã",
            };
            push(
                format!("{pc}-X{:03}", c + 1),
                format!("{label} {} tỉnh {}", c + 1, p + 1),
                kind,
                Some(pc.clone()),
            );
        }
        for a in 0..s.agencies {
            let ac = format!("{pc}-S{:02}", a + 1);
            push(
                ac.clone(),
                format!("Sở {} tỉnh {}", a + 1, p + 1),
                UnitKind::Agency,
                Some(pc.clone()),
            );
            for v in 0..s.services_per_agency {
                push(
                    format!("{ac}-{:02}", v + 1),
                    format!("Đơn vị sự nghiệp {}.{} tỉnh {}", a + 1, v + 1, p + 1),
                    UnitKind::PublicService,
                    Some(ac.clone()),
                );
            }
        }
        for e in 0..s.enterprises {
            push(
                format!("{pc}-DN{:03}", e + 1),
                format!("Doanh nghiệp {} tỉnh {}", e + 1, p + 1),
                UnitKind::Enterprise,
                Some(pc.clone()),
            );
        }
        for m in 0..s.mass_orgs {
            push(
                format!("{pc}-MT{:03}", m + 1),
                format!("Tổ chức {} tỉnh {}", m + 1, p + 1),
                UnitKind::MassOrg,
                Some(pc.clone()),
            );
        }
    }
    out
}

pub async fn generate(store: &App, scale: Scale, registers: bool) -> Result<()> {
    let cx = store.system("gen");
    if !maintenance::is_empty(&cx).await? {
        bail!("Cơ sở dữ liệu đã có dữ liệu; hãy dùng --data với một thư mục mới");
    }
    let s = shape(scale);
    let start = Instant::now();
    let recs = units(&s);
    let n = recs.len();
    units::import(&cx, recs).await?;
    outln!("Đơn vị: {n} ({:.1} s)", start.elapsed().as_secs_f64());
    let round = rounds::create(
        &cx,
        &NewRound {
            confirm: true,
            title: "Báo cáo kết quả thực hiện QCDC ở cơ sở 6 tháng đầu năm 2026 (toàn quốc)".into(),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: "2026-H1".parse()?,
            issuer: "TW".into(),
            deadline: date("30/06/2026"),
            letter: String::new(),
            recipients: RecipientSelector {
                kinds: vec![
                    UnitKind::Commune,
                    UnitKind::Ward,
                    UnitKind::SpecialZone,
                    UnitKind::PublicService,
                    UnitKind::Enterprise,
                    UnitKind::MassOrg,
                ],
                max_depth: None,
                units: vec![],
            },
        },
        date("01/06/2026"),
    )
    .await?;
    outln!(
        "Đợt #{}: {} đơn vị nhận ({:.1} s)",
        round.id,
        round.recipients,
        start.elapsed().as_secs_f64()
    );
    let t = submissions::template_of(&cx, round.id).await?;
    let profile = Profile::load(DEFAULT_PROFILE)?;
    let mut fig = Figures::new(&profile, 42)?;
    let recipients = maintenance::recipients(&cx, round.id).await?;
    let mut reports = Vec::with_capacity(recipients.len());
    let mut values = 0;
    for (i, (unit_id, _, _, kind)) in recipients.into_iter().enumerate() {
        let v = fig.report(&t, kind, 1.0)?;
        values += v.len();
        reports.push((unit_id, v, Narrative::new(), i % 10 != 0));
    }
    maintenance::bulk_accept(&cx, round.id, &reports).await?;
    outln!(
        "Báo cáo đã tiếp nhận: {} với {values} số liệu ({:.1} s)",
        reports.len(),
        start.elapsed().as_secs_f64()
    );
    if registers {
        let communes: Vec<String> = recs_communes(&s);
        generate_registers(store, &communes, start).await?;
    }
    Ok(())
}

/// The codes of the generated communes, wards and special zones.
fn recs_communes(s: &Shape) -> Vec<String> {
    units(s)
        .into_iter()
        .filter(|(_, u)| u.kind.is_commune_level())
        .map(|(_, u)| u.code)
        .collect()
}

/// A year of registers (to the end of the round's cut-off window, 14/06/2026)
/// for every commune: about 600 petitions with their steps and 150 reception
/// sessions each, written 25 communes per transaction.
async fn generate_registers(store: &App, communes: &[String], start: Instant) -> Result<()> {
    use rand::SeedableRng;
    let cx = store.system("gen");
    let today = store.today();
    let to = date("14/06/2026");
    let from = date("15/06/2025");
    let mut rng = rand::rngs::StdRng::seed_from_u64(12);
    let volume = crate::registers_gen::Volume {
        petitions: 602,
        officer_sessions: 86,
        dialogues: 0,
        inspections: 0,
        models: 0,
    };
    let (mut petitions, mut sessions) = (0, 0);
    for chunk in communes.chunks(25) {
        let mut batch = qcdc_app::registers::bulk::Batch::default();
        for code in chunk {
            crate::registers_gen::commune(&mut batch, code, from, to, today, volume, &mut rng);
        }
        petitions += batch.petitions.len();
        sessions += batch.sessions.len();
        qcdc_app::registers::bulk::load_generated(&cx, &batch).await?;
    }
    outln!(
        "Sổ theo dõi: {petitions} đơn, {sessions} buổi tiếp công dân ở {} xã ({:.1} s)",
        communes.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
