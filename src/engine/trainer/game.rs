//! The pieces of a step that the game's settings switch on: packing D's input (PacGAN),
//! instance noise, the penalty on D's input gradient, weight clipping, the moving average of
//! G, and the optimizers.

use crate::engine::loss;
use crate::kernels::optim::{FusedAdam, FusedRmsProp};
use crate::models::{Discriminator, Generator, GradientSource, estimate};
use crate::preset::{GameSpec, OptimizerKind, PenaltyKind, TrainSpec};
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::optim::ModuleOptimizer;
use burn::prelude::*;
use rand::Rng;
use rand::rngs::StdRng;
use rand_distr::StandardNormal;
use std::collections::VecDeque;

/// The optimizer the game asks for, with the preset's betas for Adam; RMSProp without
/// momentum, as the weight-clipped WGAN paper trains (burn's default would add 0.9).
pub fn optimizer(game: &GameSpec, train: &TrainSpec) -> ModuleOptimizer {
    match game.optimizer {
        OptimizerKind::Adam => FusedAdam::new(train.beta1, train.beta2).init(),
        OptimizerKind::Rmsprop => FusedRmsProp::new().init(),
    }
}

/// `pack` consecutive samples side by side: [batch, features] → [batch / pack, pack · features]
/// (for images, stacked along the channels).
pub fn pack(x: Tensor<2>, pack: usize) -> Tensor<2> {
    if pack == 1 {
        return x;
    }
    let [batch, features] = x.dims();
    x.reshape([batch / pack, pack * features])
}

/// `x` plus Gaussian noise of standard deviation `std`, drawn on the host from `rng`.
pub fn with_noise(x: Tensor<2>, std: f32, rng: &mut StdRng) -> Tensor<2> {
    if std == 0.0 {
        return x;
    }
    let dims = x.dims();
    let values: Vec<f32> = (0..dims[0] * dims[1])
        .map(|_| {
            std * <StandardNormal as rand_distr::Distribution<f32>>::sample(&StandardNormal, rng)
        })
        .collect();
    let noise = Tensor::from_data(TensorData::new(values, dims), &x.device());
    x + noise
}

/// The penalty on D's input gradient (a [1] tensor), `None` when the game has none: WGAN-GP
/// at random interpolates between `real` and `fake` (both as D sees them), R1 at `real`; with
/// D's exact adjoint where its family has one, estimated otherwise (see `models::estimate`).
pub fn penalty(
    d: &Discriminator,
    kind: PenaltyKind,
    weight: f32,
    real: &Tensor<2>,
    fake: &Tensor<2>,
    labels: Option<&Tensor<1, Int>>,
    rng: &mut StdRng,
) -> Result<Option<Tensor<1>>, String> {
    let at = match kind {
        PenaltyKind::None => return Ok(None),
        PenaltyKind::Gradient => {
            let [batch, _] = real.dims();
            let mix: Vec<f32> = (0..batch).map(|_| rng.random::<f32>()).collect();
            let eps = Tensor::<2>::from_data(TensorData::new(mix, [batch, 1]), &real.device());
            real.clone().detach() * eps.clone() + fake.clone().detach() * eps.neg().add_scalar(1.0)
        }
        PenaltyKind::R1 => real.clone().detach(),
    };
    let penalty = match d.gradient_source()? {
        GradientSource::Exact => {
            let g = d.input_gradient(at, labels)?;
            match kind {
                PenaltyKind::R1 => loss::r1_penalty(g, weight),
                _ => loss::gradient_penalty(g, weight),
            }
        }
        GradientSource::Estimated => {
            let labels = labels.map(|l| l.clone().repeat_dim(0, estimate::DIRECTIONS));
            let squared = estimate::squared_norms(|x| d.forward(x, labels.as_ref()), at, rng);
            match kind {
                PenaltyKind::R1 => estimate::r1_penalty(squared, weight),
                _ => estimate::gradient_penalty(squared, weight),
            }
        }
    };
    Ok(Some(penalty))
}

