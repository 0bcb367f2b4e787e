//! Assembles the briefing pack from saved result tables: parses the sweep and sensitivity CSVs,
//! prepares the data of every chart (a pure step, tested on its own), draws the charts, and
//! builds the page and the workbook.
//!
//! Charts are made from the tables, never from in-memory sweep state, so `urbsim chart DIR`
//! re-draws exactly what `urbsim brief` drew, from the files alone.

use std::collections::BTreeMap;

use crate::baseline::Baseline;
use crate::chart::{
    self, Bar, BarData, FanData, FanPoint, FanSeries, HeatmapData, Rendered, StackData, TornadoData, XyData, XyPoint,
};
use crate::exploration::tables::{MorrisRow, OatRow, PrimRow, SobolRow, from_csv};
use crate::model::{IndicatorId, Year};
use crate::names;
use crate::targets::{JudgedBy, PlanTargets};

use super::html::{self, AssumptionRow, ChartRef, Lang, Page, ScenarioText, SummaryCell, SummaryRow};

/// One target row: probability, its 95% interval, and percentiles p5..p95 of the achieved value.
pub use crate::sweep::tables::TargetsRow as TargetRow;
use crate::sweep::tables::{PairedRow, SummaryRow as SeriesRow, read_rows};

/// Whether a target's chance is settled: its whole 95% interval lies within a point of 0% or of
/// 100%, so an attainment chart would show nothing a reader needs.
fn settled(v: &TargetRow) -> bool {
    v.ci95_low.is_some_and(|lo| lo >= 0.99) || v.ci95_high.is_some_and(|hi| hi <= 0.01)
}

/// A statistic of a table as a number to draw: a missing one is not drawn (charts skip
/// non-finite points), never read as zero.
fn drawn(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

/// One point of a lever grid: scenario, lever values, and (target, probability) pairs.
pub type GridPoint = (String, Vec<f64>, Vec<(String, f64)>);

/// Result tables as written by a sweep (`summary.csv`, `targets.csv`, `paired.csv`) and,
/// optionally, by sensitivity runs (`oat.csv`, `sobol.csv`).
#[derive(Clone, Debug, Default)]
pub struct Tables {
    /// (scenario, year, indicator) → its `summary.csv` row.
    pub summary: BTreeMap<(String, Year, String), SeriesRow>,
    /// Scenarios in the order they appear.
    pub scenarios: Vec<String>,
    /// (scenario, target) → its `targets.csv` row.
    pub targets: BTreeMap<(String, String), TargetRow>,
    /// Target ids in order.
    pub target_ids: Vec<String>,
    /// (scenario, year, indicator) → its `paired.csv` row (scenario minus reference).
    pub paired: BTreeMap<(String, Year, String), PairedRow>,
    /// Reference scenario of the paired table.
    pub reference: Option<String>,
    /// OAT rows: (outcome, parameter, value at low, value at high, value with every parameter central).
    pub oat: Vec<(String, String, f64, f64, f64)>,
    /// Sobol rows: (outcome, factor, st, st low, st high).
    pub sobol: Vec<(String, String, f64, f64, f64)>,
    /// Morris rows: (outcome, factor, μ*, σ).
    pub morris: Vec<(String, String, f64, Option<f64>)>,
    /// PRIM trajectory rows: (coverage, density, chosen).
    pub prim: Vec<(f64, f64, bool)>,
    /// Scenario titles (`scenarios.csv` of a brief): name → (Chinese, English).
    pub titles: BTreeMap<String, (String, String)>,
    /// Lever grid of a sweep: lever names, and per grid point its scenario, lever values and
    /// (target, probability) pairs.
    pub grid: Option<(Vec<String>, Vec<GridPoint>)>,
    /// What each package changes (`changes.csv` of a brief).
    pub changes: Vec<crate::brief::assemble::ChangeRow>,
}

fn num(s: &str) -> f64 {
    s.trim().parse().unwrap_or(f64::NAN)
}

fn records(text: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut r = csv::Reader::from_reader(text);
    let header = r.headers().map_err(|e| e.to_string())?.iter().map(String::from).collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        rows.push(rec.map_err(|e| e.to_string())?.iter().map(String::from).collect());
    }
    Ok((header, rows))
}

impl Tables {
    /// Parses the tables; `oat` and `sobol` may be absent.
    ///
    /// # Errors
    /// A table that does not have the expected columns, named with the column.
    pub fn parse(
        summary: &[u8],
        targets: &[u8],
        paired: &[u8],
        oat: Option<&[u8]>,
        sobol: Option<&[u8]>,
    ) -> Result<Tables, String> {
        let mut t = Tables::default();
        for r in read_rows::<SeriesRow>("summary.csv", summary)? {
            if !t.scenarios.contains(&r.scenario) {
                t.scenarios.push(r.scenario.clone());
            }
            t.summary.insert((r.scenario.clone(), r.year, r.indicator.clone()), r);
        }
        for r in read_rows::<TargetRow>("targets.csv", targets)? {
            if !t.target_ids.contains(&r.target) {
                t.target_ids.push(r.target.clone());
            }
            t.targets.insert((r.scenario.clone(), r.target.clone()), r);
        }
        for r in read_rows::<PairedRow>("paired.csv", paired)? {
            t.reference = Some(r.reference.clone());
            t.paired.insert((r.scenario.clone(), r.year, r.indicator.clone()), r);
        }
        if let Some(oat) = oat {
            t.add_oat(oat)?;
        }
        if let Some(sobol) = sobol {
            t.add_sobol(sobol)?;
        }
        Ok(t)
    }

    /// Adds `oat.csv` of `urbsim sensitivity --method oat` (or of `urbsim brief`).
    ///
    /// # Errors
    /// A malformed table.
    pub fn add_oat(&mut self, oat: &[u8]) -> Result<(), String> {
        self.oat = from_csv::<OatRow>("oat.csv", oat)?
            .into_iter()
            .map(|r| (r.outcome, r.parameter, r.outcome_at_low, r.outcome_at_high, r.outcome_at_centre))
            .collect();
        Ok(())
    }

    /// Adds `sobol.csv` of `urbsim sensitivity --method sobol` (or of `urbsim brief`). A missing
    /// interval (too few samples to bootstrap) is drawn as the point itself.
    ///
    /// # Errors
    /// A malformed table.
    pub fn add_sobol(&mut self, sobol: &[u8]) -> Result<(), String> {
        self.sobol = from_csv::<SobolRow>("sobol.csv", sobol)?
            .into_iter()
            .map(|r| {
                let (lo, hi) = (r.st_ci95_low.unwrap_or(r.st), r.st_ci95_high.unwrap_or(r.st));
                (r.outcome, r.factor, r.st, lo, hi)
            })
            .collect();
        Ok(())
    }

    /// Adds `morris.csv` of `urbsim sensitivity --method morris`. Grouped factors have no `σ`
    /// (SALib reports none either); their chart ranks μ* alone.
    ///
    /// # Errors
    /// A malformed table.
    pub fn add_morris(&mut self, morris: &[u8]) -> Result<(), String> {
        self.morris = from_csv::<MorrisRow>("morris.csv", morris)?
            .into_iter()
            .map(|r| (r.outcome, r.factor, r.mu_star, r.sigma))
            .collect();
        Ok(())
    }

