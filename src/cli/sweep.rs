//! The `sweep` and `merge` subcommands: thread pool, progress bar, Ctrl-C, shards, and writing
//! the sweep tables with their manifest.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::data::{Data, load_scenarios};
use super::manifest::Manifest;
use super::output::{sha256, write_folder};
use super::{Horizon, InputError, Interrupted};
use urbsim::projection::{Resolved, resolve};
use urbsim::sweep::{self, Partial, Progress, Sampler, Summary, Sweep, SweepConfig, tables};

/// Options of `urbsim sweep` after parsing.
pub struct SweepArgs<'a> {
    /// Scenario files.
    pub scenarios: &'a [PathBuf],
    /// Draws.
    pub draws: u64,
    /// Seed.
    pub seed: u64,
    /// Sampler.
    pub sampler: Sampler,
    /// Output folder.
    pub out: &'a Path,
    /// Reference scenario name.
    pub reference: Option<&'a str>,
    /// Write every draw.
    pub keep_draws: bool,
    /// Lever grid specs.
    pub levers: &'a [String],
    /// Shard "K/N" (1-based K).
    pub shard: Option<&'a str>,
    /// Quantile sample size.
    pub quantile_sample: u64,
    /// Horizon and target-period reading.
    pub horizon: Horizon,
    /// No progress bar.
    pub quiet: bool,
}

/// Set by the Ctrl-C handler; checked between batches of chunks.
fn interrupted() -> &'static Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let handler_flag = Arc::clone(&flag);
        // If a handler cannot be installed (already set), Ctrl-C simply ends the process, which
        // still leaves no half-written result: files are only renamed into place when complete.
        let _ = ctrlc::set_handler(move || handler_flag.store(true, Ordering::SeqCst));
        flag
    })
}

struct Bar<'a> {
    bar: ProgressBar,
    cancel: &'a AtomicBool,
}

impl Progress for Bar<'_> {
    fn advanced(&self, draws: u64) {
        self.bar.inc(draws);
    }
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

fn parse_shard(spec: &str) -> Result<(u64, u64)> {
    let bad = || InputError(format!("error: --shard {spec}: expected K/N with 1 <= K <= N, e.g. --shard 3/10"));
    let (k, n) = spec.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if k == 0 || n == 0 || k > n {
        return Err(bad().into());
    }
    Ok((k - 1, n))
}

