//! Inputs that used to crash, hang, escape or mix results (issue 11's defects), each refused
//! with exit code 2 (bad input) or 1 (a model failure), a message naming what is wrong and
//! nothing written.

use tempfile::TempDir;

use crate::common::{stderr, urbsim};

#[test]
fn a_device_or_a_pipe_is_refused_at_once_not_read() {
    let a = urbsim().args(["validate", "/dev/zero"]).timeout(std::time::Duration::from_secs(20)).assert().code(2);
    assert!(stderr(&a).contains("not a regular file"), "{}", stderr(&a));
    let dir = TempDir::new().expect("tempdir");
    let fifo = dir.path().join("fifo");
    if std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
        let a = urbsim().arg("validate").arg(&fifo).timeout(std::time::Duration::from_secs(20)).assert().code(2);
        assert!(stderr(&a).contains("not a regular file"), "{}", stderr(&a));
        let ext = dir.path().join("ext.toml");
        std::fs::write(&ext, "name = \"x\"\nextends = \"fifo\"\n").expect("write");
        let a = urbsim().arg("validate").arg(&ext).timeout(std::time::Duration::from_secs(20)).assert().code(2);
        assert!(stderr(&a).contains("ext.toml:2") && stderr(&a).contains("not a regular file"), "{}", stderr(&a));
    }
}

#[test]
fn invalid_utf8_is_reported_with_its_line_and_column_and_a_fitting_hint() {
    let dir = TempDir::new().expect("tempdir");
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, b"name = \"a\"\ntitle = { zh = \"\xff\", en = \"x\" }\n").expect("write");
    let a = urbsim().arg("validate").arg(&file).assert().code(2);
    let err = stderr(&a);
    assert!(err.contains("invalid UTF-8 at line 2, column 17") && err.contains("UTF-8"), "{err}");
    assert!(!err.contains("check that the path is right"), "{err}");
}

#[test]
fn a_distribution_with_nan_is_refused_before_anything_runs() {
    let dir = TempDir::new().expect("tempdir");
    for dist in [
        "{ kind = \"truncnormal\", mean = nan, sd = 0.1, low = 0.3, high = 1.0 }",
        "{ kind = \"lognormal\", median = nan, sigma = 0.1 }",
        "{ kind = \"normal\", mean = inf, sd = 0.1 }",
    ] {
        let file = dir.path().join("nan.toml");
        std::fs::write(&file, format!("name = \"x\"\n[parameters]\nnu_services = {dist}\n")).expect("write");
        let a = urbsim().arg("validate").arg(&file).assert().code(2);
        assert!(stderr(&a).contains("nan.toml:3") && stderr(&a).contains("nu_services"), "{}", stderr(&a));
        urbsim()
            .arg("sweep")
            .arg(&file)
            .args(["--draws", "10", "--quiet", "--out"])
            .arg(dir.path().join("o"))
            .assert()
            .code(2);
        assert!(!dir.path().join("o").exists());
    }
}

#[test]
fn options_out_of_range_are_refused_with_a_hint() {
    for (args, hint) in [
        (vec!["sensitivity", "scenarios/baseline.toml", "--samples", "0"], "at least 2"),
        (vec!["sweep", "scenarios/baseline.toml", "--threads", "10000"], "from 0 (every core) to 1024"),
        (vec!["sweep", "scenarios/baseline.toml", "--draws", "0"], "`sweep` needs at least 1 draws"),
        (vec!["brief", "--draws", "0"], "`brief` needs at least 20 draws"),
        (
            vec!["discover", "scenarios/baseline.toml", "--target", "new_urban_jobs", "--draws", "0"],
            "`discover` needs at least 100 draws",
        ),
        (vec!["run", "scenarios/baseline.toml", "--until", "2040"], "--until 2040 is outside"),
        (vec!["brief", "--until", "2099"], "--until 2099 is outside"),
        (vec!["sensitivity", "scenarios/baseline.toml", "--until", "2020"], "--until 2020 is outside"),
    ] {
        let a = urbsim().args(&args).assert().code(2);
        assert!(stderr(&a).contains(hint), "{args:?}: {}", stderr(&a));
    }
}

