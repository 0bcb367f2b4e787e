//! Charts for briefing papers: house style, the chart font, label checks and SVG, PNG and PDF
//! rendering.
//!
//! This module owns how every urbsim chart looks and how it becomes bytes; [`kinds`] owns what
//! each chart kind draws. Chart functions are pure: prepared data in, a [`Rendered`] SVG string,
//! PNG bytes and a one-page vector PDF (the SVG through svg2pdf, 16 cm wide) out. They read no
//! files and never panic on odd data.
//!
//! * **Font.** plotters is built without its `ttf` feature (which would link fontconfig and
//!   freetype) and with `ab_glyph`, a pure-Rust rasteriser that draws only fonts registered with
//!   `plotters::style::register_font`. The default is a Noto Sans CJK SC subset (ASCII, Latin-1,
//!   GB2312 and chart symbols; see `assets/fonts/README.md`) embedded with `include_bytes!`;
//!   [`use_font`] swaps in a user font. ab_glyph has no fallback font, and draws a character the
//!   font lacks as nothing, silently, so every chart runs [`check_text`] on all its labels first.
//! * **Family name.** The font is registered under [`FONT_FAMILY`], a CSS fallback list. To
//!   ab_glyph the name is only a lookup key; plotters writes it into every SVG `<text>`, which
//!   `outline.rs` then replaces by the glyphs' outlines in the chart font (the words kept in
//!   `aria-label`), so an SVG or PDF shows the same letters on a machine without a CJK font.
//! * **One drawing, two backends.** Each chart kind draws through a backend-generic function that
//!   runs once on `SVGBackend::with_string` ([`SVG_SIZE`], scale 1) and once on an in-memory
//!   `BitMapBackend` ([`PNG_SIZE`], scale [`PNG_SCALE`]), so the two outputs cannot drift apart.
//! * **Text.** plotters 0.3.7's ab_glyph path drops glyphs' left side bearings (uneven gaps in
//!   Chinese text) and sizes bitmap text differently from SVG text; `backend::TextFix` wraps
//!   both backends to measure text from the chart font and to rasterise bitmap text itself.
//! * **Colour.** Categorical colours are the Okabe & Ito (2008, "Color universal design",
//!   <https://jfly.uni-koeln.de/color/>) palette, distinguishable with the common colour-vision
//!   deficiencies; the sequential scale is viridis (van der Walt & Smith 2015, matplotlib), which
//!   is perceptually uniform and stays ordered in greyscale.
//!
//! # Empty data
//!
//! A chart with nothing to plot (no series, no bars, an empty grid, only non-finite values) is
//! not an error: it renders its frame (title, subtitle, footnote) with [`NO_DATA_LABEL`] in the
//! middle, so a briefing built from a run with no results still shows which chart is empty.
//! Inconsistent data (a layer whose length differs from the years, a ragged grid) is a
//! [`ChartError::Draw`].

mod backend;
pub mod kinds;
mod outline;

pub use kinds::{
    Bar, BarData, FanData, FanPoint, FanSeries, HeatmapData, StackData, TornadoData, XyData, XyPoint, bar_chart,
    fan_chart, heatmap_chart, stacked_bars, tornado_chart, xy_chart,
};

use std::sync::{OnceLock, RwLock};

use ab_glyph::{Font, FontRef};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use backend::TextFix;

/// PNG size in pixels: 8 × 5 inches at 300 dpi, for print.
pub const PNG_SIZE: (u32, u32) = (2400, 1500);

/// SVG size in CSS pixels: the PNG's aspect ratio.
///
/// **Print rule.** A chart goes into a brief at the text width of an A4 page, 16 cm (453.5 pt),
/// so one SVG pixel prints at 453.5 / 960 = 0.472 pt. The text sizes of the chart kit follow from it:
/// tick labels, legends and values 17 px (8.0 pt), axis names and subtitles 18 px (8.5 pt), the
/// footnote 15 px (7.1 pt), the title 26 px (12.3 pt); no text prints below 7 pt, no tick below
/// 8 pt, no title below 11 pt (tested in `kinds.rs`).
pub const SVG_SIZE: (u32, u32) = (960, 600);

/// How much larger the PNG is drawn than the SVG; all layout is in SVG units times this.
pub const PNG_SCALE: f64 = 2.5;

