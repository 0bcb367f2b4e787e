//! Monte Carlo sweeps: bit-identical results for any thread count and for sharded-then-merged
//! runs, seeds that matter, exact zero paired differences for identical scenarios, a target
//! probability with a known answer inside its interval, and monotone percentiles.

use urbsim::baseline::Baseline;
use urbsim::model::IndicatorId;
use urbsim::projection::{Resolved, resolve};
use urbsim::sweep::{self, Partial, Progress, Sampler, Summary, Sweep, SweepConfig, tables};
use urbsim::targets::PlanTargets;

use crate::common::{POLICY_START, TARGETS, baseline, scenario};

struct Quiet;
impl Progress for Quiet {}

fn targets() -> PlanTargets {
    PlanTargets::parse("targets", TARGETS).expect("shipped targets")
}

fn resolved(b: &Baseline, texts: &[&str]) -> Vec<Resolved> {
    texts.iter().map(|t| resolve(b, &scenario(b, t), POLICY_START, None, None)).collect()
}

fn run(
    b: &Baseline,
    t: &PlanTargets,
    scenarios: &[Resolved],
    config: SweepConfig,
    threads: usize,
    shards: u64,
) -> Summary {
    let arms = sweep::arms(scenarios, &[]);
    let plan = Sweep::new(b, &arms, 0, t, config);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    let mut merged: Option<Partial> = None;
    for k in 0..shards {
        let part = pool.install(|| plan.run(config.shard(k, shards), &Quiet)).expect("not cancelled");
        match merged.as_mut() {
            None => merged = Some(part),
            Some(m) => m.append(part).expect("shards follow each other"),
        }
    }
    sweep::summarise(merged.expect("at least one shard"), t).expect("complete")
}

fn bytes(s: &Summary, t: &PlanTargets) -> Vec<Vec<u8>> {
    vec![
        tables::summary_csv(s).expect("csv"),
        tables::targets_csv(s, t).expect("csv"),
        tables::paired_csv(s).expect("csv"),
    ]
}

const TWO: [&str; 2] = ["name = \"baseline\"\n", "name = \"open\"\nextends = \"open-settlement.toml\"\n"];

#[test]
fn results_are_identical_for_one_two_and_four_threads() {
    let (b, t) = (baseline(), targets());
    let scenarios = resolved(&b, &TWO);
    // 2,500 draws: three chunks, the last one partial.
    let config = SweepConfig { draws: 2500, seed: 11, sampler: Sampler::MonteCarlo, keep: 1000 };
    let one = bytes(&run(&b, &t, &scenarios, config, 1, 1), &t);
    assert_eq!(one, bytes(&run(&b, &t, &scenarios, config, 2, 1), &t));
    assert_eq!(one, bytes(&run(&b, &t, &scenarios, config, 4, 1), &t));
}

#[test]
fn sharded_and_merged_equals_one_run() {
    let (b, t) = (baseline(), targets());
    let scenarios = resolved(&b, &TWO);
    let config = SweepConfig { draws: 3100, seed: 5, sampler: Sampler::LatinHypercube, keep: 500 };
    let whole = bytes(&run(&b, &t, &scenarios, config, 2, 1), &t);
    assert_eq!(whole, bytes(&run(&b, &t, &scenarios, config, 2, 3), &t));
    assert_eq!(whole, bytes(&run(&b, &t, &scenarios, config, 1, 4), &t));
}

#[test]
fn merging_refuses_shards_that_do_not_follow_each_other() {
    let (b, t) = (baseline(), targets());
    let scenarios = resolved(&b, &TWO[..1]);
    let config = SweepConfig { draws: 3000, seed: 5, sampler: Sampler::MonteCarlo, keep: 500 };
    let arms = sweep::arms(&scenarios, &[]);
    let plan = Sweep::new(&b, &arms, 0, &t, config);
    let mut first = plan.run(config.shard(0, 3), &Quiet).expect("runs");
    let third = plan.run(config.shard(2, 3), &Quiet).expect("runs");
    let err = first.append(third).expect_err("a gap is an error");
    assert!(err.contains("do not follow each other"), "{err}");
    assert!(sweep::summarise(first, &t).is_err(), "an incomplete sweep cannot be summarised");
}

#[test]
fn different_seeds_give_different_futures() {
    let (b, t) = (baseline(), targets());
    let scenarios = resolved(&b, &TWO[..1]);
    let a = run(&b, &t, &scenarios, SweepConfig { draws: 300, seed: 1, sampler: Sampler::MonteCarlo, keep: 300 }, 2, 1);
    let c = run(&b, &t, &scenarios, SweepConfig { draws: 300, seed: 2, sampler: Sampler::MonteCarlo, keep: 300 }, 2, 1);
    assert_ne!(bytes(&a, &t), bytes(&c, &t));
}