    /// Adds `prim.csv` of `urbsim discover` (the peeling trajectory; the simplified box is left out).
    ///
    /// # Errors
    /// A malformed table.
    pub fn add_prim(&mut self, prim: &[u8]) -> Result<(), String> {
        self.prim = from_csv::<PrimRow>("prim.csv", prim)?
            .into_iter()
            .filter(|r| r.kind == "peel")
            .map(|r| (r.coverage, r.density, r.chosen))
            .collect();
        Ok(())
    }

    /// Adds `scenarios.csv` of a brief: each scenario's title in both languages.
    ///
    /// # Errors
    /// A malformed table.
    pub fn add_titles(&mut self, titles: &[u8]) -> Result<(), String> {
        for r in from_csv::<crate::brief::assemble::TitleRow>("scenarios.csv", titles)? {
            self.titles.insert(r.scenario, (r.title_zh, r.title_en));
        }
        Ok(())
    }

    /// Adds `changes.csv` of `urbsim brief` (what each package changes).
    ///
    /// # Errors
    /// A malformed table.
    pub fn add_changes(&mut self, changes: &[u8]) -> Result<(), String> {
        self.changes = from_csv("changes.csv", changes)?;
        Ok(())
    }

    /// A scenario as a reader names it: its title in `lang` when the tables carry one, else its id.
    pub fn title(&self, scenario: &str, lang: Lang) -> String {
        self.titles
            .get(scenario)
            .map(|(zh_title, en)| if zh(lang) { zh_title.clone() } else { en.clone() })
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| scenario.to_string())
    }

    /// Adds a sweep's `grid.csv`.
    ///
    /// # Errors
    /// A malformed table.
    pub fn add_grid(&mut self, grid: &[u8]) -> Result<(), String> {
        let (h, rows) = records(grid).map_err(|e| format!("grid.csv: {e}"))?;
        let first_p = h.iter().position(|c| c.starts_with("p_")).ok_or("grid.csv: no probability column")?;
        let levers: Vec<String> = h[1..first_p].to_vec();
        let last_p = h.iter().rposition(|c| c.starts_with("p_")).unwrap_or(first_p);
        let points = rows
            .iter()
            .map(|r| {
                let values = (1..first_p).map(|k| num(&r[k])).collect();
                let probs =
                    (first_p..=last_p).map(|k| (h[k].trim_start_matches("p_").to_string(), num(&r[k]))).collect();
                (r[0].split('@').next().unwrap_or_default().to_string(), values, probs)
            })
            .collect();
        self.grid = Some((levers, points));
        Ok(())
    }

    fn years(&self) -> Vec<Year> {
        let mut ys: Vec<Year> = self.summary.keys().map(|(_, y, _)| *y).collect();
        ys.sort_unstable();
        ys.dedup();
        ys
    }
}

/// Facts about the run printed on every chart and page.
#[derive(Clone, Debug)]
pub struct Meta {
    /// Language of labels.
    pub lang: Lang,
    /// Tool version.
    pub version: String,
    /// Seed.
    pub seed: u64,
    /// Draws.
    pub draws: u64,
    /// The command that re-creates the pack.
    pub reproduce: String,
    /// Indicators asked for beyond the headline ones (`--indicator`): each gets a fan chart, a
    /// comparison and a paired-difference chart.
    pub extra: Vec<IndicatorId>,
}

fn zh(lang: Lang) -> bool {
    lang == Lang::Zh
}

fn footnote(m: &Meta) -> String {
    // Sensitivity and discovery folders record model runs, not draws.
    if m.draws == 0 {
        return if zh(m.lang) {
            format!("urbsim {} · 标注 A/L 的输入为假设或待补充数据", m.version)
        } else {
            format!("urbsim {} · inputs tagged A/L are assumptions or placeholders", m.version)
        };
    }
    if zh(m.lang) {
        format!("urbsim {} · 种子 {} · {} 次模拟 · 标注 A/L 的输入为假设或待补充数据", m.version, m.seed, m.draws)
    } else {
        format!(
            "urbsim {} · seed {} · {} draws · inputs tagged A/L are assumptions or placeholders",
            m.version, m.seed, m.draws
        )
    }
}

fn indicator_name(id: IndicatorId, lang: Lang) -> String {
    let s = id.spec();
    if zh(lang) { s.zh.to_string() } else { s.en.to_string() }
}

/// Unit shown on axes, and the factor values are multiplied by for display.
fn display_unit(unit: &str, lang: Lang) -> (String, f64) {
    match unit {
        "share" => ("%".to_string(), 100.0),
        "persons" if zh(lang) => ("万人".to_string(), 1e-4),
        "persons" => ("thousand persons".to_string(), 1e-3),
        u => (names::unit(u, lang), 1.0),
    }
}

/// Indicators with fan charts, with the plan's yearly pace where the plan sets a count.
const FANS: [(IndicatorId, Option<f64>); 8] = [
    (IndicatorId::ResidentPopulation, None),
    (IndicatorId::UrbanisationRate, None),
    (IndicatorId::HukouUrbanisationRate, None),
    (IndicatorId::NewUrbanJobs, Some(68_000.0 / 4.0)),
    (IndicatorId::RuralLabourTransfer, Some(25_000.0 / 4.0)),
    (IndicatorId::ArhStock, None),
    (IndicatorId::JuniorClassSize, Some(50.0)),
    (IndicatorId::TekunCareRate, Some(1.0)),
];

/// Indicators compared against the reference, future by future, in the last year.
const PAIRED: [IndicatorId; 4] =
    [IndicatorId::HukouConversions, IndicatorId::NewUrbanJobs, IndicatorId::ArhStock, IndicatorId::FiscalBalance];

/// Palette index of a scenario in comparisons: the reference (status quo) is always black, the
/// others take the palette's colours in their order, so a package keeps its colour in every chart.
fn colour_of(t: &Tables, reference: &str, s: &str) -> usize {
    if s == reference {
        return chart::PALETTE.len() - 1;
    }
    let k = t.scenarios.iter().filter(|x| x.as_str() != reference).position(|x| x == s).unwrap_or(0);
    k % (chart::PALETTE.len() - 1)
}

/// Published history of an indicator from the baseline's observations.
fn history(baseline: &Baseline, id: IndicatorId) -> Vec<(Year, f64)> {
    let obs = |k: &str, y: Year| baseline.observation(k, y);
    let years = 2020..=baseline.base_year;
    match id {
        IndicatorId::ResidentPopulation => {
            years.filter_map(|y| obs("resident_population", y).map(|v| (y, v))).collect()
        }
        IndicatorId::UrbanisationRate => {
            years.filter_map(|y| Some((y, obs("urban_population", y)? / obs("resident_population", y)?))).collect()
        }
        IndicatorId::HukouUrbanisationRate => {
            years.filter_map(|y| Some((y, obs("urban_hukou_population", y)? / obs("hukou_population", y)?))).collect()
        }
        _ => Vec::new(),
    }
}

/// A chart to draw: its file stem, caption and data.
pub enum Spec {
    /// Fan chart.
    Fan(FanData),
    /// Bars with whiskers.
    Bars(BarData),
    /// Tornado.
    Tornado(TornadoData),
    /// Stacked bars.
    Stack(StackData),
    /// Heatmap.
    Heatmap(HeatmapData),
    /// Scatter or trade-off curve.
    Xy(XyData),
}

/// What every chart family needs: the tables, the data, the language and the shared texts.
struct Ctx<'a> {
    t: &'a Tables,
    extra: &'a [IndicatorId],
    baseline: &'a Baseline,
    targets: &'a PlanTargets,
    lang: Lang,
    z: bool,
    foot: String,
    years: Vec<Year>,
    reference: String,
    draws_text: String,
}

