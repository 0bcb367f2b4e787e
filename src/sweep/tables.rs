//! Renders a summarised sweep as CSV tables (pure, bytes out): per-year statistics, target
//! probabilities, paired differences against the reference, lever-grid results and, on request,
//! every kept draw.
//!
//! `summary.csv`, `paired.csv` and `targets.csv` each have one row type ([`SummaryRow`],
//! [`PairedRow`], [`TargetsRow`]) that the writer serialises and every reader (the brief,
//! `urbsim chart`) deserialises, so columns are read by name and type, and a statistic that
//! does not exist is an empty cell (`None`), never a NaN. Numbers are written as Rust prints
//! them (`1440161.5`, `100`), the shortest text that reads back to the same value.

use serde::{Deserialize, Serialize, Serializer};

use crate::model::{IndicatorId, Year};
use crate::report::RenderError;
use crate::targets::PlanTargets;

use super::{Summary, uncertain};

fn num(x: f64) -> String {
    if x.is_finite() { x.to_string() } else { String::new() }
}

fn opt(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Writes an optional number as [`num`] does: the plain text, or an empty cell.
fn plain<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.map_or(String::new(), num))
}

/// Writes a number as [`num`] does.
fn plain_f64<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&num(*v))
}

/// One row of `summary.csv`: an indicator of one scenario in one year over the draws.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// Scenario (arm) name.
    pub scenario: String,
    /// Year.
    pub year: Year,
    /// Indicator id.
    pub indicator: String,
    /// Unit.
    pub unit: String,
    /// Draws summarised.
    pub draws: u64,
    /// Mean.
    #[serde(serialize_with = "plain")]
    pub mean: Option<f64>,
    /// Standard deviation.
    #[serde(serialize_with = "plain")]
    pub sd: Option<f64>,
    /// Monte Carlo standard error of the mean.
    #[serde(serialize_with = "plain")]
    pub mcse: Option<f64>,
    /// 5th percentile.
    #[serde(serialize_with = "plain")]
    pub p5: Option<f64>,
    /// 10th percentile.
    #[serde(serialize_with = "plain")]
    pub p10: Option<f64>,
    /// 25th percentile.
    #[serde(serialize_with = "plain")]
    pub p25: Option<f64>,
    /// Median.
    #[serde(serialize_with = "plain")]
    pub p50: Option<f64>,
    /// 75th percentile.
    #[serde(serialize_with = "plain")]
    pub p75: Option<f64>,
    /// 90th percentile.
    #[serde(serialize_with = "plain")]
    pub p90: Option<f64>,
    /// 95th percentile.
    #[serde(serialize_with = "plain")]
    pub p95: Option<f64>,
}

/// One row of `paired.csv`: the distribution of scenario minus reference, draw by draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairedRow {
    /// Scenario (arm) name.
    pub scenario: String,
    /// The reference it is compared with.
    pub reference: String,
    /// Year.
    pub year: Year,
    /// Indicator id.
    pub indicator: String,
    /// Unit.
    pub unit: String,
    /// Draws summarised.
    pub draws: u64,
    /// Mean difference.
    #[serde(serialize_with = "plain")]
    pub mean: Option<f64>,
    /// Standard deviation of the difference.
    #[serde(serialize_with = "plain")]
    pub sd: Option<f64>,
    /// Monte Carlo standard error of the mean difference.
    #[serde(serialize_with = "plain")]
    pub mcse: Option<f64>,
    /// 5th percentile.
    #[serde(serialize_with = "plain")]
    pub p5: Option<f64>,
    /// 10th percentile.
    #[serde(serialize_with = "plain")]
    pub p10: Option<f64>,
    /// 25th percentile.
    #[serde(serialize_with = "plain")]
    pub p25: Option<f64>,
    /// Median difference.
    #[serde(serialize_with = "plain")]
    pub p50: Option<f64>,
    /// 75th percentile.
    #[serde(serialize_with = "plain")]
    pub p75: Option<f64>,
    /// 90th percentile.
    #[serde(serialize_with = "plain")]
    pub p90: Option<f64>,
    /// 95th percentile.
    #[serde(serialize_with = "plain")]
    pub p95: Option<f64>,
}

