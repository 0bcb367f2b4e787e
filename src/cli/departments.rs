//! `urbsim data template` and `urbsim data load`: the departments' workbook out, their values
//! back in as a data overlay. The workbook and its checks are `urbsim::data`; this file reads and
//! writes the files and prints.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::InputError;
use super::data::Data;
use super::output::write_atomic;

fn parent_and_name(path: &Path) -> Result<(std::path::PathBuf, String)> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| InputError(format!("error: {} names no file", path.display())))?;
    if path.is_dir() {
        return Err(InputError(format!("error: {} is a folder\n  hint: give a file name", path.display())).into());
    }
    Ok((parent, name))
}

/// Runs `urbsim data template`.
pub fn cmd_template(data: &Data, out: &Path, english: bool) -> Result<ExitCode> {
    let base = data.before_overlays.as_ref().unwrap_or(&data.baseline);
    // What each value drives is measured on the status quo (the shipped levers, median run).
    let keys = urbsim::projection::ScenarioKeys::new(base);
    let schema = keys.schema();
    let status_quo =
        urbsim::scenario::load_str(Path::new("status-quo.toml"), "name = \"baseline\"\n", &schema, &mut |p: &Path| {
            Err(std::io::Error::other(format!("{} is not read here", p.display())))
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let resolved = urbsim::projection::resolve(base, &status_quo, data.targets.plan.policy_start, None, None);
    let drives = urbsim::data::drives(base, &data.targets, &resolved);
    let bytes = urbsim::data::template(base, &drives, english, env!("CARGO_PKG_VERSION"), &data.baseline_origin.1)
        .map_err(anyhow::Error::msg)?;
    let (dir, name) = parent_and_name(out)?;
    write_atomic(&dir, &name, &bytes)?;
    let wanted = urbsim::data::wanted(base);
    let mut per: Vec<String> = Vec::new();
    for (d, (zh, en)) in urbsim::data::DEPARTMENTS.iter().enumerate() {
        let n = wanted.iter().filter(|w| w.department == d).count();
        if n > 0 {
            per.push(format!("{} {n}", if english { en } else { zh }));
        }
    }
    say!(
        "wrote {} ({} values: {}; and {} histories by year)",
        out.display(),
        wanted.len(),
        per.join(", "),
        urbsim::data::SERIES.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `urbsim data load`.
pub fn cmd_load(data: &Data, file: &Path, out: &Path) -> Result<ExitCode> {
    let bytes = super::input::read_bytes(file)
        .map_err(|e| InputError(format!("error: cannot read {}: {e}", file.display())))?;
    let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let base = data.before_overlays.as_ref().unwrap_or(&data.baseline);
    let tool = format!("urbsim {}", env!("CARGO_PKG_VERSION"));
    match urbsim::data::load(&name, &bytes, base, &tool) {
        Err(problems) => {
            let lines: Vec<String> = problems
                .iter()
                .map(|p| {
                    let key = if p.key.is_empty() { String::new() } else { format!("{}: ", p.key) };
                    format!("{}!{}: {key}{}\n  hint: {}", file.display(), p.cell, p.problem, p.hint)
                })
                .collect();
            Err(InputError(format!(
                "{}\n{} problem{} in {}; nothing was written",
                lines.join("\n"),
                problems.len(),
                if problems.len() == 1 { "" } else { "s" },
                file.display()
            ))
            .into())
        }
        Ok(overlay) => {
            let text = overlay.to_toml().map_err(anyhow::Error::msg)?;
            let (dir, fname) = parent_and_name(out)?;
            write_atomic(&dir, &fname, text.as_bytes())?;
            say!(
                "loaded {} value{} and {} histor{} from {} into {}; every command that runs the model now applies it{}",
                overlay.values.len(),
                if overlay.values.len() == 1 { "" } else { "s" },
                overlay.series.len(),
                if overlay.series.len() == 1 { "y" } else { "ies" },
                file.display(),
                out.display(),
                if out == Path::new(super::data::LOCAL_DATA) { "" } else { " with --data" }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
