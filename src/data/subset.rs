//! Low-data subsets: exactly `k` examples of every class, drawn from a seeded stream, for the
//! augmentation lab's fair comparison (the GAN and every classifier arm see the same `k` per
//! class). Which examples are taken depends only on the labels, `k` and the seed; a larger
//! `k` with the same seed takes a superset of a smaller one's (each class's order is one
//! shuffle, cut at `k`), so the arms at k = 10, 50, 100 nest.

use super::{DataSource, HostBatch, SampleShape};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// Indices into `labels` (each below `classes`), `k` of every class, in class order then
/// drawn order; an error naming the first class with fewer than `k` examples.
pub fn per_class(
    labels: &[u32],
    classes: usize,
    k: usize,
    seed: u64,
) -> Result<Vec<usize>, String> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (i, &label) in labels.iter().enumerate() {
        if let Some(m) = members.get_mut(label as usize) {
            m.push(i);
        }
    }
    let mut out = Vec::with_capacity(classes * k);
    for (class, mut m) in members.into_iter().enumerate() {
        if m.len() < k {
            return Err(format!(
                "class {class} has {} examples, fewer than the {k} per class asked for",
                m.len()
            ));
        }
        // One stream per class, so a class's draw does not depend on the others' sizes.
        let mut rng =
            StdRng::seed_from_u64(seed ^ (class as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        m.shuffle(&mut rng);
        out.extend_from_slice(&m[..k]);
    }
    Ok(out)
}

/// A labelled data source cut to `k` examples of every class, for training a GAN in the
/// low-data setting the augmentation lab compares against (`[train] real_per_class`): the
/// examples are chosen once, from a draw of the full source keyed by the run's seed (exact
/// duplicates dropped, so a file set drawn with replacement gives k distinct images), then
/// batches are drawn from them with replacement. Held-out images, class names and the
/// identity are the full source's.
pub struct Subset {
    inner: Box<dyn DataSource>,
    x: Vec<f32>,
    labels: Vec<u32>,
    rng: StdRng,
}

impl Subset {
    /// `inner` (labelled, of `classes`) cut to `k` per class; an error names a class the
    /// source could not give `k` distinct examples of.
    pub fn cut(
        mut inner: Box<dyn DataSource>,
        classes: usize,
        k: usize,
        seed: u64,
    ) -> Result<Subset, String> {
        let features = inner.shape().numel();
        let draw = inner.batch((k * classes * 4).max(256));
        let Some(labels) = draw.labels else {
            return Err("k examples per class needs a labelled data set".into());
        };
        // Exact duplicates (a file set is drawn with replacement) count once.
        let mut seen = std::collections::HashSet::new();
        let distinct: Vec<usize> = (0..draw.n)
            .filter(|&i| {
                let image = &draw.x[i * features..(i + 1) * features];
                seen.insert(image.iter().map(|v| v.to_bits()).collect::<Vec<u32>>())
            })
            .collect();
        let distinct_labels: Vec<u32> = distinct.iter().map(|&i| labels[i]).collect();
        let picked = per_class(&distinct_labels, classes, k, seed)?;
        let chosen: Vec<usize> = picked.iter().map(|&j| distinct[j]).collect();
        Ok(Subset {
            x: chosen
                .iter()
                .flat_map(|&i| draw.x[i * features..(i + 1) * features].to_vec())
                .collect(),
            labels: chosen.iter().map(|&i| labels[i]).collect(),
            inner,
            rng: StdRng::seed_from_u64(seed),
        })
    }

    /// The examples kept: pixels (one after another) and labels, class by class.
    pub fn examples(&self) -> (&[f32], &[u32]) {
        (&self.x, &self.labels)
    }

    /// Examples kept.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

impl DataSource for Subset {
    fn shape(&self) -> SampleShape {
        self.inner.shape()
    }

    fn batch(&mut self, n: usize) -> HostBatch {
        let features = self.inner.shape().numel();
        let mut x = Vec::with_capacity(n * features);
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let i = self.rng.random_range(0..self.labels.len().max(1));
            x.extend_from_slice(&self.x[i * features..(i + 1) * features]);
            labels.push(self.labels[i]);
        }
        HostBatch {
            n,
            x,
            labels: Some(labels),
            source: None,
        }
    }

    fn held_out(&self, n: usize) -> Option<HostBatch> {
        self.inner.held_out(n)
    }

    fn identity(&self) -> Option<String> {
        self.inner.identity()
    }

    fn notice(&self) -> Option<String> {
        self.inner.notice()
    }

    fn class_names(&self) -> Vec<String> {
        self.inner.class_names()
    }

    fn reseed(&mut self, seed: u64) {
        self.rng = StdRng::seed_from_u64(seed);
    }
}
