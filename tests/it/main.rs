//! The one integration-test binary (STYLE.md): model invariants and monotone responses,
//! backcast acceptance, golden results of the shipped scenarios, the command line, and the
//! code conventions (tidy).

// Tests read and write files freely; clippy.toml's purity lints are for the library.
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

mod alloc;
mod backcast;
mod cli;
mod cli_analysis;
mod cli_brief;
mod cli_hardening;
mod cli_sweep;
mod common;
mod comparisons;
mod data;
mod extremes;
mod fuzz;
mod golden;
mod labour;
mod properties;
mod provenance;
mod settlement;
mod sweep;
mod tidy;
