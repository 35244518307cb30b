//! A small anti-aliased stroke rasteriser: thick polylines onto a square grayscale canvas.

/// A square grayscale canvas, values in [0, 1], row-major.
pub struct Canvas {
    pub size: usize,
    pub pixels: Vec<f32>,
}

impl Canvas {
    pub fn new(size: usize) -> Canvas {
        Canvas {
            size,
            pixels: vec![0.0; size * size],
        }
    }

    /// Draw a polyline given in pixel coordinates with a round pen of `width` pixels.
    pub fn stroke(&mut self, points: &[[f32; 2]], width: f32) {
        for pair in points.windows(2) {
            self.segment(pair[0], pair[1], width * 0.5);
        }
    }

    /// Max-composite a capsule of half-width `r` around segment a–b; edges get a one-pixel
    /// linear ramp so strokes are anti-aliased.
    fn segment(&mut self, a: [f32; 2], b: [f32; 2], r: f32) {
        let pad = r + 1.0;
        let last = self.size as f32 - 1.0;
        let x0 = (a[0].min(b[0]) - pad).floor().clamp(0.0, last) as usize;
        let x1 = (a[0].max(b[0]) + pad).ceil().clamp(0.0, last) as usize;
        let y0 = (a[1].min(b[1]) - pad).floor().clamp(0.0, last) as usize;
        let y1 = (a[1].max(b[1]) + pad).ceil().clamp(0.0, last) as usize;
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = (dx * dx + dy * dy).max(1e-12);
        for y in y0..=y1 {
            // Sample at pixel centres.
            let py = y as f32 + 0.5;
            for x in x0..=x1 {
                let px = x as f32 + 0.5;
                let t = (((px - a[0]) * dx + (py - a[1]) * dy) / len2).clamp(0.0, 1.0);
                let (qx, qy) = (a[0] + t * dx - px, a[1] + t * dy - py);
                let coverage = (r - (qx * qx + qy * qy).sqrt() + 0.5).clamp(0.0, 1.0);
                let cell = &mut self.pixels[y * self.size + x];
                *cell = cell.max(coverage);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stroke_inks_its_path_and_leaves_the_rest_blank() {
        let mut canvas = Canvas::new(16);
        canvas.stroke(&[[2.0, 8.0], [14.0, 8.0]], 2.0);
        assert_eq!(
            canvas.pixels[8 * 16 + 8],
            1.0,
            "pixel on the line is fully inked"
        );
        assert_eq!(
            canvas.pixels[2 * 16 + 8],
            0.0,
            "pixel far above the line is blank"
        );
    }
}
