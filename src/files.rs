//! Reading files a user can point anywhere (a preset, a checkpoint, a run folder): only
//! regular files are opened, and each read has a size limit. Opening a FIFO blocks until a
//! writer comes (forever), and `/dev/zero` never ends, so both are refused by what the file
//! *is* before it is opened; a symbolic link to a regular file is fine.

use std::io::Read;
use std::path::Path;

/// Why a file was refused or could not be read, naming it.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a regular file (a folder, a FIFO or a device), so it is not read")]
    NotRegular { path: String },
    #[error("{path} is larger than {limit} bytes, more than such a file ever holds")]
    TooLarge { path: String, limit: u64 },
    #[error("{path} is not UTF-8 text")]
    NotText { path: String },
}

/// Check that `path` is a regular file (following links) without opening it.
pub fn regular(path: &Path) -> Result<std::fs::Metadata, FileError> {
    let metadata = std::fs::metadata(path).map_err(|source| FileError::Io {
        path: path.display().to_string(),
        source,
    })?;
    if metadata.is_file() {
        Ok(metadata)
    } else {
        Err(FileError::NotRegular {
            path: path.display().to_string(),
        })
    }
}

/// The bytes of the regular file `path`, at most `limit` of them.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let io = |source| FileError::Io {
        path: path.display().to_string(),
        source,
    };
    let metadata = regular(path)?;
    let too_large = || FileError::TooLarge {
        path: path.display().to_string(),
        limit,
    };
    if metadata.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    std::fs::File::open(path)
        .map_err(io)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The UTF-8 text of the regular file `path`, at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, FileError> {
    String::from_utf8(read_limited(path, limit)?).map_err(|_| FileError::NotText {
        path: path.display().to_string(),
    })
}

/// FNV-1a (64 bits) of a file's bytes, as 16 hex digits: enough to catch flipped bits and
/// swapped files, not meant against an adversary.
pub fn checksum(path: &Path) -> Result<String, FileError> {
    Ok(checksum_bytes(&read_limited(path, u64::MAX / 2)?))
}

/// [`checksum`] of bytes already read.
pub fn checksum_bytes(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_devices_and_large_files_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let refused = read_text(dir.path(), 10).err().map(|e| e.to_string());
        assert!(refused.is_some_and(|e| e.contains("not a regular file")));
        if Path::new("/dev/zero").exists() {
            let refused = read_limited(Path::new("/dev/zero"), 10)
                .err()
                .map(|e| e.to_string());
            assert!(refused.is_some_and(|e| e.contains("/dev/zero")));
        }
        let file = dir.path().join("big");
        std::fs::write(&file, [b'a'; 11]).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            read_text(&file, 10),
            Err(FileError::TooLarge { .. })
        ));
        assert_eq!(read_text(&file, 11).ok().as_deref(), Some("aaaaaaaaaaa"));
        let flipped = dir.path().join("flipped");
        std::fs::write(
            &flipped,
            [b'a'; 10].iter().chain(b"b").copied().collect::<Vec<_>>(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(checksum(&file).ok(), checksum(&flipped).ok());
    }
}
