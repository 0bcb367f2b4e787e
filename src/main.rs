//! The `urbsim` command: maps the CLI's outcome to an exit code (0 success, 1 runtime failure,
//! 2 invalid input or usage).

#![allow(rustdoc::broken_intra_doc_links)]
// provenance tags like [C] in doc comments
// The binary is where files, the environment, the clock and the terminal are touched (clippy.toml
// forbids them in the library).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
