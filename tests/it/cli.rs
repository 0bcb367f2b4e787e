//! End-to-end tests of the `urbsim` binary: `run` and its result folder (files, manifest,
//! reproducibility), input errors (exit code 2, positions, hints, nothing written), and the
//! `validate`, `explain`, `backcast` and `--help` commands.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;
use urbsim::model::{IndicatorId, LeverId, ParamId};
use urbsim::targets::PlanTargets;

use crate::common::{TARGETS, hex_sha256, read, urbsim};

/// Every shipped scenario, as `scenarios/<file>.toml`, sorted.
fn shipped() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("scenarios/ is readable")
        .map(|e| e.expect("a directory entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .map(|name| format!("scenarios/{name}"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "scenarios/ holds no .toml files");
    files
}

fn json_file(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Runs and expects exit code 2; returns stderr.
fn stderr_of_failure(cmd: &mut Command) -> String {
    let out = cmd.assert().code(2).get_output().clone();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The years that appear in a results.csv.
fn years_in(csv: &str) -> BTreeSet<u16> {
    csv.lines().skip(1).map(|l| l.split(',').nth(1).expect("a year column").parse().expect("a year")).collect()
}

/// A scenario with four problems: an unknown lever, an out-of-range number, a wrong type and a bad choice.
const BAD: &str = r#"name = "bad"
title = { zh = "坏", en = "Bad" }

[levers]
arh_new_unit = 500
fast_track = 7
prh_units = "many"
tax_record = "sometimes"
"#;

fn write_bad(dir: &TempDir) -> PathBuf {
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, BAD).expect("write the bad scenario");
    path
}

#[test]
fn run_baseline_prints_summary_and_writes_results_targets_and_manifest() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    urbsim()
        .args(["run", "scenarios/baseline.toml", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("plan targets").and(predicate::str::contains("new_urban_jobs")));

    let csv = read(&out.join("results.csv"));
    assert_eq!(csv.lines().next(), Some("scenario,year,indicator,value,unit"));
    assert_eq!(years_in(&csv), (2024..=2028).collect::<BTreeSet<u16>>());
    assert!(csv.lines().skip(1).all(|l| l.starts_with("baseline,")), "every row belongs to the baseline");

    let results = json_file(&out.join("results.json"));
    assert_eq!(results["scenarios"][0]["name"], "baseline");
    assert!(read(&out.join("targets.csv")).starts_with("scenario,"));

    let manifest = json_file(&out.join("manifest.json"));
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["base_year"], 2023);
    let scenario_bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml")).unwrap();
    assert_eq!(manifest["scenarios"][0]["files"][0]["sha256"], hex_sha256(&scenario_bytes).as_str());
    let outputs = manifest["outputs"].as_array().expect("manifest.outputs is an array");
    assert_eq!(outputs.len(), 3);
    for o in outputs {
        let file = o["file"].as_str().expect("outputs[].file");
        let bytes = std::fs::read(out.join(file)).unwrap();
        assert_eq!(o["sha256"], hex_sha256(&bytes).as_str(), "manifest hash of {file}");
    }
}

#[test]
fn run_accepts_every_shipped_scenario_in_one_invocation() {
    let tmp = TempDir::new().unwrap();
    let files = shipped();
    urbsim().arg("run").args(&files).arg("--out").arg(tmp.path()).assert().success();
    let csv = read(&tmp.path().join("results.csv"));
    let names: BTreeSet<&str> = csv.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
    assert_eq!(names.len(), files.len(), "one scenario name per file, got {names:?}");
}

#[test]
fn run_until_2030_writes_rows_up_to_2030() {
    let tmp = TempDir::new().unwrap();
    urbsim().args(["run", "scenarios/baseline.toml", "--until", "2030", "--out"]).arg(tmp.path()).assert().success();
    let years = years_in(&read(&tmp.path().join("results.csv")));
    assert_eq!(years, (2024..=2030).collect::<BTreeSet<u16>>());
}

#[test]
fn run_until_past_last_year_exits_2_names_the_range_and_writes_nothing() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let err =
        stderr_of_failure(urbsim().args(["run", "scenarios/baseline.toml", "--until", "2040", "--out"]).arg(&out));
    assert!(err.contains("--until") && err.contains("2024") && err.contains("2035"), "stderr:\n{err}");
    assert!(!out.exists(), "--out was created");
}

