//! A trading day's figures, minute by minute, from what storage keeps: the
//! orders (received, and placed by the diner), their first `ready`, and
//! the per-minute counts of replays, 409s and 503s. Pure: tested directly.

use std::collections::BTreeMap;

use serde::Serialize;
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use super::counts::{CountKind, MinuteCount, minute_of};
use crate::business_day::offset;

/// An order that waited at least this long on the device before it reached
/// the server counts as delayed (it sat in a diner's outbox).
pub const DELAYED_AFTER: Duration = Duration::minutes(1);

/// One order's times, as the dashboard needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderTimes {
    pub received_at: OffsetDateTime,
    /// When the diner placed it, on the server's clock (`DeviceClock`).
    pub placed_at: OffsetDateTime,
    /// The first time the kitchen marked it ready, if it did.
    pub ready_at: Option<OffsetDateTime>,
}

impl OrderTimes {
    /// How long it took from the diner's tap to the server, at most
    /// `longest`: intake takes no order older than the menu allows, but rows
    /// stored before `placed_at` was corrected for the phone's clock hold that
    /// clock's time, and one of them must not make the day's slowest delivery
    /// read 2,000 years. Never negative.
    pub fn delivery_delay(&self, longest: Duration) -> Duration {
        (self.received_at - self.placed_at).clamp(Duration::ZERO, longest.max(Duration::ZERO))
    }

    /// From received to ready: the kitchen's ticket time.
    pub fn ticket_time(&self) -> Option<Duration> {
        self.ready_at
            .map(|ready| (ready - self.received_at).max(Duration::ZERO))
    }
}

/// What storage holds for one trading day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayRecords {
    pub orders: Vec<OrderTimes>,
    pub counts: Vec<MinuteCount>,
}

/// Nearest-rank percentiles of a set of durations, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Percentiles {
    pub count: u64,
    pub p50_ms: i64,
    pub p90_ms: i64,
    pub max_ms: i64,
}

impl Percentiles {
    /// `None` for no values.
    pub fn of(values: &[Duration]) -> Option<Self> {
        let mut millis: Vec<i64> = values.iter().map(|d| millis(*d)).collect();
        millis.sort_unstable();
        Some(Self {
            count: millis.len() as u64,
            p50_ms: nearest_rank(&millis, 50)?,
            p90_ms: nearest_rank(&millis, 90)?,
            max_ms: *millis.last()?,
        })
    }
}

/// The value at percentile `p` of `sorted` by the nearest-rank method: the
/// smallest value with at least p % of the values at or below it. Always
/// one of the values, so "p90 = 45 s" means an order really took 45 s.
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.whole_milliseconds()).unwrap_or(i64::MAX)
}

/// The whole day's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Totals {
    pub orders: u64,
    /// Orders that waited at least a minute on the device.
    pub delayed_orders: u64,
    pub ready_orders: u64,
    pub replays: i64,
    pub conflicts: i64,
    pub shed: i64,
}

/// One minute of the day, in the restaurant's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MinuteFigures {
    /// The minute's start, with the restaurant's UTC offset.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub start: OffsetDateTime,
    pub orders: u64,
    pub replays: i64,
    pub conflicts: i64,
    pub shed: i64,
    /// Delivery delay of the orders received in this minute.
    pub delay: Option<Percentiles>,
    /// Ticket time of the orders received in this minute that became ready.
    pub ticket: Option<Percentiles>,
}

/// The busiest minute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Peak {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub start: OffsetDateTime,
    pub orders: u64,
}

/// Everything the dashboard shows for one trading day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DayFigures {
    /// `YYYY-MM-DD`, the trading day (04:00 to 04:00 local time).
    pub business_day: String,
    pub utc_offset_minutes: i16,
    pub totals: Totals,
    pub peak: Option<Peak>,
    /// Received − created on the device, over the day.
    pub delivery_delay: Option<Percentiles>,
    /// Received → first ready, over the day.
    pub ticket_time: Option<Percentiles>,
    /// Every minute from the first to the last with any activity.
    pub minutes: Vec<MinuteFigures>,
}

