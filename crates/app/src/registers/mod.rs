//! Registers (sổ theo dõi) as use cases: citizen reception, petitions and cases,
//! dialogues, inspections and "Dân vận khéo" models, the holiday calendar, and the
//! figures a report can take from them.
//!
//! Access (`core::access::register_sight`): a unit's reporters and office record
//! in its registers and see everything; its leaders see names but not who
//! denounced; offices, leaders and admins above see counts, dates and deadlines
//! without names. Every time a denouncer's identity is shown, the audit log
//! records who saw it.
//!
//! The legal rules are the data files `data/petition-rules.toml` and
//! `data/reception-rules.toml`, compiled into the binary; the holiday calendar is
//! `data/holidays.toml` for the years an admin has not stored in the database.

pub mod bulk;
pub mod calendar;
pub mod excel;
pub mod hub;
pub mod petitions;
pub mod prefill;
pub mod reception;
pub mod simple;

use std::sync::OnceLock;

use qcdc_core::access::{RegisterSight, may_record_register, register_sight};
use qcdc_core::registers::reception::ReceptionRules;
use qcdc_core::registers::{Calendar, PetitionRules};
use qcdc_core::{CoreError, CoreResult, ErrorCode};
use qcdc_store::units_repo::{self, Unit};
use qcdc_store::{Conn, closure, registers_repo};

use crate::ctx::{Ctx, forbidden};

const HOLIDAYS: &str = include_str!("../../../../data/holidays.toml");
const PETITION_RULES: &str = include_str!("../../../../data/petition-rules.toml");
const RECEPTION_RULES: &str = include_str!("../../../../data/reception-rules.toml");

/// A data file compiled into the binary that does not load is a broken build:
/// answered as an internal error (the data files' own tests keep it from shipping).
fn shipped<T: Clone>(
    cell: &'static OnceLock<Result<T, CoreError>>,
    load: impl FnOnce() -> Result<T, CoreError>,
    what: &str,
) -> CoreResult<T> {
    cell.get_or_init(load).clone().map_err(|e| {
        CoreError::new(
            ErrorCode::Internal,
            format!("Tệp dữ liệu {what} kèm chương trình bị lỗi: {}", e.message),
        )
    })
}

/// The deadline rules of petitions.
pub fn petition_rules() -> CoreResult<PetitionRules> {
    static C: OnceLock<Result<PetitionRules, CoreError>> = OnceLock::new();
    shipped(
        &C,
        || PetitionRules::from_toml(PETITION_RULES),
        "petition-rules.toml",
    )
}

/// The frequency rules of citizen reception.
pub fn reception_rules() -> CoreResult<ReceptionRules> {
    static C: OnceLock<Result<ReceptionRules, CoreError>> = OnceLock::new();
    shipped(
        &C,
        || ReceptionRules::from_toml(RECEPTION_RULES),
        "reception-rules.toml",
    )
}

fn file_calendar() -> CoreResult<Calendar> {
    static C: OnceLock<Result<Calendar, CoreError>> = OnceLock::new();
    shipped(&C, || Calendar::from_toml(HOLIDAYS), "holidays.toml")
}

/// The working-day calendar: the years stored by an admin, and the file's for
/// the others.
pub(crate) async fn load_calendar(c: &mut Conn) -> CoreResult<Calendar> {
    let (stored_years, mut days) = registers_repo::stored_calendar(c).await?;
    let file = file_calendar()?;
    let mut years = stored_years.clone();
    for y in file.years() {
        if !stored_years.contains(&y) {
            years.push(y);
            days.extend(
                file.days()
                    .filter(|d| chrono::Datelike::year(&d.date) == y)
                    .cloned(),
            );
        }
    }
    Calendar::from_days(years, days).map_err(|e| {
        CoreError::new(
            ErrorCode::Internal,
            format!("Lịch ngày nghỉ đã lưu không hợp lệ: {}", e.message),
        )
    })
}

/// Refuses unless the actor sees at least the counts of the unit's registers;
/// returns the unit and what the actor sees.
pub(crate) async fn require_sight(
    cx: &Ctx,
    c: &mut Conn,
    unit_code: &str,
) -> CoreResult<(Unit, RegisterSight)> {
    let unit = units_repo::by_code(c, unit_code).await?;
    let lineage = units_repo::lineage(c, unit.id).await?;
    match register_sight(cx.actor(), &lineage) {
        RegisterSight::None => Err(forbidden()),
        s => Ok((unit, s)),
    }
}

/// What the actor sees of the registers of a unit known by id (None: nothing).
pub(crate) async fn sight_of(cx: &Ctx, c: &mut Conn, unit_id: i64) -> CoreResult<RegisterSight> {
    let lineage = units_repo::lineage(c, unit_id).await?;
    Ok(register_sight(cx.actor(), &lineage))
}

/// Refuses unless the actor records in the unit's registers (its reporters and
/// office).
pub(crate) async fn require_record(cx: &Ctx, c: &mut Conn, unit_id: i64) -> CoreResult<()> {
    let lineage = units_repo::lineage(c, unit_id).await?;
    if may_record_register(cx.actor(), &lineage) {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "Chỉ cán bộ báo cáo và thường trực của chính đơn vị được ghi sổ theo dõi của đơn vị",
        ))
    }
}

/// The unit itself, or its whole subtree.
pub(crate) async fn units_of(c: &mut Conn, unit: &Unit, subtree: bool) -> CoreResult<Vec<i64>> {
    if subtree {
        Ok(closure::subtree(c, unit.id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    } else {
        Ok(vec![unit.id])
    }
}

/// Refuses a record dated outside the unit's life: after it was merged or
/// dissolved (the 2025 reorganisation ended many units: their successor keeps
/// the books from then on), or before it was founded — unless it succeeded
/// other units, whose books it took over with their earlier records.
pub(crate) fn require_active(unit: &Unit, day: chrono::NaiveDate) -> CoreResult<()> {
    use qcdc_core::period::format_date;
    if day < unit.valid_from && unit.predecessors.is_empty() {
        return Err(CoreError::new(
            ErrorCode::InvalidDate,
            format!(
                "Ngày {} trước ngày thành lập {} ({})",
                format_date(day),
                unit.name,
                format_date(unit.valid_from)
            ),
        ));
    }
    if let Some(end) = unit.valid_to.filter(|end| day > *end) {
        return Err(CoreError::new(
            ErrorCode::InvalidDate,
            format!(
                "{} đã thôi hoạt động sau ngày {}: sổ từ ngày {} do đơn vị kế thừa ghi",
                unit.name,
                format_date(end),
                format_date(day)
            ),
        ));
    }
    Ok(())
}

/// Trims and refuses an over-long or empty required text.
pub(crate) fn text(field: &str, s: &str, required: bool, max: usize) -> CoreResult<String> {
    let t = qcdc_core::text::nfc(s.trim());
    if required && t.is_empty() {
        return Err(CoreError::invalid(format!("Chưa nhập {field}")));
    }
    if t.chars().count() > max {
        return Err(CoreError::invalid(format!(
            "Mục «{field}» dài quá {max} ký tự"
        )));
    }
    Ok(t)
}
