//! The chart kinds of the briefing papers: fan, bar, tornado, heatmap, stacked bars and x–y
//! (scatter or line) charts.
//!
//! Each kind is a plain data struct, prepared by the caller (quantiles already computed, labels
//! already worded, units in the axis label), and a function that turns it into a [`Rendered`]
//! SVG and PNG through `super::render`. This file owns only what each kind draws; the frame
//! (title, subtitle, legend row, footnote), fonts, colours and output formats are the parent
//! module's. Non-finite values are skipped, not drawn; see "Empty data" in the parent module for
//! what a chart with nothing to draw looks like.

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Chart, ChartError, Frame, GRID, INK, Kit, Labels, MUTED, Mark, REFERENCE, Rendered, colour, draw_err, draw_no_data,
    finite_range, fmt_number, pad_range, render, tick_decimals,
};

/// Opacity of the 90% band of a fan chart.
const ALPHA_90: f64 = 0.16;
/// Opacity of the 50% band, drawn over the 90% band.
const ALPHA_50: f64 = 0.32;
/// Opacity of bar fills, so gridlines behind stay faintly visible.
const ALPHA_BAR: f64 = 0.85;
/// Legend entry for the base value of a tornado chart.
/// Band colour in the legend of a multi-scenario fan chart, where each scenario has its own.
const BAND_GREY: RGBColor = RGBColor(0x80, 0x80, 0x80);

/// One year of a fan chart: the 5th, 25th, 50th, 75th and 95th percentiles across draws.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FanPoint {
    /// Calendar year.
    pub year: u16,
    /// 5th percentile (lower edge of the 90% band).
    pub p5: f64,
    /// 25th percentile (lower edge of the 50% band).
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile (upper edge of the 50% band).
    pub p75: f64,
    /// 95th percentile (upper edge of the 90% band).
    pub p95: f64,
}

/// One scenario's fan: its bands and median over the years.
#[derive(Debug, Clone, PartialEq)]
pub struct FanSeries {
    /// Scenario name shown in the legend.
    pub label: String,
    /// Palette index (see [`super::colour`]); use the same index for a scenario in every chart.
    pub colour: usize,
    /// One point per year; order does not matter, points with a non-finite value are skipped.
    pub points: Vec<FanPoint>,
}

/// A fan chart: one indicator over the years, one fan per scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct FanData {
    /// Chart title, e.g. "新增城镇就业".
    pub title: String,
    /// One line under the title (may be empty).
    pub subtitle: String,
    /// Y-axis label with units, e.g. "新增城镇就业（万人）".
    pub y_label: String,
    /// Provenance line at the bottom, e.g. "urbsim 0.1.0 · seed 20250618 · 2,000 draws".
    pub footnote: String,
    /// Scenarios; several make a scenario comparison.
    pub series: Vec<FanSeries>,
    /// Target value and its label, drawn as a dashed horizontal line.
    pub target: Option<(f64, String)>,
    /// Observed values by year, drawn as points.
    pub history: Vec<(u16, f64)>,
}

/// One horizontal bar with an interval whisker.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Category label on the y axis (a scenario or a parameter).
    pub label: String,
    /// Bar length.
    pub value: f64,
    /// Lower end of the whisker (non-finite: no whisker).
    pub low: f64,
    /// Upper end of the whisker (non-finite: no whisker).
    pub high: f64,
    /// Palette index.
    pub colour: usize,
}

/// Horizontal bars with intervals: target attainment probability per scenario, Sobol indices.
#[derive(Debug, Clone, PartialEq)]
pub struct BarData {
    /// Chart title.
    pub title: String,
    /// One line under the title (may be empty).
    pub subtitle: String,
    /// Value-axis label with units, e.g. "达标概率".
    pub x_label: String,
    /// Provenance line at the bottom.
    pub footnote: String,
    /// Bars, drawn top to bottom in this order.
    pub bars: Vec<Bar>,
    /// A fixed value axis, such as 0–100 for probabilities in percent, so charts of the same
    /// quantity share a scale; `None` fits the data. Values beyond it widen it.
    pub axis: Option<(f64, f64)>,
}

/// A tornado chart: one-at-a-time sensitivity of an output to each parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoData {
    /// Chart title.
    pub title: String,
    /// One line under the title (may be empty).
    pub subtitle: String,
    /// Output-axis label with units.
    pub x_label: String,
    /// Provenance line at the bottom.
    pub footnote: String,
    /// Output with every parameter at its base value; bars start here.
    pub base: f64,
    /// Parameter label, output with the parameter at its low value, output at its high value.
    /// Drawn widest swing on top, whatever the order here.
    pub rows: Vec<(String, f64, f64)>,
}

/// A heatmap of a probability over a grid of two levers.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapData {
    /// Chart title.
    pub title: String,
    /// One line under the title (may be empty).
    pub subtitle: String,
    /// First lever with units.
    pub x_label: String,
    /// Second lever with units.
    pub y_label: String,
    /// Provenance line at the bottom.
    pub footnote: String,
    /// First lever's grid values, strictly increasing.
    pub x: Vec<f64>,
    /// Second lever's grid values, strictly increasing.
    pub y: Vec<f64>,
    /// `z[iy][ix]` in `[0, 1]` (clamped); a non-finite cell is drawn grey.
    pub z: Vec<Vec<f64>>,
    /// Names of the columns, drawn as x tick labels instead of the numbers (e.g. years); empty:
    /// a numeric axis. When not empty, one per `x` value; the cells are then drawn evenly spaced.
    pub x_names: Vec<String>,
    /// Names of the rows, drawn bottom-up as y tick labels (e.g. parameter names); empty: a
    /// numeric axis. When not empty, one per `y` value; the cells are then drawn evenly spaced.
    pub y_names: Vec<String>,
    /// Title of the colour key; empty means the fixed "probability" text.
    pub key_label: String,
}

/// Stacked bars by year, e.g. the project pipeline by stage (储备/开工/在建/建成).
#[derive(Debug, Clone, PartialEq)]
pub struct StackData {
    /// Chart title.
    pub title: String,
    /// One line under the title (may be empty).
    pub subtitle: String,
    /// Y-axis label with units.
    pub y_label: String,
    /// Provenance line at the bottom.
    pub footnote: String,
    /// One bar per year.
    pub years: Vec<u16>,
    /// Layer name and one value per year (finite, ≥ 0), stacked bottom-up in this order.
    pub layers: Vec<(String, Vec<f64>)>,
}

/// One point of an x–y chart.
#[derive(Debug, Clone, PartialEq)]
pub struct XyPoint {
    /// Horizontal value.
    pub x: f64,
    /// Vertical value.
    pub y: f64,
    /// Drawn next to the point when not empty (e.g. a parameter name).
    pub label: String,
}

/// A scatter or line chart of points in the plane: Morris μ*–σ plots, PRIM coverage–density
/// trade-off curves.
#[derive(Debug, Clone, PartialEq)]
pub struct XyData {
    /// Chart title.
    pub title: String,
    /// One line under the title (may be empty).
    pub subtitle: String,
    /// X-axis label with units, e.g. "μ*".
    pub x_label: String,
    /// Y-axis label with units, e.g. "σ".
    pub y_label: String,
    /// Provenance line at the bottom.
    pub footnote: String,
    /// Points; a point with a non-finite coordinate is skipped.
    pub points: Vec<XyPoint>,
    /// Draws a line through the points in their order (a trade-off curve).
    pub connect: bool,
    /// Index into `points` of one point to mark larger in the second palette colour (e.g. the
    /// chosen PRIM box); an index past the end is a [`ChartError::Draw`].
    pub highlight: Option<usize>,
}

/// Fan chart: 90% band light, 50% band darker, median line, dashed target, history points.
pub fn fan_chart(d: &FanData, fixed: &'static Labels) -> Result<Rendered, ChartError> {
    render(d, fixed)
}

