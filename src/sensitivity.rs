//! Global sensitivity analysis: Sobol' variance indices (Saltelli design) and Morris screening.
//!
//! This module is model-agnostic and pure: it builds designs of uniforms in the unit hypercube
//! and turns the matching model outputs into indices. The caller maps each uniform `u` to its
//! parameter (for urbsim, through `Dist::quantile`), runs the model once per design row, and
//! hands the outputs back in row order. Nothing here draws from the model, does I/O or reads the
//! clock; every random choice comes from a `ChaCha8Rng` seeded by the caller, so results are
//! reproducible bit for bit.
//!
//! A *factor* is a group of parameter columns that move together (Sobol' 1993 defines indices for
//! any subset of inputs); a single parameter is a group of one. Passing no groups makes every
//! column its own factor.
//!
//! # Sobol' indices
//!
//! For output `Y = f(X)` with independent inputs, the first-order index of factor `u` is
//! `S1_u = V(E[Y | X_u]) / V(Y)` (the share of variance `X_u` explains alone, including the
//! interactions among the group's own columns) and the total index is
//! `ST_u = E[V(Y | X_~u)] / V(Y)` (the share that would vanish if `X_u` were fixed, its
//! interactions with other factors included). [`saltelli_design`] takes two independent `N × d`
//! matrices `A` and `B` from one Sobol' sequence of dimension `2d` (Joe & Kuo 2008, "Constructing
//! Sobol sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30(5), the D6
//! direction numbers) and, for each factor `f`, the matrix `AB_f`: `A` with the columns of `f`
//! taken from `B`. That costs `N (k + 2)` model runs for `k` factors. [`sobol_indices`] then uses
//!
//! * first order (Saltelli et al. 2010, "Variance based sensitivity analysis of model output.
//!   Design and estimator for the total sensitivity index", Comput. Phys. Commun. 181(2), table 2
//!   (b)): `S1_f = (1/N) Σⱼ f(B)ⱼ (f(AB_f)ⱼ - f(A)ⱼ) / V`;
//! * total (Jansen 1999, "Analysis of variance designs for model output", Comput. Phys. Commun.
//!   117): `ST_f = (1/2N) Σⱼ (f(A)ⱼ - f(AB_f)ⱼ)² / V`;
//!
//! with `V` the (population) variance of the `2N` pooled values of `f(A)` and `f(B)`. Outputs
//! are centred on the pooled mean before the first-order sum: the expectation is unchanged
//! (`E[f(AB_f) - f(A)] = 0`), but an output with a large mean no longer inflates the noise.
//!
//! Negative `S1` estimates are sampling noise around zero for unimportant factors, not a sign of
//! a bug; read them as "indistinguishable from 0" and check the interval. Likewise `S1 > ST` by a
//! little is noise. `ΣS1 ≤ 1` always holds for the true indices, and `1 - ΣS1` is the share of
//! variance due to interactions between factors.
//!
//! Intervals are 95% bootstrap percentile intervals (Efron & Tibshirani 1993, "An Introduction to
//! the Bootstrap", ch. 13): the `N` row-triples `(A, B, AB_·)ⱼ` are resampled with replacement.
//! The bootstrap treats the quasi-random rows as independent draws, as is common practice; it
//! tends to overstate the error of a Sobol' design, so the intervals are conservative. Their
//! width shrinks like `1/√N`, which is what [`convergence_warnings`] uses to suggest a larger `N`.
//!
//! # Morris screening
//!
//! Morris (1991, "Factorial sampling plans for preliminary computational experiments",
//! Technometrics 33(2)) explores a grid of `p` levels `{0, 1/(p-1), ..., 1}` with step
//! `Δ = p / (2(p - 1))`. [`morris_design`] builds `r` trajectories of `k + 1` points: a random
//! grid start, then each factor in random order moves by `+Δ` or `-Δ`, whichever stays in
//! `[0, 1]` (for even `p` exactly one does, and a random start on the whole grid makes both
//! directions equally likely). [`morris_indices`] computes the elementary effects
//! `EE = (y(x + Δ eᵢ) - y(x)) / Δ` and reports their mean `μ`, the mean of their absolute values
//! `μ*` (Campolongo, Cariboni & Saltelli 2007, "An effective screening design for sensitivity
//! analysis of large models", Environ. Model. Softw. 22(10), which also defines group screening)
//! and their standard deviation `σ`, large when the factor acts non-linearly or through
//! interactions. `μ*` ranks factors; `σ` flags non-linearity. Morris costs `r (k + 1)` runs and
//! screens, it does not apportion variance.
//!
//! The grid includes the edges 0 and 1: for unbounded distributions `Dist::quantile` clamps them
//! to its far tails (about ±7 sd for a normal), so a caller who does not want extreme values in
//! the screen should shrink the uniforms first (e.g. `u ↦ ε + (1 - 2ε) u`).

