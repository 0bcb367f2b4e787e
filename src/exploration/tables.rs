//! The result tables of the analysis commands (`oat.csv`, `morris.csv`, `sobol.csv`, `prim.csv`,
//! `prim_bounds.csv`, `draws.csv` of `discover`), each owned by one row type that both the
//! writer and the reader (the brief, `urbsim chart`) use, so a column cannot be renamed on one
//! side only, and no cell is read by position.
//!
//! Numbers are written in full precision. A value that does not exist is an empty cell (`None`),
//! never `NaN`: grouped Morris factors have no `μ` or `σ`, as in SALib. A non-finite value that
//! reaches a writer is refused with the row it came from.

use ndarray::Array2;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::discovery::BoxStats;
use crate::exploration::{Evaluator, Outcome};
use crate::sensitivity::{self, MorrisIndex, SobolIndex};

/// One row of `oat.csv`: an outcome's response to one parameter at its 10th and 90th percentile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OatRow {
    /// Outcome label (`ID@YEAR` or `target:ID`).
    pub outcome: String,
    /// Parameter key.
    pub parameter: String,
    /// The parameter's low value (10th percentile).
    pub low_value: f64,
    /// The parameter's high value (90th percentile).
    pub high_value: f64,
    /// The outcome with the parameter low.
    pub outcome_at_low: f64,
    /// The outcome with the parameter high.
    pub outcome_at_high: f64,
    /// `outcome_at_high - outcome_at_low`.
    pub swing: f64,
    /// The outcome with every parameter central.
    pub outcome_at_centre: f64,
}

/// One row of `morris.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MorrisRow {
    /// Outcome label.
    pub outcome: String,
    /// Factor: a parameter key, or a model block with `--groups`.
    pub factor: String,
    /// Mean elementary effect; empty for grouped factors (signs within a group do not agree).
    pub mu: Option<f64>,
    /// Mean absolute elementary effect, the ranking measure.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects; empty for grouped factors, and with a
    /// single trajectory.
    pub sigma: Option<f64>,
    /// 95% bootstrap interval of `mu_star`, lower end.
    pub mu_star_ci95_low: Option<f64>,
    /// Upper end.
    pub mu_star_ci95_high: Option<f64>,
}

/// One row of `sobol.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SobolRow {
    /// Outcome label.
    pub outcome: String,
    /// Factor.
    pub factor: String,
    /// First-order index (may be slightly negative: sampling noise around 0).
    pub s1: f64,
    /// 95% bootstrap interval of `s1`, lower end.
    pub s1_ci95_low: Option<f64>,
    /// Upper end.
    pub s1_ci95_high: Option<f64>,
    /// Total-effect index.
    pub st: f64,
    /// 95% bootstrap interval of `st`, lower end.
    pub st_ci95_low: Option<f64>,
    /// Upper end.
    pub st_ci95_high: Option<f64>,
}

/// One row of `prim.csv`: a box of the peeling trajectory, or the chosen box simplified.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrimRow {
    /// Peeling step (0 is the box spanning the data); for the simplified box, the step it was
    /// simplified from.
    pub step: usize,
    /// `peel` for a box of the trajectory, `simplified` for the chosen box with only the
    /// restrictions that matter.
    pub kind: String,
    /// Share of the cases inside the box.
    pub coverage: f64,
    /// Share of the box's futures that are cases.
    pub density: f64,
    /// Share of all futures inside the box.
    pub mass: f64,
    /// Number of restricted parameters.
    pub restricted: usize,
    /// True on exactly one row: the box of the trajectory that was chosen.
    pub chosen: bool,
}

/// One row of `prim_bounds.csv`: one restricted parameter of one box, in the parameter's units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrimBoundRow {
    /// Step of the box (as in `prim.csv`).
    pub step: usize,
    /// `peel` or `simplified` (as in `prim.csv`).
    pub kind: String,
    /// Parameter key.
    pub parameter: String,
    /// Lower bound, inclusive.
    pub lower: f64,
    /// Upper bound, inclusive.
    pub upper: f64,
}

