//! IDX files, the format of MNIST, Fashion-MNIST and EMNIST: a big-endian header (two zero
//! bytes, a type code, the number of dimensions, then each dimension as a u32) followed by
//! the values. ganscope reads unsigned-byte files: images (3 dimensions: count × rows ×
//! columns) and labels (1 dimension), raw or gzip-compressed (`.gz`, detected by its magic
//! bytes, not the name).
//!
//! Nothing is allocated from a header's word alone: the sizes it declares are checked
//! against limits and against the bytes actually there (decompressed through a reader that
//! stops at the declared size plus one byte), so a ten-byte file claiming 60 000 × 28 × 28
//! images is refused before any large allocation.

use std::io::Read;

/// Type code of unsigned bytes, the only one ganscope reads.
const UNSIGNED_BYTE: u8 = 0x08;
/// The most images one file may declare (EMNIST's largest split has ~700 000).
pub const MAX_IMAGES: usize = 2_000_000;
/// The largest side of an image.
pub const MAX_SIDE: usize = 1024;
/// The most bytes one file may hold once decompressed.
pub const MAX_BYTES: u64 = 4 << 30;

/// Why an IDX file was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdxError {
    #[error("the file is empty")]
    Empty,
    #[error("not an IDX file: it starts with {0:02x?} where IDX files start with 00 00")]
    Magic(Vec<u8>),
    #[error("its values are of type 0x{0:02x}; only unsigned bytes (0x08) are read")]
    Type(u8),
    #[error("it has {found} dimension(s) where {expected} were expected ({what})")]
    Dimensions {
        found: u8,
        expected: u8,
        what: &'static str,
    },
    #[error("the header is cut short")]
    ShortHeader,
    #[error("its header declares {0}, more than ganscope reads")]
    TooLarge(String),
    #[error("its header declares {declared} bytes of values but the file holds {found}")]
    Truncated { declared: u64, found: u64 },
    #[error("it holds more bytes than its header declares ({declared})")]
    Trailing { declared: u64 },
    #[error("the gzip stream is damaged: {0}")]
    Gzip(String),
}

/// Images of one IDX file: `count` images of `rows` × `columns` bytes, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxImages {
    pub count: usize,
    pub rows: usize,
    pub columns: usize,
    pub pixels: Vec<u8>,
}

/// A reader over the file's bytes, decompressing when they are gzip.
fn reader(bytes: &[u8]) -> Box<dyn Read + '_> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::GzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    }
}

/// Read exactly `n` bytes or say how many there were.
fn read_exact(input: &mut dyn Read, n: usize) -> Result<Vec<u8>, (usize, IdxError)> {
    let mut out = Vec::with_capacity(n.min(1 << 20));
    let got = input
        .take(n as u64)
        .read_to_end(&mut out)
        .map_err(|e| (0, IdxError::Gzip(e.to_string())))?;
    if got < n {
        return Err((got, IdxError::ShortHeader));
    }
    Ok(out)
}

/// The header: the dimensions, after checking the magic, the type and their number.
fn header(
    input: &mut dyn Read,
    expected: u8,
    what: &'static str,
    empty: bool,
) -> Result<Vec<usize>, IdxError> {
    if empty {
        return Err(IdxError::Empty);
    }
    let magic = read_exact(input, 4).map_err(|(_, e)| e)?;
    if magic[0] != 0 || magic[1] != 0 {
        return Err(IdxError::Magic(magic[..2].to_vec()));
    }
    if magic[2] != UNSIGNED_BYTE {
        return Err(IdxError::Type(magic[2]));
    }
    if magic[3] != expected {
        return Err(IdxError::Dimensions {
            found: magic[3],
            expected,
            what,
        });
    }
    let dims = read_exact(input, 4 * usize::from(expected)).map_err(|(_, e)| e)?;
    Ok(dims
        .chunks_exact(4)
        .map(|d| u32::from_be_bytes([d[0], d[1], d[2], d[3]]) as usize)
        .collect())
}

