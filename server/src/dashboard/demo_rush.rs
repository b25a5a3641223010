//! A plausible lunch rush for the demo, so the dashboard has something to
//! show: arrivals peaking around 12:15, most orders arriving at once, some
//! after retries and a few after minutes in a diner's outbox, ticket times
//! that grow with the kitchen's load, and the replays, 409s and 503s such a
//! rush brings. Deterministic for a seed. Never used outside `--demo-rush`.

use time::{Date, Duration, OffsetDateTime};
use wendan_outbox::random::{Random, SplitMix64};
use wendan_protocol::order::{ClientInfo, OrderLine, OrderMode};
use wendan_protocol::pricing::quote;
use wendan_protocol::{IdempotencyKey, Menu, OrderRequest, OrderStatus, PlacedOrder};

use super::counts::{CountKind, MinuteCount, minute_of};
use crate::business_day::{bounds, business_day};
use crate::storage::{AdminStore, NewOrder, PastOrder, ScopedKey, Storage, StorageError};
use crate::tables::demo_tables;

/// Seeds the last finished lunch with a rush, unless that day has orders
/// already (so restarting the demo does not add a second rush). Returns the
/// trading day seeded.
pub async fn seed(
    storage: &Storage,
    menu: &Menu,
    now: OffsetDateTime,
) -> Result<Option<Date>, StorageError> {
    let offset = menu.opening_hours.utc_offset_minutes;
    let day = latest_finished_lunch(now, offset);
    if storage.day_order_count(&day.to_string()).await? > 0 {
        return Ok(None);
    }
    let (orders, counts) = lunch_rush(menu, day, offset, 0x5745_4e44_414e);
    storage.import_past(orders).await?;
    storage.add_counts(counts).await?;
    Ok(Some(day))
}

/// Lunch runs 11:00–14:00 local time: 7 to 10 hours into the trading day.
const LUNCH_FROM_HOURS: i64 = 7;
const LUNCH_MINUTES: i64 = 180;

