//! Mutation fuzzers. Over the scenario checker and one model run: shipped scenario files are cut,
//! spliced and salted with keys, extreme numbers, distributions and stray bytes; every result must
//! be either a list of problems naming the file, or a scenario whose median run finishes with
//! every indicator finite. Over sweep shards: a shard's `partial.json` with numbers, arrays and
//! types damaged goes through what `urbsim merge` does (parse, check, append, summarise) and must
//! be refused or merged, never panic. A failure names the input that caused it.
//!
//! `cargo test` runs a fixed 150 cases. `.ci/run` runs it for 60 s; run it longer with
//! `URBSIM_FUZZ_SECONDS=600 cargo test --release --test it fuzz -- --nocapture` (and another
//! `URBSIM_FUZZ_SEED` for other inputs).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use urbsim::model::{LeverId, ParamId};
use urbsim::projection::{BaseState, ScenarioKeys, project_from, resolve};
use urbsim::scenario::load_str;

use crate::common::{POLICY_START, baseline, shipped_files};

/// Fragments a mutation may insert: structure, values that break naive code, and distributions.
const TOKENS: &[&str] = &[
    "\n[levers]\n",
    "\n[parameters]\n",
    "\n[plan]\n",
    " = ",
    "=",
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    "#",
    "\n",
    "0",
    "-1",
    "1e308",
    "-1e308",
    "1e-320",
    "nan",
    "inf",
    "-inf",
    "-0.0",
    "9223372036854775807",
    "true",
    "\"none\"",
    "\"2025-2028\"",
    "{ 2025 = 1, 2026 = 2 }",
    "{ 1999 = 5 }",
    "{ kind = \"normal\", mean = 0.5, sd = 0.1 }",
    "{ kind = \"uniform\", low = 1, high = 0 }",
    "{ kind = \"truncnormal\", mean = nan, sd = 0.1, low = 0.3, high = 1.0 }",
    "{ kind = \"lognormal\", median = 1, sigma = -1 }",
    "{ kind = \"choice\", values = [] }",
    "{ kind = \"beta\", mean = 0.5, sd = 0.6 }",
    "extends = \"baseline.toml\"\n",
    "extends = \"village-programme.toml\"\n",
    "extends = \"../Cargo.toml\"\n",
    "until = 2035\n",
    "until = 2024\n",
    "name = \"x\"\n",
    "浏阳",
    "\u{1b}[2J",
    "\u{0}",
    "\u{feff}",
];

/// One mutated scenario text from a shipped file.
fn mutate(rng: &mut ChaCha8Rng, corpus: &[String]) -> String {
    let mut text = corpus[rng.random_range(0..corpus.len())].clone().into_bytes();
    let keys: Vec<&str> = LeverId::ALL.iter().map(|l| l.key()).chain(ParamId::ALL.iter().map(|p| p.key())).collect();
    for _ in 0..rng.random_range(1..6) {
        let at = rng.random_range(0..=text.len());
        match rng.random_range(0..6) {
            0 => {
                let end = (at + rng.random_range(0..40)).min(text.len());
                text.drain(at..end);
            }
            1 => {
                let t = TOKENS[rng.random_range(0..TOKENS.len())];
                text.splice(at..at, t.bytes());
            }
            2 => {
                let line = format!(
                    "\n{} = {}\n",
                    keys[rng.random_range(0..keys.len())],
                    TOKENS[rng.random_range(0..TOKENS.len())]
                );
                text.splice(at..at, line.bytes());
            }
            3 => {
                // A number somewhere replaced by an extreme one.
                if let Some(p) = text[at..].iter().position(u8::is_ascii_digit) {
                    let x = ["0", "1e9", "-5", "0.5", "3000000", "1e-9"][rng.random_range(0..6)];
                    text.splice(at + p..at + p + 1, x.bytes());
                }
            }
            4 => {
                // A line of another shipped file.
                let other = &corpus[rng.random_range(0..corpus.len())];
                let lines: Vec<&str> = other.lines().collect();
                let line = format!("{}\n", lines[rng.random_range(0..lines.len())]);
                text.splice(at..at, line.bytes());
            }
            _ => {
                let b: u8 = rng.random();
                text.insert(at, b);
            }
        }
    }
    String::from_utf8_lossy(&text).into_owned()
}