/// Horizontal bars with interval whiskers, first bar on top.
pub fn bar_chart(d: &BarData, fixed: &'static Labels) -> Result<Rendered, ChartError> {
    render(d, fixed)
}

/// Tornado chart: bars from the base value to the output at each parameter's low and high value.
pub fn tornado_chart(d: &TornadoData, fixed: &'static Labels) -> Result<Rendered, ChartError> {
    render(d, fixed)
}

/// Heatmap with a viridis colour key; small grids also print each cell's value.
pub fn heatmap_chart(d: &HeatmapData, fixed: &'static Labels) -> Result<Rendered, ChartError> {
    render(d, fixed)
}

/// Stacked bars by year; totals are printed over the bars when there are at most 15 years.
pub fn stacked_bars(d: &StackData, fixed: &'static Labels) -> Result<Rendered, ChartError> {
    render(d, fixed)
}

/// X–y chart: points (labelled where they have a label), optionally joined by a line, one
/// optionally highlighted. Axes start at 0 when no value is negative.
pub fn xy_chart(d: &XyData, fixed: &'static Labels) -> Result<Rendered, ChartError> {
    render(d, fixed)
}

/// Labels of the year axis: whole years only (plotters may put ticks between years).
fn year_label(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-6 { format!("{:.0}", v) } else { String::new() }
}

/// Width of the y label area: the widest tick label, the tick and gap, the rotated axis label.
fn y_area(kit: &Kit, ticks: &[String], with_desc: bool) -> i32 {
    let widest = ticks.iter().map(|t| kit.measure(t, Kit::TICK)).max().unwrap_or(0);
    widest + kit.px(16.0) + if with_desc { kit.px(Kit::AXIS * 1.8) } else { 0 }
}

/// Common mesh style: light horizontal or vertical grid, thin axes, house fonts.
fn style_mesh<'m, 'a, 'b, DB: DrawingBackend, X: Ranged, Y: Ranged>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
    kit: &Kit,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    mesh.bold_line_style(GRID.stroke_width(kit.upx(1.0)))
        .light_line_style(TRANSPARENT)
        .axis_style(REFERENCE.stroke_width(kit.upx(1.0)))
        .label_style(kit.text(Kit::TICK, INK))
        .axis_desc_style(kit.text(Kit::AXIS, INK))
        .set_all_tick_mark_size(kit.px(4.0))
}

/// Fan points sorted by year, without non-finite ones.
fn clean_points(points: &[FanPoint]) -> Vec<FanPoint> {
    let mut p: Vec<FanPoint> =
        points.iter().copied().filter(|p| [p.p5, p.p25, p.p50, p.p75, p.p95].iter().all(|v| v.is_finite())).collect();
    p.sort_by_key(|p| p.year);
    p
}

/// A band as a polygon: the upper edge forward, the lower edge back.
fn band(points: &[FanPoint], lo: fn(&FanPoint) -> f64, hi: fn(&FanPoint) -> f64) -> Vec<(f64, f64)> {
    let upper = points.iter().map(|p| (f64::from(p.year), hi(p)));
    let lower = points.iter().rev().map(|p| (f64::from(p.year), lo(p)));
    upper.chain(lower).collect()
}

impl Chart for FanData {
    fn labels<'a>(&'a self, fixed: &'a Labels) -> Vec<&'a str> {
        let mut l = vec![&*self.title, &*self.subtitle, &*self.y_label, &*self.footnote, fixed.year, fixed.no_data];
        l.extend([fixed.history, fixed.band50, fixed.band90, fixed.median]);
        l.extend(self.series.iter().map(|s| &*s.label));
        l.extend(self.target.iter().map(|t| &*t.1));
        l
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, kit: &Kit) -> Result<(), ChartError> {
        let series: Vec<(RGBColor, &str, Vec<FanPoint>)> =
            self.series.iter().map(|s| (colour(s.colour), &*s.label, clean_points(&s.points))).collect();
        let history: Vec<(f64, f64)> =
            self.history.iter().filter(|h| h.1.is_finite()).map(|&(y, v)| (f64::from(y), v)).collect();
        let target = self.target.as_ref().filter(|t| t.0.is_finite());
        // Bands appear (and are explained in the legend) only where some series has a spread:
        // a comparison of medians passes every percentile equal to the median.
        let has_fans = series.iter().any(|s| s.2.iter().any(|p| p.p95 > p.p5));

        // One series: its own colour explains the bands; several: neutral grey.
        let band_colour = if series.len() == 1 { series[0].0 } else { BAND_GREY };
        // A comparison names each line at its end instead of in the legend, so the reader need
        // not match colours (and lines of similar colour stay apart by their labels).
        let direct = series.len() > 1;
        let mut legend: Vec<(Mark, &str)> =
            if direct { Vec::new() } else { series.iter().map(|s| (Mark::Line(s.0), s.1)).collect() };
        if series.len() == 1 {
            legend[0].1 = if series[0].1.is_empty() { kit.fixed.median } else { series[0].1 };
        }
        if has_fans {
            legend.push((Mark::Swatch(band_colour, ALPHA_50 + ALPHA_90), kit.fixed.band50));
            legend.push((Mark::Swatch(band_colour, ALPHA_90), kit.fixed.band90));
        }
        if let Some(t) = target {
            legend.push((Mark::Dashed(REFERENCE), &t.1));
        }
        if !history.is_empty() {
            legend.push((Mark::Dot(REFERENCE), kit.fixed.history));
        }
        let frame = Frame { title: &self.title, subtitle: &self.subtitle, footnote: &self.footnote, legend };
        let plot = frame.draw(root, kit)?;

        let years =
            series.iter().flat_map(|s| s.2.iter().map(|p| f64::from(p.year))).chain(history.iter().map(|h| h.0));
        let Some(x_span) = finite_range(years) else {
            return draw_no_data(&plot, kit);
        };
        let values = series
            .iter()
            .flat_map(|s| s.2.iter().flat_map(|p| [p.p5, p.p95]))
            .chain(history.iter().map(|h| h.1))
            .chain(target.map(|t| t.0));
        let (y0, y1) = pad_range(finite_range(values).unwrap_or((0.0, 1.0)), 0.06);
        let (x0, x1) = (x_span.0 - 0.5, x_span.1 + 0.5);
        let dec = tick_decimals(y1 - y0);
        let y_fmt = |v: &f64| fmt_number(*v, dec);

        let n_years = (x_span.1 - x_span.0) as usize + 1;
        let label_room = if direct {
            series.iter().map(|s| kit.measure(s.1, Kit::LEGEND)).max().unwrap_or(0) + kit.px(Kit::LEGEND * 1.2)
        } else {
            0
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin_right(label_room)
            .x_label_area_size(kit.px(Kit::AXIS * 3.6))
            .y_label_area_size(y_area(kit, &[y_fmt(&y0), y_fmt(&y1)], true))
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_err)?;
        style_mesh(&mut chart.configure_mesh(), kit)
            .disable_x_mesh()
            .x_desc(kit.fixed.year)
            .y_desc(&self.y_label)
            .x_labels(n_years.clamp(2, 12))
            .y_labels(8)
            .x_label_formatter(&year_label)
            .y_label_formatter(&y_fmt)
            .draw()
            .map_err(draw_err)?;

        for (c, _, pts) in &series {
            chart
                .draw_series([
                    Polygon::new(band(pts, |p| p.p5, |p| p.p95), c.mix(ALPHA_90).filled()),
                    Polygon::new(band(pts, |p| p.p25, |p| p.p75), c.mix(ALPHA_50).filled()),
                ])
                .map_err(draw_err)?;
        }
        for (c, _, pts) in &series {
            let median = pts.iter().map(|p| (f64::from(p.year), p.p50));
            chart.draw_series(LineSeries::new(median, c.stroke_width(kit.upx(2.5)))).map_err(draw_err)?;
            if pts.len() == 1 {
                // A single year has no line; mark the median.
                let p = pts[0];
                chart
                    .draw_series([Circle::new((f64::from(p.year), p.p50), kit.upx(4.0), c.filled())])
                    .map_err(draw_err)?;
            }
        }
        if direct {
            end_labels(&plot, &chart, kit, &series)?;
        }
        if let Some((value, label)) = target {
            let style = REFERENCE.stroke_width(kit.upx(1.6));
            chart
                .draw_series(DashedLineSeries::new([(x0, *value), (x1, *value)], kit.px(9.0), kit.px(6.0), style))
                .map_err(draw_err)?;
            // The label sits above the line's right end on a white patch, so bands do not hide it.
            let w = kit.measure(label, Kit::LEGEND);
            let h = kit.px(Kit::LEGEND * 1.35);
            let pad = kit.px(5.0);
            let text = kit.text(Kit::LEGEND, INK).pos(Pos::new(HPos::Right, VPos::Bottom));
            let mark = EmptyElement::at((x1, *value))
                + Rectangle::new([(-w - 2 * pad, -h - pad), (-pad, -kit.px(3.0))], WHITE.mix(0.85).filled())
                + Text::new(label.clone(), (-2 * pad + kit.px(2.0), -pad), text);
            chart.draw_series([mark]).map_err(draw_err)?;
        }
        chart
            .draw_series(history.iter().map(|&p| {
                EmptyElement::at(p)
                    + Circle::new((0, 0), kit.upx(4.5), WHITE.filled())
                    + Circle::new((0, 0), kit.upx(3.5), REFERENCE.filled())
            }))
            .map_err(draw_err)?;
        Ok(())
    }
}

