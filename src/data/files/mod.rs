//! Data sets read from files. A path is examined ([`detect`]), decoded once into bytes
//! ([`load`], shared between runs through a cache keyed by the files' size and time, so a
//! Reset does not decode again) and sampled by seeded index draws ([`FileData`]), so runs on
//! file data resume exactly like runs on generated data.
//!
//! Formats read: MNIST-format IDX files (MNIST, Fashion-MNIST, EMNIST), raw or gzipped, with
//! their labels file; CIFAR-10 binary batches ([`cifar`]); image folders, flat or one
//! subfolder per class ([`folder`]). Images
//! are converted to the preset's channels (grey replicated to RGB)
//! and size: a source up to 8 px smaller is centred on a background of zero (MNIST's 28 px
//! digits in a 32 px frame, the usual DCGAN setup), a larger one is reduced by area
//! averaging, a much smaller one enlarged bilinearly.

pub mod cifar;
mod decode;
pub use decode::memory_limit;
pub mod folder;
pub mod idx;
pub mod paired;
pub mod photos;
mod resize;
mod source;
pub mod write;

pub use source::{FileData, Progress};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

/// The largest data file read whole.
const MAX_FILE_BYTES: u64 = 1 << 30;
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
    /// CIFAR-10 binary batches and their names file.
    Cifar {
        batches: Vec<PathBuf>,
        meta: Option<PathBuf>,
    },
    /// An image folder.
    Folder {
        root: PathBuf,
        listing: folder::Listing,
    },
}

