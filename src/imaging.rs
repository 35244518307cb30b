//! Turning generated samples into pictures: image grids and 2-D scatter plots as RGBA bytes,
//! and PNG files. Pure data in, pure data out; shared by the engine, the CLI and the UI.

/// An RGBA8 image, row-major, `width * height * 4` bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct RgbaImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

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
    let tiles: Vec<RgbaImage> = values
        .chunks_exact(channels * side * side)
        .take(n)
        .map(|image| to_rgba(image, channels, side))
        .collect();
    mosaic(&tiles, columns)
}

/// One image of `channels`×`side`×`side` values in [-1, 1] (channel-major) as RGBA; one
/// channel is shown as gray.
pub fn to_rgba(image: &[f32], channels: usize, side: usize) -> RgbaImage {
    to_rgba_rect(image, channels, (side, side))
}

/// A value in [−1, 1] as a byte (0 → 127.5 rounded; outside values clamped): the inverse of
/// the loaders' byte/127.5 − 1.
pub fn to_byte(v: f32) -> u8 {
    ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8
}

/// [`to_rgba`] for a `height`×`width` image.
pub fn to_rgba_rect(image: &[f32], channels: usize, (height, width): (usize, usize)) -> RgbaImage {
    let plane = height * width;
    let mut pixels = Vec::with_capacity(plane * 4);
    for at in 0..plane {
        let rgb = if channels >= 3 {
            [image[at], image[plane + at], image[2 * plane + at]].map(to_byte)
        } else {
            [to_byte(image[at]); 3]
        };
        pixels.extend_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
    }
    RgbaImage {
        width,
        height,
        pixels,
    }
}

/// Equal-sized tiles laid out `columns` wide with a [`GAP`]-pixel border between and around.
pub fn mosaic(tiles: &[RgbaImage], columns: usize) -> RgbaImage {
    let columns = columns.max(1);
    let (tw, th) = tiles.first().map_or((0, 0), |t| (t.width, t.height));
    let rows = tiles.len().div_ceil(columns);
    let width = columns * tw + (columns + 1) * GAP;
    let height = rows * th + (rows + 1) * GAP;
    let mut pixels: Vec<u8> = GAP_RGBA.repeat(width * height);
    for (i, tile) in tiles.iter().enumerate() {
        let (ox, oy) = (
            GAP + (i % columns) * (tw + GAP),
            GAP + (i / columns) * (th + GAP),
        );
        for y in 0..th {
            let o = ((oy + y) * width + ox) * 4;
            pixels[o..o + tw * 4].copy_from_slice(&tile.pixels[y * tw * 4..(y + 1) * tw * 4]);
        }
    }
    RgbaImage {
        width,
        height,
        pixels,
    }
}

/// `image` enlarged `factor` times, each pixel a `factor`×`factor` block (nearest neighbour:
/// a 32-px sample stays sharp at 256 px).
pub fn enlarge_nearest(image: &RgbaImage, factor: usize) -> RgbaImage {
    let factor = factor.max(1);
    let (width, height) = (image.width * factor, image.height * factor);
    let mut pixels = Vec::with_capacity(width * height * 4);
    for y in 0..height {
        let row = &image.pixels[(y / factor) * image.width * 4..][..image.width * 4];
        for pixel in row.chunks_exact(4) {
            for _ in 0..factor {
                pixels.extend_from_slice(pixel);
            }
        }
    }
    RgbaImage {
        width,
        height,
        pixels,
    }
}

/// Which tile of a [`mosaic`] `columns` wide, of `width` pixels and `tiles` tiles, lies
/// under the pixel (x, y); `None` on a gap or outside.
pub fn tile_at(width: usize, columns: usize, tiles: usize, x: f32, y: f32) -> Option<usize> {
    let columns = columns.max(1);
    let side = width.checked_sub((columns + 1) * GAP)? / columns;
    let pitch = (side + GAP) as f32;
    let (gx, gy) = (x - GAP as f32, y - GAP as f32);
    if gx < 0.0 || gy < 0.0 || side == 0 {
        return None;
    }
    let (column, row) = ((gx / pitch) as usize, (gy / pitch) as usize);
    let inside = gx - column as f32 * pitch < side as f32 && gy - row as f32 * pitch < side as f32;
    let index = row * columns + column;
    (inside && column < columns && index < tiles).then_some(index)
}

