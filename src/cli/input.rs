//! Reading input files safely: only regular files, and none larger than a cap, so that a FIFO,
//! `/dev/stdin` with an open pipe or `/dev/zero` given as a scenario, an `extends` target, a
//! baseline, a shard or a results table is refused at once instead of hanging or exhausting
//! memory.

use std::io::Read;
use std::path::Path;

/// Largest input file read, bytes (16 MiB: the shipped baseline is under 100 KB, a scenario a few
/// KB, a results table a few MB).
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Largest sweep shard read by `merge`, bytes (1 GiB: a shard keeps its quantile sample, every
/// indicator of every year of every arm for each kept draw, which runs to tens of MB).
pub const MAX_SHARD_BYTES: u64 = 1024 * 1024 * 1024;

/// Reads a regular file of at most [`MAX_INPUT_BYTES`]; anything else is an error whose message
/// says why. Symbolic links are followed to what they name, which must itself be a regular file.
pub fn read_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    read_bytes_up_to(path, MAX_INPUT_BYTES)
}

/// [`read_bytes`] with another cap.
pub fn read_bytes_up_to(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a folder, device, pipe or socket cannot be read as input)",
        ));
    }
    if meta.len() > cap {
        return Err(too_large(meta.len(), cap));
    }
    // The size can change between the check and the read: read at most one byte past the cap.
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(too_large(bytes.len() as u64, cap));
    }
    Ok(bytes)
}

/// [`read_bytes`] as UTF-8 text.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    read_text_up_to(path, MAX_INPUT_BYTES)
}

/// [`read_text`] with another cap.
pub fn read_text_up_to(path: &Path, cap: u64) -> std::io::Result<String> {
    String::from_utf8(read_bytes_up_to(path, cap)?).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
        let column = valid - bytes[..valid].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("invalid UTF-8 at line {line}, column {column}; save the file as UTF-8"),
        )
    })
}

fn too_large(len: u64, cap: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("{len} bytes is larger than the {cap}-byte limit for an input file"),
    )
}
