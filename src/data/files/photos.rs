//! Photographs at their own size, for super-resolution: a folder of photos is decoded once at
//! full resolution (photos longer than [`MAX_PHOTO_SIDE`] are reduced by an integer factor,
//! by area averaging) and each training sample is a random square crop of one photo, in one
//! of the 8 flips and quarter turns, so a dozen photos give millions of different samples,
//! and the trained network works on any photo size.
//!
//! Some photos are held out, never cropped for training: those the preset names (`held_out`,
//! file names without extension), or, when it names none, every fifth photo in name order
//! (the 5th, 10th, …; the last one of a folder of 2 to 4). The held-out crops that measure a run are fixed positions in those
//! photos, drawn once from a seed of their own.

use super::{DataError, Progress, cached, fail, fingerprint, folder};
use crate::data::{DataSource, HostBatch, SampleShape};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The longest side a photo keeps; longer photos are reduced by the smallest integer factor
/// that brings them within it.
pub const MAX_PHOTO_SIDE: usize = 2048;
/// Keys the held-out crops' positions.
const HELD_OUT_SEED: u64 = 0x484f_4c44_4f55_5431;

/// One decoded photo: `channels` planes of `height` × `width` bytes.
#[derive(Debug)]
pub struct Photo {
    /// The file name without its extension.
    pub name: String,
    pub height: usize,
    pub width: usize,
    pub pixels: Vec<u8>,
    /// By how much it was reduced to fit [`MAX_PHOTO_SIDE`] (1: not at all).
    pub reduced: usize,
}

/// Every usable photo of a folder, in name order, with the files left out and why.
#[derive(Debug)]
pub struct PhotoSet {
    pub root: PathBuf,
    pub channels: usize,
    pub photos: Vec<Photo>,
    pub skipped: Vec<(PathBuf, String)>,
}

/// `plane` (`h` × `w`) reduced `k`-fold by the mean of each `k` × `k` block (the ragged
/// right and bottom edges dropped).
fn reduce(plane: &[u8], h: usize, w: usize, k: usize) -> Vec<u8> {
    let (oh, ow) = (h / k, w / k);
    let mut out = Vec::with_capacity(oh * ow);
    for y in 0..oh {
        for x in 0..ow {
            let mut sum = 0u32;
            for dy in 0..k {
                let row = &plane[(y * k + dy) * w + x * k..][..k];
                sum += row.iter().map(|&v| u32::from(v)).sum::<u32>();
            }
            out.push(((sum + (k * k / 2) as u32) / (k * k) as u32) as u8);
        }
    }
    out
}

fn decode_photo(path: &Path, channels: usize) -> Result<Photo, String> {
    let bytes = folder::read(path)?;
    let (planes, h, w) = folder::planes(&bytes, channels)?;
    let k = h.max(w).div_ceil(MAX_PHOTO_SIDE).max(1);
    let pixels: Vec<u8> = if k == 1 {
        planes.concat()
    } else {
        planes.iter().flat_map(|p| reduce(p, h, w, k)).collect()
    };
    let name = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    Ok(Photo {
        name,
        height: h / k,
        width: w / k,
        pixels,
        reduced: k,
    })
}

/// Decode the photos of the folder `path` (its own image files, or those of its subfolders)
/// with `channels` (1 grey, 3 RGB), refusing a set over the data memory limit.
pub fn decode(path: &Path, channels: usize, progress: &Progress) -> Result<PhotoSet, DataError> {
    decode_within(path, channels, progress, super::memory_limit())
}

/// [`decode`] with a limit of `limit` decoded bytes.
pub fn decode_within(
    path: &Path,
    channels: usize,
    progress: &Progress,
    limit: u64,
) -> Result<PhotoSet, DataError> {
    let listing = folder::list(path)
        .map_err(|e| fail(path, format!("cannot be read: {e}")))?
        .ok_or_else(|| fail(path, "holds no image files (PNG, JPEG, BMP, WebP, GIF)"))?;
    progress.set_total(listing.files.len());
    // Decoded bytes kept so far: decoding stops as soon as they pass the limit, before the
    // rest of the folder is read into memory.
    let kept = AtomicU64::new(0);
    let over = || kept.load(Ordering::Relaxed) > limit;
    let decoded: Vec<Result<Photo, String>> = listing
        .files
        .par_iter()
        .map(|(file, _)| {
            if progress.cancelled() || over() {
                return Err("not read".into());
            }
            let photo = decode_photo(file, channels);
            if let Ok(photo) = &photo {
                kept.fetch_add(photo.pixels.len() as u64, Ordering::Relaxed);
            }
            progress.advance(1);
            photo
        })
        .collect();
    if progress.cancelled() {
        return Err(fail(path, "reading was cancelled"));
    }
    if over() {
        return Err(fail(
            path,
            format!(
                "its photos take more than the limit of {} MB decoded (set \
                 GANSCOPE_DATA_LIMIT_MB to change it)",
                limit >> 20
            ),
        ));
    }
    let (mut photos, mut skipped) = (Vec::new(), Vec::new());
    for ((file, _), outcome) in listing.files.iter().zip(decoded) {
        match outcome {
            Ok(photo) => photos.push(photo),
            Err(why) => skipped.push((file.clone(), why)),
        }
    }
    if photos.is_empty() {
        let first = super::decode::first_skipped(&skipped);
        return Err(fail(
            path,
            format!("none of its photos could be used{first}"),
        ));
    }
    Ok(PhotoSet {
        root: path.to_path_buf(),
        channels,
        photos,
        skipped,
    })
}