/// One chart: file stem, caption, what to draw.
type ChartItem = (String, String, Spec);

/// Fan charts of the headline indicators, one per scenario, and their comparisons.
fn fan_charts(c: &Ctx, out: &mut Vec<ChartItem>) {
    let Ctx { t, baseline, lang, z, foot, years, reference, draws_text, extra, .. } = c;
    let (lang, z) = (*lang, *z);
    // Sweep charts need the sweep tables; a sensitivity or discovery folder has none.
    let mut fans: Vec<(IndicatorId, Option<f64>)> = if t.summary.is_empty() { Vec::new() } else { FANS.to_vec() };
    if !t.summary.is_empty() {
        fans.extend(extra.iter().filter(|id| !FANS.iter().any(|(f, _)| f == *id)).map(|id| (*id, None)));
    }
    for (id, pace) in fans {
        let spec = id.spec();
        let (unit, scale) = display_unit(spec.unit, lang);
        let name = indicator_name(id, lang);
        let point = |scenario: &str, y: Year, band50_only: bool| -> Option<FanPoint> {
            let v = t.summary.get(&(scenario.to_string(), y, spec.key.to_string()))?;
            let p = |x: Option<f64>| drawn(x) * scale;
            let median = p(v.p50);
            Some(if band50_only {
                // Comparison charts show medians only: seven overlapping bands would hide them.
                FanPoint { year: y, p5: median, p25: median, p50: median, p75: median, p95: median }
            } else {
                FanPoint { year: y, p5: p(v.p5), p25: p(v.p25), p50: median, p75: p(v.p75), p95: p(v.p95) }
            })
        };
        let target = pace.map(|q| {
            let label =
                if z { "规划目标（年均进度）".to_string() } else { "plan target (yearly pace)".to_string() };
            (q * scale, label)
        });
        let hist: Vec<(Year, f64)> = history(baseline, id).into_iter().map(|(y, v)| (y, v * scale)).collect();
        let y_label = if z { format!("{name}（{unit}）") } else { format!("{name} ({unit})") };
        out.push((
            format!("fan_{}", spec.key),
            if z {
                format!("{name}：{} 的中位数与 50%/90% 区间", t.title(reference, lang))
            } else {
                format!("{name}: median and 50%/90% bands, {}", t.title(reference, lang))
            },
            Spec::Fan(FanData {
                title: name.clone(),
                subtitle: format!("{} · {draws_text}", t.title(reference, lang)),
                y_label: y_label.clone(),
                footnote: foot.clone(),
                series: vec![FanSeries {
                    label: t.title(reference, lang),
                    colour: 0,
                    points: years.iter().filter_map(|y| point(reference, *y, false)).collect(),
                }],
                target: target.clone(),
                history: hist.clone(),
            }),
        ));
        out.push((
            format!("compare_{}", spec.key),
            if z { format!("{name}：各情景中位数") } else { format!("{name}: each package's median") },
            Spec::Fan(FanData {
                title: if z { format!("{name}：情景比较") } else { format!("{name}: packages compared") },
                subtitle: format!(
                    "{} · {draws_text}",
                    if z { "各情景中位数（同一组未来情形）" } else { "medians, same simulated futures" }
                ),
                y_label,
                footnote: foot.clone(),
                series: t
                    .scenarios
                    .iter()
                    .map(|s| FanSeries {
                        label: t.title(s, lang),
                        colour: colour_of(t, reference, s),
                        points: years.iter().filter_map(|y| point(s, *y, true)).collect(),
                    })
                    .collect(),
                target,
                history: hist,
            }),
        ));
    }
}

/// Probability of meeting each target, per package.
fn attainment_charts(c: &Ctx, out: &mut Vec<ChartItem>) {
    let Ctx { t, targets, z, foot, draws_text, reference, lang, .. } = c;
    let lang = *lang;
    let z = *z;
    // Target attainment: one chart per target whose probability is uncertain in some scenario.
    // "Uncertain" is judged on the 95% interval, not the estimate, so a small sweep that happens
    // to meet a target in every draw still shows the chart, with its wide interval.
    for id in &t.target_ids {
        let rows: Vec<(usize, &String, &TargetRow)> = t
            .scenarios
            .iter()
            .enumerate()
            .filter_map(|(k, s)| t.targets.get(&(s.clone(), id.clone())).map(|v| (k, s, v)))
            .collect();
        let target = targets.target.iter().find(|x| &x.id == id);
        // A commitment echoes a lever: the summary tracks it and shows no chance, nor does a chart.
        if rows.iter().all(|(_, _, v)| settled(v)) || target.is_some_and(|x| x.judged() == JudgedBy::Commitment) {
            continue;
        }
        let text = target.map_or(id.clone(), |x| if z { x.text_zh.clone() } else { x.text_en.clone() });
        out.push((
            format!("attainment_{id}"),
            if z { format!("达成概率：{text}") } else { format!("Probability of meeting: {text}") },
            Spec::Bars(BarData {
                // Probabilities always on 0–100%, so charts of different targets compare.
                axis: Some((0.0, 100.0)),
                title: text,
                subtitle: format!(
                    "{} · {draws_text}",
                    if z { "达成概率与 95% 区间" } else { "probability of meeting the target, 95% interval" }
                ),
                x_label: if z { "达成概率（%）".to_string() } else { "probability (%)".to_string() },
                footnote: foot.clone(),
                bars: rows
                    .iter()
                    .map(|(_, s, v)| Bar {
                        label: t.title(s, lang),
                        value: drawn(v.probability) * 100.0,
                        low: drawn(v.ci95_low) * 100.0,
                        high: drawn(v.ci95_high) * 100.0,
                        colour: colour_of(t, reference, s),
                    })
                    .collect(),
            }),
        ));
    }
}

/// Most difference charts drawn for the lines of the "what each package changes" table.
const MAX_CHANGE_CHARTS: usize = 10;

/// One difference chart per indicator in the "what each package changes" table (beyond the
/// fixed paired charts): each package that moves it, median and 90% interval of its change
/// against the reference over the same futures, in the table's measure (a flow's total over the
/// policy years, a stock's last-year level).
fn change_charts(c: &Ctx, out: &mut Vec<ChartItem>) {
    let Ctx { t, lang, z, foot, reference, draws_text, .. } = c;
    let (lang, z) = (*lang, *z);
    // Round robin over the packages (each one's largest change first, then each one's second…),
    // so that the charts cover every package rather than the first one's whole list.
    let mut order: Vec<(usize, usize, &crate::brief::assemble::ChangeRow)> = Vec::new();
    for (p, s) in t.scenarios.iter().enumerate() {
        order.extend(
            t.changes.iter().filter(|r| &r.scenario == s && r.listed).enumerate().map(|(rank, r)| (rank, p, r)),
        );
    }
    order.sort_by_key(|(rank, p, _)| (*rank, *p));
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for r in order.into_iter().map(|(_, _, r)| r) {
        let key = (r.indicator.as_str(), r.measure.as_str());
        let Some(id) = IndicatorId::from_key(&r.indicator) else { continue };
        // The paired charts already show these indicators' last-year levels.
        if seen.contains(&key) || (r.measure == "level" && PAIRED.contains(&id)) {
            continue;
        }
        seen.push(key);
        if seen.len() > MAX_CHANGE_CHARTS {
            break;
        }
        let total = r.measure == "total";
        let unit = if total { r.unit.trim_end_matches("/yr") } else { r.unit.as_str() };
        let (unit, scale) = display_unit(unit, lang);
        let name = indicator_name(id, lang);
        let reference = t.title(reference, lang);
        let bars: Vec<Bar> = t
            .scenarios
            .iter()
            .filter_map(|s| {
                let row = t
                    .changes
                    .iter()
                    .find(|x| &x.scenario == s && x.indicator == r.indicator && x.measure == r.measure)?;
                Some(Bar {
                    label: t.title(s, lang),
                    value: row.diff_p50 * scale,
                    low: row.diff_p5 * scale,
                    high: row.diff_p95 * scale,
                    colour: colour_of(t, &c.reference, s),
                })
            })
            .collect();
        let when = match (total, z) {
            (true, true) => format!("{}–{}年合计", r.from, r.to),
            (true, false) => format!("total {}–{}", r.from, r.to),
            (false, true) => format!("{}年", r.to),
            (false, false) => r.to.to_string(),
        };
        let title = if z {
            format!("{name}：与{reference}相比（{when}）")
        } else {
            format!("{name}: against {reference} ({when})")
        };
        out.push((
            format!("diff_{}_{}", r.indicator, r.measure),
            title.clone(),
            Spec::Bars(BarData {
                axis: None,
                title,
                subtitle: if z {
                    format!("同一组未来情形下的差值：中位数与 90% 区间 · {draws_text}")
                } else {
                    format!("same futures: median and 90% interval of the difference · {draws_text}")
                },
                x_label: if z { format!("差值（{unit}）") } else { format!("difference ({unit})") },
                footnote: foot.clone(),
                bars,
            }),
        ));
    }
}

