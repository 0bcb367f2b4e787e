//! Renders a summarised sweep as CSV tables (pure, bytes out): per-year statistics, target
//! probabilities, paired differences against the reference, lever-grid results and, on request,
//! every kept draw.

use crate::model::{IndicatorId, Year};
use crate::report::RenderError;
use crate::targets::PlanTargets;

use super::{Summary, percentile_labels, uncertain};

fn num(x: f64) -> String {
    if x.is_finite() { x.to_string() } else { String::new() }
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
    let mut header = vec!["scenario".to_string()];
    if paired {
        header.push("reference".to_string());
    }
    header.extend(["year", "indicator", "unit", "draws", "mean", "sd", "mcse"].map(String::from));
    header.extend(percentile_labels());
    w.write_record(&header)?;
    let per_arm = s.partial.years.1 * IndicatorId::COUNT;
    let reference = &s.partial.arms[s.partial.reference];
    for (a, arm) in s.partial.arms.iter().enumerate() {
        if paired && a == s.partial.reference {
            continue;
        }
        for (y, year) in years(s) {
            for id in IndicatorId::ALL {
                let x = &series[a * per_arm + y * IndicatorId::COUNT + *id as usize];
                let mut rec = vec![arm.clone()];
                if paired {
                    rec.push(reference.clone());
                }
                rec.extend([
                    year.to_string(),
                    id.key().to_string(),
                    id.spec().unit.to_string(),
                    x.moments.n.to_string(),
                ]);
                rec.extend([num(x.moments.mean), num(x.moments.sd()), num(x.moments.mcse())]);
                rec.extend(x.percentiles.iter().map(|v| num(*v)));
                w.write_record(&rec)?;
            }
        }
    }
    finish(w)
}

/// `targets.csv`: probability of meeting each simulated target, with its Wilson interval, the
/// distribution of the achieved value, and the chance of doing better or worse than the reference.
///
/// # Errors
/// Only if the CSV writer fails.
pub fn targets_csv(s: &Summary, targets: &PlanTargets) -> Result<Vec<u8>, RenderError> {
    let mut w = writer();
    let mut header: Vec<String> = [
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
    ]
    .map(String::from)
    .to_vec();
    header.extend(percentile_labels().map(|p| format!("value_{p}")));
    header.extend(["p_better_than_reference", "p_worse_than_reference", "judged_by"].map(String::from));
    w.write_record(&header)?;
    let n_targets = s.partial.targets.len();
    for (a, arm) in s.partial.arms.iter().enumerate() {
        for (t, id) in s.partial.targets.iter().enumerate() {
            let Some(target) = targets.target.iter().find(|x| &x.id == id) else { continue };
            let x = &s.targets[a * n_targets + t];
            let mut rec = vec![
                arm.clone(),
                id.clone(),
                target.clause.clone(),
                target.text_zh.clone(),
                target.direction.symbol().to_string(),
                target.quantity.to_string(),
                target.unit.clone(),
                s.partial.periods[a].clone(),
                x.n.to_string(),
                x.met.to_string(),
                num(x.probability.0),
                num(x.probability.1),
                num(x.probability.2),
            ];
            rec.extend(x.value.iter().map(|v| num(*v)));
            rec.extend([num(x.better), num(x.worse), target.judged().key().to_string()]);
            w.write_record(&rec)?;
        }
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
