//! Dates and ids of the demo, both drawn so that a run is a pure function of `today` and the seed.
//!
//! Every date is placed relative to `today`, so the demo always looks current: deals won this
//! month, a quarter in progress, conversations from last week. Times are chosen in the company's
//! local time (America/Sao_Paulo, UTC−3 all year since Brazil dropped daylight saving in 2019) and
//! stored as UTC. Ids are cuid-shaped like the database default, but come from the company's
//! generator instead of the database, so two runs produce the same ids.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use std::ops::Range;

use rand::Rng;

const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A cuid-shaped id: 'c' followed by 24 lowercase base-36 characters.
pub fn cuid<R: Rng>(rng: &mut R) -> String {
    let mut id = String::with_capacity(25);
    id.push('c');
    for _ in 0..24 {
        id.push(BASE36[rng.random_range(0..36)] as char);
    }
    id
}

/// Brasília time is UTC−3 all year (no daylight saving since 2019).
const SAO_PAULO_UTC_OFFSET_HOURS: i64 = -3;

/// The demo's calendar: `today`, and local-time moments around it.
#[derive(Debug, Clone, Copy)]
pub struct DemoCalendar {
    today: NaiveDate,
}

impl DemoCalendar {
    pub fn new(today: NaiveDate) -> Self {
        Self { today }
    }

    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// The first day of the current month.
    pub fn month_start(&self) -> NaiveDate {
        self.today.with_day(1).unwrap_or(self.today)
    }

    /// The first and last day of the current quarter, and its label (`Q4 2026`).
    pub fn quarter(&self) -> (NaiveDate, NaiveDate, String) {
        let quarter = self.today.month0() / 3;
        let year = self.today.year();
        let start = NaiveDate::from_ymd_opt(year, quarter * 3 + 1, 1).unwrap_or(self.today);
        let next_start = if quarter == 3 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, quarter * 3 + 4, 1)
        };
        let end = next_start.and_then(|d| d.pred_opt()).unwrap_or(self.today);
        (start, end, format!("Q{} {year}", quarter + 1))
    }

    /// A local wall-clock moment as stored (UTC).
    pub fn local_to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        (local - Duration::hours(SAO_PAULO_UTC_OFFSET_HOURS)).and_utc()
    }

    /// Midnight (local) at the start of `date`, as stored.
    pub fn start_of(&self, date: NaiveDate) -> DateTime<Utc> {
        self.local_to_utc(date.and_time(NaiveTime::MIN))
    }

    /// A business day `days_ago` days before today (moved back to Friday when it falls on a
    /// weekend), at a random office hour, in local time.
    pub fn office_hours_days_ago<R: Rng>(&self, rng: &mut R, days_ago: i64) -> NaiveDateTime {
        let mut date = self.today - Duration::days(days_ago.max(0));
        while matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            date -= Duration::days(1);
        }
        let minutes = rng.random_range(8 * 60..18 * 60 + 30);
        date.and_time(NaiveTime::MIN) + Duration::minutes(minutes)
    }

    /// Office hours on a business day picked from `days_ago` (days before today), in local time.
    pub fn office_hours_within<R: Rng>(&self, rng: &mut R, days_ago: Range<i64>) -> NaiveDateTime {
        let days = rng.random_range(days_ago);
        self.office_hours_days_ago(rng, days)
    }

    /// A moment of a day picked from `days_ago` (days before today), as stored.
    pub fn moment_within<R: Rng>(&self, rng: &mut R, days_ago: Range<i64>) -> DateTime<Utc> {
        let days = rng.random_range(days_ago);
        self.moment_days_ago(rng, days)
    }

    /// Any moment of the day `days_ago` days before today (local), as stored.
    pub fn moment_days_ago<R: Rng>(&self, rng: &mut R, days_ago: i64) -> DateTime<Utc> {
        let date = self.today - Duration::days(days_ago);
        let minutes = rng.random_range(7 * 60..21 * 60);
        self.local_to_utc(date.and_time(NaiveTime::MIN) + Duration::minutes(minutes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn ids_are_cuid_shaped_and_repeat_with_the_seed() {
        let a = cuid(&mut ChaCha8Rng::seed_from_u64(3));
        let b = cuid(&mut ChaCha8Rng::seed_from_u64(3));
        assert_eq!(a, b);
        assert_eq!(a.len(), 25);
        assert!(a.starts_with('c'));
        assert!(
            a[1..]
                .bytes()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
        );
    }

    #[test]
    fn the_quarter_is_the_one_today_falls_in() {
        let (start, end, label) = DemoCalendar::new(date(2026, 11, 27)).quarter();
        assert_eq!(
            (start, end, label.as_str()),
            (date(2026, 10, 1), date(2026, 12, 31), "Q4 2026")
        );
        let (start, end, label) = DemoCalendar::new(date(2027, 2, 3)).quarter();
        assert_eq!(
            (start, end, label.as_str()),
            (date(2027, 1, 1), date(2027, 3, 31), "Q1 2027")
        );
    }

    #[test]
    fn local_times_are_stored_three_hours_later_in_utc() {
        let calendar = DemoCalendar::new(date(2026, 11, 27));
        let local = date(2026, 11, 27)
            .and_hms_opt(14, 5, 0)
            .expect("valid time");
        assert_eq!(
            calendar.local_to_utc(local).to_rfc3339(),
            "2026-11-27T17:05:00+00:00"
        );
    }

    #[test]
    fn office_hours_fall_on_weekdays() {
        let calendar = DemoCalendar::new(date(2026, 11, 29)); // a Sunday
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for days in 0..30 {
            let at = calendar.office_hours_days_ago(&mut rng, days);
            assert!(!matches!(at.weekday(), Weekday::Sat | Weekday::Sun), "{at}");
        }
    }
}
