//! The explorer's requests and answers: G snapshots run beside training, newest request per
//! view first.

use super::RgbaImage;

/// Which explorer view a render is for. The explorer keeps only the newest request per target,
/// so a slider dragged faster than G runs never builds a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RenderTarget {
    /// The large image (or, for 2-D data, the marked point) from the current z.
    Main,
    /// The interpolation strip.
    Strip,
    /// The warped latent grid of a 2-D model.
    Warp,
}

/// A request to the explorer, which runs G snapshots beside training (never pausing it).
#[derive(Clone, Debug)]
pub enum ExploreRequest {
    /// Run the latest snapshot of G on these latent vectors (each `latent_dim` long).
    /// `class` is the label for conditional models and is ignored by the others.
    Render {
        id: u64,
        target: RenderTarget,
        latents: Vec<Vec<f32>>,
        class: Option<usize>,
    },
    /// Compute the `components` leading principal directions of the latest snapshot
    /// (progress arrives as [`Event::DirectionsProgress`]).
    Directions { components: usize },
    /// Stop computing principal directions (no answer follows).
    CancelDirections,
    /// Translate one source image (channel-major, values in [-1, 1], `side`² pixels) with the
    /// latest snapshot of an image-to-image G; answered as a [`RenderTarget::Main`] render.
    Translate {
        id: u64,
        source: Vec<f32>,
        side: usize,
    },
    /// Upscale one image (channel-major, values in [-1, 1], `height`×`width`) with the latest
    /// snapshot of a super-resolution G, in tiles; with `shrink` the image is the original,
    /// shrunk by the scale first. Answered as a [`RenderTarget::Main`] render of the images
    /// [G's input, bicubic, SR] and, when shrunk, the original (see
    /// `engine::upscaler::Comparison`).
    Upscale {
        id: u64,
        image: Vec<f32>,
        height: usize,
        width: usize,
        shrink: bool,
    },
    /// Write a labelled synthetic set from the latest snapshot of a conditional G, on a
    /// thread of its own (training and the explorer go on): progress, cancel and the outcome
    /// through `job`.
    Synthesize {
        synthesis: Synthesis,
        job: super::Job,
    },
    /// Run the augmentation experiment on the latest snapshot of a G whose samples can be
    /// labelled, on a thread of its own: each arm's result arrives as an
    /// [`super::Event::LabResult`], progress, cancel and the outcome through `job`.
    Experiment {
        experiment: super::Experiment,
        job: super::Job,
    },
}

/// A labelled synthetic set to write from a conditional G (see `engine::jobs`).
#[derive(Clone, Debug)]
pub struct Synthesis {
    /// Images of every class.
    pub per_class: usize,
    /// Truncation ψ of the latents (1: none).
    pub psi: f32,
    /// For a run that keeps a moving average of G's weights (`[game] ema`): use it (true,
    /// what samples show) or the training weights themselves.
    pub ema: bool,
    /// For an unconditional G, the confidence the data set's reference classifier must
    /// reach for a sample to be kept under the class it reads (see `engine::labelling`);
    /// unused for a conditional G.
    pub min_confidence: f32,
    /// The data set's class names, in label order (the folders' names).
    pub class_names: Vec<String>,
    /// The folder to create.
    pub dest: std::path::PathBuf,
}

/// What G made of a render request's latents, in request order.
#[derive(Clone, Debug, PartialEq)]
pub enum Rendered {
    Images(Vec<RgbaImage>),
    Points(Vec<[f32; 2]>),
    /// The request could not be done (an image G cannot take): why.
    Failed(String),
}

impl Rendered {
    /// Join renders of consecutive latents (all of one kind) into one, in order.
    pub fn concat(parts: Vec<Rendered>) -> Rendered {
        let mut images = Vec::new();
        let mut points = Vec::new();
        for part in parts {
            match part {
                Rendered::Images(i) => images.extend(i),
                Rendered::Points(p) => points.extend(p),
                Rendered::Failed(why) => return Rendered::Failed(why),
            }
        }
        if points.is_empty() {
            Rendered::Images(images)
        } else {
            Rendered::Points(points)
        }
    }
}
