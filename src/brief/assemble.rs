//! What the brief computes beyond the sweep: a quick sensitivity analysis of the reference
//! package (OAT for new urban jobs, Sobol' for the headline targets), the ranking of the
//! assumptions that drive the verdicts, and each package's description for the page. Pure: it
//! returns rows and text for the CLI to write.

use crate::baseline::Baseline;
use crate::brief::html::{AssumptionRow, Lang, ScenarioText};
use crate::exploration::tables::{self, OatRow, SobolRow};
use crate::exploration::{Evaluator, Outcome, simulated_targets};
use crate::model::{IndicatorId, ParamId};
use crate::names;
use crate::projection::Resolved;
use crate::scenario::Scenario;
use crate::sensitivity;
use crate::targets::PlanTargets;
use crate::uncertainty::Tag;

/// Sobol' base sample of the brief's quick analysis: 256 keeps the brief fast, and its
/// intervals (shown in the chart) say how rough the indices are.
pub const QUICK_SOBOL_N: usize = 256;

/// The brief's quick sensitivity analysis and what it found.
#[derive(Clone, Debug, Default)]
pub struct QuickSensitivity {
    /// `oat.csv`: new urban jobs in the last year against each parameter's 10th and 90th percentile.
    pub oat: Vec<OatRow>,
    /// `sobol.csv`: the headline targets and new urban jobs year by year.
    pub sobol: Vec<SobolRow>,
    /// (target label, parameter key, total index) of every target outcome, largest first.
    pub drivers: Vec<(String, String, f64)>,
}

/// Runs the quick analysis on the reference package with central shocks.
///
/// # Errors
///
/// An outcome the model could not evaluate (a non-finite value), named.
pub fn quick_sensitivity(
    baseline: &Baseline,
    targets: &PlanTargets,
    reference: &Resolved,
    seed: u64,
) -> Result<QuickSensitivity, String> {
    let sim_targets = simulated_targets(targets);
    let eval = Evaluator::new(baseline, reference, sim_targets.clone());
    let d = eval.uncertain.len();
    let names: Vec<String> = eval.uncertain.iter().map(|(id, _)| id.key().to_string()).collect();
    let last = reference.until;
    let oat_outcomes = [(Outcome::Indicator(IndicatorId::NewUrbanJobs, last), format!("new_urban_jobs@{last}"))];
    let rows = sensitivity::oat_design(d, 0.1, 0.9);
    let y = eval.run(rows.view(), &oat_outcomes.iter().map(|(o, _)| o.clone()).collect::<Vec<_>>());
    let oat = tables::oat_rows(&eval, &oat_outcomes, &y)?;
    // The headline targets, and new urban jobs year by year (the same runs serve every outcome).
    let mut headline: Vec<(Outcome, String)> = ["new_urban_jobs", "rural_labour_transfer"]
        .iter()
        .filter_map(|id| {
            sim_targets.iter().position(|t| t.id == *id).map(|k| (Outcome::TargetMet(k), format!("target:{id}")))
        })
        .collect();
    for y in baseline.base_year + 1..=last {
        headline.push((Outcome::Indicator(IndicatorId::NewUrbanJobs, y), format!("new_urban_jobs@{y}")));
    }
    let which: Vec<Outcome> = headline.iter().map(|(o, _)| o.clone()).collect();
    let design = sensitivity::saltelli_design(QUICK_SOBOL_N, d, &[], QUICK_SOBOL_N as u64);
    let ys = eval.run(design.rows.view(), &which);
    let mut out = QuickSensitivity { oat, ..QuickSensitivity::default() };
    for ((outcome, label), y) in headline.iter().zip(ys.outer_iter()) {
        if let Some(row) = y.iter().position(|v| !v.is_finite()) {
            return Err(format!("{label} is not a finite number on design row {row}"));
        }
        let idx = sensitivity::sobol_indices(&design, &y.to_vec(), 100, seed);
        if matches!(outcome, Outcome::TargetMet(_)) {
            out.drivers.extend(names.iter().zip(&idx).map(|(n, s)| (label.clone(), n.clone(), s.st)));
        }
        out.sobol.extend(tables::sobol_rows(label, &names, &idx));
    }
    out.drivers.sort_by(|p, q| q.2.total_cmp(&p.2));
    Ok(out)
}

