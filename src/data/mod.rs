//! Data sets the app generates itself. Each says the shape of one sample, its labels if any,
//! and draws batches on the host; the engine uploads them. Everything is deterministic under
//! the seed it is opened with.

pub mod digits;
pub mod files;
pub mod pairs;
pub mod raster;
pub mod resample;
pub mod shapes;
pub mod subset;
pub mod toy2d;

use crate::preset::DatasetSpec;
use pairs::PairKind;
use rand::{Rng, SeedableRng, rngs::StdRng};

/// The shape of one sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleShape {
    /// A point in the plane.
    Points2,
    /// An image, values in [-1, 1].
    Image {
        channels: usize,
        height: usize,
        width: usize,
    },
}

impl SampleShape {
    /// Floats in one flattened sample.
    pub fn numel(self) -> usize {
        match self {
            SampleShape::Points2 => 2,
            SampleShape::Image {
                channels,
                height,
                width,
            } => channels * height * width,
        }
    }
}

/// A batch on the host: `n` samples flattened row-major into `x`, with labels when the data
/// set has them, and for a paired set each sample's source image (flattened likewise).
#[derive(Clone, Debug, PartialEq)]
pub struct HostBatch {
    pub n: usize,
    pub x: Vec<f32>,
    pub labels: Option<Vec<u32>>,
    pub source: Option<Vec<f32>>,
}

/// A source of training samples.
pub trait DataSource: Send {
    fn shape(&self) -> SampleShape;
    /// The shape of each sample's source image, for a paired data set.
    fn source_shape(&self) -> Option<SampleShape> {
        None
    }
    /// Draw `n` fresh samples.
    fn batch(&mut self, n: usize) -> HostBatch;
    /// Every sample of a finite set once, in index order: what a device may keep for the
    /// whole run, so that a step sends the indices of its batch rather than its images (see
    /// `engine::resident`); `None` for data generated or cropped afresh for every batch.
    fn all(&self) -> Option<HostBatch> {
        None
    }
    /// The indices into [`Self::all`] of `n` fresh samples, drawn exactly as
    /// [`Self::batch`] draws them (the same samples from the same stream).
    fn draw(&mut self, _n: usize) -> Option<Vec<usize>> {
        None
    }
    /// `n` fixed samples never trained on, for data sets that keep a held-out split (paired
    /// file sets); `None` where held-out samples are drawn from a stream of their own.
    fn held_out(&self, _n: usize) -> Option<HostBatch> {
        None
    }
    /// What identifies the data read from files (format, place, count, a fingerprint of the
    /// decoded bytes), to tell when it changed since a checkpoint; `None` for generated data.
    fn identity(&self) -> Option<String> {
        None
    }
    /// What a user should know about the data before training on it (files skipped).
    fn notice(&self) -> Option<String> {
        None
    }
    /// The names of its classes, when they come from the data (file sets); empty otherwise.
    fn class_names(&self) -> Vec<String> {
        Vec::new()
    }
    /// Restart the stream from `seed` (the trainer keys it by step, so a resumed run draws
    /// exactly the samples an uninterrupted one would).
    fn reseed(&mut self, seed: u64);
}

/// A labelled image data set drawn one random class at a time; every such set is a
/// [`DataSource`] through the blanket implementation below.
pub trait LabelledImages: Send {
    const CLASSES: usize;
    const CHANNELS: usize;
    /// Side of the square images.
    fn size(&self) -> usize;
    /// The stream's random generator (restarted by [`DataSource::reseed`]).
    fn rng(&mut self) -> &mut StdRng;
    /// One image of class `label`, channel-major, values in [-1, 1].
    fn render(&mut self, label: u32) -> Vec<f32>;
}

impl<T: LabelledImages> DataSource for T {
    fn reseed(&mut self, seed: u64) {
        *self.rng() = StdRng::seed_from_u64(seed);
    }

    fn shape(&self) -> SampleShape {
        SampleShape::Image {
            channels: T::CHANNELS,
            height: self.size(),
            width: self.size(),
        }
    }

    fn batch(&mut self, n: usize) -> HostBatch {
        let mut x = Vec::with_capacity(n * self.shape().numel());
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let label = self.rng().random_range(0..T::CLASSES as u32);
            x.extend(self.render(label));
            labels.push(label);
        }
        HostBatch {
            n,
            x,
            labels: Some(labels),
            source: None,
        }
    }
}

