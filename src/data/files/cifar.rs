//! CIFAR-10's binary batches: files of 3 073-byte records, each a label byte then a 32×32
//! RGB image as three 1 024-byte planes (red, green, blue). A folder's `data_batch_*.bin`
//! files make the training set (`test_batch.bin` alone when there are none); class names
//! come from `batches.meta.txt`, one per line.

use std::path::{Path, PathBuf};

/// Bytes of one record.
pub const RECORD: usize = 1 + 3 * 1024;
/// Side of CIFAR images.
pub const SIDE: usize = 32;

/// Whether a file name is a CIFAR binary batch.
pub fn is_batch(name: &str) -> bool {
    name.ends_with(".bin") && (name.starts_with("data_batch") || name.starts_with("test_batch"))
}

/// The batches of a folder that make its training set, sorted; and its names file.
pub fn list(dir: &Path) -> std::io::Result<Option<(Vec<PathBuf>, Option<PathBuf>)>> {
    let mut batches: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(is_batch) && p.is_file())
        .collect();
    batches.sort();
    if batches
        .iter()
        .any(|b| b.to_string_lossy().contains("data_batch"))
    {
        batches.retain(|b| b.to_string_lossy().contains("data_batch"));
    }
    let meta = dir.join("batches.meta.txt");
    Ok((!batches.is_empty()).then(|| (batches, meta.is_file().then_some(meta))))
}

/// The records of one batch file: labels and the images' bytes, or why the file is not one.
pub fn parse(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if !bytes.len().is_multiple_of(RECORD) {
        return Err(format!(
            "its {} bytes are not a whole number of {RECORD}-byte CIFAR records",
            bytes.len()
        ));
    }
    let count = bytes.len() / RECORD;
    let mut labels = Vec::with_capacity(count);
    let mut images = Vec::with_capacity(count * (RECORD - 1));
    for record in bytes.chunks_exact(RECORD) {
        labels.push(record[0]);
        images.extend_from_slice(&record[1..]);
    }
    Ok((labels, images))
}

/// Class names from `batches.meta.txt` text: its non-empty lines.
pub fn names(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_split_into_labels_and_planes() {
        let mut bytes = vec![3u8];
        bytes.extend((0..3072).map(|i| (i / 1024) as u8));
        bytes.push(7);
        bytes.extend(vec![9u8; 3072]);
        let (labels, images) = parse(&bytes).unwrap_or_default();
        assert_eq!(labels, [3, 7]);
        assert_eq!(
            (images[0], images[1024], images[2048], images[3072]),
            (0, 1, 2, 9)
        );
        assert!(parse(&bytes[..100]).is_err());
        assert!(parse(&[]).is_err());
        assert_eq!(
            names("airplane\nautomobile\n\n"),
            ["airplane", "automobile"]
        );
    }
}
