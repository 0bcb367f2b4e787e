//! Migrant settlement (农业转移人口市民化, MODEL.md §3.2): the yearly rates of every status and
//! migration arc, the 落户 channels, and the hukou account.
//!
//! Conversions to a Liuyang urban hukou run through separate channels, each with its own rule:
//! (a) the criteria path of 二(一)1 for permit holders (E1), gated by the four criteria;
//! (b) 购房落户: migrants (L, E0, E1) moving into a new commercial home they bought;
//! (c) 投靠: outside migrants joining a family member's hukou; (d) talent arrivals registering
//! at once (L19); (e) 村改居: whole villages becoming urban communities (a lever, persons a
//! year); and local rural-hukou town residents (L) applying individually, who face no
//! threshold. Channels (a)-(c) and L's applications are completed at the administrative
//! completion share `c = θ c_adm + L46 (1 - θ c_adm)`: L46 is 应落尽落, closing the gap to full
//! completion; θ is the share of the recorded rural-hukou outflow that is conversion.
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
use super::indicators::set;
use super::{CityState, E0, E1, H, IndicatorId, L, LeverId, LeverPath, ParamId, Params, R, YearContext};

/// Survey level at which the land-income effect was measured: CMDS 2017, 37% willing [S18].
/// The logit coefficient of land value is fixed there, so it cannot diverge as willingness
/// approaches 0 or 1.
const LAND_ANCHOR: f64 = 0.37;

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

/// Completion share of 落户 applications in `year`: the status quo's θ c_adm, moved towards
/// full completion by the 应落尽落 lever (L46).
pub fn completion(params: &Params, levers: &LeverPath, year: super::Year) -> f64 {
    let status_quo = (params[ParamId::ConversionShare] * params[ParamId::CAdm]).clamp(0.0, 1.0);
    status_quo + levers.get(year, LeverId::SettleCompletion) * (1.0 - status_quo)
}

/// Steps 5-6: the indices and the rates of every arc for year `cx.year`.
pub fn rates(params: &Params, levers: &LeverPath, state: &CityState, cx: &mut YearContext) -> Rates {
    let year = cx.year;
    let [jr0, ha0, sa0, js0, sp0, lv0, dec0] = state.reference;
    // The jobs ratio (labour demand over supply, set by the economy step) against its base value.
    let jr = (cx.jobs_ratio / jr0).max(1e-6);
    let dec = levers.get(year, LeverId::Decoupling);
    let common = params[ParamId::BetaH] * (state.rent_burden / ha0).ln()
        + params[ParamId::BetaS] * (state.service_access - sa0)
        + params[ParamId::BetaJ] * (state.job_security - js0)
        + params[ParamId::BetaP] * (protection(levers, state, year) - sp0)
        + params[ParamId::BetaD] * (dec - dec0);
    let w0_e = params[ParamId::W0External];
    let w0_l = params[ParamId::W0Local];
    // ∂W/∂ln LV ≈ -0.7 at the survey level (S20: +1% land income, -0.7 pp stay probability), so
    // the logit coefficient is -0.7 / (w (1 - w)) at that level, a constant: the land term is
    // bounded because the land-value index is.
    let beta_land = -0.7 / (LAND_ANCHOR * (1.0 - LAND_ANCHOR)) * params[ParamId::BetaLandMult];
    let w_e = logistic(logit(w0_e) + common);
    let w_l = logistic(logit(w0_l) + common + beta_land * (state.land_value / lv0).ln());
    let elig = eligibility(params, levers, year);
    cx.willingness = [w_e, w_l];
    cx.eligibility = elig;

    let c = completion(params, levers, year);
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

    // 购房落户: persons moving into new commercial homes bought by migrant households, per
    // migrant (this year's completions, a household of the base size per home).
    let migrants = state.totals[L] + state.totals[E0] + state.totals[E1];
    let buyers = params[ParamId::PurchaseShare] * cx.ch_completions * params[ParamId::HouseholdSize];
    let purchase = if migrants > 0.0 { (buyers / migrants).min(0.5) } else { 0.0 };
    let family = params[ParamId::FamilyRate];
    cx.purchase = purchase;
    cx.family = family;
    cx.completion = c;
    cx.eligible_willing = state.totals[E1] * (w_e * (elig + purchase) + family)
        + state.totals[E0] * (w_e * purchase + family)
        + state.totals[L] * w_l * (1.0 + purchase);

    // Place reclassification: a smooth rate with build-out, plus an occasional event (boundary
    // or 城乡划分 code change); the median run carries the events at their expected rate.
    let event = cx.reclass_event * params[ParamId::ReclassEventSize];
    let village = if state.totals[R] > 0.0 {
        (levers.get(year, LeverId::VillageReclass) / state.totals[R]).min(0.5)
    } else {
        0.0
    };

    Rates {
        rural_to_town: params[ParamId::RuralToTown] * jr.powf(params[ParamId::EpsJl]),
        reclass: params[ParamId::Reclass] * levers.get(year, LeverId::Buildout) / 0.5 + event,
        village,
        out_rural: params[ParamId::OutRural] * jr.powf(-params[ParamId::EpsJo]),
        return_local: params[ParamId::OutLocal] * (1.0 - kappa_w * w_l).max(0.0),
        convert_local: c * w_l * (1.0 + purchase),
        permit,
        convert_external: c * (w_e * (elig + purchase) + family),
        convert_e0: c * (w_e * purchase + family),
        // Migrants leave when jobs fall: the outflow rises as the jobs ratio drops below its base.
        out_external: params[ParamId::OutExternal] * (1.0 - kappa_w * w_e).max(0.0) * jr.powf(-params[ParamId::EpsJo]),
        in_migration: in_migration.max(0.0),
        talent: levers.get(year, LeverId::Talent),
        talent_settle: params[ParamId::TalentSettle].clamp(0.0, 1.0),
        omega_return: params[ParamId::OmegaRet],
    }
}