/// Names each line of a comparison at its last median, in the line's colour, right of the plot.
/// Labels that would overlap are pushed apart (keeping their order) and joined to their line's
/// end by a short leader.
fn end_labels<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    chart: &ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    kit: &Kit,
    series: &[(RGBColor, &str, Vec<FanPoint>)],
) -> Result<(), ChartError> {
    let (bx, by) = plot.get_base_pixel();
    let mut ends: Vec<(i32, i32, RGBColor, &str)> = series
        .iter()
        .filter_map(|(c, label, pts)| {
            let last = pts.iter().rev().find(|p| p.p50.is_finite())?;
            let (x, y) = chart.backend_coord(&(f64::from(last.year), last.p50));
            Some((x - bx, y - by, *c, *label))
        })
        .collect();
    ends.sort_by_key(|e| e.1);
    let h = kit.px(Kit::LEGEND * 1.25);
    let mut placed: Vec<i32> = ends.iter().map(|e| e.1).collect();
    for k in 1..placed.len() {
        placed[k] = placed[k].max(placed[k - 1] + h);
    }
    // Pushed past the bottom: move the whole stack up, keeping the gaps.
    let (_, plot_h) = plot.dim_in_pixel();
    let bottom = i32::try_from(plot_h).unwrap_or(i32::MAX) - h / 2;
    if let Some(&last) = placed.last()
        && last > bottom
    {
        let shift = last - bottom;
        for y in &mut placed {
            *y -= shift;
        }
        for k in (0..placed.len().saturating_sub(1)).rev() {
            placed[k] = placed[k].min(placed[k + 1] - h);
        }
    }
    let gap = kit.px(6.0);
    for ((x, y, c, label), ly) in ends.iter().zip(&placed) {
        let start = (*x + kit.px(2.0), *y);
        let end = (*x + gap * 2, *ly);
        plot.draw(&PathElement::new(vec![start, end], c.stroke_width(kit.upx(1.2)))).map_err(draw_err)?;
        let style = kit.text(Kit::LEGEND, *c).pos(Pos::new(HPos::Left, VPos::Center));
        plot.draw(&Text::new(label.to_string(), (end.0 + kit.px(3.0), *ly), style)).map_err(draw_err)?;
    }
    Ok(())
}

/// Y-axis labels for categories at y = 0, 1, … drawn top to bottom from `labels[0]`.
/// A chart with one horizontal bar row per name (bottom-up) over the value range `x`: the axes,
/// ticks and mesh shared by the bar and tornado charts.
fn category_chart<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    kit: &Kit,
    names: &[&str],
    (x0, x1): (f64, f64),
    dec: usize,
    x_label: &str,
) -> Result<
    ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>,
    ChartError,
> {
    let n = names.len();
    let fmt = |v: &f64| fmt_number(*v, dec);
    let y_fmt = |v: &f64| category_label(names, *v);
    let label_ticks: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut chart = ChartBuilder::on(plot)
        .x_label_area_size(kit.px(Kit::AXIS * 3.6))
        .y_label_area_size(y_area(kit, &label_ticks, false))
        .build_cartesian_2d(x0..x1, -0.5..(n as f64 - 0.5))
        .map_err(draw_err)?;
    style_mesh(&mut chart.configure_mesh(), kit)
        .disable_y_mesh()
        .x_desc(x_label)
        .x_labels(8)
        .y_labels(n)
        .x_label_formatter(&fmt)
        .y_label_formatter(&y_fmt)
        .draw()
        .map_err(draw_err)?;
    Ok(chart)
}

fn category_label(labels: &[&str], v: f64) -> String {
    let n = labels.len();
    let k = v.round();
    if (v - k).abs() > 1e-6 || k < 0.0 || k as usize >= n {
        return String::new();
    }
    labels[n - 1 - k as usize].to_owned()
}

impl Chart for BarData {
    fn labels<'a>(&'a self, fixed: &'a Labels) -> Vec<&'a str> {
        let mut l = vec![&*self.title, &*self.subtitle, &*self.x_label, &*self.footnote, fixed.no_data];
        l.extend(self.bars.iter().map(|b| &*b.label));
        l
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, kit: &Kit) -> Result<(), ChartError> {
        let frame = Frame { title: &self.title, subtitle: &self.subtitle, footnote: &self.footnote, legend: vec![] };
        let plot = frame.draw(root, kit)?;
        if self.bars.is_empty() {
            return draw_no_data(&plot, kit);
        }
        let n = self.bars.len();
        let names: Vec<&str> = self.bars.iter().map(|b| &*b.label).collect();
        let fixed = self.axis.map_or(vec![0.0], |(a, b)| vec![a, b]);
        let ends = self.bars.iter().flat_map(|b| [b.value, b.low, b.high]).chain(fixed);
        let (lo, hi) = finite_range(ends).unwrap_or((0.0, 1.0));
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo, lo + 1.0) };
        let dec = tick_decimals(hi - lo);
        // Values get one decimal more than ticks: 0.81, not 0.8, on a 0–1 axis.
        let value_dec = dec + 1;
        // Room on the right (16% of the span) for the value printed past each bar or whisker.
        let (x0, x1) = (if lo < 0.0 { lo - 0.04 * (hi - lo) } else { lo }, hi + 0.16 * (hi - lo));
        let mut chart = category_chart(&plot, kit, &names, (x0, x1), dec, &self.x_label)?;

        let half = 0.32;
        let cap = kit.px(Kit::TICK * 0.45);
        let value_style = kit.text(Kit::TICK, INK).pos(Pos::new(HPos::Left, VPos::Center));
        for (i, b) in self.bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            if !b.value.is_finite() {
                continue;
            }
            let (a, z) = (0.0_f64.max(x0), b.value);
            chart
                .draw_series([Rectangle::new([(a, y - half), (z, y + half)], colour(b.colour).mix(ALPHA_BAR).filled())])
                .map_err(draw_err)?;
            let whisker = b.low.is_finite() && b.high.is_finite();
            if whisker {
                // A white halo under the whisker keeps it visible over a dark bar.
                for style in [WHITE.stroke_width(kit.upx(4.5)), REFERENCE.stroke_width(kit.upx(1.5))] {
                    let line = PathElement::new(vec![(b.low, y), (b.high, y)], style);
                    let caps = [b.low, b.high]
                        .map(|x| EmptyElement::at((x, y)) + PathElement::new(vec![(0, -cap), (0, cap)], style));
                    chart.draw_series([line]).map_err(draw_err)?;
                    chart.draw_series(caps).map_err(draw_err)?;
                }
            }
            let end = if whisker { b.value.max(b.high) } else { b.value };
            let label = EmptyElement::at((end.max(0.0), y))
                + Text::new(fmt_number(b.value, value_dec), (kit.px(6.0), 0), value_style.clone());
            chart.draw_series([label]).map_err(draw_err)?;
        }
        Ok(())
    }
}

