//! Server times (`channel.time`) turned into numbers the transcript can sort by.
//!
//! Genesys promises no delivery order, so the transcript orders by the ISO-8601 time the server
//! stamped on each message (PROTOCOL.md §1.11). Comparing the strings is only right when every
//! string has the same precision and offset; `…:00Z` vs `…:00.500Z` or `+02:00` offsets would
//! sort wrongly. Parsing into milliseconds since the Unix epoch sidesteps that. Anything that
//! does not parse counts as "no time", which the transcript handles by arrival order.

/// Milliseconds since 1970-01-01T00:00:00Z of an RFC 3339 / ISO-8601 date-time such as
/// `2024-01-01T10:00:00.000Z`, `2024-01-01T10:00:00Z` or `2024-01-01T12:00:00.5+02:00`.
/// Fractions finer than a millisecond are truncated. `None` for anything else.
pub fn parse_millis(text: &str) -> Option<i64> {
    let bytes = text.trim().as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = bytes.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    let separator =
        |index: usize, allowed: &[u8]| bytes.get(index).is_some_and(|b| allowed.contains(b));
    if !(separator(4, b"-")
        && separator(7, b"-")
        && separator(10, b"Tt ")
        && separator(13, b":")
        && separator(16, b":"))
    {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut index = 19;
    let mut millis = 0;
    if separator(index, b".,") {
        index += 1;
        let start = index;
        while bytes.get(index).is_some_and(u8::is_ascii_digit) {
            index += 1;
        }
        if index == start {
            return None;
        }
        let fraction = &bytes[start..index.min(start + 3)];
        let mut value = 0i64;
        for (position, digit) in fraction.iter().enumerate() {
            value += i64::from(digit - b'0') * [100, 10, 1][position];
        }
        millis = value;
    }
    let offset_minutes = match bytes.get(index) {
        Some(b'Z' | b'z') if index + 1 == bytes.len() => 0,
        Some(sign @ (b'+' | b'-')) if index + 6 == bytes.len() && separator(index + 3, b":") => {
            let minutes = number(index + 1..index + 3)? * 60 + number(index + 4..index + 6)?;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shapes_genesys_sends() {
        let cases = [
            ("1970-01-01T00:00:00Z", Some(0)),
            ("1970-01-01T00:00:00.001Z", Some(1)),
            ("2024-01-01T10:00:00.000Z", Some(1_704_103_200_000)),
            ("2024-01-01T10:00:00Z", Some(1_704_103_200_000)),
            ("2024-01-01T10:00:00.5Z", Some(1_704_103_200_500)),
            ("2024-01-01T10:00:00.123456Z", Some(1_704_103_200_123)),
            ("2024-01-01T12:00:00.000+02:00", Some(1_704_103_200_000)),
            ("2024-01-01T09:30:00-00:30", Some(1_704_103_200_000)),
            ("2022-08-22T19:24:26.704Z", Some(1_661_196_266_704)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_millis(text), expected, "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_date_time() {
        for text in [
            "",
            "null",
            "2024-01-01",
            "2024-13-01T10:00:00Z",
            "2024-01-01T10:00:00",
            "2024-01-01T10:00:00.Z",
            "2024-01-01T10:00:00Zjunk",
            "２０２４-01-01T10:00:00Z",
            "2024-01-01T10:00:00+0200",
        ] {
            assert_eq!(parse_millis(text), None, "{text:?}");
        }
    }

    #[test]
    fn mixed_precision_orders_by_instant_not_by_string() {
        let plain = parse_millis("2024-01-01T10:00:00Z").unwrap();
        let later = parse_millis("2024-01-01T10:00:00.500Z").unwrap();
        let offset = parse_millis("2024-01-01T11:00:00.250+01:00").unwrap();
        assert!(plain < offset && offset < later);
        // As strings they would sort the other way round:
        assert!("2024-01-01T10:00:00Z" > "2024-01-01T10:00:00.500Z");
    }
}
