//! The one `manifest.json` every command writes beside its results: the tool and its version,
//! the command line and how to reproduce it, the hash of every input (baseline, targets, each
//! scenario file of each `extends` chain) and of every output file, and the command's own
//! options. A folder's manifest is written last, so a folder with one is complete.

use anyhow::Result;
use serde_json::{Map, Value, json};

use super::data::Data;
use super::output::sha256;
use urbsim::scenario::Scenario;

/// A manifest being filled in; [`Manifest::bytes`] closes it with the outputs' hashes.
pub struct Manifest {
    doc: Map<String, Value>,
    outputs: Vec<Value>,
}

impl Manifest {
    /// A manifest for `command` with the tool, version, arguments, reproduce line, and the
    /// baseline and targets in use.
    pub fn new(command: &str, data: &Data) -> Manifest {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut doc = Map::new();
        doc.insert("tool".into(), json!("urbsim"));
        doc.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
        doc.insert("command".into(), json!(command));
        doc.insert("reproduce".into(), json!(format!("urbsim {}", args.join(" "))));
        doc.insert("arguments".into(), json!(args));
        doc.insert("baseline".into(), json!({"source": data.baseline_origin.0, "sha256": data.baseline_origin.1}));
        doc.insert("targets".into(), json!({"source": data.targets_origin.0, "sha256": data.targets_origin.1}));
        doc.insert("data_overlays".into(), overlays_json(data));
        Manifest { doc, outputs: Vec::new() }
    }

    /// Records the scenarios: each one's name and every file of its chain with its hash.
    pub fn scenarios(self, scenarios: &[Scenario]) -> Manifest {
        let list = scenarios_json(scenarios);
        self.with("scenarios", list)
    }

    /// Adds (or replaces) a field.
    pub fn with(mut self, key: &str, value: Value) -> Manifest {
        self.doc.insert(key.to_string(), value);
        self
    }

    /// Records an output file by its bytes.
    pub fn output(&mut self, name: &str, bytes: &[u8]) {
        self.output_hash(name, &sha256(bytes));
    }

    /// Records an output file whose hash was computed while it was streamed.
    pub fn output_hash(&mut self, name: &str, hash: &str) {
        self.outputs.push(json!({"file": name, "sha256": hash}));
    }

    /// Records every file of a set.
    pub fn outputs(&mut self, files: &[(&str, Vec<u8>)]) {
        for (name, bytes) in files {
            self.output(name, bytes);
        }
    }

    /// The manifest as pretty JSON with a final newline.
    pub fn bytes(mut self) -> Result<Vec<u8>> {
        self.doc.insert("outputs".into(), Value::Array(self.outputs));
        let mut bytes = serde_json::to_vec_pretty(&Value::Object(self.doc))?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// Each scenario's name and files with their hashes (also what shards compare).
pub fn scenarios_json(scenarios: &[Scenario]) -> Value {
    Value::Array(
        scenarios
            .iter()
            .map(|s| {
                json!({
                    "name": s.name,
                    "files": s.files.iter().map(|(p, t)| json!({"path": p.display().to_string(), "sha256": sha256(t.as_bytes())})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The department data overlays applied, in order, with their hashes and the workbooks they came from.
pub fn overlays_json(data: &Data) -> Value {
    Value::Array(
        data.overlays
            .iter()
            .map(|(p, h, o)| json!({"path": p, "sha256": h, "workbook": o.workbook, "workbook_sha256": o.workbook_sha256, "values": o.values.len()}))
            .collect(),
    )
}