impl Chart for TornadoData {
    fn labels<'a>(&'a self, fixed: &'a Labels) -> Vec<&'a str> {
        let mut l = vec![&*self.title, &*self.subtitle, &*self.x_label, &*self.footnote, fixed.no_data];
        l.extend([fixed.tornado_low, fixed.tornado_high, fixed.base]);
        l.extend(self.rows.iter().map(|r| &*r.0));
        l
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, kit: &Kit) -> Result<(), ChartError> {
        let (low_c, high_c) = (colour(0), colour(1));
        let base_ok = self.base.is_finite();
        let mut rows: Vec<&(String, f64, f64)> = self.rows.iter().collect();
        // Widest swing on top; rows with no finite swing sink to the bottom.
        let swing = |r: &&(String, f64, f64)| {
            let s = (r.2 - r.1).abs();
            if s.is_finite() { s } else { -1.0 }
        };
        rows.sort_by(|a, b| swing(b).total_cmp(&swing(a)));
        let span = finite_range(self.rows.iter().flat_map(|r| [r.1, r.2]).chain([self.base]));
        let dec = span.map_or(0, |(lo, hi)| tick_decimals(hi - lo));
        // Values get one decimal more than ticks.
        // One decimal more than the ticks, but none on values in the hundreds or more: a count
        // of jobs is whole.
        let largest = span.map_or(self.base.abs(), |(lo, hi)| self.base.abs().max(lo.abs()).max(hi.abs()));
        let value_dec = if largest >= 100.0 { 0 } else { dec + 1 };
        let base_text = format!("{} {}", kit.fixed.base, fmt_number(self.base, value_dec));
        let legend = vec![
            (Mark::Swatch(low_c, ALPHA_BAR), kit.fixed.tornado_low),
            (Mark::Swatch(high_c, ALPHA_BAR), kit.fixed.tornado_high),
            (Mark::Line(REFERENCE), &*base_text),
        ];
        let frame = Frame { title: &self.title, subtitle: &self.subtitle, footnote: &self.footnote, legend };
        let plot = frame.draw(root, kit)?;
        let (Some(span), true, false) = (span, base_ok, rows.is_empty()) else {
            return draw_no_data(&plot, kit);
        };
        let (x0, x1) = pad_range(span, 0.12);
        let n = rows.len();
        let names: Vec<&str> = rows.iter().map(|r| &*r.0).collect();
        let mut chart = category_chart(&plot, kit, &names, (x0, x1), dec, &self.x_label)?;

        let half = 0.34;
        let gap = kit.px(5.0);
        for (i, r) in rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            // The longer bar first, so a shorter one on the same side stays visible on top.
            let mut ends = [(r.1, low_c), (r.2, high_c)];
            ends.sort_by(|a, b| (b.0 - self.base).abs().total_cmp(&(a.0 - self.base).abs()));
            for (v, c) in ends {
                if !v.is_finite() {
                    continue;
                }
                let rect = Rectangle::new([(self.base, y - half), (v, y + half)], c.mix(ALPHA_BAR).filled());
                chart.draw_series([rect]).map_err(draw_err)?;
                let (dx, h_pos) = if v < self.base { (-gap, HPos::Right) } else { (gap, HPos::Left) };
                let style = kit.text(Kit::TICK, MUTED).pos(Pos::new(h_pos, VPos::Center));
                let label = EmptyElement::at((v, y)) + Text::new(fmt_number(v, value_dec), (dx, 0), style);
                chart.draw_series([label]).map_err(draw_err)?;
            }
        }
        let base_line = [(self.base, -0.5), (self.base, n as f64 - 0.5)];
        chart.draw_series(LineSeries::new(base_line, REFERENCE.stroke_width(kit.upx(1.5)))).map_err(draw_err)?;
        Ok(())
    }
}

/// The viridis colour map at nine evenly spaced stops (matplotlib's `_viridis_data`, rounded).
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

/// Viridis at `t` in `[0, 1]` (clamped), interpolated linearly between stops.
pub(crate) fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let pos = t * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Cell edges around strictly increasing centres: midpoints inside, half a step beyond the ends.
fn edges(c: &[f64]) -> Vec<f64> {
    match c.len() {
        0 => vec![],
        1 => {
            let d = if c[0] == 0.0 { 0.5 } else { c[0].abs() * 0.1 };
            vec![c[0] - d, c[0] + d]
        }
        n => {
            let mut e = vec![c[0] - (c[1] - c[0]) / 2.0];
            e.extend(c.windows(2).map(|w| (w[0] + w[1]) / 2.0));
            e.push(c[n - 1] + (c[n - 1] - c[n - 2]) / 2.0);
            e
        }
    }
}

/// The name of the cell centred on index `v` of a named heatmap axis; empty between cells.
fn name_at(names: &[String], v: f64) -> String {
    let k = v.round();
    if (v - k).abs() > 1e-6 || k < 0.0 || k as usize >= names.len() {
        return String::new();
    }
    names[k as usize].clone()
}

/// `(0.299 R + 0.587 G + 0.114 B) / 255`: light cells get dark text and the other way round.
fn is_light(c: RGBColor) -> bool {
    0.299 * f64::from(c.0) + 0.587 * f64::from(c.1) + 0.114 * f64::from(c.2) > 140.0
}

impl HeatmapData {
    /// Checks the grid's shape; a ragged or unordered grid is an error, not a guess.
    fn validate(&self) -> Result<(), ChartError> {
        if self.z.len() != self.y.len() || self.z.iter().any(|row| row.len() != self.x.len()) {
            return Err(ChartError::Draw(format!(
                "heatmap \"{}\": z must have {} rows of {} values (z[iy][ix])",
                self.title,
                self.y.len(),
                self.x.len()
            )));
        }
        for (name, v) in [("x", &self.x), ("y", &self.y)] {
            if v.iter().any(|a| !a.is_finite()) || v.windows(2).any(|w| w[1] <= w[0]) {
                return Err(ChartError::Draw(format!(
                    "heatmap \"{}\": {name} values must be finite and strictly increasing",
                    self.title
                )));
            }
        }
        for (axis, names, v) in [("x", &self.x_names, &self.x), ("y", &self.y_names, &self.y)] {
            if !names.is_empty() && names.len() != v.len() {
                return Err(ChartError::Draw(format!(
                    "heatmap \"{}\": {} {axis}_names for {} {axis} values",
                    self.title,
                    names.len(),
                    v.len()
                )));
            }
        }
        Ok(())
    }
}