/// What each package changes against the reference: paired differences and the stacked charts.
fn paired_charts(c: &Ctx, out: &mut Vec<ChartItem>) {
    let Ctx { t, lang, z, foot, years, reference, draws_text, extra, .. } = c;
    let (lang, z) = (*lang, *z);
    // Paired differences against the reference in the last year.
    if let Some(&last) = years.last() {
        let paired: Vec<IndicatorId> =
            PAIRED.iter().copied().chain(extra.iter().copied().filter(|id| !PAIRED.contains(id))).collect();
        for id in paired {
            let spec = id.spec();
            let (unit, scale) = display_unit(spec.unit, lang);
            let name = indicator_name(id, lang);
            let reference = t.title(reference, lang);
            let bars: Vec<Bar> = t
                .scenarios
                .iter()
                .enumerate()
                .filter(|(_, s)| **s != *c.reference)
                .filter_map(|(_, s)| {
                    let v = t.paired.get(&(s.clone(), last, spec.key.to_string()))?;
                    Some(Bar {
                        label: t.title(s, lang),
                        value: drawn(v.p50) * scale,
                        low: drawn(v.p5) * scale,
                        high: drawn(v.p95) * scale,
                        colour: colour_of(t, &c.reference, s),
                    })
                })
                .collect();
            if bars.is_empty() {
                continue;
            }
            out.push((
                format!("paired_{}", spec.key),
                if z {
                    format!("{name}：与{reference}的逐次差值（{last}年）")
                } else {
                    format!("{name}: difference from {reference}, future by future ({last})")
                },
                Spec::Bars(BarData {
                    axis: None,
                    title: if z {
                        format!("{name}：与{reference}相比（{last}年）")
                    } else {
                        format!("{name}: against {reference} ({last})")
                    },
                    subtitle: format!(
                        "{} · {draws_text}",
                        if z {
                            "同一组未来情形下的差值：中位数与 90% 区间"
                        } else {
                            "same futures: median and 90% interval of the difference"
                        }
                    ),
                    x_label: if z { format!("差值（{unit}）") } else { format!("difference ({unit})") },
                    footnote: foot.clone(),
                    bars,
                }),
            ));
        }
        // The project pipeline of the reference scenario by stage, medians per year.
        let stage = |id: IndicatorId, zh_name: &str, en_name: &str| -> (String, Vec<f64>) {
            let label = if z { zh_name.to_string() } else { en_name.to_string() };
            (
                label,
                years
                    .iter()
                    .map(|y| {
                        t.summary
                            .get(&(reference.clone(), *y, id.key().to_string()))
                            .and_then(|v| v.p50)
                            .map_or(0.0, |m| m.max(0.0))
                    })
                    .collect(),
            )
        };
        out.push((
            "pipeline".to_string(),
            if z {
                format!("公共项目储备、开工、在建、建成（{}）", t.title(reference, lang))
            } else {
                format!("Public project pipeline by stage ({})", t.title(reference, lang))
            },
            Spec::Stack(StackData {
                title: if z {
                    "项目滚动开发：储备、开工、在建、建成".to_string()
                } else {
                    "Rolling project pipeline by stage".to_string()
                },
                subtitle: format!(
                    "{} · {} · {draws_text}",
                    t.title(reference, lang),
                    if z { "中位数" } else { "medians" }
                ),
                y_label: if z { "金额（亿元）".to_string() } else { "value (100 million yuan)".to_string() },
                footnote: foot.clone(),
                years: years.clone(),
                layers: vec![
                    stage(IndicatorId::PipelineReserve, "储备", "reserve"),
                    stage(IndicatorId::PipelineStarts, "开工", "started"),
                    stage(IndicatorId::PipelineInConstruction, "在建", "in construction"),
                    stage(IndicatorId::PipelineCompletions, "建成", "completed"),
                ],
            }),
        ));
    }
}

/// The lever grid, when the tables have one.
fn grid_charts(c: &Ctx, out: &mut Vec<ChartItem>) {
    let Ctx { t, targets, lang, foot, draws_text, .. } = c;
    let lang = *lang;
    // Lever grid, when present: probability of each headline target over the first two levers
    // (for the first scenario, at the first value of a third lever).
    if let Some((levers, points)) = &t.grid
        && levers.len() >= 2
    {
        let scenario = points.first().map(|p| p.0.clone()).unwrap_or_default();
        let third = points.first().and_then(|p| p.1.get(2).copied());
        let chosen: Vec<&GridPoint> =
            points.iter().filter(|p| p.0 == scenario && (third.is_none() || p.1.get(2).copied() == third)).collect();
        let mut xs: Vec<f64> = chosen.iter().map(|p| p.1[0]).collect();
        let mut ys: Vec<f64> = chosen.iter().map(|p| p.1[1]).collect();
        for v in [&mut xs, &mut ys] {
            v.sort_by(f64::total_cmp);
            v.dedup();
        }
        let ids: Vec<String> =
            chosen.first().map(|p| p.2.iter().map(|(id, _)| id.clone()).collect()).unwrap_or_default();
        for id in ids.iter().filter(|id| {
            ["new_urban_jobs", "rural_labour_transfer", "zero_employment_households"].contains(&id.as_str())
        }) {
            let z: Vec<Vec<f64>> = ys
                .iter()
                .map(|y| {
                    xs.iter()
                        .map(|x| {
                            chosen
                                .iter()
                                .find(|p| p.1[0] == *x && p.1[1] == *y)
                                .and_then(|p| p.2.iter().find(|(k, _)| k == id).map(|(_, v)| *v))
                                .unwrap_or(f64::NAN)
                        })
                        .collect()
                })
                .collect();
            let text = targets
                .target
                .iter()
                .find(|x| &x.id == id)
                .map_or(id.clone(), |x| if zh(lang) { x.text_zh.clone() } else { x.text_en.clone() });
            out.push((
                format!("grid_{id}"),
                if zh(lang) {
                    format!("政策组合下的达成概率：{text}")
                } else {
                    format!("Probability over the lever grid: {text}")
                },
                Spec::Heatmap(HeatmapData {
                    title: text,
                    subtitle: format!("{} · {draws_text}", t.title(&scenario, lang)),
                    x_label: lever_label(&levers[0], lang),
                    y_label: lever_label(&levers[1], lang),
                    footnote: foot.clone(),
                    x: xs.clone(),
                    y: ys.clone(),
                    z,
                    x_names: Vec::new(),
                    y_names: Vec::new(),
                    key_label: String::new(),
                }),
            ));
        }
    }
}