use ndarray::{Array2, ArrayView1};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use sobol::Sobol;
use sobol::params::JoeKuoD6;

use crate::stats::quantile_sorted;

/// The most parameter columns a Saltelli design supports: the `standard()` Joe–Kuo parameter set
/// has 1,000 dimensions and the design needs two per column.
pub const MAX_SALTELLI_COLUMNS: usize = 500;

/// A design: rows of uniforms in `[0, 1]^d` to evaluate, with the layout the estimator needs.
///
/// Saltelli rows lie in `[0, 1)`; Morris rows are grid points and include both edges.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// The points to evaluate, one row of `d` uniforms (one per parameter column) each, in the
    /// order the estimator expects the outputs.
    pub rows: Array2<f64>,
    /// The base sample count: `N` for a Saltelli design, the number of trajectories `r` for Morris.
    pub n: usize,
    /// Number of factors `k` (groups of columns that move together).
    pub factors: usize,
    /// Which design this is, and its parameters.
    pub kind: DesignKind,
    /// The parameter columns of each factor, in factor order; together they partition `0..d`.
    pub groups: Vec<Vec<usize>>,
}

/// The layout of a [`Design`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DesignKind {
    /// Blocks `A`, `B`, `AB_0`, ..., `AB_{k-1}` of `n` rows each (see [`saltelli_design`]).
    Saltelli,
    /// `trajectories` Morris trajectories of `k + 1` rows each on a grid of `levels` levels.
    Morris {
        /// Number of trajectories `r`.
        trajectories: usize,
        /// Number of grid levels `p` (even).
        levels: usize,
    },
}

/// Returns the factor groups for `d` columns: one factor per column when `groups` is empty,
/// otherwise `groups` itself after checking that it partitions `0..d`.
///
/// # Panics
///
/// If a group is empty, a column is out of range, or a column is in no group or in two.
fn resolve_groups(d: usize, groups: &[Vec<usize>]) -> Vec<Vec<usize>> {
    assert!(d > 0, "a sensitivity design needs at least one parameter column");
    if groups.is_empty() {
        return (0..d).map(|c| vec![c]).collect();
    }
    // Every column must move with exactly one factor: a column in no group would silently stay
    // at its A value (its variance then belongs to nobody), and one in two groups would be
    // counted twice.
    let mut seen = vec![false; d];
    for (f, group) in groups.iter().enumerate() {
        assert!(!group.is_empty(), "sensitivity group {f} is empty");
        for &c in group {
            assert!(c < d, "sensitivity group {f} names column {c}, but there are only {d} columns");
            assert!(!seen[c], "column {c} is in more than one sensitivity group");
            seen[c] = true;
        }
    }
    if let Some(c) = seen.iter().position(|s| !s) {
        panic!("column {c} is in no sensitivity group");
    }
    groups.to_vec()
}

/// Builds the Saltelli design for `n` base samples of `d` parameter columns.
///
/// One Sobol' sequence of dimension `2d` (Joe–Kuo D6 direction numbers) is started, its first
/// `skip` points are dropped, and the next `n` give `A` (columns `0..d`) and `B` (columns
/// `d..2d`). The rows come in blocks of `n`: `A`, `B`, then for each factor `f` the block `AB_f`,
/// which is `A` with the columns of `groups[f]` taken from `B`. So `rows.len() = n (k + 2)` for
/// `k` factors. An empty `groups` makes each column its own factor.
///
/// Use a power of two for `n`: the Sobol' points balance best in blocks of `2^m`. The first
/// point of the sequence is all zeros; `skip` drops it and its neighbours. SALib skips a power of
/// two; choosing `skip` a multiple of `n` (e.g. `skip = n`) keeps the `n` points an aligned block,
/// hence a `(t, m, s)`-net (Owen 2020, "On dropping the first Sobol' point", argues for
/// aligned blocks).
///
/// # Panics
///
/// If `n == 0`, `d == 0`, `d > MAX_SALTELLI_COLUMNS`, or `groups` is not empty and does not
/// partition `0..d`.
pub fn saltelli_design(n: usize, d: usize, groups: &[Vec<usize>], skip: u64) -> Design {
    assert!(n > 0, "a Saltelli design needs n > 0 base samples");
    assert!(
        d <= MAX_SALTELLI_COLUMNS,
        "a Saltelli design supports at most {MAX_SALTELLI_COLUMNS} parameter columns, got {d}"
    );
    let groups = resolve_groups(d, groups);
    let k = groups.len();

    let params = JoeKuoD6::standard();
    let mut seq = Sobol::<f64>::new(2 * d, &params);
    for _ in 0..skip {
        // The generator's Gray-code recursion needs every point in turn; there is no jump ahead.
        seq.next().expect("Sobol' sequence exhausted while skipping");
    }
    // Blocks A (rows 0..n), B (n..2n), then AB_f: A with factor f's columns taken from B.
    let mut rows = Array2::<f64>::zeros((n * (k + 2), d));
    for j in 0..n {
        let point = seq.next().expect("Sobol' sequence exhausted");
        rows.row_mut(j).assign(&ArrayView1::from(&point[..d]));
        rows.row_mut(n + j).assign(&ArrayView1::from(&point[d..]));
    }
    for (f, group) in groups.iter().enumerate() {
        for j in 0..n {
            let mut row = rows.row(j).to_owned();
            for &c in group {
                row[c] = rows[[n + j, c]];
            }
            rows.row_mut((2 + f) * n + j).assign(&row);
        }
    }
    Design { rows, n, factors: k, kind: DesignKind::Saltelli, groups }
}

