//! The `sensitivity` and `discover` subcommands: which assumptions drive each result, and under
//! which futures a target fails. The estimators are pure (`urbsim::sensitivity`,
//! `urbsim::discovery`); this file chooses outcomes, runs the designs and writes the tables.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use serde_json::json;

use super::InputError;
use super::commands::{Data, load_scenarios};
use super::output::{sha256, write_folder};
use urbsim::exploration::{Evaluator, Outcome};
use urbsim::model::IndicatorId;
use urbsim::projection::resolve;
use urbsim::sensitivity::{self, Design};
use urbsim::targets::Target;

/// Sensitivity method.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Method {
    /// One at a time: each parameter at its 10th and 90th percentile, the others central.
    Oat,
    /// Morris elementary effects over trajectories.
    Morris,
    /// Sobol' first-order and total indices (Saltelli design, Jansen total effects).
    Sobol,
}

/// Options of `urbsim sensitivity`.
pub struct SensitivityArgs<'a> {
    /// Scenario file.
    pub scenario: &'a Path,
    /// Method.
    pub method: Method,
    /// Outcome names.
    pub outcomes: &'a [String],
    /// Base sample size (Sobol N, Morris trajectories).
    pub samples: Option<usize>,
    /// Seed.
    pub seed: u64,
    /// Output folder.
    pub out: &'a Path,
    /// Group parameters by model block.
    pub groups: bool,
    /// Folder for a SALib-readable design.
    pub export_design: Option<&'a Path>,
}

fn simulated_targets(data: &Data) -> Vec<&Target> {
    data.targets
        .target
        .iter()
        .filter(|t| t.indicator_id().is_some() && t.period != urbsim::targets::Period::Milestone)
        .collect()
}

/// Outcomes and their labels from the `--outcome` names.
fn outcomes(
    names: &[String],
    targets: &[&Target],
    years: std::ops::RangeInclusive<u16>,
) -> Result<Vec<(Outcome, String)>> {
    let defaults = ["new_urban_jobs", "rural_labour_transfer", "hukou_conversions", "urbanisation_gap", "targets"];
    let names: Vec<String> =
        if names.is_empty() { defaults.iter().map(|s| s.to_string()).collect() } else { names.to_vec() };
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
            return Err(InputError(format!(
                "error: --outcome {name}: neither an indicator nor a simulated target\n  hint: `urbsim explain indicators`; use target:ID for a target, or `targets` for all"
            ))
            .into());
        }
    }
    Ok(out)
}

