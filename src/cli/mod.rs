//! The command line: argument types (clap), the embedded Liuyang data, loading files, and the
//! mapping of failures to exit codes. Everything that touches files, the terminal or the
//! process lives under `src/cli/`; the library stays pure.

/// `println!` that returns the write error instead of panicking, so a closed pipe
/// (`urbsim explain | head`) ends the program quietly with exit code 0. Control characters in
/// the text (from titles, keys or paths a user wrote) are escaped, never sent to the terminal.
/// Under `--quiet` it prints nothing; output that was asked for (JSON, TOML) uses `answer!`.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if !crate::cli::quiet() {
            writeln!(std::io::stdout(), "{}", urbsim::report::terminal_safe(&format!($($t)*)))?;
        }
    }};
}

/// `say!` for output that was asked for (JSON, TOML): printed even under `--quiet`.
macro_rules! answer {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), "{}", urbsim::report::terminal_safe(&format!($($t)*)))?;
    }};
}

/// `print!` counterpart of `say!`.
macro_rules! emit {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if !crate::cli::quiet() {
            write!(std::io::stdout(), "{}", urbsim::report::terminal_safe(&format!($($t)*)))?;
        }
    }};
}

mod analysis;
mod brief;
mod commands;
mod data;
mod departments;
mod input;
mod manifest;
mod output;
mod sweep;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The Liuyang baseline shipped with the binary (`seeds/liuyang-baseline.toml`).
pub const BASELINE: &str = include_str!("../../seeds/liuyang-baseline.toml");
/// The plan's targets shipped with the binary (`seeds/plan-targets.toml`).
pub const TARGETS: &str = include_str!("../../seeds/plan-targets.toml");

