//! Turning generated samples into pictures: image grids and 2-D scatter plots as RGBA bytes,
//! and PNG files. Pure data in, pure data out; shared by the engine, the CLI and the UI.

use crate::protocol::RgbaImage;

/// Pixels between tiles of a grid.
const GAP: usize = 2;
const GAP_RGBA: [u8; 4] = [24, 24, 28, 255];

/// Tile `n` images of `channels`×`side`×`side` (values in [-1, 1], channel-major per image)
/// into a grid `columns` wide.
pub fn tile_grid(
    values: &[f32],
    n: usize,
    channels: usize,
    side: usize,
    columns: usize,
) -> RgbaImage {
    let columns = columns.max(1);
    let rows = n.div_ceil(columns);
    let width = columns * side + (columns + 1) * GAP;
    let height = rows * side + (rows + 1) * GAP;
    let mut pixels: Vec<u8> = GAP_RGBA.repeat(width * height);
    let plane = side * side;
    let to_byte = |v: f32| ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8;
    for i in 0..n {
        let image = &values[i * channels * plane..(i + 1) * channels * plane];
        let (ox, oy) = (
            GAP + (i % columns) * (side + GAP),
            GAP + (i / columns) * (side + GAP),
        );
        for y in 0..side {
            for x in 0..side {
                let at = y * side + x;
                let rgb = if channels >= 3 {
                    [image[at], image[plane + at], image[2 * plane + at]].map(to_byte)
                } else {
                    [to_byte(image[at]); 3]
                };
                let o = ((oy + y) * width + ox + x) * 4;
                pixels[o..o + 3].copy_from_slice(&rgb);
            }
        }
    }
    RgbaImage {
        width,
        height,
        pixels,
    }
}

/// Columns for a square-ish grid of `n` tiles.
pub fn grid_columns(n: usize) -> usize {
    (n as f64).sqrt().ceil().max(1.0) as usize
}

pub const REAL_RGBA: [u8; 4] = [90, 160, 255, 255];
pub const FAKE_RGBA: [u8; 4] = [255, 140, 40, 255];

/// A `size`×`size` scatter plot of real (blue) and generated (orange) points on fixed axes
/// `[x_min, x_max, y_min, y_max]`; points outside the axes are left out.
pub fn scatter(real: &[[f32; 2]], fake: &[[f32; 2]], bounds: [f32; 4], size: usize) -> RgbaImage {
    let mut pixels: Vec<u8> = [16, 16, 20, 255].repeat(size * size);
    let scale = |v: f32, lo: f32, hi: f32| (v - lo) / (hi - lo) * (size as f32 - 1.0);
    for (points, color) in [(real, REAL_RGBA), (fake, FAKE_RGBA)] {
        for p in points {
            let x = scale(p[0], bounds[0], bounds[1]).round();
            // Screen y grows downwards; data y grows upwards.
            let y = (size as f32 - 1.0) - scale(p[1], bounds[2], bounds[3]).round();
            if !(x >= 0.0 && y >= 0.0 && x < size as f32 && y < size as f32) {
                continue;
            }
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let (px, py) = (x as usize + dx, y as usize + dy);
                if px < size && py < size {
                    let o = (py * size + px) * 4;
                    pixels[o..o + 4].copy_from_slice(&color);
                }
            }
        }
    }
    RgbaImage {
        width: size,
        height: size,
        pixels,
    }
}

/// Write an RGBA image as PNG.
pub fn save_png(image: &RgbaImage, path: &std::path::Path) -> anyhow::Result<()> {
    image::save_buffer(
        path,
        &image.pixels,
        image.width as u32,
        image.height as u32,
        image::ExtendedColorType::Rgba8,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_has_the_expected_size_and_maps_values_to_bytes() {
        let values = vec![-1.0, 1.0, 1.0, -1.0, 0.0, 0.0, 0.0, 0.0];
        let grid = tile_grid(&values, 2, 1, 2, 2);
        assert_eq!((grid.width, grid.height), (2 * 2 + 3 * GAP, 2 + 2 * GAP));
        let first = ((GAP * grid.width) + GAP) * 4;
        assert_eq!(grid.pixels[first], 0, "-1 maps to black");
        assert_eq!(grid.pixels[first + 4], 255, "+1 maps to white");
    }

    #[test]
    fn scatter_puts_points_where_the_axes_say() {
        let img = scatter(&[[0.0, 0.0]], &[], [-1.0, 1.0, -1.0, 1.0], 11);
        let centre = (5 * 11 + 5) * 4;
        assert_eq!(
            img.pixels[centre..centre + 4],
            REAL_RGBA,
            "origin is the centre pixel"
        );
    }
}