/// Runs `urbsim sensitivity`.
pub fn cmd_sensitivity(data: &Data, a: SensitivityArgs) -> Result<ExitCode> {
    let scenarios = load_scenarios(data, &[a.scenario.to_path_buf()])?;
    let resolved = resolve(&data.baseline, &scenarios[0], data.targets.plan.policy_start, None, None);
    let targets = simulated_targets(data);
    let years = (data.baseline.base_year + 1)..=resolved.until;
    let outcomes = outcomes(a.outcomes, &targets, years)?;
    let eval = Evaluator::new(&data.baseline, &resolved, targets.clone());
    let d = eval.uncertain.len();
    let names: Vec<String> = eval.uncertain.iter().map(|(id, _)| id.key().to_string()).collect();
    // Factors: single parameters, or the model blocks they belong to.
    let (groups, factor_names): (Vec<Vec<usize>>, Vec<String>) = if a.groups {
        let mut blocks: Vec<(String, Vec<usize>)> = Vec::new();
        for (k, (id, _)) in eval.uncertain.iter().enumerate() {
            let block = format!("{:?}", id.spec().block).to_lowercase();
            match blocks.iter_mut().find(|(b, _)| *b == block) {
                Some((_, v)) => v.push(k),
                None => blocks.push((block, vec![k])),
            }
        }
        (blocks.iter().map(|(_, v)| v.clone()).collect(), blocks.into_iter().map(|(b, _)| b).collect())
    } else {
        ((0..d).map(|k| vec![k]).collect(), names.clone())
    };
    let started = Instant::now();
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut warnings = Vec::new();
    let mut w = csv::Writer::from_writer(Vec::new());
    let evaluations;
    match a.method {
        Method::Oat => {
            let rows = oat_design(d);
            evaluations = rows.len();
            let y = eval.run(&rows, &outcomes.iter().map(|(o, _)| o.clone()).collect::<Vec<_>>());
            files.push(("oat.csv", oat_table(&eval, &outcomes, &y)?));
        }
        Method::Morris => {
            let r = a.samples.unwrap_or(50);
            let design = sensitivity::morris_design(r, d, &groups, 4, a.seed);
            evaluations = design.rows.len();
            let y = eval.run(&design.rows, &outcomes.iter().map(|(o, _)| o.clone()).collect::<Vec<_>>());
            w.write_record(["outcome", "factor", "mu", "mu_star", "sigma", "mu_star_ci95_low", "mu_star_ci95_high"])?;
            for ((_, label), ys) in outcomes.iter().zip(&y) {
                if ys.iter().any(|v| !v.is_finite()) {
                    continue;
                }
                let idx = sensitivity::morris_indices(&design, ys, 500, a.seed);
                for (f, m) in idx.iter().enumerate() {
                    w.write_record([
                        label.clone(),
                        factor_names[f].clone(),
                        m.mu.to_string(),
                        m.mu_star.to_string(),
                        m.sigma.to_string(),
                        m.mu_star_ci.0.to_string(),
                        m.mu_star_ci.1.to_string(),
                    ])?;
                }
            }
            files.push(("morris.csv", w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?));
            if let Some(dir) = a.export_design {
                export_design(dir, &design, &eval, &outcomes, &y, &names)?;
            }
        }
        Method::Sobol => {
            let n = a.samples.unwrap_or(1024);
            let design = sensitivity::saltelli_design(n, d, &groups, 1024);
            evaluations = design.rows.len();
            let y = eval.run(&design.rows, &outcomes.iter().map(|(o, _)| o.clone()).collect::<Vec<_>>());
            w.write_record(SOBOL_HEADER)?;
            let mut negative = 0;
            let mut drivers: Vec<(String, Vec<(String, f64)>)> = Vec::new();
            for ((o, label), ys) in outcomes.iter().zip(&y) {
                if ys.iter().any(|v| !v.is_finite()) {
                    continue;
                }
                let idx = sensitivity::sobol_indices(&design, ys, 200, a.seed);
                for (f, s) in idx.iter().enumerate() {
                    negative += usize::from(s.s1 < 0.0);
                    w.write_record(sobol_record(label, &factor_names[f], s))?;
                }
                warnings.extend(
                    sensitivity::convergence_warnings(&idx, &factor_names, n, 0.1)
                        .into_iter()
                        .map(|m| format!("{label}: {m}")),
                );
                if matches!(o, Outcome::TargetMet(_)) {
                    let mut ranked: Vec<(String, f64)> =
                        factor_names.iter().cloned().zip(idx.iter().map(|s| s.st)).collect();
                    ranked.sort_by(|p, q| q.1.total_cmp(&p.1));
                    ranked.truncate(5);
                    drivers.push((label.clone(), ranked));
                }
            }
            if negative > 0 {
                warnings.push(format!(
                    "{negative} first-order indices came out negative: that is sampling noise around zero for factors that matter little; read them as 0"
                ));
            }
            files.push(("sobol.csv", w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?));
            for (label, ranked) in &drivers {
                if ranked.first().is_none_or(|(_, st)| *st <= 0.0) {
                    say!("{label}: no variation across the design (met in every run or in none)");
                    continue;
                }
                let parts: Vec<String> = ranked.iter().map(|(n, st)| format!("{n} {st:.2}")).collect();
                say!("{label}: largest total effects: {}", parts.join(", "));
            }
            if let Some(dir) = a.export_design {
                export_design(dir, &design, &eval, &outcomes, &y, &names)?;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    for m in &warnings {
        eprintln!("warning: {m}");
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let manifest = json!({
        "tool": "urbsim", "version": env!("CARGO_PKG_VERSION"), "command": "sensitivity", "arguments": args,
        "method": format!("{:?}", a.method).to_lowercase(), "seed": a.seed, "samples": a.samples, "groups": a.groups,
        "model_runs": evaluations, "elapsed_seconds": elapsed,
        "scenario": {"name": resolved.name, "files": scenarios[0].files.iter().map(|(p, t)| json!({"path": p.display().to_string(), "sha256": sha256(t.as_bytes())})).collect::<Vec<_>>()},
        "baseline": {"source": data.baseline_origin.0, "sha256": data.baseline_origin.1},
        "warnings": warnings,
        "note": "runs use central shocks: the indices apportion the variance due to the uncertain parameters",
    });
    let mut bytes = serde_json::to_vec_pretty(&manifest)?;
    bytes.push(b'\n');
    write_folder(a.out, &files, &bytes)?;
    say!(
        "{evaluations} model runs in {elapsed:.2} s; wrote {} ({}, manifest.json)",
        a.out.display(),
        files.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

/// The one-at-a-time design: the centre row, then each parameter at its 10th and 90th percentile
/// with the others central.
pub fn oat_design(d: usize) -> Vec<Vec<f64>> {
    let mut rows = vec![vec![0.5; d]];
    for k in 0..d {
        for u in [0.1, 0.9] {
            let mut r = vec![0.5; d];
            r[k] = u;
            rows.push(r);
        }
    }
    rows
}

/// `oat.csv`: per outcome, every parameter by decreasing |swing|, with the outcome at the
/// parameter's low and high value and at the centre. `y` holds one vector per outcome over the
/// rows of [`oat_design`].
pub fn oat_table(eval: &Evaluator, outcomes: &[(Outcome, String)], y: &[Vec<f64>]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "outcome",
        "parameter",
        "low_value",
        "high_value",
        "outcome_at_low",
        "outcome_at_high",
        "swing",
        "outcome_at_centre",
    ])?;
    for ((_, label), ys) in outcomes.iter().zip(y) {
        let d = eval.uncertain.len();
        let mut swings: Vec<(usize, f64)> = (0..d).map(|k| (k, ys[2 + 2 * k] - ys[1 + 2 * k])).collect();
        swings.sort_by(|p, q| q.1.abs().total_cmp(&p.1.abs()).then(p.0.cmp(&q.0)));
        for (k, swing) in swings {
            let (id, dist) = &eval.uncertain[k];
            w.write_record([
                label.clone(),
                id.key().to_string(),
                dist.quantile(0.1).to_string(),
                dist.quantile(0.9).to_string(),
                ys[1 + 2 * k].to_string(),
                ys[2 + 2 * k].to_string(),
                swing.to_string(),
                ys[0].to_string(),
            ])?;
        }
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))
}

/// Header of `sobol.csv`.
pub const SOBOL_HEADER: [&str; 8] =
    ["outcome", "factor", "s1", "s1_ci95_low", "s1_ci95_high", "st", "st_ci95_low", "st_ci95_high"];

/// One `sobol.csv` row.
pub fn sobol_record(label: &str, factor: &str, s: &sensitivity::SobolIndex) -> [String; 8] {
    [
        label.to_string(),
        factor.to_string(),
        s.s1.to_string(),
        s.s1_ci.0.to_string(),
        s.s1_ci.1.to_string(),
        s.st.to_string(),
        s.st_ci.0.to_string(),
        s.st_ci.1.to_string(),
    ]
}

/// Writes the design (parameter values per run) and the outputs in SALib's row order.
fn export_design(
    dir: &Path,
    design: &Design,
    eval: &Evaluator,
    outcomes: &[(Outcome, String)],
    y: &[Vec<f64>],
    names: &[String],
) -> Result<()> {
    // SALib's Saltelli layout (no second order) is, per sample j: A_j, AB_1j .. AB_kj, B_j;
    // ours is in blocks. Morris trajectories are already in SALib's order.
    let order: Vec<usize> = match design.kind {
        sensitivity::DesignKind::Saltelli => {
            let (n, k) = (design.n, design.factors);
            (0..n)
                .flat_map(|j| {
                    std::iter::once(j).chain((0..k).map(move |f| (2 + f) * n + j)).chain(std::iter::once(n + j))
                })
                .collect()
        }
        sensitivity::DesignKind::Morris { .. } => (0..design.rows.len()).collect(),
    };
    let mut x = csv::Writer::from_writer(Vec::new());
    x.write_record(names)?;
    for &r in &order {
        let p = eval.params(&design.rows[r]);
        x.write_record(eval.uncertain.iter().map(|(id, _)| p[*id].to_string()))?;
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(outcomes.iter().map(|(_, l)| l.as_str()))?;
    for &r in &order {
        out.write_record(y.iter().map(|ys| ys[r].to_string()))?;
    }
    let problem: String = eval
        .uncertain
        .iter()
        .map(|(id, d)| {
            let (lo, hi) = d.support();
            format!(
                "{} {} {}\n",
                id.key(),
                if lo.is_finite() { lo } else { d.quantile(0.001) },
                if hi.is_finite() { hi } else { d.quantile(0.999) }
            )
        })
        .collect();
    let readme = "design.csv: parameter values per model run (columns in problem.txt order); outputs.csv: one column per outcome, same rows.\n\
Rows follow SALib's layout: for Sobol, SALib.analyze.sobol.analyze(problem, Y, calc_second_order=False) with problem = read_param_file('problem.txt');\n\
for Morris, SALib.analyze.morris.analyze(problem, X, Y, num_levels=4). Parameters with non-uniform distributions are listed with their support.\n";
    write_folder(
        dir,
        &[
            ("design.csv", x.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?),
            ("outputs.csv", out.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?),
            ("problem.txt", problem.into_bytes()),
            ("README.txt", readme.as_bytes().to_vec()),
        ],
        json!({"what": "exported sensitivity design"}).to_string().as_bytes(),
    )
}

/// Options of `urbsim discover`.
pub struct DiscoverArgs<'a> {
    /// Scenario file.
    pub scenario: &'a PathBuf,
    /// Target id.
    pub target: &'a str,
    /// Draws.
    pub draws: u64,
    /// Seed.
    pub seed: u64,
    /// Peeling fraction.
    pub alpha: f64,
    /// Output folder.
    pub out: &'a Path,
}

/// Runs `urbsim discover`: PRIM on the futures where the target is missed.
pub fn cmd_discover(data: &Data, a: DiscoverArgs) -> Result<ExitCode> {
    use urbsim::sweep::{self, Sampler, Sweep, SweepConfig};
    let targets = simulated_targets(data);
    let Some(t_index) = targets.iter().position(|t| t.id == a.target) else {
        let ids: Vec<&str> = targets.iter().map(|t| t.id.as_str()).collect();
        return Err(InputError(format!(
            "error: --target {}: not a simulated target\n  hint: one of {}",
            a.target,
            ids.join(", ")
        ))
        .into());
    };
    if !(0.01..=0.5).contains(&a.alpha) {
        return Err(InputError(format!("error: --alpha {} must be in [0.01, 0.5]", a.alpha)).into());
    }
    let scenarios = load_scenarios(data, std::slice::from_ref(a.scenario))?;
    let resolved = vec![resolve(&data.baseline, &scenarios[0], data.targets.plan.policy_start, None, None)];
    let arms = sweep::arms(&resolved, &[]);
    let config = SweepConfig { draws: a.draws, seed: a.seed, sampler: Sampler::LatinHypercube, keep: a.draws };
    let plan = Sweep::new(&data.baseline, &arms, 0, &data.targets, config);
    let partial = plan.run(0..config.chunks(), &sweep::Silent).map_err(|_| super::sweep::Interrupted)?;
    let target = targets[t_index];
    let first_year = data.baseline.base_year + 1;
    let n_years = partial.years.1;
    let mut x = Vec::new();
    let mut missed = Vec::new();
    for c in &partial.candidates {
        let e = urbsim::targets::evaluate(
            target,
            first_year,
            n_years,
            |y| sweep::row_ref(&c.rows, y),
            resolved[0].target_period,
        );
        if let Some(met) = e.and_then(|e| e.met) {
            x.push(c.params.clone());
            missed.push(!met);
        }
    }
    let all_names: Vec<String> = sweep::uncertain(&data.baseline).iter().map(|(id, _)| id.key().to_string()).collect();
    // PRIM over ~80 parameters would also trim tails that only chase noise; peel on the
    // parameters most correlated with missing the target (point-biserial |r|, top SCREENED).
    const SCREENED: usize = 6;
    let n = x.len().max(1) as f64;
    let ybar = missed.iter().filter(|m| **m).count() as f64 / n;
    let mut scored: Vec<(usize, f64)> = (0..all_names.len())
        .map(|k| {
            let xbar = x.iter().map(|r| r[k]).sum::<f64>() / n;
            let (mut sxy, mut sxx) = (0.0, 0.0);
            for (r, m) in x.iter().zip(&missed) {
                let dx = r[k] - xbar;
                sxy += dx * (f64::from(u8::from(*m)) - ybar);
                sxx += dx * dx;
            }
            let syy = ybar * (1.0 - ybar) * n;
            (k, if sxx > 0.0 && syy > 0.0 { (sxy / (sxx * syy).sqrt()).abs() } else { 0.0 })
        })
        .collect();
    scored.sort_by(|p, q| q.1.total_cmp(&p.1).then(p.0.cmp(&q.0)));
    let kept: Vec<usize> = scored.iter().take(SCREENED).map(|(k, _)| *k).collect();
    let names: Vec<String> = kept.iter().map(|&k| all_names[k].clone()).collect();
    let x: Vec<Vec<f64>> = x.iter().map(|r| kept.iter().map(|&k| r[k]).collect()).collect();
    let (x_min, x_max) = urbsim::discovery::data_range(&x);
    let prim = urbsim::discovery::prim(&x, &missed, a.alpha, 0.05);
    let share_missed = missed.iter().filter(|m| **m).count() as f64 / missed.len().max(1) as f64;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["step", "coverage", "density", "mass", "restricted", "bounds", "chosen"])?;
    // One row per box: its quality and the bounds of its restricted parameters.
    let box_record = |step: String, b: &urbsim::discovery::BoxStats, chosen: bool| -> [String; 7] {
        let bounds: Vec<String> = b
            .restricted
            .iter()
            .map(|&j| format!("{} in [{:.4}, {:.4}]", names[j], b.bounds.bounds[j].0, b.bounds.bounds[j].1))
            .collect();
        [
            step,
            b.coverage.to_string(),
            b.density.to_string(),
            b.mass.to_string(),
            b.restricted.len().to_string(),
            bounds.join("; "),
            chosen.to_string(),
        ]
    };
    for (k, b) in prim.trajectory.iter().enumerate() {
        w.write_record(box_record(k.to_string(), b, k == prim.chosen))?;
    }
    // The chosen box, simplified to the restrictions that matter (density within 5 points).
    let chosen = prim.trajectory.get(prim.chosen).map(|b| urbsim::discovery::simplify(&x, &missed, b, 0.05));
    let (en, zh) = match &chosen {
        Some(b) => (
            urbsim::discovery::describe(b, &names, "missed", &x_min, &x_max),
            urbsim::discovery::describe_zh(b, &names, "未达标", &x_min, &x_max),
        ),
        None => ("no box found".to_string(), "未找到情景区域".to_string()),
    };
    let screened: Vec<String> =
        scored.iter().take(SCREENED).map(|(k, r)| format!("{} (|r| {r:.2})", all_names[*k])).collect();
    let summary = format!(
        "{} · {}\n{} draws of {}: the target is missed in {:.1}% of futures.\nparameters screened for the box: {}\n{en}\n{zh}\n",
        target.text_zh,
        target.text_en,
        x.len(),
        resolved[0].name,
        share_missed * 100.0,
        screened.join(", ")
    );
    let manifest = json!({"tool": "urbsim", "version": env!("CARGO_PKG_VERSION"), "command": "discover", "arguments": std::env::args().skip(1).collect::<Vec<_>>(),
        "target": a.target, "draws": a.draws, "seed": a.seed, "alpha": a.alpha, "sampler": "lhs", "missed_share": share_missed});
    let mut m = serde_json::to_vec_pretty(&manifest)?;
    m.push(b'\n');
    if let Some(b) = &chosen {
        w.write_record(box_record("simplified".to_string(), b, true))?;
    }
    write_folder(
        a.out,
        &[
            ("prim.csv", w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?),
            ("discovery.txt", summary.clone().into_bytes()),
        ],
        &m,
    )?;
    emit!("{summary}");
    say!("wrote {} (prim.csv, discovery.txt, manifest.json)", a.out.display());
    Ok(ExitCode::SUCCESS)
}
