//! The scalar parameters of the Liuyang model (MODEL.md §3 and §5): their stable keys, units and meaning.
//!
//! Values, distributions, tags and sources are data (`seeds/liuyang-baseline.toml`), never code;
//! this file only names what the equations consume, so that the baseline loader can insist that
//! every parameter is given exactly once and `urbsim explain` can list them.
//! Parameters are stored in a flat `[f64; ParamId::COUNT]` so that a Monte Carlo draw or a
//! sensitivity design is a plain vector, and a lookup in the year loop is an array index.

use super::registry;

/// Which model block a parameter belongs to (used for grouping in `explain` and sensitivity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Block {
    /// Cohort-component demography and the hukou account.
    Demography,
    /// Residence permits, eligibility, willingness and migration.
    Settlement,
    /// Sectors, jobs and labour programmes.
    Employment,
    /// Housing market and construction pipelines.
    Housing,
    /// Schools, health, elderly care.
    Services,
    /// Revenue, mandatory spending, budget for new starts.
    Fiscal,
}

/// Static description of one parameter.
#[derive(Debug)]
pub struct ParamSpec {
    /// Stable snake_case key used in data and scenario files.
    pub key: &'static str,
    /// Unit of the value.
    pub unit: &'static str,
    /// Model block.
    pub block: Block,
    /// Symbol or section in MODEL.md.
    pub model_ref: &'static str,
    /// One-line meaning.
    pub doc: &'static str,
}

const fn p(
    key: &'static str,
    unit: &'static str,
    block: Block,
    model_ref: &'static str,
    doc: &'static str,
) -> ParamSpec {
    ParamSpec { key, unit, block, model_ref, doc }
}

use Block::*;

