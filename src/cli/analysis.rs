//! The `sensitivity` and `discover` subcommands: which assumptions drive each result, and under
//! which futures a target fails. Designs, estimators, tables and the SALib export live in the
//! library (`urbsim::sensitivity`, `urbsim::discovery`, `urbsim::exploration`); this file reads
//! options, runs them, prints and writes the folders.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use ndarray::Array2;
use serde_json::json;

use super::data::{Data, load_scenarios};
use super::manifest::Manifest;
use super::output::{HashingWriter, Staged, write_atomic, write_folder};
use super::{Horizon, InputError, Interrupted};
use urbsim::discovery;
use urbsim::exploration::tables::{self, MorrisRow, PrimBoundRow, PrimRow, SobolRow};
use urbsim::exploration::{Evaluator, Factors, Outcome, salib, select_outcomes, simulated_targets};
use urbsim::projection::resolve;
use urbsim::sensitivity::{self, Design};

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
    /// Horizon and target-period reading.
    pub horizon: Horizon,
    /// Output folder.
    pub out: &'a Path,
    /// Group parameters by model block.
    pub groups: bool,
    /// Folder for a SALib-readable design.
    pub export_design: Option<&'a Path>,
}

/// A design that was run: the design, its rows as evaluated where they differ from the design's
/// (Morris levels moved onto each parameter's quantiles; `None` for Sobol', whose rows are run
/// as they are) and one output row per outcome; what the SALib export writes.
struct Ran {
    design: Design,
    moved: Option<Array2<f64>>,
    y: Array2<f64>,
}

impl Ran {
    /// The rows the model ran.
    fn rows(&self) -> &Array2<f64> {
        self.moved.as_ref().unwrap_or(&self.design.rows)
    }
}

/// Morris grid levels (SALib's `num_levels`).
const MORRIS_LEVELS: usize = 4;

