//! Timestamps and durations as the upstream provider handles them through Go's `time`
//! package: RFC 3339 parsing and formatting (whole seconds, `Z` for UTC), calendar
//! arithmetic that normalizes overflowing days and months the way `Time.AddDate` does,
//! and `time.ParseDuration`.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Timelike, Utc};

/// A point in time with the offset it was written with.
pub type Timestamp = DateTime<FixedOffset>;

/// The current time in UTC.
pub fn now_utc() -> Timestamp {
    Utc::now().fixed_offset()
}

/// Parses `text` as Go's `time.Parse(time.RFC3339, text)` does: `YYYY-MM-DDTHH:MM:SS`,
/// optional fractional seconds, then `Z` or a `±hh:mm` offset.
pub fn parse_rfc3339(text: &str) -> Result<Timestamp, String> {
    let fail = |why: &str| Err(format!("parsing time {text:?} as RFC3339: {why}"));
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let part = b.get(from..from + n)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    let Some(year) = digits(0, 4) else {
        return fail("cannot parse year");
    };
    if b.get(4) != Some(&b'-') {
        return fail("expected '-' after the year");
    }
    let Some(month) = digits(5, 2) else {
        return fail("cannot parse month");
    };
    if b.get(7) != Some(&b'-') {
        return fail("expected '-' after the month");
    }
    let Some(day) = digits(8, 2) else {
        return fail("cannot parse day");
    };
    if b.get(10) != Some(&b'T') {
        return fail("expected 'T' after the date");
    }
    // Go accepts a one-digit hour here.
    let (hour, mut pos) = match (digits(11, 2), digits(11, 1)) {
        (Some(h), _) => (h, 13),
        (None, Some(h)) => (h, 12),
        _ => return fail("cannot parse hour"),
    };
    if b.get(pos) != Some(&b':') {
        return fail("expected ':' after the hour");
    }
    let Some(minute) = digits(pos + 1, 2) else {
        return fail("cannot parse minute");
    };
    if b.get(pos + 3) != Some(&b':') {
        return fail("expected ':' after the minute");
    }
    let Some(second) = digits(pos + 4, 2) else {
        return fail("cannot parse second");
    };
    pos += 6;
    let mut nanos: u32 = 0;
    if matches!(b.get(pos), Some(b'.') | Some(b','))
        && b.get(pos + 1).is_some_and(u8::is_ascii_digit)
    {
        pos += 1;
        let mut scale = 100_000_000u32;
        while let Some(d) = b.get(pos).filter(|c| c.is_ascii_digit()) {
            nanos += u32::from(d - b'0') * scale;
            scale /= 10;
            pos += 1;
        }
    }
    let offset_seconds = match b.get(pos) {
        Some(b'Z') => {
            pos += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            let (Some(hh), Some(b':'), Some(mm)) =
                (digits(pos + 1, 2), b.get(pos + 3), digits(pos + 4, 2))
            else {
                return fail("cannot parse the time zone offset");
            };
            if hh >= 24 || mm >= 60 {
                return fail("time zone offset out of range");
            }
            pos += 6;
            let secs = (hh * 3600 + mm * 60) as i32;
            if *sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => return fail("cannot parse the time zone"),
    };
    if pos != b.len() {
        return fail(&format!("extra text {:?}", &text[pos..]));
    }
    if !(1..=12).contains(&month) {
        return fail("month out of range");
    }
    let Some(date) = NaiveDate::from_ymd_opt(year as i32, month, day) else {
        return fail("day out of range");
    };
    if hour > 23 {
        return fail("hour out of range");
    }
    if minute > 59 {
        return fail("minute out of range");
    }
    if second > 59 {
        return fail("second out of range");
    }
    let Some(naive) = date.and_hms_nano_opt(hour, minute, second, nanos) else {
        return fail("time out of range");
    };
    let Some(offset) = FixedOffset::east_opt(offset_seconds) else {
        return fail("time zone offset out of range");
    };
    offset
        .from_local_datetime(&naive)
        .single()
        .ok_or_else(|| format!("parsing time {text:?} as RFC3339: out of range"))
}

/// Formats as Go's `Time.Format(time.RFC3339)`: whole seconds, `Z` for a zero offset.
pub fn format_rfc3339(t: &Timestamp) -> String {
    let year = t.year();
    let year_text = if year < 0 {
        format!("-{:04}", -i64::from(year))
    } else {
        format!("{year:04}")
    };
    let offset = t.offset().local_minus_utc();
    let zone = if offset == 0 {
        "Z".to_string()
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.unsigned_abs();
        format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
    };
    format!(
        "{year_text}-{:02}-{:02}T{:02}:{:02}:{:02}{zone}",
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The calendar parts the provider reports: year, month, day, hour, minute, second, and
/// the Unix time in seconds.
pub struct Parts {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    pub unix: i64,
}

pub fn parts(t: &Timestamp) -> Parts {
    Parts {
        year: i64::from(t.year()),
        month: i64::from(t.month()),
        day: i64::from(t.day()),
        hour: i64::from(t.hour()),
        minute: i64::from(t.minute()),
        second: i64::from(t.second()),
        unix: t.timestamp(),
    }
}

/// Go's zero `time.Time` (January 1, year 1, UTC), which the upstream provider reports
/// when no rotation is configured.
pub fn go_zero_time() -> Timestamp {
    let naive = NaiveDate::from_ymd_opt(1, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    Utc.from_utc_datetime(&naive).fixed_offset()
}

/// `Time.AddDate(years, months, days)`: the wall-clock date moves by the given amounts and
/// overflowing months and days carry over (January 31 plus one month is March 2 or 3).
pub fn add_date(t: &Timestamp, years: i64, months: i64, days: i64) -> Result<Timestamp, String> {
    let out_of_range = || "the resulting time is out of range".to_string();
    let total_months = i64::from(t.year())
        .checked_add(years)
        .and_then(|y| y.checked_mul(12))
        .and_then(|m| m.checked_add(i64::from(t.month0())))
        .and_then(|m| m.checked_add(months))
        .ok_or_else(out_of_range)?;
    let year = i32::try_from(total_months.div_euclid(12)).map_err(|_| out_of_range())?;
    let month = (total_months.rem_euclid(12) + 1) as u32;
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(out_of_range)?;
    let day_offset = i64::from(t.day() - 1)
        .checked_add(days)
        .and_then(Duration::try_days)
        .ok_or_else(out_of_range)?;
    let date = first
        .checked_add_signed(day_offset)
        .ok_or_else(out_of_range)?;
    t.offset()
        .from_local_datetime(&date.and_time(t.time()))
        .single()
        .ok_or_else(out_of_range)
}

/// `t.Add(n * unit)` for a whole number of units of `unit_seconds` seconds.
pub fn add_seconds(t: &Timestamp, count: i64, unit_seconds: i64) -> Result<Timestamp, String> {
    count
        .checked_mul(unit_seconds)
        .and_then(Duration::try_seconds)
        .and_then(|d| t.checked_add_signed(d))
        .ok_or_else(|| "the resulting time is out of range".to_string())
}

/// Parses a duration as Go's `time.ParseDuration` does (`"1.5h"`, `"2h45m"`, `"300ms"`),
/// in nanoseconds.
pub fn parse_go_duration(text: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {:?}", text);
    let mut rest = text;
    let negative = rest.starts_with('-');
    if let Some(r) = rest.strip_prefix('-').or_else(|| rest.strip_prefix('+')) {
        rest = r;
    }
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let limit: u128 = 1 << 63;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let frac_len = r.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &r[..frac_len];
            rest = &r[frac_len..];
            if int_part.is_empty() && frac_part.is_empty() {
                return Err(invalid());
            }
        } else if int_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let nanos_per_unit: u128 = match unit {
            "" => return Err(format!("time: missing unit in duration {:?}", text)),
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            other => {
                return Err(format!(
                    "time: unknown unit {:?} in duration {:?}",
                    other, text
                ))
            }
        };
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse::<u128>().map_err(|_| invalid())?
        };
        let mut value = whole.checked_mul(nanos_per_unit).ok_or_else(invalid)?;
        if value > limit {
            return Err(invalid());
        }
        if !frac_part.is_empty() {
            let mut numerator: u128 = 0;
            let mut scale: u128 = 1;
            for d in frac_part.bytes().take(30) {
                numerator = numerator * 10 + u128::from(d - b'0');
                scale *= 10;
            }
            value += numerator * nanos_per_unit / scale;
        }
        total = total.checked_add(value).ok_or_else(invalid)?;
        if total > limit {
            return Err(invalid());
        }
    }
    if total == limit && !negative {
        return Err(invalid());
    }
    let signed = total as i128;
    Ok(if negative { -signed } else { signed })
}

/// The wait for a Go duration: negative durations do not wait.
pub fn sleep_length(nanos: i128) -> std::time::Duration {
    if nanos <= 0 {
        std::time::Duration::ZERO
    } else {
        std::time::Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_rfc3339() {
        let t = parse_rfc3339("2020-02-12T06:36:13Z").unwrap();
        assert_eq!(t.timestamp(), 1581489373);
        assert_eq!(format_rfc3339(&t), "2020-02-12T06:36:13Z");
        let t = parse_rfc3339("2020-02-12T06:36:13.999+05:30").unwrap();
        assert_eq!(format_rfc3339(&t), "2020-02-12T06:36:13+05:30");
        assert_eq!(parts(&t).hour, 6);
        assert_eq!(
            format_rfc3339(&parse_rfc3339("2020-01-01T00:00:00+00:00").unwrap()),
            "2020-01-01T00:00:00Z"
        );
        for bad in [
            "2020-02-30T00:00:00Z",
            "2020-01-01 00:00:00Z",
            "2020-01-01T24:00:00Z",
            "2020-01-01T00:00:60Z",
            "2020-01-01T00:00:00",
            "2020-01-01T00:00:00z",
            "2020-01-01T00:00:00Zx",
            "2020-01-01",
            "",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn add_date_normalizes_like_go() {
        let t = parse_rfc3339("2021-01-31T10:00:00Z").unwrap();
        assert_eq!(
            format_rfc3339(&add_date(&t, 0, 1, 0).unwrap()),
            "2021-03-03T10:00:00Z"
        );
        let leap = parse_rfc3339("2020-01-31T10:00:00Z").unwrap();
        assert_eq!(
            format_rfc3339(&add_date(&leap, 0, 1, 0).unwrap()),
            "2020-03-02T10:00:00Z"
        );
        assert_eq!(
            format_rfc3339(&add_date(&leap, 1, -13, 0).unwrap()),
            "2019-12-31T10:00:00Z"
        );
        assert_eq!(
            format_rfc3339(&add_date(&t, 0, 0, 365).unwrap()),
            "2022-01-31T10:00:00Z"
        );
        assert_eq!(
            format_rfc3339(&add_seconds(&t, -90, 60).unwrap()),
            "2021-01-31T08:30:00Z"
        );
        assert_eq!(format_rfc3339(&go_zero_time()), "0001-01-01T00:00:00Z");
        assert_eq!(go_zero_time().timestamp(), -62135596800);
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("30s"), Ok(30_000_000_000));
        assert_eq!(parse_go_duration("1.5h"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("2h45m"), Ok(9_900_000_000_000));
        assert_eq!(parse_go_duration("-1.5ms"), Ok(-1_500_000));
        assert_eq!(parse_go_duration(".5s"), Ok(500_000_000));
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(
            parse_go_duration("10"),
            Err("time: missing unit in duration \"10\"".into())
        );
        assert_eq!(
            parse_go_duration("1d"),
            Err("time: unknown unit \"d\" in duration \"1d\"".into())
        );
        assert!(parse_go_duration("").is_err());
        assert!(parse_go_duration(".s").is_err());
        assert!(parse_go_duration("9999999999999h").is_err());
        assert_eq!(sleep_length(-5), std::time::Duration::ZERO);
    }
}
