//! Data sets read from files. A path is examined ([`detect`]), decoded once into bytes
//! ([`load`], shared between runs through a cache keyed by the files' size and time, so a
//! Reset does not decode again) and sampled by seeded index draws ([`FileData`]), so runs on
//! file data resume exactly like runs on generated data.
//!
//! Formats read: MNIST-format IDX files (MNIST, Fashion-MNIST, EMNIST), raw or gzipped, with
//! their labels file. Images are converted to the preset's channels (grey replicated to RGB)
//! and size: a source up to 8 px smaller is centred on a background of zero (MNIST's 28 px
//! digits in a 32 px frame, the usual DCGAN setup), a larger one is reduced by area
//! averaging, a much smaller one enlarged bilinearly.

pub mod idx;
mod resize;

use super::{DataSource, HostBatch, SampleShape};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

/// The largest data file read whole.
const MAX_FILE_BYTES: u64 = 1 << 30;

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

/// Why a data set could not be opened: the file (or folder) and the problem.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{path}: {problem}")]
    File { path: String, problem: String },
}

fn fail(path: &Path, problem: impl Into<String>) -> DataError {
    DataError::File {
        path: path.display().to_string(),
        problem: problem.into(),
    }
}

/// What a path holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Found {
    /// An IDX images file and, when found beside it, its labels file.
    Idx {
        images: PathBuf,
        labels: Option<PathBuf>,
    },
}

impl Found {
    pub fn format(&self) -> &'static str {
        match self {
            Found::Idx { .. } => "idx",
        }
    }
}

/// Whether a file name is an IDX images file (`…-images-idx3-ubyte`, optionally `.gz`).
fn is_idx_images(name: &str) -> bool {
    name.contains("idx3-ubyte")
}

/// The labels file that goes with an IDX images file, if it is there (compressed or not,
/// whichever the images are).
fn idx_labels(images: &Path) -> Option<PathBuf> {
    let name = images.file_name()?.to_str()?.replace("images-idx3", "labels-idx1");
    let plain = name.trim_end_matches(".gz").to_string();
    [name, format!("{plain}.gz"), plain]
        .into_iter()
        .map(|candidate| images.with_file_name(candidate))
        .find(|candidate| candidate != images && candidate.is_file())
}

/// Examine `path`: which format it holds and which files make it up.
pub fn detect(path: &Path) -> Result<Found, DataError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        let hint = if path.starts_with("/usr/share/datasets") {
            " (Debian ships it: sudo apt-get install dataset-fashion-mnist)"
        } else {
            ""
        };
        fail(path, format!("cannot be read: {e}{hint}"))
    })?;
    if meta.is_file() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if is_idx_images(name) {
            return Ok(Found::Idx {
                images: path.to_path_buf(),
                labels: idx_labels(path),
            });
        }
        return Err(fail(
            path,
            "is not a data set ganscope reads (MNIST-format IDX images, named \
             …-images-idx3-ubyte or …-images-idx3-ubyte.gz)",
        ));
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| fail(path, format!("cannot be listed: {e}")))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_idx_images)
                && p.is_file()
        })
        .collect();
    // The training split first, then by name.
    names.sort_by_key(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
        (!name.as_deref().unwrap_or("").starts_with("train"), name)
    });
    match names.into_iter().next() {
        Some(images) => Ok(Found::Idx {
            labels: idx_labels(&images),
            images,
        }),
        None => Err(fail(
            path,
            "holds no data set ganscope reads: no MNIST-format IDX images \
             (…-images-idx3-ubyte[.gz]) in it",
        )),
    }
}

/// A decoded data set: `count` images of `channels` × `side`², bytes channel-major, with
/// labels and class names when it has them.
#[derive(Debug)]
pub struct ImageSet {
    pub found: Found,
    pub count: usize,
    pub channels: usize,
    pub side: usize,
    pub pixels: Vec<u8>,
    pub labels: Option<Vec<u32>>,
    pub class_names: Vec<String>,
    /// The sides of the images in the files (rows, columns).
    pub source_size: (usize, usize),
}

impl ImageSet {
    /// Images per class, for a labelled set.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.class_names.len()];
        for &label in self.labels.iter().flatten() {
            if let Some(c) = counts.get_mut(label as usize) {
                *c += 1;
            }
        }
        counts
    }
}

/// Decoded sets alive somewhere, by (images file, side, channels), with the file's
/// (length, modification time) when decoded.
type Cache =
    HashMap<(PathBuf, usize, usize), ((u64, Option<std::time::SystemTime>), Weak<ImageSet>)>;
static DECODED: Mutex<Option<Cache>> = Mutex::new(None);

/// The file's length and modification time (a changed file is decoded again).
fn fingerprint(path: &Path) -> (u64, Option<std::time::SystemTime>) {
    std::fs::metadata(path).map_or((0, None), |m| (m.len(), m.modified().ok()))
}

/// Open the data set at `path` as images of `channels` × `side`²: decoded once while any run
/// holds it.
pub fn load(path: &Path, side: usize, channels: usize) -> Result<Arc<ImageSet>, DataError> {
    let found = detect(path)?;
    let Found::Idx { images, .. } = &found;
    let key = (images.clone(), side, channels);
    let print = fingerprint(images);
    let mut cache = DECODED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some((seen, weak)) = cache.get(&key)
        && *seen == print
        && let Some(set) = weak.upgrade()
    {
        return Ok(set);
    }
    let set = Arc::new(decode(found, side, channels, path)?);
    cache.retain(|_, (_, weak)| weak.strong_count() > 0);
    cache.insert(key, (print, Arc::downgrade(&set)));
    Ok(set)
}

/// Read a whole data file (regular files only, size-limited).
fn read(path: &Path) -> Result<Vec<u8>, DataError> {
    crate::files::read_limited(path, MAX_FILE_BYTES).map_err(|e| fail(path, e.to_string()))
}

fn decode(found: Found, side: usize, channels: usize, path: &Path) -> Result<ImageSet, DataError> {
    let Found::Idx { images, labels } = &found;
    let parsed = idx::images(&read(images)?).map_err(|e| fail(images, e.to_string()))?;
    if parsed.count == 0 {
        return Err(fail(images, "holds no images"));
    }
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
        source_size: (parsed.rows, parsed.columns),
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

/// Seeded batches from a decoded set: each sample an index drawn uniformly.
pub struct FileData {
    set: Arc<ImageSet>,
    rng: StdRng,
}

impl FileData {
    pub fn new(set: Arc<ImageSet>, seed: u64) -> FileData {
        FileData {
            set,
            rng: StdRng::seed_from_u64(seed),
        }
    }
}

impl DataSource for FileData {
    fn shape(&self) -> SampleShape {
        SampleShape::Image {
            channels: self.set.channels,
            height: self.set.side,
            width: self.set.side,
        }
    }

    fn batch(&mut self, n: usize) -> HostBatch {
        let features = self.shape().numel();
        let mut x = Vec::with_capacity(n * features);
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let i = self.rng.random_range(0..self.set.count);
            let image = &self.set.pixels[i * features..(i + 1) * features];
            x.extend(image.iter().map(|&v| f32::from(v) / 127.5 - 1.0));
            if let Some(l) = &self.set.labels {
                labels.push(l[i]);
            }
        }
        HostBatch {
            n,
            x,
            labels: self.set.labels.as_ref().map(|_| labels),
            source: None,
        }
    }

    fn class_names(&self) -> Vec<String> {
        self.set.class_names.clone()
    }

    fn reseed(&mut self, seed: u64) {
        self.rng = StdRng::seed_from_u64(seed);
    }
}