/// Pixel density written into the PNG's pHYs chunk (300 dpi in pixels per metre).
const PNG_PIXELS_PER_METRE: u32 = 11_811;

/// The font family name: a CSS fallback list, so an SVG viewer without the bundled font still
/// finds a Chinese one (see the module notes).
pub const FONT_FAMILY: &str = "Noto Sans SC, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif";

/// The bundled font: a Noto Sans CJK SC subset under the SIL Open Font License 1.1.
pub static BUNDLED_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-urbsim-subset.otf");

/// The Okabe–Ito palette, reordered so that the first colours are the strongest on white
/// (yellow, the weakest, and black, kept for history and reference marks, come last).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x99, 0x88, 0x00), // dark yellow (Okabe-Ito's yellow is too faint for a line on white)
    RGBColor(0x00, 0x00, 0x00), // black: the status quo in comparisons (see `brief::pack`)
];

/// Colour for palette index `i`, wrapping around, so a scenario keeps its colour in every chart
/// that uses the same index.
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Text colour for titles and axis labels.
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Text colour for subtitles, footnotes and notes.
pub(crate) const MUTED: RGBColor = RGBColor(0x5F, 0x5F, 0x5F);
/// Colour of history points, targets and reference lines: neutral, so scenario colours stand out.
pub(crate) const REFERENCE: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Light grid lines.
pub(crate) const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);

/// The fixed texts of every chart (axis, legend, empty-chart notice) in one language.
#[derive(Debug)]
pub struct Labels {
    /// Year axis.
    pub year: &'static str,
    /// Published history points.
    pub history: &'static str,
    /// The 50% band.
    pub band50: &'static str,
    /// The 90% band.
    pub band90: &'static str,
    /// The median line of a single series.
    pub median: &'static str,
    /// Tornado bars at a parameter's low value.
    pub tornado_low: &'static str,
    /// Tornado bars at a parameter's high value.
    pub tornado_high: &'static str,
    /// Tornado centre line.
    pub base: &'static str,
    /// Title of the heatmap's colour key.
    pub probability: &'static str,
    /// Shown in place of the plot when a chart has no data.
    pub no_data: &'static str,
}

/// Chinese fixed texts (the default).
pub const ZH_LABELS: Labels = Labels {
    year: YEAR_LABEL,
    history: HISTORY_LABEL,
    band50: BAND_50_LABEL,
    band90: BAND_90_LABEL,
    median: MEDIAN_LABEL,
    tornado_low: TORNADO_LOW_LABEL,
    tornado_high: TORNADO_HIGH_LABEL,
    base: "基准值",
    probability: PROBABILITY_LABEL,
    no_data: NO_DATA_LABEL,
};

/// English fixed texts.
pub const EN_LABELS: Labels = Labels {
    year: "year",
    history: "published",
    band50: "50% band",
    band90: "90% band",
    median: "median",
    tornado_low: "parameter low",
    tornado_high: "parameter high",
    base: "base",
    probability: "probability",
    no_data: "no data",
};

/// X-axis label of charts over years.
pub const YEAR_LABEL: &str = "年份";
/// Legend entry for observed history points in fan charts.
pub const HISTORY_LABEL: &str = "历史实际值";
/// Legend entry for the darker band of fan charts.
pub const BAND_50_LABEL: &str = "50% 区间";
/// Legend entry for the lighter band of fan charts.
pub const BAND_90_LABEL: &str = "90% 区间";
/// Legend entry for the median line of fan charts.
pub const MEDIAN_LABEL: &str = "中位数";
/// Legend entry for tornado bars at a parameter's low value.
pub const TORNADO_LOW_LABEL: &str = "参数取低值";
/// Legend entry for tornado bars at a parameter's high value.
pub const TORNADO_HIGH_LABEL: &str = "参数取高值";
/// Title of the heatmap's colour key.
pub const PROBABILITY_LABEL: &str = "概率";
/// Shown in place of the plot when a chart has no data (see the module notes).
pub const NO_DATA_LABEL: &str = "无数据 (no data)";

