//! The Liuyang baseline data file (`seeds/liuyang-baseline.toml`): its format, its validation
//! against the model's registries, and the model inputs, central parameters and lever defaults
//! derived from it.
//!
//! Every number in the file carries a tag ([`Tag`]) and a source; they are kept here so that
//! `explain` and the reports can show them. The base year is a field of the file, never a
//! constant in code. Parsing is pure: the caller passes the text.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::start::{CENSUS_GROUPS, Census};
use crate::model::{
    AGES, Capacity, Inputs, LeverId, LeverPath, MAX_PROJECTS, ParamId, Params, Project, SECTORS, SEXES, Sector, Year,
    demography, levers::LeverKind,
};
use crate::uncertainty::{Dist, Tag};

/// A value with its provenance.
#[derive(Clone, Debug, PartialEq)]
pub struct Tagged {
    /// The value.
    pub value: f64,
    /// Its tag.
    pub tag: Tag,
    /// Where it comes from, or how it was derived.
    pub source: String,
}

/// One parameter as the baseline defines it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDef {
    /// Which parameter.
    pub id: ParamId,
    /// Central value.
    pub value: f64,
    /// Provenance tag.
    pub tag: Tag,
    /// Unit as written in the data.
    pub unit: String,
    /// Source note.
    pub source: String,
    /// Uncertainty, if the parameter is uncertain.
    pub dist: Option<Dist>,
}

/// A lever setting over time.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting {
    /// The same value every year.
    Constant(f64),
    /// A value from each listed year on; years before the first listed year keep the value
    /// they had before.
    Schedule(BTreeMap<Year, f64>),
}

/// One lever default.
#[derive(Clone, Debug, PartialEq)]
pub struct LeverDef {
    /// Which lever.
    pub id: LeverId,
    /// Status-quo setting.
    pub default: Setting,
    /// Provenance tag.
    pub tag: Tag,
    /// Source note.
    pub source: String,
}

/// A published statistic the model is judged against.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// Year.
    pub year: Year,
    /// Indicator id.
    pub indicator: String,
    /// Value.
    pub value: f64,
    /// Provenance.
    pub tag: Tag,
    /// Source note.
    pub source: String,
}

