//! Monte Carlo sweeps: many futures of every scenario (and lever-grid point), drawn from the
//! uncertain parameters and the yearly shocks, summarised into per-year statistics, target
//! probabilities and paired differences against a reference scenario.
//!
//! Reproducibility is by construction:
//! - Draw `i` has its own ChaCha8 stream, `seed_from_u64(seed)` with `set_stream(i)`; it first
//!   draws one uniform per uncertain parameter (plain Monte Carlo, or the jitter of a Latin
//!   hypercube stratum), then the run's shocks. Every scenario of draw `i` starts from the same
//!   generator state: common random numbers, so scenario differences are policy, not noise.
//! - Draws are processed in fixed chunks of [`CHUNK`]; each chunk's statistics are computed
//!   sequentially, chunks run in parallel, and chunk results are folded in chunk order. The
//!   fold is the same whether the chunks ran on 1 or 16 threads, in one process or in shards
//!   merged later, so results are bit-identical in every case.
//! - Quantiles come from a bottom-k sample: the draws whose hash `splitmix64(seed, i)` is among
//!   the `keep` smallest. With `draws <= keep` that is every draw (exact quantiles); beyond, it is
//!   a uniform random subsample of `keep` draws, the same draws for every scenario, mergeable
//!   across shards by keeping the smallest hashes (accuracy in `stats::rank_error`).
//!
//! Memory is bounded by the chunk statistics (one set of moments per chunk) and the sample, not
//! by the number of draws times the output.

pub mod tables;

use std::sync::atomic::{AtomicBool, Ordering};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::baseline::{Baseline, Setting, apply};
use crate::model::levers::LeverKind;
use crate::model::shocks::RngShocks;
use crate::model::{self, IndicatorId, LeverId, ParamId, Params, Year};
use crate::projection::{BaseState, Resolved};
use crate::stats::{Moments, PERCENTILES, Z95, percentiles, wilson};
use crate::targets::{PlanTargets, Target, better, evaluate};
use crate::uncertainty::{Dist, iman_conover, lhs_uniform, splitmix64};

/// Draws per chunk: the unit of parallel work and of the deterministic fold.
pub const CHUNK: u64 = 1024;
/// Chunks run in parallel between progress reports and cancellation checks.
const BATCH: u64 = 32;

/// How parameter uniforms are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sampler {
    /// Independent uniforms.
    MonteCarlo,
    /// Latin hypercube: each parameter's draws fall one per stratum of width 1/draws.
    LatinHypercube,
}

/// What a sweep draws. Deliberately no `Default`: the CLI holds the defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepConfig {
    /// Number of draws of the whole sweep (all shards).
    pub draws: u64,
    /// Master seed.
    pub seed: u64,
    /// Parameter sampler.
    pub sampler: Sampler,
    /// Size of the quantile sample (bottom-k).
    pub keep: u64,
}

impl SweepConfig {
    /// Number of chunks of the whole sweep.
    pub fn chunks(&self) -> u64 {
        self.draws.div_ceil(CHUNK)
    }

    /// Chunk range of shard `k` (0-based) of `n`.
    pub fn shard(&self, k: u64, n: u64) -> std::ops::Range<u64> {
        let c = self.chunks();
        (c * k / n)..(c * (k + 1) / n)
    }

    /// Hash threshold below which a draw is a candidate for the quantile sample: generous
    /// enough (1.5 × keep / draws, plus slack) that the final sample nearly always holds `keep`.
    fn threshold(&self) -> u64 {
        if self.draws <= self.keep {
            return u64::MAX;
        }
        let share = (1.5 * self.keep as f64 + 64.0) / self.draws as f64;
        if share >= 1.0 { u64::MAX } else { (share * u64::MAX as f64) as u64 }
    }
}

/// One arm of a sweep: a scenario, possibly at a lever-grid point.
#[derive(Clone, Debug)]
pub struct Arm {
    /// Label: the scenario name, plus `@key=value,...` for a grid point.
    pub label: String,
    /// Index of the scenario among the sweep's scenarios.
    pub scenario: usize,
    /// Grid lever values of this arm.
    pub grid: Vec<(LeverId, f64)>,
    /// Scenario with the grid levers applied (from its policy start year).
    pub resolved: Resolved,
    /// Parameters the scenario fixes (not drawn).
    pub fixed: Vec<ParamId>,
}

