//! Summary statistics for Monte Carlo sweeps: running moments, quantiles, binomial intervals.
//!
//! This module owns the small, pure statistics the sweeps report, and nothing else: it does no
//! I/O, draws no random numbers and knows nothing about the model.
//!
//! * [`Moments`] keeps the count `n`, mean `x̄` and sum of squared deviations
//!   `M2 = Σ (xᵢ - x̄)²` with Welford's update (Welford 1962, "Note on a method for calculating
//!   corrected sums of squares and products", Technometrics 4(3)): for a new value `x`,
//!   `n ← n + 1`, `δ = x - x̄`, `x̄ ← x̄ + δ/n`, `M2 ← M2 + δ(x - x̄)`. Two partial results A and B
//!   merge with the pairwise formula of Chan, Golub & LeVeque (1979, "Updating formulae and a
//!   pairwise algorithm for computing sample variances", Stanford CS report STAN-CS-79-773):
//!   `n = nA + nB`, `δ = x̄B - x̄A`, `x̄ = x̄A + δ·nB/n`, `M2 = M2A + M2B + δ²·nA·nB/n`.
//!   The sample variance is `M2/(n-1)` and the Monte Carlo standard error of the mean is `s/√n`.
//! * [`quantile_sorted`] is the sample quantile of Hyndman & Fan (1996, "Sample quantiles in
//!   statistical packages", The American Statistician 50(4)) type 7, the default of R and NumPy:
//!   with `h = (n-1)p`, `Q(p) = x₍⌊h⌋₎ + (h - ⌊h⌋)(x₍⌊h⌋+1₎ - x₍⌊h⌋₎)` on 0-based sorted data.
//!   [`percentiles`] applies it at [`PERCENTILES`].
//! * [`wilson`] is the Wilson (1927, "Probable inference, the law of succession, and statistical
//!   inference", JASA 22(158)) score interval for a binomial proportion `p̂ = k/n`:
//!   `(p̂ + z²/2n ± z·√(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n)`.
//! * [`rank_error`] is `√(p(1-p)/k)`, the standard error of the rank of a p-quantile read from a
//!   uniform random subsample of `k` draws (the binomial standard error of the fraction of the
//!   subsample that falls below the full distribution's p-quantile).
//!
//! # Determinism contract
//!
//! Sweep results must be bit-identical for any thread count and for sharded-then-merged versus
//! single runs. Floating-point merging is not associative: `(A ⊕ B) ⊕ C` and `A ⊕ (B ⊕ C)` can
//! differ in the last bits. So callers split the draws into fixed-size chunks (the chunk size is
//! part of the run's configuration, not derived from the thread count), build one [`Moments`]
//! per chunk by pushing its draws in draw order, and fold the chunk results into the total with
//! [`Moments::merge`] in chunk order, starting from `Moments::default()`. Which thread or shard
//! computed a chunk then does not matter. A shard must therefore persist its per-chunk partials
//! (hence `Serialize`/`Deserialize`), and the merger refolds all chunks in global chunk order;
//! merging two shard totals would give a slightly different, order-dependent answer. The disk
//! format must read floats back bit for bit: serde_json does so only with its `float_roundtrip`
//! feature (without it some values come back 1 ulp off).
//! [`Moments::merge`] copies `other` exactly into an empty accumulator, so the first fold step
//! reproduces the first chunk bit for bit.

use serde::{Deserialize, Serialize};

/// Running count, mean and sum of squared deviations of a stream of values (Welford 1962).
///
/// Partial results merge with [`Moments::merge`]; see the module's determinism contract for the
/// order in which callers must merge them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of values pushed.
    pub n: u64,
    /// Mean of the values; 0 when `n == 0`.
    pub mean: f64,
    /// Sum of squared deviations from the mean, `Σ (xᵢ - mean)²`; 0 when `n < 2`.
    pub m2: f64,
}

