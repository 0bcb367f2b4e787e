//! The `brief` and `chart` subcommands: the one-command briefing pack (sweep, a quick
//! sensitivity analysis, charts, tables, workbook, page) and re-drawing charts from saved tables.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use serde_json::json;

use super::data::{Data, load_scenarios};
use super::manifest::Manifest;
use super::output::{write_atomic, write_files};
use super::{Horizon, InputError, Interrupted};
use urbsim::brief::assemble;
use urbsim::brief::html::Lang;
use urbsim::brief::pack::{self, Meta, PageInputs, Tables};
use urbsim::exploration::tables as analysis_tables;
use urbsim::projection::{Resolved, resolve};
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
    /// Horizon and target-period reading.
    pub horizon: Horizon,
    /// Label language.
    pub lang: Lang,
    /// Output folder.
    pub out: &'a Path,
    /// Font replacing the bundled one.
    pub font: Option<&'a Path>,
    /// Indicators charted beyond the headline ones.
    pub indicators: Vec<urbsim::model::IndicatorId>,
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
    let specs = pack::chart_specs(t, &data.baseline, &data.targets, meta);
    let mut files = Vec::new();
    let mut refs = Vec::new();
    for (stem, caption, spec) in &specs {
        let r = pack::draw(spec, meta.lang).map_err(|e| match e {
            urbsim::chart::ChartError::MissingGlyph { .. } => {
                anyhow::Error::from(InputError(format!("error: chart {stem}: {e}")))
            }
            other => anyhow::anyhow!("chart {stem}: {other}"),
        })?;
        files.push((format!("{stem}.svg"), r.svg.into_bytes()));
        files.push((format!("{stem}.png"), r.png));
        files.push((format!("{stem}.pdf"), r.pdf));
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
    let resolved: Vec<Resolved> = scenarios
        .iter()
        .map(|s| resolve(&data.baseline, s, data.targets.plan.policy_start, a.horizon.until, a.horizon.period))
        .collect();
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
    let partial = plan.run(0..config.chunks(), &urbsim::sweep::Silent).map_err(|_| Interrupted)?;
    let summary = sweep::summarise(partial, &data.targets).map_err(|e| anyhow::anyhow!(e))?;

    // 2. A quick sensitivity analysis of the reference scenario for the headline targets.
    let quick = assemble::quick_sensitivity(&data.baseline, &data.targets, &resolved[reference], a.seed)
        .map_err(|e| anyhow::anyhow!("{e}; nothing was written"))?;
    let oat_csv = analysis_tables::to_csv("oat.csv", &quick.oat).map_err(anyhow::Error::msg)?;
    let sobol_csv = analysis_tables::to_csv("sobol.csv", &quick.sobol).map_err(anyhow::Error::msg)?;

    // 3. Tables, parsed back so the charts come from exactly what is written.
    let summary_csv = tables::summary_csv(&summary)?;
    // What each package changes against the status quo, read back from its table like the rest.
    let changes_csv =
        analysis_tables::to_csv("changes.csv", &assemble::changes(&summary, data.targets.plan.policy_start, 12))
            .map_err(anyhow::Error::msg)?;
    let targets_csv = tables::targets_csv(&summary, &data.targets)?;
    let paired_csv = tables::paired_csv(&summary)?;
    let titles_csv =
        analysis_tables::to_csv("scenarios.csv", &assemble::titles(&resolved)).map_err(anyhow::Error::msg)?;
    let mut t = Tables::parse(&summary_csv, &targets_csv, &paired_csv, Some(&oat_csv), Some(&sobol_csv))
        .map_err(|e| anyhow::anyhow!(e))?;
    t.add_titles(&titles_csv).map_err(anyhow::Error::msg)?;
    t.add_changes(&changes_csv).map_err(anyhow::Error::msg)?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let meta = Meta {
        lang: a.lang,
        version: env!("CARGO_PKG_VERSION").to_string(),
        seed: a.seed,
        draws: a.draws,
        reproduce: format!("urbsim {}", args.join(" ")),
        extra: a.indicators.clone(),
    };
    let readers = urbsim::brief::workbook::Readers {
        names: reader_names(&t, &data.targets, &quick, a.lang),
        chinese: a.lang == Lang::Zh,
        notes: if a.lang == Lang::Zh {
            vec![
                "浏阳市新型城镇化试点方案：情景模拟结果表".to_string(),
                format!("{} 次模拟（拉丁超立方抽样），种子 {}，urbsim {}", a.draws, a.seed, env!("CARGO_PKG_VERSION")),
                "每个工作表对应 tables/ 下的一个 CSV；第一行为中文列名，第二行为程序使用的列名。".to_string(),
                "单位见 unit 列：share 为比例（显示为百分比），persons 为人，亿元为亿元；达成概率显示为百分比。"
                    .to_string(),
                format!("复现命令：{}", meta.reproduce),
            ]
        } else {
            vec![
                "Liuyang new-urbanisation pilot plan: scenario results".to_string(),
                format!("{} draws (Latin hypercube), seed {}, urbsim {}", a.draws, a.seed, env!("CARGO_PKG_VERSION")),
                "Each sheet is one CSV of tables/; the first row holds the column ids.".to_string(),
                "Units are in the unit column: share (shown as a percentage), persons, 亿元 (100 million yuan); probabilities are shown as percentages.".to_string(),
                format!("Reproduce with: {}", meta.reproduce),
            ]
        },
    };
    let workbook = urbsim::brief::workbook::workbook_for_readers(
        &[
            ("targets", &targets_csv),
            ("summary", &summary_csv),
            ("paired", &paired_csv),
            ("sensitivity_oat", &oat_csv),
            ("sensitivity_sobol", &sobol_csv),
            ("changes", &changes_csv),
        ],
        &readers,
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    // 4. Charts and the page, all in memory; then everything is written, the manifest last.
    let (chart_files, charts) = draw_charts(&t, data, &meta)?;
    let (page, docx) = render_page(
        data,
        &t,
        &meta,
        PageParts { resolved: &resolved, scenarios: &scenarios, reference, drivers: &quick.drivers },
        (&charts, &chart_files),
    )?;
    let elapsed = started.elapsed().as_secs_f64();
    let mut manifest = Manifest::new("brief", data)
        .scenarios(&scenarios)
        .with(
            "options",
            json!({"seed": a.seed, "draws": a.draws, "sampler": "lhs", "lang": if a.lang == Lang::Zh { "zh" } else { "en" },
                "until": a.horizon.until, "target_period": a.horizon.period.map(urbsim::report::period_label),
                "reference": resolved[reference].name}),
        )
        .with("seed", json!(a.seed))
        .with("draws", json!(a.draws))
        .with("lang", json!(if a.lang == Lang::Zh { "zh" } else { "en" }))
        .with("elapsed_seconds", json!(elapsed))
        .with(
            "sensitivity",
            json!(format!(
                "OAT (10th/90th percentiles) for new urban jobs; Sobol' N = {} for the jobs and transfer targets, central shocks",
                assemble::QUICK_SOBOL_N
            )),
        );
    let table_files = [
        ("targets.csv", targets_csv.clone()),
        ("summary.csv", summary_csv.clone()),
        ("paired.csv", paired_csv.clone()),
        ("oat.csv", oat_csv.clone()),
        ("sobol.csv", sobol_csv.clone()),
        ("changes.csv", changes_csv.clone()),
        ("scenarios.csv", titles_csv.clone()),
        ("results.xlsx", workbook),
    ];
    for (name, bytes) in &table_files {
        manifest.output(&format!("tables/{name}"), bytes);
    }
    for (name, bytes) in &chart_files {
        manifest.output(&format!("charts/{name}"), bytes);
    }
    manifest.output("index.html", page.as_bytes());
    manifest.output("brief.docx", &docx);
    let m = manifest.bytes()?;
    let staged = super::output::Staged::new(a.out)?;
    write_files(&staged.path().join("tables"), &table_files)?;

    write_charts(staged.path(), &chart_files)?;
    write_atomic(staged.path(), "index.html", page.as_bytes())?;
    write_atomic(staged.path(), "brief.docx", &docx)?;
    write_atomic(staged.path(), "manifest.json", &m)?;
    staged.commit()?;
    say!(
        "wrote {}: index.html, brief.docx, {} charts (PNG and SVG) in charts/, tables and results.xlsx in tables/ ({:.1} s)\nopen {} in a browser",
        a.out.display(),
        charts.len(),
        elapsed,
        a.out.join("index.html").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The charts drawn: (stem, caption) in display order, and the chart files (name, bytes).
type Drawn<'a> = (&'a [(String, String)], &'a [(String, Vec<u8>)]);

/// What the page needs beyond the tables and charts.
struct PageParts<'a> {
    resolved: &'a [Resolved],
    scenarios: &'a [urbsim::scenario::Scenario],
    reference: usize,
    drivers: &'a [(String, String, f64)],
}

/// The page and the Word brief, in the language of `meta`.
fn render_page(
    data: &Data,
    t: &Tables,
    meta: &Meta,
    parts: PageParts,
    (charts, chart_files): Drawn,
) -> Result<(String, Vec<u8>)> {
    let lang = meta.lang;
    let reference = &parts.resolved[parts.reference];
    let assumptions = assemble::key_assumptions(parts.drivers, &data.baseline, &data.targets, lang);
    let scenario_texts = assemble::scenario_texts(&data.baseline, parts.resolved, parts.scenarios, lang);
    let basis: Vec<(String, String)> = assemble::target_basis(&data.baseline, &data.targets, reference)
        .into_iter()
        .map(|(id, drivers)| (id, assemble::basis_text(&drivers, lang)))
        .collect();
    let period = urbsim::report::period_label(reference.target_period).to_string();
    let model = pack::page_model(
        t,
        &data.targets,
        meta,
        PageInputs { scenarios: scenario_texts, assumptions, charts, period, basis },
    );
    let page = urbsim::brief::html::render(&model);
    // The Word brief: the same content, the key charts embedded.
    let pngs: Vec<(String, Vec<u8>)> = chart_files
        .iter()
        .filter_map(|(name, bytes)| name.strip_suffix(".png").map(|stem| (stem.to_string(), bytes.clone())))
        .collect();
    let docx = urbsim::brief::docx::render(&model, &pngs).map_err(anyhow::Error::msg)?;
    Ok((page, docx))
}

/// Re-renders a brief's page and Word brief in `meta`'s language after `urbsim chart --lang`,
/// from the scenario files its manifest names, and brings the manifest up to date (language,
/// output hashes). A scenario file that is gone leaves the page as it was, with a warning.
fn rerender_brief(
    data: &Data,
    dir: &Path,
    t: &Tables,
    meta: &Meta,
    manifest: &serde_json::Value,
    drawn: Drawn,
) -> Result<bool> {
    let paths: Vec<PathBuf> = manifest["scenarios"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["files"][0]["path"].as_str().map(PathBuf::from)).collect())
        .unwrap_or_default();
    if paths.is_empty() {
        return Ok(false);
    }
    let scenarios = match load_scenarios(data, &paths) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "{}",
                urbsim::report::terminal_safe(&format!(
                    "warning: index.html and brief.docx keep their language: the scenario files of the brief cannot be read ({e})"
                ))
            );
            return Ok(false);
        }
    };
    let until = manifest["options"]["until"].as_u64().and_then(|y| u16::try_from(y).ok());
    let period = match manifest["options"]["target_period"].as_str() {
        Some("2024-2028") => Some(urbsim::scenario::TargetPeriod::From2024),
        Some("2025-2028") => Some(urbsim::scenario::TargetPeriod::From2025),
        _ => None,
    };
    let resolved: Vec<Resolved> =
        scenarios.iter().map(|s| resolve(&data.baseline, s, data.targets.plan.policy_start, until, period)).collect();
    let reference_name = manifest["options"]["reference"].as_str().unwrap_or("baseline");
    let reference = resolved.iter().position(|r| r.name == reference_name).unwrap_or(0);
    let mut drivers: Vec<(String, String, f64)> =
        t.sobol.iter().filter(|r| r.0.starts_with("target:")).map(|r| (r.0.clone(), r.1.clone(), r.2)).collect();
    drivers.sort_by(|p, q| q.2.total_cmp(&p.2));
    let (page, docx) = render_page(
        data,
        t,
        meta,
        PageParts { resolved: &resolved, scenarios: &scenarios, reference, drivers: &drivers },
        drawn,
    )?;
    write_atomic(dir, "index.html", page.as_bytes())?;
    write_atomic(dir, "brief.docx", &docx)?;
    // The manifest: the language, and the hash of every output as it now is.
    let mut m = manifest.clone();
    let lang = if meta.lang == Lang::Zh { "zh" } else { "en" };
    m["lang"] = json!(lang);
    m["options"]["lang"] = json!(lang);
    m["redrawn_by"] = json!(format!("urbsim {}", std::env::args().skip(1).collect::<Vec<_>>().join(" ")));
    if let Some(outputs) = m["outputs"].as_array_mut() {
        for o in outputs {
            if let Some(file) = o["file"].as_str()
                && let Ok(bytes) = super::input::read_bytes(&dir.join(file))
            {
                o["sha256"] = json!(super::output::sha256(&bytes));
            }
        }
    }
    let mut bytes = serde_json::to_vec_pretty(&m)?;
    bytes.push(b'\n');
    write_atomic(dir, "manifest.json", &bytes)?;
    Ok(true)
}

