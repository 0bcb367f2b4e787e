//! One function per subcommand: load and validate inputs, run the pure core, write and print.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use super::input::read_text;
use super::output::{sha256, write_folder};
use super::{BASELINE, Cli, Command, Format, InputError, PeriodArg, SamplerArg, TARGETS, TagArg};
use urbsim::baseline::{Baseline, Setting};
use urbsim::calibrate::{self, Comparison};
use urbsim::model::levers::LeverKind;
use urbsim::model::{IndicatorId, LAST_YEAR, LeverId, ParamId};
use urbsim::projection::{BaseState, Projection, Resolved, ScenarioKeys, project_from, resolve};
use urbsim::report::{self, ScenarioResult};
use urbsim::scenario::{self, TargetPeriod};
use urbsim::sweep::target_chances;
use urbsim::targets::PlanTargets;

/// The baseline and targets in use, with where they came from.
pub struct Data {
    /// The baseline.
    pub baseline: Baseline,
    /// Where it came from, and its SHA-256.
    pub baseline_origin: (String, String),
    /// The plan's targets.
    pub targets: PlanTargets,
    /// Where they came from, and their SHA-256.
    pub targets_origin: (String, String),
}

fn read(path: &Path) -> Result<String> {
    read_text(path).map_err(|e| InputError(format!("error: cannot read {}: {e}", path.display())).into())
}

fn load_data(cli: &Cli) -> Result<Data> {
    let (btext, bname) = match &cli.baseline {
        Some(p) => (read(p)?, p.display().to_string()),
        None => (BASELINE.to_string(), "seeds/liuyang-baseline.toml (built in)".to_string()),
    };
    let baseline =
        Baseline::parse(&bname, &btext).map_err(|e| InputError(format!("error: invalid baseline data\n{e}")))?;
    let (ttext, tname) = match &cli.targets {
        Some(p) => (read(p)?, p.display().to_string()),
        None => (TARGETS.to_string(), "seeds/plan-targets.toml (built in)".to_string()),
    };
    let targets =
        PlanTargets::parse(&tname, &ttext).map_err(|e| InputError(format!("error: invalid plan targets\n{e}")))?;
    Ok(Data {
        baseline,
        baseline_origin: (bname, sha256(btext.as_bytes())),
        targets,
        targets_origin: (tname, sha256(ttext.as_bytes())),
    })
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let data = load_data(&cli)?;
    match cli.command {
        Command::Run { ref scenarios, until, ref out, target_period, draws, seed } => {
            cmd_run(&data, scenarios, until, out, target_period, (draws, seed))
        }
        Command::Validate { ref files } => cmd_validate(&data, files),
        Command::Explain { ref name, format, tag } => cmd_explain(&data, name.as_deref(), format, tag),
        Command::Backcast { format } => cmd_backcast(&data, format),
        Command::Calibrate => cmd_calibrate(&data),
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "urbsim", &mut out);
            use std::io::Write as _;
            std::io::stdout().write_all(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Sweep {
            ref scenarios,
            draws,
            seed,
            sampler,
            threads,
            ref out,
            ref reference,
            keep_draws,
            ref lever,
            ref shard,
            quantile_sample,
            until,
            target_period,
            quiet,
        } => super::sweep::cmd_sweep(
            &data,
            super::sweep::SweepArgs {
                scenarios,
                draws,
                seed,
                sampler: match sampler {
                    SamplerArg::Mc => urbsim::sweep::Sampler::MonteCarlo,
                    SamplerArg::Lhs => urbsim::sweep::Sampler::LatinHypercube,
                },
                threads,
                out,
                reference: reference.as_deref(),
                keep_draws,
                levers: lever,
                shard: shard.as_deref(),
                quantile_sample,
                until,
                target_period,
                quiet,
            },
        ),
        Command::Merge { ref dirs, ref out } => super::sweep::cmd_merge(&data, dirs, out),
        Command::Brief { ref scenarios, draws, seed, lang, ref out, ref font } => super::brief::cmd_brief(
            &data,
            super::brief::BriefArgs { scenarios, draws, seed, lang: lang.lang(), out, font: font.as_deref() },
        ),
        Command::Chart { ref dir, lang, ref font } => super::brief::cmd_chart(&data, dir, lang.lang(), font.as_deref()),
        Command::Sensitivity {
            ref scenario,
            method,
            ref outcome,
            samples,
            seed,
            ref out,
            groups,
            ref export_design,
        } => super::analysis::cmd_sensitivity(
            &data,
            super::analysis::SensitivityArgs {
                scenario,
                method,
                outcomes: outcome,
                samples,
                seed,
                out,
                groups,
                export_design: export_design.as_deref(),
            },
        ),
        Command::Discover { ref scenario, ref target, draws, seed, alpha, ref out } => super::analysis::cmd_discover(
            &data,
            super::analysis::DiscoverArgs { scenario, target, draws, seed, alpha, out },
        ),
    }
}

