//! Writing results to disk so that nothing is ever half-written: every file goes to a temporary
//! file in the target folder and is renamed into place once complete, and `manifest.json` is
//! written last, so its presence marks a complete result folder.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// Hex SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `bytes` to `dir/name` atomically (temporary file plus rename in the same folder).
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot create a file in {}", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("cannot write {}", dir.join(name).display()))?;
    tmp.as_file().sync_all().with_context(|| format!("cannot flush {}", dir.join(name).display()))?;
    tmp.persist(dir.join(name)).with_context(|| format!("cannot move the result into {}", dir.join(name).display()))?;
    Ok(())
}

/// Writes a set of files into `dir` (created if missing), each atomically.
pub fn write_files(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    for (name, bytes) in files {
        write_atomic(dir, name, bytes)?;
    }
    Ok(())
}

/// Writes a set of files into `dir` (created if missing); `manifest` goes last.
pub fn write_folder(dir: &Path, files: &[(&str, Vec<u8>)], manifest: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    // A stale manifest would vouch for files about to be replaced: remove it first.
    let old = dir.join("manifest.json");
    if old.exists() {
        std::fs::remove_file(&old).with_context(|| format!("cannot replace {}", old.display()))?;
    }
    for (name, bytes) in files {
        write_atomic(dir, name, bytes)?;
    }
    write_atomic(dir, "manifest.json", manifest)
}