/// Why a chart could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    /// A label has a character the chart font lacks; ab_glyph would silently draw nothing.
    #[error(
        "the label \"{label}\" has the character '{ch}' (U+{:04X}), which the bundled font lacks; \
         use --font FILE with a font that has it",
        *ch as u32
    )]
    MissingGlyph {
        /// The whole label, so the user can find it in the scenario or report.
        label: String,
        /// The first character without a glyph.
        ch: char,
    },
    /// A font given to [`use_font`] could not be parsed.
    #[error("the chart font could not be read: {0}")]
    InvalidFont(String),
    /// plotters failed, or the data is inconsistent (lengths that do not match).
    #[error("could not draw the chart: {0}")]
    Draw(String),
}

/// Maps any plotters error into [`ChartError::Draw`]; drawing calls never unwrap.
pub(crate) fn draw_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// A chart in both output formats, drawn by the same code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// SVG document ([`SVG_SIZE`]), text as glyph outlines with the words in `aria-label`.
    pub svg: String,
    /// PNG file bytes ([`PNG_SIZE`], 8-bit RGB, 300 dpi).
    pub png: Vec<u8>,
    /// One-page vector PDF of the SVG, 16 cm wide (the print rule's width).
    pub pdf: Vec<u8>,
}

/// PDF resolution at which the SVG's 960 pixels span 16 cm: 960 / (16 / 2.54) pixels per inch.
const PDF_DPI: f32 = 152.4;

/// The SVG as a one-page vector PDF at the print rule's width of 16 cm (svg2pdf, through
/// usvg). The SVG's text is already glyph outlines, so the PDF needs no font. svg2pdf writes no
/// date, but lists the entries of resource dictionaries in hash-map order, which changes from
/// run to run; `canonical_resources` sorts them, so the bytes depend on the chart alone.
///
/// # Errors
///
/// An SVG usvg cannot read, or a conversion failure ([`ChartError::Draw`]).
pub fn pdf(svg: &str) -> Result<Vec<u8>, ChartError> {
    let tree = svg2pdf::usvg::Tree::from_str(svg, &svg2pdf::usvg::Options::default())
        .map_err(|e| ChartError::Draw(format!("reading the SVG for the PDF: {e}")))?;
    svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), svg2pdf::PageOptions { dpi: PDF_DPI })
        .map(canonical_resources)
        .map_err(|e| ChartError::Draw(format!("writing the PDF: {e}")))
}

/// `pdf` with the one-line entries of each resource dictionary (`/XObject <<`, `/ExtGState <<`,
/// `/Pattern <<`, `/Shading <<`, `/ColorSpace <<`, `/Font <<`) in sorted order. pdf-writer
/// writes one entry a line; sorting lines within a block keeps every byte count, so the
/// cross-reference offsets stay right. Stream data is left alone.
fn canonical_resources(pdf: Vec<u8>) -> Vec<u8> {
    const HEADS: [&[u8]; 6] =
        [b"/XObject <<", b"/ExtGState <<", b"/Pattern <<", b"/Shading <<", b"/ColorSpace <<", b"/Font <<"];
    let trim = |l: &[u8]| -> Vec<u8> { l.trim_ascii().to_vec() };
    let lines: Vec<&[u8]> = pdf.split(|b| *b == b'\n').collect();
    let mut out: Vec<&[u8]> = Vec::with_capacity(lines.len());
    let mut k = 0;
    let mut in_stream = false;
    while k < lines.len() {
        let line = lines[k];
        if in_stream {
            in_stream = !line.starts_with(b"endstream");
        } else if line == b"stream" {
            in_stream = true;
        } else if HEADS.contains(&trim(line).as_slice()) {
            // The block's entries run to the `>>` that closes it; sort them if each is one line.
            let end = (k + 1..lines.len()).find(|&j| trim(lines[j]) == b">>");
            if let Some(end) = end {
                let mut entries: Vec<&[u8]> = lines[k + 1..end].to_vec();
                if entries.iter().all(|e| e.trim_ascii().starts_with(b"/") && !e.ends_with(b"<<")) {
                    entries.sort_unstable();
                    out.push(line);
                    out.extend(entries);
                    k = end;
                    continue;
                }
            }
        }
        out.push(line);
        k += 1;
    }
    out.join(&b'\n')
}

/// The font that labels are checked against and bitmaps are drawn with: the bundled one unless
/// [`use_font`] replaced it.
static ACTIVE_FONT: RwLock<Option<FontRef<'static>>> = RwLock::new(None);

