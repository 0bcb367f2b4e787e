//! Cohort-component demography with five residence/hukou groups (MODEL.md §3.1).
//!
//! Owns survival (Brass relational logit on a standard life table), births (an age pattern of
//! fertility scaled to the TFR), the Rogers-Castro migration age profile, and the yearly
//! advance of the `Pop` array: survive and age, add births, apply the status and migration
//! flows decided by `settlement`, add in-migrants.
//!
//! ```text
//!  P[g][s][a] --survive/age--> Q[g][s][a+1]      deaths = ΣP - ΣQ   (exact by construction)
//!  births B_g = Σ_a TFR_g φ[a] (P_f[a] + Q_f[a]) / 2, newborns join the mother's group
//!  Q --flows--> R->L, R->out, L->R, L->H, E0->E1, E1->H, E->out   (rates capped so no cell < 0)
//!  P_t = Q + inflows - outflows + in-migrants
//! ```
//!
//! Brass logit convention: logit(l) = ½ ln((1 - l) / l), so l_x = 1 / (1 + exp(2 (α + Y_x))).
//! The survival ratio from age a to a+1 over a year is L_{a+1} / L_a with L_a = (l_a + l_{a+1}) / 2.

use super::{
    AGES, CityState, E0, E1, GROUPS, H, IndicatorId, Inputs, L, LeverPath, ParamId, Params, Prepared, R, SEXES,
    YearContext,
};

/// Grid of Brass α values on which e0 is tabulated once per baseline.
pub const ALPHA_MIN: f64 = -2.5;
/// Step of the α grid.
pub const ALPHA_STEP: f64 = 0.005;
/// Points of the α grid.
pub const ALPHA_POINTS: usize = 1001;
/// Remaining life expectancy assumed at 100 [A]; it only affects the open age group.
const E100: f64 = 2.0;
/// Share of the first year lived by infants who die (a0) [A: Coale-Demeny West at low mortality].
const A0: f64 = 0.1;

/// Brass logit of survivorship.
pub fn brass_logit(l: f64) -> f64 {
    0.5 * ((1.0 - l) / l).ln()
}

/// Survivorship l_x for x = 0..=101 from a standard (Brass logits) shifted by α.
fn survivorship(std: &[f64; AGES + 1], alpha: f64) -> [f64; AGES + 1] {
    let mut l = [1.0; AGES + 1];
    for x in 1..=AGES {
        l[x] = 1.0 / (1.0 + (2.0 * (alpha + std[x])).exp());
    }
    l
}

/// Life expectancy at birth of a survivorship column.
fn life_expectancy(l: &[f64; AGES + 1]) -> f64 {
    let mut e = l[1] + A0 * (1.0 - l[1]);
    for x in 1..AGES - 1 {
        e += 0.5 * (l[x] + l[x + 1]);
    }
    e + l[AGES - 1] * E100
}

/// e0 at every point of the α grid, for one sex (decreasing in α).
pub fn e0_table(std: &[f64; AGES + 1]) -> Vec<f64> {
    (0..ALPHA_POINTS).map(|i| life_expectancy(&survivorship(std, ALPHA_MIN + ALPHA_STEP * i as f64))).collect()
}

/// The α that gives life expectancy `e0`, by interpolation in a table from [`e0_table`].
pub fn alpha_for_e0(table: &[f64], e0: f64) -> f64 {
    // The table decreases with α; find the first point at or below e0.
    let i = table.partition_point(|&e| e > e0);
    if i == 0 {
        return ALPHA_MIN;
    }
    if i >= table.len() {
        return ALPHA_MIN + ALPHA_STEP * (table.len() - 1) as f64;
    }
    let (hi, lo) = (table[i - 1], table[i]);
    let frac = if hi > lo { (hi - e0) / (hi - lo) } else { 0.0 };
    ALPHA_MIN + ALPHA_STEP * ((i - 1) as f64 + frac)
}

