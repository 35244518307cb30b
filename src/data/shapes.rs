//! Procedural coloured shapes: 32×32 RGB images of one shape each (circle, square,
//! triangle, star, cross) in one of six colours, at its own size, position and rotation, on a
//! dark background with a little noise. Labelled by shape, so conditional models have classes
//! to follow and colour images are covered. Values are in [-1, 1], channel-major.

use super::LabelledImages;
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::f32::consts::{PI, TAU};

/// The shape classes, in label order.
pub const NAMES: [&str; 5] = ["circle", "square", "triangle", "star", "cross"];
pub const CLASSES: usize = crate::preset::SHAPE_CLASSES;
const _: () = assert!(NAMES.len() == CLASSES, "one name per shape class");

/// Colours a shape is painted in (RGB in [0, 1]).
const COLOURS: [[f32; 3]; 6] = [
    [0.93, 0.26, 0.21],
    [0.98, 0.75, 0.18],
    [0.30, 0.75, 0.35],
    [0.22, 0.55, 0.95],
    [0.70, 0.35, 0.90],
    [0.95, 0.95, 0.95],
];
/// Sub-pixel samples per axis for anti-aliasing.
const SUPERSAMPLE: usize = 3;

/// An endless, seeded stream of labelled shape images.
pub struct Shapes {
    size: usize,
    rng: StdRng,
}

/// Where and how one shape is drawn, in pixel units.
struct Placement {
    centre: [f32; 2],
    radius: f32,
    angle: f32,
}

