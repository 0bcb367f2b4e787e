//! The export of a sensitivity design for SALib (`--export-design DIR`): the parameter values of
//! every model run (`design.csv`), the outcomes (`outputs.csv`), SALib's parameter file
//! (`problem.txt`, with the group column when factors are model blocks), each parameter's
//! distribution (`distributions.csv`) and a README saying which SALib call reads them.
//!
//! SALib's own analyse functions then give the same indices as `urbsim sensitivity`, which is
//! how the estimators were checked. `problem.txt` can only state bounds, not distributions: the
//! rows of `design.csv` already carry each parameter's distribution, so the file serves
//! `analyze`, never `sample`; re-sampling from it would draw every parameter uniformly.
//!
//! The design and the outputs are streamed row by row into the writers the caller passes, so an
//! export of millions of rows never sits in memory as text.

use std::io::Write;

use ndarray::Array2;

use crate::exploration::{Evaluator, Factors, Outcome};
use crate::sensitivity::{Design, DesignKind};

/// The rows of `design` in SALib's order. SALib's Saltelli layout (no second order) is, per
/// sample `j`: `A_j`, `AB_1j` … `AB_kj`, `B_j`; ours is in blocks `A`, `B`, `AB_1` … `AB_k`.
/// Morris trajectories are already in SALib's order.
pub fn salib_order(design: &Design) -> Vec<usize> {
    match design.kind {
        DesignKind::Saltelli => {
            let (n, k) = (design.n, design.factors);
            (0..n)
                .flat_map(|j| {
                    std::iter::once(j).chain((0..k).map(move |f| (2 + f) * n + j)).chain(std::iter::once(n + j))
                })
                .collect()
        }
        DesignKind::Morris { .. } => (0..design.rows.nrows()).collect(),
    }
}

/// `problem.txt` as SALib's `read_param_file` reads it: `name lower upper`, plus the group name
/// when factors are grouped. Bounds are the support, or the 0.1% and 99.9% quantiles where the
/// support is unbounded.
pub fn problem_txt(eval: &Evaluator, factors: &Factors) -> String {
    eval.uncertain
        .iter()
        .enumerate()
        .map(|(k, (id, d))| {
            let (lo, hi) = d.support();
            let lo = if lo.is_finite() { lo } else { d.quantile(0.001) };
            let hi = if hi.is_finite() { hi } else { d.quantile(0.999) };
            if factors.grouped {
                format!("{} {lo} {hi} {}\n", id.key(), factors.column_group[k])
            } else {
                format!("{} {lo} {hi}\n", id.key())
            }
        })
        .collect()
}

/// `distributions.csv`: each parameter's distribution as the baseline states it, its support
/// and its factor.
///
/// # Errors
///
/// A CSV error.
pub fn distributions_csv(eval: &Evaluator, factors: &Factors) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let e = |e: csv::Error| format!("distributions.csv: {e}");
    w.write_record(["parameter", "distribution", "support_low", "support_high", "factor"]).map_err(e)?;
    for (k, (id, d)) in eval.uncertain.iter().enumerate() {
        let (lo, hi) = d.support();
        w.write_record([
            id.key().to_string(),
            d.to_string(),
            lo.to_string(),
            hi.to_string(),
            factors.column_group[k].clone(),
        ])
        .map_err(e)?;
    }
    w.into_inner().map_err(|e| format!("distributions.csv: {e}"))
}

/// Streams `design.csv`: a header of parameter keys, then the parameter values of every run in
/// SALib's order. `rows` are the uniforms that were evaluated (for Morris, after
/// [`crate::exploration::morris_level`]).
///
/// # Errors
///
/// A write error.
pub fn write_design<W: Write>(out: W, eval: &Evaluator, rows: &Array2<f64>, order: &[usize]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(eval.uncertain.iter().map(|(id, _)| id.key()))?;
    for &r in order {
        let p = eval.params(rows.row(r));
        w.write_record(eval.uncertain.iter().map(|(id, _)| p[*id].to_string()))?;
    }
    w.flush()
}

/// Streams `outputs.csv`: one column per outcome (`y` holds one row per outcome), the rows in
/// SALib's order.
///
/// # Errors
///
/// A write error.
pub fn write_outputs<W: Write>(
    out: W,
    outcomes: &[(Outcome, String)],
    y: &Array2<f64>,
    order: &[usize],
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(outcomes.iter().map(|(_, l)| l.as_str()))?;
    for &r in order {
        w.write_record(y.column(r).iter().map(f64::to_string))?;
    }
    w.flush()
}

/// The README of an export: which SALib call reads which file.
pub fn readme(design: &Design, factors: &Factors) -> String {
    let call = match design.kind {
        DesignKind::Saltelli => "Si = SALib.analyze.sobol.analyze(problem, Y, calc_second_order=False)".to_string(),
        DesignKind::Morris { levels, .. } => {
            format!("Si = SALib.analyze.morris.analyze(problem, X, Y, num_levels={levels})")
        }
    };
    let groups = if factors.grouped {
        "problem.txt has a fourth column, the model block of each parameter, so SALib analyses the blocks as factors \
         (as `urbsim sensitivity --groups` does); with groups SALib's Morris reports mu_star only.\n"
    } else {
        ""
    };
    format!(
        "design.csv: parameter values of every model run (columns in problem.txt order); outputs.csv: one column per outcome, same rows.\n\
         Rows follow SALib's layout. In Python:\n\
         \x20 from SALib.util import read_param_file; import numpy as np\n\
         \x20 problem = read_param_file('problem.txt')\n\
         \x20 X = np.loadtxt('design.csv', delimiter=',', skiprows=1)\n\
         \x20 Y = np.loadtxt('outputs.csv', delimiter=',', skiprows=1, ndmin=2)[:, 0]   # the first outcome\n\
         \x20 {call}\n\
         {groups}\
         Do not sample from problem.txt: its bounds are each parameter's support (or its 0.1% and 99.9% quantiles where \
         the support is unbounded), and SALib would draw every parameter uniformly between them. The distributions \
         the design was drawn from are in distributions.csv; the design already follows them.\n"
    )
}
