//! Policy comparisons that mean something: every scenario and lever-grid point starts from the
//! one base-year state, levers act from the plan's policy start year, and the median run uses
//! each parameter's median.

use std::path::Path;

use urbsim::model::{IndicatorId, LeverId};
use urbsim::projection::{BaseState, Projection, ScenarioKeys, project, resolve};
use urbsim::sweep::{self, GridAxis, Progress, Sampler, Sweep, SweepConfig};
use urbsim::targets::PlanTargets;

use crate::common::{POLICY_START, TARGETS, baseline, resolved_file, scenario, shipped_files};

struct Quiet;
impl Progress for Quiet {}

fn shipped() -> Vec<urbsim::projection::Resolved> {
    let b = baseline();
    shipped_files().iter().map(|f| resolved_file(&b, f, None)).collect()
}

fn first_row(p: &Projection) -> [u64; IndicatorId::COUNT] {
    p.rows[0].map(f64::to_bits)
}

#[test]
fn the_policy_start_is_the_plan_s() {
    let t = PlanTargets::parse("targets", TARGETS).expect("shipped targets");
    assert_eq!(t.plan.policy_start, POLICY_START);
    assert!(t.plan.issued.starts_with("2025-"), "{}", t.plan.issued);
}

#[test]
fn every_shipped_scenario_starts_from_the_same_base_and_shares_2024() {
    let b = baseline();
    let scenarios = shipped();
    assert!(scenarios.len() >= 7, "the shipped scenarios are found");
    let base = BaseState::new(&b);
    let reference = base.city(&b, &b.central_params());
    for r in &scenarios {
        // The state the run starts from is built without the scenario...
        assert_eq!(base.city(&b, &b.central_params()), reference);
        // ...and every indicator of the first simulated year (2024, before the policy start)
        // is identical to the bit, because no shipped scenario names 2024 or fixes a parameter.
        let p = project(&b, r);
        assert_eq!(p.first_year, 2024);
        let baseline_run = project(&b, &scenarios.iter().find(|s| s.name == "baseline").expect("baseline").clone());
        let (a, z) = (first_row(&p), first_row(&baseline_run));
        for id in IndicatorId::ALL {
            assert_eq!(a[*id as usize], z[*id as usize], "{}: {} differs in 2024", r.name, id.key());
        }
    }
    // The packages do differ once the policy acts.
    let differ = scenarios
        .iter()
        .filter(|r| r.name != "baseline")
        .all(|r| project(&b, r).rows[1..] != project(&b, &scenarios[0]).rows[1..]);
    assert!(differ, "every package changes something from 2025 on");
}

#[test]
fn every_arm_of_a_sweep_shares_each_draw_s_base_year() {
    let b = baseline();
    let t = PlanTargets::parse("targets", TARGETS).expect("shipped targets");
    let scenarios = shipped();
    let reference = scenarios.iter().position(|r| r.name == "baseline").expect("baseline");
    let grid = [
        GridAxis { lever: LeverId::ArhNew, values: vec![0.0, 3000.0] },
        GridAxis { lever: LeverId::SchoolSeats, values: vec![0.0, 5000.0] },
    ];
    let arms = sweep::arms(&scenarios, &grid);
    assert_eq!(arms.len(), scenarios.len() * 4);
    let config = SweepConfig { draws: 40, seed: 17, sampler: Sampler::MonteCarlo, keep: 40 };
    let plan = Sweep::new(&b, &arms, reference * 4, &t, config);
    let s = sweep::summarise(plan.run(0..config.chunks(), &Quiet).expect("runs"), &t).expect("complete");
    let years = s.partial.years.1;
    // Paired differences against the reference are exactly zero in every draw of 2024 (mean and
    // spread both zero) for every scenario and grid point, and not later.
    for (a, arm) in arms.iter().enumerate() {
        for (k, id) in IndicatorId::ALL.iter().enumerate() {
            let x = &s.paired[(a * years) * IndicatorId::COUNT + k];
            assert_eq!((x.moments.mean, x.moments.m2), (0.0, 0.0), "{} {}", arm.label, id.key());
        }
    }
    let later = (0..arms.len()).filter(|&a| {
        (1..years).any(|y| {
            (0..IndicatorId::COUNT).any(|k| s.paired[(a * years + y) * IndicatorId::COUNT + k].moments.m2 > 0.0)
        })
    });
    assert_eq!(later.count(), arms.len() - 1, "every arm but the reference differs after 2024");
}