/// Loads every scenario, collecting all problems of all files before giving up.
pub fn load_scenarios(data: &Data, paths: &[PathBuf]) -> Result<Vec<scenario::Scenario>> {
    let keys = ScenarioKeys::new(&data.baseline);
    let schema = keys.schema();
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        // `urbsim run baseline` means the shipped scenario: say so rather than only "not found".
        let shipped = Path::new("scenarios").join(path).with_extension("toml");
        if !path.exists() && path.extension().is_none() && shipped.is_file() {
            problems.push(format!("{}: no such file\n  hint: did you mean {}?", path.display(), shipped.display()));
            continue;
        }
        match scenario::load(path, &schema, &mut |p| read_text(p)) {
            Ok(s) => loaded.push(s),
            Err(e) => problems.push(e.to_string()),
        }
    }
    for (i, s) in loaded.iter().enumerate() {
        if loaded[..i].iter().any(|o| o.name == s.name) {
            problems.push(format!(
                "{}: scenario name `{}` is used by two files\n  hint: give each scenario its own `name`",
                paths[i].display(),
                s.name
            ));
        }
    }
    if !problems.is_empty() {
        return Err(InputError(problems.join("\n")).into());
    }
    // A fixed value outside the parameter's uncertainty range is allowed (extreme-condition
    // tests need it) but never silent: the result is an extrapolation beyond what was calibrated.
    for (s, path) in loaded.iter().zip(paths) {
        for (key, value) in &s.parameters {
            let scenario::Value::Number(x) = value else { continue };
            let Some(def) = data.baseline.params.iter().find(|d| d.id.key() == key) else { continue };
            let Some(dist) = &def.dist else { continue };
            let (lo, hi) = dist.support();
            if *x < lo || *x > hi {
                eprintln!(
                    "{}",
                    urbsim::report::terminal_safe(&format!(
                        "warning: {}: parameters.{key} = {x} lies outside its uncertainty range {dist}; results are \
                         an extrapolation beyond what the model was calibrated for",
                        path.display()
                    ))
                );
            }
        }
    }
    Ok(loaded)
}

pub fn period(p: Option<PeriodArg>) -> Option<TargetPeriod> {
    p.map(|p| match p {
        PeriodArg::From2025 => TargetPeriod::From2025,
        PeriodArg::From2024 => TargetPeriod::From2024,
    })
}

fn cmd_run(
    data: &Data,
    paths: &[PathBuf],
    until: Option<u16>,
    out: &Path,
    target_period: Option<PeriodArg>,
    (draws, seed): (u64, u64),
) -> Result<ExitCode> {
    let first = data.baseline.base_year + 1;
    if let Some(y) = until
        && !(first..=LAST_YEAR).contains(&y)
    {
        return Err(InputError(format!(
            "error: --until {y} is outside [{first}, {LAST_YEAR}]\n  hint: choose a year from {first} to {LAST_YEAR}"
        ))
        .into());
    }
    let scenarios = match load_scenarios(data, paths) {
        Ok(s) => s,
        Err(e) => return Err(InputError(format!("{e}\nnothing was written")).into()),
    };
    let resolved: Vec<Resolved> = scenarios
        .iter()
        .map(|s| resolve(&data.baseline, s, data.targets.plan.policy_start, until, period(target_period)))
        .collect();
    let base = BaseState::new(&data.baseline);
    let projections: Vec<Projection> = resolved.iter().map(|r| project_from(&data.baseline, &base, r)).collect();
    let chances = if draws == 0 {
        vec![vec![None; data.targets.target.len()]; resolved.len()]
    } else {
        target_chances(&data.baseline, &data.targets, &resolved, draws, seed, &urbsim::sweep::Silent)?
    };
    let results: Vec<ScenarioResult> = resolved
        .iter()
        .zip(&projections)
        .zip(chances)
        .map(|((resolved, projection), chances)| ScenarioResult { resolved, projection, chances })
        .collect();

    let files = vec![
        ("results.csv", report::tidy_csv(&results)?),
        ("results.json", report::json(&data.targets, &results)?),
        ("targets.csv", report::targets_csv(&data.targets, &results)?),
    ];
    let manifest = manifest(data, &scenarios, &resolved, &files, until, target_period, (draws, seed))?;
    write_folder(out, &files, &manifest)?;
    emit!("{}", report::summary_text(&data.targets, &results));
    say!("wrote {} (results.csv, results.json, targets.csv, manifest.json)", out.display());
    Ok(ExitCode::SUCCESS)
}