/// What each simulated target's verdict rests on: the three parameters that move the target's
/// value most when each is 20% lower or higher (one at a time, around the median run of the
/// reference package; `data::drives`), with their provenance tags. Fixed values count as much as
/// uncertain ones, so a value a department loaded ([S]) shows where it matters. A verdict whose
/// drivers are [L] or [A] reads as "what would follow if"; one resting on [S] values as
/// Liuyang's own.
pub fn target_basis(
    baseline: &Baseline,
    targets: &PlanTargets,
    reference: &Resolved,
) -> Vec<(String, Vec<(String, Tag)>)> {
    let drives = crate::data::drives(baseline, targets, reference);
    simulated_targets(targets)
        .iter()
        .map(|t| {
            let mut movers: Vec<(&String, f64)> = drives
                .iter()
                .filter_map(|(key, moved)| moved.iter().find(|(id, _)| *id == t.id).map(|(_, x)| (key, *x)))
                .collect();
            movers.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            let drivers = movers
                .into_iter()
                .take(3)
                .filter_map(|(key, _)| baseline.params.iter().find(|p| p.id.key() == key).map(|p| (key.clone(), p.tag)))
                .collect();
            (t.id.clone(), drivers)
        })
        .collect()
}

/// The basis of a verdict in words: loaded or sourced values, or which placeholders and
/// assumptions it rests on, by name.
pub fn basis_text(drivers: &[(String, Tag)], lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let keys = |tag: Tag| {
        drivers
            .iter()
            .filter(|(_, t)| *t == tag)
            .map(|(k, _)| names::in_sentence(&names::factor(k, lang), lang))
            .collect::<Vec<_>>()
    };
    let (l, a) = (keys(Tag::L), keys(Tag::A));
    if drivers.is_empty() {
        String::new()
    } else if !l.is_empty() {
        if zh {
            format!("依据含占位值 [L]：{}", l.join("、"))
        } else {
            format!("rests on placeholders [L]: {}", l.join(", "))
        }
    } else if !a.is_empty() {
        if zh {
            format!("依据含假设 [A]：{}", a.join("、"))
        } else {
            format!("rests on assumptions [A]: {}", a.join(", "))
        }
    } else if zh {
        "依据为已载入或有来源的数据".to_string()
    } else {
        "rests on loaded or sourced values".to_string()
    }
}

/// One row of `scenarios.csv`: a scenario's title in both languages, so charts and tables name
/// packages as readers do.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TitleRow {
    /// Scenario name (id).
    pub scenario: String,
    /// Chinese title.
    pub title_zh: String,
    /// English title.
    pub title_en: String,
}

/// The titles of the resolved scenarios.
pub fn titles(resolved: &[Resolved]) -> Vec<TitleRow> {
    resolved
        .iter()
        .map(|r| TitleRow { scenario: r.name.clone(), title_zh: r.title_zh.clone(), title_en: r.title_en.clone() })
        .collect()
}

/// One line of the "what each package changes" table (`changes.csv`): an indicator of one
/// package minus the same indicator of the reference, draw by draw over the quantile sample.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChangeRow {
    /// The package (scenario name).
    pub scenario: String,
    /// The reference it is compared with.
    pub reference: String,
    /// Indicator id.
    pub indicator: String,
    /// Unit of the indicator (a flow's total is in the flow's unit times years).
    pub unit: String,
    /// `level` (the indicator in the last year) or `total` (a flow summed over the policy years).
    pub measure: String,
    /// First year of a total, or the year of a level.
    pub from: u16,
    /// Last year.
    pub to: u16,
    /// The reference's median of the same measure.
    pub reference_median: f64,
    /// 5th percentile of the difference.
    pub diff_p5: f64,
    /// Median difference.
    pub diff_p50: f64,
    /// 95th percentile of the difference.
    pub diff_p95: f64,
    /// Whether the line is among this package's largest changes (the page lists these); the
    /// other lines give every package's change in what another package lists, for the charts.
    /// A `changes.csv` from before this column listed only such lines, hence the default.
    #[serde(default = "listed_by_default")]
    pub listed: bool,
}

