//! Working days (工作日): the calendar time limits are counted in. Weekends rest and weekdays
//! work unless the calendar table says otherwise (statutory holidays, and the weekend days
//! worked in exchange, 调休). Counting follows administrative practice: the day something
//! happens does not count; a limit of `n` working days ends on the `n`th working day after it.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A calendar day, stored as days since 1970-01-01 so arithmetic is plain integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Day(i32);

impl Day {
    /// The day of a year, month (1–12) and day of month, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i32::try_from(month).ok()?;
        let d = i32::try_from(day).ok()?;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Day(era * 146_097 + doe - 719_468))
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(input: &str) -> Option<Self> {
        let bytes = input.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = input.get(range)?;
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let year = i32::try_from(digits(0..4)?).ok()?;
        Self::from_ymd(year, digits(5..7)?, digits(8..10)?)
    }

    /// The day `ms` milliseconds after the epoch falls on, at UTC+8 (China has one time zone
    /// and no daylight saving).
    pub fn of_china_ms(ms: i64) -> Self {
        const DAY_MS: i64 = 86_400_000;
        const OFFSET_MS: i64 = 8 * 3_600_000;
        let days = (ms + OFFSET_MS).div_euclid(DAY_MS);
        Day(i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX }))
    }

    /// The instant this day starts in China time, in Unix milliseconds.
    pub fn china_start_ms(self) -> i64 {
        i64::from(self.0) * 86_400_000 - 8 * 3_600_000
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        // Howard Hinnant's civil_from_days.
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
        let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
        let year = yoe + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    /// Monday is 0, Sunday 6.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        u32::try_from((self.0 + 3).rem_euclid(7)).unwrap_or(0)
    }

    pub fn is_weekend(self) -> bool {
        self.weekday() >= 5
    }

    pub fn next(self) -> Self {
        Day(self.0.saturating_add(1))
    }

    pub fn previous(self) -> Self {
        Day(self.0.saturating_sub(1))
    }

    /// The day `days` later (earlier when negative).
    pub fn plus_days(self, days: i32) -> Self {
        Day(self.0.saturating_add(days))
    }

    /// Calendar days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Day) -> i32 {
        later.0.saturating_sub(self.0)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl From<Day> for String {
    fn from(day: Day) -> Self {
        day.to_string()
    }
}

impl TryFrom<String> for Day {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Day::parse(&value).ok_or_else(|| format!("not a date: {value}"))
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// `YYYY-MM-DD HH:MM` in China time, for messages that name a moment.
pub fn china_minute_text(ms: i64) -> String {
    let day = Day::of_china_ms(ms);
    let minutes = (ms - day.china_start_ms()).div_euclid(60_000);
    format!("{day} {:02}:{:02}", minutes / 60, minutes % 60)
}

/// What the calendar table says about a day that differs from the weekday rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DayKind {
    /// A statutory holiday: no work even on a weekday.
    Holiday,
    /// A weekend day worked in exchange for a holiday (调休上班).
    Workday,
}

impl DayKind {
    pub const fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// The exceptions to the weekday rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    exceptions: BTreeMap<Day, DayKind>,
}

impl WorkingCalendar {
    pub fn new(exceptions: impl IntoIterator<Item = (Day, DayKind)>) -> Self {
        Self {
            exceptions: exceptions.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, day: Day) -> bool {
        match self.exceptions.get(&day) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !day.is_weekend(),
        }
    }