impl Chart for HeatmapData {
    fn labels<'a>(&'a self, fixed: &'a Labels) -> Vec<&'a str> {
        let mut l = vec![
            &*self.title,
            &*self.subtitle,
            &*self.x_label,
            &*self.y_label,
            &*self.footnote,
            fixed.probability,
            &self.key_label,
            fixed.no_data,
        ];
        l.extend(self.x_names.iter().chain(&self.y_names).map(|n| &**n));
        l
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, kit: &Kit) -> Result<(), ChartError> {
        self.validate()?;
        let frame = Frame { title: &self.title, subtitle: &self.subtitle, footnote: &self.footnote, legend: vec![] };
        let plot = frame.draw(root, kit)?;
        if self.x.is_empty() || self.y.is_empty() {
            return draw_no_data(&plot, kit);
        }
        // A named axis is drawn in index space (cell i centred on i), so every tick is a cell.
        let index = |n: usize| (0..n).map(|i| i as f64).collect::<Vec<f64>>();
        let xs = if self.x_names.is_empty() { self.x.clone() } else { index(self.x.len()) };
        let ys = if self.y_names.is_empty() { self.y.clone() } else { index(self.y.len()) };
        let (ex, ey) = (edges(&xs), edges(&ys));
        let (x0, x1) = (ex[0], ex[ex.len() - 1]);
        let (y0, y1) = (ey[0], ey[ey.len() - 1]);
        let (dx, dy) = (tick_decimals(x1 - x0), tick_decimals(y1 - y0));
        let x_fmt = |v: &f64| if self.x_names.is_empty() { fmt_number(*v, dx) } else { name_at(&self.x_names, *v) };
        let y_fmt = |v: &f64| if self.y_names.is_empty() { fmt_number(*v, dy) } else { name_at(&self.y_names, *v) };
        let y_ticks = if self.y_names.is_empty() { vec![y_fmt(&y0), y_fmt(&y1)] } else { self.y_names.clone() };
        // Named axes get a tick per name; numeric ones at most 10.
        let n_ticks = |names: &[String], n: usize| if names.is_empty() { n.clamp(2, 10) } else { n };

        let (w, _) = plot.dim_in_pixel();
        let key_w = kit.px(110.0).min(w as i32 / 3).max(0) as u32;
        let (main, key) = plot.split_horizontally(w - key_w);
        let x_area = kit.px(Kit::AXIS * 3.6);
        let top_pad = kit.px(Kit::LEGEND * 1.8);

        let mut chart = ChartBuilder::on(&main)
            .margin_top(top_pad)
            .x_label_area_size(x_area)
            .y_label_area_size(y_area(kit, &y_ticks, true))
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_err)?;
        style_mesh(&mut chart.configure_mesh(), kit)
            .disable_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .x_labels(n_ticks(&self.x_names, self.x.len()))
            .y_labels(n_ticks(&self.y_names, self.y.len()))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .draw()
            .map_err(draw_err)?;

        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        let cell_w = pw as f64 / self.x.len() as f64;
        let cell_h = ph as f64 / self.y.len() as f64;
        // Print values only where "100%" fits comfortably inside a cell.
        let annotate =
            cell_w > f64::from(kit.measure("100%", Kit::TICK)) * 1.4 && cell_h > kit.px(Kit::TICK * 1.6) as f64;
        for (iy, row) in self.z.iter().enumerate() {
            for (ix, &z) in row.iter().enumerate() {
                let c = if z.is_finite() { viridis(z) } else { GRID };
                let rect = Rectangle::new([(ex[ix], ey[iy]), (ex[ix + 1], ey[iy + 1])], c.filled());
                chart.draw_series([rect]).map_err(draw_err)?;
                if annotate && z.is_finite() {
                    let ink = if is_light(c) { INK } else { WHITE };
                    let style = kit.text(Kit::TICK, ink).pos(Pos::new(HPos::Center, VPos::Center));
                    let text = Text::new(format!("{:.0}%", z.clamp(0.0, 1.0) * 100.0), (xs[ix], ys[iy]), style);
                    chart.draw_series([text]).map_err(draw_err)?;
                }
            }
        }

        // Colour key: same vertical extent as the plot, ticks every 20 percentage points.
        let key = key.margin(0, 0, kit.px(18.0) as u32, 0);
        let key_style = kit.text(Kit::LEGEND, INK).pos(Pos::new(HPos::Left, VPos::Top));
        let key_title = if self.key_label.is_empty() { kit.fixed.probability } else { &self.key_label };
        key.draw_text(key_title, &key_style, (0, 0)).map_err(draw_err)?;
        let mut kc = ChartBuilder::on(&key)
            .margin_top(top_pad)
            .x_label_area_size(x_area)
            .right_y_label_area_size(kit.px(52.0))
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)
            .map_err(draw_err)?;
        let pct = |v: &f64| format!("{:.0}%", v * 100.0);
        style_mesh(&mut kc.configure_mesh(), kit)
            .disable_mesh()
            .disable_x_axis()
            .y_labels(6)
            .y_label_formatter(&pct)
            .draw()
            .map_err(draw_err)?;
        let steps = 100;
        kc.draw_series((0..steps).map(|i| {
            let (a, b) = (i as f64 / steps as f64, (i + 1) as f64 / steps as f64);
            Rectangle::new([(0.0, a), (1.0, b)], viridis((a + b) / 2.0).filled())
        }))
        .map_err(draw_err)?;
        Ok(())
    }
}

impl StackData {
    /// Checks that every layer has one finite, non-negative value per year.
    fn validate(&self) -> Result<(), ChartError> {
        for (name, values) in &self.layers {
            if values.len() != self.years.len() {
                return Err(ChartError::Draw(format!(
                    "stacked bars \"{}\": layer \"{name}\" has {} values for {} years",
                    self.title,
                    values.len(),
                    self.years.len()
                )));
            }
            if let Some((y, v)) = self.years.iter().zip(values).find(|(_, v)| !(v.is_finite() && **v >= 0.0)) {
                return Err(ChartError::Draw(format!(
                    "stacked bars \"{}\": layer \"{name}\" has {v} in {y}; values must be finite and ≥ 0",
                    self.title
                )));
            }
        }
        Ok(())
    }
}

impl Chart for StackData {
    fn labels<'a>(&'a self, fixed: &'a Labels) -> Vec<&'a str> {
        let mut l = vec![&*self.title, &*self.subtitle, &*self.y_label, &*self.footnote, fixed.year, fixed.no_data];
        l.extend(self.layers.iter().map(|l| &*l.0));
        l
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, kit: &Kit) -> Result<(), ChartError> {
        self.validate()?;
        let legend = self.layers.iter().enumerate().map(|(i, l)| (Mark::Swatch(colour(i), ALPHA_BAR), &*l.0)).collect();
        let frame = Frame { title: &self.title, subtitle: &self.subtitle, footnote: &self.footnote, legend };
        let plot = frame.draw(root, kit)?;
        let Some(x_span) = finite_range(self.years.iter().map(|&y| f64::from(y))) else {
            return draw_no_data(&plot, kit);
        };
        let totals: Vec<f64> = (0..self.years.len()).map(|j| self.layers.iter().map(|l| l.1[j]).sum::<f64>()).collect();
        let top = totals.iter().copied().fold(0.0, f64::max);
        let top = if top > 0.0 { top * 1.1 } else { 1.0 };
        let dec = tick_decimals(top);
        let y_fmt = |v: &f64| fmt_number(*v, dec);
        let n_years = (x_span.1 - x_span.0) as usize + 1;

        let mut chart = ChartBuilder::on(&plot)
            .x_label_area_size(kit.px(Kit::AXIS * 3.6))
            .y_label_area_size(y_area(kit, &[y_fmt(&0.0), y_fmt(&top)], true))
            .build_cartesian_2d((x_span.0 - 0.6)..(x_span.1 + 0.6), 0.0..top)
            .map_err(draw_err)?;
        style_mesh(&mut chart.configure_mesh(), kit)
            .disable_x_mesh()
            .x_desc(kit.fixed.year)
            .y_desc(&self.y_label)
            .x_labels(n_years.clamp(2, 13))
            .y_labels(8)
            .x_label_formatter(&year_label)
            .y_label_formatter(&y_fmt)
            .draw()
            .map_err(draw_err)?;

        let half = 0.36;
        for (j, &year) in self.years.iter().enumerate() {
            let x = f64::from(year);
            let mut base = 0.0;
            for (i, (_, values)) in self.layers.iter().enumerate() {
                let v = values[j];
                if v > 0.0 {
                    let rect =
                        Rectangle::new([(x - half, base), (x + half, base + v)], colour(i).mix(ALPHA_BAR).filled());
                    chart.draw_series([rect]).map_err(draw_err)?;
                }
                base += v;
            }
        }
        if self.years.len() <= 15 {
            let style = kit.text(Kit::TICK, INK).pos(Pos::new(HPos::Center, VPos::Bottom));
            let labels = self.years.iter().zip(&totals).map(|(&year, &t)| {
                EmptyElement::at((f64::from(year), t)) + Text::new(fmt_number(t, dec), (0, -kit.px(4.0)), style.clone())
            });
            chart.draw_series(labels).map_err(draw_err)?;
        }
        Ok(())
    }
}