impl Moments {
    /// Adds one value (Welford's update).
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        // Dividing the deviation by n (rather than keeping a running sum) keeps the mean near the
        // data's scale, so large offsets do not swamp small spreads.
        self.mean += delta / self.n as f64;
        // δ·(x - new mean) equals δ²·(n-1)/n exactly in real arithmetic and avoids forming δ².
        self.m2 += delta * (x - self.mean);
    }

    /// Merges the partial result `other` into `self` (Chan, Golub & LeVeque 1979).
    ///
    /// Merging an empty accumulator into `self` leaves `self` unchanged, and merging into an empty
    /// `self` copies `other` exactly; the general formula would round, and bit-identity of sweeps
    /// depends on these cases being exact.
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let na = self.n as f64;
        let nb = other.n as f64;
        let n = self.n + other.n;
        let nf = n as f64;
        let delta = other.mean - self.mean;
        // Weighting δ by the fraction nB/n (not averaging the two means) stays accurate when the
        // two partials have very different sizes.
        self.mean += delta * (nb / nf);
        self.m2 += other.m2 + delta * delta * (na * nb / nf);
        self.n = n;
    }

    /// Sample variance, `M2/(n-1)`; 0 when fewer than two values were pushed.
    pub fn variance(&self) -> f64 {
        if self.n < 2 { 0.0 } else { self.m2 / (self.n - 1) as f64 }
    }

    /// Sample standard deviation, the square root of [`Moments::variance`].
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Monte Carlo standard error of the mean, `sd/√n`; 0 when `n < 2`, like the variance, so
    /// callers that need a real error estimate must check `n` themselves.
    pub fn mcse(&self) -> f64 {
        if self.n < 2 { 0.0 } else { self.sd() / (self.n as f64).sqrt() }
    }
}

/// Sample quantile of Hyndman & Fan type 7 (R's and NumPy's default) of data sorted ascending.
///
/// `p` must lie in [0, 1]; values outside are clamped (and trip a debug assertion). Returns NaN
/// for empty input. `sorted` must be sorted ascending (e.g. with `f64::total_cmp`); this is not
/// checked. NaNs in the data propagate to the quantiles that touch them.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    debug_assert!((0.0..=1.0).contains(&p), "quantile probability {p} outside [0, 1]");
    if sorted.is_empty() {
        return f64::NAN;
    }
    let p = p.clamp(0.0, 1.0);
    let last = sorted.len() - 1;
    let h = last as f64 * p;
    // h ≥ 0, so truncation is the floor; min() guards p = 1 and rounding of h.
    let lo = (h as usize).min(last);
    let t = h - lo as f64;
    let a = sorted[lo];
    if t == 0.0 || lo == last {
        return a;
    }
    let b = sorted[lo + 1];
    if a == b {
        // (1-t)·a + t·a need not round back to a; equal neighbours must give exactly a.
        return a;
    }
    let d = b - a;
    let q = if d.is_finite() {
        // a + t·d is monotone in t under rounding, so quantiles within a segment stay ordered.
        a + t * d
    } else {
        // The difference of two huge values of opposite sign overflows; the weighted form does not.
        (1.0 - t) * a + t * b
    };
    // Rounding must not carry the result outside its segment, or neighbouring quantiles could
    // cross; clamping keeps Q(p) within [x₍⌊h⌋₎, x₍⌊h⌋+1₎].
    q.clamp(a, b)
}

/// The probabilities at which sweeps report percentiles: the 5th, 10th, 25th, 50th, 75th, 90th
/// and 95th.
pub const PERCENTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

/// Type 7 quantiles of `values` at each of [`PERCENTILES`], in that order.
///
/// Sorts `values` in place with `f64::total_cmp` (a total order, so the sort is deterministic
/// even with NaNs, which sort to the ends by sign). The result is monotone non-decreasing: a
/// running maximum guards against any floating-point interpolation that would put a higher
/// percentile below a lower one, since reports and plots assume ordered bands. All NaN for
/// empty input.
pub fn percentiles(values: &mut [f64]) -> [f64; 7] {
    values.sort_unstable_by(f64::total_cmp);
    let mut out = [f64::NAN; 7];
    let mut prev = f64::NEG_INFINITY;
    for (q, &p) in out.iter_mut().zip(PERCENTILES.iter()) {
        let mut v = quantile_sorted(values, p);
        // Written as a comparison (not f64::max) so a NaN stays NaN rather than being replaced.
        if v < prev {
            v = prev;
        }
        if !v.is_nan() {
            prev = v;
        }
        *q = v;
    }
    out
}

/// The two-sided 95% standard normal quantile, Φ⁻¹(0.975).
pub const Z95: f64 = 1.959963984540054;

