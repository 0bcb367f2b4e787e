//! End-to-end tests of `urbsim sweep` and `urbsim merge`: the files and manifest, shards merged
//! into the same results as one run, lever grids, input errors, and Ctrl-C (exit 130, nothing
//! written).

use std::process::Stdio;

use tempfile::TempDir;

use crate::common::{read, stderr, urbsim};

#[test]
fn sweep_writes_tables_and_a_manifest_with_seed_draws_and_speed() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("sw");
    urbsim()
        .args([
            "sweep",
            "scenarios/baseline.toml",
            "scenarios/open-settlement.toml",
            "--draws",
            "300",
            "--seed",
            "4",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    for f in ["summary.csv", "targets.csv", "paired.csv", "manifest.json"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let summary = read(&out.join("summary.csv"));
    assert!(summary.starts_with("scenario,year,indicator,unit,draws,mean,sd,mcse,p5,p10,p25,p50,p75,p90,p95\n"));
    assert!(read(&out.join("paired.csv")).lines().skip(1).all(|l| l.starts_with("open-settlement,baseline,")));
    let m: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).expect("json");
    assert_eq!(m["run"]["seed"], 4);
    assert_eq!(m["run"]["draws"], 300);
    assert_eq!(m["run"]["sampler"], "lhs");
    assert!(m["run"]["draws_per_second"].as_f64().is_some_and(|x| x > 0.0));
    assert!(m["run"]["elapsed_seconds"].as_f64().is_some());
}

#[test]
fn shards_merged_give_the_same_tables_as_one_sweep() {
    let dir = TempDir::new().expect("tempdir");
    let p = dir.path();
    let common = [
        "sweep",
        "scenarios/baseline.toml",
        "scenarios/housing-first.toml",
        "--draws",
        "2100",
        "--seed",
        "8",
        "--quiet",
    ];
    urbsim().args(common).arg("--out").arg(p.join("whole")).assert().success();
    for k in 1..=3 {
        urbsim()
            .args(common)
            .args(["--shard", &format!("{k}/3"), "--out"])
            .arg(p.join(format!("s{k}")))
            .assert()
            .success();
    }
    urbsim()
        .args(["merge"])
        .arg(p.join("s3"))
        .arg(p.join("s1"))
        .arg(p.join("s2"))
        .arg("--out")
        .arg(p.join("merged"))
        .assert()
        .success();
    for f in ["summary.csv", "targets.csv", "paired.csv"] {
        assert!(read(&p.join("whole").join(f)) == read(&p.join("merged").join(f)), "{f} differs after merging");
    }
    let missing =
        urbsim().args(["merge"]).arg(p.join("s1")).arg(p.join("s3")).arg("--out").arg(p.join("bad")).assert().code(2);
    let err = String::from_utf8_lossy(&missing.get_output().stderr).to_string();
    assert!(err.contains("do not follow each other"), "{err}");
    assert!(!p.join("bad").exists());
}

#[test]
fn a_lever_grid_writes_one_row_per_point_and_scenario() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("grid");
    urbsim()
        .args(["sweep", "scenarios/baseline.toml", "--draws", "64", "--quiet"])
        .args(["--lever", "arh_new_units=0:3000:3", "--lever", "budget_tightness=0,0.4", "--out"])
        .arg(&out)
        .assert()
        .success();
    let grid = read(&out.join("grid.csv"));
    let mut lines = grid.lines();
    assert!(lines.next().is_some_and(|h| h.starts_with("scenario,arh_new_units,budget_tightness,p_")));
    assert_eq!(lines.count(), 6);
    // Labels hold commas, so the CSV quotes them.
    assert!(grid.contains("\"baseline@arh_new_units=1500,budget_tightness=0.4\",1500,0.4,"));
}

#[test]
fn bad_sweep_options_are_all_reported_and_nothing_is_written() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("never");
    let a = urbsim()
        .args([
            "sweep",
            "scenarios/baseline.toml",
            "--draws",
            "10",
            "--lever",
            "arh_new_unit=1,2",
            "--lever",
            "budget_tightness=0:0.9:3",
        ])
        .args(["--shard", "4/3", "--reference", "nope", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    let err = stderr(&a);
    for needle in
        ["unknown lever `arh_new_unit`", "outside [0, 0.5]", "--shard 4/3", "--reference nope", "nothing was written"]
    {
        assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
    }
    assert!(!out.exists());
}

#[test]
fn an_interrupted_sweep_exits_130_and_writes_nothing() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("interrupted");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("urbsim"))
        .env("URBSIM_NO_LOCAL_DATA", "true")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["sweep", "scenarios/baseline.toml", "--draws", "50000000", "--quiet", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed =
        std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("waits");
    assert_eq!(status.code(), Some(130));
    assert!(!out.exists(), "an interrupted sweep must not leave a result folder");
}

#[test]
fn a_malformed_distribution_in_a_scenario_is_reported_with_its_position() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("bad-dist.toml");
    std::fs::write(&path, "name = \"bad\"\n[parameters]\nw0_external = { kind = \"uniform\", low = 0.5, high = 0.2 }\ntfr = { kind = \"gamma\", shape = 2 }\n")
        .expect("write");
    let a = urbsim().arg("validate").arg(&path).assert().code(2);
    let err = stderr(&a);
    assert!(err.contains("bad-dist.toml:3:15: parameters.w0_external: uniform needs low < high"), "{err}");
    assert!(err.contains("bad-dist.toml:4:7: parameters.tfr: unknown distribution kind `gamma`"), "{err}");
}
