//! SRResNet (Ledig et al. 2017), the generator of SRGAN, sized for a CPU.
//!
//! A 9×9 convolution and PReLU lift the low-resolution image to `width` feature maps; `blocks`
//! residual blocks (3×3 conv, PReLU, 3×3 conv, added back to their input) follow, then a 3×3
//! convolution whose output is added to the first layer's (the skip over all blocks); log₂
//! `scale` stages each double the resolution with a 3×3 convolution to 4·`width` maps, a
//! PixelShuffle (every 4 maps become one map of twice the side) and PReLU; a last 9×9
//! convolution makes the image. Every layer is a convolution, so one network upscales images
//! of any size ([`SrResNet::upscale`]).
//!
//! Departures from the paper, deliberate:
//! - **No batch norm** (as EDSR and ESRGAN found, it adds artefacts and costs time; here it
//!   would also tie an image's result to the batch it is in, while the explorer and
//!   `ganscope upscale` run single images in tiles).
//! - **ICNR initialisation** of the convolutions before each PixelShuffle (Aitken et al.
//!   2017): the four maps that become one are initialised equal, so at step 0 each stage is a
//!   convolution followed by nearest-neighbour upsampling, free of the checkerboard pattern a
//!   random initialisation starts from (and which training must then unlearn).
//! - Width and depth come from the preset (the paper: 64 maps, 16 blocks).
//! - Optionally (`bicubic_skip`), the **bicubic upscaling of the input is added to the
//!   output** (VDSR's global residual, Kim et al. 2016): G then learns only the detail
//!   bicubic lacks, starts near bicubic's PSNR instead of far below it, and passes it within
//!   minutes on a CPU; its last layer starts at a tenth of its usual scale so that G's first
//!   outputs stay close to bicubic's.

use crate::data::resample;
use crate::kernels;
use burn::module::Parameter;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{PRelu, PReluConfig, PaddingConfig2d, PixelShuffle, PixelShuffleConfig};
use burn::prelude::*;

#[derive(Module, Debug)]
struct ResidualBlock {
    first: Conv2d,
    act: PRelu,
    second: Conv2d,
}

#[derive(Module, Debug)]
pub struct SrResNet {
    head: Conv2d,
    head_act: PRelu,
    blocks: Vec<ResidualBlock>,
    body: Conv2d,
    ups: Vec<Conv2d>,
    up_acts: Vec<PRelu>,
    shuffle: PixelShuffle,
    tail: Conv2d,
    channels: usize,
    /// The side of the low-resolution images G is trained on (rows of [`Self::forward`]).
    side: usize,
    scale: usize,
    bicubic_skip: bool,
}

/// What an [`SrResNet`] is: `channels`-channel images of side `side` upscaled by `scale`
/// (2 or 4) with `blocks` residual blocks of `width` maps, with or without the bicubic skip.
#[derive(Clone, Copy, Debug)]
pub struct SrShape {
    pub channels: usize,
    pub side: usize,
    pub scale: usize,
    pub width: usize,
    pub blocks: usize,
    pub bicubic_skip: bool,
}

/// A same-size convolution of `k`×`k`.
fn conv(input: usize, output: usize, k: usize, device: &Device) -> Conv2d {
    let p = k / 2;
    Conv2dConfig::new([input, output], [k, k])
        .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
        .init(device)
}

/// The convolution before a PixelShuffle of 2, ICNR-initialised: its `4·width` output maps
/// are `width` random maps, each repeated for the four sub-pixels that PixelShuffle
/// interleaves from consecutive channels.
fn icnr(width: usize, device: &Device) -> Conv2d {
    let mut layer = conv(width, width, 3, device);
    let weight = layer.weight.val(); // [width, width, 3, 3]
    let repeated = weight
        .unsqueeze_dim::<5>(1)
        .repeat_dim(1, 4)
        .reshape([4 * width, width, 3, 3]);
    // A parameter is a leaf (detached), trained like any other (no-op off autodiff).
    let repeated = Parameter::set_require_grad(repeated.detach(), true);
    let mut up = conv(width, 4 * width, 3, device);
    up.weight = up.weight.map(|_| repeated.clone());
    if let (Some(bias), Some(source)) = (up.bias.as_mut(), layer.bias.take()) {
        let repeated = source
            .val()
            .unsqueeze_dim::<2>(1)
            .repeat_dim(1, 4)
            .reshape([4 * width]);
        let repeated = Parameter::set_require_grad(repeated.detach(), true);
        *bias = bias.clone().map(|_| repeated);
    }
    up
}