/// Sobol' indices of one factor with their 95% bootstrap intervals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SobolIndex {
    /// First-order index `S1` (Saltelli et al. 2010). Small negative values are sampling noise
    /// around zero for an unimportant factor.
    pub s1: f64,
    /// 95% bootstrap percentile interval of `S1`; `(NaN, NaN)` when no bootstrap was asked for.
    pub s1_ci: (f64, f64),
    /// Total index `ST` (Jansen 1999).
    pub st: f64,
    /// 95% bootstrap percentile interval of `ST`; `(NaN, NaN)` when no bootstrap was asked for.
    pub st_ci: (f64, f64),
}

/// `(S1, ST)` of every factor from the row-triples listed in `idx` (indices into `0..n`, repeats
/// allowed), or `None` when the pooled variance of `f(A)` and `f(B)` over those rows is zero.
fn sobol_estimate(y: &[f64], n: usize, k: usize, idx: &[usize]) -> Option<Vec<(f64, f64)>> {
    let (ya, rest) = y.split_at(n);
    let (yb, yab) = rest.split_at(n);
    let m = idx.len() as f64;
    let mean = idx.iter().map(|&j| ya[j] + yb[j]).sum::<f64>() / (2.0 * m);
    let var = idx.iter().map(|&j| (ya[j] - mean).powi(2) + (yb[j] - mean).powi(2)).sum::<f64>() / (2.0 * m);
    // A constant output (or a resample that picked only tied values) has no variance to share out.
    if var <= 0.0 || !var.is_finite() {
        return None;
    }
    let out = (0..k)
        .map(|f| {
            let yf = &yab[f * n..(f + 1) * n];
            let mut first = 0.0;
            let mut total = 0.0;
            for &j in idx {
                let diff = yf[j] - ya[j];
                first += (yb[j] - mean) * diff;
                total += diff * diff;
            }
            (first / m / var, total / (2.0 * m) / var)
        })
        .collect();
    Some(out)
}

/// The 2.5th and 97.5th percentiles (Hyndman & Fan type 7) of `values`, sorted in place.
fn percentile95(values: &mut [f64]) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    (quantile_sorted(values, 0.025), quantile_sorted(values, 0.975))
}

