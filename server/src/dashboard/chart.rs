//! Per-minute charts as inline SVG: a time axis in local HH:MM, a value axis
//! with round ticks, bars for counts and lines for durations. Drawn on the
//! server so the page needs no script (and passes a CSP without
//! 'unsafe-inline': colours come from classes in admin.css).

use maud::{Markup, html};
use time::OffsetDateTime;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
/// Where the unit and the legend sit, above the plot.
const CAPTION_Y: f64 = 14.0;
const BOTTOM: f64 = 30.0;

/// How a chart draws its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// One bar per minute (the first series only): counts.
    Bars,
    /// A line per series, broken where a minute has no value: durations.
    Lines,
}

/// One named series, a value (or none) per minute.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    /// A CSS class in admin.css that colours it.
    pub class: &'static str,
    pub values: Vec<Option<f64>>,
}

/// A chart of minutes starting at `start` (local time).
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    /// The value axis' unit, e.g. "s".
    pub unit: String,
    pub start: OffsetDateTime,
    pub style: Style,
    pub series: Vec<Series>,
}

/// A round top for the value axis and the step between its ticks: 1, 2 or
/// 5 times a power of ten, four or five ticks.
pub fn value_axis(max: f64) -> (f64, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let rough = max / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * magnitude);
    // Counts are whole: no 0.5-order ticks.
    let step = if max >= 1.0 { step.max(1.0) } else { step };
    ((max / step).ceil() * step, step)
}

/// Minutes between time-axis labels, so that at most eight are shown.
pub fn time_step_minutes(minutes: usize) -> usize {
    [1, 2, 5, 10, 15, 30, 60, 120, 180, 360]
        .into_iter()
        .find(|step| minutes.div_ceil(*step) <= 8)
        .unwrap_or(360)
}

/// `12`, `2.5`: whole numbers without decimals.
pub fn format_value(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

impl Chart {
    fn minutes(&self) -> usize {
        self.series
            .iter()
            .map(|series| series.values.len())
            .max()
            .unwrap_or(0)
    }

    pub fn render(&self) -> Markup {
        let minutes = self.minutes().max(1);
        let max = self
            .series
            .iter()
            .flat_map(|series| series.values.iter().flatten())
            .fold(0.0f64, |max, value| max.max(*value));
        let (top, step) = value_axis(max);
        let plot_width = WIDTH - LEFT - RIGHT;
        let plot_height = HEIGHT - TOP - BOTTOM;
        let slot = plot_width / minutes as f64;
        let x_of = |index: usize| LEFT + slot * (index as f64 + 0.5);
        let y_of = |value: f64| TOP + plot_height * (1.0 - value / top);
        let ticks = (0..)
            .map(|i| f64::from(i) * step)
            .take_while(|value| *value <= top + step / 1e6);
        let time_step = time_step_minutes(minutes);
        let start_minute = usize::from(self.start.hour()) * 60 + usize::from(self.start.minute());
        let time_ticks = (0..minutes).filter(|i| (start_minute + i) % time_step == 0);
        let label = format!("{} ({})", self.title, self.unit);
        html! {
            svg class="chart" viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-label=(label) {
                title { (label) }
                g class="grid" {
                    @for value in ticks {
                        line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y_of(value)) y2=(y_of(value)) {}
                        text class="tick" x=(LEFT - 6.0) y=(y_of(value) + 4.0) text-anchor="end" { (format_value(value)) }
                    }
                }
                text class="unit" x="4" y=(CAPTION_Y) { (self.unit) }
                g class="time-axis" {
                    line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(TOP + plot_height) y2=(TOP + plot_height) {}
                    @for index in time_ticks {
                        @let at = self.start + time::Duration::minutes(index as i64);
                        line x1=(x_of(index)) x2=(x_of(index)) y1=(TOP + plot_height) y2=(TOP + plot_height + 4.0) {}
                        text class="tick" x=(x_of(index)) y=(HEIGHT - 10.0) text-anchor="middle" {
                            (format!("{:02}:{:02}", at.hour(), at.minute()))
                        }
                    }
                }
                @match self.style {
                    Style::Bars => @if let Some(series) = self.series.first() {
                        g class=(series.class) {
                            @for (index, value) in series.values.iter().enumerate() {
                                @if let Some(value) = value.filter(|value| *value > 0.0) {
                                    rect x=(LEFT + slot * index as f64 + slot * 0.1)
                                        y=(y_of(value))
                                        width=(slot * 0.8)
                                        height=(TOP + plot_height - y_of(value)) {}
                                }
                            }
                        }
                    },
                    Style::Lines => @for series in &self.series {
                        g class=(series.class) {
                            @for run in runs(&series.values) {
                                @if run.len() == 1 {
                                    circle cx=(x_of(run[0].0)) cy=(y_of(run[0].1)) r="2" {}
                                } @else {
                                    polyline fill="none" points=(points(&run, &x_of, &y_of)) {}
                                }
                            }
                        }
                    },
                }
                @if self.style == Style::Lines {
                    g class="legend" {
                        @for (index, series) in self.series.iter().enumerate() {
                            @let x = WIDTH - RIGHT - 110.0 * (self.series.len() - index) as f64;
                            g class=(series.class) {
                                line x1=(x) x2=(x + 18.0) y1=(CAPTION_Y - 4.0) y2=(CAPTION_Y - 4.0) {}
                            }
                            text class="tick" x=(x + 22.0) y=(CAPTION_Y) { (series.name) }
                        }
                    }
                }
            }
        }
    }
}

