//! The holiday calendar: read by every signed-in user, a year replaced whole by
//! the admins of a root unit (the calendar serves every unit). A year nobody
//! has stored follows `data/holidays.toml`.

use chrono::Datelike;
use qcdc_core::access::{self, Role};
use qcdc_core::period::format_date;
use qcdc_core::registers::{Calendar, CalendarDay, DayType};
use qcdc_core::{CoreError, CoreResult, ErrorCode};
use qcdc_store::audit::{self, Change};
use qcdc_store::{registers_repo, units_repo};
use serde::Serialize;

use super::load_calendar;
use crate::ctx::{Ctx, forbidden};

/// One listed day as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayView {
    pub date: String,
    pub day_type: DayType,
    pub label: &'static str,
    pub name: String,
    pub provisional: bool,
}

/// The days of a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearView {
    pub year: i32,
    /// The calendar lists this year (otherwise only weekends are days off).
    pub covered: bool,
    pub days: Vec<DayView>,
}

/// The calendar of a year.
pub async fn year(cx: &Ctx, year: i32) -> CoreResult<YearView> {
    if !cx.actor().is_system() && cx.actor().units_with(&Role::ALL).is_empty() {
        return Err(forbidden());
    }
    let mut tx = cx.app().db().read().await?;
    let r = load_calendar(&mut tx).await;
    let cal = tx.finish(r).await?;
    Ok(YearView {
        year,
        covered: cal.covers(year),
        days: cal
            .days()
            .filter(|d| d.date.year() == year)
            .map(|d| DayView {
                date: format_date(d.date),
                day_type: d.day_type,
                label: match d.day_type {
                    DayType::DayOff => "Ngày nghỉ",
                    DayType::WorkingDay => "Ngày làm bù",
                },
                name: d.name.clone(),
                provisional: d.provisional,
            })
            .collect(),
    })
}

/// Replaces the calendar of a year (admins of a root unit). Every day must lie in
/// that year; the whole year is checked like the file and refused with every
/// problem, changing nothing.
pub async fn save_year(cx: &Ctx, year: i32, days: Vec<CalendarDay>) -> CoreResult<YearView> {
    if !(2000..=2100).contains(&year) {
        return Err(CoreError::new(
            ErrorCode::InvalidDate,
            format!("Năm {year} không hợp lệ"),
        ));
    }
    let checked = Calendar::from_days([year], days)?;
    let days: Vec<CalendarDay> = checked.days().cloned().collect();
    let mut tx = cx.app().db().write().await?;
    let r = async {
        if !cx.actor().is_system() {
            let mut roots = Vec::new();
            for id in cx.actor().units_with(&[Role::Admin]) {
                if units_repo::is_root(&mut tx, id).await? {
                    roots.push(id);
                }
            }
            if !access::may_edit_calendar(cx.actor(), |u| roots.contains(&u)) {
                return Err(CoreError::forbidden(
                    "Chỉ quản trị viên của đơn vị cấp cao nhất được sửa lịch ngày nghỉ (lịch dùng chung cho mọi đơn vị)",
                ));
            }
        }
        registers_repo::replace_year(&mut tx, year, &days, cx.who()).await?;
        audit::write(
            &mut tx,
            Change {
                actor: cx.who(),
                action: "save_calendar",
                entity: "holiday_year",
                entity_id: &year.to_string(),
                new_value: Some(
                    days.iter()
                        .map(|d| format!("{} {}", format_date(d.date), d.day_type.as_str()))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                ..Default::default()
            },
        )
        .await
    }
    .await;
    tx.finish(r).await?;
    self::year(cx, year).await
}