#[test]
fn a_lever_without_a_year_acts_from_the_policy_start_and_a_schedule_from_its_years() {
    let b = baseline();
    let status_quo = project(&b, &resolve(&b, &scenario(&b, "name = \"sq\"\n"), POLICY_START, None, None));
    let plain = resolve(&b, &scenario(&b, "name = \"p\"\n[levers]\narh_new_units = 3000\n"), POLICY_START, None, None);
    let sq_value = b.default_levers(2024).get(2024, LeverId::ArhNew);
    assert_eq!(plain.levers.get(2024, LeverId::ArhNew), sq_value);
    assert_eq!(plain.levers.get(2025, LeverId::ArhNew), 3000.0);
    assert_eq!(plain.levers.get(2035, LeverId::ArhNew), 3000.0);
    let p = project(&b, &plain);
    assert_eq!(first_row(&p), first_row(&status_quo));
    let reserve = IndicatorId::PipelineReserve as usize;
    assert!(p.rows[1][reserve] > status_quo.rows[1][reserve], "the reserve grows from 2025");

    let early = resolve(
        &b,
        &scenario(&b, "name = \"e\"\n[levers]\narh_new_units = { 2024 = 3000, 2026 = 1000 }\n"),
        POLICY_START,
        None,
        None,
    );
    assert_eq!(early.levers.get(2024, LeverId::ArhNew), 3000.0);
    assert_eq!(early.levers.get(2025, LeverId::ArhNew), 3000.0);
    assert_eq!(early.levers.get(2026, LeverId::ArhNew), 1000.0);
    let e = project(&b, &early);
    assert!(e.rows[0][reserve] > status_quo.rows[0][reserve], "a schedule naming 2024 acts in 2024");
}

#[test]
fn the_median_run_uses_each_distribution_s_median() {
    let b = baseline();
    let central = b.central_params();
    for def in &b.params {
        if let Some(d) = &def.dist {
            let m = d.central();
            assert!(
                (central[def.id] - m).abs() <= 1e-5 * m.abs().max(1e-9),
                "{}: {} vs {m}",
                def.id.key(),
                central[def.id]
            );
        }
    }
    // A value off its distribution's median is refused with the fix.
    let text = crate::common::BASELINE.replace("nu_services = { value = 0.65,", "nu_services = { value = 0.3,");
    let err = urbsim::baseline::Baseline::parse("baseline", &text).expect_err("off-median value refused").0.join("\n");
    assert!(err.contains("parameters.nu_services.value: 0.3 is not the median"), "{err}");
    assert!(err.contains("set value = 0.65"), "{err}");
}

#[test]
fn base_year_parameters_are_read_only_when_the_base_state_is_built() {
    // Every parameter listed as base-year-only leaves the year loop untouched: doubling it in the
    // parameters the loop reads changes no indicator in any year.
    let b = baseline();
    let base = BaseState::new(&b);
    let central = b.central_params();
    let r = resolve(&b, &scenario(&b, "name = \"sq\"\n"), POLICY_START, Some(2030), None);
    let run = |params: &urbsim::model::Params| {
        let mut state = base.city(&b, &central);
        urbsim::model::start_run(&b.inputs, &mut state, &mut urbsim::model::NoShocks);
        let mut rows = vec![[0.0; IndicatorId::COUNT]; 7];
        urbsim::model::simulate(
            &b.inputs,
            params,
            &r.levers,
            &mut state,
            2030,
            &mut urbsim::model::NoShocks,
            &mut rows,
        );
        rows
    };
    let reference = run(&central);
    for id in urbsim::projection::BASE_YEAR_ONLY {
        let mut p = central.clone();
        p[*id] = 2.0 * p[*id] + 1.0;
        assert_eq!(run(&p), reference, "{} is read by the year loop", id.key());
    }
}