/// One axis of a lever grid.
#[derive(Clone, Debug, PartialEq)]
pub struct GridAxis {
    /// Lever.
    pub lever: LeverId,
    /// Values, in order.
    pub values: Vec<f64>,
}

/// Parses `KEY=MIN:MAX:N` or `KEY=a,b,c` (numbers within the lever's range; on/off levers take
/// 0/1 or true/false; option levers take option names).
///
/// # Errors
/// A message naming the part of the spec that is wrong and how to fix it.
pub fn parse_axis(spec: &str) -> Result<GridAxis, String> {
    let (key, values) =
        spec.split_once('=').ok_or_else(|| format!("--lever {spec}: expected KEY=MIN:MAX:N or KEY=a,b,c"))?;
    let lever = LeverId::from_key(key.trim()).ok_or_else(|| {
        let close = crate::scenario::suggestions(key.trim(), LeverId::ALL.iter().map(|l| l.key()), 3);
        let hint = if close.is_empty() {
            "`urbsim explain levers` lists them".to_string()
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        format!("--lever {spec}: unknown lever `{key}`; {hint}")
    })?;
    let kind = lever.spec().kind;
    // The one lever-value codec (`LeverKind::parse`), with the flag and the unit in the message.
    let parse_one = |v: &str| -> Result<f64, String> {
        kind.parse(v).map_err(|e| {
            let unit = lever.spec().unit;
            if unit.is_empty() || !matches!(kind, LeverKind::Number { .. }) {
                format!("--lever {spec}: {e}")
            } else {
                format!("--lever {spec}: {e} {unit}")
            }
        })
    };
    let parts: Vec<&str> = values.split(':').collect();
    let values = if parts.len() == 3 && matches!(kind, LeverKind::Number { .. }) {
        let (lo, hi) = (parse_one(parts[0])?, parse_one(parts[1])?);
        let n: usize =
            parts[2].trim().parse().map_err(|_| format!("--lever {spec}: N must be a whole number of points"))?;
        if !(2..=101).contains(&n) {
            return Err(format!("--lever {spec}: N must be between 2 and 101"));
        }
        // By index, never by repeated addition of the step.
        (0..n).map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64).collect()
    } else {
        values.split(',').map(parse_one).collect::<Result<Vec<_>, _>>()?
    };
    if values.is_empty() {
        return Err(format!("--lever {spec}: no values"));
    }
    Ok(GridAxis { lever, values })
}

/// Builds the arms: every scenario at every point of the full factorial grid.
pub fn arms(scenarios: &[Resolved], grid: &[GridAxis]) -> Vec<Arm> {
    let mut points: Vec<Vec<(LeverId, f64)>> = vec![Vec::new()];
    for axis in grid {
        points = points
            .iter()
            .flat_map(|p| axis.values.iter().map(move |v| [p.clone(), vec![(axis.lever, *v)]].concat()))
            .collect();
    }
    let mut out = Vec::new();
    for (k, r) in scenarios.iter().enumerate() {
        for point in &points {
            let mut resolved = r.clone();
            for (lever, v) in point {
                apply(&mut resolved.levers, *lever, &Setting::Constant(*v), r.policy_start);
            }
            let label = if point.is_empty() {
                r.name.clone()
            } else {
                let parts: Vec<String> = point.iter().map(|(l, v)| format!("{}={v}", l.key())).collect();
                format!("{}@{}", r.name, parts.join(","))
            };
            let fixed = r.changed_params.iter().map(|(id, _)| *id).collect();
            out.push(Arm { label, scenario: k, grid: point.clone(), resolved, fixed });
        }
    }
    out
}

/// The uncertain parameters of a baseline, in registry order.
pub fn uncertain(baseline: &Baseline) -> Vec<(ParamId, Dist)> {
    baseline.params.iter().filter_map(|d| d.dist.clone().map(|x| (d.id, x))).collect()
}

