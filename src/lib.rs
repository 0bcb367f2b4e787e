//! urbsim: a year-by-year simulator of Liuyang's (浏阳市) 2025 people-centred urbanisation plan.
//!
//! The library is the pure core: it parses scenario and baseline text, runs the model and
//! renders results, and never touches files, the clock, the environment or the terminal
//! (the binary's `cli` module does that). See ARCHITECTURE.md for the map. "MODEL.md §N" in
//! comments and messages means `docs/MODEL.md`, the model as built, which keeps the section
//! numbers of the original design.
#![deny(clippy::print_stdout, clippy::print_stderr)]
// Index loops mirror the equations of MODEL.md (cells by group, sex and age); iterator chains
// over three parallel arrays would hide them.
#![allow(clippy::needless_range_loop)]
// Doc comments cite provenance tags ([A], [C], ...) and sources ([S42]) in brackets, as MODEL.md
// does; they are not links to Rust items.
#![allow(rustdoc::broken_intra_doc_links)]

pub mod baseline;
pub mod brief;
pub mod calibrate;
pub mod chart;
pub mod data;
pub mod discovery;
pub mod exploration;
pub mod model;
pub mod names;
pub mod projection;
pub mod report;
pub mod scenario;
pub mod sensitivity;
pub mod stats;
pub mod sweep;
pub mod targets;
pub mod uncertainty;
