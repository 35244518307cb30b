//! Decoding a detected data set into an [`ImageSet`]: IDX, CIFAR and folder sets, each
//! checked against the memory limit before the bulk of it is decoded.

use super::{DataError, Found, ImageSet, Progress, cifar, fail, folder, idx, read, resize};
use std::path::{Path, PathBuf};

/// Decoded bytes a data set may take by default (`GANSCOPE_DATA_LIMIT_MB` changes it).
const DEFAULT_LIMIT_MB: u64 = 4096;

/// The most decoded bytes a data set may take.
pub fn memory_limit() -> u64 {
    std::env::var("GANSCOPE_DATA_LIMIT_MB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(DEFAULT_LIMIT_MB)
        .saturating_mul(1 << 20)
}

/// Refuse a set of `count` images of `channels` × `side`² that would exceed the limit.
fn within_limit(path: &Path, count: usize, channels: usize, side: usize) -> Result<(), DataError> {
    let bytes = (count as u64).saturating_mul((channels * side * side) as u64);
    let limit = memory_limit();
    if bytes > limit {
        return Err(fail(
            path,
            format!(
                "would take {} MB decoded ({count} images of {channels} × {side} × {side}), more \
                 than the limit of {} MB (set GANSCOPE_DATA_LIMIT_MB to change it)",
                bytes >> 20,
                limit >> 20
            ),
        ));
    }
    Ok(())
}

/// Fashion-MNIST's classes, in label order.
pub const FASHION_NAMES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

pub(super) fn decode(
    found: Found,
    side: usize,
    channels: usize,
    path: &Path,
    progress: &Progress,
) -> Result<ImageSet, DataError> {
    let set = match &found {
        Found::Idx { images, labels } => {
            let (images, labels) = (images.clone(), labels.clone());
            decode_idx(found, &images, labels.as_deref(), side, channels, path)
        }
        Found::Cifar { batches, meta } => {
            let (batches, meta) = (batches.clone(), meta.clone());
            decode_cifar(found, &batches, meta.as_deref(), side, channels)
        }
        Found::Folder { listing, .. } => {
            let listing = listing.clone();
            progress.set_total(listing.files.len());
            decode_folder(found, &listing, side, channels, path, progress)
        }
    }?;
    if progress.cancelled() {
        return Err(fail(path, "reading was cancelled"));
    }
    progress.set_total(set.count);
    progress.advance(set.count.saturating_sub(progress.done_of().0));
    Ok(set)
}

fn decode_cifar(
    found: Found,
    batches: &[PathBuf],
    meta: Option<&Path>,
    side: usize,
    channels: usize,
) -> Result<ImageSet, DataError> {
    let mut labels = Vec::new();
    let mut raw = Vec::new();
    for batch in batches {
        let (l, images) = cifar::parse(&read(batch)?).map_err(|e| fail(batch, e))?;
        within_limit(batch, labels.len() + l.len(), channels, side)?;
        labels.extend(l);
        raw.extend(images);
    }
    let mut class_names = match meta {
        Some(file) => {
            let bytes = read(file)?;
            cifar::names(&String::from_utf8_lossy(&bytes))
        }
        None => Vec::new(),
    };
    let classes = labels.iter().max().map_or(0, |m| usize::from(*m) + 1);
    if class_names.is_empty() {
        class_names = (0..classes).map(|k| format!("class {k}")).collect();
    }
    let first = batches.first().map_or(Path::new(""), |b| b.as_path());
    if let Some((i, label)) = labels
        .iter()
        .enumerate()
        .find(|(_, l)| usize::from(**l) >= class_names.len())
    {
        return Err(fail(
            meta.unwrap_or(first),
            format!(
                "label {label} of image {i} is out of range for its {} class names",
                class_names.len()
            ),
        ));
    }
    let (plane, source) = (side * side, cifar::SIDE * cifar::SIDE);
    let mut pixels = Vec::with_capacity(labels.len() * channels * plane);
    for image in raw.chunks_exact(3 * source) {
        if channels == 1 {
            let grey: Vec<u8> = (0..source)
                .map(|i| {
                    let [r, g, b] = [0, 1, 2].map(|c| u32::from(image[c * source + i]));
                    ((299 * r + 587 * g + 114 * b) / 1000) as u8
                })
                .collect();
            pixels.extend(resize::fit(&grey, cifar::SIDE, cifar::SIDE, side));
        } else {
            for c in 0..3 {
                let plane_bytes = &image[c * source..(c + 1) * source];
                pixels.extend(resize::fit(plane_bytes, cifar::SIDE, cifar::SIDE, side));
            }
        }
    }
    Ok(ImageSet {
        count: labels.len(),
        channels,
        side,
        pixels,
        labels: Some(labels.into_iter().map(u32::from).collect()),
        class_names,
        sizes: vec![(cifar::SIDE, cifar::SIDE)],
        skipped: Vec::new(),
        held_out: None,
        found,
    })
}

/// The first file skipped and why, as a clause to end an error with ("" when none was).
pub(super) fn first_skipped(skipped: &[(PathBuf, String)]) -> String {
    skipped
        .first()
        .map(|(f, why)| format!(" ({}: {why})", f.display()))
        .unwrap_or_default()
}

/// The most different source sizes kept for the report.
const SIZES_SHOWN: usize = 8;

fn decode_folder(
    found: Found,
    listing: &folder::Listing,
    side: usize,
    channels: usize,
    path: &Path,
    progress: &Progress,
) -> Result<ImageSet, DataError> {
    within_limit(path, listing.files.len(), channels, side)?;
    let decoded = folder::decode_all(listing, side, channels, progress);
    if progress.cancelled() {
        return Err(fail(path, "reading was cancelled"));
    }
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    let mut sizes = Vec::new();
    let mut skipped = Vec::new();
    for ((file, label), outcome) in listing.files.iter().zip(decoded) {
        match outcome {
            Ok((image, size)) => {
                pixels.extend(image);
                labels.extend(*label);
                if sizes.len() < SIZES_SHOWN && !sizes.contains(&size) {
                    sizes.push(size);
                }
            }
            Err(reason) => skipped.push((file.clone(), reason)),
        }
    }
    let count = pixels.len() / (channels * side * side).max(1);
    if count == 0 {
        let first = first_skipped(&skipped);
        return Err(fail(
            path,
            format!(
                "none of its {} image files could be used{first}",
                listing.files.len()
            ),
        ));
    }
    let labelled = !listing.classes.is_empty();
    let features = channels * side * side;
    let set = |pixels: Vec<u8>, labels: Vec<u32>, sizes, skipped, held_out| ImageSet {
        count: pixels.len() / features.max(1),
        channels,
        side,
        pixels,
        labels: labelled.then_some(labels),
        class_names: listing.classes.clone(),
        sizes,
        skipped,
        held_out,
        found: found.clone(),
    };
    let ((pixels, labels), held) = split_folder(pixels, labels, features);
    let held_out = held.map(|(p, l)| Box::new(set(p, l, Vec::new(), Vec::new(), None)));
    Ok(set(pixels, labels, sizes, skipped, held_out))
}

/// The fewest usable images a folder needs before a tenth of it is held out.
const SPLIT_FROM: usize = 20;

/// Images and labels (one label per image when labelled, else none) split into the trained
/// part and, for a folder of at least [`SPLIT_FROM`] images, every tenth image (in file
/// order, so every class gives its share) held out.
fn split_folder(pixels: Vec<u8>, labels: Vec<u32>, features: usize) -> SplitSet {
    let count = pixels.len() / features.max(1);
    if count < SPLIT_FROM {
        return ((pixels, labels), None);
    }
    let (mut train, mut held) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
    for (i, image) in pixels.chunks_exact(features).enumerate() {
        let side = if i % 10 == 9 { &mut held } else { &mut train };
        side.0.extend_from_slice(image);
        side.1.extend(labels.get(i));
    }
    (train, Some(held))
}

/// (trained pixels, labels) and the held-out (pixels, labels), if any.
type SplitSet = ((Vec<u8>, Vec<u32>), Option<(Vec<u8>, Vec<u32>)>);

fn decode_idx(
    found: Found,
    images: &Path,
    labels: Option<&Path>,
    side: usize,
    channels: usize,
    path: &Path,
) -> Result<ImageSet, DataError> {
    let parsed = idx::images(&read(images)?).map_err(|e| fail(images, e.to_string()))?;
    if parsed.count == 0 {
        return Err(fail(images, "holds no images"));
    }
    within_limit(images, parsed.count, channels, side)?;
    let labels = match labels {
        Some(file) => {
            let values = idx::labels(&read(file)?).map_err(|e| fail(file, e.to_string()))?;
            if values.len() != parsed.count {
                return Err(fail(
                    file,
                    format!(
                        "has {} labels for the {} images of {}",
                        values.len(),
                        parsed.count,
                        images.display()
                    ),
                ));
            }
            Some(values)
        }
        None => None,
    };
    let class_names = class_names(path, labels.as_deref());
    if let Some((i, label)) = labels
        .iter()
        .flatten()
        .enumerate()
        .find(|(_, l)| usize::from(**l) >= class_names.len())
    {
        return Err(fail(
            path,
            format!(
                "label {label} of image {i} is out of range for its {} classes",
                class_names.len()
            ),
        ));
    }
    let plane = side * side;
    let source = parsed.rows * parsed.columns;
    let mut pixels = vec![0u8; parsed.count * channels * plane];
    for (i, image) in parsed.pixels.chunks_exact(source).enumerate() {
        let fitted = resize::fit(image, parsed.rows, parsed.columns, side);
        let out = &mut pixels[i * channels * plane..(i + 1) * channels * plane];
        for c in 0..channels {
            out[c * plane..(c + 1) * plane].copy_from_slice(&fitted);
        }
    }
    Ok(ImageSet {
        count: parsed.count,
        channels,
        side,
        pixels,
        labels: labels.map(|l| l.into_iter().map(u32::from).collect()),
        class_names,
        sizes: vec![(parsed.rows, parsed.columns)],
        skipped: Vec::new(),
        held_out: None,
        found,
    })
}

/// Class names: Fashion-MNIST's when the path says so; digits for ten classes or fewer;
/// otherwise "class k". Unlabelled sets have none.
fn class_names(path: &Path, labels: Option<&[u8]>) -> Vec<String> {
    let Some(labels) = labels else {
        return Vec::new();
    };
    let count = labels.iter().max().map_or(0, |m| usize::from(*m) + 1);
    let text = path.to_string_lossy().to_lowercase();
    if text.contains("fashion") {
        return FASHION_NAMES.iter().map(|n| n.to_string()).collect();
    }
    if count <= 10 {
        return (0..10).map(|d| d.to_string()).collect();
    }
    (0..count).map(|k| format!("class {k}")).collect()
}
