//! The yearly simulation core: state, inputs, the update order of one year, and `simulate`.
//!
//! One simulated year runs the blocks of MODEL.md §2 in a fixed order; each reads only
//! values that are already final, so a year is a fixed sequence of array operations:
//!
//! ```text
//!  year t   1 shocks z_t                (one fixed block of draws per year: common random numbers)
//!           2 fiscal envelope           revenue from last year's GDP growth, mandatory spending,
//!                                       debt service, commitments -> funding ratio, new-start budget
//!           3 pipelines                 starts (budget, priority, approval), stage moves, completions
//!           4 economy                   sector output -> labour demand, employment bounded by the
//!                                       labour supply, programme jobs, new urban jobs
//!           5 indices                   JR_t = demand / supply; HA, SA, JS from the t-1 state
//!           6 settlement rates          willingness (logit), eligibility, permit uptake, migration
//!           7 demography                survive and age, births, status flows, in-migration
//!           8 demand                    households, labour supply, rents, service demand
//!           9 staff                     hires and attrition
//!          10 accounts                  hukou stock, transfer employment, indicators
//! ```
//!
//! Same-year couplings, all intended: the jobs of year t (step 4) drive migration in year t
//! (steps 5-7); completions of year t (step 3) count as capacity in year t (step 8).
//! Everything else lags one year: revenue uses last year's GDP growth, housing need uses last
//! year's households, citizenisation cost uses last year's conversions.
//!
//! The year loop allocates nothing: the state is fixed-size arrays, indicators go into a
//! caller-provided row, and random numbers come from a generator passed in.

pub mod demography;
pub mod employment;
pub mod fiscal;
pub mod housing;
pub mod indicators;
pub mod levers;
pub mod params;
pub mod services;
pub mod settlement;
pub mod shocks;
pub mod start;

pub use indicators::IndicatorId;
pub use levers::LeverId;
pub use params::ParamId;
pub use shocks::{NoShocks, Shocks};

