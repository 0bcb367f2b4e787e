//! End-to-end tests of `urbsim sensitivity` (OAT, Morris, Sobol, groups, SALib export) and
//! `urbsim discover` (PRIM with a plain-language box).

use tempfile::TempDir;

use crate::common::{read, stderr, urbsim};

#[test]
fn one_at_a_time_ranks_parameters_by_swing_within_each_outcome() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("oat");
    urbsim()
        .args(["sensitivity", "scenarios/baseline.toml", "--method", "oat", "--outcome", "new_urban_jobs", "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = read(&out.join("oat.csv"));
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let mut last: Option<(String, f64)> = None;
    let mut count = 0;
    for r in rows.records() {
        let r = r.expect("row");
        let swing: f64 = r[6].parse().expect("number");
        if let Some((outcome, prev)) = &last
            && outcome == &r[0]
        {
            assert!(swing.abs() <= prev + 1e-9, "not sorted by |swing|: {r:?}");
        }
        last = Some((r[0].to_string(), swing.abs()));
        count += 1;
    }
    // Five years of one indicator, every uncertain parameter.
    assert_eq!(count % 5, 0);
    assert!(count > 5 * 50);
}

#[test]
fn sobol_by_model_block_exports_a_salib_design() {
    let dir = TempDir::new().expect("tempdir");
    let (out, design) = (dir.path().join("sobol"), dir.path().join("salib"));
    urbsim()
        .args(["sensitivity", "scenarios/baseline.toml", "--method", "sobol", "--samples", "64", "--groups"])
        .args(["--outcome", "hukou_conversions", "--outcome", "target:new_urban_jobs", "--out"])
        .arg(&out)
        .arg("--export-design")
        .arg(&design)
        .assert()
        .success();
    let sobol = read(&out.join("sobol.csv"));
    assert!(sobol.starts_with("outcome,factor,s1,s1_ci95_low,s1_ci95_high,st,st_ci95_low,st_ci95_high\n"));
    let factors: std::collections::BTreeSet<&str> = sobol.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
    assert!(
        factors.contains("settlement") && factors.contains("employment") && factors.contains("demography"),
        "{factors:?}"
    );
    let params = read(&design.join("problem.txt")).lines().count();
    let runs = read(&design.join("outputs.csv")).lines().count() - 1;
    assert_eq!(runs, 64 * (factors.len() + 2), "N (k + 2) rows in SALib's order");
    assert_eq!(read(&design.join("design.csv")).lines().next().map(|h| h.split(',').count()), Some(params));
    // problem.txt as SALib's read_param_file reads it: name, bounds, group. SALib's Sobol' analyse
    // takes D as the number of distinct groups and needs Y.size divisible by D + 2.
    let problem = read(&design.join("problem.txt"));
    let mut groups = std::collections::BTreeSet::new();
    for line in problem.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols.len(), 4, "name lower upper group: {line}");
        let (lo, hi): (f64, f64) = (cols[1].parse().expect("lower"), cols[2].parse().expect("upper"));
        assert!(lo < hi, "{line}");
        groups.insert(cols[3]);
    }
    assert_eq!(groups.len(), factors.len());
    assert_eq!(runs % (groups.len() + 2), 0);
    assert_eq!(runs / (groups.len() + 2), 64);
    // Distributions beside the bounds, and a README that warns against sampling from problem.txt.
    assert!(
        read(&design.join("distributions.csv")).starts_with("parameter,distribution,support_low,support_high,factor\n")
    );
    assert!(read(&design.join("README.txt")).contains("Do not sample from problem.txt"));
    // The export's manifest: N, the skip, the method, groups, and every file's hash.
    let m: serde_json::Value = serde_json::from_str(&read(&design.join("manifest.json"))).expect("manifest");
    assert_eq!(m["options"]["samples"], 64);
    assert_eq!(m["options"]["sobol_skip"], 64, "the skip is a multiple of N");
    assert_eq!(m["options"]["method"], "sobol");
    assert_eq!(m["options"]["groups"], true);
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    for o in m["outputs"].as_array().expect("outputs") {
        let file = o["file"].as_str().expect("file");
        assert_eq!(o["sha256"], crate::common::hex_sha256(&std::fs::read(design.join(file)).expect("read")).as_str());
    }
}

