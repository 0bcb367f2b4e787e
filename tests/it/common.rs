//! Shared helpers: the shipped baseline and scenarios from text.

use std::path::{Path, PathBuf};

use urbsim::baseline::Baseline;
use urbsim::model::Year;
use urbsim::projection::{Resolved, ScenarioKeys, resolve};
use urbsim::scenario::{Scenario, load, load_str};

/// The shipped baseline data.
pub const BASELINE: &str = include_str!("../../seeds/liuyang-baseline.toml");
/// The shipped plan targets.
pub const TARGETS: &str = include_str!("../../seeds/plan-targets.toml");

/// The plan's policy start year (`plan.policy_start` of the shipped targets).
pub const POLICY_START: urbsim::model::Year = 2025;

/// The shipped baseline, parsed.
pub fn baseline() -> Baseline {
    Baseline::parse("baseline", BASELINE).expect("the shipped baseline is valid")
}

/// A scenario from text; `extends` resolves against `scenarios/`.
pub fn scenario(b: &Baseline, text: &str) -> Scenario {
    let keys = ScenarioKeys::new(b);
    let schema = keys.schema();
    let mut read = |p: &Path| std::fs::read_to_string(p);
    load_str(Path::new("scenarios/test.toml"), text, &schema, &mut read).unwrap_or_else(|e| panic!("{e}"))
}

/// The shipped scenario files (`scenarios/*.toml`), sorted by name.
pub fn shipped_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
        .expect("scenarios/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// A scenario file (a path relative to the package root, or absolute) resolved against the
/// shipped baseline from the policy start, with an optional horizon.
pub fn resolved_file(b: &Baseline, file: impl AsRef<Path>, until: Option<Year>) -> Resolved {
    let keys = ScenarioKeys::new(b);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let s = load(&path, &keys.schema(), &mut |p| std::fs::read_to_string(p)).unwrap_or_else(|e| panic!("{e}"));
    resolve(b, &s, POLICY_START, until, None)
}

/// The `urbsim` binary, run from the package root so that `scenarios/...` paths resolve.
pub fn urbsim() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("urbsim"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    // A developer's data/local.toml must not change what the tests see.
    cmd.env("URBSIM_NO_LOCAL_DATA", "true");
    cmd
}

/// A file's text, or a panic naming the file.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// What a finished command wrote to standard error.
pub fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).to_string()
}

/// Hex SHA-256 of some bytes, as manifests record them.
pub fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