/// Wilson score interval `(lower, upper)` for a binomial proportion with `successes` out of `n`
/// trials at normal quantile `z` (e.g. [`Z95`]), clamped to [0, 1].
///
/// Returns `(0, 1)` for `n == 0`: no trials, no information. Unlike the Wald interval
/// `p̂ ± z√(p̂(1-p̂)/n)` it has near-nominal coverage for small `n` and for `p̂` near 0 or 1, where
/// sweep indicators (e.g. "target met") often sit. `successes` above `n` are clamped to `n`
/// (and trip a debug assertion).
pub fn wilson(successes: u64, n: u64, z: f64) -> (f64, f64) {
    debug_assert!(successes <= n, "{successes} successes out of {n} trials");
    if n == 0 {
        return (0.0, 1.0);
    }
    let k = successes.min(n);
    let nf = n as f64;
    let phat = k as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let centre = (phat + z2 / (2.0 * nf)) / denom;
    let half = z / denom * (phat * (1.0 - phat) / nf + z2 / (4.0 * nf * nf)).sqrt();
    // At k = 0 (k = n) the lower (upper) bound is exactly 0 (1) in real arithmetic; set it so
    // rounding cannot report a small positive lower bound for zero successes.
    let lower = if k == 0 { 0.0 } else { (centre - half).clamp(0.0, 1.0) };
    let upper = if k == n { 1.0 } else { (centre + half).clamp(0.0, 1.0) };
    (lower, upper)
}