/// Writes rows as CSV with a header (the field names).
///
/// # Errors
///
/// A non-finite number in a row (named by the table, the row and the column), or a CSV error.
pub fn to_csv<T: Serialize>(table: &str, rows: &[T]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut header: Vec<String> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        // Each row is serialised alone (the first with the header) and checked before it joins
        // the table, so a non-finite cell is caught with its row and column.
        let mut one = csv::WriterBuilder::new().has_headers(i == 0).from_writer(Vec::new());
        one.serialize(row).map_err(|e| format!("{table}: {e}"))?;
        let bytes = one.into_inner().map_err(|e| format!("{table}: {e}"))?;
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
        let mut records = r.records();
        if i == 0 {
            header =
                records.next().and_then(Result::ok).map(|h| h.iter().map(String::from).collect()).unwrap_or_default();
        }
        if let Some(Ok(cells)) = records.next()
            && let Some(c) = cells.iter().position(|c| matches!(c, "NaN" | "inf" | "-inf"))
        {
            let column = header.get(c).map_or("?", String::as_str);
            return Err(format!(
                "{table}: row {} has {} in column {column}; the model produced a non-finite value",
                i + 1,
                &cells[c]
            ));
        }
        out.extend_from_slice(&bytes);
    }
    Ok(out)
}

/// Reads rows written by [`to_csv`].
///
/// # Errors
///
/// A missing column, a cell that is not a number, or a non-finite number, with the table's name
/// and the line.
pub fn from_csv<T: DeserializeOwned>(table: &str, bytes: &[u8]) -> Result<Vec<T>, String> {
    let mut r = csv::Reader::from_reader(bytes);
    let mut rows = Vec::new();
    for (i, row) in r.deserialize::<T>().enumerate() {
        rows.push(row.map_err(|e| format!("{table}: line {}: {e}", i + 2))?);
    }
    Ok(rows)
}

fn finite(table: &str, what: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() { Ok(v) } else { Err(format!("{table}: {what} is {v}; the model produced a non-finite value")) }
}

