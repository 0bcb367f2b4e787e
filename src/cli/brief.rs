//! The `brief` and `chart` subcommands: the one-command briefing pack (sweep, a quick
//! sensitivity analysis, charts, tables, workbook, page) and re-drawing charts from saved tables.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use serde_json::json;

use super::InputError;
use super::commands::{Data, load_scenarios};
use super::output::{sha256, write_atomic, write_files};
use urbsim::brief::html::{AssumptionRow, Lang, ScenarioText};
use urbsim::brief::pack::{self, Meta, PageInputs, Tables};
use urbsim::exploration::{Evaluator, Outcome};
use urbsim::model::{IndicatorId, ParamId};
use urbsim::projection::{Resolved, resolve};
use urbsim::sensitivity;
use urbsim::sweep::{self, Sampler, Sweep, SweepConfig, tables};

/// Below this many draws `brief` warns that its probabilities are rough: at 200 the 95% interval
/// of a probability near one half is about ±7 points.
const FEW_DRAWS: u64 = 200;

/// Options of `urbsim brief`.
pub struct BriefArgs<'a> {
    /// Scenario files; empty means every file in `scenarios/`.
    pub scenarios: &'a [PathBuf],
    /// Draws.
    pub draws: u64,
    /// Seed.
    pub seed: u64,
    /// Label language.
    pub lang: Lang,
    /// Output folder.
    pub out: &'a Path,
    /// Font replacing the bundled one.
    pub font: Option<&'a Path>,
}

fn load_font(font: Option<&Path>) -> Result<()> {
    if let Some(path) = font {
        let bytes =
            super::input::read_bytes(path).map_err(|e| InputError(format!("error: --font {}: {e}", path.display())))?;
        // plotters keeps registered fonts for the life of the process.
        urbsim::chart::use_font(Box::leak(bytes.into_boxed_slice()))
            .map_err(|e| InputError(format!("error: --font {}: {e}", path.display())))?;
    }
    Ok(())
}

fn shipped_scenarios() -> Result<Vec<PathBuf>> {
    let dir = Path::new("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            InputError(format!(
                "error: cannot list scenarios/: {e}\n  hint: run from the urbsim folder, or name scenario files"
            ))
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(InputError("error: scenarios/ holds no .toml file\n  hint: name scenario files".to_string()).into());
    }
    Ok(files)
}

/// Chart files (name, bytes) and their (stem, caption) in display order.
type ChartFiles = (Vec<(String, Vec<u8>)>, Vec<(String, String)>);

/// Draws every chart from the tables in memory; nothing is written until all have drawn.
fn draw_charts(t: &Tables, data: &Data, meta: &Meta) -> Result<ChartFiles> {
    urbsim::chart::set_english(meta.lang == Lang::En);
    let specs = pack::chart_specs(t, &data.baseline, &data.targets, meta);
    let mut files = Vec::new();
    let mut refs = Vec::new();
    for (stem, caption, spec) in &specs {
        let r = pack::draw(spec).map_err(|e| match e {
            urbsim::chart::ChartError::MissingGlyph { .. } => {
                anyhow::Error::from(InputError(format!("error: chart {stem}: {e}")))
            }
            other => anyhow::anyhow!("chart {stem}: {other}"),
        })?;
        files.push((format!("{stem}.svg"), r.svg.into_bytes()));
        files.push((format!("{stem}.png"), r.png));
        refs.push((stem.clone(), caption.clone()));
    }
    Ok((files, refs))
}

fn write_charts(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let charts = dir.join("charts");
    // Never write through a link: a `charts` link could point anywhere.
    if std::fs::symlink_metadata(&charts).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(InputError(format!(
            "error: {} is a symbolic link; nothing was written\n  hint: remove the link or choose another folder",
            charts.display()
        ))
        .into());
    }
    let named: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    write_files(&charts, &named)
}