/// An axis range over `span`: from 0 when nothing is negative, padded otherwise.
fn xy_range((lo, hi): (f64, f64)) -> (f64, f64) {
    if lo >= 0.0 { (0.0, if hi > 0.0 { hi * 1.08 } else { 1.0 }) } else { pad_range((lo, hi), 0.06) }
}

impl Chart for XyData {
    fn labels<'a>(&'a self, fixed: &'a Labels) -> Vec<&'a str> {
        let mut l = vec![&*self.title, &*self.subtitle, &*self.x_label, &*self.y_label, &*self.footnote, fixed.no_data];
        l.extend(self.points.iter().map(|p| &*p.label));
        l
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, kit: &Kit) -> Result<(), ChartError> {
        if let Some(h) = self.highlight.filter(|&h| h >= self.points.len()) {
            return Err(ChartError::Draw(format!(
                "x–y chart \"{}\": highlight {h} is past the {} points",
                self.title,
                self.points.len()
            )));
        }
        let frame = Frame { title: &self.title, subtitle: &self.subtitle, footnote: &self.footnote, legend: vec![] };
        let plot = frame.draw(root, kit)?;
        let pts: Vec<(usize, &XyPoint)> =
            self.points.iter().enumerate().filter(|(_, p)| p.x.is_finite() && p.y.is_finite()).collect();
        let (Some(xr), Some(yr)) = (finite_range(pts.iter().map(|p| p.1.x)), finite_range(pts.iter().map(|p| p.1.y)))
        else {
            return draw_no_data(&plot, kit);
        };
        let ((x0, x1), (y0, y1)) = (xy_range(xr), xy_range(yr));
        let (dx, dy) = (tick_decimals(x1 - x0), tick_decimals(y1 - y0));
        let x_fmt = |v: &f64| fmt_number(*v, dx);
        let y_fmt = |v: &f64| fmt_number(*v, dy);

        let mut chart = ChartBuilder::on(&plot)
            .x_label_area_size(kit.px(Kit::AXIS * 3.6))
            .y_label_area_size(y_area(kit, &[y_fmt(&y0), y_fmt(&y1)], true))
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_err)?;
        style_mesh(&mut chart.configure_mesh(), kit)
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .draw()
            .map_err(draw_err)?;

        let c = colour(0);
        if self.connect {
            let line = LineSeries::new(pts.iter().map(|p| (p.1.x, p.1.y)), c.stroke_width(kit.upx(2.0)));
            chart.draw_series(line).map_err(draw_err)?;
        }
        chart
            .draw_series(pts.iter().map(|p| {
                EmptyElement::at((p.1.x, p.1.y))
                    + Circle::new((0, 0), kit.upx(5.0), WHITE.filled())
                    + Circle::new((0, 0), kit.upx(4.0), c.filled())
            }))
            .map_err(draw_err)?;
        if let Some(&(_, p)) = pts.iter().find(|p| Some(p.0) == self.highlight) {
            let mark = EmptyElement::at((p.x, p.y))
                + Circle::new((0, 0), kit.upx(8.5), WHITE.filled())
                + Circle::new((0, 0), kit.upx(7.0), colour(1).filled());
            chart.draw_series([mark]).map_err(draw_err)?;
        }

