//! The inputs every command shares: the baseline and the plan's targets (the shipped ones or
//! `--baseline`/`--targets` files), the department data overlays (`data/local.toml` when it
//! exists, then each `--data FILE`), and the scenario files named on the command line, loaded and
//! checked together so that every problem of every file is reported at once.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::input::read_text;
use super::output::sha256;
use super::{BASELINE, Cli, InputError, TARGETS};
use urbsim::baseline::Baseline;
use urbsim::projection::ScenarioKeys;
use urbsim::scenario;
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
    /// Department data overlays applied to the baseline, in order: (path, SHA-256, overlay).
    pub overlays: Vec<(String, String, urbsim::data::Overlay)>,
    /// The baseline before the overlays (for `explain`), when any were applied.
    pub before_overlays: Option<Baseline>,
}

/// Where `urbsim data load` writes by default and every command looks for department data.
pub const LOCAL_DATA: &str = "data/local.toml";

fn read(path: &Path) -> Result<String> {
    read_text(path).map_err(|e| InputError(format!("error: cannot read {}: {e}", path.display())).into())
}

pub fn load_data(cli: &Cli) -> Result<Data> {
    let (btext, bname) = match &cli.baseline {
        Some(p) => (read(p)?, p.display().to_string()),
        None => (BASELINE.to_string(), "seeds/liuyang-baseline.toml (built in)".to_string()),
    };
    let mut baseline =
        Baseline::parse(&bname, &btext).map_err(|e| InputError(format!("error: invalid baseline data\n{e}")))?;
    // Department data: the project-local overlay, then each --data file; later ones win.
    let mut paths: Vec<PathBuf> = Vec::new();
    if !cli.no_local_data && Path::new(LOCAL_DATA).is_file() {
        paths.push(PathBuf::from(LOCAL_DATA));
    }
    paths.extend(cli.data.iter().cloned());
    let mut overlays = Vec::new();
    for p in &paths {
        let text = read(p)?;
        let o = urbsim::data::Overlay::parse(&p.display().to_string(), &text).map_err(|e| {
            InputError(format!("error: {e}\n  hint: data overlays are written by `urbsim data load FILE.xlsx`"))
        })?;
        overlays.push((p.display().to_string(), sha256(text.as_bytes()), o));
    }
    let mut before_overlays = None;
    if !overlays.is_empty() {
        let named: Vec<(String, urbsim::data::Overlay)> =
            overlays.iter().map(|(p, _, o)| (p.clone(), o.clone())).collect();
        let text = urbsim::data::apply(&btext, &named).map_err(|e| InputError(format!("error: {e}")))?;
        let with = Baseline::parse(&format!("{bname} with department data"), &text)
            .map_err(|e| InputError(format!("error: the department data do not fit the baseline\n{e}")))?;
        before_overlays = Some(std::mem::replace(&mut baseline, with));
        for (p, _, o) in &overlays {
            let keys: Vec<String> = o
                .values
                .iter()
                .map(|v| v.key.clone())
                .chain(o.series.iter().map(|v| format!("{} ({} years)", v.key, v.points.len())))
                .collect();
            eprintln!(
                "{}",
                urbsim::report::terminal_safe(&format!(
                    "data: {p} ({} value{} from {}: {})",
                    keys.len(),
                    if keys.len() == 1 { "" } else { "s" },
                    o.workbook,
                    keys.join(", ")
                ))
            );
        }
    }
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
        overlays,
        before_overlays,
    })
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