impl Found {
    pub fn format(&self) -> &'static str {
        match self {
            Found::Idx { .. } => "idx",
            Found::Cifar { .. } => "cifar",
            Found::Folder { listing, .. } if listing.classes.is_empty() => "image folder",
            Found::Folder { .. } => "class folders",
        }
    }

    /// Every file the set is read from.
    fn files(&self) -> Vec<&Path> {
        match self {
            Found::Idx { images, labels } => std::iter::once(images.as_path())
                .chain(labels.as_deref())
                .collect(),
            Found::Cifar { batches, meta } => batches
                .iter()
                .map(PathBuf::as_path)
                .chain(meta.as_deref())
                .collect(),
            Found::Folder { listing, .. } => {
                listing.files.iter().map(|(f, _)| f.as_path()).collect()
            }
        }
    }

    /// The file (or folder) a decoded copy stands for.
    fn key(&self) -> &Path {
        match self {
            Found::Idx { images, .. } => images,
            Found::Cifar { batches, .. } => batches.first().map_or(Path::new(""), |b| b),
            Found::Folder { root, .. } => root,
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
    let name = images
        .file_name()?
        .to_str()?
        .replace("images-idx3", "labels-idx1");
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
        if cifar::is_batch(name) {
            let meta = path.with_file_name("batches.meta.txt");
            return Ok(Found::Cifar {
                batches: vec![path.to_path_buf()],
                meta: meta.is_file().then_some(meta),
            });
        }
        return Err(fail(
            path,
            "is not a data set ganscope reads (MNIST-format IDX images, named \
             …-images-idx3-ubyte or …-images-idx3-ubyte.gz, or a CIFAR-10 binary batch, \
             data_batch_N.bin); give a folder for images",
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
    if let Some(images) = names.into_iter().next() {
        return Ok(Found::Idx {
            labels: idx_labels(&images),
            images,
        });
    }
    let listed = |e: std::io::Error| fail(path, format!("cannot be listed: {e}"));
    if let Some((batches, meta)) = cifar::list(path).map_err(listed)? {
        return Ok(Found::Cifar { batches, meta });
    }
    match folder::list(path).map_err(listed)? {
        Some(listing) => Ok(Found::Folder {
            root: path.to_path_buf(),
            listing,
        }),
        None => Err(fail(
            path,
            "holds no data set ganscope reads: no MNIST-format IDX images \
             (…-images-idx3-ubyte[.gz]), no CIFAR-10 batches (data_batch_N.bin), and no \
             images (PNG, JPEG, BMP, WebP, GIF) in it or in its subfolders",
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
    /// The sizes (rows, columns) of the images in the files, the first few different ones.
    pub sizes: Vec<(usize, usize)>,
    /// Files left out, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
    /// The set's own test split, never trained on (IDX's `t10k-…` files, CIFAR's
    /// `test_batch.bin`), when it has one.
    pub held_out: Option<Box<ImageSet>>,
}

/// FNV-1a over `bytes`.
pub fn fnv(bytes: impl Iterator<Item = u8>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

impl ImageSet {
    /// A fingerprint of the decoded set: its size, classes, a spread of its bytes and labels.
    pub fn fingerprint(&self) -> u64 {
        let header = [self.count, self.channels, self.side, self.class_names.len()];
        fnv(header
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .chain(self.pixels.iter().step_by(997).copied())
            .chain(self.labels.iter().flatten().step_by(13).map(|&l| l as u8)))
    }

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

/// Each file's length and modification time: a set whose files changed is decoded again.
type Fingerprint = Vec<(u64, Option<std::time::SystemTime>)>;
/// What a decoded set is cached under: its path, side, channels (A's and B's for pairs).
type Key = (PathBuf, usize, usize, usize);
type Shared = Weak<dyn std::any::Any + Send + Sync>;
/// Decoded sets alive somewhere, with their files' fingerprint.
static DECODED: Mutex<Option<HashMap<Key, (Fingerprint, Shared)>>> = Mutex::new(None);

fn fingerprint(files: &[&Path]) -> Fingerprint {
    files
        .iter()
        .map(|f| std::fs::metadata(f).map_or((0, None), |m| (m.len(), m.modified().ok())))
        .collect()
}

/// The set cached under `key` if it is alive and its files unchanged, else `decode`'s,
/// cached.
fn cached<T: Send + Sync + 'static>(
    key: Key,
    print: Fingerprint,
    decode: impl FnOnce() -> Result<T, DataError>,
) -> Result<Arc<T>, DataError> {
    let mut cache = DECODED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some((seen, weak)) = cache.get(&key)
        && *seen == print
        && let Some(set) = weak.upgrade().and_then(|any| any.downcast::<T>().ok())
    {
        return Ok(set);
    }
    let set = Arc::new(decode()?);
    cache.retain(|_, (_, weak)| weak.strong_count() > 0);
    let shared: Arc<dyn std::any::Any + Send + Sync> = set.clone();
    cache.insert(key, (print, Arc::downgrade(&shared)));
    Ok(set)
}

/// The test split beside a training set, when there is one: `t10k-images-idx3-ubyte[.gz]`
/// (and its labels) beside `train-images-…`, or `test_batch.bin` beside `data_batch_*.bin`.
fn test_split(found: &Found) -> Option<Found> {
    match found {
        Found::Idx { images, .. } => {
            let name = images.file_name()?.to_str()?;
            if !name.starts_with("train") {
                return None;
            }
            let test = images.with_file_name(name.replacen("train", "t10k", 1));
            test.is_file().then(|| Found::Idx {
                labels: idx_labels(&test),
                images: test,
            })
        }
        Found::Cifar { batches, meta } => {
            let first = batches.first()?;
            if !first.to_string_lossy().contains("data_batch") {
                return None;
            }
            let test = first.with_file_name("test_batch.bin");
            test.is_file().then(|| Found::Cifar {
                batches: vec![test],
                meta: meta.clone(),
            })
        }
        Found::Folder { .. } => None,
    }
}

/// Open the data set at `path` as images of `channels` × `side`²: decoded once while any run
/// holds it.
pub fn load(path: &Path, side: usize, channels: usize) -> Result<Arc<ImageSet>, DataError> {
    load_with(path, side, channels, &Progress::default())
}

/// [`load`], reporting to (and stopping on) `progress`.
pub fn load_with(
    path: &Path,
    side: usize,
    channels: usize,
    progress: &Progress,
) -> Result<Arc<ImageSet>, DataError> {
    let found = detect(path)?;
    let key = (found.key().to_path_buf(), side, channels, 0);
    let test = test_split(&found);
    let mut files = found.files();
    files.extend(test.iter().flat_map(Found::files));
    let print = fingerprint(&files);
    cached(key, print, || {
        let mut set = decode::decode(found, side, channels, path, progress)?;
        if let Some(test) = test {
            let held = decode::decode(test, side, channels, path, &Progress::default())?;
            set.held_out = Some(Box::new(held));
        }
        Ok(set)
    })
}

/// Open the paired set at `path` (see [`paired`]) at `side` with A's and B's channels.
pub fn load_pairs(
    path: &Path,
    side: usize,
    source_channels: usize,
    target_channels: usize,
) -> Result<Arc<paired::PairSet>, DataError> {
    load_pairs_with(
        path,
        side,
        (source_channels, target_channels),
        &Progress::default(),
    )
}

/// [`load_pairs`], reporting to (and stopping on) `progress`.
pub fn load_pairs_with(
    path: &Path,
    side: usize,
    (source_channels, target_channels): (usize, usize),
    progress: &Progress,
) -> Result<Arc<paired::PairSet>, DataError> {
    let (layout, _) = paired::detect(path)?;
    let files = layout.files();
    let key = (path.to_path_buf(), side, source_channels, target_channels);
    cached(key, fingerprint(&files), || {
        paired::load(path, side, (source_channels, target_channels), progress)
    })
}

/// A decoded set of any kind, held to keep it in the cache.
pub type Held = Arc<dyn std::any::Any + Send + Sync>;

/// Read the data set `spec` names when it comes from files (into the cache, reporting to
/// `progress`), and hand it back to be held until a run holds it; `None` for generated sets.
pub fn read_for(
    spec: &crate::preset::DatasetSpec,
    progress: &Progress,
) -> Result<Option<Held>, DataError> {
    use crate::preset::DatasetSpec;
    Ok(match spec {
        DatasetSpec::Files {
            path,
            size,
            channels,
            ..
        } => Some(load_with(Path::new(path), *size, *channels, progress)? as Held),
        DatasetSpec::PairedFiles {
            path,
            size,
            source_channels,
            target_channels,
        } => {
            let channels = (*source_channels, *target_channels);
            Some(load_pairs_with(Path::new(path), *size, channels, progress)? as Held)
        }
        DatasetSpec::Photos { path, channels, .. } => {
            Some(photos::load_with(Path::new(path), *channels, progress)? as Held)
        }
        _ => None,
    })
}

/// Read a whole data file (regular files only, size-limited).
fn read(path: &Path) -> Result<Vec<u8>, DataError> {
    crate::files::read_limited(path, MAX_FILE_BYTES).map_err(|e| fail(path, e.to_string()))
}