/// One-year survival ratios for ages 0..=100 and the survival of births to the year end,
/// for the α that matches `e0`.
pub fn survival_for_alpha(std: &[f64; AGES + 1], alpha: f64) -> ([f64; AGES], f64) {
    let l = survivorship(std, alpha);
    let mut person_years = [0.0; AGES];
    person_years[0] = l[1] + A0 * (1.0 - l[1]);
    for x in 1..AGES - 1 {
        person_years[x] = 0.5 * (l[x] + l[x + 1]);
    }
    person_years[AGES - 1] = l[AGES - 1] * E100;
    let mut s = [0.0; AGES];
    for a in 0..AGES - 2 {
        s[a] = if person_years[a] > 0.0 { person_years[a + 1] / person_years[a] } else { 0.0 };
    }
    // The last single age and the open group survive together into the open group:
    // T_100 / T_99 with T_99 = L_99 + T_100 (the usual open-interval rule).
    let open = person_years[AGES - 1];
    let s_open = if person_years[AGES - 2] + open > 0.0 { open / (person_years[AGES - 2] + open) } else { 0.0 };
    s[AGES - 2] = s_open;
    s[AGES - 1] = s_open;
    // Births during the year are on average half a year old at its end.
    (s, person_years[0])
}

/// Rogers-Castro model migration schedule with its labour peak at `peak_age` (Rogers & Castro
/// 1981 standard shape [S42]): returns the profile summing to one over both sexes, and the same
/// shape scaled so its maximum is one.
pub fn migration_profile(peak_age: f64) -> ([[f64; AGES]; SEXES], [[f64; AGES]; SEXES]) {
    // Standard-shape coefficients [A]; only the peak location is uncertain (MODEL.md §5).
    let (a1, alpha1, a2, alpha2, lambda2, c): (f64, f64, f64, f64, f64, f64) = (0.02, 0.1, 0.06, 0.1, 0.4, 0.003);
    let mu2 = peak_age - (lambda2 / alpha2).ln() / (lambda2 - alpha2);
    let mut m = [0.0; AGES];
    for (a, v) in m.iter_mut().enumerate() {
        let x = a as f64;
        *v = a1 * (-alpha1 * x).exp() + a2 * (-alpha2 * (x - mu2) - (-lambda2 * (x - mu2)).exp()).exp() + c;
    }
    let sum: f64 = m.iter().sum::<f64>() * SEXES as f64;
    let max = m.iter().copied().fold(0.0, f64::max);
    let mut profile = [[0.0; AGES]; SEXES];
    let mut shape = [[0.0; AGES]; SEXES];
    for s in 0..SEXES {
        for a in 0..AGES {
            profile[s][a] = m[a] / sum;
            shape[s][a] = m[a] / max;
        }
    }
    (profile, shape)
}

/// Survival schedules tabulated on a grid of life expectancies, so that a year's schedule is a
/// linear interpolation (no exponentials in the year loop) and does not depend on the horizon.
#[derive(Clone, Debug, PartialEq)]
pub struct SurvivalTable {
    /// Life expectancy of the first row.
    pub e0_min: f64,
    /// Step between rows, years of e0.
    pub step: f64,
    /// One-year survival by age (0..=100), then the survival of births to the year end.
    pub rows: Vec<[f64; AGES + 1]>,
}

impl SurvivalTable {
    /// Tabulates e0 from 50 to 95 in steps of 0.05 years for one sex's Brass standard.
    pub fn build(std: &[f64; AGES + 1]) -> SurvivalTable {
        let (e0_min, step, n) = (50.0, 0.05, 901);
        let table = e0_table(std);
        let rows = (0..n)
            .map(|i| {
                let (s, s0) = survival_for_e0(std, &table, e0_min + step * i as f64);
                let mut row = [0.0; AGES + 1];
                row[..AGES].copy_from_slice(&s);
                row[AGES] = s0;
                row
            })
            .collect();
        SurvivalTable { e0_min, step, rows }
    }

    /// Writes the schedule for life expectancy `e0` (clamped to the grid) into `out`.
    pub fn at(&self, e0: f64, out: &mut [f64; AGES + 1]) {
        let x = ((e0 - self.e0_min) / self.step).clamp(0.0, (self.rows.len() - 1) as f64);
        let i = (x.floor() as usize).min(self.rows.len().saturating_sub(2));
        let w = x - i as f64;
        let (lo, hi) = (&self.rows[i], &self.rows[(i + 1).min(self.rows.len() - 1)]);
        for a in 0..=AGES {
            out[a] = (1.0 - w) * lo[a] + w * hi[a];
        }
    }
}