/// A lever's name and unit for an axis; a column that is not a lever is shown as given.
fn lever_label(key: &str, lang: Lang) -> String {
    let Some(id) = crate::model::LeverId::from_key(key) else { return key.to_string() };
    let unit = names::unit(id.spec().unit, lang);
    match id.spec().kind {
        crate::model::levers::LeverKind::Number { .. } if zh(lang) => format!("{}（{unit}）", names::lever(id, lang)),
        crate::model::levers::LeverKind::Number { .. } => format!("{} ({unit})", names::lever(id, lang)),
        _ => names::lever(id, lang).to_string(),
    }
}

/// OAT tornados and Sobol' total effects.
fn sensitivity_charts(c: &Ctx, out: &mut Vec<ChartItem>) {
    let Ctx { t, z, foot, targets, lang, .. } = c;
    let (z, lang) = (*z, *lang);
    // Sensitivity, when present: a tornado per OAT outcome (top 10), Sobol total effects.
    let mut oat_outcomes: Vec<&String> = t.oat.iter().map(|r| &r.0).collect();
    oat_outcomes.dedup();
    for o in oat_outcomes {
        let mut rows: Vec<(String, f64, f64)> =
            t.oat.iter().filter(|r| &r.0 == o).map(|r| (names::factor(&r.1, lang), r.2, r.3)).collect();
        rows.sort_by(|a, b| (b.2 - b.1).abs().total_cmp(&(a.2 - a.1).abs()));
        rows.truncate(10);
        let base = t.oat.iter().find(|r| &r.0 == o).map_or(f64::NAN, |r| r.4);
        let stem = format!("tornado_{}", o.replace(['@', ':'], "_"));
        let name = names::outcome(o, targets, lang);
        let unit = names::outcome_unit(o, lang);
        out.push((
            stem,
            if z { format!("单因素敏感性：{name}") } else { format!("One-at-a-time sensitivity: {name}") },
            Spec::Tornado(TornadoData {
                title: if z {
                    format!("哪些假设影响最大：{name}")
                } else {
                    format!("Which assumptions move it most: {name}")
                },
                subtitle: if z {
                    "各参数取第 10 与第 90 百分位，其余取中心值".to_string()
                } else {
                    "each parameter at its 10th and 90th percentile, the rest central".to_string()
                },
                // The year is in the title; the axis names the quantity and its unit.
                x_label: {
                    let axis = o
                        .split_once('@')
                        .and_then(|(k, _)| IndicatorId::from_key(k))
                        .map_or_else(|| name.clone(), |id| indicator_name(id, lang));
                    match (unit.is_empty(), z) {
                        (true, _) => axis,
                        (false, true) => format!("{axis}（{unit}）"),
                        (false, false) => format!("{axis} ({unit})"),
                    }
                },
                footnote: foot.clone(),
                base,
                rows,
            }),
        ));
    }
    let mut sobol_outcomes: Vec<&String> = t.sobol.iter().map(|r| &r.0).collect();
    sobol_outcomes.dedup();
    // An indicator analysed year by year gets one heatmap (`sobol_by_year_charts`) and bars for
    // its last year only; bars for every year would repeat the heatmap.
    let last_year = |key: &str| {
        sobol_outcomes.iter().filter_map(|o| o.split_once('@')).filter(|(k, _)| *k == key).map(|(_, y)| y).max()
    };
    let sobol_outcomes: Vec<&String> = sobol_outcomes
        .iter()
        .copied()
        .filter(|o| o.split_once('@').is_none_or(|(k, y)| last_year(k) == Some(y)))
        .collect();
    for o in sobol_outcomes {
        let mut rows: Vec<&(String, String, f64, f64, f64)> = t.sobol.iter().filter(|r| &r.0 == o).collect();
        rows.sort_by(|a, b| b.2.total_cmp(&a.2));
        rows.truncate(10);
        if rows.first().is_none_or(|r| r.2 <= 0.0) {
            continue;
        }
        let name = names::outcome(o, targets, lang);
        out.push((
            format!("sobol_{}", o.replace(['@', ':'], "_")),
            if z { format!("Sobol 总效应指数：{name}") } else { format!("Sobol' total-effect indices: {name}") },
            Spec::Bars(BarData {
                axis: None,
                title: if z {
                    format!("不确定性来源：{name}")
                } else {
                    format!("Where the uncertainty comes from: {name}")
                },
                subtitle: if z {
                    "总效应指数与 95% 自助区间（前 10 个参数）".to_string()
                } else {
                    "total-effect index, 95% bootstrap interval (top 10)".to_string()
                },
                x_label: if z { "总效应指数".to_string() } else { "total-effect index".to_string() },
                footnote: foot.clone(),
                bars: rows
                    .iter()
                    // One colour: the bars differ by length, not by category.
                    .map(|r| Bar { label: names::factor(&r.1, lang), value: r.2, low: r.3, high: r.4, colour: 0 })
                    .collect(),
            }),
        ));
    }
}

/// Morris screening.
fn morris_charts(c: &Ctx, out: &mut Vec<ChartItem>) {
    let Ctx { t, z, foot, targets, lang, .. } = c;
    let (z, lang) = (*z, *lang);
    // Morris screening: μ* against σ, the 15 largest μ* labelled.
    let mut morris_outcomes: Vec<&String> = t.morris.iter().map(|r| &r.0).collect();
    morris_outcomes.dedup();
    for o in morris_outcomes {
        let mut all: Vec<&(String, String, f64, Option<f64>)> = t.morris.iter().filter(|r| &r.0 == o).collect();
        all.sort_by(|a, b| b.2.total_cmp(&a.2));
        let name = names::outcome(o, targets, lang);
        // Grouped factors have μ* only: rank them in bars instead of placing them on a σ axis.
        if all.iter().any(|r| r.3.is_none()) {
            out.push((
                format!("morris_{}", o.replace(['@', ':'], "_")),
                if z {
                    format!("Morris 筛选（按模块）：{name}")
                } else {
                    format!("Morris screening by model block: {name}")
                },
                Spec::Bars(BarData {
                    axis: None,
                    title: if z {
                        format!("Morris 筛选（按模块）：{name}")
                    } else {
                        format!("Morris screening by model block: {name}")
                    },
                    subtitle: if z {
                        "μ*：基本效应绝对值的均值；分组时不报告 σ".to_string()
                    } else {
                        "μ*: mean absolute elementary effect; σ is not reported for groups".to_string()
                    },
                    x_label: "μ*".to_string(),
                    footnote: foot.clone(),
                    bars: all
                        .iter()
                        .map(|r| Bar { label: names::factor(&r.1, lang), value: r.2, low: r.2, high: r.2, colour: 0 })
                        .collect(),
                }),
            ));
            continue;
        }
        let rows: Vec<(&String, &String, f64, f64)> =
            all.iter().map(|r| (&r.0, &r.1, r.2, r.3.unwrap_or(0.0))).collect();
        // Label the 15 largest, but only one of several points that sit on the same spot.
        let (xmax, ymax) = rows.iter().fold((0.0f64, 0.0f64), |(a, b), r| (a.max(r.2), b.max(r.3)));
        let mut labelled: Vec<(f64, f64)> = Vec::new();
        let points = rows
            .iter()
            .enumerate()
            .map(|(k, r)| {
                let near =
                    labelled.iter().any(|(x, y)| (x - r.2).abs() <= 0.03 * xmax && (y - r.3).abs() <= 0.03 * ymax);
                let label = if k < 15 && !near {
                    labelled.push((r.2, r.3));
                    names::factor(r.1, lang)
                } else {
                    String::new()
                };
                XyPoint { x: r.2, y: r.3, label }
            })
            .collect();
        out.push((
            format!("morris_{}", o.replace(['@', ':'], "_")),
            if z { format!("Morris 筛选：{name}") } else { format!("Morris screening: {name}") },
            Spec::Xy(XyData {
                title: if z { format!("Morris 筛选：{name}") } else { format!("Morris screening: {name}") },
                subtitle: if z {
                    "μ* 大：影响大；σ 大：非线性或交互".to_string()
                } else {
                    "large μ*: influential; large σ: non-linear or interacting".to_string()
                },
                x_label: "μ*".to_string(),
                y_label: "σ".to_string(),
                footnote: foot.clone(),
                points,
                connect: false,
                highlight: None,
            }),
        ));
    }
}

