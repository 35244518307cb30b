//! A frozen super-resolution generator for use outside training (`ganscope upscale`).
//!
//! SRResNet is fully convolutional, so it upscales images of any size; to keep memory
//! bounded a large image goes through in tiles. Each tile is cut with a margin as wide as
//! the network's reach ([`SrResNet::reach`]) and only its centre is kept, so every output
//! pixel sees exactly the inputs it would see in one pass (zero padding only at the image's
//! own borders): tiling changes no value beyond float rounding (tested).

use crate::data::resample;
use crate::engine::ReadBack;
use crate::models::Generator;
use crate::models::srresnet::SrResNet;
use burn::prelude::*;

/// The side of a tile's kept centre, in low-resolution pixels.
pub const TILE: usize = 96;
/// The largest output side written.
pub const MAX_OUTPUT_SIDE: usize = 8192;

pub struct Upscaler {
    g: SrResNet,
    device: Device,
}

impl Upscaler {
    /// An upscaler from `g` (without autodiff) when it is a super-resolution generator.
    pub fn new(g: &Generator, device: &Device) -> Option<Upscaler> {
        match g {
            Generator::Srresnet(g) => Some(Upscaler {
                g: g.clone(),
                device: device.clone(),
            }),
            Generator::Mlp(_)
            | Generator::Dcgan(_)
            | Generator::Unet(_)
            | Generator::Transformer(_)
            | Generator::Progressive(_) => None,
        }
    }

    pub fn scale(&self) -> usize {
        self.g.scale()
    }

    pub fn channels(&self) -> usize {
        self.g.channels()
    }

    /// `image` (channel-major, `height`×`width`, values in [-1, 1]) upscaled, in tiles of
    /// [`TILE`] pixels.
    pub fn upscale(&self, image: &[f32], size: (usize, usize)) -> Result<Vec<f32>, String> {
        self.upscale_tiled(image, size, TILE)
    }

