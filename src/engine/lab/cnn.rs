//! The augmentation lab's classifier: a small CNN (conv 3×3 stride 2 to 16 maps, conv 3×3
//! stride 2 to 32 maps, each with ReLU, then a linear map to the classes), trained with Adam
//! on a labelled set for a fixed number of steps, its weights and batches keyed by a seed.
//! Every arm of an experiment trains this same network for the same steps, so the arms
//! differ only in their training images.

use super::{Confusion, LabelledSet};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::activation::relu;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Adam's learning rate.
const LEARNING_RATE: f64 = 1e-3;

#[derive(Module, Debug)]
pub struct SmallCnn {
    first: Conv2d,
    second: Conv2d,
    out: Linear,
    channels: usize,
    side: usize,
}

impl SmallCnn {
    pub fn new(channels: usize, side: usize, classes: usize, device: &Device) -> SmallCnn {
        let conv = |from: usize, to: usize| {
            Conv2dConfig::new([from, to], [3, 3])
                .with_stride([2, 2])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        let reduced = side.div_ceil(2).div_ceil(2);
        SmallCnn {
            first: conv(channels, 16),
            second: conv(16, 32),
            out: LinearConfig::new(32 * reduced * reduced, classes).init(device),
            channels,
            side,
        }
    }

    /// Images [n, channels·side²] (values in [−1, 1]) → logits [n, classes].
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let [n, _] = x.dims();
        let h = x.reshape([n, self.channels, self.side, self.side]);
        let h = relu(self.second.forward(relu(self.first.forward(h))));
        self.out.forward(h.flatten(1, 3))
    }
}

/// How training images are varied (the "classical augmentation" arm).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Classical {
    /// Shifts of up to this many pixels in each direction (the background value fills in).
    pub shift: usize,
    /// Mirror left to right at random (where the classes allow it: clothing, not digits).
    pub flip: bool,
}

/// `image` (channel-major, `side`²) shifted by (dy, dx) with the background value −1 filling
/// in, and mirrored when `flip`.
pub fn varied(
    image: &[f32],
    channels: usize,
    side: usize,
    (dy, dx): (i64, i64),
    flip: bool,
) -> Vec<f32> {
    let mut out = vec![-1.0; image.len()];
    let s = side as i64;
    for c in 0..channels {
        for y in 0..s {
            for x in 0..s {
                let (from_y, from_x) = (y - dy, if flip { s - 1 - x } else { x } - dx);
                if (0..s).contains(&from_y) && (0..s).contains(&from_x) {
                    out[(c * side + y as usize) * side + x as usize] =
                        image[(c * side + from_y as usize) * side + from_x as usize];
                }
            }
        }
    }
    out
}

/// Trains a fresh CNN on `set` for `steps` batches of `batch` (drawn with replacement),
/// weights and batches keyed by `seed`; `classical` varies each drawn image.
pub fn train(
    set: &LabelledSet,
    steps: usize,
    batch: usize,
    seed: u64,
    classical: Option<Classical>,
    device: &Device,
) -> SmallCnn {
    let autodiff = device.clone().autodiff();
    let mut model = crate::models::seeded(device, seed, || {
        SmallCnn::new(set.channels, set.side, set.classes, &autodiff)
    });
    let mut optimizer = AdamConfig::new().init();
    let mut rng = StdRng::seed_from_u64(seed ^ 0x0BA7_C4E5);
    let features = set.features();
    let count = set.len();
    for _ in 0..steps {
        let mut x = Vec::with_capacity(batch * features);
        let mut labels = Vec::with_capacity(batch);
        for _ in 0..batch {
            let i = rng.random_range(0..count);
            let image = set.image(i);
            match classical {
                Some(c) => {
                    let reach = c.shift as i64;
                    let shift = (
                        rng.random_range(-reach..=reach),
                        rng.random_range(-reach..=reach),
                    );
                    let flip = c.flip && rng.random::<bool>();
                    x.extend(varied(image, set.channels, set.side, shift, flip));
                }
                None => x.extend_from_slice(image),
            }
            labels.push(i64::from(set.labels[i]));
        }
        let x = Tensor::from_data(TensorData::new(x, [batch, features]), &autodiff);
        let targets = Tensor::<1, Int>::from_data(TensorData::new(labels, [batch]), &autodiff);
        let loss = burn::nn::loss::CrossEntropyLossConfig::new()
            .init(&autodiff)
            .forward(model.forward(x), targets);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optimizer.step(LEARNING_RATE, model, grads);
    }
    model.valid()
}

/// How `model` labels `set`: its confusion matrix.
pub fn confusion(model: &SmallCnn, set: &LabelledSet, device: &Device) -> Confusion {
    let features = set.features();
    let mut matrix = Confusion::new(set.classes);
    for (chunk, labels) in set
        .pixels
        .chunks(256 * features)
        .zip(set.labels.chunks(256))
    {
        let n = labels.len();
        let x = Tensor::<2>::from_data(TensorData::new(chunk.to_vec(), [n, features]), device);
        let predicted = model
            .forward(x)
            .argmax(1)
            .into_data()
            .convert::<i64>()
            .try_to_vec::<i64>()
            .unwrap_or_default();
        for (&truth, &guess) in labels.iter().zip(&predicted) {
            matrix.add(truth as usize, guess as usize);
        }
    }
    matrix
}
