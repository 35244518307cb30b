//! DiffAugment (Zhao et al. 2020): the same random, differentiable augmentations on every
//! image D sees, real and generated, in D's update and in G's, so D cannot memorise the few
//! real images it has and G is not taught to make augmented images. Two of the paper's
//! policies, the ones for small images: **translation** by up to 1/8 of the side in each
//! direction (zero fill) and **cutout** of a square of half the side at a random place.
//! Both are products with 0/1 matrices built on the host from the game's random stream (so
//! a run stays a function of its seed): rows and columns shift as `T_y · x · T_xᵀ`, the
//! cutout multiplies by a mask; gradients pass through unchanged where pixels survive.

use burn::prelude::*;
use rand::Rng;
use rand::rngs::StdRng;

/// `x` [batch, channels·side²] (all of a row's images share the side, e.g. a source beside
/// its target) translated and cut out, one draw per sample.
pub fn diff_augment(x: Tensor<2>, side: usize, rng: &mut StdRng) -> Tensor<2> {
    let [b, features] = x.dims();
    let c = features / (side * side).max(1);
    if side < 2 || c == 0 {
        return x;
    }
    let reach = (side / 8).max(1) as i64;
    let cut = (side / 2).max(1);
    let (mut rows, mut columns, mut mask) = (
        vec![0.0f32; b * side * side],
        vec![0.0f32; b * side * side],
        vec![1.0f32; b * side * side],
    );
    for i in 0..b {
        let (dy, dx) = (
            rng.random_range(-reach..=reach),
            rng.random_range(-reach..=reach),
        );
        let (cy, cx) = (rng.random_range(0..side), rng.random_range(0..side));
        let plane = i * side * side;
        for o in 0..side {
            // Output row o reads input row o − dy (left multiplication); output column o
            // reads input column o − dx (right multiplication by the transpose).
            let from_y = o as i64 - dy;
            if (0..side as i64).contains(&from_y) {
                rows[plane + o * side + from_y as usize] = 1.0;
            }
            let from_x = o as i64 - dx;
            if (0..side as i64).contains(&from_x) {
                columns[plane + from_x as usize * side + o] = 1.0;
            }
        }
        let (y0, x0) = (cy.saturating_sub(cut / 2), cx.saturating_sub(cut / 2));
        for y in y0..(y0 + cut).min(side) {
            for x in x0..(x0 + cut).min(side) {
                mask[plane + y * side + x] = 0.0;
            }
        }
    }
    let device = x.device();
    let per_sample = |values: Vec<f32>| {
        Tensor::<4>::from_data(TensorData::new(values, [b, 1, side, side]), &device)
            .repeat_dim(1, c)
    };
    let images = x.reshape([b, c, side, side]);
    let moved = per_sample(rows).matmul(images).matmul(per_sample(columns));
    (moved * per_sample(mask)).reshape([b, features])
}