impl Shapes {
    pub fn new(size: usize, seed: u64) -> Shapes {
        Shapes {
            size,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Render one image of class `label` with this stream's next random colour, size,
    /// position and rotation.
    pub fn render(&mut self, label: u32) -> Vec<f32> {
        self.draw(label).image
    }

    /// [`Self::render`], with what went into the picture.
    pub fn draw(&mut self, label: u32) -> Drawn {
        let size = self.size as f32;
        let radius = self.rng.random_range(0.2..0.36) * size;
        let margin = radius * 1.05;
        let placement = Placement {
            centre: [
                self.rng.random_range(margin..size - margin),
                self.rng.random_range(margin..size - margin),
            ],
            radius,
            angle: self.rng.random_range(0.0..TAU),
        };
        let colour = COLOURS[self.rng.random_range(0..COLOURS.len())];
        let background: [f32; 3] = std::array::from_fn(|_| self.rng.random_range(0.0..0.18));
        let plane = self.size * self.size;
        let mut image = vec![0.0f32; 3 * plane];
        let mut cover = vec![0.0f32; plane];
        for y in 0..self.size {
            for x in 0..self.size {
                let c_xy = coverage(label, &placement, x, y);
                cover[y * self.size + x] = c_xy;
                let grain: f32 = self.rng.random_range(-0.02..0.02);
                for c in 0..3 {
                    let v = background[c] * (1.0 - c_xy) + colour[c] * c_xy + grain;
                    image[c * plane + y * self.size + x] = v.clamp(0.0, 1.0) * 2.0 - 1.0;
                }
            }
        }
        Drawn {
            image,
            cover,
            colour,
            centre: placement.centre,
        }
    }
}

/// One rendered shape: the image (channel-major, in [-1, 1]), the share of each pixel the
/// shape covers (row-major, in [0, 1]), its colour and its centre in pixels.
pub struct Drawn {
    pub image: Vec<f32>,
    pub cover: Vec<f32>,
    pub colour: [f32; 3],
    pub centre: [f32; 2],
}

/// The share of pixel (x, y) the shape covers, by supersampling.
fn coverage(label: u32, p: &Placement, x: usize, y: usize) -> f32 {
    let mut inside = 0;
    for sy in 0..SUPERSAMPLE {
        for sx in 0..SUPERSAMPLE {
            let px = x as f32 + (sx as f32 + 0.5) / SUPERSAMPLE as f32;
            let py = y as f32 + (sy as f32 + 0.5) / SUPERSAMPLE as f32;
            // Into the shape's frame: unit radius, rotated.
            let (dx, dy) = ((px - p.centre[0]) / p.radius, (py - p.centre[1]) / p.radius);
            let (s, c) = p.angle.sin_cos();
            let (u, v) = (c * dx + s * dy, -s * dx + c * dy);
            if contains(label, u, v) {
                inside += 1;
            }
        }
    }
    inside as f32 / (SUPERSAMPLE * SUPERSAMPLE) as f32
}

/// Whether the unit-size shape of class `label` contains (u, v).
fn contains(label: u32, u: f32, v: f32) -> bool {
    match label {
        0 => u * u + v * v <= 1.0,
        1 => u.abs() <= 0.78 && v.abs() <= 0.78,
        2 => in_polygon(&regular(3, 1.0, 0.0), u, v),
        3 => in_polygon(&star(), u, v),
        _ => (u.abs() <= 0.28 && v.abs() <= 0.95) || (v.abs() <= 0.28 && u.abs() <= 0.95),
    }
}

/// The `n` corners of a regular polygon of circumradius `r`.
fn regular(n: usize, r: f32, phase: f32) -> Vec<[f32; 2]> {
    (0..n)
        .map(|k| {
            let a = phase + TAU * k as f32 / n as f32 - PI / 2.0;
            [r * a.cos(), r * a.sin()]
        })
        .collect()
}

/// A five-pointed star: outer radius 1, inner 0.45.
fn star() -> Vec<[f32; 2]> {
    let outer = regular(5, 1.0, 0.0);
    let inner = regular(5, 0.45, PI / 5.0);
    outer
        .into_iter()
        .zip(inner)
        .flat_map(|(o, i)| [o, i])
        .collect()
}

/// Even-odd rule point-in-polygon test.
fn in_polygon(corners: &[[f32; 2]], u: f32, v: f32) -> bool {
    let mut inside = false;
    let mut j = corners.len() - 1;
    for i in 0..corners.len() {
        let ([xi, yi], [xj, yj]) = (corners[i], corners[j]);
        if (yi > v) != (yj > v) && u < (xj - xi) * (v - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

impl LabelledImages for Shapes {
    const CLASSES: usize = CLASSES;
    const CHANNELS: usize = 3;

    fn size(&self) -> usize {
        self.size
    }

    fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    fn render(&mut self, label: u32) -> Vec<f32> {
        Shapes::render(self, label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::DataSource;

    #[test]
    fn shapes_are_coloured_labelled_and_distinct_by_class() {
        let mut shapes = Shapes::new(32, 7);
        let batch = shapes.batch(40);
        assert_eq!(batch.x.len(), 40 * 3 * 32 * 32);
        assert!(batch.x.iter().all(|v| (-1.0..=1.0).contains(v)));
        let labels = batch.labels.unwrap_or_default();
        assert!(
            (0..CLASSES as u32).all(|c| labels.contains(&c)),
            "{labels:?}"
        );
        // Painted area: a square covers more of its circumscribed circle than a star does.
        let area = |label: u32| {
            let p = Placement {
                centre: [16.0, 16.0],
                radius: 10.0,
                angle: 0.3,
            };
            (0..32)
                .flat_map(|y| (0..32).map(move |x| (x, y)))
                .map(|(x, y)| coverage(label, &p, x, y))
                .sum::<f32>()
        };
        let circle = area(0);
        assert!(
            (circle - PI * 100.0).abs() / (PI * 100.0) < 0.03,
            "{circle}"
        );
        assert!(
            area(1) > area(3) && area(2) > area(3) * 0.9,
            "square > star"
        );
        // Channels differ: the images are in colour.
        let plane = 32 * 32;
        let image = &batch.x[..3 * plane];
        let spread: f32 = (0..plane)
            .map(|i| {
                (image[i] - image[plane + i]).abs()
                    + (image[plane + i] - image[2 * plane + i]).abs()
            })
            .sum();
        assert!(spread > 1.0, "colour, not gray");
    }
}
