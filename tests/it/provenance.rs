//! Honest provenance: a value tagged S (sourced) names its source document and the year it
//! describes, and a value taken from another place or year is an assumption "anchored on" it.

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