/// Estimates first-order and total Sobol' indices from a Saltelli design and its outputs.
///
/// `y[i]` is the model output at `design.rows[i]`. With `bootstrap > 0`, the intervals are 95%
/// percentile intervals over `bootstrap` resamples of the `n` row-triples drawn with replacement
/// from `ChaCha8Rng::seed_from_u64(seed)`, so they are deterministic for a seed; a resample whose
/// pooled variance is zero is dropped. With `bootstrap == 0` the intervals are `(NaN, NaN)`.
/// When the output's variance is zero every index is 0 with zero-width intervals `(0, 0)`.
///
/// The cost is `O(n k)` for the estimates and `O(bootstrap · n k)` for the intervals.
///
/// # Panics
///
/// If `design` is not a Saltelli design or `y.len() != design.rows.len()`.
pub fn sobol_indices(design: &Design, y: &[f64], bootstrap: usize, seed: u64) -> Vec<SobolIndex> {
    assert_eq!(design.kind, DesignKind::Saltelli, "sobol_indices needs a Saltelli design");
    assert_eq!(y.len(), design.rows.nrows(), "one output per design row is needed");
    let (n, k) = (design.n, design.factors);
    debug_assert_eq!(y.len(), n * (k + 2));

    let all: Vec<usize> = (0..n).collect();
    let Some(point) = sobol_estimate(y, n, k, &all) else {
        return vec![SobolIndex { s1: 0.0, s1_ci: (0.0, 0.0), st: 0.0, st_ci: (0.0, 0.0) }; k];
    };
    let mut out: Vec<SobolIndex> = point
        .iter()
        .map(|&(s1, st)| SobolIndex { s1, s1_ci: (f64::NAN, f64::NAN), st, st_ci: (f64::NAN, f64::NAN) })
        .collect();
    if bootstrap == 0 {
        return out;
    }

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut s1_draws = vec![Vec::with_capacity(bootstrap); k];
    let mut st_draws = vec![Vec::with_capacity(bootstrap); k];
    let mut idx = vec![0usize; n];
    for _ in 0..bootstrap {
        // All factors share one resample of rows, as the triples (A, B, AB_f) are tied by row.
        for slot in idx.iter_mut() {
            *slot = rng.random_range(0..n);
        }
        if let Some(est) = sobol_estimate(y, n, k, &idx) {
            for (f, (s1, st)) in est.into_iter().enumerate() {
                s1_draws[f].push(s1);
                st_draws[f].push(st);
            }
        }
    }
    for (f, index) in out.iter_mut().enumerate() {
        if s1_draws[f].is_empty() {
            // Every resample was degenerate (only possible for tiny n); report no spread rather
            // than an interval with no data behind it.
            index.s1_ci = (index.s1, index.s1);
            index.st_ci = (index.st, index.st);
        } else {
            index.s1_ci = percentile95(&mut s1_draws[f]);
            index.st_ci = percentile95(&mut st_draws[f]);
        }
    }
    out
}

/// Builds a Morris design of `trajectories` trajectories on a grid of `levels` levels.
///
/// Each trajectory starts at a random grid point (every column drawn uniformly from
/// `{0, 1/(p-1), ..., 1}`) and then moves each factor once, in a random order, by `+Δ` or `-Δ`
/// with `Δ = p / (2(p - 1))`, whichever keeps the column inside `[0, 1]`; all columns of a group
/// move in the same step, each in its own allowed direction. A trajectory has `k + 1` rows and the
/// design `trajectories (k + 1)`. Values are exact grid points `i / (p - 1)`, not jittered. The
/// design is deterministic for a seed. An empty `groups` makes each column its own factor.
///
/// # Panics
///
/// If `trajectories == 0`, `d == 0`, `levels` is odd or below 2 (with odd `p`, `x ± Δ` leaves
/// the grid), or `groups` is not empty and does not partition `0..d`.
pub fn morris_design(trajectories: usize, d: usize, groups: &[Vec<usize>], levels: usize, seed: u64) -> Design {
    assert!(trajectories > 0, "a Morris design needs at least one trajectory");
    assert!(levels >= 2 && levels.is_multiple_of(2), "Morris levels must be even and at least 2, got {levels}");
    let groups = resolve_groups(d, groups);
    let k = groups.len();
    // On the integer grid 0..p the step Δ is p/2 grid intervals: from index i < p/2 only the step
    // up stays inside, from i ≥ p/2 only the step down. Working on indices keeps values exact.
    let half = levels / 2;
    let scale = (levels - 1) as f64;
    let mut rows = Array2::<f64>::zeros((trajectories * (k + 1), d));
    let mut put = |i: usize, cells: &[usize]| {
        for (c, &cell) in cells.iter().enumerate() {
            rows[[i, c]] = cell as f64 / scale;
        }
    };

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..k).collect();
    let mut i = 0;
    for _ in 0..trajectories {
        let mut cells: Vec<usize> = (0..d).map(|_| rng.random_range(0..levels)).collect();
        // Fisher–Yates shuffle of the factor order.
        for i in (1..k).rev() {
            let j = rng.random_range(0..=i);
            order.swap(i, j);
        }
        put(i, &cells);
        i += 1;
        for &f in &order {
            for &c in &groups[f] {
                cells[c] = if cells[c] < half { cells[c] + half } else { cells[c] - half };
            }
            put(i, &cells);
            i += 1;
        }
    }
    Design { rows, n: trajectories, factors: k, kind: DesignKind::Morris { trajectories, levels }, groups }
}