/// Survival for a target e0 using an e0 table from [`e0_table`] (one column of exponentials).
pub fn survival_for_e0(std: &[f64; AGES + 1], table: &[f64], e0: f64) -> ([f64; AGES], f64) {
    survival_for_alpha(std, alpha_for_e0(table, e0))
}

/// Yearly rates decided by `settlement` and applied here.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rates {
    /// R -> L at the profile peak.
    pub rural_to_town: f64,
    /// R -> L reclassification of places (statistical: residence becomes urban, hukou stays).
    pub reclass: f64,
    /// R -> H, all ages: 村改居, the village becomes an urban community (residence and hukou).
    pub village: f64,
    /// R -> out at the profile peak.
    pub out_rural: f64,
    /// L -> R at the profile peak.
    pub return_local: f64,
    /// L -> H, all ages (individual application and home purchase).
    pub convert_local: f64,
    /// E0 -> E1, all ages.
    pub permit: f64,
    /// E1 -> H, all ages (criteria path, home purchase, family).
    pub convert_external: f64,
    /// E0 -> H, all ages (home purchase, family: no permit needed).
    pub convert_e0: f64,
    /// E0, E1 -> out at the profile peak.
    pub out_external: f64,
    /// In-migrants of the year, persons.
    pub in_migration: f64,
    /// Talent in-migrants (lever L19), persons.
    pub talent: f64,
    /// Share of talent in-migrants who register a Liuyang hukou on arrival (the rest hold a permit).
    pub talent_settle: f64,
    /// Share of in-migrants who are returning Liuyang hukou holders.
    pub omega_return: f64,
}

/// Caps the outflow rates of one cell so that they sum to at most one (no negative stock).
fn capped<const N: usize>(mut rates: [f64; N]) -> [f64; N] {
    let total: f64 = rates.iter().sum();
    if total > 1.0 {
        for r in &mut rates {
            *r /= total;
        }
    }
    rates
}

/// Ages counted as working age for transfer employment.
const WORKING_AGES: std::ops::RangeInclusive<usize> = 16..=59;

/// Age bands the other blocks read: 0-2 (nursery), 3-5, 6-11, 12-14, 15-17 (school levels).
pub const BANDS: [std::ops::RangeInclusive<usize>; 5] = [0..=2, 3..=5, 6..=11, 12..=14, 15..=17];

/// Band of each single age, or `NO_BAND`.
const NO_BAND: u8 = u8::MAX;
const BAND_OF: [u8; AGES] = {
    let mut t = [NO_BAND; AGES];
    let mut a = 0;
    while a < AGES {
        t[a] = match a {
            0..=2 => 0,
            3..=5 => 1,
            6..=11 => 2,
            12..=14 => 3,
            15..=17 => 4,
            _ => NO_BAND,
        };
        a += 1;
    }
    t
};

/// Cohort aggregates by group, kept with the population so the other blocks need not re-sum
/// the 1,010 cells (MODEL.md §3.8: no repeated work in the year loop).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cohorts {
    /// Persons in each age band of [`BANDS`].
    pub band: [[f64; 5]; GROUPS],
    /// Persons aged 16-59.
    pub working: [f64; GROUPS],
    /// Persons aged 60+.
    pub aged: [f64; GROUPS],
    /// Labour force: persons weighted by participation.
    pub labour: [f64; GROUPS],
}

impl Cohorts {
    /// Adds one cell (all groups at one sex and age `a`) with participation `lfpr`.
    #[inline(always)]
    fn add(&mut self, a: usize, persons: &[f64; GROUPS], lfpr: f64) {
        for g in 0..GROUPS {
            self.labour[g] += persons[g] * lfpr;
        }
        let b = BAND_OF[a];
        if b != NO_BAND {
            for g in 0..GROUPS {
                self.band[g][b as usize] += persons[g];
            }
        } else if WORKING_AGES.contains(&a) {
            for g in 0..GROUPS {
                self.working[g] += persons[g];
            }
        } else if a >= 60 {
            for g in 0..GROUPS {
                self.aged[g] += persons[g];
            }
        }
        // Ages 16 and 17 are in a school band and of working age.
        if b != NO_BAND && WORKING_AGES.contains(&a) {
            for g in 0..GROUPS {
                self.working[g] += persons[g];
            }
        }
    }