#[test]
fn morris_screens_the_jobs_target_and_bad_outcomes_are_refused() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("morris");
    urbsim()
        .args([
            "sensitivity",
            "scenarios/baseline.toml",
            "--method",
            "morris",
            "--samples",
            "10",
            "--outcome",
            "target:new_urban_jobs",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(read(&out.join("morris.csv")).starts_with("outcome,factor,mu,mu_star,sigma,"));
    // Grouped Morris reports μ* only, as SALib does: μ and σ are empty, never a sign-dependent number.
    let grouped = dir.path().join("grouped");
    urbsim()
        .args(["sensitivity", "scenarios/baseline.toml", "--method", "morris", "--samples", "4", "--groups"])
        .args(["--outcome", "target:new_urban_jobs", "--out"])
        .arg(&grouped)
        .assert()
        .success();
    let table = read(&grouped.join("morris.csv"));
    for line in table.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        assert!(cols[2].is_empty() && cols[4].is_empty() && cols[3].parse::<f64>().is_ok(), "{line}");
    }
    let a = urbsim()
        .args(["sensitivity", "scenarios/baseline.toml", "--outcome", "no_such_thing", "--out"])
        .arg(dir.path().join("x"))
        .assert()
        .code(2);
    assert!(stderr(&a).contains("--outcome no_such_thing"));
}

#[test]
fn discovery_describes_where_a_target_is_missed() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("prim");
    let a = urbsim()
        .args(["discover", "scenarios/baseline.toml", "--target", "rural_labour_transfer", "--draws", "1500"])
        .args(["--keep-draws", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(stdout.contains("missed in") && stdout.contains("未达标"), "{stdout}");
    // The box is described with the parameters' names (the keys beside them), and the futures
    // are 未来情形, not 情景 (which names a policy package).
    assert!(stdout.contains("的未来情形中") && !stdout.contains("情景"), "{stdout}");
    // One box is chosen; the simplified box has its own row and its bounds their own columns.
    let prim = read(&out.join("prim.csv"));
    let rows: Vec<Vec<&str>> = prim.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.iter().filter(|r| r[6] == "true").count(), 1, "{prim}");
    assert_eq!(rows.iter().filter(|r| r[1] == "simplified").count(), 1, "{prim}");
    let bounds = read(&out.join("prim_bounds.csv"));
    assert!(bounds.starts_with("step,kind,parameter,lower,upper\n"), "{bounds}");
    // Full precision: some bound has more than four decimals.
    assert!(
        bounds
            .lines()
            .skip(1)
            .any(|l| l.rsplit(',').next().is_some_and(|u| u.split('.').nth(1).is_some_and(|d| d.len() > 4))),
        "{bounds}"
    );
    // Every judged future is kept, with its draw number, the verdict and every parameter.
    let draws = read(&out.join("draws.csv"));
    assert!(draws.starts_with("draw,missed,"), "{}", &draws[..80]);
    assert_eq!(draws.lines().count(), 1501);
    let bad = urbsim()
        .args(["discover", "scenarios/baseline.toml", "--target", "nope", "--out"])
        .arg(dir.path().join("y"))
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&bad.get_output().stderr).contains("--target nope"));
}

#[test]
fn chart_draws_the_morris_plot_and_the_prim_trade_off_from_their_folders() {
    let dir = TempDir::new().expect("tempdir");
    let (morris, prim) = (dir.path().join("morris"), dir.path().join("prim"));
    urbsim()
        .args([
            "sensitivity",
            "scenarios/baseline.toml",
            "--method",
            "morris",
            "--samples",
            "8",
            "--outcome",
            "target:new_urban_jobs",
            "--out",
        ])
        .arg(&morris)
        .assert()
        .success();
    urbsim()
        .args(["discover", "scenarios/baseline.toml", "--target", "new_urban_jobs", "--draws", "800", "--out"])
        .arg(&prim)
        .assert()
        .success();
    urbsim().arg("chart").arg(&morris).assert().success();
    urbsim().arg("chart").arg(&prim).assert().success();
    assert!(read(&morris.join("charts/morris_target_new_urban_jobs.svg")).contains("μ*"));
    assert!(read(&prim.join("charts/prim_tradeoff.svg")).contains("覆盖率"));
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    urbsim().arg("chart").arg(&empty).assert().code(2);
}

#[test]
fn sobol_indices_are_the_same_for_one_and_two_threads() {
    let dir = TempDir::new().expect("tempdir");
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        urbsim()
            .env("RAYON_NUM_THREADS", threads)
            .args(["sensitivity", "scenarios/baseline.toml", "--method", "sobol", "--samples", "32", "--groups"])
            .args(["--outcome", "target:new_urban_jobs", "--out"])
            .arg(&out)
            .assert()
            .success();
        outputs.push(read(&out.join("sobol.csv")));
    }
    assert_eq!(outputs[0], outputs[1]);
}