/// The last 9×9 convolution; a tenth of its usual scale with the bicubic skip.
fn tail(width: usize, channels: usize, bicubic_skip: bool, device: &Device) -> Conv2d {
    let mut layer = conv(width, channels, 9, device);
    if bicubic_skip {
        let scaled = Parameter::set_require_grad(layer.weight.val().mul_scalar(0.1).detach(), true);
        layer.weight = layer.weight.map(|_| scaled);
    }
    layer
}

impl SrResNet {
    /// The network of `shape`.
    pub fn new(shape: SrShape, device: &Device) -> SrResNet {
        let SrShape {
            channels,
            side,
            scale,
            width,
            blocks,
            bicubic_skip,
        } = shape;
        assert!(
            scale.is_power_of_two() && scale >= 2,
            "SRResNet scale {scale}"
        );
        let stages = scale.trailing_zeros() as usize;
        let prelu = || PReluConfig::new().init(device);
        SrResNet {
            head: conv(channels, width, 9, device),
            head_act: prelu(),
            blocks: (0..blocks)
                .map(|_| ResidualBlock {
                    first: conv(width, width, 3, device),
                    act: prelu(),
                    second: conv(width, width, 3, device),
                })
                .collect(),
            body: conv(width, width, 3, device),
            ups: (0..stages).map(|_| icnr(width, device)).collect(),
            up_acts: (0..stages).map(|_| prelu()).collect(),
            shuffle: PixelShuffleConfig::new(2).init(),
            tail: tail(width, channels, bicubic_skip, device),
            channels,
            side,
            scale,
            bicubic_skip,
        }
    }

    /// The upscaling factor.
    pub fn scale(&self) -> usize {
        self.scale
    }

    /// The image channels.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// How far (in low-resolution pixels) an output pixel's inputs reach from it, at most:
    /// 4 for the 9×9 head, 1 per 3×3 convolution at the low resolution (two per block, and
    /// the body's), under 1 for all the upsampling stages' together, 4/scale for the 9×9
    /// tail; rounded up.
    pub fn reach(&self) -> usize {
        4 + 2 * self.blocks.len() + 1 + 1 + 4_usize.div_ceil(self.scale)
    }

    /// Images [batch, channels, h, w] of any size → [batch, channels, h·scale, w·scale].
    pub fn upscale(&self, x: Tensor<4>) -> Tensor<4> {
        let lifted = self.head_act.forward(kernels::conv(&self.head, x.clone()));
        let mut h = lifted.clone();
        for block in &self.blocks {
            let inner = block.act.forward(kernels::conv(&block.first, h.clone()));
            h = h + kernels::conv(&block.second, inner);
        }
        h = kernels::conv(&self.body, h) + lifted;
        for (up, act) in self.ups.iter().zip(&self.up_acts) {
            h = act.forward(super::pixel_shuffle(
                kernels::conv(up, h),
                self.shuffle.upscale_factor,
            ));
        }
        let out = kernels::conv(&self.tail, h);
        if self.bicubic_skip {
            out + self.bicubic(x)
        } else {
            out
        }
    }

