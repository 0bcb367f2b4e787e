//! Honest provenance: a value tagged S (sourced) names its source document and the year it
//! describes, and a value taken from another place or year is an assumption "anchored on" it.

use urbsim::baseline::Setting;
use urbsim::uncertainty::Tag;

use crate::common::baseline;

/// Whether a source note names a year (a four-digit 19xx or 20xx).
fn names_a_year(source: &str) -> bool {
    let b = source.as_bytes();
    b.windows(4).enumerate().any(|(i, w)| {
        w.iter().all(u8::is_ascii_digit)
            && (w.starts_with(b"19") || w.starts_with(b"20"))
            && !b.get(i + 4).is_some_and(u8::is_ascii_digit)
            && !(i > 0 && b[i - 1].is_ascii_digit())
    })
}

#[test]
fn every_sourced_value_names_its_document_and_year() {
    let b = baseline();
    let mut entries: Vec<(String, Tag, String)> = Vec::new();
    entries.extend(b.params.iter().map(|d| (format!("parameters.{}", d.id.key()), d.tag, d.source.clone())));
    entries.extend(b.levers.iter().map(|d| (format!("levers.{}", d.id.key()), d.tag, d.source.clone())));
    entries.extend(b.tagged.iter().map(|(k, t)| (k.clone(), t.tag, t.source.clone())));
    entries
        .extend(b.observed.iter().map(|o| (format!("observed.{}.{}", o.indicator, o.year), o.tag, o.source.clone())));
    for s in &b.sectors {
        entries.extend(s.fields.iter().map(|(f, t)| (format!("sector.{}.{f}", s.key), t.tag, t.source.clone())));
    }
    let problems: Vec<String> = entries
        .iter()
        .filter(|(_, tag, _)| *tag == Tag::S)
        .filter(|(_, _, source)| source.trim().len() < 8 || !names_a_year(source))
        .map(|(key, _, source)| format!("{key}: tagged S but its source names no document and year: {source:?}"))
        .collect();
    assert!(entries.len() > 250, "every tagged value is checked ({})", entries.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn values_from_another_place_or_year_are_anchored_assumptions() {
    let b = baseline();
    for key in ["beds_base", "doctors_base", "nurses_base", "elderly_beds_base", "w0_external", "e0", "migrant_income"]
    {
        let def = b.params.iter().find(|d| d.id.key() == key).expect("parameter");
        assert_eq!(def.tag, Tag::A, "{key}");
        assert!(def.source.contains("anchored on"), "{key}: {}", def.source);
    }
    for key in ["nursing_bed_share", "income_proof_required"] {
        let def = b.levers.iter().find(|d| d.id.key() == key).expect("lever");
        assert_eq!(def.tag, Tag::A, "{key}");
    }
}

/// docs/MODEL.md, the model as built.
fn model_md() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/MODEL.md")).expect("docs/MODEL.md")
}

/// The one table row of `doc` that starts with `prefix` and has `cells` cells, split into trimmed
/// cells (the empty ones outside the outer bars included); or the number of such rows found.
fn table_row<'d>(doc: &'d str, prefix: &str, cells: Option<usize>) -> Result<Vec<&'d str>, usize> {
    let rows: Vec<&str> = doc
        .lines()
        .filter(|l| l.starts_with(prefix) && cells.is_none_or(|n| l.matches('|').count() == n + 1))
        .collect();
    match rows.as_slice() {
        [row] => Ok(row.split('|').map(str::trim).collect()),
        _ => Err(rows.len()),
    }
}

/// The parameter table of docs/MODEL.md §5 is what readers quote, so it must say what the
/// baseline file says: one row per parameter, with the same value, tag and "fixed" marker.
#[test]
fn the_parameter_table_in_model_md_matches_the_baseline() {
    let doc = model_md();
    let b = baseline();
    let mut problems = Vec::new();
    for def in &b.params {
        let key = def.id.key();
        // Rows of the §5 table have seven cells; the calibration table of §9 has three.
        let cells = match table_row(&doc, &format!("| `{key}` |"), Some(7)) {
            Ok(cells) => cells,
            Err(n) => {
                problems.push(format!("{key}: {n} rows in the table, expected 1"));
                continue;
            }
        };
        // cells: "", key, unit, value, distribution, tag, symbol, meaning, ""
        let value: Option<f64> = cells.get(3).and_then(|v| v.replace(',', "").replace('−', "-").parse().ok());
        let close = value.is_some_and(|v| (v - def.value).abs() <= 1e-6 * def.value.abs().max(1.0));
        if !close {
            problems.push(format!("{key}: table value {:?}, baseline {}", cells.get(3), def.value));
        }
        if cells.get(5).copied() != Some(def.tag.to_string().as_str()) {
            problems.push(format!("{key}: table tag {:?}, baseline {}", cells.get(5), def.tag));
        }
        if (cells.get(4).copied() == Some("fixed")) != def.dist.is_none() {
            problems.push(format!(
                "{key}: table distribution {:?}, baseline drawn: {}",
                cells.get(4),
                def.dist.is_some()
            ));
        }
    }
    assert!(b.params.len() > 100, "every parameter is checked ({})", b.params.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Likewise the lever table of docs/MODEL.md §4: one row per lever, with the status-quo tag, and
/// the status-quo number where the setting is one number.
#[test]
fn the_lever_table_in_model_md_matches_the_baseline() {
    let doc = model_md();
    let b = baseline();
    let mut problems = Vec::new();
    for def in &b.levers {
        let key = def.id.key();
        let cells = match table_row(&doc, &format!("| `{key}` | L"), None) {
            Ok(cells) => cells,
            Err(n) => {
                problems.push(format!("{key}: {n} rows in the lever table, expected 1"));
                continue;
            }
        };
        // cells: "", key, id, unit, range, "status quo [tag]", ...
        let cell = cells.get(5).copied().unwrap_or("");
        if !cell.ends_with(&format!("[{}]", def.tag)) {
            problems.push(format!("{key}: lever table says {cell:?}, baseline tag {}", def.tag));
        }
        if let Setting::Constant(v) = def.default {
            let shown: Option<f64> = cell.split_whitespace().next().and_then(|n| n.replace(',', "").parse().ok());
            if shown.is_some_and(|s| (s - v).abs() > 1e-9 * v.abs().max(1.0)) {
                problems.push(format!("{key}: lever table says {cell:?}, baseline {v}"));
            }
        }
    }
    assert!(b.levers.len() > 40, "every lever is checked ({})", b.levers.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
