//! Migrant settlement (农业转移人口市民化, MODEL.md §3.2): the yearly rates of every status and
//! migration arc, and the hukou account.
//!
//! Willingness to convert is a binary logit anchored on survey levels (CMDS 2017: 37.0% of urban
//! agricultural-transfer migrants willing [S18]) and shifted by the indices of rent burden (HA),
//! service access (SA), job security (JS), social protection (SP), decoupling (dec) and, for
//! local rural-hukou residents, rural land value (LV). Every index enters as its change from the
//! start of the run, so the anchors hold at base policy.
//!
//! Eligibility of permit holders follows the four criteria of 二(一)1:
//! `Elig = exp(-y_req/τ_ten) · SI(m_req) · (income proof ? p_inc : 1) · p_tax(definition)`,
//! with `SI(m) = 1` for m = 0 else `p_si · exp(-m / (12 τ_si))`.
//! The tax criterion depends on its definition (L4): the 2024 average migrant income, 4,961 元 a
//! month [S30], is below the 60,000 元 yearly IIT deduction [S41], so "IIT paid" excludes most.

use super::demography::Rates;
use super::{CityState, E0, E1, H, IndicatorId, L, LeverId, LeverPath, ParamId, Params, R, YearContext};

/// Default 居住证 processing time D0 in days (MODEL.md §3.2).
const PERMIT_DAYS_REF: f64 = 15.0;

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln()
}

/// Share of permit holders meeting the 落户 criteria set by levers L1-L4.
pub fn eligibility(params: &Params, levers: &LeverPath, year: super::Year) -> f64 {
    let years_req = levers.get(year, LeverId::SettleYears);
    let si_months = levers.get(year, LeverId::SettleSiMonths);
    let income = levers.get(year, LeverId::IncomeProof) > 0.5;
    let tax = levers.get(year, LeverId::TaxRecord).round() as usize;
    let tenure = (-years_req / params[ParamId::TauTen]).exp();
    let si = if si_months <= 0.0 {
        1.0
    } else {
        params[ParamId::PSi] * (-si_months / (12.0 * params[ParamId::TauSi])).exp()
    };
    let inc = if income { params[ParamId::PInc] } else { 1.0 };
    let tax = match tax {
        0 => 1.0,
        1 => params[ParamId::PTaxAny],
        _ => params[ParamId::PTaxIit],
    };
    (tenure * si * inc * tax).clamp(0.0, 1.0)
}

/// Social-protection index SP: the unemployment-benefit ratio (L14) times the assistance
/// standard relative to migrant income (grows with L15).
pub fn protection(levers: &LeverPath, state: &CityState, year: super::Year) -> f64 {
    levers.get(year, LeverId::UnemploymentBenefit) * state.protection
}

/// Rail access index: 1 once the maglev link runs, plus ½ once the high-speed line runs [A].
fn rail(levers: &LeverPath, year: super::Year) -> f64 {
    let open = |id| f64::from(year) >= levers.get(year, id);
    f64::from(u8::from(open(LeverId::MaglevYear))) + 0.5 * f64::from(u8::from(open(LeverId::HsrYear)))
}

/// Steps 5-6: the indices and the rates of every arc for year `cx.year`.
pub fn rates(params: &Params, levers: &LeverPath, state: &CityState, cx: &mut YearContext) -> Rates {
    let year = cx.year;
    let [jr0, ha0, sa0, js0, sp0, lv0, dec0] = state.reference;
    let jobs_ratio = if state.labour_supply > 0.0 { cx.jobs / state.labour_supply } else { jr0 };
    let jr = (jobs_ratio / jr0).max(1e-6);
    cx.jobs_ratio = jobs_ratio;
    let dec = levers.get(year, LeverId::Decoupling);
    let common = params[ParamId::BetaH] * (state.rent_burden / ha0).ln()
        + params[ParamId::BetaS] * (state.service_access - sa0)
        + params[ParamId::BetaJ] * (state.job_security - js0)
        + params[ParamId::BetaP] * (protection(levers, state, year) - sp0)
        + params[ParamId::BetaD] * (dec - dec0);
    let w0_e = params[ParamId::W0External];
    let w0_l = params[ParamId::W0Local];
    // ∂W/∂ln LV ≈ -0.7 at the anchor (S20: +1% land income, -0.7 pp stay probability), so the logit
    // coefficient is -0.7 / (w0 (1 - w0)).
    let beta_land = -0.7 / (w0_l * (1.0 - w0_l)) * params[ParamId::BetaLandMult];
    let w_e = logistic(logit(w0_e) + common);
    let w_l = logistic(logit(w0_l) + common + beta_land * (state.land_value / lv0).ln());
    let elig = eligibility(params, levers, year);
    cx.willingness = [w_e, w_l];
    cx.eligibility = elig;

    let c_adm = params[ParamId::CAdm];
    let kappa_w = params[ParamId::KappaW];
    let months = levers.get(year, LeverId::PermitMonths);
    let days = levers.get(year, LeverId::PermitDays);
    let resident_long_enough = (-(months / 12.0) / params[ParamId::TauTen]).exp();
    let speed = 1.0 + params[ParamId::KappaDays] * (PERMIT_DAYS_REF - days) / PERMIT_DAYS_REF;
    let permit = (params[ParamId::UPermit] * resident_long_enough * speed).clamp(0.0, 1.0);

    let in_migration = params[ParamId::InMigration]
        * jr.powf(params[ParamId::EpsJ])
        * (state.rent_burden / ha0).powf(params[ParamId::EpsH])
        * (params[ParamId::EpsS] * (state.service_access - sa0)).exp()
        * (1.0 + params[ParamId::EpsT] * rail(levers, year))
        * (params[ParamId::SigmaI] * cx.z[4]).exp();

    cx.eligible_willing = state.totals[E1] * elig * w_e + state.totals[L] * w_l;

    Rates {
        rural_to_town: params[ParamId::RuralToTown] * jr.powf(params[ParamId::EpsJl]),
        reclass: params[ParamId::Reclass] * levers.get(year, LeverId::Buildout) / 0.5,
        out_rural: params[ParamId::OutRural] * jr.powf(-params[ParamId::EpsJo]),
        return_local: params[ParamId::OutLocal] * (1.0 - kappa_w * w_l),
        convert_local: w_l * c_adm,
        permit,
        convert_external: elig * w_e * c_adm,
        out_external: params[ParamId::OutExternal] * (1.0 - kappa_w * w_e),
        in_migration: in_migration.max(0.0),
        talent: levers.get(year, LeverId::Talent),
        omega_return: params[ParamId::OmegaRet],
    }
}

