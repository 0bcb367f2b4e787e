//! The inputs every command shares: the baseline and the plan's targets (the shipped ones or
//! `--baseline`/`--targets` files), and the scenario files named on the command line, loaded and
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
}

fn read(path: &Path) -> Result<String> {
    read_text(path).map_err(|e| InputError(format!("error: cannot read {}: {e}", path.display())).into())
}

pub fn load_data(cli: &Cli) -> Result<Data> {
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
