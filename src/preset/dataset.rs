//! The `[dataset]` section of a preset: a set generated in-app (deterministic under the run's
//! seed), or one read from files.

use super::{DIGIT_CLASSES, SHAPE_CLASSES};
use serde::{Deserialize, Serialize};

/// Which data set to train on: generated in-app (deterministic under the run's seed), or
/// read from files (`files`, `paired_files`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DatasetSpec {
    /// 8 Gaussians with means on a circle (the VEEGAN / PacGAN ring).
    Ring8 {
        #[serde(default = "default_ring_radius")]
        radius: f32,
        #[serde(default = "default_ring_std")]
        std: f32,
    },
    /// 25 Gaussians with means on a 5×5 grid {−2s, −s, 0, s, 2s}² (the VEEGAN / PacGAN grid).
    Grid25 {
        #[serde(default = "default_grid_spacing")]
        spacing: f32,
        #[serde(default = "default_grid_std")]
        std: f32,
    },
    /// A two-armed spiral with Gaussian noise across the arm.
    Spiral {
        #[serde(default = "default_spiral_noise")]
        noise: f32,
    },
    /// Procedural handwritten-style grayscale digits 0–9 with labels.
    Digits {
        #[serde(default = "default_digit_size")]
        size: usize,
    },
    /// Procedural coloured shapes (circle, square, triangle, star, cross) with labels.
    Shapes {
        #[serde(default = "default_digit_size")]
        size: usize,
    },
    /// Pairs for image translation: a shape's outline with a dot of its colour → the
    /// painted shape.
    ShapesOutline {
        #[serde(default = "default_digit_size")]
        size: usize,
    },
    /// Pairs: a digit's one-pixel skeleton → the digit in its own pen width.
    DigitSkeletons {
        #[serde(default = "default_digit_size")]
        size: usize,
    },
    /// Pairs: a shape image in grey → the same image in colour.
    ShapesGrey {
        #[serde(default = "default_digit_size")]
        size: usize,
    },
    /// Pairs for image translation read from files at `path` (A/ and B/ folders, or A|B
    /// side-by-side images; see `data::files::paired`).
    PairedFiles {
        path: String,
        #[serde(default = "default_digit_size")]
        size: usize,
        #[serde(default = "default_colour")]
        source_channels: usize,
        #[serde(default = "default_colour")]
        target_channels: usize,
    },
    /// Images read from files at `path` (format detected; see `data::files`), fitted to
    /// `size` and `channels`.
    Files {
        path: String,
        #[serde(default = "default_digit_size")]
        size: usize,
        #[serde(default = "default_channels")]
        channels: usize,
        /// The number of classes of a labelled set (written by *Open data…* and
        /// `train --data`), so that a conditional model can be checked before the data is
        /// read; the data must have exactly these.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        classes: Option<usize>,
    },
    /// Photographs in the folder at `path`, at their own size, sampled as random `size`²
    /// crops (for super-resolution; see `data::files::photos`). The photos named in
    /// `held_out` (file names without extension) are never trained on; when it is empty,
    /// every fifth photo in name order is held out.
    Photos {
        path: String,
        #[serde(default = "default_digit_size")]
        size: usize,
        #[serde(default = "default_colour")]
        channels: usize,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        held_out: Vec<String>,
    },
}

fn default_ring_radius() -> f32 {
    1.0
}
fn default_ring_std() -> f32 {
    0.01
}
fn default_grid_spacing() -> f32 {
    2.0
}
fn default_grid_std() -> f32 {
    0.05
}
fn default_spiral_noise() -> f32 {
    0.04
}
fn default_digit_size() -> usize {
    32
}
fn default_channels() -> usize {
    1
}
fn default_colour() -> usize {
    3
}

impl DatasetSpec {
    /// True for the 2-D point data sets.
    pub fn is_points(&self) -> bool {
        self.image_size().is_none()
    }

    /// The side of an image data set's square images.
    pub fn image_size(&self) -> Option<usize> {
        match self {
            DatasetSpec::Digits { size }
            | DatasetSpec::Shapes { size }
            | DatasetSpec::ShapesOutline { size }
            | DatasetSpec::DigitSkeletons { size }
            | DatasetSpec::ShapesGrey { size }
            | DatasetSpec::Files { size, .. }
            | DatasetSpec::Photos { size, .. }
            | DatasetSpec::PairedFiles { size, .. } => Some(*size),
            DatasetSpec::Ring8 { .. } | DatasetSpec::Grid25 { .. } | DatasetSpec::Spiral { .. } => {
                None
            }
        }
    }

    /// Where a file data set is read from (`None` for generated data).
    pub fn file_path(&self) -> Option<std::path::PathBuf> {
        match self {
            DatasetSpec::Files { path, .. }
            | DatasetSpec::Photos { path, .. }
            | DatasetSpec::PairedFiles { path, .. } => Some(std::path::PathBuf::from(path)),
            _ => None,
        }
    }

    /// This data set read from `path` instead (generated data sets are unchanged).
    pub fn at(&self, path: &std::path::Path) -> DatasetSpec {
        let mut moved = self.clone();
        if let DatasetSpec::Files { path: p, .. }
        | DatasetSpec::Photos { path: p, .. }
        | DatasetSpec::PairedFiles { path: p, .. } = &mut moved
        {
            *p = path.display().to_string();
        }
        moved
    }

    /// True for the paired (source → target) data sets of the translate task.
    pub fn is_paired(&self) -> bool {
        matches!(
            self,
            DatasetSpec::ShapesOutline { .. }
                | DatasetSpec::DigitSkeletons { .. }
                | DatasetSpec::ShapesGrey { .. }
                | DatasetSpec::PairedFiles { .. }
        )
    }

    /// The number of classes of a labelled data set (the pairs keep their class too, for
    /// measurements).
    pub fn classes(&self) -> Option<usize> {
        match self {
            DatasetSpec::Digits { .. } | DatasetSpec::DigitSkeletons { .. } => Some(DIGIT_CLASSES),
            DatasetSpec::Shapes { .. }
            | DatasetSpec::ShapesOutline { .. }
            | DatasetSpec::ShapesGrey { .. } => Some(SHAPE_CLASSES),
            DatasetSpec::Files { classes, .. } => *classes,
            _ => None,
        }
    }
}