/// Statistics of one chunk: moments of every series, and of the paired differences.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChunkStats {
    /// Moments per (arm, year, indicator).
    pub moments: Vec<Moments>,
    /// Moments of arm minus reference per (arm, year, indicator).
    pub diff: Vec<Moments>,
}

/// A draw kept for quantiles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Selection hash.
    pub hash: u64,
    /// Draw index.
    pub draw: u64,
    /// Indicators per (arm, year, indicator).
    pub rows: Vec<f64>,
    /// Drawn values of the uncertain parameters, in [`uncertain`] order.
    pub params: Vec<f64>,
}

/// Everything a sweep (or a shard of it) produces before summarising; merging partials of
/// consecutive chunk ranges gives exactly the partial of the whole range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// Configuration of the whole sweep.
    pub config: SweepConfig,
    /// Arm labels, in order.
    pub arms: Vec<String>,
    /// Target-period reading of each arm ("2025-2028" or "2024-2028").
    pub periods: Vec<String>,
    /// Grid lever values of each arm.
    pub grid: Vec<Vec<(String, f64)>>,
    /// First simulated year and number of years.
    pub years: (Year, usize),
    /// Target ids assessed, in order.
    pub targets: Vec<String>,
    /// Index of the reference arm.
    pub reference: usize,
    /// Chunk range covered.
    pub chunk_range: (u64, u64),
    /// Per-chunk statistics, in chunk order.
    pub chunks: Vec<ChunkStats>,
    /// Draws assessed per (arm, target) (a target with a partial horizon is not counted).
    pub assessed: Vec<u64>,
    /// Draws meeting each (arm, target).
    pub met: Vec<u64>,
    /// Draws where the arm did better / worse than the reference, per (arm, target).
    pub better: Vec<u64>,
    /// See `better`.
    pub worse: Vec<u64>,
    /// Candidate draws for the quantile sample.
    pub candidates: Vec<Candidate>,
    /// The first draw (in draw order) that produced a value that is not a finite number: (draw,
    /// arm label, year, indicator). A sweep with one has failed.
    #[serde(default)]
    pub non_finite: Option<(u64, String, Year, String)>,
    /// SHA-256 of everything the results depend on besides the configuration (scenario files and
    /// what they extend, baseline, targets, options, lever grid), set by the caller; shards merge
    /// only when it agrees.
    #[serde(default)]
    pub inputs: String,
}

impl Partial {
    /// Checks that every length and index agrees with the configuration, so a damaged or hand-edited
    /// shard is refused with a message instead of failing later.
    ///
    /// # Errors
    /// The first inconsistency found.
    pub fn check(&self) -> Result<(), String> {
        let arms = self.arms.len();
        let (first, years) = self.years;
        let series = arms * years * IndicatorId::COUNT;
        let per_target = arms * self.targets.len();
        let chunks = (self.chunk_range.1).saturating_sub(self.chunk_range.0);
        let problems = [
            (arms == 0, "it has no scenario".to_string()),
            (years == 0 || years > crate::model::MAX_YEARS, format!("it covers {years} years")),
            (first > crate::model::LAST_YEAR, format!("its first year {first} is past {}", crate::model::LAST_YEAR)),
            (self.reference >= arms, format!("its reference scenario {} is not one of its {arms}", self.reference)),
            (self.periods.len() != arms || self.grid.len() != arms, "its scenario lists differ in length".to_string()),
            (self.chunk_range.0 > self.chunk_range.1, "its chunk range runs backwards".to_string()),
            (
                self.chunk_range.1 > self.config.chunks(),
                format!("its chunks run past the sweep's {}", self.config.chunks()),
            ),
            (
                self.chunks.len() as u64 != chunks,
                format!("it holds {} chunks for a range of {chunks}", self.chunks.len()),
            ),
            (
                self.chunks.iter().any(|c| c.moments.len() != series || c.diff.len() != series),
                "a chunk's statistics do not match its scenarios and years".to_string(),
            ),
            (
                [&self.assessed, &self.met, &self.better, &self.worse].iter().any(|v| v.len() != per_target),
                "its target counts do not match its scenarios and targets".to_string(),
            ),
            (
                self.met.iter().zip(&self.assessed).any(|(m, a)| m > a),
                "a target is met in more draws than were assessed".to_string(),
            ),
            (
                self.candidates.iter().any(|c| c.rows.len() != series || c.draw >= self.config.draws),
                "a kept draw does not match its scenarios and years".to_string(),
            ),
        ];
        match problems.into_iter().find(|(bad, _)| *bad) {
            Some((_, why)) => Err(format!("the sweep results are inconsistent: {why}")),
            None => Ok(()),
        }
    }