/// Open the folder of photos at `path` at full size with `channels` (the module doc).
pub fn load(path: &Path, channels: usize) -> Result<Arc<PhotoSet>, DataError> {
    load_with(path, channels, &Progress::default())
}

/// [`load`], reporting to (and stopping on) `progress`. Cached under side 0, which
/// no set of fitted images has.
pub fn load_with(
    path: &Path,
    channels: usize,
    progress: &Progress,
) -> Result<Arc<PhotoSet>, DataError> {
    if !path.is_dir() {
        return Err(fail(
            path,
            "is not a folder of photos: choose one with Open data... (or train --data PATH); \
             the README shows how to make the sample folder from scikit-image's photos",
        ));
    }
    let listing = folder::list(path)
        .map_err(|e| fail(path, format!("cannot be read: {e}")))?
        .unwrap_or(folder::Listing {
            files: Vec::new(),
            classes: Vec::new(),
        });
    let files: Vec<&Path> = listing.files.iter().map(|(f, _)| f.as_path()).collect();
    let key = (path.to_path_buf(), 0, channels, 0);
    cached(key, fingerprint(&files), || {
        decode(path, channels, progress)
    })
}

/// Which photos are held out: those named in `names`, or every fifth when `names` is empty
/// (the last of 2 to 4 photos). Errs when a named photo is missing, or when no photo would be left to train on or to hold
/// out.
pub fn split(set: &PhotoSet, names: &[String]) -> Result<Vec<bool>, String> {
    let n = set.photos.len();
    let held: Vec<bool> = if names.is_empty() {
        (0..n)
            .map(|i| i % 5 == 4 || (n < 5 && i == n - 1))
            .collect()
    } else {
        if let Some(missing) = names
            .iter()
            .find(|n| !set.photos.iter().any(|p| &p.name == *n))
        {
            return Err(format!(
                "has no photo named {missing:?} to hold out (names are file names without \
                 their extension)"
            ));
        }
        set.photos.iter().map(|p| names.contains(&p.name)).collect()
    };
    let count = held.iter().filter(|&&h| h).count();
    if count == n {
        return Err(format!(
            "has {n} photo(s), all held out: at least 2 are needed, one to train on and one \
             to measure on"
        ));
    }
    if count == 0 {
        return Err("holds out no photo: name one in the preset (held_out = [\"name\"])".into());
    }
    Ok(held)
}

/// Seeded square crops of a [`PhotoSet`]'s training photos, with fixed held-out crops.
pub struct PhotoCrops {
    set: Arc<PhotoSet>,
    side: usize,
    /// Indices of the training photos the crop fits in, with cumulative crop positions (a
    /// photo is drawn in proportion to its number of crops).
    train: Vec<(usize, u64)>,
    held: Vec<usize>,
    rng: StdRng,
}

impl PhotoCrops {
    /// Crops of `side` from `set`, holding out the photos `held_out` names (see [`split`]).
    pub fn new(
        set: Arc<PhotoSet>,
        side: usize,
        held_out: &[String],
        seed: u64,
    ) -> Result<PhotoCrops, DataError> {
        let held_flags = split(&set, held_out).map_err(|e| fail(&set.root, e))?;
        let fits = |p: &Photo| p.height >= side && p.width >= side;
        let (mut train, mut held, mut total) = (Vec::new(), Vec::new(), 0u64);
        for (i, photo) in set.photos.iter().enumerate().filter(|(_, p)| fits(p)) {
            if held_flags[i] {
                held.push(i);
            } else {
                total += ((photo.height - side + 1) * (photo.width - side + 1)) as u64;
                train.push((i, total));
            }
        }
        if train.is_empty() || held.is_empty() {
            let which = if train.is_empty() {
                "training"
            } else {
                "held-out"
            };
            return Err(fail(
                &set.root,
                format!("none of its {which} photos is at least {side} × {side} pixels"),
            ));
        }
        Ok(PhotoCrops {
            set,
            side,
            train,
            held,
            rng: StdRng::seed_from_u64(seed),
        })
    }