fn manifest(
    data: &Data,
    scenarios: &[scenario::Scenario],
    resolved: &[Resolved],
    files: &[(&str, Vec<u8>)],
    until: Option<u16>,
    target_period: Option<PeriodArg>,
    (draws, seed): (u64, u64),
) -> Result<Vec<u8>> {
    let scenario_files: Vec<_> = scenarios
        .iter()
        .zip(resolved)
        .map(|(s, r)| {
            json!({
                "name": s.name,
                "until": r.until,
                "target_period": report::period_label(r.target_period),
                "files": s.files.iter().map(|(p, text)| json!({"path": p.display().to_string(), "sha256": sha256(text.as_bytes())})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let outputs: Vec<_> = files.iter().map(|(name, bytes)| json!({"file": name, "sha256": sha256(bytes)})).collect();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let m = json!({
        "tool": "urbsim",
        "version": env!("CARGO_PKG_VERSION"),
        "command": "run",
        "arguments": args,
        "mode": "median run: every uncertain parameter at its median, every shock at zero; target chances from Latin-hypercube futures with shocks",
        "policy_start": data.targets.plan.policy_start,
        "base_year": data.baseline.base_year,
        "options": {
            "until": until,
            "draws": draws,
            "seed": seed,
            "target_period": target_period.map(|p| report::period_label(period(Some(p)).unwrap_or(TargetPeriod::From2025))),
        },
        "baseline": {"source": data.baseline_origin.0, "sha256": data.baseline_origin.1},
        "targets": {"source": data.targets_origin.0, "sha256": data.targets_origin.1},
        "scenarios": scenario_files,
        "outputs": outputs,
        "reproduce": format!("urbsim {}", args.join(" ")),
    });
    let mut bytes = serde_json::to_vec_pretty(&m)?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn cmd_validate(data: &Data, files: &[PathBuf]) -> Result<ExitCode> {
    let scenarios = load_scenarios(data, files)?;
    for (s, path) in scenarios.iter().zip(files) {
        say!("ok: {} ({} · {})", path.display(), s.name, s.title_zh);
    }
    Ok(ExitCode::SUCCESS)
}

/// A lever setting as people read it: on/off, option names, "none", per-year tables.
pub fn setting_text(s: &Setting, id: LeverId) -> String {
    let one = |x: f64| match id.spec().kind {
        LeverKind::Bool => {
            if x > 0.5 {
                "on".to_string()
            } else {
                "off".to_string()
            }
        }
        LeverKind::Choice(options) => options.get(x as usize).map_or_else(|| x.to_string(), |o| o.to_string()),
        LeverKind::Year { .. } if x.is_infinite() => "none".to_string(),
        _ => x.to_string(),
    };
    match s {
        Setting::Constant(x) => one(*x),
        Setting::Schedule(m) => {
            let parts: Vec<String> = m.iter().map(|(y, v)| format!("{y} = {}", one(*v))).collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

fn range_text(kind: LeverKind) -> String {
    match kind {
        LeverKind::Number { min, max } => format!("{min} to {max}"),
        LeverKind::Bool => "on/off".to_string(),
        LeverKind::Choice(o) => o.join(" | "),
        LeverKind::Year { min, max } => format!("{min} to {max} or none"),
    }
}

fn cmd_explain(data: &Data, name: Option<&str>, format: Format, tag: Option<TagArg>) -> Result<ExitCode> {
    let b = &data.baseline;
    let tag = tag.map(|t| format!("{t:?}"));
    let sections = ["levers", "parameters", "indicators", "targets", "data"];
    let wanted = |section: &str, key: &str| match name {
        None => true,
        Some(n) if sections.contains(&n) => n == section,
        Some(n) => n == key,
    };
    let levers: Vec<_> = b
        .levers
        .iter()
        .filter(|d| wanted("levers", d.id.key()))
        .map(|d| {
            let s = d.id.spec();
            json!({"key": s.key, "id": s.model_ref, "unit": s.unit, "range": range_text(s.kind), "default": setting_text(&d.default, d.id),
                   "tag": d.tag.to_string(), "clause": s.clause, "meaning": s.doc, "source": d.source})
        })
        .collect();
    let params: Vec<_> = b
        .params
        .iter()
        .filter(|d| wanted("parameters", d.id.key()))
        .map(|d| {
            let s = d.id.spec();
            json!({"key": s.key, "model": s.model_ref, "block": format!("{:?}", s.block).to_lowercase(), "unit": d.unit, "value": d.value,
                   "uncertainty": d.dist.as_ref().map(|x| x.to_string()), "tag": d.tag.to_string(), "meaning": s.doc, "source": d.source})
        })
        .collect();
    let indicators: Vec<_> = IndicatorId::ALL
        .iter()
        .filter(|id| wanted("indicators", id.key()))
        .map(|id| {
            let s = id.spec();
            let targets: Vec<String> = data
                .targets
                .target
                .iter()
                .filter(|t| t.indicator == s.key)
                .map(|t| {
                    format!(
                        "{} {} {} {} ({}, {})",
                        t.id,
                        t.direction.symbol(),
                        t.quantity,
                        t.unit,
                        t.clause,
                        format!("{:?}", t.period).to_lowercase()
                    )
                })
                .collect();
            json!({"key": s.key, "unit": s.unit, "zh": s.zh, "en": s.en, "outcome": s.outcome, "targets": targets})
        })
        .collect();
    let targets: Vec<_> = data
        .targets
        .target
        .iter()
        .filter(|t| wanted("targets", &t.id))
        .map(|t| {
            json!({"id": t.id, "clause": t.clause, "kind": t.kind, "text_zh": t.text_zh, "text_en": t.text_en, "direction": t.direction.symbol(),
                   "quantity": t.quantity, "unit": t.unit, "period": format!("{:?}", t.period).to_lowercase(),
                   "indicator": t.indicator, "responsible": t.responsible, "note": t.note,
                   "judged_by": t.judged().key(), "definition": t.definition})
        })
        .collect();
    let mut datarows: Vec<_> = b
        .tagged
        .iter()
        .filter(|(k, _)| wanted("data", k))
        .map(|(k, t)| json!({"key": k, "value": if t.value.is_finite() { json!(t.value) } else { json!(null) }, "tag": t.tag.to_string(), "source": t.source}))
        .collect();
    for s in &b.sectors {
        for (field, t) in &s.fields {
            let key = format!("sector.{}.{}", s.key, field);
            if wanted("data", &key) {
                datarows.push(json!({"key": key, "value": t.value, "tag": t.tag.to_string(), "source": format!("{} · {}", s.name, t.source)}));
            }
        }
    }
    for (p, (tag, clause, source)) in b.inputs.projects.iter().zip(&b.project_tags) {
        let key = format!("project.{}", p.name);
        if wanted("data", &key) {
            datarows.push(json!({"key": key, "value": p.amount, "tag": tag.to_string(),
                "source": format!("{clause}; {:?} {} at {}亿, start {} over {} years; {source}", p.capacity, p.amount, p.cost, p.start_year, p.duration)}));
        }
    }
    for (a, b2, rho, tag, source) in &b.correlation_pairs {
        let key = format!("correlation.{}~{}", a.key(), b2.key());
        if wanted("data", &key) {
            datarows.push(json!({"key": key, "value": rho, "tag": tag.to_string(), "source": format!("rank correlation; {source}")}));
        }
    }
    // `--tag L` keeps only the levers, parameters and data of that tag (indicators and targets
    // carry none, so they are left out).
    let (mut levers, mut params, mut indicators, mut targets) = (levers, params, indicators, targets);
    if let Some(t) = &tag {
        let keep = |v: &serde_json::Value| v["tag"].as_str() == Some(t.as_str());
        levers.retain(keep);
        params.retain(keep);
        datarows.retain(keep);
        indicators.clear();
        targets.clear();
    }
    let total = levers.len() + params.len() + indicators.len() + targets.len() + datarows.len();
    if total == 0 {
        let n = name.unwrap_or_default();
        let all: Vec<&str> = LeverId::ALL
            .iter()
            .map(|i| i.key())
            .chain(ParamId::ALL.iter().map(|i| i.key()))
            .chain(IndicatorId::ALL.iter().map(|i| i.key()))
            .chain(sections)
            .collect();
        let close: Vec<&str> = all.iter().copied().filter(|k| k.contains(n) || n.contains(*k)).take(5).collect();
        let hint = if close.is_empty() {
            "run `urbsim explain` to list everything".to_string()
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        return Err(InputError(format!("error: nothing is called `{n}`\n  hint: {hint}")).into());
    }
    if format == Format::Json {
        let doc = json!({"base_year": b.base_year, "policy_start": data.targets.plan.policy_start, "levers": levers, "parameters": params, "indicators": indicators, "targets": targets, "data": datarows});
        say!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    let s = |v: &serde_json::Value, k: &str| match &v[k] {
        serde_json::Value::String(x) => x.clone(),
        serde_json::Value::Null => "-".to_string(),
        other => other.to_string(),
    };
    say!(
        "Tags: S sourced · D derived · A assumption · C calibrated · L to be loaded from city departments (placeholder). Base year {}.",
        b.base_year
    );
    if !levers.is_empty() {
        say!(
            "\nLEVERS (set in a scenario's [levers]; a value without a year acts from the policy start, {}, and {} \
             runs the status quo (the defaults below); a per-year table {{ {} = 500, {} = 800 }} acts from the \
             years it names)",
            data.targets.plan.policy_start,
            b.base_year + 1,
            b.base_year + 1,
            data.targets.plan.policy_start + 1
        );
        for l in &levers {
            say!(
                "  {:<28} {:<4} [{}] {:<14} default {:<22} range {:<24} {}  {}",
                s(l, "key"),
                s(l, "id"),
                s(l, "tag"),
                s(l, "unit"),
                s(l, "default"),
                s(l, "range"),
                s(l, "clause"),
                s(l, "meaning")
            );
        }
    }
    if !params.is_empty() {
        say!(
            "\nPARAMETERS (the median value `run` uses; uncertainty sampled by sweeps; override in a scenario's [parameters])"
        );
        for p in &params {
            say!(
                "  {:<26} [{}] {:>10} {:<18} {:<34} {} — {}",
                s(p, "key"),
                s(p, "tag"),
                s(p, "value"),
                s(p, "unit"),
                s(p, "uncertainty"),
                s(p, "meaning"),
                s(p, "source")
            );
        }
    }
    if !indicators.is_empty() {
        say!("\nINDICATORS (ids of results.csv)");
        for i in &indicators {
            let t = i["targets"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join("; "))
                .unwrap_or_default();
            let t = if t.is_empty() { String::new() } else { format!("  target: {t}") };
            say!(
                "  {:<30} {:<18} {:<4} {} / {}{}",
                s(i, "key"),
                s(i, "unit"),
                s(i, "outcome"),
                s(i, "zh"),
                s(i, "en"),
                t
            );
        }
    }
    if !targets.is_empty() {
        say!("\nPLAN TARGETS AND MILESTONES ({})", data.targets.plan.title);
        for t in &targets {
            let ind = s(t, "indicator");
            let sim = if ind.is_empty() {
                "not simulated".to_string()
            } else {
                format!("indicator {ind}, judged as {}: {}", s(t, "judged_by"), s(t, "definition"))
            };
            say!(
                "  {:<34} {:<8} {} {} {} {} ({}) — {}; {}",
                s(t, "id"),
                s(t, "clause"),
                s(t, "kind"),
                s(t, "direction"),
                s(t, "quantity"),
                s(t, "unit"),
                s(t, "period"),
                s(t, "text_zh"),
                sim
            );
        }
    }
    if !datarows.is_empty() {
        say!("\nDATA (census start, base-year values, sectors, named projects)");
        for d in &datarows {
            say!("  {:<44} [{}] {:>12}  {}", s(d, "key"), s(d, "tag"), s(d, "value"), s(d, "source"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn comparison_table(rows: &[Comparison]) -> String {
    let mut out = format!(
        "{:<6}{:<24}{:>14}{:>14}{:>10}{:>9}  {}\n",
        "year", "indicator", "simulated", "published", "error", "bound", "ok"
    );
    for c in rows {
        let rate = c.indicator == "urbanisation_rate";
        let (sim, publ, err) = if rate {
            (
                format!("{:.2}%", c.simulated * 100.0),
                format!("{:.2}%", c.published * 100.0),
                format!("{:+.2}pp", c.error * 100.0),
            )
        } else {
            (format!("{:.0}", c.simulated), format!("{:.0}", c.published), format!("{:+.2}%", c.error * 100.0))
        };
        let bound = match (c.tolerance, rate) {
            (None, _) => "-".to_string(),
            (Some(t), true) => format!("{:.0}pp", t * 100.0),
            (Some(t), false) => format!("{:.0}%", t * 100.0),
        };
        out += &format!(
            "{:<6}{:<24}{:>14}{:>14}{:>10}{:>9}  {}\n",
            c.year,
            c.indicator,
            sim,
            publ,
            err,
            bound,
            if c.tolerance.is_none() {
                "-"
            } else if c.accepted() {
                "yes"
            } else {
                "NO"
            }
        );
    }
    out
}

fn cmd_backcast(data: &Data, format: Format) -> Result<ExitCode> {
    let b = &data.baseline;
    let (_, rows) = calibrate::run_backcast(b, &b.central_params());
    let comparisons = calibrate::compare(b, &rows);
    let accepted = comparisons.iter().all(Comparison::accepted);
    if format == Format::Json {
        let items: Vec<_> = comparisons
            .iter()
            .map(|c| json!({"year": c.year, "indicator": c.indicator, "simulated": c.simulated, "published": c.published, "error": c.error, "tolerance": c.tolerance, "accepted": c.accepted()}))
            .collect();
        say!(
            "{}",
            serde_json::to_string_pretty(
                &json!({"from": b.census.year, "to": b.base_year, "accepted": accepted, "comparisons": items})
            )?
        );
    } else {
        say!(
            "Backcast from the {} census (七普, treated as end-{}) to {}: central parameters, no shocks.",
            b.census.year,
            b.census.year,
            b.base_year
        );
        emit!("{}", comparison_table(&comparisons));
        say!(
            "Errors are relative for counts and in percentage points for the urbanisation rate; bounds from docs/MODEL.md §9."
        );
        say!(
            "Deaths have no bound: 2022-23 deaths are published on the hukou basis, and recorded deaths run below model deaths at e0 = 79."
        );
        say!(
            "Nominal GDP has no bound: the published 2022 level is a preliminary figure of an older vintage than the 2023 level (together they imply a 2023 deflator of about -4%)."
        );
        say!(
            "{}",
            if accepted {
                "All acceptance bounds are met."
            } else {
                "Some acceptance bounds are NOT met: run `urbsim calibrate`."
            }
        );
    }
    Ok(if accepted { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn cmd_calibrate(data: &Data) -> Result<ExitCode> {
    let b = &data.baseline;
    let fitted = calibrate::calibrate(b, &b.central_params());
    say!(
        "# calibrated to the published statistics {}-{}; paste into [parameters] of the baseline (tag C)",
        b.census.year + 1,
        b.base_year
    );
    for (id, target, ..) in calibrate::CALIBRATED {
        say!("{} = {:.4e}   # fitted to {target}; now {}", id.key(), fitted[id], b.central_params()[id]);
    }
    let (_, rows) = calibrate::run_backcast(b, &fitted);
    emit!("{}", comparison_table(&calibrate::compare(b, &rows)));
    Ok(ExitCode::SUCCESS)
}