        // Labels sit right of their point, or left of it where they would run past the plot.
        let right_edge = chart.plotting_area().get_pixel_range().0.end;
        let gap = kit.px(9.0);
        for &(_, p) in pts.iter().filter(|p| !p.1.label.is_empty()) {
            let (px, _) = chart.backend_coord(&(p.x, p.y));
            let fits = px + gap + kit.measure(&p.label, Kit::TICK) <= right_edge;
            let (dx, h_pos) = if fits { (gap, HPos::Left) } else { (-gap, HPos::Right) };
            let style = kit.text(Kit::TICK, INK).pos(Pos::new(h_pos, VPos::Center));
            let label = EmptyElement::at((p.x, p.y)) + Text::new(p.label.clone(), (dx, 0), style);
            chart.draw_series([label]).map_err(draw_err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::PNG_SIZE;
    use super::*;
    use crate::chart::{EN_LABELS, ZH_LABELS};
    use crate::chart::{HISTORY_LABEL, NO_DATA_LABEL, PROBABILITY_LABEL, TORNADO_LOW_LABEL};

    const FOOT: &str = "urbsim 0.1.0 · seed 20250618 · 2,000 draws";

    /// Decodes the PNG; returns (width, height, share of pixels that differ from white).
    fn inspect_png(bytes: &[u8]) -> (u32, u32, f64) {
        let mut reader = png::Decoder::new(bytes).read_info().expect("PNG header");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("PNG data");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let px = &buf[..info.buffer_size()];
        let inked = px.chunks_exact(3).filter(|p| p != &[255, 255, 255]).count();
        (info.width, info.height, inked as f64 / (px.len() / 3) as f64)
    }

    /// Checks both outputs of a chart that has data (to look at charts, run `urbsim brief`).
    fn assert_rendered(r: &Rendered, texts: &[&str]) {
        for t in texts {
            assert!(r.svg.contains(t), "SVG lacks {t:?}");
        }
        // Text is drawn as outlines, so the SVG needs no font where it is shown.
        assert!(!r.svg.contains("<text") && r.svg.contains("aria-label="), "SVG text is not outlined");
        let (w, h, inked) = inspect_png(&r.png);
        assert!(w >= 2400 && (w, h) == PNG_SIZE, "{w}×{h}");
        assert!(inked > 0.02, "PNG nearly blank: {:.2}% inked", inked * 100.0);
    }

    fn fan(zh: bool, n_series: usize) -> FanData {
        let series = (0..n_series)
            .map(|s| FanSeries {
                label: if zh {
                    ["基准情景", "高增长情景", "低增长情景"][s % 3]
                } else {
                    ["Baseline", "High", "Low"][s % 3]
                }
                .to_owned(),
                colour: s,
                points: (2025..=2035)
                    .map(|y| {
                        let t = f64::from(y - 2025);
                        let m = 4.2 + 0.1 * t + 0.15 * s as f64 * t;
                        let w = 0.05 + 0.04 * t;
                        FanPoint { year: y, p5: m - 2.0 * w, p25: m - w, p50: m, p75: m + w, p95: m + 2.0 * w }
                    })
                    .collect(),
            })
            .collect();
        FanData {
            title: if zh { "新增城镇就业" } else { "New urban employment" }.to_owned(),
            subtitle: if zh {
                "各情景中位数与 50%、90% 区间，2025–2035 年"
            } else {
                "Median and 50%, 90% bands"
            }
            .to_owned(),
            y_label: if zh { "新增城镇就业（万人）" } else { "New jobs (10k persons)" }.to_owned(),
            footnote: FOOT.to_owned(),
            series,
            target: Some((5.0, if zh { "规划目标 5.0 万人" } else { "Plan target 5.0" }.to_owned())),
            history: vec![(2021, 3.8), (2022, 3.9), (2023, 4.0), (2024, 4.1)],
        }
    }

    #[test]
    fn fan_chart_renders_chinese_and_english() {
        let r = fan_chart(&fan(true, 1), &ZH_LABELS).unwrap();
        assert_rendered(&r, &["新增城镇就业", "年份", "新增城镇就业（万人）", "规划目标", HISTORY_LABEL, "2030"]);
        let r = fan_chart(&fan(false, 3), &EN_LABELS).unwrap();
        assert_rendered(&r, &["New urban employment", "New jobs (10k persons)", "Baseline", "High", FOOT]);
    }

    #[test]
    fn a_comparison_names_its_lines_at_their_ends_not_in_a_legend() {
        // Three lines that end at almost the same value: each label is drawn once, beside the
        // line's end, and the labels are pushed apart rather than stacked on one another.
        let mut d = fan(false, 3);
        for s in &mut d.series {
            for p in &mut s.points {
                (p.p5, p.p25, p.p75, p.p95) = (p.p50, p.p50, p.p50, p.p50);
            }
            let last = s.points.last_mut().expect("points");
            last.p50 = 4.0;
        }
        let r = fan_chart(&d, &EN_LABELS).unwrap();
        let labels: Vec<&str> = d.series.iter().map(|s| s.label.as_str()).collect();
        let mut ys = Vec::new();
        for label in &labels {
            let tag = format!("aria-label=\"{label}\"");
            assert_eq!(r.svg.matches(&tag).count(), 1, "{label} drawn once");
            // The outlined text's path follows its aria-label; its first move gives the position.
            let at = r.svg.find(&tag).expect("label");
            let d_attr = &r.svg[at..][r.svg[at..].find(" d=\"M").expect("a path") + 5..];
            let y: f64 = d_attr
                .split([' ', ',', 'L', 'Q', 'C', 'Z'])
                .filter(|t| !t.is_empty())
                .nth(1)
                .expect("y")
                .parse()
                .expect("a number");
            ys.push(y);
        }
        ys.sort_by(f64::total_cmp);
        assert!(ys.windows(2).all(|w| w[1] - w[0] >= 15.0), "labels overlap: {ys:?}");
    }

    #[test]
    fn fan_chart_copes_with_empty_and_odd_series() {
        let mut d = fan(true, 0);
        d.target = None;
        d.history.clear();
        let r = fan_chart(&d, &ZH_LABELS).unwrap();
        assert!(r.svg.contains(NO_DATA_LABEL));
        // One year, a non-finite point and a series with no points.
        let mut d = fan(true, 2);
        d.series[0].points.truncate(1);
        d.series[1].points[3].p50 = f64::NAN;
        d.series.push(FanSeries { label: "空".into(), colour: 2, points: vec![] });
        d.target = Some((f64::INFINITY, "目标".into()));
        fan_chart(&d, &ZH_LABELS).unwrap();
    }

    #[test]
    fn missing_glyph_is_reported_before_drawing() {
        let mut d = fan(true, 1);
        d.series[0].label = "情景𠀀".into();
        let e = fan_chart(&d, &ZH_LABELS).unwrap_err();
        assert_eq!(e, ChartError::MissingGlyph { label: "情景𠀀".into(), ch: '𠀀' });
        let mut b = bars(true);
        b.bars[1].label = "高增长 😀".into();
        let e = bar_chart(&b, &ZH_LABELS).unwrap_err();
        assert!(e.to_string().contains("\"高增长 😀\"") && e.to_string().contains("U+1F600"), "{e}");
    }

    fn bars(zh: bool) -> BarData {
        let names = if zh {
            ["基准情景", "高增长情景", "低增长情景"]
        } else {
            ["Baseline", "High growth", "Low growth"]
        };
        BarData {
            axis: None,
            title: if zh {
                "2035 年达成城镇化率目标的概率"
            } else {
                "Probability of meeting the 2035 target"
            }
            .to_owned(),
            subtitle: if zh { "条为估计值，须线为 95% 置信区间" } else { "Wilson 95% intervals" }.to_owned(),
            x_label: if zh { "达标概率" } else { "Probability" }.to_owned(),
            footnote: FOOT.to_owned(),
            bars: names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let v = [0.62, 0.81, 0.34][i];
                    Bar { label: n.to_string(), value: v, low: v - 0.05, high: v + 0.04, colour: i }
                })
                .collect(),
        }
    }

    #[test]
    fn bar_chart_renders_chinese_and_english() {
        assert_rendered(
            &bar_chart(&bars(true), &ZH_LABELS).unwrap(),
            &["达成城镇化率目标的概率", "达标概率", "高增长情景", "0.81"],
        );
        assert_rendered(&bar_chart(&bars(false), &EN_LABELS).unwrap(), &["Probability", "High growth"]);
        let mut d = bars(true);
        d.bars.clear();
        assert!(bar_chart(&d, &ZH_LABELS).unwrap().svg.contains(NO_DATA_LABEL));
        let mut d = bars(true);
        d.bars[0].value = f64::NAN;
        d.bars[1].low = f64::NAN;
        bar_chart(&d, &ZH_LABELS).unwrap();
    }

    fn tornado(zh: bool) -> TornadoData {
        let rows = if zh {
            vec![
                ("落户意愿".to_owned(), 61.0, 66.5),
                ("住房价格".to_owned(), 64.2, 62.9),
                ("产业投资".to_owned(), 60.1, 67.8),
            ]
        } else {
            vec![("Hukou uptake".to_owned(), 61.0, 66.5), ("House prices".to_owned(), 64.2, 62.9)]
        };
        TornadoData {
            title: if zh {
                "2035 年常住人口城镇化率的敏感性"
            } else {
                "Sensitivity of the 2035 urbanisation rate"
            }
            .to_owned(),
            subtitle: String::new(),
            x_label: if zh { "常住人口城镇化率（%）" } else { "Urbanisation rate (%)" }.to_owned(),
            footnote: FOOT.to_owned(),
            base: 63.8,
            rows,
        }
    }

    #[test]
    fn tornado_chart_renders_chinese_and_english() {
        assert_rendered(
            &tornado_chart(&tornado(true), &ZH_LABELS).unwrap(),
            &["常住人口城镇化率（%）", "产业投资", TORNADO_LOW_LABEL],
        );
        assert_rendered(
            &tornado_chart(&tornado(false), &EN_LABELS).unwrap(),
            &["Urbanisation rate (%)", "House prices"],
        );
        let mut d = tornado(true);
        d.rows.clear();
        assert!(tornado_chart(&d, &ZH_LABELS).unwrap().svg.contains(NO_DATA_LABEL));
        // Widest swing on top: plotters writes y tick labels bottom-up, so the narrowest
        // (住房价格, 1.3) comes first and the widest (产业投资, 7.7) last.
        let svg = tornado_chart(&tornado(true), &ZH_LABELS).unwrap().svg;
        let at = |s: &str| svg.find(s).unwrap();
        assert!(at("住房价格") < at("落户意愿") && at("落户意愿") < at("产业投资"));
    }