    /// [`Self::upscale`] with tiles of `tile` pixels (kept centre).
    pub fn upscale_tiled(
        &self,
        image: &[f32],
        (height, width): (usize, usize),
        tile: usize,
    ) -> Result<Vec<f32>, String> {
        let (c, s) = (self.channels(), self.scale());
        if image.len() != c * height * width || height == 0 || width == 0 {
            return Err(format!(
                "expected a {c}-channel image of {height}×{width}, got {} values",
                image.len()
            ));
        }
        let (out_h, out_w) = (height * s, width * s);
        if out_h.max(out_w) > MAX_OUTPUT_SIDE {
            return Err(format!(
                "{height}×{width} px would become {out_h}×{out_w} px, over the {MAX_OUTPUT_SIDE} \
                 px this tool writes; crop or shrink the image first"
            ));
        }
        let (tile, margin) = (tile.max(1), self.g.reach());
        let mut out = vec![0.0f32; c * out_h * out_w];
        for y0 in (0..height).step_by(tile) {
            for x0 in (0..width).step_by(tile) {
                let (y1, x1) = ((y0 + tile).min(height), (x0 + tile).min(width));
                let (ty0, tx0) = (y0.saturating_sub(margin), x0.saturating_sub(margin));
                let (ty1, tx1) = ((y1 + margin).min(height), (x1 + margin).min(width));
                let (th, tw) = (ty1 - ty0, tx1 - tx0);
                let mut input = Vec::with_capacity(c * th * tw);
                for plane in image.chunks_exact(height * width) {
                    for y in ty0..ty1 {
                        input.extend_from_slice(&plane[y * width + tx0..y * width + tx1]);
                    }
                }
                let x =
                    Tensor::<4>::from_data(TensorData::new(input, [1, c, th, tw]), &self.device);
                let up = self.g.upscale(x).read_f32s();
                // Keep the centre: rows y0..y1 and columns x0..x1, scaled.
                let (uw, uh) = (tw * s, th * s);
                for ch in 0..c {
                    for y in (y0 * s)..(y1 * s) {
                        let from = &up[ch * uh * uw + (y - ty0 * s) * uw..][..uw];
                        let row = &mut out[ch * out_h * out_w + y * out_w..][..out_w];
                        row[x0 * s..x1 * s].copy_from_slice(&from[(x0 - tx0) * s..(x1 - tx0) * s]);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// An image upscaled by G and by bicubic, for comparing them (the explorer's slider,
/// `ganscope upscale --evaluate`).
#[derive(Clone, Debug)]
pub struct Comparison {
    /// G's input (channel-major): the image itself, or the original shrunk.
    pub low: Vec<f32>,
    /// The input's (height, width).
    pub low_size: (usize, usize),
    /// G's and bicubic's upscalings, `scale` times the input's size.
    pub sr: Vec<f32>,
    pub bicubic: Vec<f32>,
    /// What the input was shrunk from (its top-left part whose sides are multiples of the
    /// scale), when it was.
    pub original: Option<Vec<f32>>,
}

impl Comparison {
    /// The upscalings' (height, width).
    pub fn size(&self, scale: usize) -> (usize, usize) {
        (self.low_size.0 * scale, self.low_size.1 * scale)
    }
}

/// The top-left `to` (rows, columns) of every plane of `images` (`channels` planes of
/// `from`).
fn cut(images: &[f32], channels: usize, from: (usize, usize), to: (usize, usize)) -> Vec<f32> {
    let mut out = Vec::with_capacity(channels * to.0 * to.1);
    for plane in images.chunks_exact((from.0 * from.1).max(1)).take(channels) {
        for row in plane.chunks_exact(from.1.max(1)).take(to.0) {
            out.extend_from_slice(&row[..to.1]);
        }
    }
    out
}

impl Upscaler {
    /// `image` (`height`×`width`) upscaled by G and by bicubic; with `shrink`, `image` is
    /// taken as the original: cut to sides that are multiples of the scale and shrunk by it
    /// (bicubic, as training makes its inputs) before both upscale it.
    pub fn compare(
        &self,
        image: &[f32],
        (height, width): (usize, usize),
        shrink: bool,
    ) -> Result<Comparison, String> {
        let (c, s) = (self.channels(), self.scale());
        if image.len() != c * height * width {
            return Err(format!(
                "expected a {c}-channel image of {height}×{width}, got {} values",
                image.len()
            ));
        }
        let (low, low_size, original) = if shrink {
            let (h, w) = (height / s * s, width / s * s);
            if h == 0 || w == 0 {
                return Err(format!(
                    "a {width}×{height} px image is smaller than the scale {s}: nothing to shrink"
                ));
            }
            let original = cut(image, c, (height, width), (h, w));
            let low = resample::bicubic(&original, c, (h, w), (h / s, w / s));
            (low, (h / s, w / s), Some(original))
        } else {
            (image.to_vec(), (height, width), None)
        };
        let sr = self.upscale(&low, low_size)?;
        let size = (low_size.0 * s, low_size.1 * s);
        let bicubic = resample::bicubic(&low, c, low_size, size);
        Ok(Comparison {
            low,
            low_size,
            sr,
            bicubic,
            original,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::seeded;

    #[test]
    fn tiles_of_any_size_give_the_one_pass_result() {
        let device = Device::flex();
        let g = seeded(&device, 5, || {
            SrResNet::new(
                crate::models::srresnet::SrShape {
                    channels: 3,
                    side: 8,
                    scale: 2,
                    width: 8,
                    blocks: 1,
                    bicubic_skip: true,
                },
                &device,
            )
        });
        let upscaler = Upscaler {
            g,
            device: device.clone(),
        };
        // 13×10: no tile size below divides it evenly.
        let (h, w) = (13, 10);
        let image: Vec<f32> = (0..3 * h * w)
            .map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0)
            .collect();
        let whole = upscaler
            .upscale_tiled(&image, (h, w), 64)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(whole.len(), 3 * 26 * 20);
        for tile in [1, 3, 4, 7] {
            let tiled = upscaler
                .upscale_tiled(&image, (h, w), tile)
                .unwrap_or_else(|e| panic!("{e}"));
            let worst = whole
                .iter()
                .zip(&tiled)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(worst < 1e-4, "tile {tile}: off by {worst}");
        }
        assert!(upscaler.upscale(&image[1..], (h, w)).is_err());
        let huge = vec![0.0f32; 3 * 5000];
        let refused = upscaler.upscale(&huge, (1, 5000)).err().unwrap_or_default();
        assert!(refused.contains("over the 8192 px"), "{refused}");
    }
}
