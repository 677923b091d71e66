//! UTC times as the curated data writes them (`2026-06-30T23:59:59Z`), to and from milliseconds
//! since the epoch. Pure calendar arithmetic: no clock is read, no time zone but UTC exists.

use augury_core::TimestampMs;

const MS_PER_DAY: u64 = 86_400_000;

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day counted from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ` (years 1970 to 9999). Anything else,
/// including an impossible date (30 February) or a local time without the `Z`, is `None`: a
/// close time is never guessed.
pub fn parse_utc(text: &str) -> Option<TimestampMs> {
    let b = text.as_bytes();
    // ASCII first, so that the slices below never cut a character in two.
    if !text.is_ascii()
        || b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u32> {
        let digits = &text[from..to];
        digits.bytes().all(|c| c.is_ascii_digit()).then(|| digits.parse().ok())?
    };
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    let year = i64::from(year);
    if year < 1970 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day) as u64;
    Some(days * MS_PER_DAY + (u64::from(hour) * 3_600 + u64::from(minute) * 60 + u64::from(second)) * 1_000)
}

/// `2026-06-30 23:59:59 UTC`: how rules state a moment.
pub fn format_utc(ms: TimestampMs) -> String {
    let (year, month, day) = civil_from_days((ms / MS_PER_DAY) as i64);
    let seconds = ms % MS_PER_DAY / 1_000;
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", seconds / 3_600, seconds / 60 % 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_utc_times_only() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0));
        // `date -u -d 2026-06-30T23:59:59Z +%s`
        assert_eq!(parse_utc("2026-06-30T23:59:59Z"), Some(1_782_863_999_000));
        assert_eq!(parse_utc("2027-01-01T00:00:00Z"), Some(1_798_761_600_000));
        assert_eq!(parse_utc("2028-02-29T12:00:00Z"), Some(1_835_438_400_000));
        for bad in [
            "2026-06-30",
            "2026-06-30T23:59:59",
            "2026-06-30 23:59:59Z",
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-06-31T00:00:00Z",
            "2026-06-30T24:00:00Z",
            "2026-06-30T23:60:00Z",
            "1969-12-31T23:59:59Z",
            "2026-06-30T23:59:59+00:00",
            "2026-0a-30T23:59:59Z",
            "+026-06-30T23:59:59Z",
            "２026-06-30T23:59:59Z",
            "1é6-06-30T23:59:59Z",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_what_it_parses() {
        for text in ["2026-06-30T23:59:59Z", "2019-06-02T00:00:00Z", "2028-02-29T12:34:56Z"] {
            let ms = parse_utc(text).unwrap();
            assert_eq!(format_utc(ms), text.replace('T', " ").replace('Z', " UTC"));
        }
    }
}
