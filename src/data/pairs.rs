//! Paired data sets for image translation, drawn in-app: each sample is a source image A and
//! its target B, made from one drawing so that B follows from A's structure. Deterministic
//! under the seed, and cheap (a 32-px batch of 16 pairs takes well under a millisecond per
//! pair), so drawing never starves training.
//!
//! - outline → shape: A is the shape's one-pixel outline in grey with a small dot of its
//!   colour at the centre (the colour hint); B is the painted shape. G must fill the right
//!   region, from the outline's structure, with the hinted colour.
//! - skeleton → digit: A is the digit's strokes with a one-pixel pen, B the same strokes in
//!   the sample's own pen width.
//! - grey → colour: A is the shape image's luminance, B the image itself (colour must be
//!   inferred from brightness and shape, as in colourisation).

use super::digits::Digits;
use super::shapes::{Drawn, Shapes};
use super::{DataSource, HostBatch, SampleShape};
use rand::{Rng, SeedableRng, rngs::StdRng};

/// Which pairs to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairKind {
    ShapeOutlines,
    DigitSkeletons,
    GreyShapes,
}

/// Radius of the colour hint, in pixels.
const HINT_RADIUS: f32 = 2.5;
/// Grey level of an outline (in [0, 1]).
const OUTLINE_GREY: f32 = 0.8;

/// An endless, seeded stream of (A, B) pairs with their class.
pub struct Pairs {
    kind: PairKind,
    size: usize,
    digits: Digits,
    shapes: Shapes,
    rng: StdRng,
}

impl Pairs {
    pub fn new(kind: PairKind, size: usize, seed: u64) -> Pairs {
        let mut pairs = Pairs {
            kind,
            size,
            digits: Digits::new(size, 0),
            shapes: Shapes::new(size, 0),
            rng: StdRng::seed_from_u64(0),
        };
        pairs.reseed(seed);
        pairs
    }

    /// Channels of A and of B.
    pub fn channels(kind: PairKind) -> (usize, usize) {
        match kind {
            PairKind::ShapeOutlines => (3, 3),
            PairKind::DigitSkeletons => (1, 1),
            PairKind::GreyShapes => (1, 3),
        }
    }

    fn classes(&self) -> u32 {
        match self.kind {
            PairKind::DigitSkeletons => super::digits::CLASSES as u32,
            PairKind::ShapeOutlines | PairKind::GreyShapes => super::shapes::CLASSES as u32,
        }
    }

    /// One pair of class `label`: (A, B), channel-major, values in [-1, 1].
    pub fn pair(&mut self, label: u32) -> (Vec<f32>, Vec<f32>) {
        match self.kind {
            PairKind::DigitSkeletons => self.digits.render_pair(label),
            PairKind::ShapeOutlines => {
                let drawn = self.shapes.draw(label);
                (outline(&drawn, self.size), drawn.image)
            }
            PairKind::GreyShapes => {
                let drawn = self.shapes.draw(label);
                (grey(&drawn.image, self.size), drawn.image)
            }
        }
    }
}

/// A's picture for the outline task: grey outline, colour dot at the centre, black elsewhere.
fn outline(drawn: &Drawn, size: usize) -> Vec<f32> {
    let plane = size * size;
    let at = |x: isize, y: isize| -> f32 {
        if x < 0 || y < 0 || x >= size as isize || y >= size as isize {
            0.0
        } else {
            drawn.cover[y as usize * size + x as usize]
        }
    };
    let mut a = vec![-1.0f32; 3 * plane];
    for y in 0..size {
        for x in 0..size {
            let (xi, yi) = (x as isize, y as isize);
            let here = at(xi, yi);
            // The largest change of coverage to a 4-neighbour: 1 on a hard edge, 0 inside
            // and outside.
            let edge = [(1, 0), (-1, 0), (0, 1), (0, -1)]
                .iter()
                .map(|(dx, dy)| (here - at(xi + dx, yi + dy)).abs())
                .fold(0.0f32, f32::max)
                .min(1.0);
            let (dx, dy) = (
                x as f32 + 0.5 - drawn.centre[0],
                y as f32 + 0.5 - drawn.centre[1],
            );
            let hint = (HINT_RADIUS + 0.5 - (dx * dx + dy * dy).sqrt()).clamp(0.0, 1.0);
            for c in 0..3 {
                let v = (edge * OUTLINE_GREY).max(hint * drawn.colour[c]);
                a[c * plane + y * size + x] = v * 2.0 - 1.0;
            }
        }
    }
    a
}

