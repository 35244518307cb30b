//! Procedural handwritten-style digits: each class is a few pen strokes in a unit box, and
//! every sample gets its own scale, aspect, slant, rotation, offset, stroke width and per-point
//! jitter before it is rasterised. Values are in [-1, 1] (background −1), one channel.

use super::LabelledImages;
use super::raster::Canvas;
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, StandardNormal};

/// The ten digit classes.
pub const CLASSES: usize = crate::preset::DIGIT_CLASSES;

/// An endless, seeded stream of labelled digit images.
pub struct Digits {
    size: usize,
    rng: StdRng,
}

impl Digits {
    pub fn new(size: usize, seed: u64) -> Digits {
        Digits {
            size,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Render one digit of class `label` (0–9) with this stream's next random style.
    pub fn render(&mut self, label: u32) -> Vec<f32> {
        let (strokes, pen) = self.strokes(label);
        raster(self.size, &strokes, pen)
    }

    /// One digit of class `label` twice, from the same strokes: as a one-pixel skeleton and
    /// in its own pen width (the pairs of the skeleton → digit translation task).
    pub fn render_pair(&mut self, label: u32) -> (Vec<f32>, Vec<f32>) {
        let (strokes, pen) = self.strokes(label);
        (
            raster(self.size, &strokes, SKELETON_PEN),
            raster(self.size, &strokes, pen),
        )
    }

    /// The strokes of one digit in pixel coordinates, with this stream's next random style
    /// and jitter, and the style's pen width in pixels.
    fn strokes(&mut self, label: u32) -> (Vec<Vec<[f32; 2]>>, f32) {
        let style = Style::random(&mut self.rng);
        // N(0, 0.012) as 0.012 · N(0, 1), as `Normal` draws it.
        let jitter = |rng: &mut StdRng| -> f32 {
            let z: f32 = StandardNormal.sample(rng);
            0.012 * z
        };
        let size = self.size as f32;
        let strokes = glyph(label)
            .iter()
            .map(|stroke| {
                stroke
                    .iter()
                    .map(|&p| {
                        let p = [p[0] + jitter(&mut self.rng), p[1] + jitter(&mut self.rng)];
                        let [x, y] = style.apply(p);
                        [x * size, y * size]
                    })
                    .collect()
            })
            .collect();
        (strokes, style.pen * size)
    }
}

/// The pen width of a skeleton, in pixels.
const SKELETON_PEN: f32 = 1.0;

/// Strokes drawn with a pen of `pen` pixels onto a blank canvas, as values in [-1, 1].
fn raster(size: usize, strokes: &[Vec<[f32; 2]>], pen: f32) -> Vec<f32> {
    let mut canvas = Canvas::new(size);
    for points in strokes {
        canvas.stroke(points, pen);
    }
    canvas.pixels.iter().map(|v| v * 2.0 - 1.0).collect()
}

impl LabelledImages for Digits {
    const CLASSES: usize = CLASSES;
    const CHANNELS: usize = 1;

    fn size(&self) -> usize {
        self.size
    }

    fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    fn render(&mut self, label: u32) -> Vec<f32> {
        Digits::render(self, label)
    }
}

/// One sample's handwriting: an affine map about the box centre plus a pen width, all in
/// unit-box coordinates.
struct Style {
    scale_x: f32,
    scale_y: f32,
    slant: f32,
    rotation: f32,
    offset: [f32; 2],
    pen: f32,
}

impl Style {
    fn random(rng: &mut StdRng) -> Style {
        let scale = rng.random_range(0.75..1.05);
        let aspect = rng.random_range(0.85..1.15);
        Style {
            scale_x: scale * aspect,
            scale_y: scale,
            slant: rng.random_range(-0.3..0.3),
            rotation: rng.random_range(-0.15..0.15),
            offset: [rng.random_range(-0.07..0.07), rng.random_range(-0.07..0.07)],
            pen: rng.random_range(0.06..0.12),
        }
    }

    fn apply(&self, p: [f32; 2]) -> [f32; 2] {
        let (x, y) = ((p[0] - 0.5) * self.scale_x, (p[1] - 0.5) * self.scale_y);
        // Slant shears x by height (y grows downwards, so a positive slant leans right).
        let x = x - self.slant * y;
        let (s, c) = self.rotation.sin_cos();
        [
            c * x - s * y + 0.5 + self.offset[0],
            s * x + c * y + 0.5 + self.offset[1],
        ]
    }
}

/// Points of an elliptical arc; angles in degrees, y grows downwards (90° is the bottom).
fn arc(centre: [f32; 2], radii: [f32; 2], from: f32, to: f32) -> Vec<[f32; 2]> {
    let steps = (((to - from).abs() / 15.0).ceil() as usize).max(2);
    (0..=steps)
        .map(|i| {
            let a = (from + (to - from) * i as f32 / steps as f32).to_radians();
            [
                centre[0] + radii[0] * a.cos(),
                centre[1] + radii[1] * a.sin(),
            ]
        })
        .collect()
}

/// The pen strokes of a digit class in the unit box.
fn glyph(label: u32) -> Vec<Vec<[f32; 2]>> {
    match label {
        0 => vec![arc([0.5, 0.5], [0.2, 0.32], 0.0, 360.0)],
        1 => vec![vec![[0.38, 0.28], [0.52, 0.16], [0.52, 0.84]]],
        2 => {
            let mut top = arc([0.5, 0.34], [0.18, 0.16], 200.0, 400.0);
            top.extend([[0.3, 0.84], [0.72, 0.84]]);
            vec![top]
        }
        3 => vec![
            arc([0.5, 0.32], [0.16, 0.15], 200.0, 450.0),
            arc([0.5, 0.65], [0.18, 0.18], 270.0, 520.0),
        ],
        4 => vec![vec![[0.62, 0.84], [0.62, 0.16], [0.26, 0.62], [0.76, 0.62]]],
        5 => {
            let mut stroke = vec![[0.7, 0.17], [0.36, 0.17], [0.33, 0.46]];
            stroke.extend(arc([0.5, 0.63], [0.19, 0.19], 220.0, 500.0));
            vec![stroke]
        }
        6 => vec![
            arc([0.52, 0.55], [0.22, 0.38], 290.0, 160.0),
            arc([0.5, 0.66], [0.19, 0.18], 180.0, 540.0),
        ],
        7 => vec![vec![[0.28, 0.17], [0.72, 0.17], [0.44, 0.84]]],
        8 => vec![
            arc([0.5, 0.32], [0.14, 0.15], 0.0, 360.0),
            arc([0.5, 0.65], [0.18, 0.18], 0.0, 360.0),
        ],
        _ => vec![
            arc([0.5, 0.35], [0.18, 0.17], 0.0, 360.0),
            vec![[0.68, 0.35], [0.6, 0.84]],
        ],
    }
}