/// Morris screening measures of one factor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MorrisIndex {
    /// Mean elementary effect `μ`; effects of opposite sign cancel in it.
    pub mu: f64,
    /// Mean absolute elementary effect `μ*` (Campolongo et al. 2007), the ranking measure.
    pub mu_star: f64,
    /// Sample standard deviation of the elementary effects `σ`: non-zero when the factor acts
    /// non-linearly or through interactions; NaN with a single trajectory.
    pub sigma: f64,
    /// 95% bootstrap percentile interval of `μ*` over trajectories; `(NaN, NaN)` when no
    /// bootstrap was asked for.
    pub mu_star_ci: (f64, f64),
}

/// Computes Morris's `μ`, `μ*` and `σ` for each factor from a Morris design and its outputs.
///
/// `y[i]` is the model output at `design.rows[i]`. For each step of a trajectory the factor that
/// moved is read from the rows, and the elementary effect is `EE = ±(y_after - y_before) / Δ`,
/// signed by the direction of the step, i.e. always `(y(x + Δ) - y(x)) / Δ`. For a group whose
/// columns moved in different directions the sign follows the group's first column, so `μ` and
/// `σ` of such a group mix signs; `μ*` is the measure to read for groups (Campolongo et al.
/// 2007). With `bootstrap > 0` the interval of `μ*` is a 95% percentile interval over
/// `bootstrap` resamples of the trajectories, from `ChaCha8Rng::seed_from_u64(seed)`.
///
/// # Panics
///
/// If `design` is not a Morris design, `y.len() != design.rows.len()`, or the rows do not have
/// the layout [`morris_design`] gives (each step moving exactly one factor, each factor once).
pub fn morris_indices(design: &Design, y: &[f64], bootstrap: usize, seed: u64) -> Vec<MorrisIndex> {
    let DesignKind::Morris { trajectories, levels } = design.kind else {
        panic!("morris_indices needs a Morris design");
    };
    assert_eq!(y.len(), design.rows.nrows(), "one output per design row is needed");
    let k = design.factors;
    let r = trajectories;
    assert_eq!(design.rows.nrows(), r * (k + 1), "a Morris design has trajectories × (factors + 1) rows");
    let delta = levels as f64 / (2.0 * (levels - 1) as f64);

    let d = design.rows.ncols();
    let mut owner = vec![usize::MAX; d];
    for (f, group) in design.groups.iter().enumerate() {
        for &c in group {
            owner[c] = f;
        }
    }

    // ee[f][t]: the elementary effect of factor f in trajectory t.
    let mut ee = vec![vec![f64::NAN; r]; k];
    for t in 0..r {
        let base = t * (k + 1);
        for s in 0..k {
            let (before, after) = (design.rows.row(base + s), design.rows.row(base + s + 1));
            let c = (0..d)
                .find(|&c| after[c] != before[c])
                .unwrap_or_else(|| panic!("Morris trajectory {t} step {s} moves no column"));
            let f = owner[c];
            assert!(ee[f][t].is_nan(), "Morris trajectory {t} moves factor {f} twice");
            let sign = if after[c] > before[c] { 1.0 } else { -1.0 };
            ee[f][t] = sign * (y[base + s + 1] - y[base + s]) / delta;
        }
    }

    let mut out: Vec<MorrisIndex> = ee
        .iter()
        .map(|e| {
            let m = e.len() as f64;
            let mu = e.iter().sum::<f64>() / m;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / m;
            let sigma = if e.len() < 2 {
                f64::NAN
            } else {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (m - 1.0)).sqrt()
            };
            MorrisIndex { mu, mu_star, sigma, mu_star_ci: (f64::NAN, f64::NAN) }
        })
        .collect();
    if bootstrap == 0 {
        return out;
    }

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draws = vec![Vec::with_capacity(bootstrap); k];
    let mut idx = vec![0usize; r];
    for _ in 0..bootstrap {
        for slot in idx.iter_mut() {
            *slot = rng.random_range(0..r);
        }
        for f in 0..k {
            draws[f].push(idx.iter().map(|&t| ee[f][t].abs()).sum::<f64>() / r as f64);
        }
    }
    for (index, d) in out.iter_mut().zip(draws.iter_mut()) {
        index.mu_star_ci = percentile95(d);
    }
    out
}

/// The one-at-a-time design over `d` columns: the centre row (every column at 0.5), then for each
/// column `k` in turn the row with column `k` at `low` and the row with it at `high`, the others
/// central. Rows `1 + 2k` and `2 + 2k` belong to column `k`. OAT screens: it sees each
/// parameter's effect around the centre and nothing of interactions.
pub fn oat_design(d: usize, low: f64, high: f64) -> Array2<f64> {
    let mut rows = Array2::from_elem((1 + 2 * d, d), 0.5);
    for k in 0..d {
        rows[[1 + 2 * k, k]] = low;
        rows[[2 + 2 * k, k]] = high;
    }
    rows
}