#[test]
fn bad_scenario_reports_every_problem_with_position_key_and_hint_and_writes_nothing() {
    let tmp = TempDir::new().unwrap();
    let bad = write_bad(&tmp);
    let out = tmp.path().join("out");
    let err = stderr_of_failure(urbsim().arg("run").arg(&bad).arg("--out").arg(&out));
    let file = bad.display().to_string();
    for (line, key) in [(5, "arh_new_unit"), (6, "fast_track"), (7, "prh_units"), (8, "tax_record")] {
        let at = format!("{file}:{line}:");
        let pos = err.find(&at).unwrap_or_else(|| panic!("no `{at}<column>` in stderr:\n{err}"));
        assert!(err[pos + at.len()..].starts_with(|c: char| c.is_ascii_digit()), "no column after `{at}`:\n{err}");
        assert!(err.contains(&format!("levers.{key}")), "key path levers.{key} missing:\n{err}");
    }
    assert!(err.matches("hint:").count() >= 4, "one hint per problem:\n{err}");
    assert!(err.contains("4 problems"), "all problems at once:\n{err}");
    assert!(err.contains("nothing was written"), "stderr:\n{err}");
    assert!(!out.exists(), "--out was created");
}

#[test]
fn bad_file_among_good_ones_writes_nothing_for_any() {
    let tmp = TempDir::new().unwrap();
    let bad = write_bad(&tmp);
    let out = tmp.path().join("out");
    let err = stderr_of_failure(
        urbsim()
            .args(["run", "scenarios/baseline.toml"])
            .arg(&bad)
            .arg("scenarios/tight-budget.toml")
            .arg("--out")
            .arg(&out),
    );
    assert!(err.contains("nothing was written"), "stderr:\n{err}");
    assert!(!out.exists(), "--out was created");
}

#[test]
fn extends_of_a_missing_file_exits_2_and_names_it() {
    let tmp = TempDir::new().unwrap();
    let path = tmp.path().join("child.toml");
    std::fs::write(&path, "name = \"child\"\nextends = \"no-such-parent.toml\"\n").unwrap();
    let out = tmp.path().join("out");
    let err = stderr_of_failure(urbsim().arg("run").arg(&path).arg("--out").arg(&out));
    assert!(err.contains("no-such-parent.toml"), "stderr:\n{err}");
    assert!(!out.exists(), "--out was created");
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let files = shipped();
    let out = urbsim().arg("validate").args(&files).assert().success().get_output().clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for f in &files {
        assert!(stdout.contains(&format!("ok: {f}")), "no `ok: {f}` in:\n{stdout}");
    }
}

#[test]
fn validate_rejects_a_bad_file_with_exit_2() {
    let tmp = TempDir::new().unwrap();
    let bad = write_bad(&tmp);
    let err = stderr_of_failure(urbsim().arg("validate").arg(&bad));
    assert!(err.contains("levers.arh_new_unit"), "stderr:\n{err}");
}

#[test]
fn explain_mentions_every_lever_parameter_and_indicator() {
    let out = urbsim().arg("explain").assert().success().get_output().clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let keys = LeverId::ALL
        .iter()
        .map(|i| i.key())
        .chain(ParamId::ALL.iter().map(|i| i.key()))
        .chain(IndicatorId::ALL.iter().map(|i| i.key()));
    let missing: Vec<&str> = keys.filter(|k| !stdout.contains(k)).collect();
    assert!(missing.is_empty(), "`urbsim explain` does not mention {missing:?}");
}

#[test]
fn explain_tfr_shows_the_calibrated_tag() {
    urbsim()
        .args(["explain", "tfr"])
        .assert()
        .success()
        .stdout(predicate::str::contains("tfr").and(predicate::str::contains("[C]")));
}

#[test]
fn explain_json_lists_every_lever_parameter_indicator_and_target() {
    let out = urbsim().args(["explain", "--format", "json"]).assert().success().get_output().clone();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("explain --format json prints JSON");
    let targets = PlanTargets::parse("plan-targets", TARGETS).expect("the shipped targets are valid").target.len();
    for (section, n) in [
        ("levers", LeverId::COUNT),
        ("parameters", ParamId::COUNT),
        ("indicators", IndicatorId::COUNT),
        ("targets", targets),
    ] {
        let len = doc[section].as_array().unwrap_or_else(|| panic!("`{section}` is not an array")).len();
        assert_eq!(len, n, "length of `{section}`");
    }
}

#[test]
fn explain_unknown_name_exits_2_with_a_hint() {
    let err = stderr_of_failure(urbsim().args(["explain", "nosuchthing"]));
    assert!(err.contains("nosuchthing") && err.contains("hint:"), "stderr:\n{err}");
}