/// One row of `targets.csv`: a target under one scenario over the draws.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetsRow {
    /// Scenario (arm) name.
    pub scenario: String,
    /// Target id.
    pub target: String,
    /// The plan's clause.
    pub clause: String,
    /// The target in the plan's words.
    pub text_zh: String,
    /// `≥` or `≤`.
    pub direction: String,
    /// The target quantity.
    #[serde(serialize_with = "plain_f64")]
    pub quantity: f64,
    /// Unit.
    pub unit: String,
    /// The period it is judged over.
    pub period: String,
    /// Draws in which it could be judged.
    pub draws: u64,
    /// Draws in which it was met.
    pub met: u64,
    /// Probability of meeting it.
    #[serde(serialize_with = "plain")]
    pub probability: Option<f64>,
    /// Wilson 95% interval, lower end.
    #[serde(serialize_with = "plain")]
    pub ci95_low: Option<f64>,
    /// Upper end.
    #[serde(serialize_with = "plain")]
    pub ci95_high: Option<f64>,
    /// 5th percentile of the achieved value.
    #[serde(serialize_with = "plain")]
    pub value_p5: Option<f64>,
    /// 10th percentile.
    #[serde(serialize_with = "plain")]
    pub value_p10: Option<f64>,
    /// 25th percentile.
    #[serde(serialize_with = "plain")]
    pub value_p25: Option<f64>,
    /// Median of the achieved value.
    #[serde(serialize_with = "plain")]
    pub value_p50: Option<f64>,
    /// 75th percentile.
    #[serde(serialize_with = "plain")]
    pub value_p75: Option<f64>,
    /// 90th percentile.
    #[serde(serialize_with = "plain")]
    pub value_p90: Option<f64>,
    /// 95th percentile.
    #[serde(serialize_with = "plain")]
    pub value_p95: Option<f64>,
    /// Share of draws in which the scenario does better than the reference.
    #[serde(serialize_with = "plain")]
    pub p_better_than_reference: Option<f64>,
    /// Share of draws in which it does worse.
    #[serde(serialize_with = "plain")]
    pub p_worse_than_reference: Option<f64>,
    /// How the target is judged: `outcome`, `commitment` or `placeholder`.
    pub judged_by: String,
}

/// Reads the rows of a sweep table.
///
/// # Errors
///
/// A missing column or a cell of the wrong type, with the table's name and the line.
pub fn read_rows<T: serde::de::DeserializeOwned>(table: &str, bytes: &[u8]) -> Result<Vec<T>, String> {
    crate::exploration::tables::from_csv(table, bytes)
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, RenderError> {
    w.into_inner().map_err(|e| RenderError::Csv(e.into_error().into()))
}

fn years(s: &Summary) -> impl Iterator<Item = (usize, Year)> + '_ {
    (0..s.partial.years.1).map(|y| (y, s.partial.years.0 + y as Year))
}

/// `summary.csv`: scenario, year, indicator, unit, draws, mean, sd, mcse, p5 ... p95.
///
/// # Errors
/// Only if the CSV writer fails.
pub fn summary_csv(s: &Summary) -> Result<Vec<u8>, RenderError> {
    series_csv(s, &s.series, false)
}

/// `paired.csv`: the distribution of scenario minus reference, draw by draw.
///
/// # Errors
/// Only if the CSV writer fails.
pub fn paired_csv(s: &Summary) -> Result<Vec<u8>, RenderError> {
    series_csv(s, &s.paired, true)
}