#[test]
fn mutated_scenarios_are_refused_with_a_place_or_run_to_finite_results() {
    let b = baseline();
    let keys = ScenarioKeys::new(&b);
    let schema = keys.schema();
    let base = BaseState::new(&b);
    let corpus: Vec<String> =
        shipped_files().iter().map(|p| std::fs::read_to_string(p).expect("a shipped scenario")).collect();
    let seconds: Option<u64> = std::env::var("URBSIM_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok());
    let seed: u64 = std::env::var("URBSIM_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20250618);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let started = Instant::now();
    let (mut cases, mut accepted) = (0u64, 0u64);
    loop {
        match seconds {
            Some(s) if started.elapsed() >= Duration::from_secs(s) => break,
            None if cases >= 150 => break,
            _ => {}
        }
        cases += 1;
        let text = mutate(&mut rng, &corpus);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let mut read = |p: &Path| std::fs::read_to_string(p);
            match load_str(Path::new("scenarios/fuzz.toml"), &text, &schema, &mut read) {
                Err(e) => {
                    let msg = e.to_string();
                    assert!(
                        msg.contains("fuzz.toml") || msg.contains("scenarios/"),
                        "a problem without a place: {msg}"
                    );
                    None
                }
                Ok(s) => {
                    let r = resolve(&b, &s, POLICY_START, None, None);
                    let p = project_from(&b, &base, &r);
                    let bad = p.years().find_map(|(y, row)| row.iter().position(|v| !v.is_finite()).map(|k| (y, k)));
                    Some(bad)
                }
            }
        }));
        match outcome {
            Err(_) => panic!("case {cases} (seed {seed}) panicked on this scenario:\n{text}"),
            Ok(Some(Some((year, k)))) => {
                panic!(
                    "case {cases} (seed {seed}): indicator {k} in {year} is not finite for an accepted scenario:\n{text}"
                )
            }
            Ok(Some(None)) => accepted += 1,
            Ok(None) => {}
        }
    }
    // The mutations must leave some files valid, or the model run is never exercised.
    assert!(accepted > 0, "none of {cases} mutated scenarios was accepted");
    if seconds.is_some() {
        println!(
            "fuzz: {cases} cases in {:.0} s, {accepted} accepted and run, no panic",
            started.elapsed().as_secs_f64()
        );
    }
}

/// Mutates one value somewhere in a JSON document: a number changed to an extreme, an array cut
/// or emptied, a value replaced by another type.
fn damage(v: &mut serde_json::Value, rng: &mut ChaCha8Rng) {
    use serde_json::Value;
    match v {
        Value::Object(map) if !map.is_empty() => {
            let k = rng.random_range(0..map.len());
            let key = map.keys().nth(k).cloned().unwrap_or_default();
            if let Some(child) = map.get_mut(&key) {
                if rng.random_range(0..4) == 0 {
                    *child = [Value::Null, Value::from(-1), Value::from("x"), Value::Array(vec![])]
                        [rng.random_range(0..4)]
                    .clone();
                } else {
                    damage(child, rng);
                }
            }
        }
        Value::Array(items) if !items.is_empty() => match rng.random_range(0..4) {
            0 => {
                let keep = rng.random_range(0..items.len());
                items.truncate(keep);
            }
            1 => {
                let extra = items[rng.random_range(0..items.len())].clone();
                items.push(extra);
            }
            _ => {
                let i = rng.random_range(0..items.len());
                damage(&mut items[i], rng);
            }
        },
        Value::Number(_) => {
            *v = [0.0, -1.0, 1e300, 7.0, 4096.0, 1e15][rng.random_range(0..6)].into();
        }
        _ => {}
    }
}

#[test]
fn mutated_shard_partials_are_refused_or_merge_without_panicking() {
    use urbsim::sweep::{self, Partial, Sampler, Silent, Sweep, SweepConfig};
    let b = baseline();
    let t = urbsim::targets::PlanTargets::parse("targets", crate::common::TARGETS).expect("targets");
    let keys = ScenarioKeys::new(&b);
    let schema = keys.schema();
    let mut read = |p: &Path| std::fs::read_to_string(p);
    let s = load_str(Path::new("scenarios/x.toml"), "name = \"x\"\n", &schema, &mut read).expect("scenario");
    let r = vec![resolve(&b, &s, POLICY_START, Some(2024), None)];
    let arms = sweep::arms(&r, &[]);
    let config = SweepConfig { draws: 2048, seed: 1, sampler: Sampler::LatinHypercube, keep: 16 };
    let plan = Sweep::new(&b, &arms, 0, &t, config);
    let first = plan.run(config.shard(0, 2), &Silent).expect("shard 1");
    let second = plan.run(config.shard(1, 2), &Silent).expect("shard 2");
    let good = serde_json::to_value(&first).expect("json");
    let seed: u64 = std::env::var("URBSIM_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20250618);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut refused, mut merged) = (0, 0);
    for case in 0..120 {
        let mut v = good.clone();
        for _ in 0..rng.random_range(1..4) {
            damage(&mut v, &mut rng);
        }
        let text = v.to_string();
        let second = second.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            // What `urbsim merge` does with a shard file: parse, check, append, summarise.
            let Ok(p) = serde_json::from_str::<Partial>(&text) else { return false };
            if p.check().is_err() {
                return false;
            }
            let mut m = p;
            if m.append(second).is_err() {
                return false;
            }
            sweep::summarise(m, &t).is_ok()
        }));
        match outcome {
            Err(_) => panic!("case {case} (seed {seed}) panicked on this shard:\n{text}"),
            Ok(true) => merged += 1,
            Ok(false) => refused += 1,
        }
    }
    assert!(refused > 0, "no mutation was refused ({merged} merged)");
}
