//! Runs the model at the points of an experimental design (sensitivity analysis) and turns the
//! trajectories into outcome vectors: an indicator in each year, or whether a plan target is met.
//!
//! A design row holds one uniform per uncertain parameter (in `sweep::uncertain` order); the
//! row's parameters are their quantiles, the rest of the scenario stays central, and the run has
//! no random shocks, so the indices measure what the parameters do. Rows run in parallel and are
//! collected in order, so results do not depend on the thread count.

use rayon::prelude::*;

use crate::baseline::Baseline;
use crate::model::{self, IndicatorId, NoShocks, ParamId, Params, Year};
use crate::projection::{BaseState, Resolved};
use crate::targets::{Target, evaluate};
use crate::uncertainty::Dist;

/// What is measured on each run.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// An indicator's value in one year.
    Indicator(IndicatorId, Year),
    /// 1 if a plan target is met by the end of the plan, else 0.
    TargetMet(usize),
}

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
    fn with_row(&self, mut p: Params, row: &[f64]) -> Params {
        for ((id, dist), u) in self.uncertain.iter().zip(row) {
            p[*id] = dist.quantile(*u);
        }
        p
    }

    /// Parameters of a design row (uniforms in column order).
    pub fn params(&self, row: &[f64]) -> Params {
        self.with_row(self.scenario.params.clone(), row)
    }

    /// Evaluates every design row; returns one vector per outcome, each with one value per row.
    pub fn run(&self, rows: &[Vec<f64>], outcomes: &[Outcome]) -> Vec<Vec<f64>> {
        let b = self.baseline;
        let until = self.scenario.until;
        let n_years = usize::from(until - b.base_year);
        let first_year = b.base_year + 1;
        let per_row: Vec<Vec<f64>> = rows
            .par_iter()
            .map(|row| {
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
                    })
                    .collect()
            })
            .collect();
        (0..outcomes.len()).map(|k| per_row.iter().map(|r| r[k]).collect()).collect()
    }
}