/// Standard error, in probability units, of the rank of a p-quantile estimated from a uniform
/// random subsample of `k` draws: `√(p(1-p)/k)`.
///
/// When a sweep has too many draws to keep, it keeps a bottom-k subsample (the `k` draws with
/// the smallest random keys, a uniform random sample of the draws) and reads percentiles from
/// it. The fraction of the subsample below the full distribution's p-quantile is binomial with
/// mean `p` and this standard error, so the reported p-quantile is the `p ± z·rank_error(p, k)`
/// quantile of the full distribution. For example, with `k = 8192` the reported 5th percentile
/// is the 5 ± 0.47 (95%) percentile of the full distribution, and the median is the 50 ± 1.08.
/// Infinite for `k == 0`.
pub fn rank_error(p: f64, k: u64) -> f64 {
    (p * (1.0 - p) / k as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::test_rng::SplitMix;
    use super::*;

    fn data(seed: u64, n: usize, offset: f64, scale: f64) -> Vec<f64> {
        let mut g = SplitMix(seed);
        (0..n).map(|_| offset + scale * g.uniform()).collect()
    }

    fn rel(a: f64, b: f64) -> f64 {
        if a == b { 0.0 } else { (a - b).abs() / a.abs().max(b.abs()) }
    }

    fn pushed(xs: &[f64]) -> Moments {
        let mut m = Moments::default();
        for &x in xs {
            m.push(x);
        }
        m
    }

    #[test]
    fn welford_matches_two_pass() {
        for (seed, offset, scale) in [(1, 0.0, 1.0), (2, -30.0, 100.0), (3, 1e6, 10.0)] {
            let xs = data(seed, 10_000, offset, scale);
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            let m2: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
            let m = pushed(&xs);
            assert_eq!(m.n, 10_000);
            assert!(rel(m.mean, mean) < 1e-12, "mean {} vs {}", m.mean, mean);
            assert!(rel(m.m2, m2) < 1e-9, "m2 {} vs {}", m.m2, m2);
            assert!(rel(m.variance(), m2 / (n - 1.0)) < 1e-9);
            assert!(rel(m.mcse(), (m2 / (n - 1.0)).sqrt() / n.sqrt()) < 1e-9);
        }
    }

    #[test]
    fn small_counts() {
        let mut m = Moments::default();
        assert_eq!((m.variance(), m.sd(), m.mcse()), (0.0, 0.0, 0.0));
        m.push(3.5);
        assert_eq!((m.n, m.mean, m.m2, m.variance(), m.mcse()), (1, 3.5, 0.0, 0.0, 0.0));
        m.push(5.5);
        assert_eq!((m.mean, m.variance()), (4.5, 2.0));
        assert_eq!(m.sd(), 2f64.sqrt());
        assert_eq!(m.mcse(), 1.0);
    }

    #[test]
    fn merging_chunks_in_order_matches_pushing_all() {
        let xs = data(7, 10_007, -30.0, 100.0);
        let all = pushed(&xs);
        for chunk in [1, 2, 64, 1000, 10_007] {
            let mut folded = Moments::default();
            for c in xs.chunks(chunk) {
                folded.merge(&pushed(c));
            }
            assert_eq!(folded.n, all.n);
            assert!(rel(folded.mean, all.mean) < 1e-12, "chunk {chunk}: mean");
            assert!(rel(folded.m2, all.m2) < 1e-12, "chunk {chunk}: m2");
        }
    }

    #[test]
    fn merging_with_empty_is_exact() {
        let a = pushed(&data(11, 777, 0.1, 3.0));
        let mut b = a;
        b.merge(&Moments::default());
        assert_eq!(b, a);
        let mut c = Moments::default();
        c.merge(&a);
        assert_eq!((c.n, c.mean.to_bits(), c.m2.to_bits()), (a.n, a.mean.to_bits(), a.m2.to_bits()));
        let mut e = Moments::default();
        e.merge(&Moments::default());
        assert_eq!(e, Moments::default());
    }

    #[test]
    fn chunk_fold_is_independent_of_who_computed_the_chunks() {
        // Single run: one worker computes all chunk partials. Sharded run: two shards each
        // compute a contiguous range of chunks (in any order, possibly on many threads) and the
        // merger refolds the concatenated partials in global chunk order. Bits must agree.
        let xs = data(13, 5000, 2.0, 7.0);
        let parts: Vec<Moments> = xs.chunks(256).map(pushed).collect();
        let fold = |ps: &[Moments]| {
            let mut t = Moments::default();
            for p in ps {
                t.merge(p);
            }
            t
        };
        let single = fold(&parts);
        let mut shard_b: Vec<Moments> = xs.chunks(256).skip(7).rev().map(pushed).collect();
        shard_b.reverse();
        let shard_a: Vec<Moments> = xs.chunks(256).take(7).map(pushed).collect();
        let merged = fold(&[shard_a, shard_b].concat());
        assert_eq!(merged.mean.to_bits(), single.mean.to_bits());
        assert_eq!(merged.m2.to_bits(), single.m2.to_bits());
        assert_eq!(merged.n, single.n);
    }

    #[test]
    fn serde_json_round_trip_is_exact() {
        // If shard partials go to disk as JSON, the merger must read back the same bits. Without
        // serde_json's `float_roundtrip` feature this fails (e.g. 1042341.1887596769 reads back
        // 1 ulp low); it passes with the feature. Un-ignore once Cargo.toml enables it.
        let xs = data(17, 2000, -1e3, 2e3);
        let mut g = SplitMix(19);
        for c in xs.chunks(3) {
            let mut m = pushed(c);
            m.mean *= g.uniform() * 1e-3 + 1.0;
            let back: Moments = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
            assert_eq!(back.n, m.n);
            assert_eq!(back.mean.to_bits(), m.mean.to_bits(), "{}", m.mean);
            assert_eq!(back.m2.to_bits(), m.m2.to_bits(), "{}", m.m2);
        }
    }

    #[test]
    fn quantile_type7_known_values() {
        // NumPy: np.quantile([1, 2, 3, 4], [0, .25, .5, .75, 1]) == [1, 1.75, 2.5, 3.25, 4].
        let x = [1.0, 2.0, 3.0, 4.0];
        for (p, q) in [(0.0, 1.0), (0.25, 1.75), (0.5, 2.5), (0.75, 3.25), (1.0, 4.0)] {
            assert_eq!(quantile_sorted(&x, p), q, "p = {p}");
        }
        // np.quantile([10, 20, 40], 0.9) == 36.0; np.quantile(range(11), 0.05) == 0.5.
        assert!((quantile_sorted(&[10.0, 20.0, 40.0], 0.9) - 36.0).abs() < 1e-12);
        let r: Vec<f64> = (0..=10).map(f64::from).collect();
        assert!((quantile_sorted(&r, 0.05) - 0.5).abs() < 1e-12);
        assert_eq!(quantile_sorted(&[7.0], 0.3), 7.0);
        assert!(quantile_sorted(&[], 0.5).is_nan());
    }

    fn assert_monotone(q: &[f64; 7], what: &str) {
        assert!(q.windows(2).all(|w| w[0] <= w[1]), "{what}: {q:?}");
    }

    #[test]
    fn percentiles_monotone_on_adversarial_inputs() {
        let cases: Vec<(&str, Vec<f64>)> = vec![
            ("all equal", vec![0.1; 37]),
            ("all equal huge", vec![1.7e308; 5]),
            ("two values", vec![0.3, 0.1]),
            ("one value", vec![-2.5]),
            ("huge opposite signs", vec![-1.7e308, 1.7e308, -1.0e308, 1.0e308, 0.0]),
            ("tiny", vec![5e-324, 1e-320, 0.0, -5e-324, 2e-323]),
            ("mixed scales", vec![1e300, 1e-300, -1e-300, 1.0, -1e300, 3.0, 1e16, 1e16 + 2.0]),
            ("near ties", vec![1.0, 1.0 + f64::EPSILON, 1.0, 1.0 + 2.0 * f64::EPSILON, 1.0]),
        ];
        for (what, mut v) in cases {
            let q = percentiles(&mut v);
            assert!(v.windows(2).all(|w| w[0] <= w[1]), "{what}: not sorted");
            assert!(q.iter().all(|x| x.is_finite()), "{what}: {q:?}");
            assert_monotone(&q, what);
            // Each percentile lies within the data's range.
            assert!(q[0] >= v[0] && q[6] <= v[v.len() - 1], "{what}: {q:?}");
        }
        // Random data of every small size, with many repeats.
        let mut g = SplitMix(23);
        for n in 1..200 {
            let mut v: Vec<f64> = (0..n).map(|_| (g.uniform() * 4.0).floor() * 1e-7 + 0.3).collect();
            assert_monotone(&percentiles(&mut v), "repeats");
        }
        assert!(percentiles(&mut []).iter().all(|x| x.is_nan()));
    }

    #[test]
    fn percentiles_match_quantile_sorted() {
        let mut v = data(29, 1001, 0.0, 1.0);
        let q = percentiles(&mut v);
        for (qi, &p) in q.iter().zip(PERCENTILES.iter()) {
            assert_eq!(*qi, quantile_sorted(&v, p));
        }
        // 1001 points: h = 1000p is an integer, so each percentile is a data point.
        assert_eq!(q[3], v[500]);
    }

    #[test]
    fn wilson_known_value() {
        // 8 of 10 at 95%: (0.4902, 0.9433) (e.g. R's prop.test(8, 10, correct = FALSE)).
        let (lo, hi) = wilson(8, 10, Z95);
        assert!((lo - 0.49016).abs() < 1e-4, "{lo}");
        assert!((hi - 0.94330).abs() < 1e-4, "{hi}");
        assert_eq!(wilson(0, 0, Z95), (0.0, 1.0));
        let (lo0, hi0) = wilson(0, 20, Z95);
        assert_eq!(lo0, 0.0);
        assert!(hi0 > 0.0 && hi0 < 0.2, "{hi0}");
        let (lon, hin) = wilson(20, 20, Z95);
        assert_eq!(hin, 1.0);
        assert!(lon > 0.8 && lon < 1.0, "{lon}");
        // Symmetry: k of n and (n - k) of n mirror about 1/2.
        let (a, b) = wilson(3, 17, Z95);
        let (c, d) = wilson(14, 17, Z95);
        assert!((a - (1.0 - d)).abs() < 1e-12 && (b - (1.0 - c)).abs() < 1e-12);
    }

    #[test]
    fn wilson_covers_true_p() {
        let (p, n, trials) = (0.3, 100, 2000);
        let mut g = SplitMix(31);
        let mut covered = 0;
        for _ in 0..trials {
            let k = (0..n).filter(|_| g.uniform() < p).count() as u64;
            let (lo, hi) = wilson(k, n, Z95);
            if lo <= p && p <= hi {
                covered += 1;
            }
        }
        let coverage = covered as f64 / trials as f64;
        assert!(coverage >= 0.93, "coverage {coverage}");
    }

    #[test]
    fn rank_error_values() {
        assert!((Z95 * rank_error(0.05, 8192) * 100.0 - 0.47).abs() < 0.005);
        assert!((Z95 * rank_error(0.5, 8192) * 100.0 - 1.08).abs() < 0.005);
        assert_eq!(rank_error(0.5, 4), 0.25);
        assert_eq!(rank_error(0.0, 10), 0.0);
        assert!(rank_error(0.5, 0).is_infinite());
    }
}

/// A tiny deterministic generator shared by the crate's unit tests, so they depend on no RNG
/// crate's API (SplitMix64, Steele, Lea and Flood 2014).
#[cfg(test)]
pub(crate) mod test_rng {
    /// SplitMix64: a tiny deterministic generator, so the tests depend on no RNG crate's API.
    pub(crate) struct SplitMix(pub(crate) u64);

    impl SplitMix {
        pub(crate) fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// Uniform on [0, 1) with 53 random bits.
        pub(crate) fn uniform(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
        }
    }
}
