//! What the generate task shows of G: the sample view from the fixed latents (one row per
//! class for a conditional G), fresh samples for measurements, and the real points of the
//! 2-D view.

use super::Generate;
use crate::data::{self, SampleShape, toy2d};
use crate::engine::ReadBack;
use crate::engine::field;
use crate::engine::task::{Scene, Stream};
use crate::imaging;
use crate::latent;
use crate::models;
use crate::preset::Preset;
use crate::protocol::{SampleView, Tiles};
use burn::prelude::*;

/// Real points drawn once for the 2-D view.
const REAL_VIEW_POINTS: usize = 1000;
/// Cells per side of D's heat map in the 2-D view.
const FIELD_CELLS: usize = 48;
/// Generated points that get an arrow showing where G's loss pushes them.
const PUSHED_POINTS: usize = 150;

impl Generate {
    /// The labels a conditional model is given, as a tensor on `device`; `None` for an
    /// unconditional one.
    pub(super) fn labels(&self, labels: Option<&[u32]>, device: &Device) -> Option<Tensor<1, Int>> {
        self.classes?;
        labels.map(|l| models::label_tensor(l, device))
    }

    /// Run G, normalising with the batch's own statistics (see
    /// [`models::Generator::sample`]), on latents `z` (of classes `labels`, for a conditional
    /// G), and read the samples back, flattened [n, features].
    pub(super) fn generate_from(
        &self,
        scene: &Scene,
        z: Tensor<2>,
        labels: Option<&[u32]>,
    ) -> Vec<f32> {
        let labels = self.labels(labels, scene.plain);
        scene.g.sample(z, labels.as_ref()).read_f32s()
    }

    /// The channels and side of the samples, for an image data set.
    pub(super) fn image(&self) -> Option<(usize, usize)> {
        match self.shape {
            SampleShape::Image {
                channels, height, ..
            } => Some((channels, height)),
            SampleShape::Points2 => None,
        }
    }

    /// G's samples of the first `n` fixed latent vectors (the grid's first tiles), flattened.
    pub(super) fn fixed_samples(&self, scene: &Scene, n: usize) -> Vec<f32> {
        let labels = self.fixed_labels.as_ref().map(|l| &l[..n]);
        self.generate_from(scene, self.fixed_z.clone().narrow(0, 0, n), labels)
    }

    /// `n` fresh samples from random z, flattened [n, features]; a conditional G is asked
    /// for the classes in turn (see [`Self::asked_classes`]).
    pub(super) fn fresh(&self, scene: &Scene, n: usize) -> Vec<f32> {
        let mut rng = scene.rng(Stream::Measure);
        let labels = self.asked_classes(n);
        let z = super::latent(n, self.latent_dim, &mut rng, scene.plain);
        self.generate_from(scene, z, labels.as_deref())
    }

    /// The classes [`Self::fresh`] asks a conditional G for: sample i of class i mod classes.
    pub(super) fn asked_classes(&self, n: usize) -> Option<Vec<u32>> {
        self.classes
            .map(|k| (0..n).map(|i| (i % k) as u32).collect())
    }

    /// What G makes of the fixed latent vectors, as the front ends show it.
    pub(super) fn view(&self, scene: &Scene) -> SampleView {
        let values = self.generate_from(scene, self.fixed_z.clone(), self.fixed_labels.as_deref());
        let n = scene.preset.train.samples;
        let game = &scene.preset.game;
        match self.shape {
            SampleShape::Points2 => {
                let fake = points(&values);
                let bounds = toy2d::framing_bounds(&self.real_view);
                let pushed = &fake[..fake.len().min(PUSHED_POINTS)];
                SampleView::Points {
                    field: field::d_field(scene.d, game, bounds, FIELD_CELLS, scene.autodiff),
                    pushes: field::push_directions(scene.d, game, pushed, scene.autodiff),
                    real: self.real_view.clone(),
                    fake,
                    bounds,
                }
            }
            SampleShape::Image {
                channels, height, ..
            } => {
                // A conditional G shows one row per class.
                let columns = self
                    .classes
                    .map_or_else(|| imaging::grid_columns(n), |k| n / k);
                SampleView::Grid {
                    image: imaging::tile_grid(&values, n, channels, height, columns),
                    columns,
                    tiles: n,
                    meaning: if self.classes.is_some() {
                        Tiles::SeedsByClass
                    } else {
                        Tiles::Seeds
                    },
                    captions: Vec::new(),
                }
            }
        }
    }
}

/// The real points a 2-D view shows for `preset` (a fixed draw from its data set).
pub fn real_points(preset: &Preset) -> Vec<[f32; 2]> {
    // The 2-D sets are generated: they always open.
    data::open(&preset.dataset, preset.train.seed ^ 0xA11CE)
        .map(|mut view_data| points(&view_data.batch(REAL_VIEW_POINTS).x))
        .unwrap_or_default()
}

/// Flat [x0, y0, x1, y1, …] to points.
pub(super) fn points(flat: &[f32]) -> Vec<[f32; 2]> {
    flat.chunks_exact(2).map(|p| [p[0], p[1]]).collect()
}

/// The run's fixed latent vectors: tile `i` of the sample grid is seed `i` (see
/// [`latent::from_seed`]), drawn on the host so every device shows the same samples evolve and
/// the explorer can reproduce any tile from its number. A conditional G's grid has one row per
/// class: tile `i` is seed `i mod columns` of class `i / columns`.
pub(super) fn fixed_latents(
    n: usize,
    latent_dim: usize,
    classes: Option<usize>,
    device: &Device,
) -> (Tensor<2>, Option<Vec<u32>>) {
    let (values, labels) = match classes {
        Some(k) => {
            let columns = n / k;
            let values = (0..n)
                .flat_map(|i| latent::from_seed((i % columns) as u64, latent_dim))
                .collect();
            let labels = (0..n).map(|i| (i / columns) as u32).collect();
            (values, Some(labels))
        }
        None => (latent::from_seeds(0, n, latent_dim), None),
    };
    (
        Tensor::from_data(TensorData::new(values, [n, latent_dim]), device),
        labels,
    )
}