fn series_csv(s: &Summary, series: &[super::SeriesSummary], paired: bool) -> Result<Vec<u8>, RenderError> {
    let mut w = writer();
    let per_arm = s.partial.years.1 * IndicatorId::COUNT;
    let reference = &s.partial.arms[s.partial.reference];
    for (a, arm) in s.partial.arms.iter().enumerate() {
        if paired && a == s.partial.reference {
            continue;
        }
        for (y, year) in years(s) {
            for id in IndicatorId::ALL {
                let x = &series[a * per_arm + y * IndicatorId::COUNT + *id as usize];
                let p = x.percentiles.map(opt);
                let (scenario, indicator, unit) = (arm.clone(), id.key().to_string(), id.spec().unit.to_string());
                let (mean, sd, mcse) = (opt(x.moments.mean), opt(x.moments.sd()), opt(x.moments.mcse()));
                if paired {
                    w.serialize(PairedRow {
                        scenario,
                        reference: reference.clone(),
                        year,
                        indicator,
                        unit,
                        draws: x.moments.n,
                        mean,
                        sd,
                        mcse,
                        p5: p[0],
                        p10: p[1],
                        p25: p[2],
                        p50: p[3],
                        p75: p[4],
                        p90: p[5],
                        p95: p[6],
                    })?;
                } else {
                    w.serialize(SummaryRow {
                        scenario,
                        year,
                        indicator,
                        unit,
                        draws: x.moments.n,
                        mean,
                        sd,
                        mcse,
                        p5: p[0],
                        p10: p[1],
                        p25: p[2],
                        p50: p[3],
                        p75: p[4],
                        p90: p[5],
                        p95: p[6],
                    })?;
                }
            }
        }
    }
    if series.is_empty() || (paired && s.partial.arms.len() < 2) {
        // No row: write the header alone, so the table still names its columns.
        let header: &[&str] = if paired { &PAIRED_HEADER } else { &SUMMARY_HEADER };
        w.write_record(header)?;
    }
    finish(w)
}

const SUMMARY_HEADER: [&str; 15] = [
    "scenario",
    "year",
    "indicator",
    "unit",
    "draws",
    "mean",
    "sd",
    "mcse",
    "p5",
    "p10",
    "p25",
    "p50",
    "p75",
    "p90",
    "p95",
];
const PAIRED_HEADER: [&str; 16] = [
    "scenario",
    "reference",
    "year",
    "indicator",
    "unit",
    "draws",
    "mean",
    "sd",
    "mcse",
    "p5",
    "p10",
    "p25",
    "p50",
    "p75",
    "p90",
    "p95",
];

/// `targets.csv`: probability of meeting each simulated target, with its Wilson interval, the
/// distribution of the achieved value, and the chance of doing better or worse than the reference.
///
/// # Errors
/// Only if the CSV writer fails.
pub fn targets_csv(s: &Summary, targets: &PlanTargets) -> Result<Vec<u8>, RenderError> {
    let mut w = writer();
    let n_targets = s.partial.targets.len();
    let mut rows = 0;
    for (a, arm) in s.partial.arms.iter().enumerate() {
        for (t, id) in s.partial.targets.iter().enumerate() {
            let Some(target) = targets.target.iter().find(|x| &x.id == id) else { continue };
            let x = &s.targets[a * n_targets + t];
            let v = x.value.map(opt);
            w.serialize(TargetsRow {
                scenario: arm.clone(),
                target: id.clone(),
                clause: target.clause.clone(),
                text_zh: target.text_zh.clone(),
                direction: target.direction.symbol().to_string(),
                quantity: target.quantity,
                unit: target.unit.clone(),
                period: s.partial.periods[a].clone(),
                draws: x.n,
                met: x.met,
                probability: opt(x.probability.0),
                ci95_low: opt(x.probability.1),
                ci95_high: opt(x.probability.2),
                value_p5: v[0],
                value_p10: v[1],
                value_p25: v[2],
                value_p50: v[3],
                value_p75: v[4],
                value_p90: v[5],
                value_p95: v[6],
                p_better_than_reference: opt(x.better),
                p_worse_than_reference: opt(x.worse),
                judged_by: target.judged().key().to_string(),
            })?;
            rows += 1;
        }
    }
    if rows == 0 {
        w.write_record([
            "scenario",
            "target",
            "clause",
            "text_zh",
            "direction",
            "quantity",
            "unit",
            "period",
            "draws",
            "met",
            "probability",
            "ci95_low",
            "ci95_high",
            "value_p5",
            "value_p10",
            "value_p25",
            "value_p50",
            "value_p75",
            "value_p90",
            "value_p95",
            "p_better_than_reference",
            "p_worse_than_reference",
            "judged_by",
        ])?;
    }
    finish(w)
}

