//! Criterion benchmarks of the simulation core: one deterministic run of the status quo from the
//! base year to 2028 (what `urbsim run` does per scenario, after the base state is built), and one
//! simulated year. The baseline is parsed and the base state built outside the timed code.

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // benches read the scenario file
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use urbsim::baseline::Baseline;
use urbsim::calibrate::base_state;
use urbsim::model::start::initial_state;
use urbsim::model::{self, IndicatorId, NoShocks};

const BASELINE: &str = include_str!("../seeds/liuyang-baseline.toml");

fn core(c: &mut Criterion) {
    let b = Baseline::parse("baseline", BASELINE).expect("shipped baseline");
    let params = b.central_params();
    let levers = b.default_levers(b.base_year + 1);
    let demo = base_state(&b, &params);
    let years = usize::from(2028 - b.base_year);
    let mut rows = vec![[0.0; IndicatorId::COUNT]; years];

    c.bench_function("run/baseline_to_2028", |bench| {
        bench.iter(|| {
            let mut state = initial_state(&b.inputs, &params, &levers, &demo);
            model::start_run(&b.inputs, &mut state, &mut NoShocks);
            model::simulate(&b.inputs, &params, &levers, &mut state, 2028, &mut NoShocks, &mut rows);
            black_box(rows[years - 1][IndicatorId::ResidentPopulation as usize])
        })
    });

    let start = initial_state(&b.inputs, &params, &levers, &demo);
    let prepared = model::prepare(&params);
    let mut row = [0.0; IndicatorId::COUNT];
    c.bench_function("step/one_year", |bench| {
        bench.iter_batched_ref(
            || start.clone(),
            |state| {
                model::step(&b.inputs, &params, &levers, &prepared, state, &mut NoShocks, &mut row);
                black_box(row[0])
            },
            criterion::BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, core);
criterion_main!(benches, extra);
const TARGETS: &str = include_str!("../seeds/plan-targets.toml");

/// Throughput of a 10,000-draw sweep of the status quo to 2028, on one thread and on every core.
fn sweep_throughput(c: &mut Criterion) {
    use urbsim::projection::{ScenarioKeys, resolve};
    use urbsim::sweep::{self, Progress, Sampler, Sweep, SweepConfig};
    struct Quiet;
    impl Progress for Quiet {}
    let b = Baseline::parse("baseline", BASELINE).expect("shipped baseline");
    let t = urbsim::targets::PlanTargets::parse("targets", TARGETS).expect("shipped targets");
    let keys = ScenarioKeys::new(&b);
    let mut read = |p: &std::path::Path| std::fs::read_to_string(p);
    let s = urbsim::scenario::load_str(
        std::path::Path::new("scenarios/baseline.toml"),
        "name = \"baseline\"\n",
        &keys.schema(),
        &mut read,
    )
    .expect("scenario");
    let arms = sweep::arms(&[resolve(&b, &s, t.plan.policy_start, None, None)], &[]);
    let config = SweepConfig { draws: 10_000, seed: 1, sampler: Sampler::MonteCarlo, keep: 4096 };
    let plan = Sweep::new(&b, &arms, 0, &t, config);
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Elements(config.draws));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in [1, cores] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        group.bench_function(format!("baseline_10000_draws/threads_{threads}"), |bench| {
            bench.iter(|| black_box(pool.install(|| plan.run(0..config.chunks(), &Quiet)).expect("runs").chunks.len()))
        });
    }
    group.finish();
}

fn init_only(c: &mut Criterion) {
    let b = Baseline::parse("baseline", BASELINE).expect("shipped baseline");
    let params = b.central_params();
    let levers = b.default_levers(b.base_year + 1);
    let demo = base_state(&b, &params);
    c.bench_function("init/initial_state", |bench| {
        bench.iter(|| black_box(initial_state(&b.inputs, &params, &levers, &demo)))
    });
}
criterion_group!(extra, init_only, sweep_throughput);
