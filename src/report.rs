//! Renders projection results as bytes: the tidy CSV, the JSON document, the plan-target table
//! and the terminal summary. Pure functions from results to `Vec<u8>` or `String`; the CLI
//! decides where they go.
//!
//! Tidy rows are `scenario, year, indicator, value, unit`. Numbers are written in Rust's
//! shortest round-trip form, so a file re-read gives the same bits. A non-finite value is a bug
//! and is refused rather than written.

use serde::Serialize;

use crate::model::{IndicatorId, Year};
use crate::projection::{Projection, Resolved};
use crate::scenario::TargetPeriod;
use crate::targets::{Assessment, JudgedBy, PlanTargets, Target, assess, period_start};

/// One scenario's results.
pub struct ScenarioResult<'a> {
    /// The resolved scenario.
    pub resolved: &'a Resolved,
    /// Its projection (the median run).
    pub projection: &'a Projection,
    /// Chance of meeting each plan target over many futures, parallel to the plan's targets
    /// (`None`: not simulated, or no futures were drawn).
    pub chances: Vec<Option<f64>>,
}

/// Below this chance a target is "missed", above one minus it "met"; in between the median
/// run's verdict is too close to call and the summary says so.
pub const CLOSE: f64 = 0.3;

/// A value that should never occur reached the renderer.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A non-finite number.
    #[error("{scenario} {year} {indicator} is not a finite number ({value}); this is a bug, please report it")]
    NotFinite {
        /// Scenario.
        scenario: String,
        /// Year.
        year: Year,
        /// Indicator id.
        indicator: &'static str,
        /// The value.
        value: f64,
    },
    /// CSV writer failure (only on allocation failure).
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    /// JSON writer failure.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

/// Text safe to print on a terminal: control characters other than newline and tab (escape
/// sequences that could clear the screen or move the cursor) are shown as `\u{..}` escapes.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| if c.is_control() && c != '\n' && c != '\t' { c.escape_unicode().to_string() } else { c.to_string() })
        .collect::<String>()
        .into()
}

/// Label of a target-period reading.
pub fn period_label(period: TargetPeriod) -> &'static str {
    match period {
        TargetPeriod::From2025 => "2025-2028",
        TargetPeriod::From2024 => "2024-2028",
    }
}

fn check_finite(results: &[ScenarioResult]) -> Result<(), RenderError> {
    for r in results {
        for (year, row) in r.projection.years() {
            for id in IndicatorId::ALL {
                let value = row[*id as usize];
                if !value.is_finite() {
                    return Err(RenderError::NotFinite {
                        scenario: r.resolved.name.clone(),
                        year,
                        indicator: id.key(),
                        value,
                    });
                }
            }
        }
    }
    Ok(())
}

/// The tidy table of every indicator, year and scenario.
///
/// # Errors
/// A non-finite value (a bug).
pub fn tidy_csv(results: &[ScenarioResult]) -> Result<Vec<u8>, RenderError> {
    check_finite(results)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["scenario", "year", "indicator", "value", "unit"])?;
    for r in results {
        for (year, row) in r.projection.years() {
            for id in IndicatorId::ALL {
                let spec = id.spec();
                w.write_record([
                    r.resolved.name.as_str(),
                    &year.to_string(),
                    spec.key,
                    &row[*id as usize].to_string(),
                    spec.unit,
                ])?;
            }
        }
    }
    w.into_inner().map_err(|e| RenderError::Csv(e.into_error().into()))
}

/// Assessment of every simulated target for one scenario, in plan order.
pub fn assessments<'t>(targets: &'t PlanTargets, r: &ScenarioResult) -> Vec<(&'t Target, Option<Assessment>)> {
    let rows: Vec<_> = r.projection.years().collect();
    targets.target.iter().map(|t| (t, assess(t, &rows, r.resolved.target_period))).collect()
}

/// Status word of a target. A commitment (it echoes a lever) is "commitment tracked" and a
/// placeholder (it rests on [L] data) "placeholder", never "met". An outcome gets the median
/// run's verdict where the futures agree with it (`chance` of meeting it at least 70% for
/// "met", at most 30% for "missed"); "close" where they do not, or the chance lies between; the
/// median run's alone when no futures were drawn.
pub fn status(target: &Target, a: &Option<Assessment>, chance: Option<f64>) -> &'static str {
    match (target.judged(), a) {
        (_, None) => return "not simulated",
        (JudgedBy::Commitment, Some(_)) => return "commitment tracked",
        (JudgedBy::Placeholder, Some(_)) => return "placeholder",
        (JudgedBy::Outcome, Some(_)) => {}
    }
    match (a, chance) {
        (None, _) => "not simulated",
        (Some(Assessment { met: None, .. }), _) => "horizon ends before 2028",
        (Some(Assessment { met: Some(true), .. }), Some(p)) if p >= 1.0 - CLOSE => "met",
        (Some(Assessment { met: Some(false), .. }), Some(p)) if p <= CLOSE => "missed",
        (Some(_), Some(_)) => "close",
        (Some(Assessment { met: Some(true), .. }), None) => "met",
        (Some(Assessment { met: Some(false), .. }), None) => "missed",
    }
}