/// Runs `urbsim sensitivity`.
pub fn cmd_sensitivity(data: &Data, a: SensitivityArgs) -> Result<ExitCode> {
    let scenarios = load_scenarios(data, &[a.scenario.to_path_buf()])?;
    let resolved =
        resolve(&data.baseline, &scenarios[0], data.targets.plan.policy_start, a.horizon.until, a.horizon.period);
    let targets = simulated_targets(&data.targets);
    let years = (data.baseline.base_year + 1)..=resolved.until;
    let outcomes = select_outcomes(a.outcomes, &targets, years).map_err(|e| InputError(format!("error: {e}")))?;
    let eval = Evaluator::new(&data.baseline, &resolved, targets.clone());
    let d = eval.uncertain.len();
    let factors = Factors::new(&eval.uncertain, a.groups);
    let which: Vec<Outcome> = outcomes.iter().map(|(o, _)| o.clone()).collect();
    let started = Instant::now();
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut warnings = Vec::new();
    let mut exported: Option<Ran> = None;
    let (evaluations, n) = match a.method {
        Method::Oat => {
            let rows = sensitivity::oat_design(d, 0.1, 0.9);
            let y = eval.run(rows.view(), &which);
            let table = tables::oat_rows(&eval, &outcomes, &y).map_err(anyhow::Error::msg)?;
            files.push(("oat.csv", tables::to_csv("oat.csv", &table).map_err(anyhow::Error::msg)?));
            (rows.nrows(), None)
        }
        Method::Morris => {
            let r = a.samples.unwrap_or(50);
            let design = sensitivity::morris_design(r, d, &factors.columns, MORRIS_LEVELS, a.seed);
            // End levels of unbounded parameters sit on their 0.5% and 99.5% quantiles.
            let rows = eval.morris_rows(&design.rows);
            let y = eval.run(rows.view(), &which);
            let mut table: Vec<MorrisRow> = Vec::new();
            for ((_, label), ys) in outcomes.iter().zip(y.outer_iter()) {
                let ys = ys.to_vec();
                refuse_non_finite(label, &ys)?;
                let idx = sensitivity::morris_indices(&design, &ys, 500, a.seed);
                table.extend(tables::morris_rows(label, &factors.names, factors.grouped, &idx));
            }
            files.push(("morris.csv", tables::to_csv("morris.csv", &table).map_err(anyhow::Error::msg)?));
            let count = rows.nrows();
            exported = Some(Ran { design, moved: Some(rows), y });
            (count, Some(r))
        }
        Method::Sobol => {
            let n = a.samples.unwrap_or(1024);
            // Skip a multiple of N (N itself), so the N points used are an aligned block of the
            // Sobol' sequence and keep its balance (sensitivity::saltelli_design).
            let design = sensitivity::saltelli_design(n, d, &factors.columns, n as u64);
            let y = eval.run(design.rows.view(), &which);
            let mut table: Vec<SobolRow> = Vec::new();
            let mut negative = 0;
            for ((o, label), ys) in outcomes.iter().zip(y.outer_iter()) {
                let ys = ys.to_vec();
                refuse_non_finite(label, &ys)?;
                let idx = sensitivity::sobol_indices(&design, &ys, 200, a.seed);
                negative += idx.iter().filter(|s| s.s1 < 0.0).count();
                warnings.extend(
                    sensitivity::convergence_warnings(&idx, &factors.names, n, 0.1)
                        .into_iter()
                        .map(|m| format!("{label}: {m}")),
                );
                if matches!(o, Outcome::TargetMet(_)) {
                    print_drivers(label, &factors.names, &idx)?;
                }
                table.extend(tables::sobol_rows(label, &factors.names, &idx));
            }
            if negative > 0 {
                warnings.push(format!(
                    "{negative} first-order indices came out negative: that is sampling noise around zero for factors that matter little; read them as 0"
                ));
            }
            files.push(("sobol.csv", tables::to_csv("sobol.csv", &table).map_err(anyhow::Error::msg)?));
            let count = design.rows.nrows();
            exported = Some(Ran { design, moved: None, y });
            (count, Some(n))
        }
    };
    // Timing covers the model runs and the estimators, not writing.
    let elapsed = started.elapsed().as_secs_f64();
    for m in &warnings {
        eprintln!("{}", urbsim::report::terminal_safe(&format!("warning: {m}")));
    }
    let method = format!("{:?}", a.method).to_lowercase();
    let options = json!({
        "method": method, "seed": a.seed, "samples": n, "groups": a.groups, "factors": factors.names,
        "sobol_skip": if matches!(a.method, Method::Sobol) { n } else { None },
        "morris_levels": if matches!(a.method, Method::Morris) { Some(MORRIS_LEVELS) } else { None },
        "until": resolved.until, "target_period": urbsim::report::period_label(resolved.target_period),
    });
    if let (Some(dir), Some(ran)) = (a.export_design, &exported) {
        export_design(data, &scenarios, dir, ran, &eval, &factors, &outcomes, &options)?;
    } else if a.export_design.is_some() {
        eprintln!("warning: --export-design applies to Morris and Sobol' designs; OAT has no SALib counterpart");
    }
    let mut manifest = Manifest::new("sensitivity", data)
        .scenarios(&scenarios)
        .with("options", options)
        .with("model_runs", json!(evaluations))
        .with("elapsed_seconds", json!(elapsed))
        .with("warnings", json!(warnings))
        .with(
            "note",
            json!("runs use central shocks: the indices apportion the variance due to the uncertain parameters"),
        );
    manifest.outputs(&files);
    write_folder(a.out, &files, &manifest.bytes()?)?;
    say!(
        "{evaluations} model runs in {elapsed:.2} s; wrote {} ({}, manifest.json)",
        a.out.display(),
        files.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

/// An outcome the model could not evaluate on some run stops the analysis, named.
fn refuse_non_finite(label: &str, ys: &[f64]) -> Result<()> {
    match ys.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(row) => Err(anyhow::anyhow!(
            "{label} is not a finite number on design row {row}; nothing was written\n  hint: this is a bug or a \
             parameter value the model cannot run, please report it"
        )),
    }
}

/// The five largest total effects of a target, on the terminal.
fn print_drivers(label: &str, names: &[String], idx: &[sensitivity::SobolIndex]) -> Result<()> {
    let mut ranked: Vec<(&String, f64)> = names.iter().zip(idx.iter().map(|s| s.st)).collect();
    ranked.sort_by(|p, q| q.1.total_cmp(&p.1));
    ranked.truncate(5);
    if ranked.first().is_none_or(|(_, st)| *st <= 0.0) {
        say!("{label}: no variation across the design (met in every run or in none)");
        return Ok(());
    }
    let parts: Vec<String> = ranked.iter().map(|(n, st)| format!("{n} {st:.2}")).collect();
    say!("{label}: largest total effects: {}", parts.join(", "));
    Ok(())
}

/// Writes the SALib export into its own folder, built aside and swapped in whole; the design and
/// outputs are streamed to disk, their hashes computed on the way.
#[allow(clippy::too_many_arguments)]
fn export_design(
    data: &Data,
    scenarios: &[urbsim::scenario::Scenario],
    dir: &Path,
    ran: &Ran,
    eval: &Evaluator,
    factors: &Factors,
    outcomes: &[(Outcome, String)],
    options: &serde_json::Value,
) -> Result<()> {
    let (design, rows, y) = (&ran.design, ran.rows(), &ran.y);
    let order = salib::salib_order(design);
    let staged = Staged::new(dir)?;
    let mut manifest = Manifest::new("sensitivity --export-design", data)
        .scenarios(scenarios)
        .with("options", options.clone())
        .with("rows", json!(order.len()))
        .with("outcomes", json!(outcomes.iter().map(|(_, l)| l).collect::<Vec<_>>()));
    let stream = |name: &str, write: &dyn Fn(&mut HashingWriter) -> std::io::Result<()>| -> Result<String> {
        let path = staged.path().join(name);
        let mut w = HashingWriter::create(&path)?;
        write(&mut w).with_context(|| format!("cannot write {}", path.display()))?;
        w.finish().with_context(|| format!("cannot write {}", path.display()))
    };
    let h = stream("design.csv", &|w| salib::write_design(w, eval, rows, &order))?;
    manifest.output_hash("design.csv", &h);
    let h = stream("outputs.csv", &|w| salib::write_outputs(w, outcomes, y, &order))?;
    manifest.output_hash("outputs.csv", &h);
    let small = [
        ("problem.txt", salib::problem_txt(eval, factors).into_bytes()),
        ("distributions.csv", salib::distributions_csv(eval, factors).map_err(anyhow::Error::msg)?),
        ("README.txt", salib::readme(design, factors).into_bytes()),
    ];
    for (name, bytes) in &small {
        write_atomic(staged.path(), name, bytes)?;
        manifest.output(name, bytes);
    }
    write_atomic(staged.path(), "manifest.json", &manifest.bytes()?)?;
    staged.commit()
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
    /// Horizon and target-period reading.
    pub horizon: Horizon,
    /// Peeling fraction.
    pub alpha: f64,
    /// Write every draw.
    pub keep_draws: bool,
    /// Output folder.
    pub out: &'a Path,
}

/// Parameters PRIM peels on: the ones most correlated with missing the target
/// (`discovery::screen`).
const SCREENED: usize = 6;

/// Runs `urbsim discover`: PRIM on the futures where the target is missed.
pub fn cmd_discover(data: &Data, a: DiscoverArgs) -> Result<ExitCode> {
    use urbsim::sweep::{self, Sampler, Sweep, SweepConfig};
    let targets = simulated_targets(&data.targets);
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
        return Err(InputError(format!(
            "error: --alpha {} must be in [0.01, 0.5]\n  hint: --alpha 0.05 peels 5% of the futures a step",
            a.alpha
        ))
        .into());
    }
    let scenarios = load_scenarios(data, std::slice::from_ref(a.scenario))?;
    let resolved =
        vec![resolve(&data.baseline, &scenarios[0], data.targets.plan.policy_start, a.horizon.until, a.horizon.period)];
    let arms = sweep::arms(&resolved, &[]);
    let config = SweepConfig { draws: a.draws, seed: a.seed, sampler: Sampler::LatinHypercube, keep: a.draws };
    let plan = Sweep::new(&data.baseline, &arms, 0, &data.targets, config);
    let partial = plan.run(0..config.chunks(), &sweep::Silent).map_err(|_| Interrupted)?;
    let target = targets[t_index];
    let first_year = data.baseline.base_year + 1;
    let n_years = partial.years.1;
    let mut x = Vec::new();
    let mut missed = Vec::new();
    let mut draws = Vec::new();
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
            draws.push(c.draw);
        }
    }
    let all_names: Vec<String> = sweep::uncertain(&data.baseline).iter().map(|(id, _)| id.key().to_string()).collect();
    let scored = discovery::screen(&x, &missed);
    let kept: Vec<usize> = scored.iter().take(SCREENED).map(|(k, _)| *k).collect();
    let names: Vec<String> = kept.iter().map(|&k| all_names[k].clone()).collect();
    let xs: Vec<Vec<f64>> = x.iter().map(|r| kept.iter().map(|&k| r[k]).collect()).collect();
    let (x_min, x_max) = discovery::data_range(&xs);
    let prim = discovery::prim(&xs, &missed, a.alpha, 0.05);
    let share_missed = missed.iter().filter(|m| **m).count() as f64 / missed.len().max(1) as f64;
    let mut boxes: Vec<PrimRow> = Vec::new();
    let mut bounds: Vec<PrimBoundRow> = Vec::new();
    for (k, b) in prim.trajectory.iter().enumerate() {
        let (row, bs) = tables::prim_rows(k, "peel", b, k == prim.chosen, &names);
        boxes.push(row);
        bounds.extend(bs);
    }
    // The chosen box, simplified to the restrictions that matter (density within 5 points).
    let chosen = prim.trajectory.get(prim.chosen).map(|b| discovery::simplify(&xs, &missed, b, 0.05));
    if let Some(b) = &chosen {
        let (row, bs) = tables::prim_rows(prim.chosen, "simplified", b, false, &names);
        boxes.push(row);
        bounds.extend(bs);
    }
    // The sentences name parameters as readers do, with the key an analyst types beside it.
    let named = |lang: urbsim::names::Lang, (l, r): (&str, &str)| -> Vec<String> {
        names
            .iter()
            .map(|k| format!("{}{l}{k}{r}", urbsim::names::in_sentence(&urbsim::names::factor(k, lang), lang)))
            .collect()
    };
    let (en, zh) = match &chosen {
        Some(b) => (
            discovery::describe(b, &named(urbsim::names::Lang::En, (" (", ")")), "missed", &x_min, &x_max),
            discovery::describe_zh(b, &named(urbsim::names::Lang::Zh, ("（", "）")), "未达标", &x_min, &x_max),
        ),
        None => ("no box found".to_string(), "未找到未达标集中出现的参数区域".to_string()),
    };
    let screened: Vec<String> =
        scored.iter().take(SCREENED).map(|(k, r)| format!("{} (|r| {r:.2})", all_names[*k])).collect();
    let summary = format!(
        "{} · {}\n{} draws of {}: the target is missed in {:.1}% of futures.\nparameters screened for the box: {}\n{en}\n{zh}\n",
        target.text_zh,
        target.text_en,
        xs.len(),
        resolved[0].name,
        share_missed * 100.0,
        screened.join(", ")
    );
    let mut files = vec![
        ("prim.csv", tables::to_csv("prim.csv", &boxes).map_err(anyhow::Error::msg)?),
        ("prim_bounds.csv", tables::to_csv("prim_bounds.csv", &bounds).map_err(anyhow::Error::msg)?),
        ("discovery.txt", summary.clone().into_bytes()),
    ];
    if a.keep_draws {
        files.push(("draws.csv", draws_csv(&all_names, &draws, &x, &missed)?));
    }
    let mut manifest = Manifest::new("discover", data)
        .scenarios(&scenarios)
        .with(
            "options",
            json!({"target": a.target, "draws": a.draws, "seed": a.seed, "alpha": a.alpha, "sampler": "lhs",
                "until": resolved[0].until, "target_period": urbsim::report::period_label(resolved[0].target_period),
                "screened": names}),
        )
        .with("missed_share", json!(share_missed))
        .with("futures_judged", json!(xs.len()));
    manifest.outputs(&files);
    write_folder(a.out, &files, &manifest.bytes()?)?;
    emit!("{summary}");
    say!("wrote {} ({}, manifest.json)", a.out.display(), files.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "));
    Ok(ExitCode::SUCCESS)
}

/// `draws.csv` of `discover --keep-draws`: each judged future's draw number, whether the target
/// was missed, and every uncertain parameter's value, in full precision. With the manifest's seed
/// and draws, `urbsim sweep --sampler lhs` reproduces the same futures.
fn draws_csv(names: &[String], draws: &[u64], x: &[Vec<f64>], missed: &[bool]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["draw".to_string(), "missed".to_string()];
    header.extend(names.iter().cloned());
    w.write_record(&header)?;
    for ((d, row), m) in draws.iter().zip(x).zip(missed) {
        let mut rec = vec![d.to_string(), u8::from(*m).to_string()];
        rec.extend(row.iter().map(|v| v.to_string()));
        w.write_record(&rec)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))
}