#[test]
fn control_characters_in_titles_are_escaped_on_the_terminal() {
    let dir = TempDir::new().expect("tempdir");
    let file = dir.path().join("esc.toml");
    std::fs::write(&file, "name = \"x\"\ntitle = { zh = \"\\u001b[2J坏\", en = \"bad\" }\n").expect("write");
    let a = urbsim().arg("validate").arg(&file).assert().success();
    let out = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(!out.contains('\u{1b}') && out.contains("\\u{1b}[2J坏"), "{out:?}");
}

#[test]
fn a_sweep_that_produces_nan_fails_naming_the_draw_and_writes_nothing() {
    let dir = TempDir::new().expect("tempdir");
    // A scenario cannot set a household size of zero any more; a baseline can, so the check
    // that the sweep itself refuses non-finite values is exercised through one.
    let baseline = dir.path().join("baseline.toml");
    let text = crate::common::BASELINE.replace(
        "household_size = { value = 2.885, tag = \"A\", unit = \"persons\", dist = { kind = \"uniform\", low = 2.65, high = 3.12 },",
        "household_size = { value = 0.0, tag = \"A\", unit = \"persons\",",
    );
    assert_ne!(text, crate::common::BASELINE, "the household size line is found");
    std::fs::write(&baseline, text).expect("write");
    let out = dir.path().join("out");
    let a = urbsim()
        .args(["sweep", "scenarios/baseline.toml", "--draws", "20", "--quiet", "--baseline"])
        .arg(&baseline)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    let err = stderr(&a);
    assert!(err.contains("scenario baseline, draw 0:") && err.contains("in 2024 is not a finite number"), "{err}");
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn a_scenario_may_not_give_a_divisor_the_value_zero() {
    let dir = TempDir::new().expect("tempdir");
    let file = dir.path().join("hs0.toml");
    std::fs::write(&file, "name = \"hs0\"\n[parameters]\nhousehold_size = 0\nloan_term = 0\n").expect("write");
    let a = urbsim().arg("validate").arg(&file).assert().code(2);
    let err = stderr(&a);
    assert!(
        err.contains("household_size: must be at least 1") && err.contains("loan_term: must be at least 0.5"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn chart_never_writes_through_a_linked_charts_folder() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("sweep");
    urbsim()
        .args(["sweep", "scenarios/baseline.toml", "--draws", "30", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let victim = dir.path().join("victim");
    std::fs::create_dir(&victim).expect("mkdir");
    std::os::unix::fs::symlink(&victim, out.join("charts")).expect("symlink");
    let a = urbsim().arg("chart").arg(&out).assert().code(2);
    assert!(stderr(&a).contains("is a symbolic link"), "{}", stderr(&a));
    assert_eq!(std::fs::read_dir(&victim).expect("victim").count(), 0, "nothing written through the link");
}

#[test]
fn a_parameter_outside_its_uncertainty_range_is_allowed_but_never_silent() {
    let dir = TempDir::new().expect("tempdir");
    let file = dir.path().join("nu.toml");
    std::fs::write(&file, "name = \"nu\"\n[parameters]\nnu_services = 2\n").expect("write");
    let a = urbsim().arg("validate").arg(&file).assert().success();
    let err = stderr(&a);
    assert!(
        err.contains("warning:") && err.contains("nu_services = 2 lies outside its uncertainty range U(0.3, 1)"),
        "{err}"
    );
    let inside = dir.path().join("inside.toml");
    std::fs::write(&inside, "name = \"in\"\n[parameters]\nnu_services = 0.9\n").expect("write");
    let a = urbsim().arg("validate").arg(&inside).assert().success();
    assert!(!stderr(&a).contains("warning"), "{}", stderr(&a));
}

#[test]
fn a_reused_out_folder_keeps_nothing_of_the_earlier_result() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("sweep");
    urbsim()
        .args(["sweep", "scenarios/baseline.toml", "--draws", "30", "--quiet", "--lever", "vocational_training=0,5000"])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("grid.csv").is_file());
    urbsim()
        .args(["sweep", "scenarios/baseline.toml", "--draws", "30", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(!out.join("grid.csv").exists(), "the earlier grid table is gone with the earlier result");
    assert!(out.join("manifest.json").is_file() && out.join("summary.csv").is_file());
    // Nothing is left beside the folder either.
    let leftovers: Vec<_> =
        std::fs::read_dir(dir.path()).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("sweep")], "{leftovers:?}");
}

#[test]
fn an_out_that_is_a_file_or_a_foreign_folder_is_refused_and_kept() {
    let dir = TempDir::new().expect("tempdir");
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "mine").expect("write");
    let a = urbsim().args(["run", "scenarios/baseline.toml", "--draws", "0", "--out"]).arg(&file).assert().code(2);
    assert!(stderr(&a).contains("is not a folder"), "{}", stderr(&a));
    assert_eq!(std::fs::read_to_string(&file).expect("kept"), "mine");
    let foreign = dir.path().join("docs");
    std::fs::create_dir(&foreign).expect("mkdir");
    std::fs::write(foreign.join("thesis.docx"), "mine").expect("write");
    let a = urbsim().args(["run", "scenarios/baseline.toml", "--draws", "0", "--out"]).arg(&foreign).assert().code(2);
    assert!(stderr(&a).contains("not an urbsim result"), "{}", stderr(&a));
    assert!(foreign.join("thesis.docx").is_file());
}

/// Runs shard `k` of 2 of a 2,048-draw sweep of `scenario` into `out`.
fn shard(scenario: &std::path::Path, k: u32, out: &std::path::Path) {
    urbsim()
        .arg("sweep")
        .arg(scenario)
        .args(["--draws", "2048", "--quiet", "--shard", &format!("{k}/2"), "--out"])
        .arg(out)
        .assert()
        .success();
}

#[test]
fn merge_refuses_shards_of_different_inputs_and_damaged_shards_without_panicking() {
    let dir = TempDir::new().expect("tempdir");
    let (a, b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    // Two files with the same scenario name but different contents.
    std::fs::write(&a, "name = \"p\"\n[levers]\narh_new_units = 1000\n").expect("write");
    std::fs::write(&b, "name = \"p\"\n[levers]\narh_new_units = 2000\n").expect("write");
    let (s1, s2) = (dir.path().join("s1"), dir.path().join("s2"));
    shard(&a, 1, &s1);
    shard(&b, 2, &s2);
    let merged = dir.path().join("merged");
    let out = urbsim().arg("merge").arg(&s1).arg(&s2).arg("--out").arg(&merged).assert().code(2);
    assert!(stderr(&out).contains("different inputs"), "{}", stderr(&out));
    assert!(!merged.exists());

    // Shards run with other plan targets cannot be merged under the shipped ones.
    let targets = dir.path().join("targets.toml");
    std::fs::write(&targets, format!("{}\n# edited\n", crate::common::TARGETS)).expect("write");
    let t1 = dir.path().join("t1");
    urbsim()
        .arg("sweep")
        .arg(&a)
        .args(["--draws", "100", "--quiet", "--shard", "1/1", "--targets"])
        .arg(&targets)
        .arg("--out")
        .arg(&t1)
        .assert()
        .success();
    let out = urbsim().arg("merge").arg(&t1).arg("--out").arg(&merged).assert().code(2);
    assert!(stderr(&out).contains("give merge the same --targets"), "{}", stderr(&out));
    assert!(!merged.exists());
    urbsim().arg("merge").arg(&t1).arg("--targets").arg(&targets).arg("--out").arg(&merged).assert().success();
    std::fs::remove_dir_all(&merged).expect("clean");
    // The same file reached by another path is the same input.
    let moved = dir.path().join("moved");
    std::fs::create_dir(&moved).expect("mkdir");
    std::fs::copy(&a, moved.join("a.toml")).expect("copy");
    let m2 = dir.path().join("m2");
    shard(&moved.join("a.toml"), 2, &m2);
    urbsim().arg("merge").arg(&s1).arg(&m2).arg("--out").arg(&merged).assert().success();
    std::fs::remove_dir_all(&merged).expect("clean");

    // A shard whose file was damaged by hand: every kind of inconsistency is refused.
    shard(&a, 2, &s2);
    let text = std::fs::read_to_string(s1.join("partial.json")).expect("shard");
    let good: serde_json::Value = serde_json::from_str(&text).expect("json");
    type Damage = Box<dyn Fn(&mut serde_json::Value)>;
    let damage: Vec<(&str, Damage)> = vec![
        ("reference", Box::new(|v| v["reference"] = 7.into())),
        ("arms", Box::new(|v| v["arms"] = serde_json::json!([]))),
        ("years", Box::new(|v| v["years"] = serde_json::json!([2024, 40]))),
        ("met", Box::new(|v| v["met"].as_array_mut().expect("met").pop().map(|_| ()).unwrap_or(()))),
        ("chunks", Box::new(|v| v["chunks"][0]["moments"].as_array_mut().expect("moments").truncate(3))),
    ];
    for (what, hurt) in damage {
        let mut v = good.clone();
        hurt(&mut v);
        std::fs::write(s1.join("partial.json"), v.to_string()).expect("write");
        let out = urbsim().arg("merge").arg(&s1).arg(&s2).arg("--out").arg(&merged).assert().code(2);
        assert!(
            stderr(&out).contains("inconsistent") || stderr(&out).contains("not a sweep partial"),
            "{what}: {}",
            stderr(&out)
        );
        assert!(!merged.exists(), "{what}");
    }
}

#[test]
fn options_read_as_a_person_writes_them() {
    let dir = TempDir::new().expect("tempdir");
    // Scientific notation and separators for counts; upper-case languages.
    urbsim()
        .args(["sweep", "scenarios/baseline.toml", "--draws", "1e2", "--quiet", "--out"])
        .arg(dir.path().join("a"))
        .assert()
        .success();
    urbsim()
        .args(["sweep", "scenarios/baseline.toml", "--draws", "1_00", "--quiet", "--out"])
        .arg(dir.path().join("b"))
        .assert()
        .success();
    // A negative count gets the range message, not clap's "use -- -5" tip.
    let a = urbsim().args(["sweep", "scenarios/baseline.toml", "--draws", "-5"]).assert().code(2);
    assert!(stderr(&a).contains("give a whole number of draws") && !stderr(&a).contains("-- -5"), "{}", stderr(&a));
    // Upper-case language names (the sweep folder of the first command is re-drawn in English).
    urbsim().args(["chart", "--lang", "EN"]).arg(dir.path().join("a")).assert().success();
    // A shipped scenario named without its folder and extension.
    let a = urbsim().args(["run", "baseline"]).assert().code(2);
    assert!(stderr(&a).contains("did you mean scenarios/baseline.toml?"), "{}", stderr(&a));
}

#[test]
fn completions_are_printed_for_the_usual_shells() {
    for shell in ["bash", "zsh", "fish"] {
        let a = urbsim().args(["completions", shell]).assert().success();
        let out = String::from_utf8_lossy(&a.get_output().stdout).to_string();
        assert!(out.contains("urbsim") && out.contains("sweep") && out.contains("draws"), "{shell}");
    }
}

#[cfg(unix)]
#[test]
fn result_files_are_readable_by_colleagues() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("run");
    urbsim().args(["run", "scenarios/baseline.toml", "--draws", "0", "--out"]).arg(&out).assert().success();
    // Files and folders get the modes any program gets under the same umask.
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    let plain_file = dir.path().join("plain");
    std::fs::write(&plain_file, "x").expect("write");
    let plain_dir = dir.path().join("plain-dir");
    std::fs::create_dir(&plain_dir).expect("mkdir");
    assert_eq!(mode(&out.join("results.csv")), mode(&plain_file));
    assert_eq!(mode(&out), mode(&plain_dir));
}

#[test]
fn explain_lists_what_the_departments_must_supply() {
    let a = urbsim().args(["explain", "--tag", "L", "--format", "json"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("json");
    let all = |k: &str| v[k].as_array().expect("a list").iter().all(|x| x["tag"] == "L");
    assert!(all("levers") && all("parameters") && all("data"));
    assert!(v["parameters"].as_array().expect("list").iter().any(|x| x["key"] == "debt_base"));
    assert!(v["indicators"].as_array().expect("list").is_empty());
}