/// PRIM's coverage-density trade-off.
fn prim_charts(c: &Ctx, out: &mut Vec<ChartItem>) {
    let Ctx { t, z, foot, .. } = c;
    let z = *z;
    // PRIM: the coverage-density trade-off of the peeling trajectory, the chosen box marked.
    if !t.prim.is_empty() {
        let chosen = t.prim.iter().position(|p| p.2);
        out.push((
            "prim_tradeoff".to_string(),
            if z {
                "未来情形发现：覆盖率与密度的权衡".to_string()
            } else {
                "Scenario discovery: coverage against density".to_string()
            },
            Spec::Xy(XyData {
                title: if z {
                    "未来情形发现（PRIM）：覆盖率与密度".to_string()
                } else {
                    "Scenario discovery (PRIM): coverage and density".to_string()
                },
                subtitle: if z {
                    "每个点是剥离过程中的一个区域；标记为所选区域".to_string()
                } else {
                    "each point is a box of the peeling; the marked one is chosen".to_string()
                },
                x_label: if z { "覆盖率".to_string() } else { "coverage".to_string() },
                y_label: if z { "密度".to_string() } else { "density".to_string() },
                footnote: foot.clone(),
                points: t.prim.iter().map(|p| XyPoint { x: p.0, y: p.1, label: String::new() }).collect(),
                connect: true,
                highlight: chosen,
            }),
        ));
    }
}

/// Sobol' total indices year by year.
fn sobol_by_year_charts(c: &Ctx, out: &mut Vec<ChartItem>) {
    let Ctx { t, z, foot, lang, .. } = c;
    let (z, lang) = (*z, *lang);
    // Sobol' total indices year by year: indicator outcomes labelled `name@year`.
    // indicator → year → (factor, total index)
    type ByYear<'t> = BTreeMap<Year, Vec<(&'t str, f64)>>;
    let mut per_year: BTreeMap<&str, ByYear> = BTreeMap::new();
    for (o, f, st, _, _) in &t.sobol {
        if let Some((name, year)) = o.split_once('@')
            && let Ok(year) = year.parse::<Year>()
        {
            per_year.entry(name).or_default().entry(year).or_default().push((f.as_str(), *st));
        }
    }
    for (name, by_year) in per_year {
        let years: Vec<Year> = by_year.keys().copied().collect();
        let mut factors: Vec<(&str, f64)> = Vec::new();
        for rows in by_year.values() {
            for (f, st) in rows {
                match factors.iter_mut().find(|(g, _)| g == f) {
                    Some(entry) => entry.1 = entry.1.max(*st),
                    None => factors.push((f, *st)),
                }
            }
        }
        factors.sort_by(|a, b| b.1.total_cmp(&a.1));
        factors.truncate(10);
        factors.reverse();
        if factors.is_empty() || years.len() < 2 {
            continue;
        }
        let zv: Vec<Vec<f64>> = factors
            .iter()
            .map(|(f, _)| {
                years
                    .iter()
                    .map(|y| by_year[y].iter().find(|(g, _)| g == f).map_or(f64::NAN, |(_, st)| st.clamp(0.0, 1.0)))
                    .collect()
            })
            .collect();
        let stem = format!("sobol_years_{name}");
        let name = IndicatorId::from_key(name).map_or_else(|| name.to_string(), |id| indicator_name(id, lang));
        out.push((
            stem,
            if z {
                format!("Sobol 总效应指数逐年变化：{name}")
            } else {
                format!("Sobol' total indices year by year: {name}")
            },
            Spec::Heatmap(HeatmapData {
                title: if z {
                    format!("逐年的不确定性来源：{name}")
                } else {
                    format!("Where the uncertainty comes from, by year: {name}")
                },
                subtitle: if z {
                    "总效应指数（前 10 个参数）".to_string()
                } else {
                    "total-effect index (top 10 parameters)".to_string()
                },
                x_label: if z { "年份".to_string() } else { "year".to_string() },
                y_label: if z { "参数".to_string() } else { "parameter".to_string() },
                footnote: foot.clone(),
                x: years.iter().map(|y| f64::from(*y)).collect(),
                y: (0..factors.len()).map(|k| k as f64).collect(),
                z: zv,
                x_names: years.iter().map(|y| y.to_string()).collect(),
                y_names: factors.iter().map(|(f, _)| names::factor(f, lang)).collect(),
                key_label: if z { "总效应指数".to_string() } else { "total-effect index".to_string() },
            }),
        ));
    }
}

/// Prepares every chart's data from the tables (pure; no drawing).
pub fn chart_specs(t: &Tables, baseline: &Baseline, targets: &PlanTargets, m: &Meta) -> Vec<(String, String, Spec)> {
    let lang = m.lang;
    let z = zh(lang);
    let c = Ctx {
        t,
        extra: &m.extra,
        baseline,
        targets,
        lang,
        z,
        foot: footnote(m),
        years: t.years(),
        reference: t.reference.clone().or_else(|| t.scenarios.first().cloned()).unwrap_or_default(),
        draws_text: if z { format!("{} 次模拟", m.draws) } else { format!("{} draws", m.draws) },
    };
    let mut out = Vec::new();
    for family in [
        fan_charts,
        attainment_charts,
        paired_charts,
        change_charts,
        grid_charts,
        sensitivity_charts,
        morris_charts,
        prim_charts,
        sobol_by_year_charts,
    ] {
        family(&c, &mut out);
    }
    // English titles and captions start with a capital, whatever name opens them (indicator
    // names are lower case so that they read well inside sentences).
    if !z {
        for (_, caption, spec) in &mut out {
            capitalise(caption);
            capitalise(spec.title_mut());
        }
    }
    // Stems come partly from table cells (target ids, outcome names): keep them to a safe
    // alphabet so that no cell can name a file outside the charts folder.
    out.into_iter().map(|(stem, caption, spec)| (safe_stem(&stem), caption, spec)).collect()
}

/// Upper-cases the first letter of `text`.
fn capitalise(text: &mut String) {
    if let Some(first) = text.chars().next()
        && first.is_lowercase()
    {
        let upper: String = first.to_uppercase().collect();
        text.replace_range(..first.len_utf8(), &upper);
    }
}

