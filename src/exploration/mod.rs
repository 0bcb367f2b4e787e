//! Runs the model at the points of an experimental design (sensitivity analysis) and turns the
//! trajectories into outcome vectors: an indicator in each year, or whether a plan target is met.
//!
//! A design row holds one uniform per uncertain parameter (in `sweep::uncertain` order); the
//! row's parameters are their quantiles, the rest of the scenario stays central, and the run has
//! no random shocks, so the indices measure what the parameters do. Rows run in parallel and are
//! collected in order, so results do not depend on the thread count.
//!
//! It also owns what the analysis commands share: which outcomes a name stands for
//! ([`select_outcomes`]), how parameters form factors ([`Factors`]), the typed result tables
//! ([`tables`]) and the export of a design for SALib ([`salib`]). The command line only reads
//! arguments and writes what these return.

pub mod salib;
pub mod tables;

use ndarray::{Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

use crate::baseline::Baseline;
use crate::model::{self, IndicatorId, NoShocks, ParamId, Params, Year};
use crate::projection::{BaseState, Resolved};
use crate::targets::{Period, PlanTargets, Target, evaluate};
use crate::uncertainty::Dist;

/// What is measured on each run.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// An indicator's value in one year.
    Indicator(IndicatorId, Year),
    /// 1 if a plan target is met by the end of the plan, else 0.
    TargetMet(usize),
    /// The value a plan target is judged on (a sum over the period, an end value or a worst year).
    TargetValue(usize),
}

/// The targets the model can judge on a run: those with an indicator and a period (milestones and
/// commitments are not simulated).
pub fn simulated_targets(targets: &PlanTargets) -> Vec<&Target> {
    targets.target.iter().filter(|t| t.indicator_id().is_some() && t.period != Period::Milestone).collect()
}

/// Outcomes asked for when none are named: the plan's headline counts, the urbanisation gap and
/// every simulated target.
pub const DEFAULT_OUTCOMES: [&str; 5] =
    ["new_urban_jobs", "rural_labour_transfer", "hukou_conversions", "urbanisation_gap", "targets"];

/// The outcomes that `names` stand for, each with its label (`ID@YEAR` for an indicator in one
/// year, `target:ID` for a target met): an indicator id stands for every year of `years`,
/// `target:ID` or a bare target id for that target, `targets` for every simulated target. An
/// empty list means [`DEFAULT_OUTCOMES`].
///
/// # Errors
///
/// A name that is neither an indicator nor a simulated target, with a hint.
pub fn select_outcomes(
    names: &[String],
    targets: &[&Target],
    years: std::ops::RangeInclusive<u16>,
) -> Result<Vec<(Outcome, String)>, String> {
    let names: Vec<String> =
        if names.is_empty() { DEFAULT_OUTCOMES.iter().map(|s| s.to_string()).collect() } else { names.to_vec() };
    let mut out = Vec::new();
    for name in &names {
        if name == "targets" {
            for (t, target) in targets.iter().enumerate() {
                out.push((Outcome::TargetMet(t), format!("target:{}", target.id)));
            }
        } else if let Some(t) = targets.iter().position(|t| &t.id == name && IndicatorId::from_key(name).is_none()) {
            out.push((Outcome::TargetMet(t), format!("target:{name}")));
        } else if let Some(id) = IndicatorId::from_key(name) {
            for y in years.clone() {
                out.push((Outcome::Indicator(id, y), format!("{name}@{y}")));
            }
        } else if let Some(t) = name.strip_prefix("target:").and_then(|n| targets.iter().position(|t| t.id == n)) {
            out.push((Outcome::TargetMet(t), name.clone()));
        } else {
            return Err(format!(
                "--outcome {name}: neither an indicator nor a simulated target\n  hint: `urbsim explain indicators`; use target:ID for a target, or `targets` for all"
            ));
        }
    }
    Ok(out)
}

/// The factors of a sensitivity design: single uncertain parameters, or the model blocks they
/// belong to (`--groups`), each with its name and the design columns it moves.
#[derive(Clone, Debug, PartialEq)]
pub struct Factors {
    /// Factor names (parameter keys, or block names such as `settlement`).
    pub names: Vec<String>,
    /// The design columns of each factor, in factor order.
    pub columns: Vec<Vec<usize>>,
    /// The factor of each design column (its group name when grouped).
    pub column_group: Vec<String>,
    /// Whether factors are model blocks.
    pub grouped: bool,
}

impl Factors {
    /// One factor per uncertain parameter, or (`grouped`) one per model block in the order the
    /// blocks first appear among the parameters.
    pub fn new(uncertain: &[(ParamId, Dist)], grouped: bool) -> Factors {
        if !grouped {
            let names: Vec<String> = uncertain.iter().map(|(id, _)| id.key().to_string()).collect();
            return Factors {
                columns: (0..uncertain.len()).map(|k| vec![k]).collect(),
                column_group: names.clone(),
                names,
                grouped,
            };
        }
        let mut names: Vec<String> = Vec::new();
        let mut columns: Vec<Vec<usize>> = Vec::new();
        let mut column_group = Vec::with_capacity(uncertain.len());
        for (k, (id, _)) in uncertain.iter().enumerate() {
            let block = format!("{:?}", id.spec().block).to_lowercase();
            match names.iter().position(|b| *b == block) {
                Some(f) => columns[f].push(k),
                None => {
                    names.push(block.clone());
                    columns.push(vec![k]);
                }
            }
            column_group.push(block);
        }
        Factors { names, columns, column_group, grouped }
    }
}