/// `grid.csv`: per grid point, the lever values, every target's probability and the medians of
/// every indicator in the last year.
///
/// # Errors
/// Only if the CSV writer fails.
pub fn grid_csv(s: &Summary) -> Result<Vec<u8>, RenderError> {
    let mut w = writer();
    let levers: Vec<String> =
        s.partial.grid.first().map(|g| g.iter().map(|(l, _)| l.clone()).collect()).unwrap_or_default();
    let mut header = vec!["scenario".to_string()];
    header.extend(levers);
    header.extend(s.partial.targets.iter().map(|t| format!("p_{t}")));
    let last = s.partial.years.1 - 1;
    let last_year = s.partial.years.0 + last as Year;
    header.extend(IndicatorId::ALL.iter().map(|id| format!("{}_{last_year}_p50", id.key())));
    w.write_record(&header)?;
    let n_targets = s.partial.targets.len();
    let per_arm = s.partial.years.1 * IndicatorId::COUNT;
    for (a, grid) in s.partial.grid.iter().enumerate() {
        let mut rec = vec![s.partial.arms[a].clone()];
        rec.extend(grid.iter().map(|(_, v)| v.to_string()));
        rec.extend((0..n_targets).map(|t| num(s.targets[a * n_targets + t].probability.0)));
        rec.extend(
            IndicatorId::ALL
                .iter()
                .map(|id| num(s.series[a * per_arm + last * IndicatorId::COUNT + *id as usize].percentiles[3])),
        );
        w.write_record(&rec)?;
    }
    finish(w)
}

/// `draws.csv`: every kept draw (all draws with `--keep-draws`), one row per draw and scenario:
/// the drawn parameters, every target's value and every indicator in the last year.
///
/// # Errors
/// Only if the CSV writer fails.
pub fn draws_csv(
    s: &Summary,
    baseline: &crate::baseline::Baseline,
    targets: &PlanTargets,
) -> Result<Vec<u8>, RenderError> {
    let params = uncertain(baseline);
    let mut w = writer();
    let mut header = vec!["draw".to_string(), "scenario".to_string()];
    header.extend(params.iter().map(|(id, _)| id.key().to_string()));
    header.extend(s.partial.targets.iter().cloned());
    let (first_year, n_years) = s.partial.years;
    let last_year = first_year + n_years as Year - 1;
    header.extend(IndicatorId::ALL.iter().map(|id| format!("{}_{last_year}", id.key())));
    w.write_record(&header)?;
    let per_arm = n_years * IndicatorId::COUNT;
    for c in &s.partial.candidates {
        for (a, arm) in s.partial.arms.iter().enumerate() {
            let rows = &c.rows[a * per_arm..(a + 1) * per_arm];
            let mut rec = vec![c.draw.to_string(), arm.clone()];
            rec.extend(c.params.iter().map(|v| num(*v)));
            for id in &s.partial.targets {
                let value = targets.target.iter().find(|t| &t.id == id).and_then(|t| {
                    crate::targets::evaluate(
                        t,
                        first_year,
                        n_years,
                        |y| super::row_ref(rows, y),
                        super::period_of(&s.partial.periods[a]),
                    )
                    .map(|e| e.value)
                });
                rec.push(value.map_or(String::new(), num));
            }
            let last = &rows[(n_years - 1) * IndicatorId::COUNT..];
            rec.extend(last.iter().map(|v| num(*v)));
            w.write_record(&rec)?;
        }
    }
    finish(w)
}
