//! The wall clock of a hand-off: the local date and time to the minute,
//! read once by each caller (the CLI's `next`, the server's next-entry
//! action and heading completion) and passed to the pure functions.

use super::LocalTime;

/// The local date and time now (the TZ offset through `localtime_r` on
/// unix; UTC elsewhere).
pub fn local_now() -> LocalTime {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    local_time(secs).unwrap_or_else(|| utc(secs))
}

#[cfg(unix)]
fn local_time(secs: i64) -> Option<LocalTime> {
    let t = secs as libc::time_t;
    // SAFETY: `tm` is plain data, zeroed is a valid value; `localtime_r` writes
    // only into it and returns null on failure.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::localtime_r(&t, &mut tm) };
    if r.is_null() {
        return None;
    }
    Some(LocalTime {
        year: u16::try_from(tm.tm_year + 1900).ok()?,
        month: u8::try_from(tm.tm_mon + 1).ok()?,
        day: u8::try_from(tm.tm_mday).ok()?,
        hour: u8::try_from(tm.tm_hour).ok()?,
        minute: u8::try_from(tm.tm_min).ok()?,
    })
}

#[cfg(not(unix))]
fn local_time(_secs: i64) -> Option<LocalTime> {
    None
}

/// The civil date (year, month, day) of a day count since 1970-01-01
/// (Howard Hinnant's civil-from-days).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// UTC from seconds since the epoch.
fn utc(secs: i64) -> LocalTime {
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    LocalTime {
        year: year.clamp(0, 9999) as u16,
        month: month as u8,
        day: day as u8,
        hour: (rem / 3600) as u8,
        minute: (rem % 3600 / 60) as u8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_from_epoch_seconds() {
        assert_eq!(utc(0).to_string(), "1970-01-01 00:00");
        assert_eq!(utc(1_763_044_200).to_string(), "2025-11-13 14:30");
        assert_eq!(utc(951_782_400).to_string(), "2000-02-29 00:00");
    }
}