/// Registers the bundled font with plotters exactly once per process.
static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();

fn ensure_font() -> Result<(), ChartError> {
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, BUNDLED_FONT)
                .map_err(|_| "the bundled font does not parse".to_owned())
        })
        .clone()
        .map_err(ChartError::InvalidFont)
}

/// The active font for checks and measurement (parsing is cheap: ttf-parser reads tables lazily).
fn active_font() -> Result<FontRef<'static>, ChartError> {
    // A poisoned lock still holds a valid font (writers only assign), so recover it.
    let guard = ACTIVE_FONT.read().unwrap_or_else(|e| e.into_inner());
    match &*guard {
        Some(f) => Ok(f.clone()),
        None => FontRef::try_from_slice(BUNDLED_FONT).map_err(|e| ChartError::InvalidFont(e.to_string())),
    }
}

/// Replaces the bundled font with `bytes` (a TTF or OTF file, or a TTC whose face 0 is wanted)
/// for all later charts in this process. Fails, and changes nothing, if the bytes do not parse.
/// `'static` because plotters keeps the font for the life of the process; a caller reading a
/// file can `Box::leak` its bytes.
pub fn use_font(bytes: &'static [u8]) -> Result<(), ChartError> {
    let font = FontRef::try_from_slice(bytes).map_err(|e| ChartError::InvalidFont(e.to_string()))?;
    ensure_font()?;
    // Same family name: plotters' registry replaces the bundled face, and the SVG family list
    // stays the same.
    plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, bytes)
        .map_err(|_| ChartError::InvalidFont("plotters rejected the font".to_owned()))?;
    *ACTIVE_FONT.write().unwrap_or_else(|e| e.into_inner()) = Some(font);
    Ok(())
}

/// Checks that the active font has a glyph for every character of `label` (whitespace is exempt:
/// it draws nothing anyway). Returns the first missing character.
pub fn check_text(label: &str) -> Result<(), ChartError> {
    let font = active_font()?;
    match label.chars().find(|&c| !c.is_whitespace() && font.glyph_id(c).0 == 0) {
        Some(ch) => Err(ChartError::MissingGlyph { label: label.to_owned(), ch }),
        None => Ok(()),
    }
}

/// A chart kind's data: its labels, and how to draw it on any backend.
pub(crate) trait Chart {
    /// Every text the chart will draw that comes from the caller or from `fixed`.
    fn labels<'a>(&'a self, fixed: &'a Labels) -> Vec<&'a str>;
    /// Draws the whole chart on `root`, which the caller has filled white.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, kit: &Kit) -> Result<(), ChartError>;
}

/// Checks labels, then draws `chart` as SVG and PNG.
pub(crate) fn render(chart: &impl Chart, fixed: &'static Labels) -> Result<Rendered, ChartError> {
    ensure_font()?;
    for label in chart.labels(fixed) {
        check_text(label)?;
    }
    let font = active_font()?;

    let mut svg = String::new();
    {
        let backend = TextFix::new(SVGBackend::with_string(&mut svg, SVG_SIZE), font.clone(), false);
        let root = backend.into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        chart.draw(&root, &Kit::new(1.0, font.clone(), fixed))?;
        root.present().map_err(draw_err)?;
    }
    // Text as glyph outlines: the SVG then needs no font on the machine that shows it.
    let svg = outline::text_to_paths(&svg, &font);

    let (w, h) = PNG_SIZE;
    let mut rgb = vec![0xFF_u8; w as usize * h as usize * 3];
    {
        let backend = TextFix::new(BitMapBackend::with_buffer(&mut rgb, PNG_SIZE), font.clone(), true);
        let root = backend.into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        chart.draw(&root, &Kit::new(PNG_SCALE, font, fixed))?;
        root.present().map_err(draw_err)?;
    }
    let png = encode_png(&rgb, PNG_SIZE)?;
    let pdf = pdf(&svg)?;
    Ok(Rendered { svg, png, pdf })
}

/// Encodes 8-bit RGB pixels as a PNG file in memory.
fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_pixel_dims(Some(png::PixelDimensions {
        xppu: PNG_PIXELS_PER_METRE,
        yppu: PNG_PIXELS_PER_METRE,
        unit: png::Unit::Meter,
    }));
    let mut writer = enc.write_header().map_err(draw_err)?;
    writer.write_image_data(rgb).map_err(draw_err)?;
    writer.finish().map_err(draw_err)?;
    Ok(out)
}

