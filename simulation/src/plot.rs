//! The offered load over time as a small hand-written SVG: four polylines on
//! a logarithmic load axis. A plotting library would be a large dependency
//! for one chart of four lines.

use std::fmt::Write;

use crate::Run;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 540.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 250.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 60.0;
/// Load axis: 0.1× to 1000× capacity, in decades.
const LOG_MIN: f64 = -1.0;
const LOG_MAX: f64 = 3.0;
/// Okabe–Ito colours, distinguishable with colour-blindness.
const COLOURS: [&str; 5] = ["#d55e00", "#e69f00", "#0072b2", "#009e73", "#cc79a7"];

/// Offered load per second ÷ capacity for each run, from t = 0 to `until_secs`.
pub fn svg(runs: &[Run], until_secs: u32) -> String {
    let until = f64::from(until_secs.max(1));
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |secs: f64| LEFT + plot_w * (secs / until).min(1.0);
    let y = |load: f64| {
        let log = load.max(10f64.powf(LOG_MIN)).log10().min(LOG_MAX);
        TOP + plot_h * (LOG_MAX - log) / (LOG_MAX - LOG_MIN)
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="13">"##
    );
    out.push_str(r##"<rect width="100%" height="100%" fill="white"/>"##);
    out.push('\n');
    if let Some(first) = runs.first() {
        let _ = writeln!(
            out,
            r##"<text x="{LEFT}" y="28" font-size="16" font-weight="bold">Thundering herd: {} orders sendable at t = 0, server capacity {}/s</text>"##,
            first.config.diners, first.config.capacity
        );
    }
    // Load gridlines, one per decade, and the capacity line.
    for decade in (LOG_MIN as i32)..=(LOG_MAX as i32) {
        let load = 10f64.powi(decade);
        let gy = y(load);
        let (stroke, dash) = if decade == 0 {
            ("#333", r##" stroke-dasharray="6 4""##)
        } else {
            ("#ddd", "")
        };
        let _ = writeln!(
            out,
            r##"<line x1="{LEFT}" y1="{gy:.1}" x2="{:.1}" y2="{gy:.1}" stroke="{stroke}"{dash}/><text x="{:.1}" y="{:.1}" text-anchor="end">{}×</text>"##,
            LEFT + plot_w,
            LEFT - 8.0,
            gy + 4.0,
            load
        );
    }
    let _ = writeln!(
        out,
        r##"<text x="{:.1}" y="{:.1}" font-size="12">capacity</text>"##,
        LEFT + plot_w - 60.0,
        y(1.0) - 6.0
    );
    // Time ticks.
    let step = tick_step(until);
    let mut tick = 0.0;
    while tick <= until + 1e-9 {
        let tx = x(tick);
        let _ = writeln!(
            out,
            r##"<line x1="{tx:.1}" y1="{:.1}" x2="{tx:.1}" y2="{:.1}" stroke="#999"/><text x="{tx:.1}" y="{:.1}" text-anchor="middle">{tick}</text>"##,
            TOP + plot_h,
            TOP + plot_h + 5.0,
            TOP + plot_h + 20.0
        );
        tick += step;
    }
    let _ = writeln!(
        out,
        r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#333"/>
<text x="{:.1}" y="{:.1}" text-anchor="middle">seconds since the Wi-Fi came back</text>
<text transform="translate(22 {:.1}) rotate(-90)" text-anchor="middle">offered load ÷ capacity (per second, log scale)</text>"##,
        LEFT + plot_w / 2.0,
        HEIGHT - 15.0,
        TOP + plot_h / 2.0
    );
    for (index, run) in runs.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        let points: Vec<String> = run
            .load_per_second()
            .iter()
            .enumerate()
            .take_while(|(second, _)| (*second as f64) <= until)
            .flat_map(|(second, &load)| {
                // A step per second: flat across the bin it counts.
                let start = second as f64;
                let end = (start + 1.0).min(until);
                [(x(start), y(load)), (x(end), y(load))]
            })
            .map(|(px, py)| format!("{px:.1},{py:.1}"))
            .collect();
        let _ = writeln!(
            out,
            r##"<polyline fill="none" stroke="{colour}" stroke-width="1.5" stroke-opacity="0.85" points="{}"/>"##,
            points.join(" ")
        );
        let ly = TOP + 20.0 + 40.0 * index as f64;
        let lx = LEFT + plot_w + 15.0;
        let _ = writeln!(
            out,
            r##"<line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="3"/><text x="{:.1}" y="{:.1}">{}</text><text x="{:.1}" y="{:.1}" font-size="11" fill="#555">last order at {:.0} s</text>"##,
            lx + 24.0,
            lx + 30.0,
            ly + 4.0,
            run.strategy.label(),
            lx + 30.0,
            ly + 19.0,
            run.completion_secs()
        );
    }
    out.push_str("</svg>\n");
    out
}

/// A round step giving about ten ticks.
fn tick_step(until: f64) -> f64 {
    let rough = until / 10.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Strategy, simulate_all};

    #[test]
    fn draws_one_line_and_one_legend_entry_per_strategy() {
        let runs = simulate_all(Config {
            diners: 500,
            capacity: 50,
            queue_limit: 20,
            seed: 1,
        });
        let svg = svg(&runs, 60);
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), Strategy::ALL.len());
        assert!(svg.contains(">full jitter + Retry-After</text>"));
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(200.0), 20.0);
        assert_eq!(tick_step(1500.0), 200.0);
        assert_eq!(tick_step(60.0), 10.0);
    }
}