    /// Appends the partial of the following chunk range.
    ///
    /// # Errors
    /// When the partials belong to different sweeps or do not follow each other.
    pub fn append(&mut self, next: Partial) -> Result<(), String> {
        if next.inputs != self.inputs {
            return Err(
                "the partial results come from different inputs (scenario files, baseline, targets, options or \
                        lever grid differ: compare the shards' manifest.json)"
                    .to_string(),
            );
        }
        if next.config != self.config
            || next.arms != self.arms
            || next.years != self.years
            || next.targets != self.targets
            || next.reference != self.reference
        {
            return Err("the partial results come from different sweeps (configuration, scenarios or targets differ)"
                .to_string());
        }
        if next.chunk_range.0 != self.chunk_range.1 {
            return Err(format!(
                "the partial results do not follow each other: chunks {}..{} then {}..{} (a shard is missing or repeated)",
                self.chunk_range.0, self.chunk_range.1, next.chunk_range.0, next.chunk_range.1
            ));
        }
        self.chunk_range.1 = next.chunk_range.1;
        self.chunks.extend(next.chunks);
        for (a, b) in [
            (&mut self.assessed, next.assessed),
            (&mut self.met, next.met),
            (&mut self.better, next.better),
            (&mut self.worse, next.worse),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self.candidates.extend(next.candidates);
        if self.non_finite.is_none() {
            self.non_finite = next.non_finite;
        }
        Ok(())
    }

    /// Whether the partial covers every chunk of its sweep.
    pub fn complete(&self) -> bool {
        self.chunk_range == (0, self.config.chunks())
    }
}

/// Observer of a sweep's progress; the default does nothing and never cancels.
pub trait Progress: Sync {
    /// Called after each batch with the number of draws just finished.
    fn advanced(&self, _draws: u64) {}
    /// Whether the sweep should stop (Ctrl-C).
    fn cancelled(&self) -> bool {
        false
    }
}

/// A progress observer that reports nothing and never cancels.
pub struct Silent;

impl Progress for Silent {}

/// A progress observer that only watches a cancellation flag.
pub struct CancelFlag<'a>(pub &'a AtomicBool);

impl Progress for CancelFlag<'_> {
    fn cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The sweep was cancelled before it finished.
#[derive(Debug, thiserror::Error)]
#[error("the sweep was interrupted; nothing was written")]
pub struct Cancelled;

/// Everything needed to run draws.
pub struct Sweep<'a> {
    /// Baseline.
    pub baseline: &'a Baseline,
    /// Arms.
    pub arms: &'a [Arm],
    /// Reference arm.
    pub reference: usize,
    /// Simulated targets assessed per draw.
    pub targets: Vec<&'a Target>,
    /// Uncertain parameters.
    pub uncertain: Vec<(ParamId, Dist)>,
    /// Last simulated year.
    pub until: Year,
    /// Configuration.
    pub config: SweepConfig,
    /// The base-year state every arm of a draw starts from.
    pub base: BaseState,
}