impl Spec {
    /// The chart's title.
    fn title_mut(&mut self) -> &mut String {
        match self {
            Spec::Fan(d) => &mut d.title,
            Spec::Bars(d) => &mut d.title,
            Spec::Tornado(d) => &mut d.title,
            Spec::Stack(d) => &mut d.title,
            Spec::Heatmap(d) => &mut d.title,
            Spec::Xy(d) => &mut d.title,
        }
    }
}

/// A file stem made of ASCII letters, digits, `_` and `-` only: every other character, `.` and
/// `/` included, becomes `_`, so the stem can never leave its folder or hide an extension.
pub fn safe_stem(stem: &str) -> String {
    let s: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    if s.is_empty() { "chart".to_string() } else { s }
}

/// Draws one chart.
///
/// # Errors
/// A label with a character the font lacks, or a drawing failure.
pub fn draw(spec: &Spec, lang: Lang) -> Result<Rendered, chart::ChartError> {
    let fixed = if lang == Lang::En { &chart::EN_LABELS } else { &chart::ZH_LABELS };
    match spec {
        Spec::Fan(d) => chart::fan_chart(d, fixed),
        Spec::Bars(d) => chart::bar_chart(d, fixed),
        Spec::Tornado(d) => chart::tornado_chart(d, fixed),
        Spec::Stack(d) => chart::stacked_bars(d, fixed),
        Spec::Heatmap(d) => chart::heatmap_chart(d, fixed),
        Spec::Xy(d) => chart::xy_chart(d, fixed),
    }
}

/// Formats a target value for the summary table.
fn value_text(v: f64, unit: &str, lang: Lang) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    match unit {
        "share" => format!("{:.0}%", v * 100.0),
        // Chinese counts in 万; English ones with thousands separators.
        "persons" | "person-times" | "households" if v.abs() >= 10_000.0 && zh(lang) => format!("{:.2}万", v / 1e4),
        _ if v.abs() >= 100.0 || v.fract() == 0.0 => thousands(v, 0),
        _ => format!("{v:.2}"),
    }
}

/// Inputs of the page besides the tables.
pub struct PageInputs<'a> {
    /// Scenario descriptions (name, title, description, clauses, changed levers).
    pub scenarios: Vec<ScenarioText>,
    /// The most influential assumptions.
    pub assumptions: Vec<AssumptionRow>,
    /// Charts drawn, in order.
    pub charts: &'a [(String, String)],
    /// Target-period reading.
    pub period: String,
    /// Per target id, what its verdict rests on, in words.
    pub basis: Vec<(String, String)>,
}

/// A change as people read it: signed, in percentage points for shares, in 万 (Chinese) or with
/// thousands separators (English) for counts, with the unit.
fn signed_text(v: f64, unit: &str, lang: Lang) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let z = zh(lang);
    let sign = if v < 0.0 {
        "−"
    } else if v > 0.0 {
        "+"
    } else {
        ""
    };
    if unit.starts_with("share") {
        let pt = (v * 100.0).abs();
        return if z { format!("{sign}{pt:.2} 个百分点") } else { format!("{sign}{pt:.2} pt") };
    }
    format!("{sign}{}", plain_text(v.abs(), unit, lang))
}

/// A level as people read it (unsigned), with the unit.
fn plain_text(v: f64, unit: &str, lang: Lang) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let z = zh(lang);
    if unit.starts_with("share") {
        return format!("{:.1}%", v * 100.0);
    }
    let base = unit.trim_end_matches("/yr");
    // Counts are whole: no decimals on persons, units, households.
    const COUNTS: [(&str, &str); 10] = [
        ("seats", "个学位"),
        ("persons", "人"),
        ("person-times", "人次"),
        ("units", "套"),
        ("households", "户"),
        ("jobs", "个岗位"),
        ("places", "个"),
        ("beds", "张"),
        ("compounds", "个"),
        ("teachers", "人"),
    ];
    let count = COUNTS.iter().find(|(u, _)| *u == base);
    let unit_text = match (count, z) {
        (Some((_, zh_unit)), true) => (*zh_unit).to_string(),
        (Some((u, _)), false) => (*u).to_string(),
        (None, _) => names::unit(base, lang),
    };
    if v == 0.0 {
        return format!("0 {unit_text}").trim_end().to_string();
    }
    let digits = if count.is_some() || v.abs() >= 100.0 {
        0
    } else if v.abs() >= 1.0 {
        1
    } else {
        3
    };
    if z && v.abs() >= 1e4 && count.is_some() {
        return format!("{:.2}万{unit_text}", v / 1e4);
    }
    let gap = if z && count.is_some() { "" } else { " " };
    format!("{}{gap}{unit_text}", thousands(v, digits)).trim_end().to_string()
}

/// A number with thousands separators and `digits` decimals (the charts' formatter).
fn thousands(v: f64, digits: usize) -> String {
    chart::fmt_number(v, digits)
}

/// The page's "what each package changes" blocks, in the order of the scenarios.
fn change_blocks(t: &Tables, titles: &[ScenarioText], lang: Lang) -> Vec<html::ChangeBlock> {
    let z = zh(lang);
    t.scenarios
        .iter()
        .filter_map(|s| {
            let lines: Vec<html::ChangeLine> = t
                .changes
                .iter()
                .filter(|r| &r.scenario == s && r.listed)
                .map(|r| {
                    let name =
                        IndicatorId::from_key(&r.indicator).map_or(r.indicator.clone(), |id| indicator_name(id, lang));
                    let measure = match (r.measure.as_str(), z) {
                        ("total", true) => format!("{}–{} 年合计", r.from, r.to),
                        ("total", false) => format!("total {}–{}", r.from, r.to),
                        (_, true) => format!("{} 年水平", r.to),
                        (_, false) => format!("level in {}", r.to),
                    };
                    html::ChangeLine {
                        indicator: name,
                        measure,
                        reference: plain_text(r.reference_median, &r.unit, lang),
                        median: signed_text(r.diff_p50, &r.unit, lang),
                        interval: format!(
                            "{} … {}",
                            signed_text(r.diff_p5, &r.unit, lang),
                            signed_text(r.diff_p95, &r.unit, lang)
                        ),
                    }
                })
                .collect();
            if lines.is_empty() {
                return None;
            }
            let title = titles.iter().find(|x| &x.name == s).map_or(s.clone(), |x| x.title.clone());
            Some(html::ChangeBlock { title, lines })
        })
        .collect()
}

/// The page section a chart belongs in, by its family (the stem's prefix).
fn section_of(stem: &str) -> html::ChartSection {
    const CHANGES: [&str; 2] = ["paired_", "diff_"];
    const DRIVERS: [&str; 5] = ["tornado_", "sobol_", "morris_", "prim_", "oat_"];
    if CHANGES.iter().any(|p| stem.starts_with(p)) {
        html::ChartSection::Changes
    } else if DRIVERS.iter().any(|p| stem.starts_with(p)) {
        html::ChartSection::Drivers
    } else {
        html::ChartSection::Compared
    }
}

/// Builds the page.
pub fn page(t: &Tables, targets: &PlanTargets, m: &Meta, inputs: PageInputs) -> String {
    html::render(&page_model(t, targets, m, inputs))
}