/// Sizes and text styles for one backend: layout is written in SVG pixels and scaled here.
pub(crate) struct Kit {
    /// Backend pixels per SVG pixel.
    scale: f64,
    font: FontRef<'static>,
    /// The fixed texts (axis names, legend entries) in the chart's language.
    pub(crate) fixed: &'static Labels,
}

impl Kit {
    fn new(scale: f64, font: FontRef<'static>, fixed: &'static Labels) -> Self {
        Kit { scale, font, fixed }
    }

    /// A length in backend pixels.
    pub(crate) fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    /// A non-negative length (sizes, stroke widths) in backend pixels, at least 1.
    pub(crate) fn upx(&self, v: f64) -> u32 {
        (v * self.scale).round().max(1.0) as u32
    }

    /// Text `size` SVG pixels high (em), left/top anchored.
    pub(crate) fn text(&self, size: f64, colour: RGBColor) -> TextStyle<'static> {
        // plotters sizes are 1.24 em (its SVG backend writes font-size = size / 1.24).
        let plotters_size = size * 1.24 * self.scale;
        TextStyle {
            font: (FONT_FAMILY, plotters_size).into_font(),
            color: colour.to_backend_color(),
            pos: Pos::new(HPos::Left, VPos::Top),
        }
    }

    /// Width of `text` at `size` em in backend pixels, from the font's advances (as
    /// [`TextFix`] measures it).
    pub(crate) fn measure(&self, text: &str, size: f64) -> i32 {
        let upem = self.font.units_per_em().unwrap_or(1000.0);
        let units: f32 = text.chars().map(|c| self.font.h_advance_unscaled(self.font.glyph_id(c))).sum();
        (f64::from(units / upem) * size * self.scale).ceil() as i32
    }

    // Sizes of the house style, in SVG pixels (em for text).
    /// Title text.
    pub(crate) const TITLE: f64 = 26.0;
    /// Subtitle text.
    pub(crate) const SUBTITLE: f64 = 18.0;
    /// Axis labels.
    pub(crate) const AXIS: f64 = 18.0;
    /// Tick labels and values printed on the plot.
    pub(crate) const TICK: f64 = 17.0;
    /// Legend entries.
    pub(crate) const LEGEND: f64 = 17.0;
    /// Footnote and notes.
    pub(crate) const NOTE: f64 = 15.0;
    /// Outer margin left and right.
    pub(crate) const MARGIN: f64 = 22.0;
}

/// How a legend entry is marked.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mark {
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled square with this opacity.
    Swatch(RGBColor, f64),
    /// A filled circle.
    Dot(RGBColor),
}

/// Texts around the plot that every chart has.
pub(crate) struct Frame<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub footnote: &'a str,
    pub legend: Vec<(Mark, &'a str)>,
}

impl Frame<'_> {
    /// Draws title, subtitle, legend row and footnote; returns the area left for the plot.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        kit: &Kit,
    ) -> Result<DrawingArea<DB, Shift>, ChartError> {
        let (w, h) = root.dim_in_pixel();
        let left = kit.px(Kit::MARGIN);
        let right = w as i32 - kit.px(Kit::MARGIN);
        let mut y = kit.px(20.0);
        root.draw_text(self.title, &kit.text(Kit::TITLE, INK), (left, y)).map_err(draw_err)?;
        y += kit.px(Kit::TITLE * 1.45);
        if !self.subtitle.is_empty() {
            root.draw_text(self.subtitle, &kit.text(Kit::SUBTITLE, MUTED), (left, y)).map_err(draw_err)?;
            y += kit.px(Kit::SUBTITLE * 1.6);
        }
        if !self.legend.is_empty() {
            y += kit.px(4.0);
            y = draw_legend(root, kit, &self.legend, left, right, y)?;
        }
        let foot_h = kit.px(Kit::NOTE * 2.6);
        let foot_y = h as i32 - kit.px(Kit::NOTE * 1.9);
        root.draw_text(self.footnote, &kit.text(Kit::NOTE, MUTED), (left, foot_y)).map_err(draw_err)?;
        let top = (y + kit.px(6.0)).max(0) as u32;
        let bottom = foot_h.max(0) as u32;
        Ok(root.margin(top, bottom, kit.px(Kit::MARGIN * 0.5) as u32, kit.px(Kit::MARGIN) as u32))
    }
}

