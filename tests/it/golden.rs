//! Golden results of every shipped scenario: key indicators for every year, to six significant
//! digits, compared line by line with `tests/golden/{scenario}.csv`. A deliberate model change
//! regenerates them with `URBSIM_UPDATE_GOLDEN=1 cargo test --test it golden`.

use std::path::Path;

use urbsim::model::IndicatorId;
use urbsim::projection::{ScenarioKeys, project, resolve};
use urbsim::scenario::load;

use crate::common::{POLICY_START, baseline, shipped_files};

/// The indicators pinned by the golden files.
const KEY_INDICATORS: &[&str] = &[
    "resident_population",
    "urbanisation_rate",
    "hukou_urbanisation_rate",
    "hukou_conversions",
    "new_urban_jobs",
    "rural_labour_transfer",
    "arh_stock",
    "rent_burden",
    "service_access_index",
    "kg_demand",
    "junior_class_size",
    "beds_per_1000",
    "tekun_care_rate",
    "funding_ratio",
    "fiscal_balance",
    "zero_employment_households",
];

const REGENERATE: &str = "URBSIM_UPDATE_GOLDEN=1 cargo test --test it golden";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stem(path: &Path) -> String {
    path.file_stem().expect("a file name").to_string_lossy().into_owned()
}

/// `x` to six significant digits, printed in its shortest form; never "-0".
fn sig6(x: f64) -> String {
    let rounded: f64 = format!("{x:.5e}").parse().expect("a formatted float parses back");
    if rounded == 0.0 { "0".to_string() } else { format!("{rounded}") }
}

/// The golden lines of one scenario file.
fn golden_lines(path: &Path) -> Vec<String> {
    let b = baseline();
    let keys = ScenarioKeys::new(&b);
    let s = load(path, &keys.schema(), &mut |p| std::fs::read_to_string(p)).unwrap_or_else(|e| panic!("{e}"));
    let p = project(&b, &resolve(&b, &s, POLICY_START, None, None));
    let ids: Vec<IndicatorId> = KEY_INDICATORS
        .iter()
        .map(|k| IndicatorId::from_key(k).unwrap_or_else(|| panic!("no indicator `{k}`")))
        .collect();
    let mut lines = Vec::new();
    for (year, row) in p.years() {
        for id in &ids {
            lines.push(format!("{},{year},{},{}", s.name, id.key(), sig6(row[*id as usize])));
        }
    }
    lines
}

/// Compares (or, with `URBSIM_UPDATE_GOLDEN=1`, rewrites) one golden file; returns a problem.
fn check(scenario: &Path, update: bool) -> Option<String> {
    let name = stem(scenario);
    let golden = root().join("tests/golden").join(format!("{name}.csv"));
    let actual = golden_lines(scenario);
    if update {
        std::fs::create_dir_all(golden.parent().expect("a parent")).expect("create tests/golden");
        std::fs::write(&golden, actual.join("\n") + "\n").expect("write the golden file");
        return None;
    }
    let Ok(text) = std::fs::read_to_string(&golden) else {
        return Some(format!("{name}: {} is missing; generate it with `{REGENERATE}`", golden.display()));
    };
    let expected: Vec<&str> = text.lines().collect();
    let mut diffs: Vec<String> = (0..expected.len().max(actual.len()))
        .filter(|&i| expected.get(i).copied() != actual.get(i).map(String::as_str))
        .take(8)
        .map(|i| {
            format!(
                "  line {}: expected {:?}, got {:?}",
                i + 1,
                expected.get(i).unwrap_or(&"<none>"),
                actual.get(i).map_or("<none>", String::as_str)
            )
        })
        .collect();
    if diffs.is_empty() {
        return None;
    }
    diffs.insert(0, format!("{name}: results differ from {}:", golden.display()));
    Some(diffs.join("\n"))
}

#[test]
fn shipped_scenarios_match_their_golden_results() {
    let update = std::env::var_os("URBSIM_UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let files = shipped_files();
    assert!(!files.is_empty(), "scenarios/ holds no .toml files");
    let problems: Vec<String> = files.iter().filter_map(|f| check(f, update)).collect();
    assert!(
        problems.is_empty(),
        "{}\nIf the model changed on purpose, review the differences and regenerate with `{REGENERATE}`.",
        problems.join("\n")
    );
}

#[test]
fn every_golden_file_belongs_to_a_shipped_scenario() {
    let names: Vec<String> = shipped_files().iter().map(|p| stem(p)).collect();
    let Ok(dir) = std::fs::read_dir(root().join("tests/golden")) else {
        return;
    };
    for entry in dir {
        let path = entry.expect("a directory entry").path();
        assert!(names.contains(&stem(&path)), "{} has no scenario in scenarios/: delete it", path.display());
    }
}

#[test]
fn six_significant_digits_are_stable_and_never_negative_zero() {
    assert_eq!(sig6(0.0), "0");
    assert_eq!(sig6(-0.0), "0");
    assert_eq!(sig6(1_439_590.960_710_488_3), "1439590");
    assert_eq!(sig6(0.1 + 0.2), "0.3");
    assert_eq!(sig6(0.663_849_4), "0.663849");
    assert_eq!(sig6(-19.804_44), "-19.8044");
    assert_eq!(sig6(2.5e-7), "0.00000025");
    assert_eq!(sig6(sig6(123.456_789).parse().unwrap()), sig6(123.456_789));
}