/// The luminance (Rec. 601 weights) of a channel-major RGB image in [-1, 1].
fn grey(image: &[f32], size: usize) -> Vec<f32> {
    let plane = size * size;
    (0..plane)
        .map(|i| 0.299 * image[i] + 0.587 * image[plane + i] + 0.114 * image[2 * plane + i])
        .collect()
}

impl DataSource for Pairs {
    fn shape(&self) -> SampleShape {
        SampleShape::Image {
            channels: Pairs::channels(self.kind).1,
            height: self.size,
            width: self.size,
        }
    }

    fn source_shape(&self) -> Option<SampleShape> {
        Some(SampleShape::Image {
            channels: Pairs::channels(self.kind).0,
            height: self.size,
            width: self.size,
        })
    }

    fn batch(&mut self, n: usize) -> HostBatch {
        let mut x = Vec::with_capacity(n * self.shape().numel());
        let mut source = Vec::new();
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let label = self.rng.random_range(0..self.classes());
            let (a, b) = self.pair(label);
            source.extend(a);
            x.extend(b);
            labels.push(label);
        }
        HostBatch {
            n,
            x,
            labels: Some(labels),
            source: Some(source),
        }
    }

    fn reseed(&mut self, seed: u64) {
        self.rng = StdRng::seed_from_u64(seed);
        let draw = |key: u64| StdRng::seed_from_u64(seed ^ key);
        self.digits = Digits::new(self.size, draw(0xD161).random());
        self.shapes = Shapes::new(self.size, draw(0x5A9E).random());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_deterministic_in_range_and_related() {
        for kind in [
            PairKind::ShapeOutlines,
            PairKind::DigitSkeletons,
            PairKind::GreyShapes,
        ] {
            let a = Pairs::new(kind, 32, 3).batch(6);
            let b = Pairs::new(kind, 32, 3).batch(6);
            assert_eq!(a, b, "{kind:?}: one seed, one stream");
            let source = a.source.clone().unwrap_or_default();
            let (ca, cb) = Pairs::channels(kind);
            assert_eq!(source.len(), 6 * ca * 32 * 32);
            assert_eq!(a.x.len(), 6 * cb * 32 * 32);
            assert!(source.iter().chain(&a.x).all(|v| (-1.0..=1.0).contains(v)));
            // A carries less ink than B (an outline, a skeleton) or the same image (grey).
            let ink = |v: &[f32]| v.iter().map(|p| p + 1.0).sum::<f32>() / v.len() as f32;
            assert!(ink(&source) > 0.01, "{kind:?}: A is not blank");
            if kind == PairKind::DigitSkeletons {
                assert!(
                    ink(&source) < ink(&a.x),
                    "{kind:?}: the skeleton is thinner"
                );
            }
        }
    }

    #[test]
    fn the_grey_source_is_the_targets_luminance() {
        let batch = Pairs::new(PairKind::GreyShapes, 16, 1).batch(1);
        let (a, b) = (batch.source.unwrap_or_default(), batch.x);
        let plane = 16 * 16;
        for i in [0, 100, 200] {
            let l = 0.299 * b[i] + 0.587 * b[plane + i] + 0.114 * b[2 * plane + i];
            assert!((a[i] - l).abs() < 1e-6);
        }
    }
}