fn listed_by_default() -> bool {
    true
}

/// What each package changes against the reference: for every indicator, the difference in the
/// last year and, for flows (units per year), the difference summed over the policy years, both
/// draw by draw over the sweep's quantile sample (common random numbers, so the spread is the
/// package's own effect, not the futures'). One measure per indicator: the total for a flow, the
/// last-year level for a stock. Kept per package: up to `max` indicators with the largest median
/// change relative to the reference's median (at least 0.1%, or any change where the reference
/// is zero), at most three from one outcome of the design (so a package that moves both housing
/// and settlement shows both, not only the settlement channels), largest first. Those lines are
/// `listed`; after them each package also carries, unlisted, its change in every measure another
/// package lists, so a chart of that indicator compares all packages.
pub fn changes(summary: &crate::sweep::Summary, policy_start: u16, max: usize) -> Vec<ChangeRow> {
    use crate::model::IndicatorId;
    let p = &summary.partial;
    let (first_year, n_years) = p.years;
    let series = n_years * IndicatorId::COUNT;
    let last = first_year + n_years as u16 - 1;
    let from = policy_start.max(first_year);
    let years: Vec<usize> = (usize::from(from - first_year)..n_years).collect();
    let reference = p.reference;
    let sample = &p.candidates;
    let pct = |values: &mut Vec<f64>| -> Option<[f64; 7]> {
        values.retain(|v| v.is_finite());
        (!values.is_empty()).then(|| crate::stats::percentiles(values))
    };
    // Per package: every measure's line with its relative size, and the lines it lists.
    let mut all: Vec<Vec<(f64, ChangeRow)>> = Vec::new();
    let mut listed: Vec<Vec<usize>> = Vec::new();
    for (a, arm) in p.arms.iter().enumerate() {
        if a == reference {
            continue;
        }
        let mut rows: Vec<(f64, ChangeRow)> = Vec::new();
        for id in IndicatorId::ALL {
            let spec = id.spec();
            let k = *id as usize;
            let flow = spec.unit.ends_with("/yr");
            let measures: Vec<(&str, u16, Vec<usize>)> = if flow && !years.is_empty() {
                vec![("total", from, years.clone())]
            } else {
                vec![("level", last, vec![n_years - 1])]
            };
            for (measure, start, ys) in measures {
                let value = |c: &crate::sweep::Candidate, arm: usize| -> f64 {
                    ys.iter().map(|y| c.rows[arm * series + y * IndicatorId::COUNT + k]).sum()
                };
                let mut diffs: Vec<f64> = sample.iter().map(|c| value(c, a) - value(c, reference)).collect();
                let mut refs: Vec<f64> = sample.iter().map(|c| value(c, reference)).collect();
                let (Some(d), Some(r)) = (pct(&mut diffs), pct(&mut refs)) else { continue };
                let (median, base) = (d[3], r[3]);
                let relative = if base != 0.0 {
                    (median / base).abs()
                } else if median != 0.0 {
                    f64::INFINITY
                } else {
                    0.0
                };
                rows.push((
                    relative,
                    ChangeRow {
                        scenario: arm.clone(),
                        reference: p.arms[reference].clone(),
                        indicator: spec.key.to_string(),
                        unit: spec.unit.to_string(),
                        measure: measure.to_string(),
                        from: start,
                        to: last,
                        reference_median: base,
                        diff_p5: d[0],
                        diff_p50: median,
                        diff_p95: d[6],
                        listed: false,
                    },
                ));
            }
        }
        rows.sort_by(|x, y| {
            y.0.total_cmp(&x.0).then(x.1.indicator.cmp(&y.1.indicator)).then(x.1.measure.cmp(&y.1.measure))
        });
        let mut per_outcome: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        let mut kept = Vec::new();
        for (k, (relative, r)) in rows.iter().enumerate() {
            let outcome = IndicatorId::from_key(&r.indicator).map_or("", |id| id.spec().outcome);
            let n = per_outcome.entry(outcome).or_insert(0);
            if *relative < 0.001 || *n >= 3 || kept.len() >= max {
                continue;
            }
            *n += 1;
            kept.push(k);
        }
        all.push(rows);
        listed.push(kept);
    }
    let key = |r: &ChangeRow| (r.indicator.clone(), r.measure.clone());
    let union: std::collections::BTreeSet<(String, String)> =
        all.iter().zip(&listed).flat_map(|(rows, kept)| kept.iter().map(|k| key(&rows[*k].1))).collect();
    let mut out = Vec::new();
    for (rows, kept) in all.into_iter().zip(listed) {
        let mut rows: Vec<Option<ChangeRow>> = rows.into_iter().map(|(_, r)| Some(r)).collect();
        for k in kept {
            if let Some(mut r) = rows[k].take() {
                r.listed = true;
                out.push(r);
            }
        }
        out.extend(rows.into_iter().flatten().filter(|r| union.contains(&key(r))));
    }
    out
}