#[test]
fn backcast_meets_its_acceptance_bounds() {
    urbsim().arg("backcast").assert().success();
}

#[test]
fn backcast_json_reports_accepted() {
    let out = urbsim().args(["backcast", "--format", "json"]).assert().success().get_output().clone();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("backcast --format json prints JSON");
    assert_eq!(doc["accepted"], true);
}

#[test]
fn help_shows_examples_and_exit_codes() {
    urbsim()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples").and(predicate::str::contains("Exit codes")));
    urbsim().args(["run", "--help"]).assert().success();
}

#[test]
fn same_run_twice_gives_byte_identical_results() {
    let tmp = TempDir::new().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let files = shipped();
    for out in [&a, &b] {
        urbsim().arg("run").args(&files).arg("--out").arg(out).assert().success();
    }
    for file in ["results.csv", "results.json", "targets.csv"] {
        let (x, y) = (std::fs::read(a.join(file)).unwrap(), std::fs::read(b.join(file)).unwrap());
        assert!(x == y, "{file} differs between two identical runs");
    }
    // The manifest records the command line (with the out path); everything else must agree.
    let strip = |dir: &Path| {
        let mut m = json_file(&dir.join("manifest.json"));
        let obj = m.as_object_mut().expect("manifest is an object");
        obj.remove("arguments");
        obj.remove("reproduce");
        m
    };
    let (ma, mb) = (strip(&a), strip(&b));
    assert_eq!(ma["outputs"], mb["outputs"]);
    assert_eq!(ma, mb, "manifests differ beyond arguments/reproduce");
}

#[test]
fn a_closed_output_pipe_ends_quietly_with_success() {
    use std::io::Read;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("urbsim"))
        .env("URBSIM_NO_LOCAL_DATA", "true")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("explain")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut first = [0u8; 16];
    let mut out = child.stdout.take().expect("piped");
    out.read_exact(&mut first).expect("some output");
    drop(out);
    let result = child.wait_with_output().expect("waits");
    assert_eq!(result.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&result.stderr).contains("panicked"));
}

#[test]
fn help_examples_survive_a_narrow_terminal_and_every_command_has_them() {
    let examples = |sub: &str, columns: &str| -> Vec<String> {
        let mut cmd = urbsim();
        if !sub.is_empty() {
            cmd.arg(sub);
        }
        let out = cmd.arg("--help").env("COLUMNS", columns).assert().success().get_output().stdout.clone();
        String::from_utf8_lossy(&out).lines().filter(|l| l.starts_with("  urbsim")).map(String::from).collect()
    };
    for sub in [
        "",
        "run",
        "sweep",
        "brief",
        "chart",
        "sensitivity",
        "discover",
        "merge",
        "validate",
        "explain",
        "backcast",
        "calibrate",
        "completions",
    ] {
        let wide = examples(sub, "200");
        assert!(!wide.is_empty(), "`urbsim {sub} --help` has no examples");
        // Wrapping at 80 columns would cut an example line; each must come through whole.
        assert_eq!(examples(sub, "80"), wide, "`urbsim {sub} --help` at 80 columns");
    }
}

#[test]
fn run_and_validate_speak_json_and_quiet_prints_nothing_else() {
    let dir = TempDir::new().expect("tempdir");
    let out = urbsim()
        .args(["run", "scenarios/baseline.toml", "--draws", "0", "--format", "json", "--out"])
        .arg(dir.path().join("r"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).expect("run --format json prints JSON");
    assert_eq!(doc["scenarios"][0]["name"], "baseline");
    let out = urbsim()
        .args(["validate", "scenarios/baseline.toml", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).expect("validate --format json prints JSON");
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["files"][0]["name"], "baseline");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\n[levers]\nno_such_lever = 1\n").expect("write");
    let a = urbsim().args(["validate", "--format", "json"]).arg(&bad).assert().code(2);
    let doc: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("JSON on failure too");
    assert_eq!(doc["valid"], false);
    assert!(doc["files"][0]["problems"].to_string().contains("no_such_lever"), "{doc}");
    // --quiet: the files are written, nothing is printed.
    let a = urbsim()
        .args(["run", "scenarios/baseline.toml", "--draws", "0", "--quiet", "--threads", "1", "--out"])
        .arg(dir.path().join("q"))
        .assert()
        .success();
    assert!(a.get_output().stdout.is_empty(), "{}", String::from_utf8_lossy(&a.get_output().stdout));
    assert!(dir.path().join("q/results.csv").is_file());
}
