//! Renders the briefing pack's web page: one self-contained HTML file a reader can open offline.
//!
//! The page owns presentation only. Every number arrives already computed and formatted (the
//! summary's medians and intervals are strings); this module escapes the text, lays it out and
//! colours the summary cells. The page has no scripts and no external resources: the stylesheet
//! is inline, and the only links are relative ones to the pack's own `charts/NAME.png` (shown)
//! and `charts/NAME.svg` (linked, for print-quality copies), so the folder can be zipped, mailed
//! and opened on an air-gapped office machine. [`referenced_images`] lists those links so a test
//! can check the files exist.
//!
//! Colour on the summary uses an orange–blue scale, which reads for the common colour-vision
//! deficiencies and in greyscale, and is never the only signal: the probability is always
//! printed, and the legend names each band.

pub use crate::names::Lang;

/// Everything the page shows, in display order.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// Language of the fixed text; the caller's strings are shown as given.
    pub lang: Lang,
    /// Title, e.g. "浏阳市新型城镇化试点方案情景简报".
    pub title: String,
    /// One line under the title, e.g. "7 个情景 · 2,000 次模拟 · 种子 20250618 · urbsim 0.1.0".
    pub subtitle: String,
    /// Summary table header: the first column's label (e.g. "目标"), then one per scenario.
    pub summary_header: Vec<String>,
    /// One summary row per plan target.
    pub summary_rows: Vec<SummaryRow>,
    /// Charts, in display order.
    pub charts: Vec<ChartRef>,
    /// What each scenario changes.
    pub scenarios: Vec<ScenarioText>,
    /// The assumed [A] and placeholder [L] values that matter most.
    pub assumptions: Vec<AssumptionRow>,
    /// The sources the assumptions cite by key (`S39`), resolved: (key, what it is, address).
    pub sources: Vec<(String, String, String)>,
    /// The exact command line that reproduces the pack.
    pub reproduce: String,
    /// Reading notes shown under the summary, e.g. which target-period reading was used, or that
    /// values tagged L are placeholders.
    pub notes: Vec<String>,
    /// What each package changes against the reference, one block per package.
    pub changes: Vec<ChangeBlock>,
}

/// One package's changes against the reference.
#[derive(Clone, Debug, Default)]
pub struct ChangeBlock {
    /// The package's title.
    pub title: String,
    /// Its lines, largest change first.
    pub lines: Vec<ChangeLine>,
}

/// One indicator's change, already formatted.
#[derive(Clone, Debug, Default)]
pub struct ChangeLine {
    /// Indicator name.
    pub indicator: String,
    /// What is compared, e.g. "2028 年水平" or "2025–2028 年合计".
    pub measure: String,
    /// The reference's median.
    pub reference: String,
    /// Median change.
    pub median: String,
    /// 90% interval of the change.
    pub interval: String,
}

/// One plan target's row in the summary table.
#[derive(Clone, Debug, Default)]
pub struct SummaryRow {
    /// The target's name.
    pub target: String,
    /// The plan clause it comes from, shown in small type under the name.
    pub clause: String,
    /// What the verdict rests on (loaded values, or placeholders and assumptions), shown in
    /// small type under the clause; empty when not known.
    pub basis: String,
    /// One cell per scenario, in the header's order.
    pub cells: Vec<SummaryCell>,
}

/// One scenario's result for one target.
#[derive(Clone, Debug, Default)]
pub struct SummaryCell {
    /// Probability of meeting the target, 0 to 1; sets the cell's colour band. Not a number is
    /// shown as a dash on a neutral background.
    pub probability: f64,
    /// Lower end of the probability's 95% interval, 0 to 1.
    pub low: f64,
    /// Upper end of the probability's 95% interval, 0 to 1.
    pub high: f64,
    /// The target value's median, already formatted.
    pub median: String,
    /// The target value's interval, already formatted, e.g. "5.9万–7.6万".
    pub interval: String,
}

/// A chart in the pack's `charts/` folder.
#[derive(Clone, Debug, Default)]
pub struct ChartRef {
    /// File name without extension: the page shows `charts/STEM.png` and links `charts/STEM.svg`.
    pub file_stem: String,
    /// Caption, also the image's alternative text.
    pub caption: String,
    /// The question the chart answers, which decides the section it appears in.
    pub section: ChartSection,
}

/// The page's sections that hold charts, one per question a reader brings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ChartSection {
    /// How the packages compare: fans, comparisons, chances, the pipeline, lever grids.
    #[default]
    Compared,
    /// What each package changes: differences from the status quo.
    Changes,
    /// What drives the uncertainty: tornados, Sobol' and Morris indices, scenario discovery.
    Drivers,
}

/// What one scenario changes.
#[derive(Clone, Debug, Default)]
pub struct ScenarioText {
    /// The scenario's short name, as used on the command line and in the CSVs.
    pub name: String,
    /// Human title.
    pub title: String,
    /// Description; blank lines separate paragraphs.
    pub description: String,
    /// Plan clauses the scenario implements.
    pub clauses: Vec<String>,
    /// Levers it sets: (name, "status quo → package" in words). Empty when it changes none.
    pub levers: Vec<(String, String)>,
}