/// Declares an id enum together with its table of static specs, in one list so the two cannot drift.
macro_rules! registry {
    ($(#[$meta:meta])* $Enum:ident : $Spec:ident [ $($Var:ident => $spec:expr),* $(,)? ]) => {
        $(#[$meta])*
        #[allow(missing_docs)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $Enum { $($Var),* }
        impl $Enum {
            /// Every id, in declaration order.
            pub const ALL: &'static [$Enum] = &[$($Enum::$Var),*];
            /// Number of ids.
            pub const COUNT: usize = Self::ALL.len();
            /// Specs, indexed by `id as usize`.
            pub const SPECS: &'static [$Spec] = &[$($spec),*];
            /// The static spec of this id.
            pub fn spec(self) -> &'static $Spec { &Self::SPECS[self as usize] }
            /// The stable key of this id.
            pub fn key(self) -> &'static str { self.spec().key }
            /// Looks an id up by its key.
            pub fn from_key(key: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|id| id.key() == key)
            }
        }
    };
}
pub(crate) use registry;

/// A calendar year.
pub type Year = u16;

/// Single-year ages 0..=100, where 100 stands for 100 and over.
pub const AGES: usize = 101;
/// Sexes: 0 male, 1 female.
pub const SEXES: usize = 2;
/// Residence/hukou groups (MODEL.md §3.1).
pub const GROUPS: usize = 5;
/// Rural residents, any hukou.
pub const R: usize = 0;
/// Urban residents with a Liuyang rural hukou (本地农业转移人口).
pub const L: usize = 1;
/// Urban residents from outside Liuyang without a residence permit.
pub const E0: usize = 2;
/// Urban residents from outside Liuyang with a residence permit.
pub const E1: usize = 3;
/// Urban residents with a Liuyang urban hukou.
pub const H: usize = 4;
/// Most simulated years a lever path holds (2021..=2035 from a 2020 start).
pub const MAX_YEARS: usize = 16;
/// Last year a run may reach.
pub const LAST_YEAR: Year = 2035;
/// Most named projects (MODEL.md §3.4 b: the reserve list has at most about 300).
pub const MAX_PROJECTS: usize = 300;
/// Number of sectors (MODEL.md §3.3).
pub const SECTORS: usize = 12;

/// Persons by group, sex and single year of age.
pub type Pop = [[[f64; AGES]; SEXES]; GROUPS];

/// Concrete parameter values of one run, indexed by [`ParamId`].
#[derive(Clone, Debug, PartialEq)]
pub struct Params(pub [f64; ParamId::COUNT]);

impl std::ops::Index<ParamId> for Params {
    type Output = f64;
    fn index(&self, id: ParamId) -> &f64 {
        &self.0[id as usize]
    }
}

impl std::ops::IndexMut<ParamId> for Params {
    fn index_mut(&mut self, id: ParamId) -> &mut f64 {
        &mut self.0[id as usize]
    }
}

/// Lever values for every year of a run.
///
/// Invariants: `values[i]` holds the levers of year `first_year + i`; every value is within
/// the lever's documented range (the scenario loader guarantees it).
#[derive(Clone, Debug, PartialEq)]
pub struct LeverPath {
    /// First year covered.
    pub first_year: Year,
    /// One row of lever values per year.
    pub values: [[f64; LeverId::COUNT]; MAX_YEARS],
}

impl LeverPath {
    /// A path holding `row` in every year.
    pub fn constant(first_year: Year, row: [f64; LeverId::COUNT]) -> Self {
        LeverPath { first_year, values: [row; MAX_YEARS] }
    }

    /// Lever value in `year`; years past the path repeat its last row.
    pub fn get(&self, year: Year, id: LeverId) -> f64 {
        let i = (year.saturating_sub(self.first_year) as usize).min(MAX_YEARS - 1);
        self.values[i][id as usize]
    }

    /// Sets `id` to `value` from `year` on.
    pub fn set_from(&mut self, year: Year, id: LeverId, value: f64) {
        let i = (year.saturating_sub(self.first_year) as usize).min(MAX_YEARS);
        for row in &mut self.values[i..] {
            row[id as usize] = value;
        }
    }
}

/// Static description of one sector (MODEL.md §3.3), from the baseline data.
#[derive(Clone, Debug, PartialEq)]
pub struct Sector {
    /// Output in the base year, 亿元 (sectors 1-10).
    pub output: f64,
    /// Output per worker in the base year, 万元 (sectors 1-10 and 12).
    pub productivity: f64,
    /// Share of the sector's jobs that are urban.
    pub urban_share: f64,
    /// Multiplier on the common sector shock sd.
    pub volatility: f64,
    /// Value added per unit of output (sectors 1-10) used for GDP growth.
    pub value_added: f64,
    /// Jobs not tied to modelled activity (construction outside public projects and housing).
    pub other_jobs: f64,
}

/// Budget category of public construction (lever L39).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// Affordable and public rental housing.
    Housing = 0,
    /// Nursery places and school seats.
    Education = 1,
    /// Hospital beds.
    Health = 2,
    /// Elderly beds.
    Elderly = 3,
}

/// What a named project adds on completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capacity {
    /// Primary seats.
    PrimarySeats,
    /// Junior secondary seats.
    JuniorSeats,
    /// Senior high seats.
    SeniorSeats,
    /// Hospital beds.
    HospitalBeds,
    /// Institutional elderly beds.
    ElderlyBeds,
    /// Affordable rental housing units.
    ArhUnits,
    /// Capacity outside the simulated services (vocational schools and the like).
    Other,
}

impl Capacity {
    /// Budget category the project draws on.
    pub fn category(self) -> Category {
        match self {
            Capacity::PrimarySeats | Capacity::JuniorSeats | Capacity::SeniorSeats | Capacity::Other => {
                Category::Education
            }
            Capacity::HospitalBeds => Category::Health,
            Capacity::ElderlyBeds => Category::Elderly,
            Capacity::ArhUnits => Category::Housing,
        }
    }
}

