//! `/admin`: the peak-hour dashboard for a chosen trading day, and its
//! figures as JSON at `/api/v1/admin/dashboard`.

use axum::Json;
use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use time::OffsetDateTime;
use wendan_protocol::device_clock::max_age;
use wendan_protocol::{Problem, ProblemType};

use wendan_words::AdminWords;

use super::layout::{Section, page, words};
use super::payments;
use super::session::AdminPage;
use crate::auth::Admin;
use crate::business_day::business_day;
use crate::dashboard::DayFigures;
use crate::dashboard::chart::{Chart, Series, Style, format_value};
use crate::dashboard::day::ShownDay;
use crate::dashboard::figures::Percentiles;
use crate::language::{self, Language};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::storage::payments::DayPayments;
use crate::storage::{AdminStore, PaymentStore};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DayQuery {
    /// `YYYY-MM-DD`; today's trading day if absent.
    day: Option<String>,
    #[param(ignore)]
    lang: Option<String>,
}

/// The trading day asked for, or today's.
fn chosen_day(state: &AppState, day: Option<&str>) -> Result<ShownDay, ApiError> {
    let offset = state.menu().menu.opening_hours.utc_offset_minutes;
    let text = match day.map(str::trim).filter(|day| !day.is_empty()) {
        Some(day) => day.to_owned(),
        None => business_day(OffsetDateTime::now_utc(), offset),
    };
    ShownDay::parse(&text, offset)
        .map_err(|error| ApiError::new(ProblemType::MalformedRequest).detail(error.to_string()))
}

async fn figures(state: &AppState, day: &ShownDay) -> Result<DayFigures, ApiError> {
    let menu = &state.menu().menu;
    let name = day.name();
    let records = state.storage.day_records(&name, day.from, day.to).await?;
    // No order older than the menu allows is taken, so no delay is longer.
    let longest = max_age(menu);
    Ok(DayFigures::compute(
        &name,
        menu.opening_hours.utc_offset_minutes,
        longest,
        &records,
    ))
}