    /// Aggregates of a population.
    pub fn of(pop: &super::Pop, lfpr: &[[f64; AGES]; SEXES]) -> Cohorts {
        let mut c = Cohorts::default();
        for s in 0..SEXES {
            for a in 0..AGES {
                let cell = std::array::from_fn(|g| pop[g][s][a]);
                c.add(a, &cell, lfpr[s][a]);
            }
        }
        c
    }

    /// Persons of every group aged 60+.
    pub fn aged_total(&self) -> f64 {
        self.aged.iter().sum()
    }
}

/// Status flows and in-migration of one year, accumulated over cells.
#[derive(Default)]
struct FlowTotals {
    out: f64,
    permits: f64,
    conv_e1: f64,
    conv_e0: f64,
    conv_loc: f64,
    village: f64,
    rural_movers: f64,
}

/// Applies the year's status flows and in-migration to the survived persons `q` of one cell
/// (groups R, L, E0, E1, H) and returns the cell's end-of-year values.
#[inline(always)]
fn flow_cell(
    q: [f64; GROUPS],
    m: f64,
    share: f64,
    working: bool,
    rates: &Rates,
    cap: bool,
    t: &mut FlowTotals,
) -> [f64; GROUPS] {
    let mut rural = [rates.rural_to_town * m + rates.reclass, rates.out_rural * m, rates.village];
    let mut local = [rates.return_local * m, rates.convert_local];
    let mut e0 = [rates.permit, rates.out_external * m, rates.convert_e0];
    let mut e1 = [rates.convert_external, rates.out_external * m];
    if cap {
        rural = capped(rural);
        local = capped(local);
        e0 = capped(e0);
        e1 = capped(e1);
    }
    let [r_rl, r_ro, r_rh] = rural;
    let [r_lr, r_lh] = local;
    let [r_p, r_e0o, r_e0h] = e0;
    let [r_eh, r_e1o] = e1;
    let (f_rl, o_r, f_rh) = (r_rl * q[R], r_ro * q[R], r_rh * q[R]);
    let (f_lr, f_lh) = (r_lr * q[L], r_lh * q[L]);
    let (f_p, o_e0, f_e0h) = (r_p * q[E0], r_e0o * q[E0], r_e0h * q[E0]);
    let (f_eh, o_e1) = (r_eh * q[E1], r_e1o * q[E1]);
    t.out += o_r + o_e0 + o_e1;
    t.permits += f_p;
    t.conv_e1 += f_eh;
    t.conv_e0 += f_e0h;
    t.conv_loc += f_lh;
    t.village += f_rh;
    if working {
        // Only people who move count as rural labour leaving the farm: the statistical
        // reclassification of places (part of R -> L) moves no one.
        let moving = rates.rural_to_town * m;
        let moved = if moving + rates.reclass > 0.0 { f_rl * moving / (moving + rates.reclass) } else { 0.0 };
        t.rural_movers += moved + o_r;
    }
    // In-migrants: returning hukou holders split evenly between village and town [A], the rest
    // arrive as E0; talent either registers at once or arrives holding a permit [A].
    let returning = rates.in_migration * rates.omega_return * share;
    let newcomers = (rates.in_migration - rates.in_migration * rates.omega_return) * share;
    let talent = rates.talent * share;
    [
        q[R] - f_rl - o_r - f_rh + f_lr + 0.5 * returning,
        q[L] - f_lr - f_lh + f_rl + 0.5 * returning,
        q[E0] - f_p - o_e0 - f_e0h + newcomers,
        q[E1] - f_eh - o_e1 + f_p + talent * (1.0 - rates.talent_settle),
        q[H] + f_lh + f_eh + f_e0h + f_rh + talent * rates.talent_settle,
    ]
}