/// Descriptive data of one sector, for `explain`.
#[derive(Clone, Debug, PartialEq)]
pub struct SectorInfo {
    /// Key.
    pub key: String,
    /// Chinese name.
    pub name: String,
    /// Tagged fields: output, productivity, urban share, volatility, value added, other jobs.
    pub fields: Vec<(&'static str, Tagged)>,
}

/// The validated baseline.
#[derive(Clone, Debug)]
pub struct Baseline {
    /// Base year (end of).
    pub base_year: Year,
    /// Structural inputs of the model.
    pub inputs: Inputs,
    /// Parameters, indexed by `ParamId as usize`.
    pub params: Vec<ParamDef>,
    /// Lever defaults, indexed by `LeverId as usize`.
    pub levers: Vec<LeverDef>,
    /// Published statistics.
    pub observed: Vec<Observation>,
    /// The 2020 census start.
    pub census: Census,
    /// Tagged census and base-year values, for `explain`.
    pub tagged: Vec<(String, Tagged)>,
    /// Sectors, for `explain`.
    pub sectors: Vec<SectorInfo>,
    /// Tags of the named projects (same order as `inputs.projects`).
    pub project_tags: Vec<(Tag, String, String)>,
    /// Rank correlations between uncertain parameters, if any (imposed by Iman-Conover).
    pub correlation: Option<(Vec<ParamId>, crate::uncertainty::RankCorrelation)>,
    /// The correlation pairs as written, with tags and sources, for `explain`.
    pub correlation_pairs: Vec<(ParamId, ParamId, f64, Tag, String)>,
}

/// Problems found in the baseline data, each naming its key.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct BaselineError(pub Vec<String>);

// ---- file format -------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaggedFile {
    value: f64,
    tag: String,
    source: String,
    #[serde(default)]
    #[allow(dead_code)]
    unit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VecFile {
    tag: String,
    source: String,
    #[serde(default)]
    age_start: Vec<u16>,
    #[serde(default)]
    values: Vec<f64>,
    #[serde(default)]
    male: Vec<f64>,
    #[serde(default)]
    female: Vec<f64>,
    #[serde(default)]
    percent: Vec<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BaseFile {
    gdp: TaggedFile,
    dev_zone_revenue: TaggedFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CensusFile {
    year: u16,
    residents: TaggedFile,
    urban_share: TaggedFile,
    hukou_urban: TaggedFile,
    hukou_rural: TaggedFile,
    urban_hukou_resident_share: TaggedFile,
    external_share: TaggedFile,
    permit_share: TaggedFile,
    urban_share_by_age: VecFile,
    age_share: VecFile,
    male_fraction: VecFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SchedulesFile {
    mortality_standard: VecFile,
    fertility_pattern: VecFile,
    lfpr: VecFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ObservedFile {
    year: u16,
    indicator: String,
    value: f64,
    tag: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectorFile {
    key: String,
    name: String,
    output: TaggedFile,
    productivity: TaggedFile,
    urban_share: TaggedFile,
    volatility: TaggedFile,
    value_added: TaggedFile,
    other_jobs: TaggedFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "lowercase")]
enum DistFile {
    Uniform { low: f64, high: f64 },
    Triangular { low: f64, mode: f64, high: f64 },
    Pert { low: f64, mode: f64, high: f64 },
    Normal { mean: f64, sd: f64 },
    Truncnormal { mean: f64, sd: f64, low: f64, high: f64 },
    Lognormal { median: f64, sigma: f64 },
    Beta { mean: f64, sd: f64 },
    Choice { values: Vec<f64> },
}

impl From<DistFile> for Dist {
    fn from(d: DistFile) -> Dist {
        match d {
            DistFile::Uniform { low, high } => Dist::Uniform { low, high },
            DistFile::Triangular { low, mode, high } => Dist::Triangular { low, mode, high },
            DistFile::Pert { low, mode, high } => Dist::Pert { low, mode, high },
            DistFile::Normal { mean, sd } => Dist::Normal { mean, sd },
            DistFile::Truncnormal { mean, sd, low, high } => Dist::TruncNormal { mean, sd, low, high },
            DistFile::Lognormal { median, sigma } => Dist::LogNormal { median, sigma },
            DistFile::Beta { mean, sd } => Dist::Beta { mean, sd },
            DistFile::Choice { values } => Dist::Choice { values },
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamFile {
    value: f64,
    tag: String,
    unit: String,
    source: String,
    #[serde(default)]
    dist: Option<DistFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LeverFile {
    default: toml::Value,
    tag: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    name: String,
    clause: String,
    capacity: String,
    amount: f64,
    cost: f64,
    start_year: u16,
    duration: f64,
    #[serde(default)]
    progress: f64,
    tag: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorrelationFile {
    a: String,
    b: String,
    rho: f64,
    tag: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    base_year: u16,
    base: BaseFile,
    census: CensusFile,
    schedules: SchedulesFile,
    observed: Vec<ObservedFile>,
    sector: Vec<SectorFile>,
    parameters: BTreeMap<String, ParamFile>,
    levers: BTreeMap<String, LeverFile>,
    #[serde(default)]
    project: Vec<ProjectFile>,
    #[serde(default)]
    correlation: Vec<CorrelationFile>,
}

// ---- validation --------------------------------------------------------------------------

struct Check(Vec<String>);

impl Check {
    fn tag(&mut self, key: &str, tag: &str) -> Tag {
        Tag::parse(tag).unwrap_or_else(|| {
            self.0.push(format!("{key}.tag: unknown tag `{tag}`; use one of S, D, A, C, L"));
            Tag::A
        })
    }

    fn tagged(&mut self, key: &str, t: TaggedFile) -> Tagged {
        if !t.value.is_finite() {
            self.0.push(format!("{key}.value: must be a finite number"));
        }
        Tagged { value: t.value, tag: self.tag(key, &t.tag), source: t.source }
    }

    fn len(&mut self, key: &str, v: &[f64], n: usize) {
        if v.len() != n {
            self.0.push(format!("{key}: expected {n} values, got {}", v.len()));
        }
    }
}

/// Expands a 5-year schedule (values at `starts`, held until the next start) to single ages.
fn by_age(starts: &[u16], values: &[f64], before: f64) -> [f64; AGES] {
    let mut out = [before; AGES];
    for (a, cell) in out.iter_mut().enumerate() {
        if let Some(i) = starts.iter().rposition(|&s| usize::from(s) <= a) {
            *cell = values.get(i).copied().unwrap_or(before);
        }
    }
    out
}

fn capacity(name: &str) -> Option<Capacity> {
    Some(match name {
        "primary_seats" => Capacity::PrimarySeats,
        "junior_seats" => Capacity::JuniorSeats,
        "senior_seats" => Capacity::SeniorSeats,
        "hospital_beds" => Capacity::HospitalBeds,
        "elderly_beds" => Capacity::ElderlyBeds,
        "arh_units" => Capacity::ArhUnits,
        "other" => Capacity::Other,
        _ => return None,
    })
}

/// Converts a lever value from TOML (number, bool, option name, year or "none", or a per-year
/// table) to a setting, checking it against the lever's accepted values.
pub fn lever_setting(id: LeverId, value: &toml::Value) -> Result<Setting, String> {
    let spec = id.spec();
    let scalar = |v: &toml::Value| -> Result<f64, String> {
        match (spec.kind, v) {
            (LeverKind::Number { min, max }, toml::Value::Integer(_) | toml::Value::Float(_)) => {
                let x = v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).unwrap_or(f64::NAN);
                if x >= min && x <= max {
                    Ok(x)
                } else {
                    Err(format!("must be in [{min}, {max}] {}, got {x}", spec.unit))
                }
            }
            (LeverKind::Bool, toml::Value::Boolean(b)) => Ok(f64::from(u8::from(*b))),
            // Named options and a year lever's "none" decode through the one lever codec.
            (LeverKind::Choice(_), toml::Value::String(s)) => spec.kind.parse(s),
            (LeverKind::Year { .. }, toml::Value::String(s)) if s == "none" => spec.kind.parse(s),
            (LeverKind::Year { min, max }, toml::Value::Integer(y)) if *y >= i64::from(min) && *y <= i64::from(max) => {
                Ok(*y as f64)
            }
            (kind, v) => Err(format!("{v} does not fit a lever of kind {kind:?}")),
        }
    };
    match value {
        toml::Value::Table(t) if matches!(spec.kind, LeverKind::Number { .. }) => {
            let mut out = BTreeMap::new();
            for (k, v) in t {
                let year: Year = k.parse().map_err(|_| format!("schedule key `{k}` is not a year"))?;
                out.insert(year, scalar(v)?);
            }
            if out.is_empty() { Err("an empty schedule".to_string()) } else { Ok(Setting::Schedule(out)) }
        }
        v => scalar(v).map(Setting::Constant),
    }
}

impl Baseline {
    /// Parses and validates the baseline text; `name` is used in messages.
    ///
    /// # Errors
    /// Every problem found, each naming its key (TOML syntax and type errors name the line).
    pub fn parse(name: &str, text: &str) -> Result<Baseline, BaselineError> {
        let file: BaselineFile = toml::from_str(text).map_err(|e| BaselineError(vec![format!("{name}: {e}")]))?;
        let mut c = Check(Vec::new());

        let mut tagged = Vec::new();
        let base_gdp = c.tagged("base.gdp", file.base.gdp);
        let base_zone = c.tagged("base.dev_zone_revenue", file.base.dev_zone_revenue);
        tagged.push(("base.gdp".to_string(), base_gdp.clone()));
        tagged.push(("base.dev_zone_revenue".to_string(), base_zone.clone()));

        let cf = file.census;
        let census_value = |key: &str, t: TaggedFile, tagged: &mut Vec<(String, Tagged)>, c: &mut Check| {
            let t = c.tagged(&format!("census.{key}"), t);
            tagged.push((format!("census.{key}"), t.clone()));
            t.value
        };
        let residents = census_value("residents", cf.residents, &mut tagged, &mut c);
        let urban_share = census_value("urban_share", cf.urban_share, &mut tagged, &mut c);
        let hukou_urban = census_value("hukou_urban", cf.hukou_urban, &mut tagged, &mut c);
        let hukou_rural = census_value("hukou_rural", cf.hukou_rural, &mut tagged, &mut c);
        let uhr = census_value("urban_hukou_resident_share", cf.urban_hukou_resident_share, &mut tagged, &mut c);
        let ext = census_value("external_share", cf.external_share, &mut tagged, &mut c);
        let permit = census_value("permit_share", cf.permit_share, &mut tagged, &mut c);
        let vec_tag = |key: &str, v: &VecFile, tagged: &mut Vec<(String, Tagged)>, c: &mut Check| {
            let tag = c.tag(key, &v.tag);
            tagged.push((key.to_string(), Tagged { value: f64::NAN, tag, source: v.source.clone() }));
        };
        for (key, v) in [
            ("census.age_share", &cf.age_share),
            ("census.male_fraction", &cf.male_fraction),
            ("census.urban_share_by_age", &cf.urban_share_by_age),
            ("schedules.mortality_standard", &file.schedules.mortality_standard),
            ("schedules.fertility_pattern", &file.schedules.fertility_pattern),
            ("schedules.lfpr", &file.schedules.lfpr),
        ] {
            vec_tag(key, v, &mut tagged, &mut c);
        }
        c.len("census.age_share.values", &cf.age_share.values, CENSUS_GROUPS);
        c.len("census.male_fraction.values", &cf.male_fraction.values, CENSUS_GROUPS);
        c.len("census.urban_share_by_age.values", &cf.urban_share_by_age.values, CENSUS_GROUPS);
        let fixed = |v: &[f64]| -> [f64; CENSUS_GROUPS] { std::array::from_fn(|i| v.get(i).copied().unwrap_or(0.0)) };
        let census = Census {
            year: cf.year,
            residents,
            urban_share,
            hukou: [hukou_urban, hukou_rural],
            urban_hukou_resident_share: uhr,
            external_share: ext,
            permit_share: permit,
            age_share: fixed(&cf.age_share.values),
            male_fraction: fixed(&cf.male_fraction.values),
            urban_share_by_age: fixed(&cf.urban_share_by_age.values),
        };
        if census.year >= file.base_year {
            c.0.push(format!("census.year: {} must be before base_year {}", census.year, file.base_year));
        }

        // Mortality standard: mx held constant within groups, turned into Brass logits of l_x.
        let mort = &file.schedules.mortality_standard;
        c.len("schedules.mortality_standard.male", &mort.male, mort.age_start.len());
        c.len("schedules.mortality_standard.female", &mort.female, mort.age_start.len());
        let mut brass_std = [[0.0; AGES + 1]; SEXES];
        for (s, mx) in [&mort.male, &mort.female].into_iter().enumerate() {
            let m = by_age(&mort.age_start, mx, 0.0);
            let mut l = 1.0f64;
            brass_std[s][0] = f64::NEG_INFINITY;
            for x in 1..=AGES {
                l *= (-m[x - 1]).exp();
                brass_std[s][x] = demography::brass_logit(l.clamp(1e-12, 1.0 - 1e-12));
            }
        }
        let fert = &file.schedules.fertility_pattern;
        c.len("schedules.fertility_pattern.percent", &fert.percent, fert.age_start.len());
        let mut fertility_pattern = by_age(&fert.age_start, &fert.percent, 0.0);
        for (a, f) in fertility_pattern.iter_mut().enumerate() {
            if !(15..=49).contains(&a) {
                *f = 0.0;
            }
        }
        let fsum: f64 = fertility_pattern.iter().sum();
        if fsum > 0.0 {
            fertility_pattern.iter_mut().for_each(|f| *f /= fsum);
        } else {
            c.0.push("schedules.fertility_pattern: the pattern sums to zero".to_string());
        }
        let lf = &file.schedules.lfpr;
        c.len("schedules.lfpr.male", &lf.male, lf.age_start.len());
        c.len("schedules.lfpr.female", &lf.female, lf.age_start.len());
        let lfpr = [by_age(&lf.age_start, &lf.male, 0.0), by_age(&lf.age_start, &lf.female, 0.0)];

        // Sectors.
        if file.sector.len() != SECTORS {
            c.0.push(format!(
                "sector: expected {SECTORS} [[sector]] tables in the order of docs/MODEL.md §3.3, got {}",
                file.sector.len()
            ));
        }
        let mut sectors_info = Vec::new();
        let mut sectors: Vec<Sector> = Vec::new();
        for sf in file.sector {
            let key = format!("sector.{}", sf.key);
            let fields = vec![
                ("output", c.tagged(&format!("{key}.output"), sf.output)),
                ("productivity", c.tagged(&format!("{key}.productivity"), sf.productivity)),
                ("urban_share", c.tagged(&format!("{key}.urban_share"), sf.urban_share)),
                ("volatility", c.tagged(&format!("{key}.volatility"), sf.volatility)),
                ("value_added", c.tagged(&format!("{key}.value_added"), sf.value_added)),
                ("other_jobs", c.tagged(&format!("{key}.other_jobs"), sf.other_jobs)),
            ];
            sectors.push(Sector {
                output: fields[0].1.value,
                productivity: fields[1].1.value,
                urban_share: fields[2].1.value,
                volatility: fields[3].1.value,
                value_added: fields[4].1.value,
                other_jobs: fields[5].1.value,
            });
            sectors_info.push(SectorInfo { key: sf.key, name: sf.name, fields });
        }

        // Parameters: every model parameter exactly once, nothing else.
        let mut params: Vec<Option<ParamDef>> = vec![None; ParamId::COUNT];
        for (key, pf) in file.parameters {
            let Some(id) = ParamId::from_key(&key) else {
                c.0.push(format!("parameters.{key}: not a model parameter (`urbsim explain` lists them)"));
                continue;
            };
            let tag = c.tag(&format!("parameters.{key}"), &pf.tag);
            let dist: Option<Dist> = pf.dist.map(Dist::from);
            if let Some(d) = &dist {
                if let Err(e) = d.check() {
                    c.0.push(format!("parameters.{key}.dist: {e}"));
                }
                // `value` is what `urbsim run` uses, so it must be the distribution's median: a run
                // at a range end would contradict the sweep drawn from the same distribution.
                let median = d.central();
                if d.check().is_ok() && (pf.value - median).abs() > 1e-5 * median.abs().max(1e-9) {
                    c.0.push(format!(
                        "parameters.{key}.value: {} is not the median of its distribution {d}; \
                         `urbsim run` uses the median, so set value = {}",
                        pf.value,
                        round_sig(median)
                    ));
                }
            }
            if !pf.value.is_finite() {
                c.0.push(format!("parameters.{key}.value: must be finite"));
            }
            params[id as usize] = Some(ParamDef { id, value: pf.value, tag, unit: pf.unit, source: pf.source, dist });
        }
        for id in ParamId::ALL {
            if params[*id as usize].is_none() {
                c.0.push(format!("parameters.{}: missing (unit {}; {})", id.key(), id.spec().unit, id.spec().doc));
            }
        }

        let mut levers: Vec<Option<LeverDef>> = vec![None; LeverId::COUNT];
        for (key, lf) in file.levers {
            let Some(id) = LeverId::from_key(&key) else {
                c.0.push(format!("levers.{key}: not a lever (`urbsim explain` lists them)"));
                continue;
            };
            let tag = c.tag(&format!("levers.{key}"), &lf.tag);
            match lever_setting(id, &lf.default) {
                Ok(default) => levers[id as usize] = Some(LeverDef { id, default, tag, source: lf.source }),
                Err(e) => c.0.push(format!("levers.{key}.default: {e}")),
            }
        }
        for id in LeverId::ALL {
            if levers[*id as usize].is_none() && !c.0.iter().any(|m| m.starts_with(&format!("levers.{}.", id.key()))) {
                c.0.push(format!("levers.{}: missing default", id.key()));
            }
        }

        let mut observed = Vec::new();
        for o in file.observed {
            let tag = c.tag(&format!("observed.{}.{}", o.year, o.indicator), &o.tag);
            if crate::model::IndicatorId::from_key(&o.indicator).is_none() {
                c.0.push(format!("observed: `{}` is not an indicator id", o.indicator));
            }
            observed.push(Observation { year: o.year, indicator: o.indicator, value: o.value, tag, source: o.source });
        }
        for indicator in ["resident_population", "urban_population", "hukou_population", "urban_hukou_population"] {
            if !observed.iter().any(|o| o.year == file.base_year && o.indicator == indicator) {
                c.0.push(format!(
                    "observed: the base year {} needs a `{indicator}` row (the base state is raked to it)",
                    file.base_year
                ));
            }
        }

        let mut projects = Vec::new();
        let mut project_tags = Vec::new();
        if file.project.len() > MAX_PROJECTS {
            c.0.push(format!("project: at most {MAX_PROJECTS} named projects, got {}", file.project.len()));
        }
        for p in file.project {
            let key = format!("project.{}", p.name);
            let Some(cap) = capacity(&p.capacity) else {
                c.0.push(format!("{key}.capacity: unknown `{}`", p.capacity));
                continue;
            };
            if !(p.duration > 0.0 && p.cost >= 0.0 && p.amount >= 0.0 && (0.0..=1.0).contains(&p.progress)) {
                c.0.push(format!("{key}: duration must be positive, cost and amount non-negative, progress in [0, 1]"));
            }
            project_tags.push((c.tag(&key, &p.tag), p.clause, p.source));
            projects.push(Project {
                name: p.name,
                capacity: cap,
                amount: p.amount,
                cost: p.cost,
                start_year: p.start_year,
                duration: p.duration,
                progress: p.progress,
            });
        }

        // Rank correlations: pairs of uncertain parameters, assembled into one matrix.
        let mut pairs = Vec::new();
        let mut ids: Vec<ParamId> = Vec::new();
        for cf in file.correlation {
            let key = format!("correlation.{}-{}", cf.a, cf.b);
            let tag = c.tag(&key, &cf.tag);
            let lookup = |k: &str| {
                ParamId::from_key(k).filter(|id| params[*id as usize].as_ref().is_some_and(|d| d.dist.is_some()))
            };
            match (lookup(&cf.a), lookup(&cf.b)) {
                (Some(a), Some(b)) if a != b && (-1.0..=1.0).contains(&cf.rho) => {
                    for id in [a, b] {
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                    pairs.push((a, b, cf.rho, tag, cf.source));
                }
                _ => c.0.push(format!("{key}: needs two different uncertain parameters and rho in [-1, 1]")),
            }
        }
        ids.sort();
        let correlation = if pairs.is_empty() {
            None
        } else {
            let n = ids.len();
            let mut m = vec![vec![0.0; n]; n];
            for (i, row) in m.iter_mut().enumerate() {
                row[i] = 1.0;
            }
            for (a, b, rho, ..) in &pairs {
                let (i, j) =
                    (ids.iter().position(|x| x == a).unwrap_or(0), ids.iter().position(|x| x == b).unwrap_or(0));
                m[i][j] = *rho;
                m[j][i] = *rho;
            }
            match crate::uncertainty::RankCorrelation::new(ids.iter().map(|id| id.key().to_string()).collect(), m) {
                Ok(corr) => Some((ids.clone(), corr)),
                Err(e) => {
                    c.0.push(format!("correlation: {e}"));
                    None
                }
            }
        };

        if !c.0.is_empty() {
            return Err(BaselineError(c.0.into_iter().map(|m| format!("{name}: {m}")).collect()));
        }
        let sectors: [Sector; SECTORS] =
            sectors.try_into().map_err(|_| BaselineError(vec![format!("{name}: sector count")]))?;
        Ok(Baseline {
            base_year: file.base_year,
            inputs: Inputs {
                base_year: file.base_year,
                survival: [
                    demography::SurvivalTable::build(&brass_std[0]),
                    demography::SurvivalTable::build(&brass_std[1]),
                ],
                fertility_pattern,
                lfpr,
                sectors,
                projects,
                gdp_base: base_gdp.value,
                dev_zone_base: base_zone.value,
            },
            params: params.into_iter().flatten().collect(),
            levers: levers.into_iter().flatten().collect(),
            observed,
            census,
            tagged,
            sectors: sectors_info,
            project_tags,
            correlation,
            correlation_pairs: pairs,
        })
    }

    /// The parameters of the median run: every value, which for an uncertain parameter is the
    /// median of its distribution (checked at parse time).
    pub fn central_params(&self) -> Params {
        let mut p = Params([0.0; ParamId::COUNT]);
        for def in &self.params {
            p[def.id] = def.value;
        }
        p
    }

    /// The status-quo lever path from `first_year`.
    pub fn default_levers(&self, first_year: Year) -> LeverPath {
        let mut path = LeverPath::constant(first_year, [0.0; LeverId::COUNT]);
        for def in &self.levers {
            apply(&mut path, def.id, &def.default, first_year);
        }
        path
    }

    /// The published value of `indicator` in `year`, if any.
    pub fn observation(&self, indicator: &str, year: Year) -> Option<f64> {
        self.observed.iter().find(|o| o.year == year && o.indicator == indicator).map(|o| o.value)
    }
}

/// `x` rounded to 6 significant digits, for hints.
fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(5 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// Applies a setting to a lever path: a constant from `from` on, a schedule from each year it
/// names (its last value holds afterwards; years before its first keep what the path had).
pub fn apply(path: &mut LeverPath, id: LeverId, setting: &Setting, from: Year) {
    match setting {
        Setting::Constant(v) => path.set_from(from, id, *v),
        Setting::Schedule(s) => {
            for (&year, &v) in s {
                path.set_from(year, id, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_year_schedule_expands_to_single_ages() {
        let v = by_age(&[15, 20], &[1.0, 2.0], 0.0);
        assert_eq!(v[14], 0.0);
        assert_eq!(v[15], 1.0);
        assert_eq!(v[19], 1.0);
        assert_eq!(v[20], 2.0);
        assert_eq!(v[100], 2.0);
    }

    #[test]
    fn lever_settings_are_range_checked() {
        assert!(lever_setting(LeverId::ArhNew, &toml::Value::Integer(500)).is_ok());
        let err = lever_setting(LeverId::ArhNew, &toml::Value::Integer(5000)).unwrap_err();
        assert!(err.contains("[0, 3000]"), "{err}");
        assert_eq!(
            lever_setting(LeverId::TaxRecord, &toml::Value::String("iit_paid".into())),
            Ok(Setting::Constant(2.0))
        );
        assert_eq!(
            lever_setting(LeverId::MaglevYear, &toml::Value::String("none".into())),
            Ok(Setting::Constant(f64::INFINITY))
        );
    }
}
