//! Paired image sets for the translate task, in either of pix2pix's layouts: a folder with
//! subfolders `A/` and `B/` whose files are matched by name (stem), or a folder of images
//! holding A and B side by side (A on the left half). Pairs are decoded in parallel, fitted
//! to the preset's size and each side's channels; files without a partner, or not side by
//! side, are skipped with the reason. The last tenth of the pairs (at least one) is held out
//! for the sample view and the measurements, and never trained on.

use super::folder::{self, Listing};
use super::{DataError, fail};
use crate::data::{DataSource, HostBatch, SampleShape};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How a paired folder is laid out.
#[derive(Clone, Debug, PartialEq)]
pub enum Layout {
    /// (A file, B file) matched by stem.
    Folders(Vec<(PathBuf, PathBuf)>),
    /// Images holding A | B side by side.
    SideBySide(Vec<PathBuf>),
}

impl Layout {
    /// Every file the pairs are read from.
    pub fn files(&self) -> Vec<&Path> {
        match self {
            Layout::Folders(pairs) => pairs
                .iter()
                .flat_map(|(a, b)| [a.as_path(), b.as_path()])
                .collect(),
            Layout::SideBySide(files) => files.iter().map(PathBuf::as_path).collect(),
        }
    }
}

/// Decoded pairs: A and B images, channel-major bytes, the held-out ones last.
#[derive(Debug)]
pub struct PairSet {
    pub count: usize,
    /// Pairs trained on: the first `train`; the rest are held out.
    pub train: usize,
    pub side: usize,
    pub source_channels: usize,
    pub target_channels: usize,
    pub a: Vec<u8>,
    pub b: Vec<u8>,
    pub skipped: Vec<(PathBuf, String)>,
    pub layout: &'static str,
}

/// The subfolder of `dir` named `name` in either case.
fn subfolder(dir: &Path, name: &str) -> Option<PathBuf> {
    [name.to_lowercase(), name.to_uppercase()]
        .into_iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_dir())
}

/// Images of a folder by stem.
fn by_stem(dir: &Path) -> Result<BTreeMap<String, PathBuf>, DataError> {
    let listing = folder::list(dir).map_err(|e| fail(dir, format!("cannot be listed: {e}")))?;
    let files = listing.map_or_else(Vec::new, |Listing { files, .. }| files);
    Ok(files
        .into_iter()
        .filter_map(|(f, _)| Some((f.file_stem()?.to_string_lossy().into_owned(), f)))
        .collect())
}

/// Find the pairs at `path`, and the files left without a partner.
pub fn detect(path: &Path) -> Result<(Layout, Vec<(PathBuf, String)>), DataError> {
    if let (Some(a), Some(b)) = (subfolder(path, "a"), subfolder(path, "b")) {
        let (a_files, mut b_files) = (by_stem(&a)?, by_stem(&b)?);
        let mut pairs = Vec::new();
        let mut skipped = Vec::new();
        for (stem, file) in a_files {
            match b_files.remove(&stem) {
                Some(partner) => pairs.push((file, partner)),
                None => skipped.push((file, format!("no image named {stem} in {}", b.display()))),
            }
        }
        skipped.extend(
            b_files
                .into_values()
                .map(|f| (f, format!("no partner in {}", a.display()))),
        );
        if pairs.is_empty() {
            return Err(fail(path, "its A/ and B/ folders share no image names"));
        }
        return Ok((Layout::Folders(pairs), skipped));
    }
    match folder::list(path).map_err(|e| fail(path, format!("cannot be listed: {e}")))? {
        Some(listing) if listing.classes.is_empty() => Ok((
            Layout::SideBySide(listing.files.into_iter().map(|(f, _)| f).collect()),
            Vec::new(),
        )),
        _ => Err(fail(
            path,
            "holds no paired images: neither A/ and B/ subfolders nor images with A and B \\
             side by side",
        )),
    }
}

/// The left or right half of `plane` (`w` wide, `h` high).
fn half(plane: &[u8], w: usize, h: usize, right: bool) -> Vec<u8> {
    let half = w / 2;
    let offset = if right { half } else { 0 };
    (0..h)
        .flat_map(|y| plane[y * w + offset..y * w + offset + half].iter().copied())
        .collect()
}

/// One pair decoded: (A, B) at `side` with their channels.
fn decode_pair(
    files: (&Path, Option<&Path>),
    side: usize,
    (ca, cb): (usize, usize),
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let fit = |planes: &[Vec<u8>], h: usize, w: usize| -> Vec<u8> {
        planes
            .iter()
            .flat_map(|p| super::resize::fit(p, h, w, side))
            .collect()
    };
    match files {
        (a, Some(b)) => {
            let (a, _) = folder::decode_file(a, side, ca)?;
            let (b, _) = folder::decode_file(b, side, cb)
                .map_err(|e| format!("its partner {}: {e}", b.display()))?;
            Ok((a, b))
        }
        (ab, None) => {
            let bytes = folder::read(ab)?;
            let (a_planes, h, w) = folder::planes(&bytes, ca)?;
            if w < 2 || w % 2 != 0 {
                return Err(format!(
                    "is {w}×{h}: not A and B side by side (its width is not even)"
                ));
            }
            let a: Vec<Vec<u8>> = a_planes.iter().map(|p| half(p, w, h, false)).collect();
            let (b_planes, _, _) = folder::planes(&bytes, cb)?;
            let b: Vec<Vec<u8>> = b_planes.iter().map(|p| half(p, w, h, true)).collect();
            Ok((fit(&a, h, w / 2), fit(&b, h, w / 2)))
        }
    }
}