/// `GET /api/v1/admin/dashboard?day=YYYY-MM-DD`
#[utoipa::path(
    get,
    path = "/api/v1/admin/dashboard",
    tag = "admin",
    security(("admin_token" = [])),
    params(DayQuery),
    responses(
        (status = 200, description = "The trading day's figures, minute by minute", body = DayFigures),
        (status = 400, description = "malformed-request: `day` is not YYYY-MM-DD from 1970-01-01 to 9999-12-30", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthorized", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn api(
    _admin: Admin,
    State(state): State<AppState>,
    Query(query): Query<DayQuery>,
) -> Result<Json<DayFigures>, ApiError> {
    let day = chosen_day(&state, query.day.as_deref())?;
    Ok(Json(figures(&state, &day).await?))
}

/// `GET /admin`
pub async fn page_get(
    _admin: AdminPage,
    State(state): State<AppState>,
    Query(query): Query<DayQuery>,
) -> Result<Markup, ApiError> {
    let lang = language::from_query(query.lang.as_deref());
    let day = chosen_day(&state, query.day.as_deref())?;
    let figures = figures(&state, &day).await?;
    let payments = state
        .storage
        .day_payments(&day.name(), payments::LISTED)
        .await?;
    Ok(render(lang, &day, &figures, &payments))
}

fn seconds(ms: i64) -> String {
    format_value(ms as f64 / 1000.0)
}

fn minutes(ms: i64) -> String {
    format_value(ms as f64 / 60_000.0)
}

fn percentiles(
    words: &AdminWords,
    p: Option<Percentiles>,
    show: fn(i64) -> String,
    unit: &str,
) -> Markup {
    html! {
        @match p {
            Some(p) => {
                span class="big" { (show(p.p50_ms)) } " " (unit) " " span class="muted" { (words.median) }
                br;
                span class="muted" { "p90 " (show(p.p90_ms)) " " (unit) " · " (words.slowest) " " (show(p.max_ms)) " " (unit) }
            }
            None => span class="big" { "–" },
        }
    }
}

fn render(lang: Language, day: &ShownDay, figures: &DayFigures, payments: &DayPayments) -> Markup {
    let words = words(lang);
    let keep = format!("day={}&", day.name());
    let totals = &figures.totals;
    let body = html! {
        h1 { (words.dashboard) }
        form class="day-picker" method="get" action="/admin" {
            @if let Some(previous) = day.previous {
                a href={ "/admin?day=" (previous) "&lang=" (lang.tag()) } { (words.previous_day) }
            }
            label { (words.day) " " input type="date" name="day" value=(day.name()); }
            input type="hidden" name="lang" value=(lang.tag());
            button type="submit" { (words.show) }
            @if let Some(next) = day.next {
                a href={ "/admin?day=" (next) "&lang=" (lang.tag()) } { (words.next_day) }
            }
        }
        @if figures.minutes.is_empty() {
            p class="empty" { (words.no_orders) }
        } @else {
            dl class="summary" {
                div { dt { (words.orders) } dd { span class="big" data-figure="orders" { (totals.orders) } } }
                div {
                    dt { (words.peak) }
                    dd {
                        @if let Some(peak) = &figures.peak {
                            span class="big" { (format!("{:02}:{:02}", peak.start.hour(), peak.start.minute())) }
                            br;
                            span class="muted" { (peak.orders) " " (words.per_minute) }
                        }
                    }
                }
                div {
                    dt { (words.delivery_delay) }
                    dd {
                        (percentiles(words, figures.delivery_delay, seconds, words.seconds))
                        br;
                        span class="muted" { (totals.delayed_orders) " " (words.delayed) }
                    }
                }
                div { dt { (words.ticket_time) } dd { (percentiles(words, figures.ticket_time, minutes, words.minutes)) } }
                div { dt { (words.replays) } dd { span class="big" data-figure="replays" { (totals.replays) } } }
                div { dt { (words.conflicts) } dd { span class="big" data-figure="conflicts" { (totals.conflicts) } } }
                div { dt { (words.shed) } dd { span class="big" data-figure="shed" { (totals.shed) } } }
            }
            (charts(words, figures))
            p class="hint" { (words.times_note) }
        }
        (payments::section(&words.payments, payments))
    };
    page(lang, Section::Dashboard, words.dashboard, &keep, body)
}

fn charts(words: &AdminWords, figures: &DayFigures) -> Markup {
    let Some(first) = figures.minutes.first() else {
        return html! {};
    };
    let start = first.start;
    let count = |f: fn(&crate::dashboard::figures::MinuteFigures) -> f64| -> Vec<Option<f64>> {
        figures.minutes.iter().map(|m| Some(f(m))).collect()
    };
    let bars = |title: &str, unit: &str, class: &'static str, values: Vec<Option<f64>>| Chart {
        title: title.to_owned(),
        unit: unit.to_owned(),
        start,
        style: Style::Bars,
        series: vec![Series {
            name: title.to_owned(),
            class,
            values,
        }],
    };
    let lines =
        |title: &str,
         unit: &str,
         scale: f64,
         pick: fn(&crate::dashboard::figures::MinuteFigures) -> Option<Percentiles>| {
            Chart {
                title: title.to_owned(),
                unit: unit.to_owned(),
                start,
                style: Style::Lines,
                series: vec![
                    Series {
                        name: words.median.to_owned(),
                        class: "p50",
                        values: figures
                            .minutes
                            .iter()
                            .map(|m| pick(m).map(|p| p.p50_ms as f64 / scale))
                            .collect(),
                    },
                    Series {
                        name: words.slowest.to_owned(),
                        class: "max",
                        values: figures
                            .minutes
                            .iter()
                            .map(|m| pick(m).map(|p| p.max_ms as f64 / scale))
                            .collect(),
                    },
                ],
            }
        };
    let sections = [
        (
            words.orders_per_minute,
            None,
            bars(
                words.orders_per_minute,
                words.per_minute,
                "orders",
                count(|m| m.orders as f64),
            ),
        ),
        (
            words.delivery_delay,
            Some(words.delivery_delay_hint),
            lines(words.delivery_delay, words.seconds, 1000.0, |m| m.delay),
        ),
        (
            words.ticket_time,
            Some(words.ticket_time_hint),
            lines(words.ticket_time, words.minutes, 60_000.0, |m| m.ticket),
        ),
        (
            words.replays,
            Some(words.replays_hint),
            bars(
                words.replays,
                words.count,
                "replays",
                count(|m| m.replays as f64),
            ),
        ),
        (
            words.conflicts,
            Some(words.conflicts_hint),
            bars(
                words.conflicts,
                words.count,
                "conflicts",
                count(|m| m.conflicts as f64),
            ),
        ),
        (
            words.shed,
            Some(words.shed_hint),
            bars(words.shed, words.count, "shed", count(|m| m.shed as f64)),
        ),
    ];
    html! {
        @for (title, hint, chart) in sections {
            section class="chart-card" {
                h2 { (title) }
                @if let Some(hint) = hint { p class="hint" { (hint) } }
                (chart.render())
            }
        }
    }
}