/// Draws legend entries left to right, wrapping at `right`; returns the y below the last row.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    kit: &Kit,
    items: &[(Mark, &str)],
    left: i32,
    right: i32,
    top: i32,
) -> Result<i32, ChartError> {
    let row_h = kit.px(Kit::LEGEND * 1.7);
    let key_w = kit.px(26.0);
    let gap = kit.px(8.0);
    let spacing = kit.px(22.0);
    let (mut x, mut y) = (left, top);
    for &(mark, label) in items {
        let item_w = key_w + gap + kit.measure(label, Kit::LEGEND);
        if x > left && x + item_w > right {
            x = left;
            y += row_h;
        }
        let mid = y + kit.px(Kit::LEGEND * 0.4);
        match mark {
            Mark::Line(c) => root
                .draw(&PathElement::new(vec![(x, mid), (x + key_w, mid)], c.stroke_width(kit.upx(3.0))))
                .map_err(draw_err)?,
            Mark::Dashed(c) => {
                let dash = key_w / 5;
                for i in [0, 2, 4] {
                    let seg = vec![(x + i * dash, mid), (x + (i + 1) * dash, mid)];
                    root.draw(&PathElement::new(seg, c.stroke_width(kit.upx(2.0)))).map_err(draw_err)?;
                }
            }
            Mark::Swatch(c, a) => {
                let half = kit.px(Kit::LEGEND * 0.5);
                root.draw(&Rectangle::new([(x, mid - half), (x + key_w, mid + half)], c.mix(a).filled()))
                    .map_err(draw_err)?
            }
            Mark::Dot(c) => {
                root.draw(&Circle::new((x + key_w / 2, mid), kit.upx(4.5), c.filled())).map_err(draw_err)?
            }
        }
        root.draw_text(label, &kit.text(Kit::LEGEND, INK), (x + key_w + gap, y)).map_err(draw_err)?;
        x += item_w + spacing;
    }
    Ok(y + row_h)
}

/// Writes the "no data" label of the chart's language in the middle of `area` (see "Empty data" in the module notes).
pub(crate) fn draw_no_data<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, kit: &Kit) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    let style = kit.text(Kit::AXIS, MUTED).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(kit.fixed.no_data, &style, (w as i32 / 2, h as i32 / 2)).map_err(draw_err)
}

/// Decimals for tick labels on an axis spanning `span`: enough for the 1-2-5 step plotters picks
/// for about eight ticks, and no more (ticks 2 apart print "60", not "60.0").
pub(crate) fn tick_decimals(span: f64) -> usize {
    if !(span.is_finite() && span > 0.0) {
        return 0;
    }
    let step = span / 8.0;
    let base = 10f64.powf(step.log10().floor());
    let nice = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * base).find(|&s| s >= step * (1.0 - 1e-9)).unwrap_or(base);
    (-nice.log10().floor()).clamp(0.0, 6.0) as usize
}

/// `v` with `decimals` decimals and thousands separated by commas ("12,345.6"); "−" for minus.
pub(crate) fn fmt_number(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    // Negative zero and values that round to zero print without a sign.
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { "−" } else { "" };
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{frac}") }
}

/// Smallest and largest finite value, or `None` if there is none.
pub(crate) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| Some(acc.map_or((v, v), |(lo, hi): (f64, f64)| (lo.min(v), hi.max(v)))))
}

