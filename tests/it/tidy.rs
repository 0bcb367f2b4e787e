//! Code conventions (STYLE.md §2.4), checked by walking the source tree: the library stays pure
//! (no files, environment, clock, terminal, CLI crates or OS entropy outside `src/main.rs` and
//! `src/cli/`), reports iterate in a fixed order, and every source file opens with a `//!` doc.

use std::path::{Path, PathBuf};

/// Forbidden outside the binary, one rule a line: patterns | what to do instead.
const IMPURE: &str = "\
std::fs std::env | take text and values as arguments; src/cli/ does files and the environment
Instant::now SystemTime | the core never reads the clock; pass times in
println! eprintln! print!( eprint!( | return a String or an error; src/cli/ prints
clap anyhow indicatif | CLI crates belong in src/cli/; use thiserror in the library
thread_rng rand::rng() from_os_rng from_entropy | take a seeded generator as an argument";

/// Also forbidden in `src/report.rs`: output order must not depend on hashing.
const REPORT: &str = "HashMap | use a BTreeMap or a Vec so that the order is fixed";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted, as (path relative to the package root, text).
fn rust_files(dir: &str) -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for path in entries.map(|e| e.expect("a directory entry").path()) {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&root().join(dir), &mut paths);
    paths.sort();
    let text = |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
    let rel = |p: &Path| p.strip_prefix(root()).unwrap_or(p).display().to_string().replace('\\', "/");
    paths.iter().map(|p| (rel(p), text(p))).collect()
}

#[test]
fn library_code_stays_pure() {
    let mut problems = Vec::new();
    for (name, text) in rust_files("src") {
        if name == "src/main.rs" || name.starts_with("src/cli/") {
            continue;
        }
        let extra = if name == "src/report.rs" { REPORT } else { "" };
        let rules: Vec<_> = IMPURE.lines().chain(extra.lines()).filter_map(|r| r.split_once(" | ")).collect();
        for (n, line) in text.lines().enumerate() {
            // Whole-line comments (`//`, `///`, `//!`) may name what they forbid.
            if line.trim_start().starts_with("//") {
                continue;
            }
            for (patterns, fix) in &rules {
                for p in patterns.split_whitespace().filter(|p| line.contains(p)) {
                    problems.push(format!("{name}:{}: `{p}` is not allowed here (STYLE.md §2.4): {fix}", n + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_source_and_test_file_starts_with_a_module_doc() {
    let missing: Vec<String> = (rust_files("src").into_iter().chain(rust_files("tests/it")))
        .filter(|(_, text)| !text.starts_with("//!"))
        .map(|(name, _)| {
            format!(
                "{name}: no leading `//!` line (STYLE.md §2.4): open with a `//!` paragraph saying what the file owns"
            )
        })
        .collect();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Section numbers of a markdown document's headings: "## 3. Title", "### 3.6 Title" and
/// "## §2 Title" all give their number.
fn sections(doc: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(doc)).unwrap_or_else(|e| panic!("{doc} is missing: {e}"));
    text.lines()
        .filter(|l| l.starts_with('#'))
        .filter_map(|l| l.trim_start_matches('#').trim().trim_start_matches('§').split_whitespace().next())
        .map(|n| n.trim_end_matches('.').to_string())
        .filter(|n| n.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .collect()
}

/// The section numbers cited right after each `name` in `text` ("MODEL.md §8-§9" gives 8 and 9).
fn cited<'t>(text: &'t str, name: &str) -> Vec<&'t str> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices(name) {
        let mut rest = text[i + name.len()..].trim_start_matches(['.', 'm', 'd']);
        // A citation is the name followed by §-numbers joined by "-", "," or " and ".
        while let Some(after) = rest.trim_start().strip_prefix('§') {
            let end = after.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(after.len());
            if end == 0 {
                break; // "§N" written as a pattern, not a citation
            }
            out.push(after[..end].trim_end_matches('.'));
            rest = after[end..].trim_start_matches(['-', ',', '–']).trim_start_matches(" and ");
        }
    }
    out
}

#[test]
fn every_cited_document_and_section_is_in_the_repository() {
    let mut texts: Vec<(String, String)> = rust_files("src").into_iter().chain(rust_files("tests/it")).collect();
    for doc in
        ["README.md", "ARCHITECTURE.md", "seeds/liuyang-baseline.toml", "seeds/plan-targets.toml", "docs/MODEL.md"]
    {
        let text = std::fs::read_to_string(root().join(doc)).unwrap_or_else(|e| panic!("cannot read {doc}: {e}"));
        texts.push((doc.to_string(), text));
    }
    let documents = [
        ("MODEL.md", "docs/MODEL.md"),
        ("BASELINE-SOURCES", "docs/BASELINE-SOURCES.md"),
        ("EVIDENCE.md", "docs/EVIDENCE.md"),
    ];
    let mut problems = Vec::new();
    let mut count = 0;
    for (name, text) in &texts {
        for (cite, doc) in documents {
            let have = sections(doc);
            for section in cited(text, cite) {
                count += 1;
                // "§3.4" resolves to a heading 3.4, or to 3 when the document has no 3.4.
                let major = section.split('.').next().unwrap_or(section);
                if !have.iter().any(|h| h == section || (h == major && !section.contains('.'))) {
                    problems.push(format!("{name}: `{cite} §{section}` has no heading in {doc}"));
                }
            }
        }
        for (i, _) in text.match_indices("data/demography/") {
            let file: String =
                text[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || "_-./".contains(*c)).collect();
            let file = file.trim_end_matches('.');
            if file.ends_with(".csv") && !root().join(file).is_file() {
                problems.push(format!("{name}: cites {file}, which is not in the repository"));
            }
        }
    }
    assert!(count > 50, "the citations are found ({count})");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