/// Step 7: survive and age, births, flows, in-migration, in one pass over the cells. Writes
/// demographic flows into `row` and the status flows into `cx`.
///
/// Ages are visited from the oldest down, so each cell's survivors are computed from the
/// previous age before that age is overwritten; age 0 waits for the births.
#[allow(clippy::too_many_arguments)]
pub fn advance(
    inputs: &Inputs,
    params: &Params,
    levers: &LeverPath,
    prepared: &Prepared,
    state: &mut CityState,
    rates: &Rates,
    cx: &mut YearContext,
    row: &mut [f64; IndicatorId::COUNT],
) {
    let _ = levers;
    let before: f64 = state.totals.iter().sum();
    let years_from_base = f64::from(cx.year) - f64::from(inputs.base_year);
    let e0 = params[ParamId::E0] + params[ParamId::E0Gain] * years_from_base;
    let gap = params[ParamId::E0SexGap];
    let mut schedules = [[0.0; AGES + 1]; SEXES];
    // Both-sexes e0 is split around the mean by the sex gap (with a sex ratio near one the
    // population-weighted and simple means differ by well under 0.1 year).
    inputs.survival[0].at(e0 - gap / 2.0, &mut schedules[0]);
    inputs.survival[1].at(e0 + gap / 2.0, &mut schedules[1]);
    // The shape peaks at one, so if the rates at the peak sum to at most one no cell needs
    // capping and the check is skipped.
    let cap = rates.rural_to_town + rates.reclass + rates.out_rural + rates.village > 1.0
        || rates.return_local + rates.convert_local > 1.0
        || rates.permit + rates.out_external + rates.convert_e0 > 1.0
        || rates.convert_external + rates.out_external > 1.0;
    let shape = &prepared.migration_shape;
    let profile = &prepared.migration_profile;
    let mut t = FlowTotals::default();
    let mut totals = [0.0; GROUPS];
    let mut cohorts = Cohorts::default();
    let mut survivors = 0.0;
    let mut exposure = [0.0; GROUPS];
    for s in 0..SEXES {
        let surv = &schedules[s];
        for a in (1..AGES).rev() {
            let mut q = [0.0; GROUPS];
            for g in 0..GROUPS {
                let p = &state.pop[g][s];
                q[g] = if a == AGES - 1 { surv[a] * p[a] + surv[a - 1] * p[a - 1] } else { surv[a - 1] * p[a - 1] };
            }
            survivors += q.iter().sum::<f64>();
            if s == 1 && (15..=49).contains(&a) {
                // Births: Σ φ[a] (P_f[a] + Q_f[a]) / 2 with P the start-of-year value.
                let f = 0.5 * inputs.fertility_pattern[a];
                for g in 0..GROUPS {
                    exposure[g] += f * (state.pop[g][1][a] + q[g]);
                }
            }
            let new = flow_cell(q, shape[s][a], profile[s][a], WORKING_AGES.contains(&a), rates, cap, &mut t);
            for g in 0..GROUPS {
                state.pop[g][s][a] = new[g];
                totals[g] += new[g];
            }
            cohorts.add(a, &new, inputs.lfpr[s][a]);
        }
    }

    // Births by the mother's group; newborns join it.
    let tfr = params[ParamId::Tfr] * (1.0 + params[ParamId::TfrDrift]).powf(years_from_base);
    let srb = params[ParamId::Srb];
    let boy_share = srb / (100.0 + srb);
    let mut births = 0.0;
    let mut births_surviving = 0.0;
    let mut newborn = [[0.0; GROUPS]; SEXES];
    for g in 0..GROUPS {
        let tfr_g = if g == E0 || g == E1 { tfr * params[ParamId::TfrMultE] } else { tfr };
        let b = tfr_g * exposure[g];
        births += b;
        newborn[0][g] = b * boy_share * schedules[0][AGES];
        newborn[1][g] = b * (1.0 - boy_share) * schedules[1][AGES];
        births_surviving += newborn[0][g] + newborn[1][g];
    }
    for s in 0..SEXES {
        let new = flow_cell(newborn[s], shape[s][0], profile[s][0], false, rates, cap, &mut t);
        for g in 0..GROUPS {
            state.pop[g][s][0] = new[g];
            totals[g] += new[g];
        }
        cohorts.add(0, &new, inputs.lfpr[s][0]);
    }
    let deaths = (before - survivors) + (births - births_surviving);
    let in_total = rates.in_migration + rates.talent;

    state.totals = totals;
    state.cohorts = cohorts;
    cx.permits = t.permits;
    cx.conversions = [t.conv_e1, t.conv_e0, t.conv_loc];
    cx.village = t.village;
    cx.talent_settled = rates.talent * rates.talent_settle;
    cx.rural_movers = t.rural_movers;
    state.vital = [births, deaths, in_total, t.out];
    row[IndicatorId::Births as usize] = births;
    row[IndicatorId::Deaths as usize] = deaths;
    row[IndicatorId::InMigration as usize] = in_total;
    row[IndicatorId::OutMigration as usize] = t.out;
}