/// Where a Morris grid level `u` in `[0, 1]` falls for a parameter: unchanged for a bounded
/// distribution, and on its 0.5%–99.5% quantile range for one with an unbounded tail, so the
/// screen's end levels are plausible values, not the ±7 sd that `Dist::quantile` clamps 0 and 1
/// to.
pub fn morris_level(dist: &Dist, u: f64) -> f64 {
    let (lo, hi) = dist.support();
    if lo.is_finite() && hi.is_finite() { u } else { MORRIS_TAIL + (1.0 - 2.0 * MORRIS_TAIL) * u }
}

/// Probability left in each tail by [`morris_level`] for unbounded distributions.
pub const MORRIS_TAIL: f64 = 0.005;

/// The model set up for design runs of one scenario.
pub struct Evaluator<'a> {
    /// Baseline.
    pub baseline: &'a Baseline,
    /// The scenario.
    pub scenario: &'a Resolved,
    /// Base-year state (the same for every scenario).
    pub base: BaseState,
    /// Uncertain parameters, in design-column order.
    pub uncertain: Vec<(ParamId, Dist)>,
    /// Targets referred to by `Outcome::TargetMet`.
    pub targets: Vec<&'a Target>,
}

impl<'a> Evaluator<'a> {
    /// Sets up the evaluator (builds the base state once).
    pub fn new(baseline: &'a Baseline, scenario: &'a Resolved, targets: Vec<&'a Target>) -> Evaluator<'a> {
        let base = BaseState::new(baseline);
        Evaluator { baseline, scenario, base, uncertain: crate::sweep::uncertain(baseline), targets }
    }

    /// Parameters of a design row (uniforms in column order) on top of `start`.
    fn with_row(&self, mut p: Params, row: ArrayView1<f64>) -> Params {
        for ((id, dist), u) in self.uncertain.iter().zip(row) {
            p[*id] = dist.quantile(*u);
        }
        p
    }

    /// A Morris design's rows moved onto each parameter's [`morris_level`].
    pub fn morris_rows(&self, rows: &Array2<f64>) -> Array2<f64> {
        let mut out = rows.clone();
        for mut row in out.rows_mut() {
            for (u, (_, dist)) in row.iter_mut().zip(&self.uncertain) {
                *u = morris_level(dist, *u);
            }
        }
        out
    }

    /// Parameters of a design row (uniforms in column order).
    pub fn params(&self, row: ArrayView1<f64>) -> Params {
        self.with_row(self.scenario.params.clone(), row)
    }

    /// Evaluates every design row; returns one row per outcome with one value per design row
    /// (outcomes × runs).
    pub fn run(&self, rows: ArrayView2<f64>, outcomes: &[Outcome]) -> Array2<f64> {
        let b = self.baseline;
        let until = self.scenario.until;
        let n_years = usize::from(until - b.base_year);
        let first_year = b.base_year + 1;
        let per_row: Vec<Vec<f64>> = (0..rows.nrows())
            .into_par_iter()
            .map(|i| {
                let row = rows.row(i);
                let params = self.params(row);
                let base_params = self.with_row(b.central_params(), row);
                let mut state = self.base.city(b, &base_params);
                model::start_run(&b.inputs, &mut state, &mut NoShocks);
                let mut traj = vec![[0.0; IndicatorId::COUNT]; n_years];
                model::simulate(&b.inputs, &params, &self.scenario.levers, &mut state, until, &mut NoShocks, &mut traj);
                outcomes
                    .iter()
                    .map(|o| match o {
                        Outcome::Indicator(id, year) => {
                            traj.get(usize::from(year.saturating_sub(first_year))).map_or(f64::NAN, |r| r[*id as usize])
                        }
                        Outcome::TargetMet(t) => {
                            let e = evaluate(
                                self.targets[*t],
                                first_year,
                                n_years,
                                |y| &traj[y],
                                self.scenario.target_period,
                            );
                            match e.and_then(|e| e.met) {
                                Some(true) => 1.0,
                                Some(false) => 0.0,
                                None => f64::NAN,
                            }
                        }
                        Outcome::TargetValue(t) => {
                            evaluate(self.targets[*t], first_year, n_years, |y| &traj[y], self.scenario.target_period)
                                .map_or(f64::NAN, |e| e.value)
                        }
                    })
                    .collect()
            })
            .collect();
        Array2::from_shape_fn((outcomes.len(), per_row.len()), |(k, i)| per_row[i][k])
    }
}