/// The assumptions a reader should look at: the [A] and [L] parameters with the largest total
/// Sobol' index on a target (at least 0.01), each once, at most ten, named as readers name them.
/// The one-line meaning is the registry's English sentence, so the Chinese table leaves it out
/// (the name says it).
pub fn key_assumptions(
    drivers: &[(String, String, f64)],
    baseline: &Baseline,
    targets: &PlanTargets,
    lang: Lang,
) -> Vec<AssumptionRow> {
    let zh = lang == Lang::Zh;
    let mut rows: Vec<AssumptionRow> = Vec::new();
    for (outcome, key, st) in drivers {
        let Some(def) = ParamId::from_key(key).and_then(|id| baseline.params.iter().find(|p| p.id == id)) else {
            continue;
        };
        if !def.tag.is_assumption() || rows.iter().any(|x| &x.key == key) || rows.len() >= 10 || *st < 0.01 {
            continue;
        }
        let unit = names::unit(&def.unit, lang);
        rows.push(AssumptionRow {
            key: key.clone(),
            name: names::param(def.id, lang).to_string(),
            tag: def.tag.to_string(),
            value: format!(
                "{}{}{}",
                names::number(def.value),
                if zh { format!("（{unit}）") } else { format!(" {unit}") },
                def.dist.as_ref().map_or(String::new(), |d| format!(" · {d}"))
            ),
            meaning: if zh { String::new() } else { def.id.spec().doc.to_string() },
            source: def.source.clone(),
            why: format!(
                "{} {st:.2} · {}",
                if zh { "总效应指数" } else { "total Sobol' index" },
                names::outcome(outcome, targets, lang)
            ),
        });
    }
    rows
}

/// The sources the key assumptions cite by key (`[S39]`, `S44 浏阳日报 …`), resolved from the
/// source table of docs/MODEL.md §11 (compiled in): (key, what it is and its year, address), in
/// the order of the keys' numbers. A key the table lacks is left out.
pub fn cited_sources(rows: &[AssumptionRow]) -> Vec<(String, String, String)> {
    let table = source_table(include_str!("../../docs/MODEL.md"));
    let mut keys: Vec<u32> = rows.iter().flat_map(|r| source_keys(&r.source)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            table
                .iter()
                .find(|(key, ..)| *key == k)
                .map(|(k, what, address)| (format!("S{k}"), what.clone(), address.clone()))
        })
        .collect()
}

/// The numbers of the source keys `S1`…`S99` a note cites (an `S` not preceded by a letter,
/// followed by digits that end the word).
fn source_keys(note: &str) -> Vec<u32> {
    let chars: Vec<char> = note.chars().collect();
    let mut out = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if *c != 'S' || (i > 0 && chars[i - 1].is_ascii_alphanumeric()) {
            continue;
        }
        let digits: String = chars[i + 1..].iter().take_while(|d| d.is_ascii_digit()).collect();
        let after = chars.get(i + 1 + digits.len());
        if !digits.is_empty() && after.is_none_or(|a| !a.is_ascii_alphanumeric()) {
            out.extend(digits.parse::<u32>().ok());
        }
    }
    out
}