/// Consecutive minutes that have values: one polyline each.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for (index, value) in values.iter().enumerate() {
        match value {
            Some(value) => current.push((index, *value)),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

fn points(
    run: &[(usize, f64)],
    x_of: &impl Fn(usize) -> f64,
    y_of: &impl Fn(f64) -> f64,
) -> String {
    run.iter()
        .map(|(index, value)| format!("{:.1},{:.1}", x_of(*index), y_of(*value)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn the_value_axis_ends_on_a_round_number_above_the_data() {
        assert_eq!(value_axis(0.0), (1.0, 1.0));
        assert_eq!(value_axis(3.0), (3.0, 1.0));
        assert_eq!(value_axis(7.0), (8.0, 2.0));
        assert_eq!(value_axis(37.0), (40.0, 10.0));
        assert_eq!(value_axis(120.0), (150.0, 50.0));
        assert_eq!(value_axis(0.35), (0.4, 0.1));
    }

    #[test]
    fn at_most_eight_time_labels() {
        assert_eq!(time_step_minutes(5), 1);
        assert_eq!(time_step_minutes(30), 5);
        assert_eq!(time_step_minutes(120), 15);
        assert_eq!(time_step_minutes(24 * 60), 180);
    }

    #[test]
    fn lines_break_where_a_minute_has_no_value() {
        let values = [Some(1.0), Some(2.0), None, Some(3.0), None];
        assert_eq!(runs(&values), [vec![(0, 1.0), (1, 2.0)], vec![(3, 3.0)]]);
    }

    #[test]
    fn a_bar_chart_has_a_bar_per_busy_minute_and_local_time_labels() {
        let chart = Chart {
            title: "Orders per minute".into(),
            unit: "orders".into(),
            start: datetime!(2026-11-23 11:58 +8),
            style: Style::Bars,
            series: vec![Series {
                name: "orders".into(),
                class: "orders",
                values: vec![Some(1.0), Some(0.0), Some(4.0), Some(2.0)],
            }],
        };
        let svg = chart.render().into_string();
        assert_eq!(svg.matches("<rect").count(), 3, "{svg}");
        assert!(svg.contains(">12:00</text>"), "{svg}");
        assert!(svg.contains("aria-label=\"Orders per minute (orders)\""));
        assert!(!svg.contains("style="), "no inline styles under the CSP");
    }

    #[test]
    fn titles_are_escaped() {
        let chart = Chart {
            title: "<script>".into(),
            unit: "s".into(),
            start: datetime!(2026-11-23 12:00 +8),
            style: Style::Lines,
            series: vec![],
        };
        let svg = chart.render().into_string();
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
    }
}