impl<'a> Sweep<'a> {
    /// Sets up a sweep; `until` must be the same for every arm.
    pub fn new(
        baseline: &'a Baseline,
        arms: &'a [Arm],
        reference: usize,
        targets: &'a PlanTargets,
        config: SweepConfig,
    ) -> Sweep<'a> {
        let until = arms.iter().map(|a| a.resolved.until).max().unwrap_or(baseline.base_year + 1);
        Sweep {
            baseline,
            arms,
            reference,
            targets: targets
                .target
                .iter()
                .filter(|t| t.indicator_id().is_some() && t.period != crate::targets::Period::Milestone)
                .collect(),
            uncertain: uncertain(baseline),
            until,
            config,
            base: BaseState::new(baseline),
        }
    }

    fn years(&self) -> usize {
        usize::from(self.until - self.baseline.base_year)
    }

    /// An empty partial of this sweep starting at chunk `start`.
    fn empty(&self, start: u64) -> Partial {
        let n = self.arms.len() * self.targets.len();
        Partial {
            config: self.config,
            arms: self.arms.iter().map(|a| a.label.clone()).collect(),
            periods: self
                .arms
                .iter()
                .map(|a| crate::report::period_label(a.resolved.target_period).to_string())
                .collect(),
            grid: self.arms.iter().map(|a| a.grid.iter().map(|(l, v)| (l.key().to_string(), *v)).collect()).collect(),
            years: (self.baseline.base_year + 1, self.years()),
            targets: self.targets.iter().map(|t| t.id.clone()).collect(),
            reference: self.reference,
            chunk_range: (start, start),
            chunks: Vec::new(),
            assessed: vec![0; n],
            met: vec![0; n],
            better: vec![0; n],
            worse: vec![0; n],
            candidates: Vec::new(),
            non_finite: None,
            inputs: String::new(),
        }
    }

    /// The generator of draw `i` positioned at `word_pos`. ChaCha is seekable, so every scenario
    /// of a draw can start its shocks at the same place without cloning a generator.
    fn generator(&self, i: u64, word_pos: u128) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.config.seed);
        rng.set_stream(i);
        rng.set_word_pos(word_pos);
        rng
    }

    /// The uniforms of draw `i`, one per parameter in registry order (every parameter, uncertain
    /// or not, so that a scenario adding a distribution leaves every other stream unchanged);
    /// returns the generator's position from which the draw's shocks follow.
    pub fn uniforms(&self, i: u64, u: &mut [f64; ParamId::COUNT]) -> u128 {
        let mut rng = ChaCha8Rng::seed_from_u64(self.config.seed);
        rng.set_stream(i);
        for (k, slot) in u.iter_mut().enumerate() {
            let x: f64 = rng.random();
            *slot = match self.config.sampler {
                Sampler::MonteCarlo => x,
                Sampler::LatinHypercube => {
                    let key = splitmix64(self.config.seed ^ splitmix64(k as u64 + 1));
                    lhs_uniform(key, i, self.config.draws, x)
                }
            };
        }
        rng.get_word_pos()
    }

    /// The uniforms of every draw of a chunk, with the rank correlations of the baseline imposed
    /// (Iman-Conover within the chunk: each parameter's uniforms are only reordered among the
    /// chunk's draws, so marginals and Latin-hypercube strata are kept).
    fn chunk_uniforms(&self, first: u64, last: u64) -> (Vec<[f64; ParamId::COUNT]>, Vec<u128>) {
        let mut u = vec![[0.0; ParamId::COUNT]; (last - first) as usize];
        let mut pos = Vec::with_capacity(u.len());
        for (row, i) in u.iter_mut().zip(first..last) {
            pos.push(self.uniforms(i, row));
        }
        if let Some((ids, corr)) = &self.baseline.correlation {
            let mut block: Vec<Vec<f64>> =
                u.iter().map(|row| ids.iter().map(|id| row[*id as usize]).collect()).collect();
            iman_conover(&mut block, corr);
            for (row, b) in u.iter_mut().zip(&block) {
                for (id, x) in ids.iter().zip(b) {
                    row[*id as usize] = *x;
                }
            }
        }
        (u, pos)
    }

    /// Parameters of one arm for a draw: the arm's own distribution where the scenario gives
    /// one, else the baseline's, at the draw's uniform; fixed parameters keep their value.
    fn arm_params(&self, arm: &Arm, u: &[f64; ParamId::COUNT]) -> Params {
        let mut params = arm.resolved.params.clone();
        for (id, dist) in &self.uncertain {
            if !arm.fixed.contains(id) {
                params[*id] = dist.quantile(u[*id as usize]);
            }
        }
        for (id, dist) in &arm.resolved.changed_dists {
            params[*id] = dist.quantile(u[*id as usize]);
        }
        params
    }

    /// Runs the chunks in `range` (all chunks of the sweep, or one shard's).
    ///
    /// # Errors
    /// [`Cancelled`] when the observer asks to stop.
    pub fn run(&self, range: std::ops::Range<u64>, progress: &dyn Progress) -> Result<Partial, Cancelled> {
        let mut partial = self.empty(range.start);
        let mut start = range.start;
        while start < range.end {
            if progress.cancelled() {
                return Err(Cancelled);
            }
            let end = (start + BATCH).min(range.end);
            let results: Vec<Partial> = (start..end).into_par_iter().map(|c| self.chunk(c)).collect();
            for r in results {
                // Chunks of one sweep always fit together; a failure here would be a bug.
                let appended = partial.append(r);
                debug_assert!(appended.is_ok(), "{appended:?}");
            }
            let done_draws =
                ((end * CHUNK).min(self.config.draws)).saturating_sub((start * CHUNK).min(self.config.draws));
            progress.advanced(done_draws);
            start = end;
        }
        Ok(partial)
    }

    /// One chunk, sequentially.
    fn chunk(&self, c: u64) -> Partial {
        let (n_arms, n_years, n_targets) = (self.arms.len(), self.years(), self.targets.len());
        let series = n_years * IndicatorId::COUNT;
        let mut stats = ChunkStats {
            moments: vec![Moments::default(); n_arms * series],
            diff: vec![Moments::default(); n_arms * series],
        };
        let mut out = self.empty(c);
        out.chunk_range = (c, c + 1);
        let mut rows = vec![[0.0; IndicatorId::COUNT]; n_arms * n_years];
        let mut target_values = vec![(0.0, None::<bool>, false); n_arms * n_targets];
        let threshold = self.config.threshold();
        let first = c * CHUNK;
        let last = ((c + 1) * CHUNK).min(self.config.draws);
        let (uniforms, positions) = self.chunk_uniforms(first, last);
        let inputs = &self.baseline.inputs;
        let mut base_params = self.baseline.central_params();
        for ((i, u), &shock_pos) in (first..last).zip(&uniforms).zip(&positions) {
            // One base-year state per draw, from the baseline's distributions alone, shared by
            // every arm: scenarios and grid points differ only from the policy start on.
            for (id, dist) in &self.uncertain {
                base_params[*id] = dist.quantile(u[*id as usize]);
            }
            let base = self.base.city(self.baseline, &base_params);
            for (a, arm) in self.arms.iter().enumerate() {
                let params = self.arm_params(arm, u);
                let mut shocks = RngShocks(self.generator(i, shock_pos));
                let mut state = base.clone();
                model::start_run(inputs, &mut state, &mut shocks);
                let block = &mut rows[a * n_years..(a + 1) * n_years];
                model::simulate(inputs, &params, &arm.resolved.levers, &mut state, self.until, &mut shocks, block);
                if out.non_finite.is_none()
                    && let Some((y, k)) = block
                        .iter()
                        .enumerate()
                        .find_map(|(y, row)| row.iter().position(|x| !x.is_finite()).map(|k| (y, k)))
                {
                    let year = self.baseline.base_year + 1 + y as Year;
                    out.non_finite = Some((i, arm.label.clone(), year, IndicatorId::ALL[k].key().to_string()));
                }
                for (t, target) in self.targets.iter().enumerate() {
                    let first_year = self.baseline.base_year + 1;
                    let e = evaluate(target, first_year, n_years, |y| &block[y], arm.resolved.target_period);
                    target_values[a * n_targets + t] = match e {
                        Some(e) => (e.value, e.met, true),
                        None => (f64::NAN, None, false),
                    };
                }
            }
            for a in 0..n_arms {
                for y in 0..n_years {
                    let (row, reference) = (&rows[a * n_years + y], &rows[self.reference * n_years + y]);
                    let base = (a * n_years + y) * IndicatorId::COUNT;
                    for k in 0..IndicatorId::COUNT {
                        stats.moments[base + k].push(row[k]);
                        stats.diff[base + k].push(row[k] - reference[k]);
                    }
                }
                for t in 0..n_targets {
                    let (value, met, ok) = target_values[a * n_targets + t];
                    if let Some(m) = met {
                        out.assessed[a * n_targets + t] += 1;
                        out.met[a * n_targets + t] += u64::from(m);
                    }
                    let (ref_value, _, ref_ok) = target_values[self.reference * n_targets + t];
                    if ok && ref_ok {
                        match better(self.targets[t], value, ref_value) {
                            Some(true) => out.better[a * n_targets + t] += 1,
                            Some(false) => out.worse[a * n_targets + t] += 1,
                            None => {}
                        }
                    }
                }
            }
            let hash = splitmix64(self.config.seed.rotate_left(17) ^ splitmix64(i));
            if hash <= threshold {
                let values = self.uncertain.iter().map(|(id, d)| d.quantile(u[*id as usize])).collect();
                out.candidates.push(Candidate {
                    hash,
                    draw: i,
                    rows: rows.iter().flatten().copied().collect(),
                    params: values,
                });
            }
        }
        out.chunks.push(stats);
        out
    }
}