/// Runs `urbsim brief`.
pub fn cmd_brief(data: &Data, a: BriefArgs) -> Result<ExitCode> {
    load_font(a.font)?;
    let paths = if a.scenarios.is_empty() { shipped_scenarios()? } else { a.scenarios.to_vec() };
    let scenarios = load_scenarios(data, &paths)?;
    let resolved: Vec<Resolved> =
        scenarios.iter().map(|s| resolve(&data.baseline, s, data.targets.plan.policy_start, None, None)).collect();
    let reference = resolved.iter().position(|r| r.name == "baseline").unwrap_or(0);
    let started = Instant::now();

    // Few draws are allowed (a quick look), but the reader of the page should not be misled.
    if a.draws < FEW_DRAWS {
        eprintln!(
            "warning: with {} draws each probability is known to within about ±{:.0} points (95%); a brief \
             for a paper wants 1,000 or more (the default), and the page shows these intervals",
            a.draws,
            98.0 / (a.draws as f64).sqrt()
        );
    }

    // 1. The sweep: every scenario on the same futures.
    let arms = sweep::arms(&resolved, &[]);
    let config = SweepConfig { draws: a.draws, seed: a.seed, sampler: Sampler::LatinHypercube, keep: 4096 };
    let plan = Sweep::new(&data.baseline, &arms, reference, &data.targets, config);
    let partial = plan.run(0..config.chunks(), &urbsim::sweep::Silent).map_err(|_| super::sweep::Interrupted)?;
    let summary = sweep::summarise(partial, &data.targets).map_err(|e| anyhow::anyhow!(e))?;

    // 2. A quick sensitivity analysis of the reference scenario for the headline targets.
    let r = &resolved[reference];
    let sim_targets: Vec<&urbsim::targets::Target> = data
        .targets
        .target
        .iter()
        .filter(|t| t.indicator_id().is_some() && t.period != urbsim::targets::Period::Milestone)
        .collect();
    let eval = Evaluator::new(&data.baseline, r, sim_targets.clone());
    let d = eval.uncertain.len();
    let names: Vec<String> = eval.uncertain.iter().map(|(id, _)| id.key().to_string()).collect();
    let last = r.until;
    let oat_outcomes = [(Outcome::Indicator(IndicatorId::NewUrbanJobs, last), format!("new_urban_jobs@{last}"))];
    let rows = super::analysis::oat_design(d);
    let y = eval.run(&rows, &oat_outcomes.iter().map(|(o, _)| o.clone()).collect::<Vec<_>>());
    let oat_csv = super::analysis::oat_table(&eval, &oat_outcomes, &y)?;
    // The headline targets, and new urban jobs year by year (the same runs serve every outcome).
    let mut headline: Vec<(Outcome, String)> = ["new_urban_jobs", "rural_labour_transfer"]
        .iter()
        .filter_map(|id| {
            sim_targets.iter().position(|t| t.id == *id).map(|k| (Outcome::TargetMet(k), format!("target:{id}")))
        })
        .collect();
    for y in data.baseline.base_year + 1..=last {
        headline.push((Outcome::Indicator(IndicatorId::NewUrbanJobs, y), format!("new_urban_jobs@{y}")));
    }
    let sobol_outcomes: Vec<Outcome> = headline.iter().map(|(o, _)| o.clone()).collect();
    let design = sensitivity::saltelli_design(256, d, &[], 256);
    let ys = eval.run(&design.rows, &sobol_outcomes);
    let mut sobol = csv::Writer::from_writer(Vec::new());
    sobol.write_record(super::analysis::SOBOL_HEADER)?;
    let mut drivers: Vec<(String, String, f64)> = Vec::new();
    for ((outcome, label), y) in headline.iter().zip(&ys) {
        if y.iter().any(|v| !v.is_finite()) {
            continue;
        }
        let idx = sensitivity::sobol_indices(&design, y, 100, a.seed);
        for (f, s) in idx.iter().enumerate() {
            sobol.write_record(super::analysis::sobol_record(label, &names[f], s))?;
            if matches!(outcome, Outcome::TargetMet(_)) {
                drivers.push((label.clone(), names[f].clone(), s.st));
            }
        }
    }

    // 3. Tables, parsed back so the charts come from exactly what is written.
    let summary_csv = tables::summary_csv(&summary)?;
    let targets_csv = tables::targets_csv(&summary, &data.targets)?;
    let paired_csv = tables::paired_csv(&summary)?;
    let sobol_csv = sobol.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?;
    let t = Tables::parse(&summary_csv, &targets_csv, &paired_csv, Some(&oat_csv), Some(&sobol_csv))
        .map_err(|e| anyhow::anyhow!(e))?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let meta = Meta {
        lang: a.lang,
        version: env!("CARGO_PKG_VERSION").to_string(),
        seed: a.seed,
        draws: a.draws,
        reproduce: format!("urbsim {}", args.join(" ")),
    };
    let workbook = urbsim::brief::workbook::workbook(&[
        ("targets", &targets_csv),
        ("summary", &summary_csv),
        ("paired", &paired_csv),
        ("sensitivity_oat", &oat_csv),
        ("sensitivity_sobol", &sobol_csv),
    ])
    .map_err(|e| anyhow::anyhow!(e))?;
    // 4. Charts and the page, all in memory; then everything is written, the manifest last.
    let (chart_files, charts) = draw_charts(&t, data, &meta)?;
    drivers.sort_by(|p, q| q.2.total_cmp(&p.2));
    let mut assumptions: Vec<AssumptionRow> = Vec::new();
    for (outcome, key, st) in &drivers {
        let Some(def) = ParamId::from_key(key).and_then(|id| data.baseline.params.iter().find(|p| p.id == id)) else {
            continue;
        };
        if !def.tag.is_assumption()
            || assumptions.iter().any(|x| &x.key == key)
            || assumptions.len() >= 10
            || *st < 0.01
        {
            continue;
        }
        assumptions.push(AssumptionRow {
            key: key.clone(),
            tag: def.tag.to_string(),
            value: format!(
                "{} {}{}",
                def.value,
                def.unit,
                def.dist.as_ref().map_or(String::new(), |d| format!(" · {d}"))
            ),
            meaning: def.id.spec().doc.to_string(),
            source: def.source.clone(),
            why: format!(
                "{} {st:.2} · {outcome}",
                if a.lang == Lang::Zh { "总效应指数" } else { "total Sobol' index" }
            ),
        });
    }
    let scenario_texts = resolved
        .iter()
        .map(|r| ScenarioText {
            name: r.name.clone(),
            title: if a.lang == Lang::Zh { r.title_zh.clone() } else { r.title_en.clone() },
            description: scenarios.iter().find(|s| s.name == r.name).map_or(String::new(), |s| s.description.clone()),
            clauses: r.enacts.clone(),
            levers: r
                .changed_levers
                .iter()
                .map(|(id, s)| {
                    (id.key().to_string(), format!("{} {}", super::commands::setting_text(s, *id), id.spec().unit))
                })
                .collect(),
        })
        .collect();
    let period = urbsim::report::period_label(resolved[reference].target_period).to_string();
    let page = pack::page(
        &t,
        &data.targets,
        &meta,
        PageInputs { scenarios: scenario_texts, assumptions, charts: &charts, period },
    );
    let elapsed = started.elapsed().as_secs_f64();
    let manifest = json!({
        "tool": "urbsim", "version": env!("CARGO_PKG_VERSION"), "command": "brief", "arguments": args,
        "seed": a.seed, "draws": a.draws, "sampler": "lhs", "lang": if a.lang == Lang::Zh { "zh" } else { "en" },
        "reference": resolved[reference].name, "elapsed_seconds": elapsed,
        "scenarios": scenarios.iter().map(|s| json!({"name": s.name, "files": s.files.iter().map(|(p, t)| json!({"path": p.display().to_string(), "sha256": sha256(t.as_bytes())})).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "baseline": {"source": data.baseline_origin.0, "sha256": data.baseline_origin.1},
        "targets": {"source": data.targets_origin.0, "sha256": data.targets_origin.1},
        "sensitivity": "OAT (10th/90th percentiles) for new urban jobs; Sobol' N = 256 for the jobs and transfer targets, central shocks",
        "reproduce": meta.reproduce,
    });
    let mut m = serde_json::to_vec_pretty(&manifest)?;
    m.push(b'\n');
    let staged = super::output::Staged::new(a.out)?;
    write_files(
        &staged.path().join("tables"),
        &[
            ("targets.csv", targets_csv.clone()),
            ("summary.csv", summary_csv.clone()),
            ("paired.csv", paired_csv.clone()),
            ("oat.csv", oat_csv.clone()),
            ("sobol.csv", sobol_csv.clone()),
            ("results.xlsx", workbook),
        ],
    )?;

    write_charts(staged.path(), &chart_files)?;
    write_atomic(staged.path(), "index.html", page.as_bytes())?;
    write_atomic(staged.path(), "manifest.json", &m)?;
    staged.commit()?;
    say!(
        "wrote {}: index.html, {} charts (PNG and SVG) in charts/, tables and results.xlsx in tables/ ({:.1} s)\nopen {} in a browser",
        a.out.display(),
        charts.len(),
        elapsed,
        a.out.join("index.html").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `urbsim chart`: re-draws every chart from a brief's or a sweep's saved tables.
pub fn cmd_chart(data: &Data, dir: &Path, lang: Lang, font: Option<&Path>) -> Result<ExitCode> {
    load_font(font)?;
    let base = if dir.join("tables").join("summary.csv").is_file() { dir.join("tables") } else { dir.to_path_buf() };
    let read = |name: &str| -> Result<Vec<u8>> {
        super::input::read_bytes(&base.join(name)).map_err(|e| {
            InputError(format!(
                "error: cannot read {}: {e}\n  hint: give the output folder of `urbsim brief` or `urbsim sweep`",
                base.join(name).display()
            ))
            .into()
        })
    };
    let optional = |name: &str| super::input::read_bytes(&base.join(name)).ok();
    let bad = |e: String| anyhow::Error::from(InputError(format!("error: {}: {e}", base.display())));
    // A sweep or brief folder has the sweep tables; a sensitivity or discovery folder only its own.
    let mut t = if base.join("summary.csv").is_file() {
        Tables::parse(&read("summary.csv")?, &read("targets.csv")?, &read("paired.csv")?, None, None).map_err(bad)?
    } else {
        Tables::default()
    };
    let mut found = !t.summary.is_empty();
    for (name, add) in [
        ("oat.csv", Tables::add_oat as fn(&mut Tables, &[u8]) -> Result<(), String>),
        ("sobol.csv", Tables::add_sobol),
        ("morris.csv", Tables::add_morris),
        ("prim.csv", Tables::add_prim),
        ("grid.csv", Tables::add_grid),
    ] {
        if let Some(bytes) = optional(name) {
            add(&mut t, &bytes).map_err(bad)?;
            found = true;
        }
    }
    if !found {
        return Err(InputError(format!(
            "error: {} holds no result tables\n  hint: give the output folder of `urbsim brief`, `sweep`, `sensitivity` or `discover`",
            dir.display()
        ))
        .into());
    }
    let manifest: serde_json::Value = super::input::read_bytes(&dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(serde_json::Value::Null);
    let seed = manifest["seed"].as_u64().or(manifest["run"]["seed"].as_u64()).unwrap_or(0);
    let draws = manifest["draws"].as_u64().or(manifest["run"]["draws"].as_u64()).unwrap_or(0);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let meta = Meta {
        lang,
        version: env!("CARGO_PKG_VERSION").to_string(),
        seed,
        draws,
        reproduce: format!("urbsim {}", args.join(" ")),
    };
    let (files, charts) = draw_charts(&t, data, &meta).context("drawing the charts")?;
    write_charts(dir, &files)?;
    say!("re-drew {} charts in {}", charts.len(), dir.join("charts").display());
    Ok(ExitCode::SUCCESS)
}