#[test]
fn a_scenario_may_not_set_a_base_year_value() {
    let b = baseline();
    let keys = ScenarioKeys::new(&b);
    let mut read = |p: &Path| std::fs::read_to_string(p);
    let err = urbsim::scenario::load_str(
        Path::new("scenarios/debt.toml"),
        "name = \"debt\"\n[parameters]\ndebt_base = 100\n",
        &keys.schema(),
        &mut read,
    )
    .expect_err("refused")
    .to_string();
    assert!(err.contains("scenarios/debt.toml:3"), "{err}");
    assert!(err.contains("`debt_base` describes the base year, which every scenario shares"), "{err}");
    assert!(err.contains("a scenario changes the future, not the past"), "{err}");
}

#[test]
fn run_s_verdicts_agree_with_a_2000_draw_sweep_or_say_close() {
    use urbsim::report::{ScenarioResult, assessments, status};
    let b = baseline();
    let t = PlanTargets::parse("targets", TARGETS).expect("shipped targets");
    let scenarios = shipped();
    // What `urbsim run` reports: the median run, with chances from 1,000 Latin-hypercube futures.
    let chances = sweep::target_chances(&b, &t, &scenarios, 1000, 20250618, &Quiet).expect("runs");
    // An independent 2,000-draw Monte Carlo sweep with another seed.
    let arms = sweep::arms(&scenarios, &[]);
    let config = SweepConfig { draws: 2000, seed: 7, sampler: Sampler::MonteCarlo, keep: 1 };
    let plan = Sweep::new(&b, &arms, 0, &t, config);
    let s = sweep::summarise(plan.run(0..config.chunks(), &Quiet).expect("runs"), &t).expect("complete");
    let n = s.partial.targets.len();
    let mut verdicts = 0;
    for (a, r) in scenarios.iter().enumerate() {
        let projection = project(&b, r);
        let result = ScenarioResult { resolved: r, projection: &projection, chances: chances[a].clone() };
        for ((target, assessment), chance) in assessments(&t, &result).into_iter().zip(&result.chances) {
            let Some(k) = s.partial.targets.iter().position(|id| *id == target.id) else { continue };
            let p = s.targets[a * n + k].probability.0;
            match status(target, &assessment, *chance) {
                "met" => assert!(p > 0.5, "{} {}: run says met, the sweep P = {p}", r.name, target.id),
                "missed" => assert!(p < 0.5, "{} {}: run says missed, the sweep P = {p}", r.name, target.id),
                "close" | "commitment tracked" | "placeholder" => {}
                other => panic!("{} {}: unexpected status {other}", r.name, target.id),
            }
            verdicts += 1;
        }
    }
    assert!(verdicts >= 7 * 15, "every simulated target of every shipped scenario is compared ({verdicts})");
}

#[test]
fn a_verdict_the_futures_do_not_back_is_close() {
    use urbsim::report::status;
    use urbsim::targets::{Assessment, JudgedBy};
    let t = PlanTargets::parse("targets", TARGETS).expect("shipped targets");
    let find = |id: &str| t.target.iter().find(|x| x.id == id).expect("target");
    let (jobs, training, tekun) = (find("new_urban_jobs"), find("vocational_training"), find("tekun_care_rate"));
    assert_eq!(
        (jobs.judged(), training.judged(), tekun.judged()),
        (JudgedBy::Outcome, JudgedBy::Commitment, JudgedBy::Placeholder)
    );
    let met = Some(Assessment { value: 1.0, met: Some(true), years: (2025, 2028) });
    let missed = Some(Assessment { value: 0.0, met: Some(false), years: (2025, 2028) });
    assert_eq!(status(jobs, &met, Some(0.7)), "met");
    assert_eq!(status(jobs, &met, Some(0.69)), "close");
    assert_eq!(status(jobs, &met, Some(0.2)), "close");
    assert_eq!(status(jobs, &missed, Some(0.3)), "missed");
    assert_eq!(status(jobs, &missed, Some(0.31)), "close");
    assert_eq!(status(jobs, &missed, Some(0.9)), "close");
    assert_eq!(status(jobs, &met, None), "met");
    assert_eq!(status(jobs, &None, Some(0.5)), "not simulated");
    // A commitment or a placeholder is never "met", whatever the numbers say.
    assert_eq!(status(training, &met, Some(1.0)), "commitment tracked");
    assert_eq!(status(tekun, &met, Some(1.0)), "placeholder");
    assert_eq!(status(tekun, &missed, Some(0.0)), "placeholder");
}