/// A named project of the rolling reserve list (MODEL.md §3.4 b).
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    /// Name as in the plan.
    pub name: String,
    /// What it adds.
    pub capacity: Capacity,
    /// Units added on completion.
    pub amount: f64,
    /// Total cost, 亿元.
    pub cost: f64,
    /// Earliest year it may start (ignored when already started at base).
    pub start_year: Year,
    /// Mean construction time, years.
    pub duration: f64,
    /// Construction progress at base, 0..1; zero means still in the reserve.
    pub progress: f64,
}

/// Everything structural the model reads besides scalar parameters and levers, derived once
/// from the baseline data.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// Base year of the shipped state (end of year).
    pub base_year: Year,
    /// Survival schedules by life expectancy, per sex (Brass relational logit on the standard).
    pub survival: [demography::SurvivalTable; SEXES],
    /// Age pattern of fertility, sums to one over ages 15..=49.
    pub fertility_pattern: [f64; AGES],
    /// Labour-force participation by sex and age.
    pub lfpr: [[f64; AGES]; SEXES],
    /// The twelve sectors, in MODEL.md order.
    pub sectors: [Sector; SECTORS],
    /// Named projects.
    pub projects: Vec<Project>,
    /// GDP in the base year, 亿元.
    pub gdp_base: f64,
    /// 经开区 技工贸收入 in the base year, 亿元.
    pub dev_zone_base: f64,
}

/// One public construction programme: the Erlang pipeline 储备 -> 开工 -> 在建 -> 建成.
///
/// Invariant: `entered == reserve + in_construction() + completed` up to rounding.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pipeline {
    /// Units in the reserve (储备).
    pub reserve: f64,
    /// Units in construction, by stage (在建).
    pub stages: [f64; 3],
    /// Units completed since the start of the run (建成).
    pub completed: f64,
    /// Units that entered the reserve or construction since the start of the run.
    pub entered: f64,
}

impl Pipeline {
    /// Units in construction, all stages.
    pub fn in_construction(&self) -> f64 {
        self.stages.iter().sum()
    }
}

/// Public programmes, each with its own pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Programme {
    /// New-build affordable rental housing (L20).
    ArhNew = 0,
    /// Enterprise conversions to affordable rental housing (L21), funded by the enterprises.
    ArhConv = 1,
    /// Public rental housing (L23).
    Prh = 2,
    /// Primary seats (60% of L29).
    Primary = 3,
    /// Junior seats (40% of L29).
    Junior = 4,
    /// Nursery places (L30).
    Nursery = 5,
    /// Hospital beds (L31).
    Hospital = 6,
    /// Elderly beds (L34).
    Elderly = 7,
}

/// Number of public programmes.
pub const PROGRAMMES: usize = 8;