/// The means and per-axis standard deviation of a Gaussian-mixture data set (ring8, grid25),
/// against which mode metrics are measured; `None` for other data sets.
pub fn mixture(spec: &DatasetSpec) -> Option<(Vec<[f32; 2]>, f32)> {
    let (mixture, std) = match spec {
        DatasetSpec::Ring8 { radius, std } => (toy2d::ToyMixture::ring(8, *radius, *std, 0), std),
        DatasetSpec::Grid25 { spacing, std } => {
            (toy2d::ToyMixture::grid(5, *spacing, *std, 0), std)
        }
        _ => return None,
    };
    Some((mixture.means().to_vec(), *std))
}

/// The class names of `source` opened from `spec`: the data's own (a folder's, Fashion-
/// MNIST's), else those of the generated set.
pub fn names_of(spec: &DatasetSpec, source: &dyn DataSource) -> Vec<String> {
    match source.class_names() {
        names if names.is_empty() => class_names(spec),
        names => names,
    }
}

/// The names of a labelled data set's classes, in label order (empty for unlabelled sets).
pub fn class_names(spec: &DatasetSpec) -> Vec<String> {
    match spec {
        DatasetSpec::Digits { .. } | DatasetSpec::DigitSkeletons { .. } => {
            (0..digits::CLASSES).map(|d| d.to_string()).collect()
        }
        DatasetSpec::Shapes { .. }
        | DatasetSpec::ShapesOutline { .. }
        | DatasetSpec::ShapesGrey { .. } => shapes::NAMES.iter().map(|n| n.to_string()).collect(),
        DatasetSpec::Ring8 { .. }
        | DatasetSpec::Grid25 { .. }
        | DatasetSpec::Spiral { .. }
        | DatasetSpec::Files { .. }
        | DatasetSpec::Photos { .. }
        | DatasetSpec::PairedFiles { .. } => Vec::new(),
    }
}

/// Open the data set a preset names: generated ones always open; a file set says which file
/// failed and why.
pub fn open(spec: &DatasetSpec, seed: u64) -> Result<Box<dyn DataSource>, files::DataError> {
    Ok(match spec {
        DatasetSpec::Ring8 { radius, std } => {
            Box::new(toy2d::ToyMixture::ring(8, *radius, *std, seed))
        }
        DatasetSpec::Grid25 { spacing, std } => {
            Box::new(toy2d::ToyMixture::grid(5, *spacing, *std, seed))
        }
        DatasetSpec::Spiral { noise } => Box::new(toy2d::Spiral::new(*noise, seed)),
        DatasetSpec::Digits { size } => Box::new(digits::Digits::new(*size, seed)),
        DatasetSpec::Shapes { size } => Box::new(shapes::Shapes::new(*size, seed)),
        DatasetSpec::ShapesOutline { size } => {
            Box::new(pairs::Pairs::new(PairKind::ShapeOutlines, *size, seed))
        }
        DatasetSpec::DigitSkeletons { size } => {
            Box::new(pairs::Pairs::new(PairKind::DigitSkeletons, *size, seed))
        }
        DatasetSpec::ShapesGrey { size } => {
            Box::new(pairs::Pairs::new(PairKind::GreyShapes, *size, seed))
        }
        DatasetSpec::Files {
            path,
            size,
            channels,
            classes,
        } => {
            let set = files::load(std::path::Path::new(path), *size, *channels)?;
            let found = set.class_names.len();
            if let Some(expected) = classes
                && *expected != found
            {
                return Err(files::DataError::File {
                    path: path.clone(),
                    problem: format!(
                        "has {found} classes where the preset expects {expected} (its data \
                         changed): make the preset again from the data"
                    ),
                });
            }
            Box::new(files::FileData::new(set, seed))
        }
        DatasetSpec::PairedFiles {
            path,
            size,
            source_channels,
            target_channels,
        } => {
            let path = std::path::Path::new(path);
            let set = files::load_pairs(path, *size, *source_channels, *target_channels)?;
            Box::new(files::paired::PairedFileData::new(set, seed))
        }
        DatasetSpec::Photos {
            path,
            size,
            channels,
            held_out,
        } => {
            let set = files::photos::load(std::path::Path::new(path), *channels)?;
            Box::new(files::photos::PhotoCrops::new(set, *size, held_out, seed)?)
        }
    })
}