    /// `x` [batch, channels, h, w] upscaled by bicubic ([`resample::bicubic`], exactly), as
    /// two matrix products: along the rows, then along the columns.
    fn bicubic(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, c, h, w] = x.dims();
        let (oh, ow) = (h * self.scale, w * self.scale);
        let device = x.device();
        let axis = |n: usize, on: usize| {
            Tensor::<2>::from_data(TensorData::new(resample::matrix(n, on), [on, n]), &device)
                .transpose()
        };
        let across = x.reshape([b * c * h, w]).matmul(axis(w, ow));
        let across = across.reshape([b * c, h, ow]).swap_dims(1, 2);
        let down = across.reshape([b * c * ow, h]).matmul(axis(h, oh));
        down.reshape([b * c, ow, oh])
            .swap_dims(1, 2)
            .reshape([b, c, oh, ow])
    }

    /// Low-resolution rows [batch, channels·side²] → high-resolution rows
    /// [batch, channels·(side·scale)²].
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let [batch, _] = x.dims();
        let (c, s) = (self.channels, self.side);
        let large = s * self.scale;
        self.upscale(x.reshape([batch, c, s, s]))
            .reshape([batch, c * large * large])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::seeded;

    #[test]
    fn pixel_shuffle_interleaves_consecutive_channels_into_sub_pixels() {
        // Channels 0..4 of one 1×1 pixel become the 2×2 block [[c0, c1], [c2, c3]]; with
        // 8 channels and 1×2 pixels, maps 4..8 make the second output map.
        let device = Device::flex();
        let values: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let x = Tensor::<4>::from_data(TensorData::new(values, [1, 8, 1, 2]), &device);
        let burns = PixelShuffleConfig::new(2).init().forward(x.clone());
        let out = crate::models::pixel_shuffle(x, 2);
        assert_eq!(out.dims(), [1, 2, 2, 4]);
        assert_eq!(
            out.to_data(),
            burns.into_data(),
            "the same as burn's PixelShuffle"
        );
        let got = out.into_data().try_to_vec::<f32>().unwrap_or_default();
        // Input channel k at column j holds 2k + j.
        let expected = vec![
            0.0, 2.0, 1.0, 3.0, 4.0, 6.0, 5.0,
            7.0, // map 0: rows (c0 c1 | c0 c1), (c2 c3 | …)
            8.0, 10.0, 9.0, 11.0, 12.0, 14.0, 13.0, 15.0,
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn an_icnr_stage_starts_as_nearest_neighbour_upsampling() {
        let device = Device::flex();
        let up = seeded(&device, 3, || icnr(4, &device));
        let x = seeded(&device, 4, || {
            Tensor::<4>::random([2, 4, 5, 5], burn::tensor::Distribution::Default, &device)
        });
        let out = PixelShuffleConfig::new(2)
            .init()
            .forward(kernels::conv(&up, x));
        let v = out.into_data().try_to_vec::<f32>().unwrap_or_default();
        // Every 2×2 block of every map holds one value.
        for plane in v.chunks_exact(10 * 10) {
            for y in (0..10).step_by(2) {
                for x in (0..10).step_by(2) {
                    let a = plane[y * 10 + x];
                    for (dy, dx) in [(0, 1), (1, 0), (1, 1)] {
                        assert_eq!(plane[(y + dy) * 10 + x + dx], a, "({x}, {y})");
                    }
                }
            }
        }
    }

    fn shape(side: usize, scale: usize, bicubic_skip: bool) -> SrShape {
        SrShape {
            channels: 3,
            side,
            scale,
            width: 8,
            blocks: 2,
            bicubic_skip,
        }
    }

    #[test]
    fn the_bicubic_skip_is_the_bicubic_resampler() {
        let device = Device::flex();
        let g = seeded(&device, 1, || SrResNet::new(shape(5, 4, true), &device));
        let values: Vec<f32> = (0..2 * 3 * 5 * 7)
            .map(|i| ((i * 37) % 11) as f32 / 5.0 - 1.0)
            .collect();
        let x = Tensor::<4>::from_data(TensorData::new(values.clone(), [2, 3, 5, 7]), &device);
        let got = g
            .bicubic(x)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default();
        let expected = resample::bicubic(&values, 3, (5, 7), (20, 28));
        assert_eq!(got.len(), expected.len());
        for (a, b) in got.iter().zip(&expected) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }

    #[test]
    fn upscales_rows_and_images_of_any_size_by_its_scale() {
        let device = Device::flex();
        for scale in [2, 4] {
            let g = seeded(&device, 1, || {
                SrResNet::new(shape(8, scale, false), &device)
            });
            let rows = g.forward(Tensor::zeros([2, 3 * 8 * 8], &device));
            assert_eq!(rows.dims(), [2, 3 * 64 * scale * scale]);
            let odd = g.upscale(Tensor::zeros([1, 3, 5, 7], &device));
            assert_eq!(odd.dims(), [1, 3, 5 * scale, 7 * scale]);
        }
    }
}