/// Step 10: the hukou account and the population and settlement indicators.
pub fn accounts(
    params: &Params,
    levers: &LeverPath,
    state: &mut CityState,
    cx: &YearContext,
    row: &mut [f64; IndicatorId::COUNT],
) {
    let [conv_ext, conv_loc] = cx.conversions;
    let natural = 1.0 + params[ParamId::HukouBirthRate] - params[ParamId::HukouDeathRate];
    let reclass = params[ParamId::HukouReclass] * state.hukou_rural;
    let urban = state.hukou_urban * natural + conv_ext + conv_loc + reclass + params[ParamId::HukouNetUrban];
    let rural = state.hukou_rural * natural - conv_loc - reclass + params[ParamId::HukouNetRural];
    state.hukou_urban = urban.max(0.0);
    state.hukou_rural = rural.max(0.0);
    state.last_conversions = [conv_ext, conv_loc];

    let [r, l, e0, e1, h] = [state.totals[R], state.totals[L], state.totals[E0], state.totals[E1], state.totals[H]];
    let total = r + l + e0 + e1 + h;
    let urban_res = total - r;
    let hukou = state.hukou_urban + state.hukou_rural;
    let dec = levers.get(cx.year, LeverId::Decoupling);
    let set = |row: &mut [f64; IndicatorId::COUNT], id: IndicatorId, v: f64| row[id as usize] = v;
    set(row, IndicatorId::ResidentPopulation, total);
    set(row, IndicatorId::UrbanPopulation, urban_res);
    set(row, IndicatorId::UrbanisationRate, urban_res / total);
    set(row, IndicatorId::HukouPopulation, hukou);
    set(row, IndicatorId::UrbanHukouPopulation, state.hukou_urban);
    set(row, IndicatorId::HukouUrbanisationRate, state.hukou_urban / hukou);
    set(row, IndicatorId::UrbanisationGap, 100.0 * (urban_res / total - state.hukou_urban / hukou));
    set(row, IndicatorId::RuralResidents, r);
    set(row, IndicatorId::LocalMigrants, l);
    set(row, IndicatorId::ExternalNoPermit, e0);
    set(row, IndicatorId::ExternalPermit, e1);
    set(row, IndicatorId::UrbanHukouResidents, h);
    set(row, IndicatorId::TransferPopulation, l + (e0 + e1) * (1.0 - params[ParamId::ExtUrbanHukou]));
    set(row, IndicatorId::Aged60Plus, state.cohorts.aged_total());
    set(row, IndicatorId::PermitsIssued, cx.permits);
    set(row, IndicatorId::HukouConversions, conv_ext + conv_loc);
    set(row, IndicatorId::ConversionsExternal, conv_ext);
    set(row, IndicatorId::ConversionsLocal, conv_loc);
    set(row, IndicatorId::Eligibility, cx.eligibility);
    set(row, IndicatorId::WillingnessExternal, cx.willingness[0]);
    set(row, IndicatorId::WillingnessLocal, cx.willingness[1]);
    let settle = if cx.eligible_willing > 0.0 { ((conv_ext + conv_loc) / cx.eligible_willing).min(1.0) } else { 1.0 };
    set(row, IndicatorId::SettleRatio, settle);
    // 应享尽享: L hold a Liuyang hukou and are fully entitled; permit holders get the decoupled
    // share; migrants without a permit half of it [A].
    let non_hukou = l + e0 + e1;
    let entitled = if non_hukou > 0.0 { (l + dec * e1 + 0.5 * dec * e0) / non_hukou } else { 1.0 };
    set(row, IndicatorId::EntitlementIndex, entitled);
}