    /// The last day of a limit of `days` working days that starts counting after `start`
    /// (the day of the act itself does not count). A limit of 0 ends on `start` itself
    /// (当场办结).
    pub fn add_working_days(&self, start: Day, days: u32) -> Day {
        let mut day = start;
        let mut left = days;
        while left > 0 {
            day = day.next();
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days strictly after `from` up to and including `to` (0 when `to` is not later):
    /// how much a paused clock owes when it resumes.
    pub fn working_days_between(&self, from: Day, to: Day) -> u32 {
        let mut count = 0;
        let mut day = from;
        while day < to {
            day = day.next();
            if self.is_working_day(day) {
                count += 1;
            }
        }
        count
    }

    /// The deadline of a clock that paused on `paused` and resumed on `resumed`: the working
    /// days spent waiting are added to it.
    pub fn resume(&self, deadline: Day, paused: Day, resumed: Day) -> Day {
        self.add_working_days(deadline, self.working_days_between(paused, resumed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).expect("a valid date")
    }

    /// The 2026 calendar as published (the migration seeds the same).
    fn calendar_2026() -> WorkingCalendar {
        let holidays = [
            "2026-01-01",
            "2026-01-02",
            "2026-01-03",
            "2026-02-15",
            "2026-02-16",
            "2026-02-17",
            "2026-02-18",
            "2026-02-19",
            "2026-02-20",
            "2026-02-21",
            "2026-02-22",
            "2026-02-23",
            "2026-10-01",
            "2026-10-02",
            "2026-10-03",
            "2026-10-04",
            "2026-10-05",
            "2026-10-06",
            "2026-10-07",
        ];
        let workdays = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-10-10"];
        WorkingCalendar::new(
            holidays
                .iter()
                .map(|d| (day(d), DayKind::Holiday))
                .chain(workdays.iter().map(|d| (day(d), DayKind::Workday))),
        )
    }

    #[test]
    fn dates_round_trip_through_their_text() {
        for text in ["1970-01-01", "2000-02-29", "2026-11-25", "2099-12-31"] {
            assert_eq!(day(text).to_string(), text);
        }
        assert_eq!(day("1970-01-01"), Day(0));
    }

    #[test]
    fn impossible_dates_are_refused() {
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "26-1-1",
            "2026/01/01",
            "2026-01-0x",
            "",
        ] {
            assert_eq!(Day::parse(text), None, "{text}");
        }
    }

    #[test]
    fn weekdays_are_known() {
        assert_eq!(day("2026-11-25").weekday(), 2, "a Wednesday");
        assert!(day("2026-11-28").is_weekend());
        assert!(!day("2026-11-27").is_weekend());
    }

    #[test]
    fn china_day_changes_at_midnight_beijing_time() {
        let start = day("2026-11-25").china_start_ms();
        assert_eq!(Day::of_china_ms(start), day("2026-11-25"));
        assert_eq!(Day::of_china_ms(start - 1), day("2026-11-24"));
        assert_eq!(Day::of_china_ms(start + 86_399_999), day("2026-11-25"));
    }

    #[test]
    fn moments_are_written_in_beijing_time() {
        // 2026-11-25 00:00 UTC is 08:00 in Beijing.
        let ms = day("2026-11-25").china_start_ms() + 8 * 3_600_000 + 5 * 60_000;
        assert_eq!(china_minute_text(ms), "2026-11-25 08:05");
    }

    #[test]
    fn working_days_across_weekends_holidays_and_make_up_days() {
        let calendar = calendar_2026();
        // (start, working days, last day)
        let cases = [
            // Plain week: Monday + 3 → Thursday.
            ("2026-11-23", 3, "2026-11-26"),
            // Over a weekend: Thursday + 3 → Tuesday.
            ("2026-11-26", 3, "2026-12-01"),
            // 当场办结: 0 days ends the same day, even on a Saturday.
            ("2026-11-28", 0, "2026-11-28"),
            // Starting on a Saturday: the first working day is Monday.
            ("2026-11-28", 1, "2026-11-30"),
            // National Day: 30 Sept + 1 skips 1–7 Oct → Thursday 8 Oct.
            ("2026-09-30", 1, "2026-10-08"),
            // … and the make-up Saturday 10 Oct counts: 8 Oct + 2 → Sat 10 Oct.
            ("2026-10-08", 2, "2026-10-10"),
            // Spring Festival: Friday 13 Feb + 1 → the make-up Saturday 14 Feb.
            ("2026-02-13", 1, "2026-02-14"),
            // Sat 14 Feb + 1 skips the holiday week → Tuesday 24 Feb.
            ("2026-02-14", 1, "2026-02-24"),
            // New Year: 31 Dec 2025 + 1 skips 1–3 Jan → the make-up Sunday 4 Jan.
            ("2025-12-31", 1, "2026-01-04"),
            // Twenty working days over Spring Festival.
            ("2026-02-02", 20, "2026-03-06"),
        ];
        for (start, days, expected) in cases {
            assert_eq!(
                calendar.add_working_days(day(start), days),
                day(expected),
                "{start} + {days} working days"
            );
        }
    }

    #[test]
    fn working_days_between_count_what_a_pause_cost() {
        let calendar = calendar_2026();
        let cases = [
            ("2026-11-23", "2026-11-23", 0),
            ("2026-11-23", "2026-11-25", 2),
            // Friday to Monday: one working day.
            ("2026-11-27", "2026-11-30", 1),
            // Paused over the whole National Day week.
            ("2026-09-30", "2026-10-08", 1),
            // Going backwards costs nothing.
            ("2026-11-25", "2026-11-23", 0),
        ];
        for (from, to, expected) in cases {
            assert_eq!(
                calendar.working_days_between(day(from), day(to)),
                expected,
                "{from} → {to}"
            );
        }
    }

    #[test]
    fn a_pause_moves_the_deadline_by_the_working_days_waited() {
        let calendar = calendar_2026();
        // Accepted Mon 23 Nov with 5 days → Mon 30 Nov.
        let deadline = calendar.add_working_days(day("2026-11-23"), 5);
        assert_eq!(deadline, day("2026-11-30"));
        // Paused Wed 25 Nov, resumed Tue 1 Dec: 4 working days (26, 27, 30 Nov, 1 Dec).
        assert_eq!(
            calendar.resume(deadline, day("2026-11-25"), day("2026-12-01")),
            day("2026-12-04")
        );
        // Paused and resumed the same day: nothing owed.
        assert_eq!(
            calendar.resume(deadline, day("2026-11-25"), day("2026-11-25")),
            deadline
        );
    }

    #[test]
    fn an_empty_calendar_follows_the_weekday_rule() {
        let calendar = WorkingCalendar::default();
        assert!(calendar.is_working_day(day("2026-10-01")));
        assert!(!calendar.is_working_day(day("2026-10-10")));
    }
}