/// Sum of a slice with four accumulators, so the compiler can vectorise it (a plain fold must
/// keep the sequential order of float additions).
pub fn sum(xs: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let chunks = xs.chunks_exact(4);
    let rest: f64 = chunks.remainder().iter().sum();
    for c in chunks {
        for k in 0..4 {
            acc[k] += c[k];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + rest
}

/// Persons in `group` aged `ages`, both sexes.
pub fn count(pop: &super::Pop, group: usize, ages: std::ops::RangeInclusive<usize>) -> f64 {
    sum(&pop[group][0][ages.clone()]) + sum(&pop[group][1][ages])
}

/// Persons of every group aged `ages`, both sexes.
pub fn count_all(pop: &super::Pop, ages: std::ops::RangeInclusive<usize>) -> f64 {
    (0..GROUPS).map(|g| count(pop, g, ages.clone())).sum()
}

/// Residents by group.
pub fn group_totals(pop: &super::Pop) -> [f64; GROUPS] {
    std::array::from_fn(|g| count(pop, g, 0..=AGES - 1))
}

/// Urban residents: every group but R.
pub fn urban(pop: &super::Pop) -> f64 {
    group_totals(pop)[L..].iter().sum()
}

/// All residents.
pub fn total(pop: &super::Pop) -> f64 {
    group_totals(pop).iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat_std() -> [f64; AGES + 1] {
        // A Gompertz-like standard: mortality doubling every 8 years from 0.0002 at 30.
        let mut l = [1.0; AGES + 1];
        for x in 1..=AGES {
            let m = 0.0002 * 2f64.powf((x as f64 - 30.0) / 8.0) + 0.0005 * (-(x as f64)).exp();
            l[x] = l[x - 1] * (-m).exp();
        }
        let mut y = [f64::NEG_INFINITY; AGES + 1];
        for x in 1..=AGES {
            y[x] = brass_logit(l[x].clamp(1e-12, 1.0 - 1e-12));
        }
        y
    }

    #[test]
    fn survival_hits_target_e0() {
        let std = flat_std();
        for target in [70.0, 78.0, 82.5] {
            let table = e0_table(&std);
            let alpha = alpha_for_e0(&table, target);
            let l = survivorship(&std, alpha);
            assert!((life_expectancy(&l) - target).abs() < 0.02, "target {target}");
        }
    }

    #[test]
    fn higher_e0_means_higher_survival_at_every_age() {
        let std = flat_std();
        let table = e0_table(&std);
        let (lo, _) = survival_for_e0(&std, &table, 76.0);
        let (hi, _) = survival_for_e0(&std, &table, 80.0);
        for a in 0..AGES {
            assert!(hi[a] >= lo[a] - 1e-12, "age {a}");
            assert!((0.0..=1.0).contains(&lo[a]));
        }
    }

    #[test]
    fn migration_profile_sums_to_one_and_peaks_near_the_peak_age() {
        for peak in [20.0, 23.0, 26.0] {
            let (p, shape) = migration_profile(peak);
            let sum: f64 = p.iter().flatten().sum();
            assert!((sum - 1.0).abs() < 1e-12);
            let argmax = (15..40).max_by(|&a, &b| shape[0][a].total_cmp(&shape[0][b])).unwrap_or(0);
            assert!((argmax as f64 - peak).abs() <= 1.0, "peak {peak} argmax {argmax}");
        }
    }

    #[test]
    fn capped_rates_never_exceed_one() {
        let r = capped([0.9, 0.6]);
        assert!((r[0] + r[1] - 1.0).abs() < 1e-12);
        assert_eq!(capped([0.2, 0.3]), [0.2, 0.3]);
    }
}
