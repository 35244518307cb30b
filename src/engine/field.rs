//! What the discriminator thinks of the plane, for the GAN Lab-style 2-D view: D's output as a
//! heat map over a grid, and the direction in which G's loss pushes each generated point
//! (minus the gradient of G's loss with respect to the point, through the current D).
//!
//! A packing D (PacGAN) judges `pack` samples at once; a single point is judged as a pack of
//! copies of itself. The heat map shows the probability "real" for logistic losses, and the
//! raw score rescaled to [0, 1] over the view for score-based ones (their scale and offset
//! carry no meaning).

use super::loss;
use crate::engine::ReadBack;
use crate::models::Discriminator;
use crate::preset::GameSpec;
use crate::protocol::Field;
use burn::prelude::*;
use burn::tensor::activation::sigmoid;

/// D's raw output for each single sample of `x` ([n, features]) of class `labels` (a
/// conditional D), judged as a pack of copies.
pub fn single_scores(
    d: &Discriminator,
    x: Tensor<2>,
    labels: Option<&Tensor<1, Int>>,
    pack: usize,
) -> Tensor<2> {
    d.forward(if pack > 1 { x.repeat_dim(1, pack) } else { x }, labels)
}

fn to_tensor(points: &[[f32; 2]], device: &Device) -> Tensor<2> {
    let flat: Vec<f32> = points.iter().flatten().copied().collect();
    Tensor::from_data(TensorData::new(flat, [points.len(), 2]), device)
}

fn read(tensor: Tensor<2>) -> Vec<f32> {
    tensor.read_f32s()
}

/// D's probability "real" at the centres of an `n`×`n` grid over `bounds`
/// (`[x_min, x_max, y_min, y_max]`), row 0 at `y_min`, column 0 at `x_min`.
pub fn d_field(
    d: &Discriminator,
    game: &GameSpec,
    bounds: [f32; 4],
    n: usize,
    device: &Device,
) -> Field {
    let centre = |i: usize, lo: f32, hi: f32| lo + (i as f32 + 0.5) * (hi - lo) / n as f32;
    let grid: Vec<[f32; 2]> = (0..n)
        .flat_map(|row| {
            (0..n).map(move |col| {
                [
                    centre(col, bounds[0], bounds[1]),
                    centre(row, bounds[2], bounds[3]),
                ]
            })
        })
        .collect();
    let scores = single_scores(d, to_tensor(&grid, device), None, game.pack);
    let values = if game.loss.is_logistic() {
        read(sigmoid(scores))
    } else {
        rescaled(read(scores))
    };
    Field { n, bounds, values }
}

/// Values mapped linearly onto [0, 1] (all ½ when they are equal).
fn rescaled(values: Vec<f32>) -> Vec<f32> {
    let lo = values.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let span = hi - lo;
    values
        .into_iter()
        .map(|v| if span > 0.0 { (v - lo) / span } else { 0.5 })
        .collect()
}

/// For each point, −∂L_G/∂x: where the generator's loss pushes a generated point. `device`
/// must be an autodiff device (the one `d` trains on).
pub fn push_directions(
    d: &Discriminator,
    game: &GameSpec,
    points: &[[f32; 2]],
    device: &Device,
) -> Vec<[f32; 2]> {
    if points.is_empty() {
        return Vec::new();
    }
    let x = to_tensor(points, device).require_grad();
    let scores = single_scores(d, x.clone(), None, game.pack);
    let grads = loss::generator(game.loss, scores).backward();
    let gradient = x
        .grad(&grads)
        .map(read)
        .unwrap_or_else(|| vec![0.0; points.len() * 2]);
    gradient.chunks_exact(2).map(|g| [-g[0], -g[1]]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::mlp::MlpDiscriminator;

    /// D(x) = σ(2·x₀ − 1): more "real" to the right.
    fn rightward(device: &Device) -> Discriminator {
        Discriminator::Mlp(MlpDiscriminator::linear([2.0, 0.0], -1.0, device))
    }

    #[test]
    fn the_heat_map_has_the_grid_shape_and_probabilities() {
        let device = Device::flex();
        let game = GameSpec::default();
        let field = d_field(
            &rightward(&device),
            &game,
            [-2.0, 2.0, -1.0, 1.0],
            8,
            &device,
        );
        assert_eq!(field.values.len(), 64);
        assert!(field.values.iter().all(|v| (0.0..=1.0).contains(v)));
        let row = &field.values[0..8];
        assert!(
            row.windows(2).all(|w| w[1] > w[0]),
            "rises to the right: {row:?}"
        );
        assert!((field.values[8..16][3] - row[3]).abs() < 1e-6, "flat in y");
    }

    #[test]
    fn arrows_point_toward_higher_d() {
        let device = Device::flex().autodiff();
        let game = GameSpec::default();
        let pushes = push_directions(
            &rightward(&device),
            &game,
            &[[0.0, 0.0], [1.0, -1.0]],
            &device,
        );
        assert_eq!(pushes.len(), 2);
        for p in pushes {
            assert!(p[0] > 0.0 && p[1].abs() < 1e-6, "{p:?}");
        }
    }
}
