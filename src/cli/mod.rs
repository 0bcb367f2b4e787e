//! The command line: argument types (clap), the embedded Liuyang data, loading files, and the
//! mapping of failures to exit codes. Everything that touches files, the terminal or the
//! process lives under `src/cli/`; the library stays pure.

/// `println!` that returns the write error instead of panicking, so a closed pipe
/// (`urbsim explain | head`) ends the program quietly with exit code 0. Control characters in
/// the text (from titles, keys or paths a user wrote) are escaped, never sent to the terminal.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), "{}", urbsim::report::terminal_safe(&format!($($t)*)))?;
    }};
}

/// `print!` counterpart of `say!`.
macro_rules! emit {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), "{}", urbsim::report::terminal_safe(&format!($($t)*)))?;
    }};
}

mod analysis;
mod brief;
mod commands;
mod input;
mod output;
mod sweep;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// The Liuyang baseline shipped with the binary (`seeds/liuyang-baseline.toml`).
pub const BASELINE: &str = include_str!("../../seeds/liuyang-baseline.toml");
/// The plan's targets shipped with the binary (`seeds/plan-targets.toml`).
pub const TARGETS: &str = include_str!("../../seeds/plan-targets.toml");

/// urbsim: year-by-year scenarios of Liuyang's (浏阳市) people-centred urbanisation plan,
/// 2024-2028: migrant settlement and hukou, jobs, housing, public services and the budget.
#[derive(Parser, Debug)]
#[command(name = "urbsim", version, help_expected = true, max_term_width = 100)]
#[command(after_help = "Examples:
  urbsim brief                                            the briefing pack for every shipped scenario
  urbsim run scenarios/baseline.toml                      status quo to 2028
  urbsim run scenarios/*.toml --until 2030 --out out/run  every shipped package to 2030
  urbsim validate scenarios/my-package.toml               check a scenario file
  urbsim explain levers                                    every lever with unit, range and default
  urbsim explain tfr                                       one parameter, with its tag and source
  urbsim backcast                                          2021-2023 against published statistics
  urbsim sweep scenarios/*.toml --draws 2000               probability of each target, per package

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

#[derive(Subcommand, Debug)]
enum Command {
    /// Project scenarios year by year: the median run (every uncertain parameter at its median, no shocks), with each target's chance over simulated futures.
    #[command(after_help = "Writes results.csv (scenario, year, indicator, value, unit), results.json,\n\
targets.csv and manifest.json into --out, and prints a summary with each plan target's verdict.\n\
Examples:\n  urbsim run scenarios/baseline.toml scenarios/open-settlement.toml --out out/run\n\
  urbsim run scenarios/*.toml --until 2030\n\
  urbsim run scenarios/baseline.toml --draws 0")]
    Run {
        /// Scenario files (TOML).
        #[arg(required = true, value_name = "SCENARIO")]
        scenarios: Vec<PathBuf>,
        /// Last year to simulate (base year + 1 to 2035; default: the scenario's, else 2028).
        #[arg(long, value_name = "YEAR")]
        until: Option<u16>,
        /// Folder for the results.
        #[arg(long, value_name = "DIR", default_value = "out/run")]
        out: PathBuf,
        /// Reading of the plan's target period (default: the scenario's, else 2025-2028).
        #[arg(long, value_name = "PERIOD")]
        target_period: Option<PeriodArg>,
        /// Futures drawn for each target's chance of being met (Latin hypercube, shocks included,
        /// as in the briefing pack); 0 reports the median run alone.
        #[arg(long, value_name = "N", default_value_t = 1000, allow_negative_numbers = true, value_parser = |t: &str| parse_count(t, 0))]
        draws: u64,
        /// Seed of those futures.
        #[arg(long, value_name = "S", default_value_t = 20250618)]
        seed: u64,
    },
    /// Monte Carlo sweep: how likely each plan target is under each scenario, with common random numbers.
    #[command(
        after_help = "Writes summary.csv (per scenario, year, indicator: mean, sd, Monte Carlo error, percentiles),\n\
targets.csv (probability of meeting each target with a 95% interval, and of beating the reference),\n\
paired.csv (scenario minus reference, draw by draw), grid.csv with --lever, draws.csv with --keep-draws,\n\
and manifest.json. Results are identical for any --threads and for sharded-then-merged runs.\n\
Examples:\n  urbsim sweep scenarios/*.toml --draws 2000 --seed 7\n\
  urbsim sweep scenarios/baseline.toml --lever arh_new_units=0:3000:7 --lever budget_tightness=0,0.2,0.4\n\
  urbsim sweep scenarios/baseline.toml --draws 1000000 --shard 3/10 --out out/shard3   (then urbsim merge)"
    )]
    Sweep {
        /// Scenario files (TOML); the first is the reference unless --reference names another.
        #[arg(required = true, value_name = "SCENARIO")]
        scenarios: Vec<PathBuf>,
        /// Number of futures drawn (at least 1).
        #[arg(long, value_name = "N", default_value_t = 1000, allow_negative_numbers = true, value_parser = |t: &str| parse_count(t, 1))]
        draws: u64,
        /// Master seed; the same seed gives the same results.
        #[arg(long, value_name = "S", default_value_t = 20250618)]
        seed: u64,
        /// How uncertain parameters are sampled (Latin hypercube by default, as `brief` and `run` draw them, so the
        /// same seed and draws give the same probabilities everywhere).
        #[arg(long, value_enum, default_value_t = SamplerArg::Lhs)]
        sampler: SamplerArg,
        /// Worker threads (0: every core; at most 1024). Changes speed, never results.
        #[arg(long, value_name = "T", default_value_t = 0, value_parser = parse_threads)]
        threads: usize,
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
        /// Last year to simulate (default: the scenario's, else 2028).
        #[arg(long, value_name = "YEAR")]
        until: Option<u16>,
        /// Reading of the plan's target period.
        #[arg(long, value_name = "PERIOD")]
        target_period: Option<PeriodArg>,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// The briefing pack: page, charts (PNG and SVG), tables and workbook for every shipped scenario.
    #[command(after_help = "Runs a sweep of every scenario (every file in scenarios/ when none is named), a quick\n\
sensitivity analysis, and writes out/brief/index.html, charts/, tables/ (CSV and results.xlsx) and\n\
manifest.json. Chinese labels by default (bundled font); --lang en for English.\n\
Examples:\n  urbsim brief\n  urbsim brief --lang en --draws 2000 --out out/brief-en\n\
  urbsim brief scenarios/baseline.toml scenarios/plan-package.toml")]
    Brief {
        /// Scenario files (default: every file in scenarios/).
        #[arg(value_name = "SCENARIO")]
        scenarios: Vec<PathBuf>,
        /// Futures drawn (at least 20, so that every chart has something to show).
        #[arg(long, value_name = "N", default_value_t = 1000, allow_negative_numbers = true, value_parser = |t: &str| parse_count(t, 20))]
        draws: u64,
        /// Seed.
        #[arg(long, value_name = "S", default_value_t = 20250618)]
        seed: u64,
        /// Language of labels and page.
        #[arg(long, value_enum, ignore_case = true, default_value_t = LangArg::Zh)]
        lang: LangArg,
        /// Folder for the pack.
        #[arg(long, value_name = "DIR", default_value = "out/brief")]
        out: PathBuf,
        /// Font file (TTF/OTF) to use instead of the bundled Noto Sans SC subset.
        #[arg(long, value_name = "FILE")]
        font: Option<PathBuf>,
    },
    /// Re-draw every chart of a brief or sweep output folder from its saved tables.
    #[command(after_help = "Examples:\n  urbsim chart out/brief\n  urbsim chart out/brief --lang en\n\
  urbsim chart out/sensitivity")]
    Chart {
        /// Output folder of `urbsim brief` or `urbsim sweep`.
        #[arg(value_name = "RESULTS_DIR")]
        dir: PathBuf,
        /// Language of labels.
        #[arg(long, value_enum, ignore_case = true, default_value_t = LangArg::Zh)]
        lang: LangArg,
        /// Font file to use instead of the bundled one.
        #[arg(long, value_name = "FILE")]
        font: Option<PathBuf>,
    },
    /// Global sensitivity: which uncertain parameters drive each indicator (year by year) and each target.
    #[command(
        after_help = "Writes oat.csv, morris.csv or sobol.csv and manifest.json. Outcomes default to new urban\n\
jobs, rural labour transfer, hukou conversions and the urbanisation gap in every year, and every\n\
simulated target's met/missed. Runs use central shocks, so indices apportion parameter uncertainty.\n\
Examples:\n  urbsim sensitivity scenarios/baseline.toml --method sobol --samples 4096\n\
  urbsim sensitivity scenarios/baseline.toml --method morris --outcome target:new_urban_jobs\n\
  urbsim sensitivity scenarios/baseline.toml --method sobol --groups --export-design out/salib"
    )]
    Sensitivity {
        /// Scenario file (TOML).
        #[arg(value_name = "SCENARIO")]
        scenario: PathBuf,
        /// Method.
        #[arg(long, value_enum, default_value_t = analysis::Method::Sobol)]
        method: analysis::Method,
        /// Outcomes: indicator ids (every year), target:ID, or `targets` for every simulated target.
        #[arg(long, value_name = "NAME")]
        outcome: Vec<String>,
        /// Base sample: Sobol N (power of two, default 1024) or Morris trajectories (default 50); at least 2.
        #[arg(long, value_name = "N", value_parser = parse_samples)]
        samples: Option<usize>,
        /// Seed of the Morris design and the bootstrap.
        #[arg(long, value_name = "S", default_value_t = 20250618)]
        seed: u64,
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
    #[command(
        after_help = "Example: urbsim discover scenarios/baseline.toml --target rural_labour_transfer --draws 5000"
    )]
    Discover {
        /// Scenario file (TOML).
        #[arg(value_name = "SCENARIO")]
        scenario: PathBuf,
        /// Target id (`urbsim explain targets`).
        #[arg(long, value_name = "ID")]
        target: String,
        /// Futures drawn (Latin hypercube; at least 100, so that the boxes rest on some futures).
        #[arg(long, value_name = "N", default_value_t = 5000, allow_negative_numbers = true, value_parser = |t: &str| parse_count(t, 100))]
        draws: u64,
        /// Seed.
        #[arg(long, value_name = "S", default_value_t = 20250618)]
        seed: u64,
        /// Peeling fraction.
        #[arg(long, value_name = "A", default_value_t = 0.05)]
        alpha: f64,
        /// Folder for the results.
        #[arg(long, value_name = "DIR", default_value = "out/discover")]
        out: PathBuf,
    },
    /// Combine the partial results of sharded sweeps into the results of one sweep.
    Merge {
        /// Output folders of `urbsim sweep --shard K/N`, any order.
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Folder for the merged results.
        #[arg(long, value_name = "DIR", default_value = "out/sweep")]
        out: PathBuf,
    },
    /// Check scenario files and report every problem with file, line, column and key.
    #[command(after_help = "Exit code 0 when every file is valid, 2 otherwise (nothing else runs).\n\
Examples:\n  urbsim validate scenarios/*.toml\n  urbsim validate my-package.toml")]
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// List levers, parameters, indicators and plan targets with unit, range, default, tag and clause.
    #[command(after_help = "NAME may be a section (levers, parameters, indicators, targets, data) or one key.\n\
Tags: S sourced, D derived, A assumption, C calibrated, L to be loaded from city departments.\n\
Examples:\n  urbsim explain levers\n  urbsim explain c_adm\n  urbsim explain --tag L\n  urbsim explain --format json")]
    Explain {
        /// A section or a key; everything when omitted.
        #[arg(value_name = "NAME")]
        name: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Only values with this provenance tag (for example L: what the departments must supply).
        #[arg(long, value_enum, ignore_case = true)]
        tag: Option<TagArg>,
    },
    /// Run from the 2020 census to the base year and compare with the published statistics.
    Backcast {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Fit the calibrated [C] parameters to the published statistics and print them as TOML.
    Calibrate,
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell) to standard output.
    #[command(
        after_help = "Examples:\n  urbsim completions bash > ~/.local/share/bash-completion/completions/urbsim\n\
  urbsim completions zsh > ~/.zfunc/_urbsim"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum, ignore_case = true)]
        shell: clap_complete::Shell,
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

/// Parses arguments, runs the command and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            if let Some(input) = e.downcast_ref::<InputError>() {
                eprintln!("{}", urbsim::report::terminal_safe(&input.to_string()));
                return ExitCode::from(2);
            }
            if let Some(stop) = e.downcast_ref::<sweep::Interrupted>() {
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