    /// The crop of photo `index` at (`top`, `left`) in transform `turn` (bit 0: mirror,
    /// bits 1–2: quarter turns), as floats in [-1, 1], appended to `out`.
    fn crop(&self, index: usize, top: usize, left: usize, turn: u8, out: &mut Vec<f32>) {
        let photo = &self.set.photos[index];
        let (s, plane) = (self.side, photo.height * photo.width);
        for c in 0..self.set.channels {
            let pixels = &photo.pixels[c * plane..(c + 1) * plane];
            for y in 0..s {
                for x in 0..s {
                    let (mut u, mut v) = if turn & 1 == 1 {
                        (y, s - 1 - x)
                    } else {
                        (y, x)
                    };
                    for _ in 0..(turn >> 1) {
                        (u, v) = (v, s - 1 - u);
                    }
                    let value = pixels[(top + u) * photo.width + left + v];
                    out.push(f32::from(value) / 127.5 - 1.0);
                }
            }
        }
    }

    /// The names of the held-out photos.
    pub fn held_out_names(&self) -> Vec<&str> {
        let photos = &self.set.photos;
        self.held.iter().map(|&i| photos[i].name.as_str()).collect()
    }
}

impl DataSource for PhotoCrops {
    fn shape(&self) -> SampleShape {
        SampleShape::Image {
            channels: self.set.channels,
            height: self.side,
            width: self.side,
        }
    }

    fn batch(&mut self, n: usize) -> HostBatch {
        let total = self.train.last().map_or(1, |t| t.1);
        let mut x = Vec::with_capacity(n * self.shape().numel());
        for _ in 0..n {
            let at = self.rng.random_range(0..total);
            let slot = self.train.partition_point(|t| t.1 <= at);
            let index = self.train[slot].0;
            let photo = &self.set.photos[index];
            let top = self.rng.random_range(0..=photo.height - self.side);
            let left = self.rng.random_range(0..=photo.width - self.side);
            let turn = self.rng.random_range(0..8u8);
            self.crop(index, top, left, turn, &mut x);
        }
        HostBatch {
            n,
            x,
            labels: None,
            source: None,
        }
    }

    /// `n` crops from the held-out photos, taken in turn, at positions fixed by their own
    /// seed (the same for every run on this folder).
    fn held_out(&self, n: usize) -> Option<HostBatch> {
        let mut rng = StdRng::seed_from_u64(HELD_OUT_SEED);
        let mut x = Vec::with_capacity(n * self.shape().numel());
        for k in 0..n {
            let index = self.held[k % self.held.len()];
            let photo = &self.set.photos[index];
            let top = rng.random_range(0..=photo.height - self.side);
            let left = rng.random_range(0..=photo.width - self.side);
            self.crop(index, top, left, 0, &mut x);
        }
        Some(HostBatch {
            n,
            x,
            labels: None,
            source: None,
        })
    }

    fn identity(&self) -> Option<String> {
        let set = &self.set;
        let print = super::fnv(set.photos.iter().flat_map(|p| {
            [p.height, p.width]
                .into_iter()
                .flat_map(|v| v.to_le_bytes())
                .chain(p.pixels.iter().step_by(997).copied())
        }));
        Some(format!(
            "photos at {}: {} photos, held out {}, fingerprint {print:016x}",
            set.root.display(),
            set.photos.len(),
            self.held_out_names().join(", ")
        ))
    }

    fn notice(&self) -> Option<String> {
        let set = &self.set;
        let mut notes = vec![format!(
            "held out for measuring: {}",
            self.held_out_names().join(", ")
        )];
        let small = set.photos.len() - self.train.len() - self.held.len();
        if small > 0 {
            notes.push(format!(
                "{small} photo(s) smaller than the crop are not used"
            ));
        }
        let reduced = set.photos.iter().filter(|p| p.reduced > 1).count();
        if reduced > 0 {
            notes.push(format!(
                "{reduced} photo(s) longer than {MAX_PHOTO_SIDE} px were reduced by area \
                 averaging"
            ));
        }
        if let Some((file, why)) = set.skipped.first() {
            notes.push(format!(
                "{} file(s) skipped (first: {}: {why})",
                set.skipped.len(),
                file.display()
            ));
        }
        Some(notes.join("; "))
    }

    fn reseed(&mut self, seed: u64) {
        self.rng = StdRng::seed_from_u64(seed);
    }
}