/// Runs `urbsim chart`: re-draws every chart from a brief's or a sweep's saved tables.
pub fn cmd_chart(
    data: &Data,
    dir: &Path,
    lang: Lang,
    font: Option<&Path>,
    indicators: &[urbsim::model::IndicatorId],
) -> Result<ExitCode> {
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
        ("scenarios.csv", Tables::add_titles),
        ("changes.csv", Tables::add_changes),
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
    let first =
        |key: &str| [&manifest[key], &manifest["run"][key], &manifest["options"][key]].iter().find_map(|v| v.as_u64());
    let seed = first("seed").unwrap_or(0);
    let draws = first("draws").unwrap_or(0);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let meta = Meta {
        lang,
        version: env!("CARGO_PKG_VERSION").to_string(),
        seed,
        draws,
        reproduce: format!("urbsim {}", args.join(" ")),
        extra: indicators.to_vec(),
    };
    let (files, charts) = draw_charts(&t, data, &meta).context("drawing the charts")?;
    write_charts(dir, &files)?;
    say!("re-drew {} charts in {}", charts.len(), dir.join("charts").display());
    // A brief's page and Word brief follow the charts' language.
    if dir.join("index.html").is_file()
        && manifest["command"] == "brief"
        && rerender_brief(data, dir, &t, &meta, &manifest, (&charts, &files))?
    {
        say!(
            "re-rendered {} and {} in the same language",
            dir.join("index.html").display(),
            dir.join("brief.docx").display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The names readers use for the ids in the workbook's tables, in `lang`, by kind of id:
/// scenario titles, indicators, parameters, targets and the quick analysis's outcomes.
fn reader_names(
    t: &Tables,
    targets: &urbsim::targets::PlanTargets,
    quick: &assemble::QuickSensitivity,
    lang: Lang,
) -> std::collections::BTreeMap<&'static str, std::collections::BTreeMap<String, String>> {
    use urbsim::model::{IndicatorId, ParamId};
    use urbsim::names;
    let scenarios = t.scenarios.iter().map(|s| (s.clone(), t.title(s, lang))).collect();
    let indicators =
        IndicatorId::ALL.iter().map(|id| (id.key().to_string(), names::indicator(*id, lang).to_string())).collect();
    let parameters =
        ParamId::ALL.iter().map(|id| (id.key().to_string(), names::param(*id, lang).to_string())).collect();
    let target_names = targets
        .target
        .iter()
        .map(|x| (x.id.clone(), if lang == Lang::Zh { x.text_zh.clone() } else { x.text_en.clone() }))
        .collect();
    let outcomes = quick
        .oat
        .iter()
        .map(|r| &r.outcome)
        .chain(quick.sobol.iter().map(|r| &r.outcome))
        .map(|o| (o.clone(), names::outcome(o, targets, lang)))
        .collect();
    std::collections::BTreeMap::from([
        ("scenario", scenarios),
        ("indicator", indicators),
        ("parameter", parameters),
        ("target", target_names),
        ("outcome", outcomes),
    ])
}