/// Swings of an [`oat_design`] over `d` columns: for each column `(k, y_high - y_low)`, the largest
/// absolute swing first (ties by column index). `y` holds the outputs in the design's row order.
///
/// # Panics
///
/// If `y` has fewer than `1 + 2d` values.
pub fn oat_swings(y: &[f64], d: usize) -> Vec<(usize, f64)> {
    assert!(y.len() > 2 * d, "an OAT design over {d} columns has {} rows, got {} outputs", 1 + 2 * d, y.len());
    let mut swings: Vec<(usize, f64)> = (0..d).map(|k| (k, y[2 + 2 * k] - y[1 + 2 * k])).collect();
    swings.sort_by(|p, q| q.1.abs().total_cmp(&p.1.abs()).then(p.0.cmp(&q.0)));
    swings
}

/// Advice when Sobol' intervals are wide.
///
/// For each factor whose `S1` or `ST` interval is wider than `tolerance`, one warning names the
/// factor (`names[f]`, or its number when `names` is short) and suggests a base sample count.
/// Interval width shrinks like `1/√N`, so narrowing a width `w` to `tolerance` takes
/// `(w / tolerance)²` times the samples; the suggestion rounds that factor up to a power of two
/// (Sobol' points balance in blocks of `2^m`), e.g. "ST of factor 3 has a 95% interval 0.210 wide
/// (tolerance 0.1); try --samples 8192 (4x) to narrow it to about 0.105". `n` is the current
/// base sample count. Intervals that were not computed (NaN) give no warning.
pub fn convergence_warnings(indices: &[SobolIndex], names: &[String], n: usize, tolerance: f64) -> Vec<String> {
    let mut out = Vec::new();
    for (f, index) in indices.iter().enumerate() {
        let w1 = index.s1_ci.1 - index.s1_ci.0;
        let wt = index.st_ci.1 - index.st_ci.0;
        // NaN widths fail the comparison, so uncomputed intervals are skipped.
        let wide1 = w1 > tolerance;
        let widet = wt > tolerance;
        if !wide1 && !widet {
            continue;
        }
        let name = names.get(f).cloned().unwrap_or_else(|| f.to_string());
        let (what, worst) = match (wide1, widet) {
            (true, true) => {
                (format!("S1 and ST of factor {name} have 95% intervals {w1:.3} and {wt:.3} wide"), w1.max(wt))
            }
            (true, false) => (format!("S1 of factor {name} has a 95% interval {w1:.3} wide"), w1),
            _ => (format!("ST of factor {name} has a 95% interval {wt:.3} wide"), wt),
        };
        // Cap the exponent so an absurd tolerance cannot overflow the suggestion.
        let exponent = ((worst / tolerance).powi(2).log2().ceil().max(1.0) as u32).min(40);
        let multiplier = 1u64 << exponent;
        let suggested = (n as u64).saturating_mul(multiplier);
        let expected = worst / (multiplier as f64).sqrt();
        out.push(format!(
            "{what} (tolerance {tolerance}); try --samples {suggested} ({multiplier}x) to narrow it to about {expected:.3}"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn oat_on_a_linear_function_swings_by_each_coefficient() {
        // y = 3 x0 - 5 x1 + 0 x2: swings over [0.1, 0.9] are 0.8 times the coefficients.
        let rows = oat_design(3, 0.1, 0.9);
        assert_eq!(rows.dim(), (7, 3));
        let y: Vec<f64> = rows.outer_iter().map(|r| 3.0 * r[0] - 5.0 * r[1]).collect();
        let s = oat_swings(&y, 3);
        assert_eq!(s.iter().map(|p| p.0).collect::<Vec<_>>(), [1, 0, 2]);
        assert!((s[0].1 + 4.0).abs() < 1e-12 && (s[1].1 - 2.4).abs() < 1e-12 && s[2].1 == 0.0, "{s:?}");
    }

    /// Ishigami & Homma (1990) with a = 7, b = 0.1 on x ∈ [-π, π]³.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// Analytic Ishigami partial variances (V1, V2, V13) and total variance for a = 7, b = 0.1.
    fn ishigami_variances() -> (f64, f64, f64, f64) {
        let (a, b) = (7.0_f64, 0.1_f64);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        (v1, v2, v13, v1 + v2 + v13)
    }

    fn eval(design: &Design, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        design.rows.outer_iter().map(|r| f(&r.to_vec())).collect()
    }

    fn close(got: f64, want: f64, tol: f64, what: &str) {
        assert!((got - want).abs() <= tol, "{what}: got {got:.4}, want {want:.4} ± {tol}");
    }

    #[test]
    fn saltelli_layout() {
        let groups = vec![vec![0, 2], vec![1]];
        let d = saltelli_design(8, 3, &groups, 16);
        assert_eq!((d.n, d.factors, d.kind), (8, 2, DesignKind::Saltelli));
        assert_eq!(d.rows.nrows(), 8 * 4);
        for j in 0..8 {
            let (a, b) = (d.rows.row(j).to_vec(), d.rows.row(8 + j).to_vec());
            assert!(a.iter().chain(&b).all(|u| (0.0..1.0).contains(u)));
            assert_eq!(d.rows.row(16 + j).to_vec(), vec![b[0], a[1], b[2]]);
            assert_eq!(d.rows.row(24 + j).to_vec(), vec![a[0], b[1], a[2]]);
        }
        // Empty groups: one factor per column.
        assert_eq!(saltelli_design(4, 3, &[], 0).factors, 3);
    }

    #[test]
    #[should_panic(expected = "no sensitivity group")]
    fn groups_must_cover_every_column() {
        saltelli_design(4, 3, &[vec![0], vec![2]], 0);
    }

    #[test]
    #[should_panic(expected = "more than one")]
    fn groups_must_not_overlap() {
        morris_design(4, 3, &[vec![0, 1], vec![1, 2]], 4, 1);
    }

    #[test]
    fn ishigami_indices() {
        let d = saltelli_design(1 << 14, 3, &[], 1024);
        let idx = sobol_indices(&d, &eval(&d, ishigami), 0, 0);
        let (v1, v2, v13, v) = ishigami_variances();
        let s1 = [v1 / v, v2 / v, 0.0];
        let st = [(v1 + v13) / v, v2 / v, v13 / v];
        for f in 0..3 {
            close(idx[f].s1, s1[f], 0.02, &format!("S1[{f}]"));
            close(idx[f].st, st[f], 0.02, &format!("ST[{f}]"));
            assert!(idx[f].s1_ci.0.is_nan() && idx[f].st_ci.1.is_nan());
        }
    }

    #[test]
    fn g_function_indices() {
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        let g = |u: &[f64]| u.iter().zip(&a).map(|(u, a)| ((4.0 * u - 2.0).abs() + a) / (1.0 + a)).product::<f64>();
        let d = saltelli_design(1 << 13, 6, &[], 1024);
        let idx = sobol_indices(&d, &eval(&d, g), 0, 0);
        let vi: Vec<f64> = a.iter().map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a))).collect();
        let prod: f64 = vi.iter().map(|v| 1.0 + v).product();
        for f in 0..6 {
            close(idx[f].s1, vi[f] / (prod - 1.0), 0.02, &format!("S1[{f}]"));
            close(idx[f].st, vi[f] * prod / (1.0 + vi[f]) / (prod - 1.0), 0.02, &format!("ST[{f}]"));
        }
    }

    #[test]
    fn grouped_ishigami() {
        // x0 and x2 interact only with each other, so the closed first-order index of {x0, x2}
        // absorbs their interaction and equals the group's total index.
        let d = saltelli_design(1 << 13, 3, &[vec![0, 2], vec![1]], 1024);
        let idx = sobol_indices(&d, &eval(&d, ishigami), 0, 0);
        let (v1, v2, v13, v) = ishigami_variances();
        close(idx[0].s1, (v1 + v13) / v, 0.03, "S1{0,2}");
        close(idx[0].st, (v1 + v13) / v, 0.03, "ST{0,2}");
        close(idx[1].s1, v2 / v, 0.03, "S1{1}");
        close(idx[1].st, v2 / v, 0.03, "ST{1}");
    }

    #[test]
    fn bootstrap_intervals_are_deterministic_and_contain_the_estimate() {
        let d = saltelli_design(1 << 10, 3, &[], 1024);
        let y = eval(&d, ishigami);
        let idx = sobol_indices(&d, &y, 200, 7);
        for (f, i) in idx.iter().enumerate() {
            assert!(i.s1_ci.0 <= i.s1 && i.s1 <= i.s1_ci.1, "S1[{f}] {i:?}");
            assert!(i.st_ci.0 <= i.st && i.st <= i.st_ci.1, "ST[{f}] {i:?}");
            assert!(i.s1_ci.1 > i.s1_ci.0 && i.st_ci.1 > i.st_ci.0);
        }
        assert_eq!(idx, sobol_indices(&d, &y, 200, 7));
        assert_ne!(idx, sobol_indices(&d, &y, 200, 8));
    }

    #[test]
    fn constant_output_gives_zeros() {
        let d = saltelli_design(64, 2, &[], 64);
        let idx = sobol_indices(&d, &vec![3.5; d.rows.nrows()], 50, 1);
        for i in idx {
            assert_eq!(i, SobolIndex { s1: 0.0, s1_ci: (0.0, 0.0), st: 0.0, st_ci: (0.0, 0.0) });
        }
    }

    #[test]
    fn morris_design_layout() {
        let groups = vec![vec![0, 2], vec![1], vec![3]];
        let d = morris_design(20, 4, &groups, 4, 11);
        assert_eq!(d, morris_design(20, 4, &groups, 4, 11));
        assert_eq!(d.rows.nrows(), 20 * 4);
        let delta = 4.0 / 6.0;
        let on_grid = |u: f64| (0..4).any(|i| u == i as f64 / 3.0);
        for t in 0..20 {
            let traj: Vec<Vec<f64>> = (t * 4..(t + 1) * 4).map(|i| d.rows.row(i).to_vec()).collect();
            let mut moved = Vec::new();
            for w in traj.windows(2) {
                let changed: Vec<usize> = (0..4).filter(|&c| w[0][c] != w[1][c]).collect();
                for &c in &changed {
                    close((w[1][c] - w[0][c]).abs(), delta, 1e-12, "step");
                }
                let f = groups.iter().position(|g| *g == changed).expect("one whole group moves per step");
                moved.push(f);
            }
            moved.sort();
            assert_eq!(moved, vec![0, 1, 2]);
            assert!(traj.iter().flatten().all(|&u| on_grid(u)));
        }
    }

    #[test]
    fn morris_ranks_a_linear_function() {
        let d = morris_design(50, 4, &[], 4, 3);
        let y = eval(&d, |x| 10.0 * x[0] + 5.0 * x[1] + x[2] + 0.0 * x[3]);
        let idx = morris_indices(&d, &y, 100, 5);
        for (f, want) in [10.0, 5.0, 1.0, 0.0].into_iter().enumerate() {
            close(idx[f].mu_star, want, 1e-9, "mu*");
            close(idx[f].mu, want, 1e-9, "mu");
            close(idx[f].sigma, 0.0, 1e-9, "sigma");
            assert!(idx[f].mu_star_ci.0 <= idx[f].mu_star + 1e-9 && idx[f].mu_star - 1e-9 <= idx[f].mu_star_ci.1);
        }
        assert_eq!(idx[3].mu_star, 0.0);
        assert!(idx[0].mu_star > idx[1].mu_star && idx[1].mu_star > idx[2].mu_star && idx[2].mu_star > idx[3].mu_star);
    }

    #[test]
    fn morris_sigma_flags_interaction() {
        let d = morris_design(50, 3, &[], 4, 9);
        let idx = morris_indices(&d, &eval(&d, |x| x[0] * x[1]), 0, 0);
        assert!(idx[0].sigma > 0.1 && idx[1].sigma > 0.1, "{idx:?}");
        assert_eq!((idx[2].mu_star, idx[2].sigma), (0.0, 0.0));
        assert!(idx[0].mu_star_ci.0.is_nan());
    }

    #[test]
    fn warnings_suggest_more_samples() {
        let idx = [
            SobolIndex { s1: 0.3, s1_ci: (0.25, 0.35), st: 0.5, st_ci: (0.4, 0.61) },
            SobolIndex { s1: 0.1, s1_ci: (0.08, 0.12), st: 0.1, st_ci: (0.09, 0.11) },
            SobolIndex { s1: 0.1, s1_ci: (f64::NAN, f64::NAN), st: 0.1, st_ci: (f64::NAN, f64::NAN) },
            SobolIndex { s1: 0.0, s1_ci: (-0.2, 0.2), st: 0.3, st_ci: (0.0, 0.5) },
        ];
        let names = vec!["migration".to_string()];
        let w = convergence_warnings(&idx, &names, 2048, 0.11);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].starts_with("ST of factor migration has a 95% interval 0.210 wide"), "{}", w[0]);
        assert!(w[0].contains("try --samples 8192 (4x)"), "{}", w[0]);
        assert!(w[1].starts_with("S1 and ST of factor 3 have 95% intervals 0.400 and 0.500 wide"), "{}", w[1]);
        assert!(w[1].contains("--samples 65536 (32x)"), "{}", w[1]);
    }
}