/// Decode the pairs at `path` (see [`detect`]).
pub fn load(
    path: &Path,
    side: usize,
    (source_channels, target_channels): (usize, usize),
    progress: &super::Progress,
) -> Result<PairSet, DataError> {
    let (layout, mut skipped) = detect(path)?;
    let (jobs, name): (Vec<(PathBuf, Option<PathBuf>)>, _) = match layout {
        Layout::Folders(pairs) => (
            pairs.into_iter().map(|(a, b)| (a, Some(b))).collect(),
            "A/ and B/ folders",
        ),
        Layout::SideBySide(files) => (
            files.into_iter().map(|f| (f, None)).collect(),
            "A|B side by side",
        ),
    };
    let per_pair = (source_channels + target_channels) * side * side;
    let bytes = (jobs.len() as u64).saturating_mul(per_pair as u64);
    if bytes > super::memory_limit() {
        return Err(fail(
            path,
            format!(
                "would take {} MB decoded ({} pairs), more than the limit of {} MB (set \\
                 GANSCOPE_DATA_LIMIT_MB to change it)",
                bytes >> 20,
                jobs.len(),
                super::memory_limit() >> 20
            ),
        ));
    }
    progress.set_total(jobs.len());
    let decoded: Vec<_> = jobs
        .par_iter()
        .map(|(a, b)| {
            if progress.cancelled() {
                return Err("cancelled".into());
            }
            let pair = decode_pair(
                (a.as_path(), b.as_deref()),
                side,
                (source_channels, target_channels),
            );
            progress.advance(1);
            pair
        })
        .collect();
    if progress.cancelled() {
        return Err(fail(path, "reading was cancelled"));
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for ((file, _), outcome) in jobs.iter().zip(decoded) {
        match outcome {
            Ok((pa, pb)) => {
                a.extend(pa);
                b.extend(pb);
            }
            Err(why) => skipped.push((file.clone(), why)),
        }
    }
    let count = a.len() / (source_channels * side * side).max(1);
    if count == 0 {
        return Err(fail(path, "none of its pairs could be used"));
    }
    let held = (count / 10).max(1).min(count.saturating_sub(1));
    Ok(PairSet {
        count,
        train: count - held,
        side,
        source_channels,
        target_channels,
        a,
        b,
        skipped,
        layout: name,
    })
}

/// Seeded batches of training pairs, and the held-out pairs.
pub struct PairedFileData {
    set: Arc<PairSet>,
    rng: StdRng,
}

impl PairedFileData {
    pub fn new(set: Arc<PairSet>, seed: u64) -> PairedFileData {
        PairedFileData {
            set,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Pairs `indices` as a batch: B in `x`, A in `source`, values in [-1, 1].
    fn gather(&self, indices: impl Iterator<Item = usize>) -> HostBatch {
        let s = &self.set;
        let (fa, fb) = (
            s.source_channels * s.side * s.side,
            s.target_channels * s.side * s.side,
        );
        let scale = |v: &u8| f32::from(*v) / 127.5 - 1.0;
        let (mut x, mut source, mut n) = (Vec::new(), Vec::new(), 0);
        for i in indices {
            source.extend(s.a[i * fa..(i + 1) * fa].iter().map(scale));
            x.extend(s.b[i * fb..(i + 1) * fb].iter().map(scale));
            n += 1;
        }
        HostBatch {
            n,
            x,
            labels: None,
            source: Some(source),
        }
    }
}

impl DataSource for PairedFileData {
    fn shape(&self) -> SampleShape {
        SampleShape::Image {
            channels: self.set.target_channels,
            height: self.set.side,
            width: self.set.side,
        }
    }

    fn source_shape(&self) -> Option<SampleShape> {
        Some(SampleShape::Image {
            channels: self.set.source_channels,
            height: self.set.side,
            width: self.set.side,
        })
    }

    fn batch(&mut self, n: usize) -> HostBatch {
        let train = self.set.train.max(1);
        let indices: Vec<usize> = (0..n).map(|_| self.rng.random_range(0..train)).collect();
        self.gather(indices.into_iter())
    }

    fn held_out(&self, n: usize) -> Option<HostBatch> {
        Some(self.gather(self.set.train..self.set.count.min(self.set.train + n)))
    }

    fn identity(&self) -> Option<String> {
        let s = &self.set;
        let print = super::fnv(
            [s.count, s.side, s.source_channels, s.target_channels]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .chain(s.a.iter().step_by(997).copied())
                .chain(s.b.iter().step_by(991).copied()),
        );
        Some(format!(
            "{} pairs ({}), fingerprint {print:016x}",
            s.count, s.layout
        ))
    }

    fn notice(&self) -> Option<String> {
        let (file, why) = self.set.skipped.first()?;
        Some(format!(
            "{} file(s) were skipped (first: {}: {why})",
            self.set.skipped.len(),
            file.display()
        ))
    }

    fn reseed(&mut self, seed: u64) {
        self.rng = StdRng::seed_from_u64(seed);
    }
}