registry! {
    /// Index of a scalar model parameter.
    ParamId: ParamSpec [
        // --- demography ---------------------------------------------------------
        Tfr => p("tfr", "children/woman", Demography, "§3.1 TFR", "total fertility rate of resident women in the base year"),
        TfrDrift => p("tfr_drift", "1/yr", Demography, "§5 TFR drift", "relative yearly change of the TFR"),
        TfrMultE => p("tfr_mult_external", "ratio", Demography, "§5", "TFR multiplier for women with a hukou from outside Liuyang (E0, E1)"),
        E0 => p("e0", "years", Demography, "§3.1 Brass", "life expectancy at birth, both sexes"),
        E0SexGap => p("e0_sex_gap", "years", Demography, "§5", "female minus male life expectancy"),
        E0Gain => p("e0_gain", "years/yr", Demography, "§3.1", "yearly gain in life expectancy"),
        Srb => p("srb", "boys per 100 girls", Demography, "§3.1 SRB", "sex ratio at birth"),
        MigPeakAge => p("mig_peak_age", "years", Demography, "§5", "peak age of the Rogers-Castro migration profile"),
        HukouBirthRate => p("hukou_birth_rate", "1/yr", Demography, "§3.1 b_K", "births per hukou holder (hukou-basis crude birth rate)"),
        HukouDeathRate => p("hukou_death_rate", "1/yr", Demography, "§3.1 d_K", "deaths per hukou holder (hukou-basis crude death rate)"),
        HukouNetUrban => p("hukou_net_urban", "persons/yr", Demography, "§3.1 n_u", "other net moves into the urban hukou stock (students, marriage, transfers)"),
        HukouNetRural => p("hukou_net_rural", "persons/yr", Demography, "§3.1 n_r", "net moves out of the rural hukou stock beyond natural change and 村改居 in 2021-23 (negative); split between individual conversions (share θ) and other moves"),
        ConversionShare => p("conversion_share", "share", Demography, "§3.1 θ", "share θ of the recorded net rural-hukou outflow that is individual conversion; the rest, (1 - θ) n_r, is other moves (marriage, students, moves away)"),
        // --- settlement -----------------------------------------------------------
        W0External => p("w0_external", "share", Settlement, "§3.2 w0_E", "willingness of non-local migrants to convert hukou at base"),
        W0Local => p("w0_local", "share", Settlement, "§3.2 w0_L", "willingness of local rural-hukou urban residents to convert at base"),
        BetaH => p("beta_housing", "logit per ln(HA)", Settlement, "§3.2 βH", "effect of log rent burden on willingness"),
        BetaS => p("beta_services", "logit per SA", Settlement, "§3.2 βS", "effect of service access on willingness"),
        BetaJ => p("beta_jobs", "logit per JS", Settlement, "§3.2 βJ", "effect of job security on willingness"),
        BetaP => p("beta_protection", "logit per SP", Settlement, "§3.2 βP", "effect of social protection on willingness"),
        BetaD => p("beta_decoupling", "logit per dec", Settlement, "§3.2 βD", "effect of decoupling entitlements from hukou on willingness (sign open)"),
        BetaLandMult => p("beta_land_mult", "ratio", Settlement, "§3.2 βLand", "multiplier on the land-income effect derived from S20"),
        TauTen => p("tau_tenure", "years", Settlement, "§3.2 τ_ten", "mean local tenure of migrants"),
        PSi => p("p_social_insurance", "share", Settlement, "§3.2 p_si", "share of migrants with local social insurance"),
        TauSi => p("tau_social_insurance", "years", Settlement, "§3.2 τ_si", "mean length of migrants' contribution record"),
        PInc => p("p_income_proof", "share", Settlement, "§3.2 p_inc", "share of migrants able to prove a stable income"),
        PTaxIit => p("p_tax_iit", "share", Settlement, "§3.2 p_tax", "share with an individual-income-tax record"),
        PTaxAny => p("p_tax_any", "share", Settlement, "§3.2 p_tax", "share with any tax or social-insurance record"),
        CAdm => p("c_adm", "share/yr", Settlement, "§3.2 c_adm", "annual completion of 落户 among the eligible and willing if every net rural-hukou outflow were a conversion (θ = 1); the status quo's completion share is θ c_adm"),
        PurchaseShare => p("purchase_share_migrants", "share", Settlement, "§3.2 s_buy", "share of new commercial homes bought by migrant households (L, E0, E1), who may register by purchase (购房落户)"),
        FamilyRate => p("family_rate", "1/yr", Settlement, "§3.2 r_fam", "yearly rate at which outside migrants join a family member's Liuyang urban hukou (投靠)"),
        TalentSettle => p("talent_settle_share", "share", Settlement, "§3.2 s_tal", "share of talent arrivals (L19) who register a Liuyang hukou on arrival"),
        UPermit => p("u_permit", "share/yr", Settlement, "§3.2 u_P", "annual residence-permit uptake among qualified E0"),
        KappaDays => p("kappa_days", "ratio", Settlement, "§3.2 κd", "uptake response to faster permit processing"),
        KappaW => p("kappa_w", "ratio", Settlement, "§3.2 κW", "reduction of return migration by willingness to stay"),
        InMigration => p("in_migration", "persons/yr", Settlement, "§3.2 I0", "in-migration at base conditions"),
        OmegaRet => p("omega_return", "share", Settlement, "§3.2 ω_ret", "share of in-migrants who are returning Liuyang hukou holders"),
        RuralToTown => p("rural_to_town", "1/yr", Settlement, "§3.2 x0", "rural-to-town move rate at the profile peak"),
        OutRural => p("out_rural", "1/yr", Settlement, "§3.2 oR", "out-migration rate of rural residents at the profile peak"),
        OutLocal => p("out_local", "1/yr", Settlement, "§3.2 oL", "return-to-village rate of L"),
        OutExternal => p("out_external", "1/yr", Settlement, "§3.2 oE", "return or onward rate of E0/E1 at zero willingness"),
        EpsJ => p("eps_jobs", "elasticity", Settlement, "§3.2 εJ", "in-migration elasticity to the jobs ratio"),
        EpsJl => p("eps_jobs_local", "elasticity", Settlement, "§3.2 εJl", "rural-to-town elasticity to the jobs ratio"),
        EpsJo => p("eps_jobs_out", "elasticity", Settlement, "§3.2 εJo", "rural out-migration elasticity to the jobs ratio"),
        EpsH => p("eps_housing", "elasticity", Settlement, "§3.2 εH", "in-migration elasticity to the rent burden"),
        EpsS => p("eps_services", "per SA", Settlement, "§3.2 εS", "in-migration semi-elasticity to service access"),
        EpsT => p("eps_rail", "share", Settlement, "§3.2 εT", "in-migration uplift once rail links open"),
        SigmaI => p("sigma_in_migration", "sd", Settlement, "§3.2 σI", "sd of the yearly in-migration shock (log scale)"),
        Reclass => p("reclass_rate", "1/yr", Settlement, "§3.2 ρ", "reclassification of rural residents to urban at build-out 0.5"),
        ReclassEventProb => p("reclass_event_prob", "1/yr", Settlement, "§3.2 RC", "yearly chance of a statistical reclassification event (boundary or 城乡划分 code change)"),
        ReclassEventSize => p("reclass_event_size", "share", Settlement, "§3.2 RC", "share of rural residents counted as urban in an event"),
        ExtUrbanHukou => p("h_external_urban", "share", Settlement, "§3.1 h_E", "share of E holding an urban hukou elsewhere (not 农业转移人口)"),
        PhiJs => p("phi_js", "JS per trainee", Settlement, "§3.2 φ_JS", "job-security gain per vocational trainee relative to E/L workers"),
        LandValueStep => p("land_value_step", "1/ha", Settlement, "§3.2 LV", "rise of the rural land-value index per hectare marketised, near the base level"),
        LandValueMax => p("land_value_max", "ratio", Settlement, "§3.2 LV", "ceiling of the rural land-value index relative to base (marketisation raises it towards this)"),
        // --- employment -----------------------------------------------------------
        GElectronics => p("g_electronics", "1/yr", Employment, "§3.3 g_1", "trend output growth, 电子信息"),
        GBiomedicine => p("g_biomedicine", "1/yr", Employment, "§3.3 g_2", "trend output growth, 生物医药"),
        GFireworks => p("g_fireworks", "1/yr", Employment, "§3.3 g_3", "trend output growth, 烟花爆竹"),
        GSmartEquipment => p("g_smart_equipment", "1/yr", Employment, "§3.3 g_4", "trend output growth, 智能装备"),
        GHomeBuilding => p("g_home_building", "1/yr", Employment, "§3.3 g_5", "trend output growth, 家居建材"),
        GNewMaterials => p("g_new_materials", "1/yr", Employment, "§3.3 g_6", "trend output growth, 新材料/新能源/未来产业"),
        GPaper => p("g_paper", "1/yr", Employment, "§3.3 g_7", "trend output growth, 造纸"),
        GEnvTech => p("g_env_tech", "1/yr", Employment, "§3.3 g_8", "trend output growth, 环保科技"),
        GFood => p("g_food", "1/yr", Employment, "§3.3 g_9", "trend output growth, 食品/湘菜食材"),
        GAgriculture => p("g_agriculture", "1/yr", Employment, "§3.3 g_10", "trend output growth, 农业"),
        GammaPolicy => p("gamma_policy", "1/yr", Employment, "§3.3 γ_k", "extra growth at full industrial-policy intensity"),
        RhoMacro => p("r_macro", "share", Employment, "§3.3 r_z", "share of sector shock variance that is common"),
        SigmaSector => p("sigma_sector", "sd", Employment, "§3.3 σ_k", "sd of yearly sector output shocks"),
        LambdaProd => p("lambda_productivity", "1/yr", Employment, "§3.3 λ_k", "labour productivity growth"),
        NuServices => p("nu_services", "jobs/job", Employment, "§3.3 ν", "service jobs per job in sectors 1-9"),
        SigmaServices => p("services_per_1000", "jobs/1000 residents", Employment, "§3.3 ς", "population-serving jobs per 1000 residents"),
        CCon => p("jobs_per_capex", "jobs/亿元", Employment, "§3.3 c_con", "construction jobs per 亿元 of public construction"),
        CCh => p("jobs_per_ch_start", "jobs/unit", Employment, "§3.3 c_CH", "construction jobs per commercial housing unit started"),
        Chi => p("chi_gross_hiring", "1/yr", Employment, "§3.3 χ", "gross-hiring share of existing urban jobs counted as new urban jobs"),
        DeltaAdd => p("delta_additionality", "share", Employment, "§3.3 δ_add", "additionality of programme jobs"),
        JobsPerLoan => p("jobs_per_loan", "jobs/loan", Employment, "§3.3 j_GL", "jobs per guarantee-loan borrower"),
        LoanSize => p("loan_size", "万元", Employment, "§3.3 ℓ̄", "mean guarantee-loan size"),
        PhiStartup => p("startups_per_trainee", "firms/person", Employment, "§3.3 φ_st", "startups per entrepreneurship trainee"),
        JobsPerStartup => p("jobs_per_startup", "jobs/firm", Employment, "§3.3 j_st", "jobs per startup"),
        ThetaVt => p("theta_vt", "transfers/trainee", Employment, "§3.3 θ_VT", "rural labour transfers per vocational trainee"),
        ENonFarm => p("e_nonfarm", "share", Employment, "§3.3 e_nf", "share of working-age rural movers who take non-farm work"),
        KappaC => p("kappa_rural_share", "share", Employment, "§3.3 κ_c", "share of new urban jobs filled by rural labour"),
        Zeta => p("zeta_zero_employment", "1/yr", Employment, "§3.3 ζ", "new zero-employment households per urban household"),
        PlaceRate => p("place_rate", "1/yr", Employment, "§3.3 place", "share of zero-employment households placed by ordinary services"),
        ZeroEmpBase => p("zero_employment_base", "households", Employment, "§3.3 Z_0", "zero-employment households at base"),
        Commuters => p("rural_commuter_share", "share", Employment, "§3.3 LS", "share of rural labour force working in urban jobs"),
        InCommuting => p("in_commuting", "share", Employment, "§3.3 S", "workers commuting in from outside Liuyang, as a share of the residents' labour force"),
        FrictionalUnemployment => p("frictional_unemployment", "share", Employment, "§3.3 u*", "unemployment that remains however many jobs there are (search, seasonality)"),
        // --- housing --------------------------------------------------------------
        HouseholdSize => p("household_size", "persons", Housing, "§3.4 hs_0", "urban household size at base"),
        HouseholdShrink => p("household_shrink", "1/yr", Housing, "§3.4 d_hs", "yearly decline of household size"),
        VacancyTarget => p("vacancy_target", "share", Housing, "§3.4 v*", "structural vacancy"),
        ChRegime => p("ch_regime", "ratio", Housing, "§3.4 m_t", "commercial-housing start regime relative to base starts"),
        ChStartsBase => p("ch_starts_base", "units/yr", Housing, "§3.4 S0_CH", "commercial housing starts at base"),
        ChGapClosure => p("ch_gap_closure", "share", Housing, "§3.4 α", "share of the housing need closed by extra starts per construction period"),
        ChStockRatio => p("ch_stock_ratio", "units/household", Housing, "§3.4", "commercial housing stock at base relative to the level that balances the market (1 = no excess)"),
        ArhStockBase => p("arh_stock_base", "units", Housing, "§3.4", "保障性租赁住房 stock at base"),
        PrhStockBase => p("prh_stock_base", "units", Housing, "§3.4", "公租房 stock at base"),
        PrhEligibleShare => p("prh_eligible_share", "share", Housing, "§3.4 PRH", "share of urban households eligible for 公租房"),
        TauCh => p("tau_ch", "years", Housing, "§3.4 τ_CH", "mean start-to-completion time, commercial housing"),
        TauArhNew => p("tau_arh_new", "years", Housing, "§3.4 τ_ARHn", "mean construction time, new-build ARH and PRH"),
        TauArhConv => p("tau_arh_conv", "years", Housing, "§3.4 τ_ARHc", "mean conversion time, enterprise ARH"),
        TauSchool => p("tau_school", "years", Housing, "§3.4 τ_school", "mean construction time, school and nursery places"),
        TauHospital => p("tau_hospital", "years", Housing, "§3.4 τ_hospital", "mean construction time, hospital beds"),
        TauElderly => p("tau_elderly", "years", Housing, "§3.4 τ_elderly", "mean construction time, elderly beds"),
        TauApproval => p("tau_approval", "years", Housing, "§3.4 τ_app", "mean approval time from reserve to start"),
        StallCh => p("stall_ch", "1/yr", Housing, "§3.4 stall", "annual stall rate, commercial housing"),
        StallPublic => p("stall_public", "1/yr", Housing, "§3.4 stall", "annual stall rate, public projects"),
        Psi => p("psi_rent", "ratio", Housing, "§3.4 ψ", "rent response to excess demand"),
        SigmaRent => p("sigma_rent", "sd", Housing, "§3.4 σ_r", "sd of yearly rent shocks"),
        RentBase => p("rent_base", "元/m²/month", Housing, "§3.2 r_mkt", "market rent at base"),
        MigrantIncome => p("migrant_income", "元/month", Housing, "§3.2 y_mig", "migrant-worker income at base"),
        IncomeGrowth => p("income_growth", "1/yr", Housing, "§3.2", "nominal growth of migrant income"),
        MigrantFloorArea => p("migrant_floor_area", "m²/person", Housing, "§3.2 HA", "floor area per migrant used for the rent burden"),
        RenterShare => p("renter_share", "share", Housing, "§3.2 c_ARH", "share of E/L households renting"),
        OldCompoundsBase => p("old_compounds_base", "compounds", Housing, "§3.4 OC", "unrenovated old compounds at base"),
        EmbeddedPlaces => p("embedded_places", "places/compound", Housing, "§3.4 e_emb", "一老一小 places per renovated compound with embedded facilities"),
        // --- services -------------------------------------------------------------
        Retirement => p("capacity_retirement", "1/yr", Services, "§3.5 δ_s", "yearly retirement of service capacity"),
        Attrition => p("staff_attrition", "1/yr", Services, "§3.5 q_s", "yearly staff attrition"),
        NurseryUptake => p("nursery_uptake", "share", Services, "§3.5 u_nur", "nursery uptake among children aged 0-2"),
        KgGer => p("kg_ger", "share", Services, "§3.5 GER", "kindergarten gross enrolment sought by families"),
        HsGer => p("senior_high_ger", "share", Services, "§3.5 GER_hs", "senior-high gross enrolment sought"),
        BedsNorm => p("beds_norm", "beds/1000", Services, "§7 b*", "hospital beds needed per 1000 residents"),
        ElderlyBedsNorm => p("elderly_beds_norm", "beds/1000 aged 60+", Services, "§5 e*", "institutional elderly beds needed per 1000 aged 60+"),
        TekunShare => p("tekun_share", "share of 60+", Services, "§3.5 TK", "特困 persons unable to care for themselves, share of residents aged 60+"),
        TekunBedsBase => p("tekun_beds_base", "beds", Services, "§3.5", "beds reserved for 特困 care at base"),
        NurseryPerThousandBase => p("nursery_base", "places/1000", Services, "§3.5", "nursery places per 1000 residents at base"),
        KgCapacityCover => p("kg_capacity_cover", "ratio", Services, "§3.5", "kindergarten seats relative to base demand"),
        SchoolCapacityCover => p("school_capacity_cover", "ratio", Services, "§3.5", "primary, junior and senior seats relative to base demand"),
        BedsBase => p("beds_base", "beds/1000", Services, "§7", "hospital beds per 1000 residents at base"),
        DoctorsBase => p("doctors_base", "per 1000", Services, "§7", "doctors per 1000 residents at base"),
        NursesBase => p("nurses_base", "per 1000", Services, "§7", "nurses per 1000 residents at base"),
        ElderlyBedsBase => p("elderly_beds_base", "beds/1000 aged 60+", Services, "§7", "institutional elderly beds per 1000 aged 60+ at base"),
        NursingShareBase => p("nursing_share_base", "share", Services, "§7", "护理型 share of elderly beds at base"),
        TeacherCover => p("teacher_cover", "ratio", Services, "§3.5", "teachers relative to the staffing norm at base"),
        PSpec => p("p_specialty", "1/yr", Services, "§3.5 p_spec", "yearly designation hazard per unit of effort (provincial key specialty)"),
        NationalSpecFactor => p("national_specialty_factor", "ratio", Services, "§3.5", "national designation hazard relative to provincial"),
        // --- fiscal ---------------------------------------------------------------
        RevenueBase => p("revenue_base", "亿元", Fiscal, "§3.6 Rev", "地方一般公共预算收入 in the base year"),
        EpsR => p("eps_revenue", "elasticity", Fiscal, "§3.6 ε_R", "revenue buoyancy to nominal GDP growth"),
        SigmaRevenue => p("sigma_revenue", "sd", Fiscal, "§3.6 σ_R", "sd of yearly revenue shocks"),
        InflationGdp => p("gdp_deflator", "1/yr", Fiscal, "§3.6", "GDP deflator growth, turns real output growth into nominal"),
        TransfersBase => p("transfers_base", "亿元", Fiscal, "§3.6 Tr", "net transfers from higher levels at base"),
        TransferGrowth => p("transfer_growth", "1/yr", Fiscal, "§5 Tr growth", "yearly growth of transfers"),
        LandBase => p("land_revenue_base", "亿元", Fiscal, "§3.6 Land", "政府性基金 land revenue at base"),
        PhiLand => p("phi_land", "share", Fiscal, "§3.6 φ_L", "share of land revenue available for the budget"),
        EpsL => p("eps_land", "elasticity", Fiscal, "§3.6 ε_L", "land revenue elasticity to commercial housing starts"),
        LandResidentialShare => p("land_residential_share", "share", Fiscal, "§3.6 s_res", "share of base-year land revenue from residential and commercial land (the rest, industrial and other land, does not follow housing starts)"),
        SigmaLand => p("sigma_land", "sd", Fiscal, "§3.6 σ_L", "sd of yearly land revenue shocks"),
        BudgetAdjustment => p("budget_adjustment", "share/yr", Fiscal, "§3.6 α_B", "share of the gap between the affordable and last year's new-start budget closed in a year (budgets change incrementally)"),
        WageGrowth => p("wage_growth", "1/yr", Fiscal, "§3.6 g_w", "growth of mandatory (三保) spending"),
        Headroom => p("start_headroom", "亿元", Fiscal, "§3.6", "base-year resources left after mandatory spending, debt service and commitments"),
        DebtBase => p("debt_base", "亿元", Fiscal, "§3.6 Debt", "government debt at base"),
        DebtRate => p("debt_rate", "1/yr", Fiscal, "§3.6", "interest rate on government debt"),
        UnitCostMult => p("unit_cost_mult", "ratio", Fiscal, "§5 unit costs", "multiplier on every unit cost"),
        CostArh => p("cost_arh", "万元/unit", Fiscal, "§3.6 K", "unit cost, new-build ARH"),
        CostPrh => p("cost_prh", "万元/unit", Fiscal, "§3.6 K", "unit cost, 公租房"),
        CostSeat => p("cost_seat", "万元/seat", Fiscal, "§3.6 K", "unit cost, school seat"),
        CostNursery => p("cost_nursery", "万元/place", Fiscal, "§3.6 K", "unit cost, nursery place"),
        CostBed => p("cost_bed", "万元/bed", Fiscal, "§3.6 K", "unit cost, hospital bed"),
        CostElderlyBed => p("cost_elderly_bed", "万元/bed", Fiscal, "§3.6 K", "unit cost, institutional elderly bed"),
        OpexSeat => p("opex_seat", "万元/seat/yr", Fiscal, "§3.6 oc_s", "running cost per school or kindergarten seat, excluding staff"),
        OpexBed => p("opex_bed", "万元/bed/yr", Fiscal, "§3.6 oc_s", "fiscal running cost per hospital or elderly bed"),
        WageTeacher => p("wage_teacher", "万元/yr", Fiscal, "§3.6 w_s", "fiscal cost per teacher"),
        WageHealth => p("wage_health", "万元/yr", Fiscal, "§3.6 w_s", "fiscal cost per doctor or nurse"),
        CostTraining => p("cost_training", "万元/person", Fiscal, "§3.6 c_VT", "fiscal cost per training place"),
        LoanSubsidy => p("loan_subsidy", "1/yr", Fiscal, "§3.6 i_sub", "interest subsidy on outstanding guarantee loans"),
        LoanTerm => p("loan_term", "years", Fiscal, "§3.6", "term of guarantee loans"),
        CostCitizen => p("cost_citizen", "万元/person", Fiscal, "§3.6 c_cit", "one-off fiscal cost per hukou conversion"),
        CostEntitlement => p("cost_entitlement", "万元/person/yr", Fiscal, "§3.6 c_ent", "yearly cost per non-hukou resident of full entitlement"),
        ProgrammeJobsPerIncubator => p("incubator_jobs", "jobs/firm/yr", Employment, "§3.3", "additional jobs per incubated firm per year"),
        LandRecycleGrowth => p("land_recycle_growth", "1/yr per ha", Employment, "§4 L17", "extra manufacturing growth per hectare of recycled low-efficiency land"),
    ]
}