/// The plan-target table: one row per scenario and target (milestones included, marked).
///
/// # Errors
/// Only if the CSV writer fails.
pub fn targets_csv(targets: &PlanTargets, results: &[ScenarioResult]) -> Result<Vec<u8>, RenderError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "scenario",
        "target",
        "clause",
        "kind",
        "text_zh",
        "text_en",
        "direction",
        "quantity",
        "unit",
        "period",
        "reading",
        "median_run_value",
        "chance_met",
        "status",
        "judged_by",
        "definition",
    ])?;
    for r in results {
        for ((t, a), chance) in assessments(targets, r).into_iter().zip(&r.chances) {
            let reading = match (&a, t.period) {
                (None, _) => String::new(),
                (Some(a), _) => format!("{}-{}", a.years.0, a.years.1),
            };
            let value = a.as_ref().map(|a| a.value.to_string()).unwrap_or_default();
            w.write_record([
                r.resolved.name.as_str(),
                &t.id,
                &t.clause,
                &t.kind,
                &t.text_zh,
                &t.text_en,
                t.direction.symbol(),
                &t.quantity.to_string(),
                &t.unit,
                &format!("{:?}", t.period).to_lowercase(),
                &reading,
                &value,
                &chance.map(|p| p.to_string()).unwrap_or_default(),
                status(t, &a, *chance),
                t.judged().key(),
                &t.definition,
            ])?;
        }
    }
    w.into_inner().map_err(|e| RenderError::Csv(e.into_error().into()))
}

#[derive(Serialize)]
struct JsonIndicator<'a> {
    unit: &'a str,
    zh: &'a str,
    en: &'a str,
    values: Vec<f64>,
}

#[derive(Serialize)]
struct JsonTarget<'a> {
    id: &'a str,
    clause: &'a str,
    text_zh: &'a str,
    direction: &'a str,
    quantity: f64,
    unit: &'a str,
    median_run_value: Option<f64>,
    chance_met: Option<f64>,
    status: &'a str,
    judged_by: &'a str,
}

