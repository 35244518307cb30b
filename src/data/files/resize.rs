//! Fitting a grey image into a square of the preset's side: centre-crop to a square, then
//! pad (a source up to 8 px smaller, centred on zero), reduce by area averaging (larger), or
//! enlarge bilinearly (much smaller).

/// The most a source may be padded rather than enlarged.
const PAD_LIMIT: usize = 8;

/// `image` (`rows` × `columns` bytes, row-major) as a `side`² square.
pub fn fit(image: &[u8], rows: usize, columns: usize, side: usize) -> Vec<u8> {
    let square = rows.min(columns);
    let (top, left) = ((rows - square) / 2, (columns - square) / 2);
    let at = |y: usize, x: usize| image[(top + y) * columns + left + x];
    if square == side {
        return (0..side * side).map(|i| at(i / side, i % side)).collect();
    }
    if square < side && side - square <= PAD_LIMIT {
        let offset = (side - square) / 2;
        let mut out = vec![0u8; side * side];
        for y in 0..square {
            for x in 0..square {
                out[(y + offset) * side + x + offset] = at(y, x);
            }
        }
        return out;
    }
    let scale = square as f32 / side as f32;
    (0..side * side)
        .map(|i| {
            let (y, x) = ((i / side) as f32, (i % side) as f32);
            let value = if square > side {
                // The mean over the source cells this output pixel covers.
                let (y0, y1) = (y * scale, (y + 1.0) * scale);
                let (x0, x1) = (x * scale, (x + 1.0) * scale);
                let mut sum = 0.0f32;
                let mut weight = 0.0f32;
                for sy in y0.floor() as usize..(y1.ceil() as usize).min(square) {
                    let wy = (y1.min(sy as f32 + 1.0) - y0.max(sy as f32)).max(0.0);
                    for sx in x0.floor() as usize..(x1.ceil() as usize).min(square) {
                        let wx = (x1.min(sx as f32 + 1.0) - x0.max(sx as f32)).max(0.0);
                        sum += f32::from(at(sy, sx)) * wx * wy;
                        weight += wx * wy;
                    }
                }
                sum / weight.max(f32::MIN_POSITIVE)
            } else {
                // Bilinear between the four nearest source centres.
                let sy = ((y + 0.5) * scale - 0.5).clamp(0.0, (square - 1) as f32);
                let sx = ((x + 0.5) * scale - 0.5).clamp(0.0, (square - 1) as f32);
                let (y0, x0) = (sy.floor() as usize, sx.floor() as usize);
                let (y1, x1) = ((y0 + 1).min(square - 1), (x0 + 1).min(square - 1));
                let (fy, fx) = (sy - y0 as f32, sx - x0 as f32);
                let top = f32::from(at(y0, x0)) * (1.0 - fx) + f32::from(at(y0, x1)) * fx;
                let bottom = f32::from(at(y1, x0)) * (1.0 - fx) + f32::from(at(y1, x1)) * fx;
                top * (1.0 - fy) + bottom * fy
            };
            value.round().clamp(0.0, 255.0) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_reduces_and_enlarges() {
        let image: Vec<u8> = (0..28 * 28).map(|i| (i % 251) as u8).collect();
        let padded = fit(&image, 28, 28, 32);
        assert_eq!(padded[2 * 32 + 2], image[0]);
        assert_eq!(padded[0], 0);
        let flat = vec![200u8; 64 * 48];
        assert!(
            fit(&flat, 64, 48, 16).iter().all(|&v| v == 200),
            "area mean of a flat image"
        );
        assert!(
            fit(&[10, 20, 30, 40], 2, 2, 16)
                .iter()
                .all(|&v| (10..=40).contains(&v))
        );
    }
}