/// The pixel rectangle `[x, y, side, side]` of tile `index` in a [`mosaic`] `columns` wide and
/// `width` pixels wide (the inverse of [`tile_at`]).
pub fn tile_rect(width: usize, columns: usize, index: usize) -> Option<[usize; 3]> {
    let columns = columns.max(1);
    let side = width.checked_sub((columns + 1) * GAP)? / columns;
    let (column, row) = (index % columns, index / columns);
    Some([GAP + column * (side + GAP), GAP + row * (side + GAP), side])
}

/// Tile `index` of a mosaic `columns` wide read back as an image of `channels` (1: the red
/// byte; 3: RGB), channel-major, values in [-1, 1] (what [`to_rgba`] wrote, to 8 bits).
pub fn tile_values(
    image: &RgbaImage,
    columns: usize,
    index: usize,
    channels: usize,
) -> Option<(Vec<f32>, usize)> {
    let [x0, y0, side] = tile_rect(image.width, columns, index)?;
    if side == 0 || y0 + side > image.height || x0 + side > image.width {
        return None;
    }
    let plane = side * side;
    let mut values = vec![0.0f32; channels * plane];
    for y in 0..side {
        for x in 0..side {
            let at = ((y0 + y) * image.width + x0 + x) * 4;
            for c in 0..channels.min(3) {
                let byte = *image.pixels.get(at + c)?;
                values[c * plane + y * side + x] = f32::from(byte) / 127.5 - 1.0;
            }
        }
    }
    Some((values, side))
}

/// Columns for a square-ish grid of `n` tiles.
pub fn grid_columns(n: usize) -> usize {
    (n as f64).sqrt().ceil().max(1.0) as usize
}

/// Side of the scatter pictures written for 2-D samples (PNG files and exports).
pub const SCATTER_PX: usize = 512;

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

/// Write an RGBA image as PNG (whatever the path's extension).
pub fn save_png(image: &RgbaImage, path: &std::path::Path) -> anyhow::Result<()> {
    image::save_buffer_with_format(
        path,
        &image.pixels,
        image.width as u32,
        image.height as u32,
        image::ExtendedColorType::Rgba8,
        image::ImageFormat::Png,
    )?;
    Ok(())
}

/// How an animation loops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Playback {
    /// First to last, then again.
    Forward,
    /// First to last and back (an interpolation walk).
    ThereAndBack,
}

/// Write frames as an animated GIF that loops forever, showing each frame for `frame_ms`
/// milliseconds. `on_frame(done, total)` is called after each frame is encoded; when it
/// returns false the file is removed and the write ends with [`Cancelled`].
pub fn save_gif(
    frames: &[RgbaImage],
    frame_ms: u32,
    playback: Playback,
    path: &std::path::Path,
    on_frame: &mut dyn FnMut(usize, usize) -> bool,
) -> anyhow::Result<()> {
    let back_frames = match playback {
        Playback::Forward => 0,
        Playback::ThereAndBack => frames.len().saturating_sub(2),
    };
    let back = frames.iter().rev().skip(1).take(back_frames);
    let sequence: Vec<&RgbaImage> = frames.iter().chain(back).collect();
    let written = encode_gif(&sequence, frame_ms, path, on_frame);
    if written.as_ref().is_err_and(|e| e.is::<Cancelled>()) {
        let _ = std::fs::remove_file(path);
    }
    written
}

