//! Writing results to disk so that nothing is ever half-written or mixed: a result folder is
//! built beside its target under a temporary name and swapped in whole once complete (so an
//! interruption, a full disk or a second writer never leaves old and new files together), every
//! file is written to a temporary file and renamed, and `manifest.json` is written last, so its
//! presence marks a complete result folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// Hex SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A temporary-file builder whose files get the usual permissions (`mode` less the umask, so
/// 0644 files and 0755 folders under the common umask) rather than tempfile's owner-only ones:
/// a pack copied to a shared folder stays readable by colleagues.
fn builder(mode: u32) -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        b.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    b
}

/// Writes `bytes` to `dir/name` atomically (temporary file plus rename in the same folder).
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let mut tmp =
        builder(0o666).tempfile_in(dir).with_context(|| format!("cannot create a file in {}", dir.display()))?;
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

/// A result folder being built beside its target, swapped in whole by [`Staged::commit`]; if it
/// is dropped uncommitted (an error), the half-built folder is removed and the target untouched.
pub struct Staged {
    target: PathBuf,
    staging: Option<tempfile::TempDir>,
}

impl Staged {
    /// Starts a result folder for `target`. The target may be missing, empty, or an earlier
    /// result folder (one with a `manifest.json`); anything else is refused, so that no folder of
    /// the user's is ever replaced by mistake.
    pub fn new(target: &Path) -> Result<Staged> {
        if target.exists() {
            let meta = std::fs::symlink_metadata(target)?;
            let mut entries = if meta.is_dir() { Some(std::fs::read_dir(target)?) } else { None };
            let empty = entries.as_mut().is_some_and(|e| e.next().is_none());
            if !meta.is_dir() || (!empty && !target.join("manifest.json").is_file()) {
                return Err(super::InputError(format!(
                    "error: --out {} is {} and would be replaced; nothing was written\n  hint: give a new or empty folder, \
                     or an earlier urbsim result folder (one with a manifest.json)",
                    target.display(),
                    if meta.is_dir() { "a folder that is not an urbsim result" } else { "not a folder" }
                ))
                .into());
            }
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
        let name = target.file_name().map_or("out".into(), |n| n.to_string_lossy().into_owned());
        let staging = builder(0o777)
            .prefix(&format!(".{name}.urbsim-"))
            .tempdir_in(&parent)
            .with_context(|| format!("cannot create a folder in {}", parent.display()))?;
        Ok(Staged { target: target.to_path_buf(), staging: Some(staging) })
    }

    /// Where to write the folder's files.
    pub fn path(&self) -> &Path {
        self.staging.as_ref().map_or(self.target.as_path(), |s| s.path())
    }

    /// Swaps the finished folder in for the target (the earlier one, if any, is removed).
    pub fn commit(mut self) -> Result<()> {
        let staging = self.staging.take().expect("a staged folder commits once").keep();
        let old = if self.target.exists() {
            let mut aside = staging.clone().into_os_string();
            aside.push(".old");
            let aside = PathBuf::from(aside);
            std::fs::rename(&self.target, &aside)
                .with_context(|| format!("cannot move the earlier {} aside", self.target.display()))?;
            Some(aside)
        } else {
            None
        };
        std::fs::rename(&staging, &self.target)
            .with_context(|| format!("cannot move the result into {}", self.target.display()))?;
        if let Some(aside) = old {
            std::fs::remove_dir_all(&aside).with_context(|| format!("cannot remove {}", aside.display()))?;
        }
        Ok(())
    }
}

/// A file written in a stream whose SHA-256 is computed on the way, for outputs too large to
/// hold in memory (the SALib export). It lives in a [`Staged`] folder, so it is never seen half
/// written.
pub struct HashingWriter {
    file: std::io::BufWriter<std::fs::File>,
    hash: Sha256,
}

impl HashingWriter {
    /// Creates `path` (the umask decides its permissions).
    pub fn create(path: &Path) -> Result<HashingWriter> {
        let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(HashingWriter { file: std::io::BufWriter::new(file), hash: Sha256::new() })
    }

    /// Flushes the file to disk and returns its SHA-256 in hex.
    pub fn finish(mut self) -> std::io::Result<String> {
        self.file.flush()?;
        self.file.get_ref().sync_all()?;
        Ok(self.hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Writes a whole result folder `dir`: the files, then `manifest` last, built aside and swapped
/// in, so no file of an earlier result survives and nothing half-written is ever seen.
pub fn write_folder(dir: &Path, files: &[(&str, Vec<u8>)], manifest: &[u8]) -> Result<()> {
    let staged = Staged::new(dir)?;
    for (name, bytes) in files {
        write_atomic(staged.path(), name, bytes)?;
    }
    write_atomic(staged.path(), "manifest.json", manifest)?;
    staged.commit()
}