/// The last trading day whose lunch is over at `now`.
pub fn latest_finished_lunch(now: OffsetDateTime, utc_offset_minutes: i16) -> Date {
    let today = Date::parse(
        &business_day(now, utc_offset_minutes),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap_or(now.date());
    let Some((start, _)) = bounds(today, utc_offset_minutes) else {
        return today;
    };
    let lunch_over = start + Duration::hours(LUNCH_FROM_HOURS) + Duration::minutes(LUNCH_MINUTES);
    if now >= lunch_over {
        today
    } else {
        today.previous_day().unwrap_or(today)
    }
}

/// Orders per minute at `minute` of lunch: a steady trickle and a peak.
fn arrival_rate(minute: i64) -> f64 {
    let from_peak = (minute - 75) as f64 / 22.0;
    0.6 + 11.0 * (-0.5 * from_peak * from_peak).exp()
}

/// Knuth's method: fine for the small rates of one minute.
fn poisson(rate: f64, random: &mut SplitMix64) -> u32 {
    let limit = (-rate).exp();
    let (mut count, mut product) = (0, random.unit());
    while product > limit {
        count += 1;
        product *= random.unit();
    }
    count
}

/// The demo rush on trading day `day`: orders with their statuses, and the
/// per-minute intake counts.
pub fn lunch_rush(
    menu: &Menu,
    day: Date,
    utc_offset_minutes: i16,
    seed: u64,
) -> (Vec<PastOrder>, Vec<MinuteCount>) {
    let mut random = SplitMix64::new(seed);
    let mut orders = Vec::new();
    let mut counts = Vec::new();
    let Some((start, _)) = bounds(day, utc_offset_minutes) else {
        return (orders, counts);
    };
    let lunch = start + Duration::hours(LUNCH_FROM_HOURS);
    let mut recent: Vec<i64> = Vec::new();
    for minute in 0..LUNCH_MINUTES {
        let rate = arrival_rate(minute);
        let arrivals = poisson(rate, &mut random);
        recent.push(i64::from(arrivals));
        let load: i64 = recent.iter().rev().take(15).sum();
        let minute_start = lunch + Duration::minutes(minute);
        for _ in 0..arrivals {
            let received = minute_start + Duration::milliseconds((random.unit() * 59_999.0) as i64);
            let waited = random.unit();
            let delay_ms = if waited < 0.86 {
                150.0 + random.unit() * 1_500.0
            } else if waited < 0.97 {
                3_000.0 + random.unit() * 40_000.0
            } else {
                60_000.0 + random.unit() * 420_000.0
            };
            let created = received - Duration::milliseconds(delay_ms as i64);
            let ticket = 300.0 + 3.5 * load as f64 + random.unit() * 180.0;
            let ready = received + Duration::seconds(ticket as i64);
            let preparing = received + Duration::seconds(20 + (random.unit() * 90.0) as i64);
            let completed = ready + Duration::seconds(90 + (random.unit() * 240.0) as i64);
            if let Some(order) = order(menu, &mut random, received, created, day) {
                orders.push(PastOrder {
                    order,
                    later: vec![
                        (OrderStatus::Preparing, preparing),
                        (OrderStatus::Ready, ready),
                        (OrderStatus::Completed, completed),
                    ],
                });
            }
        }
        let minute_key = minute_of(minute_start);
        let replays = poisson(0.12 * f64::from(arrivals), &mut random);
        let conflicts = poisson(0.03 * f64::from(arrivals), &mut random);
        let shed = if rate > 9.0 {
            poisson((rate - 9.0) * 2.5, &mut random)
        } else {
            0
        };
        for (kind, count) in [
            (CountKind::Replay, replays),
            (CountKind::Conflict, conflicts),
            (CountKind::Shed, shed),
        ] {
            if count > 0 {
                counts.push(MinuteCount {
                    minute: minute_key,
                    kind,
                    count: i64::from(count),
                });
            }
        }
    }
    (orders, counts)
}

/// A priced dine-in order for a random table: a pot and a few dishes.
fn order(
    menu: &Menu,
    random: &mut SplitMix64,
    received: OffsetDateTime,
    created: OffsetDateTime,
    day: Date,
) -> Option<NewOrder> {
    const POTS: [&str; 2] = ["tomato-pot", "mushroom-pot"];
    const DISHES: [&str; 2] = ["beef-tripe", "duck-intestine"];
    let pick = |random: &mut SplitMix64, n: usize| ((random.unit() * n as f64) as usize).min(n - 1);
    let mut items = vec![line(POTS[pick(random, POTS.len())], 1)];
    items.push(line(
        DISHES[pick(random, DISHES.len())],
        1 + pick(random, 3) as i64,
    ));
    let tables = demo_tables();
    let table = tables[pick(random, tables.len())].id.clone();
    let device = format!("demo-device-{}", random.next_u64() % 10_000);
    let request = OrderRequest {
        mode: OrderMode::DineIn,
        table: Some(table.clone()),
        table_code: None,
        pickup_name: None,
        items,
        note: None,
        client: ClientInfo {
            device_id: device.clone(),
            created_at: created,
            sent_at: received,
            menu_version: menu.version.clone(),
            total_minor: 0,
        },
    };
    let quote = quote(menu, &request).ok()?;
    let id = format!("{:016x}{:016x}", random.next_u64(), random.next_u64());
    let key = IdempotencyKey::new(&format!("demo-{id}")).ok()?;
    Some(NewOrder {
        key: ScopedKey {
            device_id: device,
            key,
        },
        fingerprint: format!("demo-{id}"),
        business_day: day.to_string(),
        placed_at: created,
        order: PlacedOrder {
            id,
            number: 0,
            status: OrderStatus::Received,
            mode: OrderMode::DineIn,
            table: Some(table),
            pickup_name: None,
            items: quote.lines,
            note: None,
            total_minor: quote.total_minor,
            currency: menu.currency.clone(),
            received_at: received,
            client_created_at: created,
            status_reason: None,
            visit_id: None,
        },
    })
}

fn line(item_id: &str, qty: i64) -> OrderLine {
    OrderLine {
        item_id: item_id.to_owned(),
        qty,
        options: Vec::new(),
        note: None,
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::dashboard::{DayFigures, DayRecords, OrderTimes};
    use crate::menu::PublishedMenu;

    #[test]
    fn the_lunch_before_two_belongs_to_the_previous_day() {
        // 13:00 in Beijing: today's lunch is not over.
        assert_eq!(
            latest_finished_lunch(datetime!(2026-11-23 05:00 UTC), 480),
            date!(2026 - 11 - 22)
        );
        // 15:00 in Beijing.
        assert_eq!(
            latest_finished_lunch(datetime!(2026-11-23 07:00 UTC), 480),
            date!(2026 - 11 - 23)
        );
    }

    #[test]
    fn the_rush_peaks_around_a_quarter_past_twelve_and_is_repeatable() {
        let menu = PublishedMenu::demo().expect("demo").menu;
        let day = date!(2026 - 11 - 20);
        let (orders, counts) = lunch_rush(&menu, day, 480, 7);
        assert_eq!(orders.len(), lunch_rush(&menu, day, 480, 7).0.len());
        assert!(orders.len() > 300, "{} orders", orders.len());
        assert!(orders.iter().all(|o| o.order.business_day == "2026-11-20"));
        let records = DayRecords {
            orders: orders
                .iter()
                .map(|o| OrderTimes {
                    received_at: o.order.order.received_at,
                    placed_at: o.order.placed_at,
                    ready_at: o.later.get(1).map(|(_, at)| *at),
                })
                .collect(),
            counts,
        };
        let figures = DayFigures::compute("2026-11-20", 480, Duration::minutes(45), &records);
        let peak = figures.peak.expect("a peak");
        assert!((11..=12).contains(&peak.start.hour()), "{peak:?}");
        assert!(figures.totals.shed > 0 && figures.totals.replays > 0);
        assert!(figures.totals.delayed_orders > 0);
    }
}