/// The state of the city at 31 December of `year`.
#[derive(Clone, Debug, PartialEq)]
pub struct CityState {
    /// Year the state refers to.
    pub year: Year,
    /// Residents by group, sex and age.
    pub pop: Pop,
    /// Residents by group (kept equal to the sums of `pop`, so the year loop needs no re-summing).
    pub totals: [f64; GROUPS],
    /// Cohort aggregates of `pop` (kept equal to them, like `totals`).
    pub cohorts: demography::Cohorts,
    /// Liuyang urban-hukou holders, wherever they live.
    pub hukou_urban: f64,
    /// Liuyang rural-hukou holders, wherever they live.
    pub hukou_rural: f64,
    /// Demography: last year's births, deaths, in- and out-migration (persons).
    pub vital: [f64; 4],
    /// Sector output, 亿元.
    pub output: [f64; SECTORS],
    /// Output per worker, 万元.
    pub productivity: [f64; SECTORS],
    /// Urban jobs.
    pub jobs: f64,
    /// Urban labour supply.
    pub labour_supply: f64,
    /// Nominal GDP, 亿元, and its growth in the year.
    pub gdp: f64,
    /// Nominal GDP growth of the year.
    pub gdp_growth: f64,
    /// Job-security index JS.
    pub job_security: f64,
    /// Social-protection index SP.
    pub protection: f64,
    /// Rural land-value index LV.
    pub land_value: f64,
    /// Market rent, 元/m²/month.
    pub rent: f64,
    /// Migrant income, 元/month.
    pub income: f64,
    /// Rent burden HA of the year.
    pub rent_burden: f64,
    /// Service access SA of the year.
    pub service_access: f64,
    /// Zero-employment households.
    pub zero_employment: f64,
    /// Commercial housing stock, units.
    pub ch_stock: f64,
    /// Commercial housing in construction by stage.
    pub ch_stages: [f64; 3],
    /// Commercial housing starts of this and the previous year.
    pub ch_starts: [f64; 2],
    /// ARH and PRH stocks, units.
    pub arh_stock: f64,
    /// PRH stock, units.
    pub prh_stock: f64,
    /// Public pipelines.
    pub pipelines: [Pipeline; PROGRAMMES],
    /// Unrenovated old compounds.
    pub old_compounds: f64,
    /// Embedded 一老一小 places.
    pub embedded_places: f64,
    /// Nursery places.
    pub nursery: f64,
    /// Kindergarten, primary, junior, senior seats.
    pub seats: [f64; 4],
    /// Kindergarten, primary, junior, senior teachers.
    pub teachers: [f64; 4],
    /// Hospital beds, doctors, nurses.
    pub health: [f64; 3],
    /// Elderly beds, of which nursing-type, of which reserved for 特困.
    pub elderly: [f64; 3],
    /// Home elderly beds, cumulative.
    pub home_elderly: f64,
    /// Accumulated designation hazard, national and provincial specialties.
    pub specialty_hazard: [f64; 2],
    /// Designation thresholds (sums of unit exponentials), national and provincial.
    pub specialty_threshold: [f64; 4],
    /// The public budget's flows of last year and its stocks (亿元).
    pub budget: Budget,
    /// Mandatory spending in the base year, excluding service running costs and programmes.
    pub mandatory_base: f64,
    /// Last year's hukou conversions: from outside Liuyang (E and talent), and of Liuyang rural
    /// hukou holders (L and 村改居).
    pub last_conversions: [f64; 2],
    /// Named projects: progress 0..1 (0 = reserve), and the run's drawn duration.
    pub project_progress: [f64; MAX_PROJECTS],
    /// Drawn durations of named projects, years.
    pub project_duration: [f64; MAX_PROJECTS],
    /// Reference values at the start of the run: JR, HA, SA, JS, SP, LV and the decoupling lever.
    pub reference: [f64; 7],
}

impl CityState {
    /// All residents.
    pub fn residents(&self) -> f64 {
        self.totals.iter().sum()
    }

    /// Urban residents (every group but R).
    pub fn urban(&self) -> f64 {
        self.totals[L..].iter().sum()
    }
}