/// Clamps every float parameter into [−c, c] (the weight-clipped WGAN critic).
struct Clip(f64);

impl ModuleMapper for Clip {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let c = self.0;
        // A fresh leaf, like the optimizer's output: the clamp must not join the next step's
        // graph to this one's.
        param.map(|t| {
            let tracked = t.is_require_grad();
            let clipped = t.clamp(-c, c).detach();
            if tracked {
                clipped.require_grad()
            } else {
                clipped
            }
        })
    }
}

/// D with every weight clipped into [−c, c].
pub fn clipped(d: Discriminator, c: f32) -> Discriminator {
    d.map(&mut Clip(f64::from(c)))
}

/// Collects a module's float parameters, flattened, in visiting order.
struct Flatten(VecDeque<Tensor<1>>);

impl ModuleVisitor for Flatten {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0.push_back(param.val().flatten(0, D - 1));
    }
}

/// Blends each float parameter toward the next of `current` (same visiting order).
struct Blend {
    current: VecDeque<Tensor<1>>,
    keep: f64,
}

impl ModuleMapper for Blend {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let Some(now) = self.current.pop_front() else {
            return param;
        };
        let keep = self.keep;
        param.map(|old| {
            let shape = old.shape();
            old.mul_scalar(keep) + now.reshape(shape).mul_scalar(1.0 - keep)
        })
    }
}

/// The moving average `ema ← decay·ema + (1 − decay)·g` of G's weights (`g` without
/// autodiff, same architecture).
pub fn blend(ema: Generator, g: &Generator, decay: f32) -> Generator {
    let mut flat = Flatten(VecDeque::new());
    g.visit(&mut flat);
    ema.map(&mut Blend {
        current: flat.0,
        keep: f64::from(decay),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::mlp::{MlpDiscriminator, MlpGenerator};

    /// Every float parameter of a module, flattened.
    fn values(module: &impl Module) -> Vec<f32> {
        let mut flat = Flatten(VecDeque::new());
        module.visit(&mut flat);
        flat.0
            .into_iter()
            .flat_map(|t| t.into_data().try_to_vec::<f32>().unwrap_or_default())
            .collect()
    }

    #[test]
    fn clipping_keeps_every_weight_inside_c() {
        let device = Device::flex();
        let d = crate::models::seeded(&device, 5, || {
            Discriminator::Mlp(MlpDiscriminator::new(2, 16, 2, false, None, &device))
        });
        assert!(
            values(&d).iter().any(|v| v.abs() > 0.01),
            "some start outside"
        );
        let clipped = clipped(d, 0.01);
        assert!(values(&clipped).iter().all(|v| v.abs() <= 0.01));
    }

    #[test]
    fn the_moving_average_moves_a_fraction_toward_g() {
        let device = Device::flex();
        let build = || Generator::Mlp(MlpGenerator::new(2, 8, 1, 2, false, None, &device));
        let a = crate::models::seeded(&device, 6, build);
        let b = crate::models::seeded(&device, 7, build);
        let blended = values(&blend(a.clone(), &b, 0.9));
        for ((x, y), z) in values(&a).iter().zip(values(&b)).zip(blended) {
            assert!((z - (0.9 * x + 0.1 * y)).abs() < 1e-6);
        }
    }

    #[test]
    fn packing_puts_consecutive_samples_side_by_side() {
        let device = Device::flex();
        let x = Tensor::<2>::from_data(
            TensorData::new((0..8).map(|v| v as f32).collect(), [4, 2]),
            &device,
        );
        let packed = pack(x, 2);
        assert_eq!(packed.dims(), [2, 4]);
        let values = packed.into_data().try_to_vec::<f32>().unwrap_or_default();
        assert_eq!(values[..4], [0.0, 1.0, 2.0, 3.0]);
    }
}