/// One assumption worth a reader's attention.
#[derive(Clone, Debug, Default)]
pub struct AssumptionRow {
    /// Parameter key (for machines; the page shows `name`).
    pub key: String,
    /// Parameter name in the page's language.
    pub name: String,
    /// Provenance tag, e.g. "A" or "L"; an L (placeholder) is emphasised.
    pub tag: String,
    /// Value, already formatted.
    pub value: String,
    /// What the parameter means.
    pub meaning: String,
    /// Where the value comes from.
    pub source: String,
    /// Why it matters, e.g. "largest total Sobol' index for new urban jobs".
    pub why: String,
}

/// The page's fixed text in one language.
struct Labels {
    html_lang: &'static str,
    contents: &'static str,
    changes: &'static str,
    changes_intro: &'static str,
    changes_header: [&'static str; 5],
    summary: &'static str,
    compared: &'static str,
    drivers: &'static str,
    drivers_intro: &'static str,
    scenarios: &'static str,
    assumptions: &'static str,
    reproduce: &'static str,
    notes: &'static str,
    median: &'static str,
    legend_intro: &'static str,
    bands: [&'static str; 5],
    no_probability: &'static str,
    no_summary: &'static str,
    no_charts: &'static str,
    no_scenarios: &'static str,
    no_assumptions: &'static str,
    figure: fn(usize) -> String,
    svg_link: &'static str,
    /// Brackets around a figure's links: full-width in Chinese, which need no space.
    brackets: (&'static str, &'static str),
    clauses: &'static str,
    lever: &'static str,
    setting: &'static str,
    no_levers: &'static str,
    assumption_columns: [&'static str; 6],
    tag_legend: &'static str,
    sources: &'static str,
    assumptions_basis: &'static str,
    reproduce_intro: &'static str,
}

const ZH: Labels = Labels {
    html_lang: "zh-CN",
    contents: "目录",
    changes: "各情景的变化一览",
    changes_intro: "每个情景与现行政策逐次模拟相减（同一组未来情形），列出变化最大的指标：中位数与 90% 区间。",
    changes_header: ["指标", "口径", "现行政策（中位数）", "变化（中位数）", "90% 区间"],
    summary: "规划目标能否实现",
    compared: "各情景比较",
    drivers: "不确定性从何而来",
    drivers_intro: "下列图表说明哪些假设对结果影响最大：先核实这些数值，结论才更可靠。",
    scenarios: "各情景的政策设定",
    assumptions: "关键假设与待补充数据",
    reproduce: "方法与复现",
    notes: "说明",
    median: "中位数",
    legend_intro: "每格依次为：达标概率（加粗）、该概率的 95% 区间、目标值中位数、目标值区间；概率与中位数来自同一组模拟的未来情形（参数不确定性加逐年随机冲击），与 `urbsim run` 报告的达标概率一致。底色按达标概率分档，仅作辅助：",
    bands: ["很不可能（<10%）", "不太可能（10%–33%）", "可能性相当（33%–67%）", "很可能（67%–90%）", "极可能（≥90%）"],
    no_probability: "无数据",
    no_summary: "没有可汇总的目标。",
    no_charts: "本简报没有图表。",
    no_scenarios: "没有情景。",
    no_assumptions: "没有列出的关键假设。",
    figure: |n| format!("图 {n}"),
    svg_link: "矢量图：",
    brackets: ("（", "）"),
    clauses: "对应条款：",
    lever: "政策杠杆",
    setting: "设定",
    no_levers: "不改变任何政策杠杆。",
    assumption_columns: ["参数", "标记", "取值", "含义", "来源", "为何重要"],
    tag_legend: "标记：S 有出处；D 由有出处的数值推算；A 假设；C 按公开统计校准；L 待市直部门提供，当前为占位值（加粗显示）。",
    sources: "上表引用的来源",
    assumptions_basis: "排序依据为总效应 Sobol′ 指数，只计参数的不确定性：逐年随机冲击取中位数（零），因此与上方的达标概率不是同一个分布。",
    reproduce_intro: "在项目目录中运行以下命令，可得到与本简报相同的结果：",
};

const EN: Labels = Labels {
    html_lang: "en",
    contents: "Contents",
    changes: "What each package changes",
    changes_intro: "Each package minus the status quo, future by future (the same futures for both): the indicators it moves most, median and 90% interval.",
    changes_header: ["Indicator", "Measure", "Status quo (median)", "Change (median)", "90% interval"],
    summary: "Will the plan targets be met?",
    compared: "The packages compared",
    drivers: "What drives the uncertainty",
    drivers_intro: "Which assumptions move the results most: checking these values first makes the conclusions firmer.",
    scenarios: "What each package sets",
    assumptions: "Key assumptions and placeholders",
    reproduce: "Method and how to reproduce",
    notes: "Notes",
    median: "median",
    legend_intro: "Each cell shows the probability of meeting the target (bold), that probability's 95% interval, \
                   the target value's median and its interval; probability and median come from the same simulated \
                   futures (parameter uncertainty plus yearly shocks), the same chances `urbsim run` reports. The \
                   background bands the probability and is only an aid:",
    bands: [
        "very unlikely (<10%)",
        "unlikely (10%–33%)",
        "about as likely as not (33%–67%)",
        "likely (67%–90%)",
        "very likely (≥90%)",
    ],
    no_probability: "no data",
    no_summary: "No targets to summarise.",
    no_charts: "This briefing has no charts.",
    no_scenarios: "No packages.",
    no_assumptions: "No key assumptions listed.",
    figure: |n| format!("Figure {n}."),
    svg_link: "vector: ",
    brackets: (" (", ")"),
    clauses: "Plan clauses:",
    lever: "Lever",
    setting: "Setting",
    no_levers: "Changes no levers.",
    assumption_columns: ["Assumption", "Tag", "Value", "Meaning", "Source", "Why it matters"],
    tag_legend: "Tags: S sourced; D derived from sourced values; A assumption; C calibrated to published \
                 statistics; L placeholder awaiting city department data (shown in bold).",
    sources: "Sources cited above",
    assumptions_basis: "Ranked by total Sobol' indices over parameter uncertainty only: the yearly shocks are held \
                        at their median (zero), so this is not the distribution behind the probabilities above.",
    reproduce_intro: "Run this in the project directory to get the same results as this briefing:",
};

/// Upper bounds of the probability bands (the last band is everything above). The bands follow
/// the IPCC likelihood language, so the legend's words mean what readers of climate and
/// planning reports already expect.
const BAND_UPPER: [f64; 4] = [0.10, 0.33, 0.67, 0.90];

/// The stylesheet. Band colours are ColorBrewer RdBu's lighter classes (orange for unlikely,
/// blue for likely, near-white in between), all dark-text readable, and distinct for
/// deuteranopia, protanopia and tritanopia.
const CSS: &str = r#"
:root { color-scheme: light; }
body {
  font-family: "urbsim Noto Sans SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  color: #1a1a1a; background: #fff; line-height: 1.6;
  max-width: 62rem; margin: 0 auto; padding: 1.5rem;
}
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
.subtitle { color: #555; margin: 0; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #1a1a1a; padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0; font-size: .9rem; }
th, td { border: 1px solid #bbb; padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #ececec; }
table.summary td { text-align: center; font-variant-numeric: tabular-nums; }
.prob { display: block; font-size: 1.15rem; font-weight: 700; }
.ci, .median, .interval { display: block; font-size: .8rem; }
.clause { display: block; font-size: .8rem; font-weight: normal; color: #555; }
nav.contents ol { columns: 2; }
table.changes td.num { text-align: right; font-variant-numeric: tabular-nums; }
.band0 { background: #ef8a62; }
.band1 { background: #fddbc7; }
.band2 { background: #f7f7f7; }
.band3 { background: #d1e5f0; }
.band4 { background: #67a9cf; }
.bandna { background: #fff; color: #555; }
.legend { font-size: .85rem; }
.legend .chip { display: inline-block; border: 1px solid #999; padding: 0 .5rem; margin: .15rem .3rem .15rem 0; }
figure { margin: 1.5rem 0; }
figure img { display: block; width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: .9rem; margin-top: .3rem; }
.scenario { border-left: 3px solid #67a9cf; padding-left: .8rem; margin: 1.25rem 0; }
.scenario h4 { font-size: 1rem; margin: 0 0 .4rem; }
code, pre {
  font-family: ui-monospace, Consolas, "Noto Sans Mono CJK SC", "Microsoft YaHei", monospace; font-size: .88em;
}
pre { background: #f4f4f4; border: 1px solid #ddd; padding: .75rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.placeholder { font-weight: 700; text-decoration: underline dotted; }
.none, .tag-legend { color: #555; font-size: .9rem; }
ul.sources { font-size: .85rem; }
ul.sources .address { color: #555; overflow-wrap: anywhere; }
@media print {
  @page { size: A4; margin: 15mm 12mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  tr, figure, .scenario { break-inside: avoid; page-break-inside: avoid; }
  figure img { width: 100%; max-width: 100%; border: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Renders the whole page as one HTML document.
///
/// Every string from `page` is escaped, so text may contain any characters. Sections that would
/// be empty say so in a sentence instead of showing an empty table, so the page structure is
/// the same whatever is missing.
pub fn render(page: &Page) -> String {
    let l = match page.lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    };
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<!DOCTYPE html>\n");
    out.push_str(&format!("<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n", l.html_lang));
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // The bundled font travels inside the page, so Chinese shows on a machine without a Chinese
    // font (the charts' SVGs carry their text as outlines).
    use base64::Engine as _;
    let font = base64::engine::general_purpose::STANDARD.encode(crate::chart::BUNDLED_FONT);
    out.push_str(&format!(
        "<title>{}</title>\n<style>@font-face {{ font-family: \"urbsim Noto Sans SC\"; src: url(data:font/otf;base64,{font}) format(\"opentype\"); }}\n{CSS}</style>\n</head>\n<body>\n",
        esc(&page.title)
    ));
    out.push_str(&format!("<header>\n<h1>{}</h1>\n", esc(&page.title)));
    if !page.subtitle.is_empty() {
        out.push_str(&format!("<p class=\"subtitle\">{}</p>\n", esc(&page.subtitle)));
    }
    out.push_str("</header>\n");
    contents(&mut out, page, l);
    out.push_str("<main>\n");
    // One section per question: will the targets be met, how do the packages compare, what does
    // each change, what drives the uncertainty, which assumptions to check, how it was made.
    summary_section(&mut out, page, l);
    let mut figure = 0;
    out.push_str(&format!("<section id=\"packages\">\n<h2>{}</h2>\n", l.compared));
    scenarios_section(&mut out, page, l);
    charts(&mut out, page, l, ChartSection::Compared, &mut figure);
    out.push_str("</section>\n");
    changes_section(&mut out, page, l, &mut figure);
    if page.charts.iter().any(|c| c.section == ChartSection::Drivers) {
        out.push_str(&format!("<section id=\"drivers\">\n<h2>{}</h2>\n<p>{}</p>\n", l.drivers, l.drivers_intro));
        charts(&mut out, page, l, ChartSection::Drivers, &mut figure);
        out.push_str("</section>\n");
    }
    assumptions_section(&mut out, page, l);
    out.push_str(&format!("<section id=\"reproduce\">\n<h2>{}</h2>\n", l.reproduce));
    out.push_str(&format!("<p>{}</p>\n<pre><code>{}</code></pre>\n", l.reproduce_intro, esc(&page.reproduce)));
    out.push_str("</section>\n</main>\n</body>\n</html>\n");
    out
}

/// The table of contents: one link per section the page has.
fn contents(out: &mut String, page: &Page, l: &Labels) {
    let mut items = vec![("summary", l.summary), ("packages", l.compared)];
    if has_changes(page) {
        items.push(("changes", l.changes));
    }
    if page.charts.iter().any(|c| c.section == ChartSection::Drivers) {
        items.push(("drivers", l.drivers));
    }
    items.extend([("assumptions", l.assumptions), ("reproduce", l.reproduce)]);
    out.push_str(&format!("<nav class=\"contents\">\n<h2>{}</h2>\n<ol>\n", l.contents));
    for (id, name) in items {
        out.push_str(&format!("<li><a href=\"#{id}\">{}</a></li>\n", esc(name)));
    }
    out.push_str("</ol>\n</nav>\n");
}

/// Whether the page has a "what each package changes" section: tables or difference charts.
fn has_changes(page: &Page) -> bool {
    !page.changes.is_empty() || page.charts.iter().any(|c| c.section == ChartSection::Changes)
}

/// What each package changes: one table per package, then the difference charts.
fn changes_section(out: &mut String, page: &Page, l: &Labels, figure: &mut usize) {
    if !has_changes(page) {
        return;
    }
    out.push_str(&format!("<section id=\"changes\">\n<h2>{}</h2>\n<p>{}</p>\n", l.changes, esc(l.changes_intro)));
    for block in &page.changes {
        out.push_str(&format!("<h3>{}</h3>\n<table class=\"changes\">\n<thead><tr>", esc(&block.title)));
        for h in l.changes_header {
            out.push_str(&format!("<th scope=\"col\">{}</th>", esc(h)));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for line in &block.lines {
            out.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                esc(&line.indicator),
                esc(&line.measure),
                esc(&line.reference),
                esc(&line.median),
                esc(&line.interval)
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    charts(out, page, l, ChartSection::Changes, figure);
    out.push_str("</section>\n");
}

/// The summary table, its colour legend and the reading notes.
fn summary_section(out: &mut String, page: &Page, l: &Labels) {
    out.push_str(&format!("<section id=\"summary\">\n<h2>{}</h2>\n", l.summary));
    if page.summary_rows.is_empty() {
        out.push_str(&format!("<p class=\"none\">{}</p>\n", l.no_summary));
    } else {
        // Pad short rows so the table stays rectangular when a cell is missing.
        let columns = page.summary_rows.iter().map(|r| r.cells.len() + 1).max().unwrap_or(1);
        let columns = columns.max(page.summary_header.len());
        out.push_str("<table class=\"summary\">\n<thead>\n<tr>");
        for i in 0..columns {
            let label = page.summary_header.get(i).map_or(String::new(), |h| esc(h));
            out.push_str(&format!("<th scope=\"col\">{label}</th>"));
        }
        out.push_str("</tr>\n</thead>\n<tbody>\n");
        for row in &page.summary_rows {
            out.push_str(&format!("<tr><th scope=\"row\">{}", esc(&row.target)));
            if !row.clause.is_empty() {
                out.push_str(&format!("<span class=\"clause\">{}</span>", esc(&row.clause)));
            }
            if !row.basis.is_empty() {
                out.push_str(&format!("<span class=\"clause basis\">{}</span>", esc(&row.basis)));
            }
            out.push_str("</th>");
            for cell in &row.cells {
                summary_cell(out, cell, l);
            }
            for _ in row.cells.len() + 1..columns {
                out.push_str("<td></td>");
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        out.push_str(&format!("<p class=\"legend\">{} ", l.legend_intro));
        for (band, name) in l.bands.iter().enumerate() {
            out.push_str(&format!("<span class=\"chip band{band}\">{}</span>", esc(name)));
        }
        out.push_str("</p>\n");
    }
    if !page.notes.is_empty() {
        out.push_str(&format!("<h3>{}</h3>\n<ul class=\"notes\">\n", l.notes));
        for note in &page.notes {
            out.push_str(&format!("<li>{}</li>\n", esc(note)));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

/// One coloured summary cell; the band's name is also the cell's tooltip, so the colour's
/// meaning is available without the legend.
fn summary_cell(out: &mut String, cell: &SummaryCell, l: &Labels) {
    let (class, band_name) = match band(cell.probability) {
        Some(b) => (format!("band{b}"), l.bands[b]),
        None => ("bandna".to_string(), l.no_probability),
    };
    out.push_str(&format!("<td class=\"{class}\" title=\"{}\">", esc(band_name)));
    out.push_str(&format!("<span class=\"prob\">{}</span>", percent(cell.probability)));
    if cell.low.is_finite() && cell.high.is_finite() {
        out.push_str(&format!("<span class=\"ci\">{}–{}</span>", percent(cell.low), percent(cell.high)));
    }
    if !cell.median.is_empty() {
        out.push_str(&format!("<span class=\"median\">{} {}</span>", l.median, esc(&cell.median)));
    }
    if !cell.interval.is_empty() {
        out.push_str(&format!("<span class=\"interval\">{}</span>", esc(&cell.interval)));
    }
    out.push_str("</td>");
}

/// The charts of one section, each a PNG linking to its SVG, with links to the SVG and the PDF
/// (for print) under it, numbered on from `figure`.
fn charts(out: &mut String, page: &Page, l: &Labels, section: ChartSection, figure: &mut usize) {
    if section == ChartSection::Compared && page.charts.is_empty() {
        out.push_str(&format!("<p class=\"none\">{}</p>\n", l.no_charts));
    }
    let (lp, rp) = l.brackets;
    for chart in page.charts.iter().filter(|c| c.section == section) {
        *figure += 1;
        let stem = url_component(&chart.file_stem);
        let caption = esc(&chart.caption);
        out.push_str(&format!(
            "<figure>\n<a href=\"charts/{stem}.svg\"><img src=\"charts/{stem}.png\" alt=\"{caption}\"></a>\n\
             <figcaption>{} {caption}{lp}{}<a href=\"charts/{stem}.svg\">SVG</a> · \
             <a href=\"charts/{stem}.pdf\">PDF</a>{rp}</figcaption>\n</figure>\n",
            (l.figure)(*figure),
            l.svg_link,
        ));
    }
}

/// One block per scenario: title, description, the clauses it implements and the levers it sets.
fn scenarios_section(out: &mut String, page: &Page, l: &Labels) {
    out.push_str(&format!("<h3 id=\"scenarios\">{}</h3>\n", l.scenarios));
    if page.scenarios.is_empty() {
        out.push_str(&format!("<p class=\"none\">{}</p>\n", l.no_scenarios));
    }
    for s in &page.scenarios {
        out.push_str("<article class=\"scenario\">\n");
        out.push_str(&format!("<h4>{}</h4>\n", esc(&s.title)));
        // Blank lines separate paragraphs; single newlines are just wrapping in the source text.
        for para in s.description.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            out.push_str(&format!("<p>{}</p>\n", esc(para)));
        }
        if !s.clauses.is_empty() {
            out.push_str(&format!("<p>{}</p>\n<ul class=\"clauses\">\n", l.clauses));
            for clause in &s.clauses {
                out.push_str(&format!("<li>{}</li>\n", esc(clause)));
            }
            out.push_str("</ul>\n");
        }
        if s.levers.is_empty() {
            out.push_str(&format!("<p class=\"none\">{}</p>\n", l.no_levers));
        } else {
            out.push_str(&format!(
                "<table class=\"levers\">\n<thead>\n<tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr>\n\
                 </thead>\n<tbody>\n",
                l.lever, l.setting
            ));
            for (key, value) in &s.levers {
                out.push_str(&format!("<tr><td>{}</td><td>{}</td></tr>\n", esc(key), esc(value)));
            }
            out.push_str("</tbody>\n</table>\n");
        }
        out.push_str("</article>\n");
    }
}

/// The key assumptions table and the tag legend.
fn assumptions_section(out: &mut String, page: &Page, l: &Labels) {
    out.push_str(&format!("<section id=\"assumptions\">\n<h2>{}</h2>\n", l.assumptions));
    out.push_str(&format!("<p class=\"note\">{}</p>\n", l.assumptions_basis));
    if page.assumptions.is_empty() {
        out.push_str(&format!("<p class=\"none\">{}</p>\n", l.no_assumptions));
    } else {
        // The meaning column only when there are meanings to show (the Chinese page's names
        // say what a parameter is; the registry's one-line meanings are English).
        let meanings = page.assumptions.iter().any(|a| !a.meaning.is_empty());
        out.push_str("<table class=\"assumptions\">\n<thead>\n<tr>");
        for (k, column) in l.assumption_columns.iter().enumerate() {
            if k != 3 || meanings {
                out.push_str(&format!("<th scope=\"col\">{column}</th>"));
            }
        }
        out.push_str("</tr>\n</thead>\n<tbody>\n");
        for a in &page.assumptions {
            // A placeholder is emphasised by weight and underline, with the tag letter still
            // printed, so the warning does not depend on colour.
            let placeholder = a.tag.trim().trim_matches(|c| c == '[' || c == ']').eq_ignore_ascii_case("L");
            let tag_class = if placeholder { " class=\"placeholder\"" } else { "" };
            let meaning = if meanings { format!("<td>{}</td>", esc(&a.meaning)) } else { String::new() };
            out.push_str(&format!(
                "<tr><td>{}</td><td{tag_class}>{}</td><td{tag_class}>{}</td>{meaning}<td class=\"source\">{}</td><td>{}</td></tr>\n",
                esc(&a.name),
                esc(&a.tag),
                esc(&a.value),
                esc(&a.source),
                esc(&a.why),
            ));
        }
        out.push_str("</tbody>\n</table>\n");
        out.push_str(&format!("<p class=\"tag-legend\">{}</p>\n", l.tag_legend));
        // The keys the source notes cite, resolved (docs/MODEL.md §11), so a reader can follow them.
        if !page.sources.is_empty() {
            out.push_str(&format!("<h3>{}</h3>\n<ul class=\"sources\">\n", l.sources));
            for (key, what, address) in &page.sources {
                out.push_str(&format!(
                    "<li id=\"{}\"><strong>{}</strong> {}<br><span class=\"address\">{}</span></li>\n",
                    esc(key),
                    esc(key),
                    esc(what),
                    esc(address)
                ));
            }
            out.push_str("</ul>\n");
        }
    }
    out.push_str("</section>\n");
}

/// Every local file the page refers to: each `src="..."` value and each `href="charts/..."`
/// value, decoded back to a path relative to the page, in order of first appearance and without
/// repeats.
///
/// Scanning the text is sound for pages from [`render`] because it escapes every quote in the
/// caller's text, so `src="` can only occur as a real attribute.
pub fn referenced_images(html: &str) -> Vec<String> {
    let mut attributes: Vec<(usize, &str)> = html
        .match_indices(" src=\"")
        .map(|(at, m)| (at + m.len(), ""))
        .chain(html.match_indices(" href=\"").map(|(at, m)| (at + m.len(), "charts/")))
        .collect();
    attributes.sort_unstable();
    let mut found: Vec<String> = Vec::new();
    for (start, prefix) in attributes {
        let Some(len) = html[start..].find('"') else { continue };
        let value = &html[start..start + len];
        if value.starts_with(prefix) {
            let path = percent_decode(&unescape(value));
            if !found.contains(&path) {
                found.push(path);
            }
        }
    }
    found
}

/// The band index 0..=4 for a probability, or `None` when it is not a number.
fn band(p: f64) -> Option<usize> {
    if p.is_nan() {
        return None;
    }
    Some(BAND_UPPER.iter().position(|&upper| p < upper).unwrap_or(BAND_UPPER.len()))
}

/// A probability as a whole percentage. Values that would round to 0% or 100% without being
/// exactly that are written "<1%" and ">99%", so a page never claims certainty the draws do not
/// show.
fn percent(p: f64) -> String {
    if !p.is_finite() {
        return "—".to_string();
    }
    let p = p.clamp(0.0, 1.0);
    if p > 0.0 && p < 0.005 {
        "&lt;1%".to_string()
    } else if (0.995..1.0).contains(&p) {
        "&gt;99%".to_string()
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

/// Escapes text for HTML content and double- or single-quoted attributes.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Reverses [`esc`].
fn unescape(text: &str) -> String {
    // `&amp;` last, so an escaped entity such as `&amp;lt;` comes back as `&lt;`, not `<`.
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// Percent-encodes a file name for use in a relative URL: everything but RFC 3986's unreserved
/// characters, so spaces, `#`, `?` and non-ASCII names still reach the right file.
fn url_component(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Reverses [`url_component`]; malformed escapes are kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(lang: Lang) -> Page {
        Page {
            changes: vec![ChangeBlock {
                title: "放开落户".into(),
                lines: vec![ChangeLine {
                    indicator: "落户人数".into(),
                    measure: "2025–2028 年合计".into(),
                    reference: "4,508人".into(),
                    median: "+2.16万人".into(),
                    interval: "+1.09万人 … +3.29万人".into(),
                }],
            }],
            lang,
            title: "浏阳市新型城镇化试点方案情景简报".into(),
            subtitle: "7 个情景 · 2,000 次模拟 · 种子 20250618 · urbsim 0.1.0".into(),
            summary_header: vec!["目标".into(), "baseline".into(), "reform".into()],
            summary_rows: vec![SummaryRow {
                target: "新增城镇就业".into(),
                clause: "第三章（二）".into(),
                basis: "依据含占位值 [L]:debt_base".into(),
                cells: vec![
                    SummaryCell {
                        probability: 0.73,
                        low: 0.68,
                        high: 0.78,
                        median: "6.8万".into(),
                        interval: "5.9万–7.6万".into(),
                    },
                    SummaryCell {
                        probability: 0.05,
                        low: 0.03,
                        high: 0.08,
                        median: "5.1万".into(),
                        interval: "4.2万–6.0万".into(),
                    },
                ],
            }],
            charts: vec![
                ChartRef {
                    file_stem: "fan_urban_rate".into(),
                    caption: "常住人口城镇化率".into(),
                    ..ChartRef::default()
                },
                ChartRef { file_stem: "jobs".into(), caption: "新增就业".into(), section: ChartSection::Drivers },
            ],
            scenarios: vec![ScenarioText {
                name: "reform".into(),
                title: "户籍改革".into(),
                description: "放宽落户。\n\n第二段。".into(),
                clauses: vec!["第二章".into()],
                levers: vec![("hukou.threshold".into(), "0".into())],
            }],
            assumptions: vec![AssumptionRow {
                key: "c_adm".into(),
                name: "落户办结系数".into(),
                tag: "L".into(),
                value: "0.0295".into(),
                meaning: "落户转化率".into(),
                source: "公安局".into(),
                why: "largest total Sobol' index for new urban jobs".into(),
            }],
            sources: vec![("S39".into(), "浏阳日报".into(), "http://example.org/s39".into())],
            reproduce: "urbsim brief --seed 20250618 --draws 2000 scenarios/*.toml".into(),
            notes: vec!["L 标记的数值为占位值。".into()],
        }
    }

    #[test]
    fn the_sources_the_assumptions_cite_are_resolved_on_the_page() {
        let html = render(&sample(Lang::Zh));
        assert!(
            html.contains("<li id=\"S39\"><strong>S39</strong> 浏阳日报<br><span class=\"address\">http://example.org/s39</span></li>"),
            "{html}"
        );
    }

    fn count(html: &str, needle: &str) -> usize {
        html.matches(needle).count()
    }

    /// Opening and closing tags of every container the page uses balance.
    fn assert_balanced(html: &str) {
        for tag in [
            "html", "head", "body", "main", "header", "nav", "section", "table", "thead", "tbody", "tr", "figure",
            "ul", "ol",
        ] {
            let open = count(html, &format!("<{tag}>")) + count(html, &format!("<{tag} "));
            let close = count(html, &format!("</{tag}>"));
            assert_eq!(open, close, "<{tag}> opened {open} times, closed {close}");
        }
        // Targets, packages compared, assumptions, method, and what each package changes and
        // what drives the uncertainty when there is anything to show.
        let expected = 4 + usize::from(html.contains("id=\"changes\"")) + usize::from(html.contains("id=\"drivers\""));
        assert_eq!(count(html, "<section"), expected);
    }

    #[test]
    fn the_page_has_contents_and_what_each_package_changes() {
        let html = render(&sample(Lang::Zh));
        assert!(
            html.contains("<nav class=\"contents\">") && html.contains("<a href=\"#changes\">各情景的变化一览</a>")
        );
        assert!(html.contains("<section id=\"changes\">") && html.contains("+2.16万人"), "{html}");
        let mut empty = sample(Lang::En);
        empty.changes.clear();
        let html = render(&empty);
        assert!(!html.contains("#changes") && html.contains("<a href=\"#summary\">Will the plan targets be met?</a>"));
    }

    #[test]
    fn the_page_carries_its_font() {
        let html = render(&sample(Lang::Zh));
        assert!(html.contains("@font-face { font-family: \"urbsim Noto Sans SC\"; src: url(data:font/otf;base64,"));
        assert!(html.contains("font-family: \"urbsim Noto Sans SC\""));
    }

    #[test]
    fn each_verdict_shows_what_it_rests_on() {
        let html = render(&sample(Lang::Zh));
        assert!(html.contains("<span class=\"clause basis\">依据含占位值 [L]:debt_base</span>"), "{html}");
    }

    #[test]
    fn escapes_all_five_characters_everywhere() {
        let mut page = sample(Lang::En);
        let nasty = r#"<script>alert("x") & 'y'</script>"#;
        page.title = nasty.into();
        page.summary_rows[0].target = nasty.into();
        page.summary_rows[0].cells[0].interval = nasty.into();
        page.charts[0].caption = nasty.into();
        page.scenarios[0].levers[0].1 = nasty.into();
        page.assumptions[0].why = nasty.into();
        page.reproduce = nasty.into();
        page.notes.push(nasty.into());
        let html = render(&page);
        assert!(!html.contains("<script"));
        assert!(!html.contains("alert(\"x\")"));
        assert!(!html.contains("'y'"));
        let escaped = "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;";
        assert_eq!(count(&html, escaped), 10, "title (title, h1) and caption (alt, figcaption) twice, the rest once");
        assert_eq!(esc("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    }

    #[test]
    fn chinese_page_has_chinese_headings() {
        let html = render(&sample(Lang::Zh));
        assert!(html.contains("<html lang=\"zh-CN\">"));
        for heading in ["规划目标能否实现", "各情景比较", "不确定性从何而来", "关键假设与待补充数据", "方法与复现"]
        {
            assert!(html.contains(&format!("<h2>{heading}</h2>")), "{heading}");
        }
        assert!(html.contains("\"Noto Sans SC\", \"Microsoft YaHei\", \"PingFang SC\", sans-serif"));
        assert!(html.contains("@page { size: A4"));
        assert!(!html.contains("<script"));
        // Source addresses are shown as text; nothing is loaded or linked from outside.
        for external in ["src=\"http", "href=\"http", "url(http"] {
            assert!(!html.contains(external), "no external resources: {external}");
        }
        assert_balanced(&html);
    }

    #[test]
    fn english_page_has_english_headings() {
        let html = render(&sample(Lang::En));
        assert!(html.contains("<html lang=\"en\">"));
        for heading in [
            "Will the plan targets be met?",
            "The packages compared",
            "What drives the uncertainty",
            "Key assumptions and placeholders",
            "Method and how to reproduce",
        ] {
            assert!(html.contains(&format!("<h2>{heading}</h2>")), "{heading}");
        }
        assert!(!html.contains("<h2>规划目标能否实现</h2>"));
        assert_balanced(&html);
    }

    #[test]
    fn summary_cells_print_numbers_and_band_colours() {
        let html = render(&sample(Lang::Zh));
        assert!(html.contains("class=\"band3\""), "73% is in the 'likely' band");
        assert!(html.contains("class=\"band0\""), "5% is in the 'very unlikely' band");
        assert!(html.contains("<span class=\"prob\">73%</span>"));
        assert!(html.contains("<span class=\"ci\">68%–78%</span>"));
        assert!(html.contains("中位数 6.8万"));
        assert!(html.contains("5.9万–7.6万"));
        // The legend's fixed text is escaped too.
        assert!(html.contains("很不可能（&lt;10%）") && !html.contains("（<10%）"));
        assert_eq!(band(0.0), Some(0));
        assert_eq!(band(0.10), Some(1));
        assert_eq!(band(0.9), Some(4));
        assert_eq!(band(1.0), Some(4));
        assert_eq!(band(f64::NAN), None);
        assert_eq!(percent(0.001), "&lt;1%");
        assert_eq!(percent(0.999), "&gt;99%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.0), "0%");
    }

    #[test]
    fn referenced_images_lists_every_png_and_svg() {
        let mut page = sample(Lang::Zh);
        page.charts.push(ChartRef {
            file_stem: "城镇化 #2".into(),
            caption: "x".into(),
            section: ChartSection::Drivers,
        });
        let html = render(&page);
        assert_eq!(
            referenced_images(&html),
            vec![
                "charts/fan_urban_rate.svg",
                "charts/fan_urban_rate.png",
                "charts/fan_urban_rate.pdf",
                "charts/jobs.svg",
                "charts/jobs.png",
                "charts/jobs.pdf",
                "charts/城镇化 #2.svg",
                "charts/城镇化 #2.png",
                "charts/城镇化 #2.pdf",
            ]
        );
        assert!(html.contains("src=\"charts/%E5%9F%8E%E9%95%87%E5%8C%96%20%232.png\""));
    }

    #[test]
    fn empty_page_keeps_a_balanced_structure() {
        let page = Page { lang: Lang::En, title: "t".into(), ..Page::default() };
        let html = render(&page);
        assert_balanced(&html);
        assert_eq!(count(&html, "<table"), 0);
        assert_eq!(count(&html, "<figure"), 0);
        assert!(referenced_images(&html).is_empty());
        assert!(html.contains(EN.no_charts) && html.contains(EN.no_assumptions));

        let mut page = sample(Lang::Zh);
        page.charts.clear();
        page.assumptions.clear();
        let html = render(&page);
        assert_balanced(&html);
        // Summary, one package's changes and one scenario's levers remain.
        assert_eq!(count(&html, "<table"), 3);
        assert!(html.contains(ZH.no_charts) && html.contains(ZH.no_assumptions));
    }
}
