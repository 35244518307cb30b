//! What a decoded file set offers the rest of the app: seeded batches ([`FileData`], a
//! [`DataSource`]) and how far a decoding has come ([`Progress`]).

use super::ImageSet;
use crate::data::{DataSource, HostBatch, SampleShape};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How far the decoding of a data set has come, and a way to stop it (shared with the
/// thread that decodes).
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicUsize,
    total: AtomicUsize,
    cancel: AtomicBool,
}

impl Progress {
    pub fn set_total(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
    }

    pub fn advance(&self, n: usize) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// Images (or pairs) decoded, of how many.
    pub fn done_of(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Ask the decoding to stop; it ends with an error saying so.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
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

impl FileData {
    /// The indices of `n` samples drawn uniformly.
    fn draw_indices(&mut self, n: usize) -> Vec<usize> {
        (0..n)
            .map(|_| self.rng.random_range(0..self.set.count))
            .collect()
    }

    /// The samples at `indices`, scaled to [-1, 1], with their labels.
    fn rows(&self, indices: &[usize]) -> HostBatch {
        let features = self.shape().numel();
        let mut x = Vec::with_capacity(indices.len() * features);
        for &i in indices {
            let image = &self.set.pixels[i * features..(i + 1) * features];
            x.extend(image.iter().map(|&v| f32::from(v) / 127.5 - 1.0));
        }
        HostBatch {
            n: indices.len(),
            x,
            labels: self
                .set
                .labels
                .as_ref()
                .map(|l| indices.iter().map(|&i| l[i]).collect()),
            source: None,
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
        let indices = self.draw_indices(n);
        self.rows(&indices)
    }

    fn all(&self) -> Option<HostBatch> {
        Some(self.rows(&(0..self.set.count).collect::<Vec<_>>()))
    }

    fn draw(&mut self, n: usize) -> Option<Vec<usize>> {
        Some(self.draw_indices(n))
    }

    fn class_names(&self) -> Vec<String> {
        self.set.class_names.clone()
    }

    /// The first `n` images of the set's test split, when it has one.
    fn held_out(&self, n: usize) -> Option<HostBatch> {
        let held = self.set.held_out.as_ref()?;
        let features = held.channels * held.side * held.side;
        let n = n.min(held.count);
        Some(HostBatch {
            n,
            x: held.pixels[..n * features]
                .iter()
                .map(|&v| f32::from(v) / 127.5 - 1.0)
                .collect(),
            labels: held.labels.as_ref().map(|l| l[..n].to_vec()),
            source: None,
        })
    }

    fn identity(&self) -> Option<String> {
        let s = &self.set;
        Some(format!(
            "{} at {}: {} images, {} classes, fingerprint {:016x}",
            s.found.format(),
            s.found.key().display(),
            s.count,
            s.class_names.len(),
            s.fingerprint()
        ))
    }

    fn notice(&self) -> Option<String> {
        let (file, why) = self.set.skipped.first()?;
        Some(format!(
            "{} of {} files were skipped (first: {}: {why}); `ganscope data` lists them all",
            self.set.skipped.len(),
            self.set.count + self.set.skipped.len(),
            file.display()
        ))
    }

    fn reseed(&mut self, seed: u64) {
        self.rng = StdRng::seed_from_u64(seed);
    }
}