/// A long write stopped because the user cancelled it.
#[derive(Debug, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// Encode `sequence`, in order, into a looping GIF at `path`.
fn encode_gif(
    sequence: &[&RgbaImage],
    frame_ms: u32,
    path: &std::path::Path,
    on_frame: &mut dyn FnMut(usize, usize) -> bool,
) -> anyhow::Result<()> {
    use image::codecs::gif::{GifEncoder, Repeat};
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = GifEncoder::new_with_speed(file, 10);
    encoder.set_repeat(Repeat::Infinite)?;
    let total = sequence.len();
    for (i, frame) in sequence.iter().enumerate() {
        let buffer = image::RgbaImage::from_raw(
            frame.width as u32,
            frame.height as u32,
            frame.pixels.clone(),
        )
        .ok_or_else(|| anyhow::anyhow!("a frame's size does not match its pixels"))?;
        let delay = image::Delay::from_numer_denom_ms(frame_ms, 1);
        encoder.encode_frame(image::Frame::from_parts(buffer, 0, 0, delay))?;
        if !on_frame(i + 1, total) {
            return Err(Cancelled.into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enlarging_repeats_each_pixel_in_a_block() {
        let image = RgbaImage {
            width: 2,
            height: 1,
            pixels: vec![1, 2, 3, 4, 5, 6, 7, 8],
        };
        let big = enlarge_nearest(&image, 3);
        assert_eq!((big.width, big.height), (6, 3));
        assert_eq!(&big.pixels[..12], &[1, 2, 3, 4].repeat(3)[..]);
        assert_eq!(&big.pixels[12..24], &[5, 6, 7, 8].repeat(3)[..]);
        assert_eq!(
            big.pixels[24..48],
            big.pixels[..24],
            "every row of a block alike"
        );
    }

    #[test]
    fn tile_rect_is_the_inverse_of_tile_at() {
        let (width, columns, tiles) = (4 * 30 + 5 * GAP, 4, 14);
        for index in 0..tiles {
            let [x, y, side] = tile_rect(width, columns, index).unwrap_or_default();
            let centre = (x + side / 2) as f32;
            assert_eq!(
                tile_at(width, columns, tiles, centre, (y + side / 2) as f32),
                Some(index)
            );
        }
    }

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
    fn tile_at_inverts_the_mosaic_layout() {
        let tiles: Vec<RgbaImage> = (0..5).map(|_| to_rgba(&[0.0; 16], 1, 4)).collect();
        let grid = mosaic(&tiles, 3);
        assert_eq!(grid.width, 3 * 4 + 4 * GAP);
        let centre = |c: usize, r: usize| {
            let at = |i: usize| (GAP + i * (4 + GAP) + 2) as f32;
            (at(c), at(r))
        };
        for i in 0..5 {
            let (x, y) = centre(i % 3, i / 3);
            assert_eq!(tile_at(grid.width, 3, 5, x, y), Some(i));
        }
        let (x, y) = centre(2, 1);
        assert_eq!(tile_at(grid.width, 3, 5, x, y), None, "no sixth tile");
        assert_eq!(tile_at(grid.width, 3, 5, 0.5, 0.5), None, "border");
    }

    #[test]
    fn gif_plays_there_and_back() {
        let frames: Vec<RgbaImage> = (0..4)
            .map(|i| to_rgba(&[i as f32 / 4.0; 4], 1, 2))
            .collect();
        let dir = std::env::temp_dir().join(format!("ganscope-gif-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let path = dir.join("walk.gif");
        let mut reported = Vec::new();
        save_gif(
            &frames,
            80,
            Playback::ThereAndBack,
            &path,
            &mut |done, total| {
                reported.push((done, total));
                true
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reported.last(), Some(&(6, 6)), "progress over every frame");
        let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let decoder = image::codecs::gif::GifDecoder::new(std::io::BufReader::new(file))
            .unwrap_or_else(|e| panic!("{e}"));
        use image::AnimationDecoder;
        let decoded = decoder
            .into_frames()
            .collect_frames()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            decoded.len(),
            4 + 2,
            "forwards 0..3, then back through 2 and 1"
        );
        let cancelled = save_gif(&frames, 80, Playback::Forward, &path, &mut |done, _| {
            done < 2
        });
        assert!(cancelled.is_err_and(|e| e.is::<Cancelled>()));
        assert!(!path.exists(), "a cancelled GIF leaves no file");
        let _ = std::fs::remove_dir_all(&dir);
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