/// urbsim: year-by-year scenarios of Liuyang's (浏阳市) people-centred urbanisation plan,
/// 2024-2028: migrant settlement and hukou, jobs, housing, public services and the budget.
#[derive(Parser, Debug)]
#[command(name = "urbsim", version, help_expected = true, max_term_width = 100)]
#[command(after_help = "Examples (each line can be pasted as it is):
  urbsim brief                                # the briefing pack
  urbsim run scenarios/baseline.toml          # status quo to 2028
  urbsim run scenarios/*.toml --until 2030    # every shipped package to 2030
  urbsim sweep scenarios/*.toml --draws 2000  # chance of each target
  urbsim validate my-package.toml             # check a scenario file
  urbsim explain levers                       # levers: unit, range, default
  urbsim explain tfr                          # one value, its tag and source
  urbsim backcast                             # 2021-2023 against statistics

Exit codes: 0 success, 1 runtime failure, 2 invalid input or usage, 130 interrupted.")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
    /// Baseline data file to use instead of the shipped Liuyang baseline.
    #[arg(long, global = true, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Plan-targets file to use instead of the shipped one.
    #[arg(long, global = true, value_name = "FILE")]
    targets: Option<PathBuf>,
    /// Worker threads for the commands that run many futures (0: every core; at most 1024).
    /// Changes speed, never results.
    #[arg(long, global = true, value_name = "T", default_value_t = 0, value_parser = parse_threads)]
    threads: usize,
    /// No progress bar and nothing on standard output but what was asked for (completions, JSON);
    /// warnings and errors still go to standard error.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// A department data overlay (written by `urbsim data load`) to apply to the baseline;
    /// repeatable, later files win. data/local.toml is applied first when it exists.
    #[arg(long, global = true, value_name = "FILE")]
    data: Vec<PathBuf>,
    /// Do not apply data/local.toml (the test suite sets URBSIM_NO_LOCAL_DATA so that a
    /// developer's department data never change its results; 1/0, yes/no, on/off and true/false
    /// are all understood there).
    #[arg(long, global = true, env = "URBSIM_NO_LOCAL_DATA", value_parser = clap::builder::BoolishValueParser::new())]
    no_local_data: bool,
}

/// Set by `--quiet`: `say!` and `emit!` print nothing.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether `--quiet` was given.
fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// How the target counts of the plan are read.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PeriodArg {
    /// Cumulative over 2025-2028 (the plan was issued in mid-2025).
    #[value(name = "2025-2028")]
    From2025,
    /// Cumulative over 2024-2028 (the five-year window of 国发〔2024〕17号).
    #[value(name = "2024-2028")]
    From2024,
}

/// Parameter sampler of a sweep.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SamplerArg {
    /// Plain Monte Carlo.
    Mc,
    /// Latin hypercube.
    Lhs,
}

/// Language of charts and pages.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LangArg {
    /// Chinese.
    Zh,
    /// English.
    En,
}

impl LangArg {
    fn lang(self) -> urbsim::brief::html::Lang {
        match self {
            LangArg::Zh => urbsim::brief::html::Lang::Zh,
            LangArg::En => urbsim::brief::html::Lang::En,
        }
    }
}

/// A provenance tag, for `explain --tag`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TagArg {
    /// Sourced.
    S,
    /// Derived.
    D,
    /// Assumption.
    A,
    /// Calibrated.
    C,
    /// To be loaded from city departments.
    L,
}

/// Output format of the reporting commands.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Aligned text for people.
    Text,
    /// JSON for machines.
    Json,
}

/// How many futures to draw, and from which seed: the same two options on every command that
/// draws futures (`run`, `sweep`, `brief`, `discover`).
#[derive(Args, Debug, Clone, Copy)]
pub struct DrawArgs {
    /// Futures drawn (Latin hypercube by default; written as 1000, 1_000 or 1e3). Default and
    /// least value depend on the command (see its help).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = |t: &str| parse_count(t, 0))]
    pub draws: Option<u64>,
    /// Master seed: the same seed and draws give the same results, on any machine and thread count.
    #[arg(long, value_name = "S", default_value_t = 20250618)]
    pub seed: u64,
}

impl DrawArgs {
    /// The draws asked for (or `default`), refused below `min` with exit 2 and a hint.
    fn check(&self, command: &str, default: u64, min: u64, why: &str) -> Result<u64, InputError> {
        let n = self.draws.unwrap_or(default);
        if n < min {
            return Err(InputError(format!(
                "error: --draws {n}: `{command}` needs at least {min} draws ({why})\n  hint: --draws {}",
                default.max(min)
            )));
        }
        Ok(n)
    }
}

/// The simulated horizon and the reading of the plan's target period: the same two options on
/// every command that runs the model.
#[derive(Args, Debug, Clone, Copy)]
pub struct HorizonArgs {
    /// Last year to simulate (base year + 1 to 2035; default: the scenario's, else 2028).
    #[arg(long, value_name = "YEAR")]
    pub until: Option<u16>,
    /// Reading of the plan's target period (default: the scenario's, else 2025-2028).
    #[arg(long, value_name = "PERIOD", ignore_case = true)]
    pub target_period: Option<PeriodArg>,
}

/// Output format of the commands that report on the terminal.
#[derive(Args, Debug, Clone, Copy)]
pub struct FormatArgs {
    /// Output format on standard output: aligned text for people, or JSON for machines.
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Project scenarios year by year: the median run (every uncertain parameter at its median, no shocks), with each target's chance over simulated futures.
    #[command(after_help = "Writes results.csv (scenario, year, indicator, value, unit), results.json, targets.csv and
manifest.json into --out, and prints a summary with each plan target's verdict. --draws (default
1000, 0 for the median run alone) sets the futures behind each target's chance.

Examples:
  urbsim run scenarios/baseline.toml scenarios/open-settlement.toml
  urbsim run scenarios/*.toml --until 2030
  urbsim run scenarios/baseline.toml --draws 0 --format json")]
    Run {
        /// Scenario files (TOML).
        #[arg(required = true, value_name = "SCENARIO")]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        horizon: HorizonArgs,
        #[command(flatten)]
        draws: DrawArgs,
        #[command(flatten)]
        format: FormatArgs,
        /// Folder for the results.
        #[arg(long, value_name = "DIR", default_value = "out/run")]
        out: PathBuf,
    },
    /// Monte Carlo sweep: how likely each plan target is under each scenario, with common random numbers.
    #[command(
        after_help = "Writes summary.csv (per scenario, year, indicator: mean, sd, Monte Carlo error, percentiles),
targets.csv (probability of meeting each target with a 95% interval, and of beating the reference),
paired.csv (scenario minus reference, draw by draw), grid.csv with --lever, draws.csv with
--keep-draws, and manifest.json. --draws defaults to 1000 (at least 1). Results are identical for
any --threads and for sharded-then-merged runs (docs/scale-out.md).

Examples:
  urbsim sweep scenarios/*.toml --draws 2000 --seed 7
  urbsim sweep scenarios/baseline.toml --lever arh_new_units=0:3000:7
  urbsim sweep scenarios/baseline.toml --draws 1e6 --shard 3/10 --out shard3
  urbsim merge shard* --out out/sweep"
    )]
    Sweep {
        /// Scenario files (TOML); the first is the reference unless --reference names another.
        #[arg(required = true, value_name = "SCENARIO")]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        draws: DrawArgs,
        #[command(flatten)]
        horizon: HorizonArgs,
        /// How uncertain parameters are sampled (Latin hypercube by default, as `brief` and `run` draw them, so the
        /// same seed and draws give the same probabilities everywhere).
        #[arg(long, value_enum, default_value_t = SamplerArg::Lhs)]
        sampler: SamplerArg,
        /// Folder for the results.
        #[arg(long, value_name = "DIR", default_value = "out/sweep")]
        out: PathBuf,
        /// Scenario name the others are compared with (default: the first).
        #[arg(long, value_name = "NAME")]
        reference: Option<String>,
        /// Also write every draw's parameters and outcomes (draws.csv; holds every draw in memory).
        #[arg(long)]
        keep_draws: bool,
        /// A lever grid, KEY=MIN:MAX:N or KEY=a,b,c (up to three, full factorial, same draws everywhere).
        #[arg(long, value_name = "KEY=VALUES")]
        lever: Vec<String>,
        /// Run only shard K of N (1-based) and write a partial for `urbsim merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Draws kept for percentiles; with more draws than this, percentiles come from a uniform sample.
        #[arg(long, value_name = "K", default_value_t = 4096)]
        quantile_sample: u64,
    },
    /// The briefing pack: page, charts (PNG and SVG), tables and workbook for every shipped scenario.
    #[command(after_help = "Runs a sweep of every scenario (every file in scenarios/ when none is named; --draws
defaults to 1000, at least 20), a quick sensitivity analysis, and writes out/brief/index.html,
charts/, tables/ (CSV and results.xlsx) and manifest.json. Chinese labels by default (bundled
font); --lang en for English.

Examples:
  urbsim brief
  urbsim brief --lang en --draws 2000 --out out/brief-en
  urbsim brief scenarios/baseline.toml scenarios/plan-package.toml
  urbsim brief --until 2030")]
    Brief {
        /// Scenario files (default: every file in scenarios/).
        #[arg(value_name = "SCENARIO")]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        draws: DrawArgs,
        #[command(flatten)]
        horizon: HorizonArgs,
        /// Language of labels and page.
        #[arg(long, value_enum, ignore_case = true, default_value_t = LangArg::Zh)]
        lang: LangArg,
        /// Folder for the pack.
        #[arg(long, value_name = "DIR", default_value = "out/brief")]
        out: PathBuf,
        /// Font file (TTF/OTF) to use instead of the bundled Noto Sans SC subset.
        #[arg(long, value_name = "FILE")]
        font: Option<PathBuf>,
        /// Also chart this indicator (fan, comparison, difference from the status quo); repeatable;
        /// ids from `urbsim explain indicators`.
        #[arg(long, value_name = "ID")]
        indicator: Vec<String>,
    },
    /// Re-draw every chart of a brief, sweep, sensitivity or discover output folder from its saved tables.
    #[command(after_help = "Examples:
  urbsim chart out/brief
  urbsim chart out/brief --lang en
  urbsim chart out/sensitivity")]
    Chart {
        /// Output folder of `urbsim brief`, `sweep`, `sensitivity` or `discover`.
        #[arg(value_name = "RESULTS_DIR")]
        dir: PathBuf,
        /// Language of labels.
        #[arg(long, value_enum, ignore_case = true, default_value_t = LangArg::Zh)]
        lang: LangArg,
        /// Font file to use instead of the bundled one.
        #[arg(long, value_name = "FILE")]
        font: Option<PathBuf>,
        /// Also chart this indicator (fan, comparison, difference from the status quo); repeatable.
        #[arg(long, value_name = "ID")]
        indicator: Vec<String>,
    },
    /// Global sensitivity: which uncertain parameters drive each indicator (year by year) and each target.
    #[command(after_help = "Writes oat.csv, morris.csv or sobol.csv and manifest.json. Outcomes default to new urban
jobs, rural labour transfer, hukou conversions and the urbanisation gap in every year, and every
simulated target's met/missed. Runs use central shocks, so indices apportion parameter uncertainty.

Examples:
  urbsim sensitivity scenarios/baseline.toml --method sobol --samples 4096
  urbsim sensitivity scenarios/baseline.toml --method morris --outcome targets
  urbsim sensitivity scenarios/baseline.toml --groups --export-design salib")]
    Sensitivity {
        /// Scenario file (TOML).
        #[arg(value_name = "SCENARIO")]
        scenario: PathBuf,
        /// Method.
        #[arg(long, value_enum, ignore_case = true, default_value_t = analysis::Method::Sobol)]
        method: analysis::Method,
        /// Outcomes: indicator ids (every year), target:ID, or `targets` for every simulated target.
        #[arg(long, value_name = "NAME")]
        outcome: Vec<String>,
        /// Base sample (not futures): Sobol' N (a power of two, default 1024) or Morris trajectories (default 50); at least 2.
        #[arg(long, value_name = "N", value_parser = parse_samples)]
        samples: Option<usize>,
        /// Seed of the Morris design and the bootstrap.
        #[arg(long, value_name = "S", default_value_t = 20250618)]
        seed: u64,
        #[command(flatten)]
        horizon: HorizonArgs,
        /// Folder for the results.
        #[arg(long, value_name = "DIR", default_value = "out/sensitivity")]
        out: PathBuf,
        /// Treat each model block (demography, settlement, ...) as one factor.
        #[arg(long)]
        groups: bool,
        /// Also write the design and outputs as CSV that SALib's analyse functions read.
        #[arg(long, value_name = "DIR")]
        export_design: Option<PathBuf>,
    },
    /// Scenario discovery (PRIM): the ranges of uncertain parameters in which a target is missed.
    #[command(after_help = "Writes prim.csv (the peeling trajectory and the simplified box), prim_bounds.csv (each
box's bounds in full precision), discovery.txt, draws.csv with --keep-draws, and manifest.json.
--draws defaults to 5000 (at least 100, so that the boxes rest on some futures).

Examples:
  urbsim discover scenarios/baseline.toml --target rural_labour_transfer
  urbsim discover scenarios/baseline.toml --target new_urban_jobs --keep-draws")]
    Discover {
        /// Scenario file (TOML).
        #[arg(value_name = "SCENARIO")]
        scenario: PathBuf,
        /// Target id (`urbsim explain targets`).
        #[arg(long, value_name = "ID")]
        target: String,
        #[command(flatten)]
        draws: DrawArgs,
        #[command(flatten)]
        horizon: HorizonArgs,
        /// Peeling fraction.
        #[arg(long, value_name = "A", default_value_t = 0.05)]
        alpha: f64,
        /// Also write every draw's parameters and whether the target was missed (draws.csv).
        #[arg(long)]
        keep_draws: bool,
        /// Folder for the results.
        #[arg(long, value_name = "DIR", default_value = "out/discover")]
        out: PathBuf,
    },
    /// Combine the partial results of sharded sweeps into the results of one sweep.
    #[command(after_help = "Every shard must come from the same inputs, options and tool version; merge checks their
hashes and refuses a mismatch. See docs/scale-out.md.

Examples:
  urbsim merge out/shard1 out/shard2 out/shard3 --out out/sweep
  urbsim merge shards/* --out out/sweep")]
    Merge {
        /// Output folders of `urbsim sweep --shard K/N`, any order.
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Folder for the merged results.
        #[arg(long, value_name = "DIR", default_value = "out/sweep")]
        out: PathBuf,
    },
    /// Check scenario files and report every problem with file, line, column and key.
    #[command(after_help = "Exit code 0 when every file is valid, 2 otherwise (nothing else runs).

Examples:
  urbsim validate scenarios/*.toml
  urbsim validate my-package.toml --format json")]
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// List levers, parameters, indicators and plan targets with unit, range, default, tag and clause.
    #[command(after_help = "NAME may be a section (levers, parameters, indicators, targets, data) or one key.
Tags: S sourced, D derived, A assumption, C calibrated, L to be loaded from city departments.

Examples:
  urbsim explain levers
  urbsim explain c_adm
  urbsim explain --tag L
  urbsim explain --format json")]
    Explain {
        /// A section or a key; everything when omitted.
        #[arg(value_name = "NAME")]
        name: Option<String>,
        #[command(flatten)]
        format: FormatArgs,
        /// Only values with this provenance tag (for example L: what the departments must supply).
        #[arg(long, value_enum, ignore_case = true)]
        tag: Option<TagArg>,
    },
    /// Run from the 2020 census to the base year and compare with the published statistics.
    #[command(after_help = "Examples:
  urbsim backcast
  urbsim backcast --format json")]
    Backcast {
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Fit the calibrated [C] parameters to the published statistics and print them as TOML.
    #[command(after_help = "Examples:
  urbsim calibrate
  urbsim calibrate > calibrated.toml")]
    Calibrate,
    /// Department data: a workbook for the departments to fill in, and loading it back.
    #[command(subcommand)]
    Data(DataCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell) to standard output.
    #[command(after_help = "Examples:
  urbsim completions bash > ~/.local/share/bash-completion/completions/urbsim
  urbsim completions zsh > ~/.zfunc/_urbsim")]
    Completions {
        /// The shell.
        #[arg(value_enum, ignore_case = true)]
        shell: clap_complete::Shell,
    },
}

/// `urbsim data …`.
#[derive(Subcommand, Debug)]
enum DataCommand {
    /// Write the workbook the city departments fill in: one sheet per department, one row per value.
    #[command(after_help = "Examples:
  urbsim data template
  urbsim data template --lang en --out values-en.xlsx")]
    Template {
        /// The workbook to write.
        #[arg(long, value_name = "FILE", default_value = "out/urbsim-data.xlsx")]
        out: PathBuf,
        /// Language of the sheets and headers.
        #[arg(long, value_enum, ignore_case = true, default_value_t = LangArg::Zh)]
        lang: LangArg,
    },
    /// Check a filled workbook and write its values as a data overlay (every problem at once, or nothing).
    #[command(after_help = "Every command that runs the model applies data/local.toml (use --no-local-data to
leave it out) and each --data FILE after it.

Examples:
  urbsim data load urbsim-data.xlsx
  urbsim data load 公安局.xlsx --out data/police.toml")]
    Load {
        /// The filled workbook (.xlsx).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The overlay to write.
        #[arg(long, value_name = "FILE", default_value = data::LOCAL_DATA)]
        out: PathBuf,
    },
}

/// An error that is the user's input, not a failure of the tool: exit code 2.
#[derive(Debug)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// The work was interrupted (Ctrl-C): exit code 130, as a shell reports SIGINT.
#[derive(Debug)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted: the work stopped before it finished; nothing was written")
    }
}

impl std::error::Error for Interrupted {}

/// Runs the parsed command: options are checked against the data before any work, then the
/// command's function in `commands`, `sweep`, `brief` or `analysis` runs.
fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    if let Command::Completions { shell } = cli.command {
        use clap::CommandFactory as _;
        use std::io::Write as _;
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "urbsim", &mut out);
        std::io::stdout().write_all(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    // One pool for every parallel command; it is sized once, before any work.
    rayon::ThreadPoolBuilder::new()
        .num_threads(cli.threads)
        .build_global()
        .map_err(|e| anyhow::anyhow!("cannot start the worker threads: {e}"))?;
    let data = data::load_data(&cli)?;
    match cli.command {
        Command::Run { ref scenarios, horizon, draws, format, ref out } => {
            let n = draws.check("run", 1000, 0, "0 reports the median run alone")?;
            commands::cmd_run(&data, scenarios, horizon.check(&data)?, out, (n, draws.seed), format.format)
        }
        Command::Validate { ref files, format } => commands::cmd_validate(&data, files, format.format),
        Command::Explain { ref name, format, tag } => commands::cmd_explain(&data, name.as_deref(), format.format, tag),
        Command::Backcast { format } => commands::cmd_backcast(&data, format.format),
        Command::Calibrate => commands::cmd_calibrate(&data),
        Command::Completions { .. } => unreachable!("answered above"),
        Command::Data(DataCommand::Template { ref out, lang }) => {
            departments::cmd_template(&data, out, matches!(lang, LangArg::En))
        }
        Command::Data(DataCommand::Load { ref file, ref out }) => departments::cmd_load(&data, file, out),
        Command::Sweep {
            ref scenarios,
            draws,
            horizon,
            sampler,
            ref out,
            ref reference,
            keep_draws,
            ref lever,
            ref shard,
            quantile_sample,
        } => sweep::cmd_sweep(
            &data,
            sweep::SweepArgs {
                scenarios,
                draws: draws.check("sweep", 1000, 1, "a sweep summarises futures")?,
                seed: draws.seed,
                sampler: match sampler {
                    SamplerArg::Mc => urbsim::sweep::Sampler::MonteCarlo,
                    SamplerArg::Lhs => urbsim::sweep::Sampler::LatinHypercube,
                },
                out,
                reference: reference.as_deref(),
                keep_draws,
                levers: lever,
                shard: shard.as_deref(),
                quantile_sample,
                horizon: horizon.check(&data)?,
                quiet: cli.quiet,
            },
        ),
        Command::Merge { ref dirs, ref out } => sweep::cmd_merge(&data, dirs, out),
        Command::Brief { ref scenarios, draws, horizon, lang, ref out, ref font, ref indicator } => brief::cmd_brief(
            &data,
            brief::BriefArgs {
                scenarios,
                draws: draws.check("brief", 1000, 20, "so that every chart has something to show")?,
                seed: draws.seed,
                horizon: horizon.check(&data)?,
                lang: lang.lang(),
                out,
                font: font.as_deref(),
                indicators: indicators(indicator)?,
            },
        ),
        Command::Chart { ref dir, lang, ref font, ref indicator } => {
            brief::cmd_chart(&data, dir, lang.lang(), font.as_deref(), &indicators(indicator)?)
        }
        Command::Sensitivity {
            ref scenario,
            method,
            ref outcome,
            samples,
            seed,
            horizon,
            ref out,
            groups,
            ref export_design,
        } => analysis::cmd_sensitivity(
            &data,
            analysis::SensitivityArgs {
                scenario,
                method,
                outcomes: outcome,
                samples,
                seed,
                horizon: horizon.check(&data)?,
                out,
                groups,
                export_design: export_design.as_deref(),
            },
        ),
        Command::Discover { ref scenario, ref target, draws, horizon, alpha, keep_draws, ref out } => {
            analysis::cmd_discover(
                &data,
                analysis::DiscoverArgs {
                    scenario,
                    target,
                    draws: draws.check("discover", 5000, 100, "so that the boxes rest on some futures")?,
                    seed: draws.seed,
                    horizon: horizon.check(&data)?,
                    alpha,
                    keep_draws,
                    out,
                },
            )
        }
    }
}

/// `--indicator` names as indicator ids; an unknown one is refused with suggestions.
fn indicators(names: &[String]) -> Result<Vec<urbsim::model::IndicatorId>, InputError> {
    use urbsim::model::IndicatorId;
    let mut out = Vec::new();
    for name in names {
        let Some(id) = IndicatorId::from_key(name.trim()) else {
            let close = urbsim::scenario::suggestions(name, IndicatorId::ALL.iter().map(|i| i.key()), 3);
            let hint = if close.is_empty() {
                "`urbsim explain indicators` lists them".to_string()
            } else {
                format!("did you mean {}?", close.join(", "))
            };
            return Err(InputError(format!("error: --indicator {name}: not an indicator\n  hint: {hint}")));
        };
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// The horizon and target period after checking against the baseline's years.
#[derive(Clone, Copy, Debug, Default)]
pub struct Horizon {
    /// Last simulated year, when given.
    pub until: Option<u16>,
    /// Target-period reading, when given.
    pub period: Option<urbsim::scenario::TargetPeriod>,
}

impl HorizonArgs {
    /// Checks `--until` against the baseline's base year and the model's last year.
    fn check(&self, data: &data::Data) -> Result<Horizon, InputError> {
        let first = data.baseline.base_year + 1;
        let last = urbsim::model::LAST_YEAR;
        if let Some(y) = self.until
            && !(first..=last).contains(&y)
        {
            return Err(InputError(format!(
                "error: --until {y} is outside [{first}, {last}]\n  hint: choose a year from {first} to {last}"
            )));
        }
        Ok(Horizon { until: self.until, period: self.target_period.map(PeriodArg::period) })
    }
}

impl PeriodArg {
    fn period(self) -> urbsim::scenario::TargetPeriod {
        match self {
            PeriodArg::From2025 => urbsim::scenario::TargetPeriod::From2025,
            PeriodArg::From2024 => urbsim::scenario::TargetPeriod::From2024,
        }
    }
}

/// Parses arguments, runs the command and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            if let Some(input) = e.downcast_ref::<InputError>() {
                eprintln!("{}", urbsim::report::terminal_safe(&input.to_string()));
                return ExitCode::from(2);
            }
            if let Some(stop) = e.downcast_ref::<Interrupted>() {
                eprintln!("{stop}");
                return ExitCode::from(130);
            }
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("{}", urbsim::report::terminal_safe(&format!("error: {e:#}")));
            ExitCode::from(1)
        }
    }
}

/// A count of draws: a whole number of at least `min`, written plainly, with `_` separators or
/// in scientific notation (`1e6`).
fn parse_count(text: &str, min: u64) -> Result<u64, String> {
    let plain = text.replace('_', "");
    let n = plain.parse::<u64>().ok().or_else(|| {
        let x = plain.parse::<f64>().ok()?;
        (x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 1e15).then_some(x as u64)
    });
    match n {
        Some(n) if n >= min => Ok(n),
        _ if min == 0 => Err("give a whole number of draws, such as 1000, 1_000_000 or 1e6".to_string()),
        _ => Err(format!("give a whole number of at least {min}, such as 1000, 1_000_000 or 1e6")),
    }
}

/// `--threads`: 0 (every core) to 1024; more would only spend time starting threads.
fn parse_threads(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n <= 1024 => Ok(n),
        _ => Err("give a whole number from 0 (every core) to 1024".to_string()),
    }
}

/// `--samples`: at least 2 (a Sobol' base sample or Morris trajectories).
fn parse_samples(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 2 => Ok(n),
        _ => Err("give a whole number of at least 2 (Sobol' N, a power of two such as 1024; Morris trajectories, such as 50)".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