/// The conversions of the year by channel: criteria path, individual (L), home purchase,
/// family, talent, 村改居. Each group's flow is split in proportion to its channel rates.
pub fn channels(cx: &YearContext) -> [f64; 6] {
    let [conv_e1, conv_e0, conv_loc] = cx.conversions;
    let (w_e, elig, p, family_rate) = (cx.willingness[0], cx.eligibility, cx.purchase, cx.family);
    let e1_total = w_e * (elig + p) + family_rate;
    let e0_total = w_e * p + family_rate;
    let part = |flow: f64, rate: f64, total: f64| if total > 0.0 { flow * rate / total } else { 0.0 };
    let criteria = part(conv_e1, w_e * elig, e1_total);
    let purchase = part(conv_e1, w_e * p, e1_total) + part(conv_e0, w_e * p, e0_total) + part(conv_loc, p, 1.0 + p);
    let family = part(conv_e1, family_rate, e1_total) + part(conv_e0, family_rate, e0_total);
    let individual = part(conv_loc, 1.0, 1.0 + p);
    [criteria, individual, purchase, family, cx.talent_settled, cx.village]
}

/// Step 10: the hukou account and the population and settlement indicators.
pub fn accounts(
    params: &Params,
    levers: &LeverPath,
    state: &mut CityState,
    cx: &YearContext,
    row: &mut [f64; IndicatorId::COUNT],
) {
    let [conv_e1, conv_e0, conv_loc] = cx.conversions;
    let from_outside = conv_e1 + conv_e0 + cx.talent_settled;
    let natural = 1.0 + params[ParamId::HukouBirthRate] - params[ParamId::HukouDeathRate];
    // Other moves out of the rural stock: the part (1 - θ) of the recorded net outflow that is
    // not individual conversion.
    let other_rural = (1.0 - params[ParamId::ConversionShare]) * params[ParamId::HukouNetRural];
    let urban = state.hukou_urban * natural + from_outside + conv_loc + cx.village + params[ParamId::HukouNetUrban];
    let rural = state.hukou_rural * natural - conv_loc - cx.village + other_rural;
    state.hukou_urban = urban.max(0.0);
    state.hukou_rural = rural.max(0.0);
    state.last_conversions = [from_outside, conv_loc + cx.village];
    let [criteria, individual, purchase, family, talent, village] = channels(cx);

    let [r, l, e0, e1, h] = [state.totals[R], state.totals[L], state.totals[E0], state.totals[E1], state.totals[H]];
    let total = r + l + e0 + e1 + h;
    let urban_res = total - r;
    let hukou = state.hukou_urban + state.hukou_rural;
    let dec = levers.get(cx.year, LeverId::Decoupling);
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
    set(row, IndicatorId::HukouConversions, from_outside + conv_loc + cx.village);
    set(row, IndicatorId::ConversionsExternal, from_outside);
    set(row, IndicatorId::ConversionsLocal, conv_loc + cx.village);
    set(row, IndicatorId::ConversionsCriteria, criteria);
    set(row, IndicatorId::ConversionsIndividual, individual);
    set(row, IndicatorId::ConversionsPurchase, purchase);
    set(row, IndicatorId::ConversionsFamily, family);
    set(row, IndicatorId::ConversionsTalent, talent);
    set(row, IndicatorId::VillageReclassified, village);
    set(row, IndicatorId::CompletionShare, cx.completion);
    set(row, IndicatorId::RuralHukouPopulation, state.hukou_rural);
    set(row, IndicatorId::Eligibility, cx.eligibility);
    set(row, IndicatorId::WillingnessExternal, cx.willingness[0]);
    set(row, IndicatorId::WillingnessLocal, cx.willingness[1]);
    // 应落尽落: the application channels' conversions over the eligible-and-willing stock.
    let applied = conv_e1 + conv_e0 + conv_loc;
    let settle = if cx.eligible_willing > 0.0 { (applied / cx.eligible_willing).min(1.0) } else { 1.0 };
    set(row, IndicatorId::SettleRatio, settle);
    // 应享尽享: L hold a Liuyang hukou and are fully entitled; permit holders get the decoupled
    // share; migrants without a permit half of it [A].
    let non_hukou = l + e0 + e1;
    let entitled = if non_hukou > 0.0 { (l + dec * e1 + 0.5 * dec * e0) / non_hukou } else { 1.0 };
    set(row, IndicatorId::EntitlementIndex, entitled);
}