/// Per-minute accumulation before percentiles are taken.
#[derive(Default)]
struct Bucket {
    orders: u64,
    delays: Vec<Duration>,
    tickets: Vec<Duration>,
    counts: [i64; 3],
}

fn slot(kind: CountKind) -> usize {
    match kind {
        CountKind::Replay => 0,
        CountKind::Conflict => 1,
        CountKind::Shed => 2,
    }
}

impl DayFigures {
    /// Buckets `records` by minute of receipt (orders) or of counting
    /// (replays, 409s, 503s), shown in the restaurant's local time. No
    /// delivery delay counts as longer than `longest_delay`.
    pub fn compute(
        business_day: &str,
        utc_offset_minutes: i16,
        longest_delay: Duration,
        records: &DayRecords,
    ) -> Self {
        let local = offset(utc_offset_minutes);
        let mut buckets: BTreeMap<i64, Bucket> = BTreeMap::new();
        let mut totals = Totals::default();
        let (mut delays, mut tickets) = (Vec::new(), Vec::new());
        for order in &records.orders {
            let bucket = buckets.entry(minute_of(order.received_at)).or_default();
            bucket.orders += 1;
            totals.orders += 1;
            let delay = order.delivery_delay(longest_delay);
            if delay >= DELAYED_AFTER {
                totals.delayed_orders += 1;
            }
            bucket.delays.push(delay);
            delays.push(delay);
            if let Some(ticket) = order.ticket_time() {
                totals.ready_orders += 1;
                bucket.tickets.push(ticket);
                tickets.push(ticket);
            }
        }
        for count in &records.counts {
            buckets.entry(count.minute).or_default().counts[slot(count.kind)] += count.count;
        }
        let first = buckets.keys().next().copied();
        let last = buckets.keys().next_back().copied();
        let mut minutes = Vec::new();
        if let (Some(first), Some(last)) = (first, last) {
            for minute in (first..=last).step_by(60) {
                let bucket = buckets.remove(&minute).unwrap_or_default();
                let start = OffsetDateTime::from_unix_timestamp(minute)
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                    .to_offset(local);
                minutes.push(MinuteFigures {
                    start,
                    orders: bucket.orders,
                    replays: bucket.counts[0],
                    conflicts: bucket.counts[1],
                    shed: bucket.counts[2],
                    delay: Percentiles::of(&bucket.delays),
                    ticket: Percentiles::of(&bucket.tickets),
                });
            }
        }
        for minute in &minutes {
            totals.replays += minute.replays;
            totals.conflicts += minute.conflicts;
            totals.shed += minute.shed;
        }
        // The first of equally busy minutes: when the rush peaked first.
        let peak = minutes
            .iter()
            .filter(|minute| minute.orders > 0)
            .fold(None::<&MinuteFigures>, |best, minute| match best {
                Some(best) if best.orders >= minute.orders => Some(best),
                _ => Some(minute),
            })
            .map(|minute| Peak {
                start: minute.start,
                orders: minute.orders,
            });
        Self {
            business_day: business_day.to_owned(),
            utc_offset_minutes,
            totals,
            peak,
            delivery_delay: Percentiles::of(&delays),
            ticket_time: Percentiles::of(&tickets),
            minutes,
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const LONGEST: Duration = Duration::minutes(45);

    fn order(received: OffsetDateTime, delay_s: i64, ticket_s: Option<i64>) -> OrderTimes {
        OrderTimes {
            received_at: received,
            placed_at: received - Duration::seconds(delay_s),
            ready_at: ticket_s.map(|s| received + Duration::seconds(s)),
        }
    }

    #[test]
    fn nearest_rank_is_always_one_of_the_values() {
        let values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(nearest_rank(&values, 50), Some(50));
        assert_eq!(nearest_rank(&values, 90), Some(90));
        assert_eq!(nearest_rank(&values, 91), Some(100));
        assert_eq!(nearest_rank(&values, 100), Some(100));
        assert_eq!(nearest_rank(&[7], 50), Some(7));
        assert_eq!(nearest_rank(&[1, 2, 3], 50), Some(2));
        assert_eq!(nearest_rank(&[1, 2], 50), Some(1));
        assert_eq!(nearest_rank(&[], 50), None);
    }

    #[test]
    fn minutes_are_contiguous_local_and_hold_their_own_orders_and_counts() {
        // 12:00:10, 12:00:50 and 12:02:00 in Beijing; a 409 at 12:01:30.
        let noon = datetime!(2026-11-23 04:00 UTC);
        let records = DayRecords {
            orders: vec![
                order(noon + Duration::seconds(10), 2, Some(300)),
                order(noon + Duration::seconds(50), 90, None),
                order(noon + Duration::seconds(120), 4, Some(600)),
            ],
            counts: vec![MinuteCount {
                minute: noon.unix_timestamp() + 60,
                kind: CountKind::Conflict,
                count: 3,
            }],
        };
        let figures = DayFigures::compute("2026-11-23", 480, LONGEST, &records);
        let shape: Vec<_> = figures
            .minutes
            .iter()
            .map(|m| (m.start.hour(), m.start.minute(), m.orders, m.conflicts))
            .collect();
        assert_eq!(shape, [(12, 0, 2, 0), (12, 1, 0, 3), (12, 2, 1, 0)]);
        assert_eq!(figures.minutes[0].start.offset().whole_minutes(), 480);
        let first = figures.minutes[0].delay.expect("delays");
        assert_eq!((first.p50_ms, first.max_ms), (2_000, 90_000));
        assert_eq!(figures.minutes[0].ticket.map(|t| t.count), Some(1));
        assert_eq!(figures.minutes[1].delay, None);
        assert_eq!(
            figures.totals,
            Totals {
                orders: 3,
                delayed_orders: 1,
                ready_orders: 2,
                replays: 0,
                conflicts: 3,
                shed: 0,
            }
        );
        let peak = figures.peak.expect("peak");
        assert_eq!((peak.start.minute(), peak.orders), (0, 2));
        let ticket = figures.ticket_time.expect("tickets");
        assert_eq!((ticket.p50_ms, ticket.max_ms), (300_000, 600_000));
    }

    #[test]
    fn a_device_clock_ahead_of_the_server_is_no_delay() {
        let noon = datetime!(2026-11-23 04:00 UTC);
        let records = DayRecords {
            orders: vec![order(noon, -30, None)],
            counts: vec![],
        };
        let figures = DayFigures::compute("2026-11-23", 480, LONGEST, &records);
        assert_eq!(figures.delivery_delay.map(|d| d.max_ms), Some(0));
    }

    #[test]
    fn one_order_from_year_zero_does_not_poison_the_days_delays() {
        let noon = datetime!(2026-11-23 04:00 UTC);
        let mut ancient = order(noon, 0, None);
        ancient.placed_at = datetime!(0000-01-01 00:00 UTC);
        let records = DayRecords {
            orders: vec![order(noon, 2, None), order(noon, 4, None), ancient],
            counts: vec![],
        };
        let figures = DayFigures::compute("2026-11-23", 480, LONGEST, &records);
        let delay = figures.delivery_delay.expect("delays");
        assert_eq!((delay.p50_ms, delay.max_ms), (4_000, 45 * 60_000));
    }

    #[test]
    fn an_empty_day_has_no_minutes_and_no_percentiles() {
        let figures = DayFigures::compute("2026-11-23", 480, LONGEST, &DayRecords::default());
        assert!(figures.minutes.is_empty());
        assert_eq!(figures.peak, None);
        assert_eq!(figures.delivery_delay, None);
        assert_eq!(figures.totals, Totals::default());
    }
}