#[derive(Serialize)]
struct JsonScenario<'a> {
    name: &'a str,
    title_zh: &'a str,
    title_en: &'a str,
    enacts: &'a [String],
    target_period: &'a str,
    levers_changed: Vec<(&'a str, String)>,
    parameters_changed: Vec<(&'a str, f64)>,
    years: Vec<Year>,
    indicators: std::collections::BTreeMap<&'a str, JsonIndicator<'a>>,
    targets: Vec<JsonTarget<'a>>,
}

/// The JSON document: per scenario, every indicator as a year series, and the targets.
///
/// # Errors
/// A non-finite value (a bug).
pub fn json(targets: &PlanTargets, results: &[ScenarioResult]) -> Result<Vec<u8>, RenderError> {
    check_finite(results)?;
    let mut scenarios = Vec::new();
    for r in results {
        let years: Vec<Year> = r.projection.years().map(|(y, _)| y).collect();
        let indicators = IndicatorId::ALL
            .iter()
            .map(|id| {
                let s = id.spec();
                (
                    s.key,
                    JsonIndicator {
                        unit: s.unit,
                        zh: s.zh,
                        en: s.en,
                        values: r.projection.rows.iter().map(|row| row[*id as usize]).collect(),
                    },
                )
            })
            .collect();
        let target_rows = assessments(targets, r)
            .into_iter()
            .zip(&r.chances)
            .map(|((t, a), chance)| JsonTarget {
                id: &t.id,
                clause: &t.clause,
                text_zh: &t.text_zh,
                direction: t.direction.symbol(),
                quantity: t.quantity,
                unit: &t.unit,
                median_run_value: a.as_ref().map(|a| a.value),
                chance_met: *chance,
                status: status(t, &a, *chance),
                judged_by: t.judged().key(),
            })
            .collect();
        scenarios.push(JsonScenario {
            name: &r.resolved.name,
            title_zh: &r.resolved.title_zh,
            title_en: &r.resolved.title_en,
            enacts: &r.resolved.enacts,
            target_period: period_label(r.resolved.target_period),
            levers_changed: r.resolved.changed_levers.iter().map(|(id, s)| (id.key(), format!("{s:?}"))).collect(),
            parameters_changed: r.resolved.changed_params.iter().map(|(id, v)| (id.key(), *v)).collect(),
            years,
            indicators,
            targets: target_rows,
        });
    }
    let mut out = serde_json::to_vec_pretty(&serde_json::json!({ "scenarios": scenarios }))?;
    out.push(b'\n');
    Ok(out)
}

/// Indicators shown in the terminal summary, with how their value is summarised.
const SUMMARY: [(IndicatorId, Summary); 16] = [
    (IndicatorId::ResidentPopulation, Summary::End),
    (IndicatorId::UrbanisationRate, Summary::End),
    (IndicatorId::HukouUrbanisationRate, Summary::End),
    (IndicatorId::UrbanisationGap, Summary::End),
    (IndicatorId::HukouConversions, Summary::Sum),
    (IndicatorId::PermitsIssued, Summary::Sum),
    (IndicatorId::NewUrbanJobs, Summary::Sum),
    (IndicatorId::RuralLabourTransfer, Summary::Sum),
    (IndicatorId::ArhStock, Summary::End),
    (IndicatorId::RentBurden, Summary::End),
    (IndicatorId::ServiceAccess, Summary::End),
    (IndicatorId::JuniorClassSize, Summary::End),
    (IndicatorId::BedsPer1000, Summary::End),
    (IndicatorId::TekunCareRate, Summary::End),
    (IndicatorId::FundingRatio, Summary::End),
    (IndicatorId::FiscalBalance, Summary::End),
];

#[derive(Clone, Copy)]
enum Summary {
    End,
    Sum,
}

/// Formats a number for people: shares as percentages, large counts in 万, others to 3-4 digits.
pub fn human(value: f64, unit: &str) -> String {
    if unit == "share" {
        format!("{:.1}%", value * 100.0)
    } else if unit == "percentage points" {
        format!("{value:.1} pp")
    } else if value.abs() >= 100_000.0
        && (unit.starts_with("persons") || unit.starts_with("jobs") || unit.starts_with("units"))
    {
        format!("{:.2}万", value / 1e4)
    } else if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// The terminal summary: key indicators per scenario, then every simulated target's status.
pub fn summary_text(targets: &PlanTargets, results: &[ScenarioResult]) -> String {
    let mut s = String::new();
    for r in results {
        let Some((last_year, last)) = r.projection.years().last() else { continue };
        let first_year = r.projection.first_year;
        s += &format!(
            "== {} · {} / {}  ({first_year}-{last_year}; levers act from {}; targets read as cumulative {})\n",
            r.resolved.name,
            r.resolved.title_zh,
            r.resolved.title_en,
            r.resolved.policy_start,
            period_label(r.resolved.target_period)
        );
        for (id, how) in SUMMARY {
            let spec = id.spec();
            let (label, value) = match how {
                Summary::End => (format!("{last_year}"), last[id as usize]),
                Summary::Sum => {
                    let from = period_start(r.resolved.target_period).max(first_year);
                    let sum =
                        r.projection.years().filter(|(y, _)| *y >= from).map(|(_, row)| row[id as usize]).sum::<f64>();
                    (format!("{from}-{last_year} total"), sum)
                }
            };
            s += &format!("  {:<30} {:>12}  {:<16} {}\n", spec.key, human(value, spec.unit), label, spec.zh);
        }
        let drawn = r.chances.iter().any(Option::is_some);
        s += if drawn {
            "  plan targets (value: the median run; chance: share of futures meeting the target; a commitment echoes\n   a lever and a placeholder rests on [L] data, so neither is judged met):\n"
        } else {
            "  plan targets (value and verdict: the median run only; no futures drawn):\n"
        };
        for ((t, a), chance) in assessments(targets, r).into_iter().zip(&r.chances) {
            let Some(a) = a else { continue };
            // A commitment's chance only restates the lever, so it is not shown.
            let odds = match t.judged() {
                JudgedBy::Commitment => String::new(),
                _ => chance.map(|p| format!("{:>4.0}%", p * 100.0)).unwrap_or_default(),
            };
            let word = match status(t, &Some(a.clone()), *chance) {
                "close" => "close: see the sweep",
                "placeholder" => "placeholder [L]",
                w => w,
            };
            s += &format!(
                "    {:<20} {:>5} {:<28} {:>12} {} {:<10} {}\n",
                word,
                odds,
                t.id,
                human(a.value, &t.unit),
                t.direction.symbol(),
                human(t.quantity, &t.unit),
                t.text_zh
            );
        }
    }
    s
}

/// A lever setting as people read it: a value in [`crate::model::levers::LeverKind::text`] form, or a per-year table
/// `{ 2025 = 1500, 2026 = 2000 }`.
pub fn setting_text(s: &crate::baseline::Setting, id: crate::model::LeverId) -> String {
    let kind = id.spec().kind;
    match s {
        crate::baseline::Setting::Constant(x) => kind.text(*x),
        crate::baseline::Setting::Schedule(m) => {
            let parts: Vec<String> = m.iter().map(|(y, v)| format!("{y} = {}", kind.text(*v))).collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}