/// The chance of meeting each plan target under each scenario: the share of `draws` futures (a
/// Latin-hypercube sweep with shocks, as in the briefing pack) that meet it. One vector per
/// scenario, parallel to `targets.target`; `None` for a target that is not simulated.
///
/// # Errors
/// [`Cancelled`] when the observer asks to stop.
pub fn target_chances(
    baseline: &Baseline,
    targets: &PlanTargets,
    scenarios: &[Resolved],
    draws: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<Vec<Option<f64>>>, Cancelled> {
    let arms = arms(scenarios, &[]);
    let config = SweepConfig { draws, seed, sampler: Sampler::LatinHypercube, keep: 1 };
    let plan = Sweep::new(baseline, &arms, 0, targets, config);
    let partial = plan.run(0..config.chunks(), progress)?;
    let n = plan.targets.len();
    let per_arm = |a: usize| -> Vec<Option<f64>> {
        targets
            .target
            .iter()
            .map(|t| {
                let k = plan.targets.iter().position(|s| s.id == t.id)?;
                let assessed = partial.assessed[a * n + k];
                (assessed > 0).then(|| partial.met[a * n + k] as f64 / assessed as f64)
            })
            .collect()
    };
    Ok((0..arms.len()).map(per_arm).collect())
}

/// Summary of one series (arm, year, indicator) over all draws.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesSummary {
    /// Moments over every draw.
    pub moments: Moments,
    /// Percentiles 5, 10, 25, 50, 75, 90, 95 from the quantile sample.
    pub percentiles: [f64; 7],
}

