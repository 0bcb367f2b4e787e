//! The policy levers of the plan (MODEL.md §4): stable keys, units, documented ranges and clauses.
//!
//! A lever is what a planner sets in a scenario file. Defaults and their tags are data
//! (`[levers]` of `seeds/liuyang-baseline.toml`), the accepted range is part of the model's
//! contract and lives here, so that a scenario naming a value out of range is rejected before
//! the model ever sees it. Every lever is stored as one `f64` per simulated year: booleans as
//! 0/1, choices as their index, opening years as the year (or `f64::INFINITY` for "none").

use super::registry;

/// What values a lever accepts.
#[derive(Clone, Copy, Debug)]
pub enum LeverKind {
    /// A number in `[min, max]`; every number lever accepts a per-year schedule.
    Number {
        /// Lowest accepted value.
        min: f64,
        /// Highest accepted value.
        max: f64,
    },
    /// On or off.
    Bool,
    /// One of a list of named options.
    Choice(&'static [&'static str]),
    /// An opening year in `[min, max]`, or "none".
    Year {
        /// Earliest accepted year.
        min: u16,
        /// Latest accepted year.
        max: u16,
    },
}

impl LeverKind {
    /// A value as people read and write it: `on`/`off`, the option's name, `none` for a year
    /// lever that never opens, the number otherwise. The inverse of [`LeverKind::parse`].
    pub fn text(self, x: f64) -> String {
        match self {
            LeverKind::Bool => if x > 0.5 { "on" } else { "off" }.to_string(),
            LeverKind::Choice(options) => options.get(x as usize).map_or_else(|| x.to_string(), |o| o.to_string()),
            LeverKind::Year { .. } if x.is_infinite() => "none".to_string(),
            _ => x.to_string(),
        }
    }

    /// The values a lever accepts, in words (`0 to 3000`, `on/off`, `a | b`, `2026 to 2030 or none`).
    pub fn range_text(self) -> String {
        match self {
            LeverKind::Number { min, max } => format!("{min} to {max}"),
            LeverKind::Bool => "on/off".to_string(),
            LeverKind::Choice(o) => o.join(" | "),
            LeverKind::Year { min, max } => format!("{min} to {max} or none"),
        }
    }

    /// The model's number for a value written as text (on the command line, `--lever`): a
    /// number within range, `on`/`off`/`true`/`false`/`1`/`0`, an option's name, a year or `none`.
    /// Options are coded by their position, `none` by +∞ (a year that never comes).
    ///
    /// # Errors
    ///
    /// A value the lever does not accept, saying what it accepts.
    pub fn parse(self, v: &str) -> Result<f64, String> {
        let v = v.trim();
        match self {
            LeverKind::Choice(options) => options
                .iter()
                .position(|o| *o == v)
                .map(|i| i as f64)
                .ok_or_else(|| format!("`{v}` is not one of {options:?}")),
            LeverKind::Bool => match v {
                "true" | "on" | "1" => Ok(1.0),
                "false" | "off" | "0" => Ok(0.0),
                _ => Err(format!("`{v}` is not on/off")),
            },
            LeverKind::Year { min, max } => {
                if v == "none" {
                    return Ok(f64::INFINITY);
                }
                let y: u16 = v.parse().map_err(|_| format!("`{v}` is not a year"))?;
                if (min..=max).contains(&y) { Ok(f64::from(y)) } else { Err(format!("{y} is outside [{min}, {max}]")) }
            }
            LeverKind::Number { min, max } => {
                let x: f64 = v.parse().map_err(|_| format!("`{v}` is not a number"))?;
                if x.is_finite() && x >= min && x <= max {
                    Ok(x)
                } else {
                    Err(format!("{x} is outside [{min}, {max}]"))
                }
            }
        }
    }
}

/// Static description of one lever.
#[derive(Debug)]
pub struct LeverSpec {
    /// Stable snake_case key used in scenario files.
    pub key: &'static str,
    /// Lever id of MODEL.md §4 (L1..L44; L45-L47 are ours).
    pub model_ref: &'static str,
    /// Unit of the value.
    pub unit: &'static str,
    /// Accepted values.
    pub kind: LeverKind,
    /// Clause of the plan the lever implements.
    pub clause: &'static str,
    /// One-line meaning.
    pub doc: &'static str,
}

/// Options of the tax-record criterion (L4).
pub const TAX_RECORD_OPTIONS: &[&str] = &["off", "any_record", "iit_paid"];