fn finite_opt(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// `oat.csv` rows: per outcome, every parameter by decreasing |swing|. `y` holds one row per
/// outcome over the rows of [`sensitivity::oat_design`] with low 0.1 and high 0.9.
///
/// # Errors
///
/// A non-finite outcome.
pub fn oat_rows(eval: &Evaluator, outcomes: &[(Outcome, String)], y: &Array2<f64>) -> Result<Vec<OatRow>, String> {
    let d = eval.uncertain.len();
    let mut rows = Vec::with_capacity(outcomes.len() * d);
    for ((_, label), ys) in outcomes.iter().zip(y.outer_iter()) {
        let ys = ys.to_vec();
        for (k, swing) in sensitivity::oat_swings(&ys, d) {
            let (id, dist) = &eval.uncertain[k];
            let what = |c: &str| format!("{c} of {label} under {}", id.key());
            rows.push(OatRow {
                outcome: label.clone(),
                parameter: id.key().to_string(),
                low_value: dist.quantile(0.1),
                high_value: dist.quantile(0.9),
                outcome_at_low: finite("oat.csv", &what("outcome_at_low"), ys[1 + 2 * k])?,
                outcome_at_high: finite("oat.csv", &what("outcome_at_high"), ys[2 + 2 * k])?,
                swing: finite("oat.csv", &what("swing"), swing)?,
                outcome_at_centre: finite("oat.csv", &what("outcome_at_centre"), ys[0])?,
            });
        }
    }
    Ok(rows)
}

/// `morris.csv` rows of one outcome. With grouped factors `μ` and `σ` are left empty, as SALib
/// does: the elementary effect of a group whose columns moved in opposite directions has no
/// meaningful sign, so only `μ*` is reported.
pub fn morris_rows(label: &str, factors: &[String], grouped: bool, idx: &[MorrisIndex]) -> Vec<MorrisRow> {
    idx.iter()
        .zip(factors)
        .map(|(m, f)| MorrisRow {
            outcome: label.to_string(),
            factor: f.clone(),
            mu: if grouped { None } else { finite_opt(m.mu) },
            mu_star: m.mu_star,
            sigma: if grouped { None } else { finite_opt(m.sigma) },
            mu_star_ci95_low: finite_opt(m.mu_star_ci.0),
            mu_star_ci95_high: finite_opt(m.mu_star_ci.1),
        })
        .collect()
}

/// `sobol.csv` rows of one outcome.
pub fn sobol_rows(label: &str, factors: &[String], idx: &[SobolIndex]) -> Vec<SobolRow> {
    idx.iter()
        .zip(factors)
        .map(|(s, f)| SobolRow {
            outcome: label.to_string(),
            factor: f.clone(),
            s1: s.s1,
            s1_ci95_low: finite_opt(s.s1_ci.0),
            s1_ci95_high: finite_opt(s.s1_ci.1),
            st: s.st,
            st_ci95_low: finite_opt(s.st_ci.0),
            st_ci95_high: finite_opt(s.st_ci.1),
        })
        .collect()
}

/// The row of one PRIM box and the rows of its bounds (`names` are the box's column names).
pub fn prim_rows(
    step: usize,
    kind: &str,
    b: &BoxStats,
    chosen: bool,
    names: &[String],
) -> (PrimRow, Vec<PrimBoundRow>) {
    let row = PrimRow {
        step,
        kind: kind.to_string(),
        coverage: b.coverage,
        density: b.density,
        mass: b.mass,
        restricted: b.restricted.len(),
        chosen,
    };
    let bounds = b
        .restricted
        .iter()
        .map(|&j| PrimBoundRow {
            step,
            kind: kind.to_string(),
            parameter: names[j].clone(),
            lower: b.bounds.bounds[j].0,
            upper: b.bounds.bounds[j].1,
        })
        .collect();
    (row, bounds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_with_empty_cells_for_missing_values() {
        let rows = vec![MorrisRow {
            outcome: "target:x".into(),
            factor: "settlement".into(),
            mu: None,
            mu_star: 0.125,
            sigma: None,
            mu_star_ci95_low: Some(0.1),
            mu_star_ci95_high: Some(0.2),
        }];
        let bytes = to_csv("morris.csv", &rows).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(
            text,
            "outcome,factor,mu,mu_star,sigma,mu_star_ci95_low,mu_star_ci95_high\ntarget:x,settlement,,0.125,,0.1,0.2\n"
        );
        assert_eq!(from_csv::<MorrisRow>("morris.csv", &bytes).unwrap(), rows);
    }

    #[test]
    fn a_non_finite_value_is_refused_with_its_column() {
        let row = SobolRow {
            outcome: "a@2028".into(),
            factor: "tfr".into(),
            s1: 0.5,
            s1_ci95_low: None,
            s1_ci95_high: None,
            st: f64::NAN,
            st_ci95_low: None,
            st_ci95_high: None,
        };
        let ok = SobolRow { st: 0.75, ..row.clone() };
        let e = to_csv("sobol.csv", &[ok, row]).unwrap_err();
        assert_eq!(e, "sobol.csv: row 2 has NaN in column st; the model produced a non-finite value");
    }

    #[test]
    fn a_bad_cell_is_named_with_its_table_and_line() {
        let text = b"outcome,factor,mu,mu_star,sigma,mu_star_ci95_low,mu_star_ci95_high\na,b,,0.1,,,\na,c,,x,,,\n";
        let e = from_csv::<MorrisRow>("morris.csv", text).unwrap_err();
        assert!(e.starts_with("morris.csv: line 3:"), "{e}");
        let missing = b"outcome,factor,mu\na,b,1\n";
        assert!(from_csv::<MorrisRow>("morris.csv", missing).unwrap_err().contains("mu_star"));
    }
}