/// Runs `urbsim sweep`.
pub fn cmd_sweep(data: &Data, a: SweepArgs) -> Result<ExitCode> {
    let mut problems = Vec::new();
    if a.quantile_sample < 100 {
        problems.push("error: --quantile-sample must be at least 100".to_string());
    }
    if a.levers.len() > 3 {
        problems.push("error: at most three --lever grids (a full factorial grows fast)".to_string());
    }
    let mut grid = Vec::new();
    for spec in a.levers {
        match sweep::parse_axis(spec) {
            Ok(axis) => grid.push(axis),
            Err(e) => problems.push(format!("error: {e}")),
        }
    }
    let shard = match a.shard.map(parse_shard).transpose() {
        Ok(s) => s,
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    let scenarios = match load_scenarios(data, a.scenarios) {
        Ok(s) => s,
        Err(e) => {
            problems.push(e.to_string());
            Vec::new()
        }
    };
    let resolved: Vec<Resolved> = scenarios
        .iter()
        .map(|s| resolve(&data.baseline, s, data.targets.plan.policy_start, a.horizon.until, a.horizon.period))
        .collect();
    let reference = match a.reference {
        None => 0,
        Some(name) => match resolved.iter().position(|r| r.name == name) {
            Some(i) => i,
            None => {
                let names: Vec<&str> = resolved.iter().map(|r| r.name.as_str()).collect();
                problems.push(format!(
                    "error: --reference {name}: no scenario of that name\n  hint: one of {}",
                    names.join(", ")
                ));
                0
            }
        },
    };
    if !problems.is_empty() {
        return Err(InputError(format!("{}\nnothing was written", problems.join("\n"))).into());
    }
    let arms = sweep::arms(&resolved, &grid);
    // The reference arm is the reference scenario at the first grid point.
    let points = arms.len() / resolved.len().max(1);
    let keep = if a.keep_draws { a.draws } else { a.quantile_sample };
    let config = SweepConfig { draws: a.draws, seed: a.seed, sampler: a.sampler, keep };
    let plan = Sweep::new(&data.baseline, &arms, reference * points, &data.targets, config);
    let range = match shard {
        Some((k, n)) => config.shard(k, n),
        None => 0..config.chunks(),
    };
    let shard_draws = (range.end * sweep::CHUNK).min(a.draws) - (range.start * sweep::CHUNK).min(a.draws);

    let bar = if a.quiet { ProgressBar::hidden() } else { ProgressBar::new(shard_draws) };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} draws  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = Bar { bar, cancel: interrupted() };
    let started = Instant::now();
    let result = plan.run(range, &progress);
    progress.bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let mut partial = result.map_err(|_| Interrupted)?;
    refuse_non_finite(&partial)?;

    let run_info = json!({
        "seed": a.seed,
        "draws": a.draws,
        "sampler": match a.sampler { Sampler::MonteCarlo => "mc", Sampler::LatinHypercube => "lhs" },
        "quantile_sample": keep,
        "reference": resolved[reference].name,
        "levers": a.levers,
        "threads": rayon::current_num_threads(),
        "shard": a.shard,
        "elapsed_seconds": elapsed,
        "draws_per_second": shard_draws as f64 / elapsed.max(1e-9),
        "scenario_runs_per_second": (shard_draws * arms.len() as u64) as f64 / elapsed.max(1e-9),
    });
    let inputs = inputs_json(data, &scenarios);
    // What a shard must share with the others to be merged with them: every input file, the
    // options that change results, and the lever grid.
    let provenance = json!({"inputs": inputs, "until": a.horizon.until, "target_period": a.horizon.period.map(|p| format!("{p:?}")),
        "levers": a.levers, "reference": resolved[reference].name});
    partial.inputs = sha256(provenance.to_string().as_bytes());
    if shard.is_some() {
        let mut bytes = serde_json::to_vec(&partial)?;
        bytes.push(b'\n');
        let files = vec![("partial.json", bytes)];
        let manifest = manifest(data, "sweep (shard)", &run_info, &scenarios, &files)?;
        write_folder(a.out, &files, &manifest)?;
        say!(
            "wrote shard {} ({} draws) to {}; combine the shards with `urbsim merge`",
            a.shard.unwrap_or_default(),
            shard_draws,
            a.out.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let summary = sweep::summarise(partial, &data.targets).map_err(|e| InputError(format!("error: {e}")))?;
    write_summary(data, &summary, a.keep_draws, a.out, &run_info, &scenarios)?;
    print_summary(&summary, elapsed)?;
    Ok(ExitCode::SUCCESS)
}

/// What a shard must share with the others, as data: the baseline and targets hashes, the tool
/// version, and each scenario's name and file contents (hashes only, so the same files reached
/// by another path, as on another machine, still match).
fn inputs_json(data: &Data, scenarios: &[urbsim::scenario::Scenario]) -> serde_json::Value {
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "baseline": data.baseline_origin.1,
        "targets": data.targets_origin.1,
        "data_overlays": data.overlays.iter().map(|(_, h, _)| h.clone()).collect::<Vec<_>>(),
        "scenarios": scenarios.iter().map(|s| json!({
            "name": s.name,
            "files": s.files.iter().map(|(_, text)| sha256(text.as_bytes())).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn manifest(
    data: &Data,
    command: &str,
    run: &serde_json::Value,
    scenarios: &[urbsim::scenario::Scenario],
    files: &[(&str, Vec<u8>)],
) -> Result<Vec<u8>> {
    let mut m = Manifest::new(command, data).scenarios(scenarios).with("run", run.clone()).with(
        "note",
        json!("results depend only on the inputs, seed, draws, sampler, quantile sample and tool version; threads and shards change speed, never results"),
    );
    m.outputs(files);
    m.bytes()
}

fn summary_files(data: &Data, s: &Summary, keep_draws: bool) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let mut files = vec![
        ("summary.csv", tables::summary_csv(s)?),
        ("targets.csv", tables::targets_csv(s, &data.targets)?),
        ("paired.csv", tables::paired_csv(s)?),
    ];
    if s.partial.grid.iter().any(|g| !g.is_empty()) {
        files.push(("grid.csv", tables::grid_csv(s)?));
    }
    if keep_draws {
        files.push(("draws.csv", tables::draws_csv(s, &data.baseline, &data.targets)?));
    }
    Ok(files)
}

fn write_summary(
    data: &Data,
    s: &Summary,
    keep_draws: bool,
    out: &Path,
    run: &serde_json::Value,
    scenarios: &[urbsim::scenario::Scenario],
) -> Result<()> {
    let files = summary_files(data, s, keep_draws)?;
    let manifest = manifest(data, "sweep", run, scenarios, &files)?;
    write_folder(out, &files, &manifest)?;
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    say!("wrote {} ({}, manifest.json)", out.display(), names.join(", "));
    Ok(())
}

/// A shard's manifest, checked against what this merge runs with: the same tool version, baseline
/// and targets (the partial's own hash covers the scenarios and options).
fn shard_manifest(data: &Data, dir: &Path) -> Result<serde_json::Value> {
    let path = dir.join("manifest.json");
    let text = super::input::read_text(&path)
        .map_err(|e| InputError(format!("error: cannot read {}: {e}\n  hint: re-run that shard", path.display())))?;
    let m: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        InputError(format!("error: {} is not a manifest: {e}\n  hint: re-run that shard", path.display()))
    })?;
    let mut problems = Vec::new();
    if m["version"] != env!("CARGO_PKG_VERSION") {
        problems.push(format!("it was run by urbsim {}, this is {}", m["version"], env!("CARGO_PKG_VERSION")));
    }
    if m["baseline"]["sha256"] != data.baseline_origin.1.as_str() {
        problems.push(format!(
            "it used another baseline ({}); give merge the same --baseline as the shards",
            m["baseline"]["source"]
        ));
    }
    if m["targets"]["sha256"] != data.targets_origin.1.as_str() {
        problems.push(format!(
            "it used other plan targets ({}); give merge the same --targets as the shards",
            m["targets"]["source"]
        ));
    }
    let ours: Vec<&str> = data.overlays.iter().map(|(_, h, _)| h.as_str()).collect();
    let theirs: Vec<&str> = m["data_overlays"]
        .as_array()
        .map(|a| a.iter().filter_map(|o| o["sha256"].as_str()).collect())
        .unwrap_or_default();
    if ours != theirs {
        problems.push(format!(
            "it used other department data ({} overlay(s), this merge {}); give merge the same --data files",
            theirs.len(),
            ours.len()
        ));
    }
    if problems.is_empty() {
        Ok(m)
    } else {
        Err(InputError(format!("error: {}: {}; nothing was written", dir.display(), problems.join("; "))).into())
    }
}

fn print_summary(s: &Summary, elapsed: f64) -> Result<()> {
    let p = &s.partial;
    let exact = s.sample as u64 >= p.config.draws;
    say!(
        "{} draws × {} scenario(s) in {:.2} s; quantiles from {} draws ({})",
        p.config.draws,
        p.arms.len(),
        elapsed,
        s.sample,
        if exact {
            "exact".to_string()
        } else {
            format!(
                "sample; 5th percentile within ±{:.2} points of rank, 95%",
                196.0 * urbsim::stats::rank_error(0.05, s.sample as u64)
            )
        }
    );
    let n_targets = p.targets.len();
    for (a, arm) in p.arms.iter().enumerate() {
        say!("== {arm}: probability of meeting each simulated target (95% interval)");
        for (t, id) in p.targets.iter().enumerate() {
            let x = &s.targets[a * n_targets + t];
            let vs = if a == p.reference {
                String::new()
            } else {
                format!("  better than {} in {:.0}% of futures", p.arms[p.reference], x.better * 100.0)
            };
            say!(
                "  {:<28} {:>6.1}%  [{:>5.1}, {:>5.1}]{vs}",
                id,
                x.probability.0 * 100.0,
                x.probability.1 * 100.0,
                x.probability.2 * 100.0
            );
        }
    }
    Ok(())
}

/// A sweep in which the model produced a value that is not a finite number has failed: nothing
/// is written and the first such draw is named (a model bug or a parameter the model cannot run).
fn refuse_non_finite(partial: &sweep::Partial) -> Result<()> {
    match &partial.non_finite {
        None => Ok(()),
        Some((draw, arm, year, indicator)) => Err(anyhow::anyhow!(
            "scenario {arm}, draw {draw}: {indicator} in {year} is not a finite number; nothing was written\n  \
             hint: re-run that draw with `--draws {} --keep-draws` to see its parameters; this is a bug or a \
             parameter value the model cannot run, please report it",
            draw + 1
        )),
    }
}

/// Runs `urbsim merge`.
pub fn cmd_merge(data: &Data, dirs: &[PathBuf], out: &Path) -> Result<ExitCode> {
    let mut partials = Vec::new();
    let mut shard_manifests: Vec<serde_json::Value> = Vec::new();
    for dir in dirs {
        let path = dir.join("partial.json");
        let text = super::input::read_text_up_to(&path, super::input::MAX_SHARD_BYTES).map_err(|e| {
            InputError(format!(
                "error: cannot read {}: {e}\n  hint: give the output folders of `urbsim sweep --shard K/N`",
                path.display()
            ))
        })?;
        let p: Partial = serde_json::from_str(&text)
            .map_err(|e| InputError(format!("error: {} is not a sweep partial: {e}", path.display())))?;
        p.check().map_err(|e| InputError(format!("error: {}: {e}\n  hint: re-run that shard", path.display())))?;
        shard_manifests.push(shard_manifest(data, dir)?);
        partials.push(p);
    }
    partials.sort_by_key(|p| p.chunk_range.0);
    let mut iter = partials.into_iter();
    let Some(mut merged) = iter.next() else {
        return Err(InputError("error: give at least one shard folder".to_string()).into());
    };
    for p in iter {
        merged.append(p).map_err(|e| InputError(format!("error: {e}")))?;
    }
    refuse_non_finite(&merged)?;
    let summary = sweep::summarise(merged, &data.targets).map_err(|e| InputError(format!("error: {e}")))?;
    let run = json!({"merged_from": dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(), "seed": summary.partial.config.seed, "draws": summary.partial.config.draws, "inputs_sha256": summary.partial.inputs});
    // The shards' scenarios (names, paths and hashes as the first shard recorded them).
    let scenarios = shard_manifests.first().map_or(serde_json::Value::Null, |m| m["scenarios"].clone());
    let files = summary_files(data, &summary, false)?;
    let mut manifest = Manifest::new("merge", data).with("run", run).with("scenarios", scenarios).with(
        "note",
        json!("results depend only on the inputs, seed, draws, sampler, quantile sample and tool version; threads and shards change speed, never results"),
    );
    manifest.outputs(&files);
    write_folder(out, &files, &manifest.bytes()?)?;
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    say!("wrote {} ({}, manifest.json)", out.display(), names.join(", "));
    print_summary(&summary, 0.0)?;
    Ok(ExitCode::SUCCESS)
}