const fn num(
    key: &'static str,
    model_ref: &'static str,
    unit: &'static str,
    min: f64,
    max: f64,
    clause: &'static str,
    doc: &'static str,
) -> LeverSpec {
    LeverSpec { key, model_ref, unit, kind: LeverKind::Number { min, max }, clause, doc }
}

const fn flag(key: &'static str, model_ref: &'static str, clause: &'static str, doc: &'static str) -> LeverSpec {
    LeverSpec { key, model_ref, unit: "on/off", kind: LeverKind::Bool, clause, doc }
}

registry! {
    /// Index of a policy lever.
    LeverId: LeverSpec [
        SettleYears => num("settle_years_required", "L1", "years", 0.0, 5.0, "二(一)1", "years of local work required for 落户"),
        SettleSiMonths => num("settle_si_months_required", "L2", "months", 0.0, 60.0, "二(一)1", "months of local social insurance required for 落户"),
        IncomeProof => flag("income_proof_required", "L3", "二(一)1", "stable-income proof required for 落户"),
        TaxRecord => LeverSpec { key: "tax_record", model_ref: "L4", unit: "option", kind: LeverKind::Choice(TAX_RECORD_OPTIONS), clause: "二(一)1", doc: "tax criterion for 落户: off, any tax or social-insurance record, or individual income tax paid" },
        PermitMonths => num("permit_residence_months", "L5", "months", 0.0, 6.0, "二(一)1", "months of residence required for a 居住证"),
        PermitDays => num("permit_processing_days", "L6", "days", 1.0, 30.0, "二(一)1", "居住证 processing time"),
        Decoupling => num("decoupling", "L7", "share", 0.0, 1.0, "二(一)1", "share of hukou-linked entitlements open to permit holders"),
        SchoolAccess => num("school_access_migrant", "L8", "share", 0.5, 1.0, "二(一)1, 二(三)2", "public-school admission share for migrant children"),
        VocTraining => num("vocational_training", "L9", "person-times/yr", 0.0, 5000.0, "二(一)2", "vocational skills training"),
        EntTraining => num("entrepreneurship_training", "L10", "person-times/yr", 0.0, 4000.0, "二(一)2", "entrepreneurship training"),
        GuaranteeLoans => num("guarantee_loans", "L11", "亿元/yr", 0.0, 1.0, "二(一)2", "new entrepreneurship guarantee loans"),
        Incubator => num("incubator_places", "L12", "firms", 0.0, 500.0, "二(一)2", "firms in graduate entrepreneurship incubators"),
        WelfareJobs => num("public_welfare_jobs", "L13", "posts/yr", 0.0, 500.0, "二(一)2", "public-welfare posts for zero-employment households"),
        UnemploymentBenefit => num("unemployment_benefit_ratio", "L14", "share of minimum wage", 0.6, 1.0, "二(一)3", "unemployment benefit as a share of the minimum wage"),
        AssistanceGrowth => num("assistance_growth", "L15", "1/yr", 0.0, 0.10, "二(一)3", "growth of the social-assistance standard"),
        IndustrialPolicy => num("industrial_policy", "L16", "intensity", 0.0, 1.0, "二(二)1-2, 二(五)3", "industrial-policy intensity (八大行动, 招商, 园区提质), all industrial sectors"),
        LandRecycled => num("land_recycled", "L17", "ha/yr", 0.0, 200.0, "二(二)2", "low-efficiency land and idle plants recycled"),
        LandMarket => num("land_marketised", "L18", "ha/yr", 0.0, 100.0, "二(五)3", "collective commercial construction land marketised (入市, 增减挂钩)"),
        Talent => num("talent_inflow", "L19", "persons/yr", 0.0, 3000.0, "二(二)3", "talent inflow (百千千万)"),
        ArhNew => num("arh_new_units", "L20", "units/yr", 0.0, 3000.0, "二(一)3", "new-build 保障性租赁住房 units entering the reserve"),
        ArhConv => num("arh_conversions", "L21", "units/yr", 0.0, 2000.0, "二(一)3", "保障性租赁住房 converted by enterprises (改建/改造)"),
        ArhRent => num("arh_rent_share", "L22", "share of market rent", 0.6, 0.95, "二(一)3", "ARH rent as a share of market rent"),
        PrhUnits => num("prh_units", "L23", "units/yr", 0.0, 1000.0, "二(一)3", "公租房 units added to the reserve"),
        OldCompounds => num("old_compounds", "L24", "compounds/yr", 0.0, 100.0, "二(四)1", "old compounds renovated"),
        EmbeddedShare => num("embedded_share", "L25", "share", 0.0, 1.0, "二(四)1", "share of renovations with embedded 一老一小 facilities"),
        FastTrack => num("fast_track", "L26", "share", 0.0, 0.5, "三", "cut in mean approval time"),
        GasConversions => num("gas_conversions", "L27", "households/yr", 0.0, 1000.0, "二(四)3", "燃气瓶改管 conversions"),
        KgTeacherPosts => num("kg_teacher_posts", "L28", "posts/yr", 0.0, 300.0, "二(三)2", "kindergarten teacher posts added (编制)"),
        SchoolSeats => num("school_seats", "L29", "seats/yr", 0.0, 5000.0, "二(三)2, 二(五)2", "generic primary and junior seats entering the reserve"),
        NurseryPlaces => num("nursery_places", "L30", "places/yr", 0.0, 2000.0, "二(三)3", "nursery places added (incl. 托幼一体)"),
        HospitalBeds => num("hospital_beds", "L31", "beds/yr", 0.0, 1000.0, "二(三)1", "generic hospital beds entering the reserve"),
        DoctorHires => num("doctor_recruitment", "L32", "persons/yr", 0.0, 800.0, "二(三)1", "doctors recruited"),
        NurseHires => num("nurse_recruitment", "L32", "persons/yr", 0.0, 800.0, "二(三)1", "nurses recruited"),
        SpecialtyEffort => num("specialty_effort", "L33", "intensity", 0.0, 1.0, "二(三)1", "specialty-building effort"),
        ElderlyBeds => num("elderly_beds", "L34", "beds/yr", 0.0, 1500.0, "二(三)3", "institutional elderly beds entering the reserve"),
        NursingShare => num("nursing_bed_share", "L35", "share", 0.3, 1.0, "二(三)3", "护理型 share of new elderly beds"),
        HomeElderlyBeds => num("home_elderly_beds", "L36", "units/yr", 0.0, 3000.0, "二(三)3", "home elderly beds and 适老化 retrofits"),
        Tightness => num("budget_tightness", "L37", "share", 0.0, 0.5, "三", "budget tightness κ (过紧日子): share of the free envelope held back"),
        FullFunding => flag("full_funding_only", "L38", "三", "start only projects whose full cost fits this year's envelope"),
        PriorityHousing => num("priority_housing", "L39", "weight", 0.0, 1.0, "三", "priority weight of housing in new starts"),
        PriorityEducation => num("priority_education", "L39", "weight", 0.0, 1.0, "三", "priority weight of education in new starts"),
        PriorityHealth => num("priority_health", "L39", "weight", 0.0, 1.0, "三", "priority weight of health in new starts"),
        PriorityElderly => num("priority_elderly", "L39", "weight", 0.0, 1.0, "三", "priority weight of elderly care in new starts"),
        PriorityInfrastructure => num("priority_infrastructure", "L39", "weight", 0.0, 1.0, "三", "priority weight of other infrastructure (not simulated) in new starts"),
        SpecialBonds => num("special_bonds", "L40", "亿元/yr", 0.0, 50.0, "三", "special bonds used"),
        DebtCap => num("debt_cap", "L41", "debt/resources", 0.5, 3.0, "三", "cap on the debt ratio; bonds stop at the cap"),
        MaglevYear => LeverSpec { key: "maglev_opening_year", model_ref: "L42", unit: "year", kind: LeverKind::Year { min: 2026, max: 2035 }, clause: "二(五)1", doc: "长浏快线 opening year" },
        HsrYear => LeverSpec { key: "hsr_opening_year", model_ref: "L43", unit: "year", kind: LeverKind::Year { min: 2026, max: 2035 }, clause: "二(五)1", doc: "长赣高铁 opening year" },
        Buildout => num("buildout_speed", "L44", "intensity", 0.0, 1.0, "二(五)2", "金阳新城 and town build-out speed (drives reclassification)"),
        Recognition => num("mutual_recognition", "L45", "share", 0.0, 1.0, "二(三)1", "检查检验结果互认共享 completion rate (tracked, not simulated)"),
        SettleCompletion => num("settle_completion", "L46", "share", 0.0, 1.0, "二(一)1", "应落尽落: share of the gap between the status-quo completion of 落户 applications and full completion (every eligible and willing applicant within the year) that is closed"),
        VillageReclass => num("village_reclassification", "L47", "persons/yr", 0.0, 40000.0, "二(一)1, 二(五)2", "村改居: rural residents whose village becomes an urban community, residence and hukou both"),
    ]
}