    fn heatmap(zh: bool) -> HeatmapData {
        let x: Vec<f64> = (0..8).map(|i| 0.5 + 0.25 * f64::from(i)).collect();
        let y: Vec<f64> = (0..6).map(|i| 10.0 * f64::from(i)).collect();
        let z = y
            .iter()
            .map(|&b| x.iter().map(|&a| ((a - 0.5) / 1.75 * 0.6 + b / 50.0 * 0.4).min(1.0)).collect())
            .collect();
        HeatmapData {
            title: if zh { "两项政策组合下达成目标的概率" } else { "Probability of meeting the target" }.to_owned(),
            subtitle: if zh { "落户门槛与保障房供给" } else { "Two levers" }.to_owned(),
            x_label: if zh { "保障房供给（万套）" } else { "Affordable housing (10k units)" }.to_owned(),
            y_label: if zh { "落户门槛下调幅度（%）" } else { "Hukou threshold cut (%)" }.to_owned(),
            footnote: FOOT.to_owned(),
            x,
            y,
            z,
            x_names: vec![],
            y_names: vec![],
            key_label: String::new(),
        }
    }

    #[test]
    fn heatmap_renders_chinese_and_english() {
        assert_rendered(
            &heatmap_chart(&heatmap(true), &ZH_LABELS).unwrap(),
            &["保障房供给（万套）", "落户门槛下调幅度（%）", PROBABILITY_LABEL, "100%"],
        );
        assert_rendered(&heatmap_chart(&heatmap(false), &EN_LABELS).unwrap(), &["Affordable housing (10k units)"]);
        let mut d = heatmap(true);
        (d.x, d.y, d.z) = (vec![], vec![], vec![]);
        assert!(heatmap_chart(&d, &ZH_LABELS).unwrap().svg.contains(NO_DATA_LABEL));
        let mut d = heatmap(true);
        d.z[2].pop();
        assert!(matches!(heatmap_chart(&d, &ZH_LABELS), Err(ChartError::Draw(_))));
        let mut d = heatmap(true);
        d.z[1][1] = f64::NAN;
        heatmap_chart(&d, &ZH_LABELS).unwrap();
    }

    #[test]
    fn heatmap_draws_names_as_ticks() {
        let mut d = heatmap(true);
        d.x = (2025..=2032).map(f64::from).collect();
        d.x_names = (2025..=2032).map(|y| format!("{y}年")).collect();
        d.y_names = ["落户意愿", "住房价格", "产业投资", "人口流入", "土地供给", "财政补贴"].map(String::from).to_vec();
        let r = heatmap_chart(&d, &ZH_LABELS).unwrap();
        assert_rendered(&r, &["2025年", "2032年", "落户意愿", "财政补贴", "落户门槛下调幅度（%）"]);
        let mut d2 = d.clone();
        d2.y_names.pop();
        assert!(matches!(heatmap_chart(&d2, &ZH_LABELS), Err(ChartError::Draw(_))));
        let mut d2 = d.clone();
        d2.x_names.push("2033年".into());
        assert!(matches!(heatmap_chart(&d2, &ZH_LABELS), Err(ChartError::Draw(_))));
        d.y_names[0] = "参数𠀀".into();
        assert!(matches!(heatmap_chart(&d, &ZH_LABELS), Err(ChartError::MissingGlyph { .. })));
    }

    fn morris() -> XyData {
        let names = ["落户意愿", "住房价格", "产业投资", "公共服务供给弹性系数"];
        XyData {
            title: "Morris 筛选：常住人口城镇化率".to_owned(),
            subtitle: "μ* 大表示影响大，σ 大表示非线性或交互作用".to_owned(),
            x_label: "μ*（百分点）".to_owned(),
            y_label: "σ（百分点）".to_owned(),
            footnote: FOOT.to_owned(),
            // The last point is the rightmost, so its long label must be drawn to its left.
            points: names
                .iter()
                .enumerate()
                .map(|(i, n)| XyPoint { x: [0.4, 1.2, 2.1, 3.0][i], y: [0.1, 0.9, 0.5, 1.4][i], label: n.to_string() })
                .chain([XyPoint { x: f64::NAN, y: 1.0, label: "跳过".into() }])
                .collect(),
            connect: false,
            highlight: None,
        }
    }

    #[test]
    fn xy_chart_renders_labelled_points() {
        let r = xy_chart(&morris(), &ZH_LABELS).unwrap();
        assert_rendered(&r, &["Morris 筛选", "μ*（百分点）", "σ（百分点）", "落户意愿", "公共服务供给弹性系数"]);
        assert!(!r.svg.contains("跳过"), "non-finite point drawn");
        // Near the right edge the label is anchored at its end.
        // (Outlined text keeps its words in aria-label; an end-anchored label's glyphs end at
        // the point, so its path starts left of it.)
        assert!(r.svg.contains("aria-label=\"公共服务供给弹性系数\""));

        let mut d = morris();
        d.points.clear();
        assert!(xy_chart(&d, &ZH_LABELS).unwrap().svg.contains(NO_DATA_LABEL));
        let mut d = morris();
        d.highlight = Some(9);
        assert!(matches!(xy_chart(&d, &ZH_LABELS), Err(ChartError::Draw(_))));
        let mut d = morris();
        d.points[1].label = "参数𠀀".into();
        assert!(matches!(xy_chart(&d, &ZH_LABELS), Err(ChartError::MissingGlyph { .. })));
    }

    #[test]
    fn xy_chart_connects_and_highlights() {
        let points = (0..8)
            .map(|i| {
                let cov = 1.0 - 0.1 * f64::from(i);
                XyPoint {
                    x: cov,
                    y: 0.3 + 0.08 * f64::from(i),
                    label: if i == 5 { "所选方框".into() } else { String::new() },
                }
            })
            .collect();
        let d = XyData {
            title: "PRIM 覆盖率与密度的权衡".to_owned(),
            subtitle: String::new(),
            x_label: "覆盖率".to_owned(),
            y_label: "密度".to_owned(),
            footnote: FOOT.to_owned(),
            points,
            connect: true,
            highlight: Some(5),
        };
        let r = xy_chart(&d, &ZH_LABELS).unwrap();
        assert_rendered(&r, &["覆盖率", "密度", "所选方框"]);
        assert!(r.svg.contains("<polyline"), "no line");
        // Points from 0: a tick at 0 on both axes.
        assert!(r.svg.matches("aria-label=\"0.0\"").count() >= 2, "axes not from 0");
    }

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
    }

    fn stack(zh: bool) -> StackData {
        let names =
            if zh { ["储备", "开工", "在建", "建成"] } else { ["Pipeline", "Started", "Building", "Done"] };
        let years: Vec<u16> = (2025..=2032).collect();
        let layers = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (n.to_string(), years.iter().map(|&y| f64::from((y - 2020) * (i as u16 + 1) % 17 + 3)).collect())
            })
            .collect();
        StackData {
            title: if zh { "项目库各阶段项目数" } else { "Projects by stage" }.to_owned(),
            subtitle: if zh { "每年年末" } else { "At year end" }.to_owned(),
            y_label: if zh { "项目数（个）" } else { "Projects" }.to_owned(),
            footnote: FOOT.to_owned(),
            years,
            layers,
        }
    }

    #[test]
    fn stacked_bars_render_chinese_and_english() {
        assert_rendered(
            &stacked_bars(&stack(true), &ZH_LABELS).unwrap(),
            &["项目库各阶段项目数", "年份", "储备", "建成", "项目数（个）"],
        );
        assert_rendered(&stacked_bars(&stack(false), &EN_LABELS).unwrap(), &["Projects by stage", "Building"]);
        let mut d = stack(true);
        d.years.clear();
        d.layers.iter_mut().for_each(|l| l.1.clear());
        assert!(stacked_bars(&d, &ZH_LABELS).unwrap().svg.contains(NO_DATA_LABEL));
        let mut d = stack(true);
        d.layers[1].1.pop();
        assert!(matches!(stacked_bars(&d, &ZH_LABELS), Err(ChartError::Draw(_))));
        let mut d = stack(true);
        d.layers[0].1[0] = -1.0;
        assert!(stacked_bars(&d, &ZH_LABELS).unwrap_err().to_string().contains("储备"));
    }
}