/// Widens `(lo, hi)` by `frac` of its span on each side, and a degenerate range to a unit one.
pub(crate) fn pad_range((lo, hi): (f64, f64), frac: f64) -> (f64, f64) {
    let span = hi - lo;
    if span <= f64::EPSILON * lo.abs().max(1.0) {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - d, hi + d);
    }
    (lo - span * frac, hi + span * frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_prints_at_readable_sizes_at_a_16_cm_width() {
        // 16 cm is 453.5 pt; one SVG pixel prints at 453.5 / width pt.
        let pt = |px: f64| px * 453.5 / f64::from(SVG_SIZE.0);
        for (what, px, least) in [
            ("tick", Kit::TICK, 8.0),
            ("legend", Kit::LEGEND, 8.0),
            ("axis", Kit::AXIS, 8.0),
            ("subtitle", Kit::SUBTITLE, 8.0),
            ("footnote", Kit::NOTE, 7.0),
            ("title", Kit::TITLE, 11.0),
        ] {
            assert!(pt(px) >= least, "{what}: {px} px prints at {:.1} pt, under {least} pt", pt(px));
        }
        assert_eq!(
            (f64::from(SVG_SIZE.0) * PNG_SCALE, f64::from(SVG_SIZE.1) * PNG_SCALE),
            (f64::from(PNG_SIZE.0), f64::from(PNG_SIZE.1))
        );
    }

    #[test]
    fn check_text_accepts_gb2312_and_chart_symbols() {
        check_text("新增城镇就业（万人）2025–2035 · ‰ ％ ± × ≥ ≤ ° ¥ “” ‘’ 、。，：【】《》→ ℃").unwrap();
        check_text("Urban employment, 10k persons").unwrap();
    }

    #[test]
    fn check_text_names_label_and_character() {
        let e = check_text("人口 𠀀 增长").unwrap_err();
        assert_eq!(e, ChartError::MissingGlyph { label: "人口 𠀀 增长".into(), ch: '𠀀' });
        let msg = e.to_string();
        assert!(msg.contains("\"人口 𠀀 增长\"") && msg.contains("'𠀀' (U+20000)"), "{msg}");
        assert!(msg.contains("--font FILE"), "{msg}");
        let e = check_text("目标 🎯").unwrap_err();
        assert!(e.to_string().contains("U+1F3AF"), "{e}");
    }

    #[test]
    fn whitespace_is_exempt() {
        check_text("a\u{3000}b\u{a0}c\td").unwrap();
    }

    #[test]
    fn use_font_rejects_garbage_and_keeps_the_font() {
        assert!(matches!(use_font(b"not a font"), Err(ChartError::InvalidFont(_))));
        check_text("新增城镇就业").unwrap();
        // Re-registering the bundled bytes is accepted and changes nothing for other tests.
        use_font(BUNDLED_FONT).unwrap();
        check_text("新增城镇就业").unwrap();
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(fmt_number(1_234_567.891, 1), "1,234,567.9");
        assert_eq!(fmt_number(-0.004, 2), "0.00");
        assert_eq!(fmt_number(-12.4, 0), "−12");
        assert_eq!(fmt_number(999.0, 0), "999");
        assert_eq!(tick_decimals(1.0), 1);
        assert_eq!(tick_decimals(0.1), 2);
        assert_eq!(tick_decimals(80.0), 0);
    }

    #[test]
    fn a_chart_pdf_is_the_same_bytes_every_time() {
        // svg2pdf lists resources in hash-map order; every render must still give one file.
        let d = kinds::FanData {
            title: "城镇化率".into(),
            subtitle: String::new(),
            y_label: "%".into(),
            footnote: String::new(),
            series: (0..4)
                .map(|s| kinds::FanSeries {
                    label: format!("情景{s}"),
                    colour: s,
                    points: (2024..2029)
                        .map(|y| kinds::FanPoint {
                            year: y,
                            p5: 60.0,
                            p25: 61.0,
                            p50: 62.0 + s as f64,
                            p75: 63.0,
                            p95: 64.0 + f64::from(y - 2024),
                        })
                        .collect(),
                })
                .collect(),
            target: None,
            history: Vec::new(),
        };
        let first = kinds::fan_chart(&d, &ZH_LABELS).unwrap();
        assert!(first.pdf.starts_with(b"%PDF"));
        for _ in 0..5 {
            assert_eq!(pdf(&first.svg).unwrap(), first.pdf);
        }
        let sorted = canonical_resources(b"1 0 obj\n  /XObject <<\n    /xo2 9 0 R\n    /xo1 8 0 R\n  >>\n".to_vec());
        assert_eq!(sorted, b"1 0 obj\n  /XObject <<\n    /xo1 8 0 R\n    /xo2 9 0 R\n  >>\n");
    }

    #[test]
    fn palette_wraps() {
        assert_eq!(colour(0), colour(PALETTE.len()));
    }
}