/// The budget's stocks and last year's flows, 亿元 (MODEL.md §3.6).
///
/// Stock-flow identity, every year: `Δdebt - Δbond_fund - Δreserve = -(fiscal balance)`, where
/// the balance is resources less mandatory spending, interest and outlays on construction (money
/// set aside for started projects counts when it is set aside; the project fund then pays the
/// work as it is done).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Budget {
    /// 地方一般公共预算收入 of last year.
    pub revenue: f64,
    /// Net transfers from higher levels of last year.
    pub transfers: f64,
    /// Land revenue of last year.
    pub land: f64,
    /// Government debt (special bonds and general borrowing), refinanced at maturity.
    pub debt: f64,
    /// Special-bond proceeds not yet spent; they may pay only for public construction.
    pub bond_fund: f64,
    /// Money set aside for started projects (their reserved cost) and not yet spent.
    pub project_fund: f64,
    /// Budget stabilisation fund (预算稳定调节基金): surpluses beyond what debt can absorb.
    pub reserve: f64,
    /// Outstanding entrepreneurship guarantee loans.
    pub loans: f64,
    /// Last year's funding ratio of started projects (cuts are phased in from it).
    pub funding: f64,
    /// Last year's public construction spending.
    pub capex: f64,
    /// Last year's new-start budget (it moves incrementally towards what the envelope affords).
    pub new_start_budget: f64,
    /// Land revenue in the base year (the level land revenue is measured against).
    pub land_base: f64,
    /// Commercial housing starts in the base year (land sales follow starts relative to it).
    pub ch_starts_base: f64,
}

/// Per-run quantities derived from parameters before the year loop (no allocation).
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Migration age profile by sex and age, sums to one over both sexes.
    pub migration_profile: [[f64; AGES]; SEXES],
    /// The same profile scaled to a peak of one (for rates).
    pub migration_shape: [[f64; AGES]; SEXES],
}

/// Runs the model from `state` (the state at the end of `state.year`) to the end of `until`,
/// writing one row of indicators per simulated year into `out`.
///
/// `state` is overwritten with the final state; `out` must hold at least `until - state.year`
/// rows. The year loop performs no heap allocation. Results do not depend on the horizon: a run
/// to 2026 continued to 2028 equals a run to 2028. Call [`start_run`] once before the first
/// `simulate` of a run.
///
/// # Panics
/// If `out` is too short or `until` is before `state.year` (both are caller bugs).
pub fn simulate<S: Shocks>(
    inputs: &Inputs,
    params: &Params,
    levers: &LeverPath,
    state: &mut CityState,
    until: Year,
    shocks: &mut S,
    out: &mut [[f64; IndicatorId::COUNT]],
) {
    assert!(until >= state.year, "simulate: until {until} is before the start year {}", state.year);
    let n = (until - state.year) as usize;
    assert!(out.len() >= n, "simulate: output buffer holds {} rows, {n} needed", out.len());
    let prepared = prepare(params);
    for row in out.iter_mut().take(n) {
        step(inputs, params, levers, &prepared, state, shocks, row);
    }
}

/// Derives the per-run schedules that depend on parameters only (the migration profile).
pub fn prepare(params: &Params) -> Prepared {
    let (migration_profile, migration_shape) = demography::migration_profile(params[ParamId::MigPeakAge]);
    Prepared { migration_profile, migration_shape }
}

/// Draws the random constants of a run (named-project durations, specialty thresholds); call
/// once, right after building the initial state, before the first year.
pub fn start_run<S: Shocks>(inputs: &Inputs, state: &mut CityState, shocks: &mut S) {
    // Durations: lognormal around the project's mean with a log-sd of 0.25 [A]; the public
    // stall rate does the rest. With no shocks every project takes its mean duration.
    for (j, project) in inputs.projects.iter().enumerate().take(MAX_PROJECTS) {
        let z = shocks.normal();
        state.project_duration[j] = (project.duration * (0.25 * z).exp()).max(0.25);
    }
    // Specialty designations are a hazard process: the k-th designation happens when the
    // accumulated hazard passes the sum of k unit exponentials. With no shocks each exponential
    // is at its median, ln 2.
    state.specialty_threshold[0] = shocks.exponential();
    let mut provincial = 0.0;
    for k in 1..4 {
        provincial += shocks.exponential();
        state.specialty_threshold[k] = provincial;
    }
}

