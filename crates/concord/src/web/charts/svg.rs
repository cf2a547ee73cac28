//! Charts as inline SVG, built on the server: a [`Chart`] (labels, series, an optional limit
//! line) is laid out into plain shapes by [`layout`] and written as markup by [`render`]. No
//! script and no `style` attribute: colours come from classes in `concord.css`, so the strict
//! CSP (`style-src 'self'`, `script-src 'self'`) holds.

use std::fmt::Write as _;

pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 24.0;
/// At most this many x-axis labels; the others are left out so labels never overlap.
const MAX_X_LABELS: usize = 8;

/// How several series share one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Side by side.
    Grouped,
    /// On top of each other (the bar's height is the bucket's total).
    Stacked,
}

/// One series: a value per label. Chart geometry only: counts and seconds, never money.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// The CSS class that colours it (`s-oro`, `s-cin7`, …).
    pub class: &'static str,
    pub values: Vec<f64>,
}

/// A horizontal reference line, e.g. the rate budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    pub value: f64,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Read out by screen readers; not drawn (the page heads each chart).
    pub title: String,
    /// What a value counts: `orders`, `s`, `calls`.
    pub unit: String,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
    pub style: Style,
    pub limit: Option<Limit>,
    /// Shown instead of the chart when every value is zero or there are none.
    pub empty_text: String,
}

/// One drawn bar, in SVG user units.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub class: &'static str,
    /// The tooltip: `14:00 · Oro: 12 orders`.
    pub title: String,
}

/// The laid-out chart: the y-axis top, the bars, where labels go and where the limit is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub y_max: f64,
    pub bars: Vec<Bar>,
    /// (x, text) of the x-axis labels drawn.
    pub x_labels: Vec<(f64, String)>,
    /// (y, text) of the y-axis ticks: 0, half, top.
    pub y_ticks: Vec<(f64, String)>,
    /// y of the limit line.
    pub limit_y: Option<f64>,
}

/// Whether there is anything to draw.
pub fn is_empty(chart: &Chart) -> bool {
    chart.labels.is_empty()
        || chart
            .series
            .iter()
            .all(|s| s.values.iter().all(|v| !v.is_finite() || *v <= 0.0))
}

/// The smallest 1, 2 or 5 × 10ⁿ at or above `v` (at least 1), so ticks read as round numbers.
pub fn nice_ceiling(v: f64) -> f64 {
    if !(v.is_finite() && v > 1.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|candidate| *candidate >= v)
        .unwrap_or(10.0 * magnitude)
}

/// A value as a short label: whole numbers without decimals, others to one place.
pub fn short(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn value(series: &Series, i: usize) -> f64 {
    series
        .values
        .get(i)
        .copied()
        .filter(|v| v.is_finite() && *v > 0.0)
        .unwrap_or(0.0)
}

fn bucket_top(chart: &Chart, i: usize) -> f64 {
    match chart.style {
        Style::Stacked => chart.series.iter().map(|s| value(s, i)).sum(),
        Style::Grouped => chart.series.iter().map(|s| value(s, i)).fold(0.0, f64::max),
    }
}

/// Lays the chart out: every bar's height is its value's share of the y-axis top.
pub fn layout(chart: &Chart) -> Layout {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = chart.labels.len().max(1);
    let peak = (0..chart.labels.len())
        .map(|i| bucket_top(chart, i))
        .fold(0.0, f64::max);
    let y_max = nice_ceiling(peak.max(chart.limit.as_ref().map_or(0.0, |l| l.value)));
    let y_of = |v: f64| TOP + plot_h - v / y_max * plot_h;
    let slot = plot_w / n as f64;
    let mut bars = Vec::new();
    for (i, label) in chart.labels.iter().enumerate() {
        let x0 = LEFT + slot * i as f64 + slot * 0.1;
        let inner = slot * 0.8;
        let mut stacked = 0.0;
        let per = inner / chart.series.len().max(1) as f64;
        for (k, s) in chart.series.iter().enumerate() {
            let v = value(s, i);
            if v <= 0.0 {
                continue;
            }
            let (x, width, base) = match chart.style {
                Style::Grouped => (x0 + per * k as f64, per, 0.0),
                Style::Stacked => (x0, inner, stacked),
            };
            stacked += v;
            bars.push(Bar {
                x,
                y: y_of(base + v),
                width,
                height: v / y_max * plot_h,
                class: s.class,
                title: format!("{label} · {}: {} {}", s.name, short(v), chart.unit),
            });
        }
    }
    let every = chart.labels.len().div_ceil(MAX_X_LABELS).max(1);
    let x_labels = chart
        .labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, l)| (LEFT + slot * (i as f64 + 0.5), l.clone()))
        .collect();
    let y_ticks = [0.0, y_max / 2.0, y_max]
        .into_iter()
        .map(|v| (y_of(v), short(v)))
        .collect();
    Layout {
        y_max,
        bars,
        x_labels,
        y_ticks,
        limit_y: chart.limit.as_ref().map(|l| y_of(l.value)),
    }
}

/// Text made safe inside SVG markup.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The chart as an `<svg>` element (or its empty text when there is nothing to draw).
pub fn render(chart: &Chart) -> String {
    let mut out = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}">"#,
        escape(&chart.title)
    );
    if is_empty(chart) {
        let _ = write!(
            out,
            r#"<text class="empty" x="{}" y="{}" text-anchor="middle">{}</text></svg>"#,
            WIDTH / 2.0,
            HEIGHT / 2.0,
            escape(&chart.empty_text)
        );
        return out;
    }
    let l = layout(chart);
    write_axes(&mut out, &l);
    for b in &l.bars {
        let _ = write!(
            out,
            r#"<rect class="{}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>{}</title></rect>"#,
            b.class,
            b.x,
            b.y,
            b.width,
            b.height,
            escape(&b.title)
        );
    }
    // Labelled at the left: the recent buckets, on the right, are the ones people read.
    if let (Some(y), Some(limit)) = (l.limit_y, &chart.limit) {
        let _ = write!(
            out,
            r#"<line class="limit" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"></line><text class="limit-label" x="{}" y="{:.1}">{}</text>"#,
            WIDTH - RIGHT,
            LEFT + 4.0,
            y - 4.0,
            escape(&limit.label)
        );
    }
    write_legend(&mut out, chart);
    out.push_str("</svg>");
    out
}

fn write_axes(out: &mut String, l: &Layout) {
    for (y, text) in &l.y_ticks {
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"></line><text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            escape(text)
        );
    }
    for (x, text) in &l.x_labels {
        let _ = write!(
            out,
            r#"<text class="tick" x="{x:.1}" y="{}" text-anchor="middle">{}</text>"#,
            HEIGHT - 6.0,
            escape(text)
        );
    }
}

fn write_legend(out: &mut String, chart: &Chart) {
    let mut x = LEFT;
    for s in &chart.series {
        let _ = write!(
            out,
            r#"<rect class="{}" x="{x:.1}" y="6" width="10" height="10"></rect><text class="legend" x="{:.1}" y="15">{}</text>"#,
            s.class,
            x + 14.0,
            escape(&s.name)
        );
        x += 14.0 + 8.0 * s.name.chars().count() as f64 + 18.0;
    }
}
