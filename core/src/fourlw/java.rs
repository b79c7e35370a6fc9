//! What Java prints for the numbers and dates in the answers:
//! `Double.toString` (averages) and `Date.toString` in UTC (`dump`'s
//! expiry times). Pure functions; never panic.

/// Java's `Double.toString`: plain decimal with at least one fractional
/// digit for 10^-3 <= |x| < 10^7 (`0.0`, `9.4615`, `719.0`), else
/// computerized scientific notation (`1.0E-4`, `1.2E7`).
pub fn java_double(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let a = x.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let mut t = format!("{x}");
        if !t.contains('.') {
            t.push_str(".0");
        }
        return t;
    }
    let t = format!("{x:e}");
    let (mant, exp) = t.split_once('e').unwrap_or((t.as_str(), "0"));
    let mant = if mant.contains('.') {
        mant.to_string()
    } else {
        format!("{mant}.0")
    };
    format!("{mant}E{exp}")
}

/// Java's `Date.toString()` in UTC: `Wed Nov 25 02:48:15 UTC 2026`.
pub(super) fn java_date(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let weekday = DAYS
        .get(usize::try_from(days.rem_euclid(7)).unwrap_or(0))
        .copied()
        .unwrap_or("Thu");
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let month_name = MONTHS
        .get(usize::try_from(month - 1).unwrap_or(0))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday} {month_name} {day:02} {:02}:{:02}:{:02} UTC {year}",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Summary;

    #[test]
    fn averages_round_half_up_to_4_decimals() {
        let avg = |count, total| {
            java_double(
                Summary {
                    count,
                    total,
                    min: 0,
                    max: 0,
                }
                .avg(),
            )
        };
        assert_eq!(avg(0, 0), "0.0");
        assert_eq!(avg(13, 123), "9.4615");
        assert_eq!(avg(11, 16), "1.4545");
        assert_eq!(avg(21, 11), "0.5238");
        assert_eq!(avg(11, 10), "0.9091");
        assert_eq!(avg(1, 719), "719.0");
        // 33/32 = 1.03125 exactly: HALF_UP gives 1.0313 (half-even 1.0312).
        assert_eq!(avg(32, 33), "1.0313");
        // 1/10000 -> 1.0E-4, Java's scientific form below 10^-3.
        assert_eq!(avg(10_000, 1), "1.0E-4");
        assert_eq!(avg(1_000_000, 1), "0.0");
        assert_eq!(avg(1, 12_345_678), "1.2345678E7");
    }

    #[test]
    fn java_double_forms() {
        assert_eq!(java_double(0.0), "0.0");
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(0.001), "0.001");
        assert_eq!(java_double(9_999_999.0), "9999999.0");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(-2.5e-5), "-2.5E-5");
    }

    #[test]
    fn java_dates() {
        assert_eq!(java_date(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(java_date(-86_400_000), "Wed Dec 31 00:00:00 UTC 1969");
        assert_eq!(java_date(1_795_574_895_490), "Wed Nov 25 02:48:15 UTC 2026");
        assert_eq!(java_date(951_782_400_000), "Tue Feb 29 00:00:00 UTC 2000");
    }
}