#[test]
fn a_scenario_identical_to_the_reference_differs_by_exactly_zero() {
    let (b, t) = (baseline(), targets());
    let scenarios = resolved(&b, &["name = \"a\"\n", "name = \"b\"\nextends = \"baseline.toml\"\n"]);
    let s =
        run(&b, &t, &scenarios, SweepConfig { draws: 1500, seed: 3, sampler: Sampler::MonteCarlo, keep: 1500 }, 2, 1);
    let per_arm = s.partial.years.1 * IndicatorId::COUNT;
    for x in &s.paired[per_arm..] {
        assert_eq!((x.moments.mean, x.moments.m2), (0.0, 0.0));
        assert!(x.percentiles.iter().all(|p| *p == 0.0));
    }
    let n = s.partial.targets.len();
    for x in &s.targets[n..] {
        assert_eq!((x.better, x.worse), (0.0, 0.0));
    }
}

#[test]
fn percentiles_are_monotone_and_bracket_the_mean_s_range() {
    let (b, t) = (baseline(), targets());
    let scenarios = resolved(&b, &TWO);
    let s = run(
        &b,
        &t,
        &scenarios,
        SweepConfig { draws: 2048, seed: 9, sampler: Sampler::LatinHypercube, keep: 4096 },
        2,
        1,
    );
    for x in s.series.iter().chain(&s.paired) {
        assert!(x.percentiles.windows(2).all(|w| w[0] <= w[1]), "{:?}", x.percentiles);
        assert!(x.moments.mcse() <= x.moments.sd() + 1e-12);
    }
    for x in &s.targets {
        assert!(x.probability.1 <= x.probability.0 && x.probability.0 <= x.probability.2, "{:?}", x.probability);
    }
}

#[test]
fn a_target_with_a_known_probability_falls_inside_its_interval() {
    // Only electronics growth is uncertain, U(0.03, 0.13), and output shocks are off, so 2028
    // electronics output is 450 (1 + g + 0.0175)^5 with 0.0175 = γ u + land growth; the output
    // passes 450 (1.0975)^5 exactly when g > 0.08, which has probability one half.
    // Without the rank correlations, which need their parameters to stay uncertain.
    let mut text = crate::common::BASELINE.split("# Rank correlations").next().unwrap_or_default().to_string();
    let mut cleaned = String::new();
    for line in text.lines() {
        let keep = line.starts_with("g_electronics ");
        match (keep, line.find(", dist = {")) {
            (false, Some(start)) => {
                let end = line[start..].find('}').map_or(line.len(), |e| start + e + 1);
                cleaned.push_str(&line[..start]);
                cleaned.push_str(&line[end..]);
            }
            _ => cleaned.push_str(line),
        }
        cleaned.push('\n');
    }
    text = cleaned.replace("sigma_sector = { value = 0.05,", "sigma_sector = { value = 0.0,");
    let b = Baseline::parse("one-uncertainty", &text).expect("valid");
    assert_eq!(sweep::uncertain(&b).len(), 1);
    let threshold = 450.0 * 1.0975f64.powi(5);
    let targets_text = format!(
        "[plan]\ntitle = \"t\"\nissuer = \"t\"\nissued = \"2025-06-18\"\nexpires = \"2028\"\nsource = \"t\"\ndefault_period = \"2025-2028\"\npolicy_start = 2025\n\n\
         [[target]]\nid = \"electronics\"\nclause = \"c\"\nkind = \"T\"\ntext_zh = \"t\"\ntext_en = \"t\"\nquantity = {threshold}\nunit = \"yuan_1e8\"\n\
         direction = \">=\"\nperiod = \"by_end\"\nresponsible = []\nindicator = \"output_electronics\"\nmodel_ref = \"O13\"\nnote = \"\"\n\
         definition = \"output\"\njudged_by = \"outcome\"\n"
    );
    let t = PlanTargets::parse("one-target", &targets_text).expect("valid targets");
    let scenarios = resolved(&b, &TWO[..1]);
    for sampler in [Sampler::MonteCarlo, Sampler::LatinHypercube] {
        let s = run(&b, &t, &scenarios, SweepConfig { draws: 4000, seed: 21, sampler, keep: 1000 }, 2, 1);
        let (p, lo, hi) = s.targets[0].probability;
        assert!(lo <= 0.5 && 0.5 <= hi, "{sampler:?}: p = {p}, interval [{lo}, {hi}]");
        if sampler == Sampler::LatinHypercube {
            // Stratification: exactly half the strata lie above 0.08.
            assert!((p - 0.5).abs() < 1e-3, "LHS gives p = {p}");
        }
    }
}

fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let rank = |v: &[f64]| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        for (k, i) in idx.into_iter().enumerate() {
            r[i] = k as f64;
        }
        r
    };
    let (rx, ry) = (rank(x), rank(y));
    let n = x.len() as f64;
    let m = (n - 1.0) / 2.0;
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - m) * (b - m)).sum();
    let var: f64 = rx.iter().map(|a| (a - m) * (a - m)).sum();
    cov / var
}

#[test]
fn the_baseline_rank_correlations_are_imposed_on_the_draws() {
    let (b, t) = (baseline(), targets());
    let scenarios = resolved(&b, &TWO[..1]);
    let s = run(
        &b,
        &t,
        &scenarios,
        SweepConfig { draws: 4096, seed: 13, sampler: Sampler::LatinHypercube, keep: 4096 },
        2,
        1,
    );
    let names: Vec<&str> = sweep::uncertain(&b).iter().map(|(id, _)| id.key()).collect();
    let col = |key: &str| {
        let k = names.iter().position(|n| *n == key).expect("uncertain parameter");
        s.partial.candidates.iter().map(|c| c.params[k]).collect::<Vec<f64>>()
    };
    let r = spearman(&col("g_electronics"), &col("g_smart_equipment"));
    assert!((r - 0.5).abs() < 0.05, "rank correlation {r}, wanted 0.5");
    let r0 = spearman(&col("g_electronics"), &col("tfr"));
    assert!(r0.abs() < 0.06, "uncorrelated pair shows {r0}");
}

#[test]
fn a_scenario_can_replace_a_parameter_s_distribution() {
    let (b, t) = (baseline(), targets());
    let text = "name = \"pessimist\"\n[parameters]\nw0_external = { kind = \"uniform\", low = 0.1, high = 0.2 }\n";
    let scenarios = resolved(&b, &[TWO[0], text]);
    assert!((scenarios[1].params[urbsim::model::ParamId::W0External] - 0.15).abs() < 1e-12);
    let s =
        run(&b, &t, &scenarios, SweepConfig { draws: 1000, seed: 2, sampler: Sampler::MonteCarlo, keep: 1000 }, 2, 1);
    let per_arm = s.partial.years.1 * IndicatorId::COUNT;
    let w = IndicatorId::WillingnessExternal as usize;
    // In the first year willingness is its anchor, drawn from the scenario's own distribution.
    let (reference, own) = (&s.series[w], &s.series[per_arm + w]);
    assert!(own.percentiles[6] <= 0.2 + 1e-9 && own.percentiles[0] >= 0.1 - 1e-9, "{:?}", own.percentiles);
    assert!(reference.percentiles[0] > 0.2, "{:?}", reference.percentiles);
}

#[test]
fn the_sweep_tables_read_back_into_their_row_types_and_bad_cells_are_named() {
    use urbsim::sweep::tables::{PairedRow, SummaryRow, TargetsRow, read_rows};
    let (b, t) = (baseline(), targets());
    let scenarios = resolved(&b, &TWO);
    let s =
        run(&b, &t, &scenarios, SweepConfig { draws: 64, seed: 5, sampler: Sampler::LatinHypercube, keep: 64 }, 1, 1);
    let [summary, targets_csv, paired] = <[Vec<u8>; 3]>::try_from(bytes(&s, &t)).expect("three tables");
    let rows: Vec<SummaryRow> = read_rows("summary.csv", &summary).expect("summary.csv reads back");
    assert_eq!(rows.len(), 2 * s.partial.years.1 * IndicatorId::COUNT);
    // The median column is the median, by name: it equals the summary's 50th percentile.
    let first = &s.series[0];
    assert_eq!(rows[0].p50, Some(first.percentiles[3]));
    assert_eq!(rows[0].mean, Some(first.moments.mean));
    let paired_rows: Vec<PairedRow> = read_rows("paired.csv", &paired).expect("paired.csv reads back");
    assert!(paired_rows.iter().all(|r| r.reference == "baseline" && r.scenario == "open"));
    let target_rows: Vec<TargetsRow> = read_rows("targets.csv", &targets_csv).expect("targets.csv reads back");
    assert_eq!(target_rows.len(), 2 * s.partial.targets.len());
    assert!(target_rows.iter().all(|r| r.probability.is_some_and(|p| (0.0..=1.0).contains(&p))));
    // A damaged cell is an error naming the table and the line, never a silent NaN.
    let text = String::from_utf8(summary).expect("utf-8");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let cells: Vec<&str> = lines[3].split(',').collect();
    let damaged = cells.iter().enumerate().map(|(k, c)| if k == 11 { "x" } else { c }).collect::<Vec<_>>().join(",");
    lines[3] = damaged;
    let e = read_rows::<SummaryRow>("summary.csv", lines.join("\n").as_bytes()).unwrap_err();
    assert!(e.starts_with("summary.csv: line 4:"), "{e}");
}