/// Target probability of one arm.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetSummary {
    /// Draws assessed.
    pub n: u64,
    /// Draws meeting the target.
    pub met: u64,
    /// Probability of meeting it, and its Wilson 95% interval.
    pub probability: (f64, f64, f64),
    /// Percentiles of the target's value (sum, end value or worst year) from the sample.
    pub value: [f64; 7],
    /// Share of draws better and worse than the reference.
    pub better: f64,
    /// See `better`.
    pub worse: f64,
}

/// The summarised sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The merged partial it came from.
    pub partial: Partial,
    /// Draws in the quantile sample.
    pub sample: usize,
    /// Per (arm, year, indicator).
    pub series: Vec<SeriesSummary>,
    /// Per (arm, year, indicator): arm minus reference.
    pub paired: Vec<SeriesSummary>,
    /// Per (arm, target).
    pub targets: Vec<TargetSummary>,
    /// Sample draws' target values per (arm, target), for reports.
    pub sample_draws: Vec<u64>,
}

/// Folds the chunk statistics in order and computes quantiles from the sample.
///
/// # Errors
/// When the partial does not cover the whole sweep.
pub fn summarise(mut partial: Partial, targets: &PlanTargets) -> Result<Summary, String> {
    partial.check()?;
    if !partial.complete() {
        return Err(format!(
            "the results cover chunks {}..{} of {}: merge every shard first",
            partial.chunk_range.0,
            partial.chunk_range.1,
            partial.config.chunks()
        ));
    }
    let (first_year, n_years) = partial.years;
    let n_arms = partial.arms.len();
    let series = n_years * IndicatorId::COUNT;
    let mut moments = vec![Moments::default(); n_arms * series];
    let mut diff = vec![Moments::default(); n_arms * series];
    for chunk in &partial.chunks {
        for (m, c) in moments.iter_mut().zip(&chunk.moments) {
            m.merge(c);
        }
        for (m, c) in diff.iter_mut().zip(&chunk.diff) {
            m.merge(c);
        }
    }
    // The quantile sample: the `keep` smallest hashes (ties by draw), in draw order.
    partial.candidates.sort_by_key(|c| (c.hash, c.draw));
    partial.candidates.truncate(partial.config.keep as usize);
    partial.candidates.sort_by_key(|c| c.draw);
    let sample = &partial.candidates;
    let mut buf = Vec::with_capacity(sample.len());
    let mut pct = |f: &dyn Fn(&Candidate) -> f64| -> [f64; 7] {
        buf.clear();
        buf.extend(sample.iter().map(f).filter(|v: &f64| v.is_finite()));
        if buf.is_empty() { [f64::NAN; 7] } else { percentiles(&mut buf) }
    };
    let reference = partial.reference;
    let mut series_out = Vec::with_capacity(n_arms * series);
    let mut paired_out = Vec::with_capacity(n_arms * series);
    for a in 0..n_arms {
        for j in 0..series {
            let idx = a * series + j;
            series_out.push(SeriesSummary { moments: moments[idx], percentiles: pct(&|c| c.rows[idx]) });
            paired_out.push(SeriesSummary {
                moments: diff[idx],
                percentiles: pct(&|c| c.rows[idx] - c.rows[reference * series + j]),
            });
        }
    }
    let n_targets = partial.targets.len();
    let mut target_out = Vec::new();
    for a in 0..n_arms {
        for (t, id) in partial.targets.iter().enumerate() {
            let k = a * n_targets + t;
            let (n, met) = (partial.assessed[k], partial.met[k]);
            let (lo, hi) = wilson(met, n, Z95);
            let target = targets.target.iter().find(|x| &x.id == id);
            let value = match target {
                Some(target) => pct(&|c| {
                    let rows: &[f64] = &c.rows[a * series..(a + 1) * series];
                    evaluate(target, first_year, n_years, |y| row_ref(rows, y), period_of(&partial.periods[a]))
                        .map_or(f64::NAN, |e| e.value)
                }),
                None => [f64::NAN; 7],
            };
            let draws = partial.config.draws as f64;
            target_out.push(TargetSummary {
                n,
                met,
                probability: (if n > 0 { met as f64 / n as f64 } else { f64::NAN }, lo, hi),
                value,
                better: partial.better[k] as f64 / draws,
                worse: partial.worse[k] as f64 / draws,
            });
        }
    }
    let sample_draws = sample.iter().map(|c| c.draw).collect();
    let sample_len = sample.len();
    Ok(Summary {
        partial,
        sample: sample_len,
        series: series_out,
        paired: paired_out,
        targets: target_out,
        sample_draws,
    })
}

/// The target-period reading of a label written by `report::period_label`.
pub fn period_of(label: &str) -> crate::scenario::TargetPeriod {
    if label == "2024-2028" { crate::scenario::TargetPeriod::From2024 } else { crate::scenario::TargetPeriod::From2025 }
}

/// The indicator row of year index `y` inside a flattened block of rows.
pub fn row_ref(rows: &[f64], y: usize) -> &[f64; IndicatorId::COUNT] {
    let start = y * IndicatorId::COUNT;
    rows[start..start + IndicatorId::COUNT].try_into().expect("a row has IndicatorId::COUNT values")
}

/// Percentile labels for table headers.
pub fn percentile_labels() -> [String; 7] {
    PERCENTILES.map(|p| format!("p{}", (p * 100.0).round() as u32))
}