/// Values computed within a year and read by later steps of the same year.
#[derive(Clone, Copy, Debug, Default)]
pub struct YearContext {
    /// Year being simulated.
    pub year: Year,
    /// Shocks: macro, rent, revenue, land, in-migration, housing starts.
    pub z: [f64; 6],
    /// Place-reclassification event of the year: 1 or 0 (its probability in the median run).
    pub reclass_event: f64,
    /// Sector-specific shocks.
    pub e: [f64; 10],
    /// Funding ratio of started public projects.
    pub funding: f64,
    /// Public construction spending, 亿元.
    pub capex: f64,
    /// Commercial housing starts and completions.
    pub ch_starts: f64,
    /// Commercial housing completions.
    pub ch_completions: f64,
    /// Completions per programme this year.
    pub completions: [f64; PROGRAMMES],
    /// Starts per programme this year.
    pub starts: [f64; PROGRAMMES],
    /// Named-project capacity completed this year, indexed like [`Capacity`] (without Other).
    pub project_completions: [f64; 6],
    /// Urban jobs of year t, and of year t-1.
    pub jobs: f64,
    /// Programme jobs.
    pub programme_jobs: f64,
    /// New urban jobs proxy.
    pub new_urban_jobs: f64,
    /// Jobs ratio relative to reference.
    pub jobs_ratio: f64,
    /// Willingness to convert, external and local.
    pub willingness: [f64; 2],
    /// Eligibility of E1 for conversion.
    pub eligibility: f64,
    /// Conversions E1->H, E0->H and L->H.
    pub conversions: [f64; 3],
    /// 村改居: residents moved R->H with their village.
    pub village: f64,
    /// Talent arrivals registering a Liuyang hukou at once.
    pub talent_settled: f64,
    /// Purchase rate of the year: persons moving into a new home they bought, per migrant.
    pub purchase: f64,
    /// Completion share of 落户 applications this year.
    pub completion: f64,
    /// 投靠 rate of the year (family joining a Liuyang urban hukou), per outside migrant.
    pub family: f64,
    /// Residence permits issued.
    pub permits: f64,
    /// Working-age rural movers (to town and out).
    pub rural_movers: f64,
    /// Eligible-and-willing stock (denominator of the settle ratio).
    pub eligible_willing: f64,
    /// Embedded 一老一小 places added this year.
    pub embedded_new: f64,
}

/// Advances `state` by one year and writes that year's indicators into `row`.
pub fn step<S: Shocks>(
    inputs: &Inputs,
    params: &Params,
    levers: &LeverPath,
    prepared: &Prepared,
    state: &mut CityState,
    shocks: &mut S,
    row: &mut [f64; IndicatorId::COUNT],
) {
    let year = state.year + 1;
    let mut cx = YearContext { year, ..YearContext::default() };
    // 1. shocks: always the same number of draws per year, whatever the levers, so that every
    //    scenario sees the same future (common random numbers).
    for z in cx.z.iter_mut() {
        *z = shocks.normal();
    }
    for e in cx.e.iter_mut() {
        *e = shocks.normal();
    }
    cx.reclass_event = shocks.event(params[ParamId::ReclassEventProb]);
    row.fill(0.0);
    // 2-3. fiscal envelope, public pipelines, then the commercial pipeline (land revenue above
    //      used last year's commercial starts, so the order within step 3 does not matter).
    fiscal::envelope_and_pipelines(inputs, params, levers, state, &mut cx, row);
    housing::commercial_pipeline(inputs, params, state, &mut cx);
    // 4. economy.
    employment::economy(inputs, params, levers, state, &mut cx, row);
    // 5-6. indices and settlement rates, 7. demography.
    let rates = settlement::rates(params, levers, state, &mut cx);
    demography::advance(inputs, params, levers, prepared, state, &rates, &mut cx, row);
    // 8-9. demand, housing market, services and staff.
    housing::market(inputs, params, levers, state, &mut cx, row);
    services::update(params, levers, state, &mut cx, row);
    // 10. accounts.
    employment::accounts(params, levers, state, &cx, row);
    settlement::accounts(params, levers, state, &cx, row);
    state.year = year;
}