/// The values after the header: exactly `declared` bytes, and nothing after them.
fn values(input: &mut dyn Read, declared: u64) -> Result<Vec<u8>, IdxError> {
    if declared > MAX_BYTES {
        return Err(IdxError::TooLarge(format!("{declared} bytes")));
    }
    let mut out = Vec::new();
    // One byte past the declared end tells a longer file apart.
    let got = input
        .take(declared + 1)
        .read_to_end(&mut out)
        .map_err(|e| IdxError::Gzip(e.to_string()))? as u64;
    match got.cmp(&declared) {
        std::cmp::Ordering::Less => Err(IdxError::Truncated {
            declared,
            found: got,
        }),
        std::cmp::Ordering::Greater => Err(IdxError::Trailing { declared }),
        std::cmp::Ordering::Equal => Ok(out),
    }
}

/// Parse an images file (3 dimensions).
pub fn images(bytes: &[u8]) -> Result<IdxImages, IdxError> {
    let mut input = reader(bytes);
    let dims = header(
        &mut input,
        3,
        "images: count, rows, columns",
        bytes.is_empty(),
    )?;
    let (count, rows, columns) = (dims[0], dims[1], dims[2]);
    if count > MAX_IMAGES {
        return Err(IdxError::TooLarge(format!("{count} images")));
    }
    if rows == 0 || columns == 0 || rows > MAX_SIDE || columns > MAX_SIDE {
        return Err(IdxError::TooLarge(format!(
            "images of {rows} × {columns} pixels (sides 1 to {MAX_SIDE} are read)"
        )));
    }
    let declared = (count * rows * columns) as u64;
    let pixels = values(&mut input, declared)?;
    Ok(IdxImages {
        count,
        rows,
        columns,
        pixels,
    })
}

/// Parse a labels file (1 dimension).
pub fn labels(bytes: &[u8]) -> Result<Vec<u8>, IdxError> {
    let mut input = reader(bytes);
    let dims = header(&mut input, 1, "labels: count", bytes.is_empty())?;
    if dims[0] > MAX_IMAGES {
        return Err(IdxError::TooLarge(format!("{} labels", dims[0])));
    }
    values(&mut input, dims[0] as u64)
}

/// An IDX file of `dims` holding `values` (for tests and tools that write data sets).
pub fn encode(dims: &[u32], values: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, UNSIGNED_BYTE, dims.len() as u8];
    for d in dims {
        out.extend(d.to_be_bytes());
    }
    out.extend(values);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = encoder.write_all(bytes);
        encoder.finish().unwrap_or_default()
    }

    #[test]
    fn raw_and_gzipped_files_round_trip() {
        let pixels: Vec<u8> = (0..2 * 3 * 4).map(|i| i as u8).collect();
        let file = encode(&[2, 3, 4], &pixels);
        for bytes in [file.clone(), gzip(&file)] {
            let parsed = images(&bytes).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((parsed.count, parsed.rows, parsed.columns), (2, 3, 4));
            assert_eq!(parsed.pixels, pixels);
        }
        let label_file = encode(&[3], &[7, 0, 9]);
        assert_eq!(labels(&gzip(&label_file)), Ok(vec![7, 0, 9]));
    }

    #[test]
    fn lying_and_damaged_headers_are_refused_before_allocating() {
        assert_eq!(images(&[]), Err(IdxError::Empty));
        assert!(matches!(
            images(b"\x1f\x8b\x08junk"),
            Err(IdxError::Gzip(_) | IdxError::ShortHeader)
        ));
        assert!(matches!(
            images(b"PK\x03\x04abcdefgh"),
            Err(IdxError::Magic(_))
        ));
        assert_eq!(images(&[0, 0, 0x0d, 3]), Err(IdxError::Type(0x0d)));
        assert!(matches!(
            images(&encode(&[3], &[1, 2, 3])),
            Err(IdxError::Dimensions { .. })
        ));
        // 60 000 × 28 × 28 declared over ten bytes of values.
        let liar = encode(&[60_000, 28, 28], &[0; 10]);
        assert_eq!(
            images(&liar),
            Err(IdxError::Truncated {
                declared: 60_000 * 784,
                found: 10
            })
        );
        assert!(matches!(
            images(&encode(&[u32::MAX, 1, 1], &[])),
            Err(IdxError::TooLarge(_))
        ));
        assert!(matches!(
            images(&encode(&[1, 70_000, 1], &[])),
            Err(IdxError::TooLarge(_))
        ));
        assert_eq!(
            images(&encode(&[1, 2, 2], &[0; 5])),
            Err(IdxError::Trailing { declared: 4 })
        );
        assert_eq!(images(&[0, 0, 8, 3, 0, 0]), Err(IdxError::ShortHeader));
    }
}