/// The rows of the source table of MODEL.md §11: `| S12 | what | year | address | grade | cited |`
/// → (12, "what (year)", address).
fn source_table(model: &str) -> Vec<(u32, String, String)> {
    let section = model.split("\n## 11. Sources").nth(1).unwrap_or("");
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().trim_matches('|').split(" | ").map(str::trim).collect();
            let key = cells.first()?.strip_prefix('S')?.parse().ok()?;
            let (what, year, address) = (cells.get(1)?, cells.get(2)?, cells.get(3)?);
            Some((key, format!("{what} ({year})"), address.to_string()))
        })
        .collect()
}

/// Each package as the page describes it: title, description, clauses and the levers it sets,
/// each as "status quo → package" in words (落户社保年限 6个月 → 3个月).
pub fn scenario_texts(
    baseline: &Baseline,
    resolved: &[Resolved],
    scenarios: &[Scenario],
    lang: Lang,
) -> Vec<ScenarioText> {
    resolved
        .iter()
        .map(|r| ScenarioText {
            name: r.name.clone(),
            title: if lang == Lang::Zh { r.title_zh.clone() } else { r.title_en.clone() },
            description: scenarios.iter().find(|s| s.name == r.name).map_or(String::new(), |s| {
                if lang == Lang::Zh { s.description_zh.clone() } else { s.description.clone() }
            }),
            clauses: r.enacts.clone(),
            levers: r
                .changed_levers
                .iter()
                .map(|(id, s)| {
                    let from = baseline
                        .levers
                        .iter()
                        .find(|l| l.id == *id)
                        .map_or_else(|| "–".to_string(), |l| names::lever_setting(*id, &l.default, lang));
                    let to = names::lever_setting(*id, s, lang);
                    // A file may restate the status quo; say so rather than show "x → x".
                    let setting = match (from == to, lang) {
                        (true, Lang::Zh) => format!("{to}（与现状相同）"),
                        (true, Lang::En) => format!("{to} (as the status quo)"),
                        (false, _) => format!("{from} → {to}"),
                    };
                    (names::lever(*id, lang).to_string(), setting)
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changes_table_without_the_listed_column_reads_as_all_listed() {
        let old = b"scenario,reference,indicator,unit,measure,from,to,reference_median,diff_p5,diff_p50,diff_p95\n\
                    a,baseline,arh_stock,units,level,2028,2028,1000,10,20,30\n";
        let rows: Vec<ChangeRow> = tables::from_csv("changes.csv", old).expect("reads");
        assert!(rows[0].listed);
    }

    #[test]
    fn cited_source_keys_resolve_from_the_model_document() {
        assert_eq!(source_keys("after +68.8% in 2023 [S39]; S44 浏阳日报, S2-S3, GS1, S12a"), vec![39, 44, 2, 3]);
        let row = |source: &str| AssumptionRow { source: source.into(), ..AssumptionRow::default() };
        let found = cited_sources(&[row("anchored on Hunan 2020 (S5)"), row("[S39] and S5"), row("S999")]);
        let keys: Vec<&str> = found.iter().map(|(k, ..)| k.as_str()).collect();
        assert_eq!(keys, ["S5", "S39"]);
        assert!(found[0].1.contains("湖南省") && found[0].1.ends_with("(2022)"), "{:?}", found[0]);
        assert!(found[0].2.starts_with("http"), "{:?}", found[0]);
        // Every key of the table parses: S1 to S44.
        let table = source_table(include_str!("../../docs/MODEL.md"));
        assert_eq!(table.len(), 44);
    }

    #[test]
    fn a_verdict_reads_as_its_weakest_driver() {
        let d = |k: &str, t: Tag| (k.to_string(), t);
        let zh = Lang::Zh;
        assert_eq!(basis_text(&[d("a", Tag::S), d("b", Tag::L), d("c", Tag::A)], zh), "依据含占位值 [L]：b");
        assert_eq!(basis_text(&[d("a", Tag::A), d("c", Tag::A)], zh), "依据含假设 [A]：a、c");
        assert_eq!(basis_text(&[d("a", Tag::S), d("b", Tag::C)], Lang::En), "rests on loaded or sourced values");
        assert_eq!(basis_text(&[], zh), "");
    }
}
