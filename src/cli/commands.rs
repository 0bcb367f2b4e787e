//! One function per subcommand: load and validate inputs, run the pure core, write and print.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use super::data::{Data, load_scenarios};
use super::manifest::Manifest;
use super::output::write_folder;
use super::{Format, Horizon, InputError, TagArg};
use urbsim::calibrate::{self, Comparison};
use urbsim::model::{IndicatorId, LeverId, ParamId};
use urbsim::projection::{BaseState, Projection, Resolved, project_from, resolve};
use urbsim::report::{self, ScenarioResult};
use urbsim::sweep::target_chances;

/// Runs `urbsim run`.
pub fn cmd_run(
    data: &Data,
    paths: &[PathBuf],
    horizon: Horizon,
    out: &Path,
    (draws, seed): (u64, u64),
    format: Format,
) -> Result<ExitCode> {
    let scenarios = match load_scenarios(data, paths) {
        Ok(s) => s,
        Err(e) => return Err(InputError(format!("{e}\nnothing was written")).into()),
    };
    let resolved: Vec<Resolved> = scenarios
        .iter()
        .map(|s| resolve(&data.baseline, s, data.targets.plan.policy_start, horizon.until, horizon.period))
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
    let mut manifest = Manifest::new("run", data)
        .scenarios(&scenarios)
        .with(
            "mode",
            json!("median run: every uncertain parameter at its median, every shock at zero; target chances from Latin-hypercube futures with shocks"),
        )
        .with("policy_start", json!(data.targets.plan.policy_start))
        .with("base_year", json!(data.baseline.base_year))
        .with(
            "options",
            json!({
                "until": horizon.until,
                "draws": draws,
                "seed": seed,
                "target_period": horizon.period.map(report::period_label),
                "resolved": resolved.iter().map(|r| json!({"scenario": r.name, "until": r.until, "target_period": report::period_label(r.target_period)})).collect::<Vec<_>>(),
            }),
        );
    manifest.outputs(&files);
    write_folder(out, &files, &manifest.bytes()?)?;
    if format == Format::Json {
        answer!("{}", String::from_utf8_lossy(&files[1].1).trim_end());
        return Ok(ExitCode::SUCCESS);
    }
    emit!("{}", report::summary_text(&data.targets, &results));
    say!("wrote {} (results.csv, results.json, targets.csv, manifest.json)", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Runs `urbsim validate`.
pub fn cmd_validate(data: &Data, files: &[PathBuf], format: Format) -> Result<ExitCode> {
    if format == Format::Json {
        // Every file is checked on its own, so the report has one entry per file.
        let mut entries = Vec::new();
        let mut all_valid = true;
        for path in files {
            match load_scenarios(data, std::slice::from_ref(path)) {
                Ok(s) => entries.push(json!({"file": path.display().to_string(), "valid": true, "name": s[0].name, "title_zh": s[0].title_zh, "problems": []})),
                Err(e) => {
                    all_valid = false;
                    entries.push(json!({"file": path.display().to_string(), "valid": false, "problems": e.to_string().lines().collect::<Vec<_>>()}));
                }
            }
        }
        answer!("{}", serde_json::to_string_pretty(&json!({"valid": all_valid, "files": entries}))?);
        return Ok(if all_valid { ExitCode::SUCCESS } else { ExitCode::from(2) });
    }
    let scenarios = load_scenarios(data, files)?;
    for (s, path) in scenarios.iter().zip(files) {
        say!("ok: {} ({} · {})", path.display(), s.name, s.title_zh);
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `urbsim explain`.
pub fn cmd_explain(data: &Data, name: Option<&str>, format: Format, tag: Option<TagArg>) -> Result<ExitCode> {
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
            json!({"key": s.key, "id": s.model_ref, "unit": s.unit, "range": s.kind.range_text(), "default": report::setting_text(&d.default, d.id),
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
        let close = urbsim::scenario::suggestions(n, all.iter().copied(), 5);
        let hint = if close.is_empty() {
            "run `urbsim explain` to list everything".to_string()
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        return Err(InputError(format!("error: nothing is called `{n}`\n  hint: {hint}")).into());
    }
    if format == Format::Json {
        let doc = json!({"base_year": b.base_year, "policy_start": data.targets.plan.policy_start, "levers": levers, "parameters": params, "indicators": indicators, "targets": targets, "data": datarows});
        answer!("{}", serde_json::to_string_pretty(&doc)?);
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
    explain_loaded(data, name)?;
    Ok(ExitCode::SUCCESS)
}

/// For a key that department data replaced: the baseline's own value and source beside it.
fn explain_loaded(data: &Data, name: Option<&str>) -> Result<()> {
    let (Some(n), Some(before)) = (name, &data.before_overlays) else { return Ok(()) };
    let Some((path, _, o)) = data.overlays.iter().rev().find(|(_, _, o)| o.values.iter().any(|v| v.key == n)) else {
        return Ok(());
    };
    let loaded = o.values.iter().rev().find(|v| v.key == n).map_or(f64::NAN, |v| v.value);
    let old = before
        .params
        .iter()
        .find(|p| p.id.key() == n)
        .map(|p| (p.value, p.tag, p.source.clone()))
        .or_else(|| before.tagged.iter().find(|(k, _)| k == n).map(|(_, t)| (t.value, t.tag, t.source.clone())))
        .or_else(|| {
            before.levers.iter().find(|l| l.id.key() == n).map(|l| match &l.default {
                urbsim::baseline::Setting::Constant(x) => (*x, l.tag, l.source.clone()),
                urbsim::baseline::Setting::Schedule(_) => (f64::NAN, l.tag, l.source.clone()),
            })
        });
    if let Some((value, tag, source)) = old {
        say!(
            "\nDEPARTMENT DATA for {n}: loaded {loaded} from {path} ({}); the baseline had {value} [{tag}] ({source})",
            o.workbook
        );
    }
    Ok(())
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

/// Runs `urbsim backcast`.
pub fn cmd_backcast(data: &Data, format: Format) -> Result<ExitCode> {
    let b = &data.baseline;
    let (_, rows) = calibrate::run_backcast(b, &b.central_params());
    let comparisons = calibrate::compare(b, &rows);
    let accepted = comparisons.iter().all(Comparison::accepted);
    if format == Format::Json {
        let items: Vec<_> = comparisons
            .iter()
            .map(|c| json!({"year": c.year, "indicator": c.indicator, "simulated": c.simulated, "published": c.published, "error": c.error, "tolerance": c.tolerance, "accepted": c.accepted()}))
            .collect();
        answer!(
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

/// Runs `urbsim calibrate`.
pub fn cmd_calibrate(data: &Data) -> Result<ExitCode> {
    let b = &data.baseline;
    let fitted = calibrate::calibrate(b, &b.central_params());
    answer!(
        "# calibrated to the published statistics {}-{}; paste into [parameters] of the baseline (tag C)",
        b.census.year + 1,
        b.base_year
    );
    for (id, target, ..) in calibrate::CALIBRATED {
        answer!("{} = {:.4e}   # fitted to {target}; now {}", id.key(), fitted[id], b.central_params()[id]);
    }
    // Before and after: the backcast errors with today's values and with the refitted ones, on
    // the statistics in use (the shipped ones, or those a department loaded).
    let (_, before) = calibrate::run_backcast(b, &b.central_params());
    let (_, after) = calibrate::run_backcast(b, &fitted);
    if !data.overlays.is_empty() {
        say!(
            "\nDepartment data in use: {}",
            data.overlays.iter().map(|(p, ..)| p.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    say!("\nBackcast with the current [C] values:");
    emit!("{}", comparison_table(&calibrate::compare(b, &before)));
    say!("\nBackcast with the refitted values:");
    emit!("{}", comparison_table(&calibrate::compare(b, &after)));
    Ok(ExitCode::SUCCESS)
}