/// The page's content, for the HTML page and the Word brief alike.
pub fn page_model(t: &Tables, targets: &PlanTargets, m: &Meta, inputs: PageInputs) -> Page {
    let z = zh(m.lang);
    let mut header = vec![if z { "目标".to_string() } else { "Target".to_string() }];
    header.extend(t.scenarios.iter().map(|s| t.title(s, m.lang)));
    let rows = t
        .target_ids
        .iter()
        .filter_map(|id| {
            let target = targets.target.iter().find(|x| &x.id == id)?;
            // A commitment only echoes a lever, so its "probability" is not shown as one.
            let commitment = target.judged() == JudgedBy::Commitment;
            let cells = t
                .scenarios
                .iter()
                .map(|s| match t.targets.get(&(s.clone(), id.clone())) {
                    Some(v) => SummaryCell {
                        probability: if commitment { f64::NAN } else { drawn(v.probability) },
                        low: if commitment { f64::NAN } else { drawn(v.ci95_low) },
                        high: if commitment { f64::NAN } else { drawn(v.ci95_high) },
                        median: value_text(drawn(v.value_p50), &target.unit, m.lang),
                        interval: format!(
                            "{}–{}",
                            value_text(drawn(v.value_p5), &target.unit, m.lang),
                            value_text(drawn(v.value_p95), &target.unit, m.lang)
                        ),
                    },
                    None => SummaryCell {
                        probability: f64::NAN,
                        low: f64::NAN,
                        high: f64::NAN,
                        median: "–".into(),
                        interval: "–".into(),
                    },
                })
                .collect();
            Some(SummaryRow {
                target: format!(
                    "{}{}{} {}{}",
                    if z { &target.text_zh } else { &target.text_en },
                    if z { "（" } else { " (" },
                    target.direction.symbol(),
                    value_text(target.quantity, &target.unit, m.lang),
                    if z { "）" } else { ")" },
                ),
                clause: match (target.judged(), z) {
                    (JudgedBy::Outcome, _) => target.clause.clone(),
                    (JudgedBy::Commitment, true) => {
                        format!("{} · 承诺事项：随政策设定完成，只跟踪不判定达标", target.clause)
                    }
                    (JudgedBy::Commitment, false) => {
                        format!("{} · commitment: follows the lever set, tracked, not judged met", target.clause)
                    }
                    (JudgedBy::Placeholder, true) => format!("{} · 占位：依赖待部门提供的数据 [L]", target.clause),
                    (JudgedBy::Placeholder, false) => {
                        format!("{} · placeholder: rests on data a department must supply [L]", target.clause)
                    }
                },
                basis: inputs.basis.iter().find(|(k, _)| k == id).map(|(_, b)| b.clone()).unwrap_or_default(),
                cells,
            })
        })
        .collect();
    let notes = if z {
        vec![
            format!(
                "计数类目标按 {} 年累计口径评估；达成概率为各次模拟中达标的比例，括号内为 95% 区间。",
                inputs.period
            ),
            "标注 L 的输入为待相关部门提供的数据，目前为占位值；标注 A 的为假设。结论应理解为“在这些假设下”。"
                .to_string(),
            "里程碑类事项（命名项目、清单事项）不在模拟范围内，见 seeds/plan-targets.toml。".to_string(),
        ]
    } else {
        vec![
            format!("Counts are read as cumulative over {}; a probability is the share of simulated futures meeting the target, with its 95% interval.", inputs.period),
            "Inputs tagged L are placeholders until the departments supply them; A marks assumptions. Read results as \"under these assumptions\".".to_string(),
            "Milestones (named projects, checklist items) are not simulated; see seeds/plan-targets.toml.".to_string(),
        ]
    };
    let changes = change_blocks(t, &inputs.scenarios, m.lang);
    Page {
        changes,
        lang: m.lang,
        title: if z {
            "浏阳市新型城镇化试点方案：情景模拟简报".to_string()
        } else {
            "Liuyang new-urbanisation pilot plan: scenario brief".to_string()
        },
        subtitle: if z {
            format!("{} 个情景 · {} 次模拟 · 种子 {} · urbsim {}", t.scenarios.len(), m.draws, m.seed, m.version)
        } else {
            format!("{} packages · {} draws · seed {} · urbsim {}", t.scenarios.len(), m.draws, m.seed, m.version)
        },
        summary_header: header,
        summary_rows: rows,
        charts: inputs
            .charts
            .iter()
            .map(|(stem, caption)| ChartRef {
                file_stem: stem.clone(),
                caption: caption.clone(),
                section: section_of(stem),
            })
            .collect(),
        scenarios: inputs.scenarios,
        sources: crate::brief::assemble::cited_sources(&inputs.assumptions),
        assumptions: inputs.assumptions,
        reproduce: m.reproduce.clone(),
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::{TargetRow, safe_stem, settled};

    #[test]
    fn changes_read_as_people_write_them() {
        use super::{Lang, plain_text, signed_text};
        assert_eq!(signed_text(8131.4, "units", Lang::Zh), "+8,131套");
        assert_eq!(signed_text(8131.4, "units/yr", Lang::En), "+8,131 units");
        assert_eq!(signed_text(-0.0037, "share", Lang::Zh), "−0.37 个百分点");
        assert_eq!(signed_text(-0.0037, "share", Lang::En), "−0.37 pt");
        assert_eq!(signed_text(21_600.0, "persons", Lang::Zh), "+2.16万人");
        assert_eq!(signed_text(21_600.0, "persons", Lang::En), "+21,600 persons");
        assert_eq!(plain_text(78.7, "persons/yr", Lang::Zh), "79人");
        assert_eq!(plain_text(-4.2, "亿元", Lang::Zh), "−4.2 亿元");
        assert_eq!(plain_text(0.0, "亿元", Lang::En), "0 100 million yuan");
        assert_eq!(plain_text(3.6, "亿元/yr", Lang::En), "3.6 100 million yuan");
    }

    #[test]
    fn a_chance_is_settled_only_when_its_whole_interval_is() {
        let row = |p: f64, low: f64, high: f64| TargetRow {
            scenario: "baseline".into(),
            target: "t".into(),
            clause: "一".into(),
            text_zh: "目标".into(),
            direction: "≥".into(),
            quantity: 1.0,
            unit: "persons".into(),
            period: "2025-2028".into(),
            draws: 20,
            met: 20,
            probability: Some(p),
            ci95_low: Some(low),
            ci95_high: Some(high),
            value_p5: None,
            value_p10: None,
            value_p25: None,
            value_p50: None,
            value_p75: None,
            value_p90: None,
            value_p95: None,
            p_better_than_reference: None,
            p_worse_than_reference: None,
            judged_by: "outcome".into(),
        };
        // 20 of 20 draws met: the interval still reaches down to about 84%, so the chart stays.
        assert!(!settled(&row(1.0, 0.839, 1.0)));
        // 1,000 of 1,000 met, or none: nothing left to show.
        assert!(settled(&row(1.0, 0.9962, 1.0)));
        assert!(settled(&row(0.0, 0.0, 0.0038)));
        // 989 of 1,000: the interval crosses 99%, so the chart stays.
        assert!(!settled(&row(0.989, 0.980, 0.994)));
        assert!(!settled(&row(0.5, 0.47, 0.53)));
    }

    #[test]
    fn chart_stems_cannot_leave_their_folder() {
        assert_eq!(safe_stem("attainment_new_urban_jobs"), "attainment_new_urban_jobs");
        assert_eq!(safe_stem("oat_a/../../../victim/pwned"), "oat_a__________victim_pwned");
        assert_eq!(safe_stem("grid_x.png"), "grid_x_png");
        assert_eq!(safe_stem(""), "chart");
        assert!(!safe_stem("..\\..\\x").contains(['.', '/', '\\']));
    }
}
