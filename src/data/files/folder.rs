//! Image folders: flat (unlabelled), or one subfolder per class (labels from the sorted
//! folder names). PNG, JPEG, BMP, WebP and GIF (its first frame) are decoded, in parallel,
//! with the decoder's limits set so that a header declaring enormous dimensions is refused
//! before any large allocation; 16-bit, grey, palette and alpha images are converted (alpha
//! composited over black). Files that cannot be used are skipped with the reason; symbolic
//! links are not followed (no loops), names need not be UTF-8.

use super::resize;
use rayon::prelude::*;
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Extensions taken as images (decoding decides what a file really is).
const EXTENSIONS: [&str; 6] = ["png", "jpg", "jpeg", "bmp", "webp", "gif"];
/// The largest side decoded.
const MAX_SIDE: u32 = 8192;
/// The largest image file read.
const MAX_IMAGE_BYTES: u64 = 64 << 20;
/// The most files one folder set may hold.
pub const MAX_FILES: usize = 2_000_000;

/// One decoded image (channels × side² bytes) with its source size (rows, columns), or why
/// the file cannot be used.
pub type Decoded = Result<(Vec<u8>, (usize, usize)), String>;

/// An image folder: its files with their class (folder) index, and the class names.
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    pub files: Vec<(PathBuf, Option<u32>)>,
    pub classes: Vec<String>,
}

/// Whether `path`'s extension is one of an image file ganscope reads.
pub fn is_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Regular files and real folders of `dir`, sorted by name (symbolic links left out).
fn entries(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_file() {
            files.push(entry.path());
        } else if kind.is_dir() {
            folders.push(entry.path());
        }
    }
    files.sort();
    folders.sort();
    Ok((files, folders))
}

/// The images of `dir`: its own image files (unlabelled) when it has any, else those of its
/// subfolders, one class each. `None` when there are none.
pub fn list(dir: &Path) -> std::io::Result<Option<Listing>> {
    let (files, folders) = entries(dir)?;
    let own: Vec<PathBuf> = files.into_iter().filter(|f| is_image(f)).collect();
    if !own.is_empty() {
        return Ok(Some(Listing {
            files: own.into_iter().take(MAX_FILES).map(|f| (f, None)).collect(),
            classes: Vec::new(),
        }));
    }
    let mut listing = Listing {
        files: Vec::new(),
        classes: Vec::new(),
    };
    for folder in folders {
        let Ok((files, _)) = entries(&folder) else {
            continue;
        };
        let images: Vec<PathBuf> = files.into_iter().filter(|f| is_image(f)).collect();
        if images.is_empty() {
            continue;
        }
        let class = listing.classes.len() as u32;
        let name = folder.file_name().map_or_else(
            || format!("class {class}"),
            |n| n.to_string_lossy().into_owned(),
        );
        listing.classes.push(name);
        let room = MAX_FILES.saturating_sub(listing.files.len());
        listing
            .files
            .extend(images.into_iter().take(room).map(|f| (f, Some(class))));
    }
    Ok((!listing.files.is_empty()).then_some(listing))
}

/// One image file decoded to `channels` × `side`², with its source size.
pub fn decode_file(path: &Path, side: usize, channels: usize) -> Decoded {
    let bytes = read(path)?;
    decode_bytes(&bytes, side, channels)
}

/// An image file's bytes (regular files only, size-limited).
pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    crate::files::read_limited(path, MAX_IMAGE_BYTES).map_err(|e| e.to_string())
}

/// The image file at `path` at its own size as `channels` planes (channel-major) of values
/// in [-1, 1], with its height and width; errors name the file.
pub fn read_values(path: &Path, channels: usize) -> Result<(Vec<f32>, usize, usize), String> {
    let named = |e: String| format!("{}: {e}", path.display());
    let bytes = read(path).map_err(named)?;
    let (planes, height, width) = planes(&bytes, channels).map_err(named)?;
    let values = planes
        .iter()
        .flatten()
        .map(|&v| f32::from(v) / 127.5 - 1.0)
        .collect();
    Ok((values, height, width))
}

/// [`decode_file`] on bytes already read.
pub fn decode_bytes(bytes: &[u8], side: usize, channels: usize) -> Decoded {
    let (planes, h, w) = planes(bytes, channels)?;
    let mut out = Vec::with_capacity(channels * side * side);
    for plane in &planes {
        out.extend(resize::fit(plane, h, w, side));
    }
    Ok((out, (h, w)))
}

/// An image's pixels as `channels` planes (grey, or RGB; alpha composited over black), with
/// its height and width.
pub fn planes(bytes: &[u8], channels: usize) -> Result<(Vec<Vec<u8>>, usize, usize), String> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("not readable: {e}"))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 << 20);
    reader.limits(limits);
    if reader.format().is_none() {
        return Err("not an image in a format ganscope reads (PNG, JPEG, BMP, WebP, GIF)".into());
    }
    let image = reader
        .decode()
        .map_err(|e| format!("cannot be decoded: {e}"))?;
    let rgba = image.to_rgba8();
    let (w, h) = (rgba.width() as usize, rgba.height() as usize);
    if w == 0 || h == 0 {
        return Err("has no pixels".into());
    }
    // Alpha over black, then grey (Rec. 601) or RGB planes.
    let composite = |p: &image::Rgba<u8>, c: usize| u16::from(p[c]) * u16::from(p[3]) / 255;
    let planes: Vec<Vec<u8>> = if channels == 1 {
        vec![
            rgba.pixels()
                .map(|p| {
                    let (r, g, b) = (composite(p, 0), composite(p, 1), composite(p, 2));
                    ((299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000) as u8
                })
                .collect(),
        ]
    } else {
        (0..3)
            .map(|c| rgba.pixels().map(|p| composite(p, c) as u8).collect())
            .collect()
    };
    Ok((planes, h, w))
}

/// Decode every file of `listing` in parallel, counting each on `progress` and skipping the
/// rest once it is cancelled; failures are returned with their reasons.
pub fn decode_all(
    listing: &Listing,
    side: usize,
    channels: usize,
    progress: &super::Progress,
) -> Vec<Decoded> {
    listing
        .files
        .par_iter()
        .map(|(path, _)| {
            if progress.cancelled() {
                return Err("cancelled".into());
            }
            let decoded = decode_file(path, side, channels);
            progress.advance(1);
            decoded
        })
        .collect()
}
