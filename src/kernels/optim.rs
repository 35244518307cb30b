//! Adam and RMSProp in one pass over each parameter tensor on the CPU.
//!
//! burn's Adam builds each update from about a dozen whole-tensor operations (scale the
//! moments, square the gradient, add, square root, divide, scale, subtract), each a pass
//! over memory with its own allocation. [`FusedAdam`] reads the parameter, its gradient and
//! both moments once and writes the three new tensors once, with the same arithmetic in the
//! same order in `f32` as burn's, so the results are bit for bit burn's (a test holds it to
//! that over several steps). Its state is burn's [`AdamState`], so checkpoints written with
//! either optimizer load into the other. On any device but the CPU (or in another float
//! type) each step is burn's own Adam. [`FusedRmsProp`] does the same for RMSProp without
//! momentum (as the weight-clipped WGAN trains its critic), keeping burn's `RmsPropState`.

use super::folds_on;
use burn::optim::{
    Adam, AdamConfig, AdamState, AdaptiveMomentumState, CenteredState, LearningRate,
    ModuleOptimizer, Optimizer, RmsProp, RmsPropConfig, RmsPropState, SquareAvgState,
};
use burn::prelude::*;
use burn::tensor::{DType, TensorData};

/// burn's default ε for Adam and RMSProp, which ganscope's presets use.
const EPSILON: f32 = 1e-5;

/// Adam (no weight decay, no AMSGrad) with a fused CPU step.
#[derive(Clone)]
pub struct FusedAdam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    /// burn's Adam with the same settings, for the devices the fused step does not serve.
    builtin: Adam,
}

impl FusedAdam {
    pub fn new(beta_1: f32, beta_2: f32) -> FusedAdam {
        FusedAdam {
            beta_1,
            beta_2,
            epsilon: EPSILON,
            builtin: AdamConfig::new()
                .with_beta_1(beta_1)
                .with_beta_2(beta_2)
                .with_epsilon(EPSILON)
                .build(),
        }
    }

    /// The optimizer for a whole module.
    pub fn init(self) -> ModuleOptimizer {
        ModuleOptimizer::from(self)
    }
}

/// A tensor's values as an owned `f32` vector: its own buffer when the tensor held the only
/// reference to suitably aligned `f32` storage, a copy otherwise (converted, for another
/// float type). Never fails.
fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    let data = t.into_data();
    if data.dtype() != DType::F32 {
        return data.iter::<f32>().collect();
    }
    match data.into_bytes().try_into_vec::<f32>() {
        Ok(values) => values,
        Err(bytes) => bytes
            .chunks_exact(4)
            .map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
    }
}

/// Whether a step can be fused: the parameter on the CPU, it, its gradient and the state's
/// tensors (`state_f32`) in `f32`.
fn fusable<const D: usize>(tensor: &Tensor<D>, grad: &Tensor<D>, state_f32: bool) -> bool {
    folds_on(&tensor.device(), tensor.dtype()) && grad.dtype() == DType::F32 && state_f32
}

/// `values` as a tensor of `shape` on `device` (no copy).
fn rebuild<const D: usize>(values: Vec<f32>, shape: &Shape, device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values, shape.clone()), device)
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let moments_f32 = state.as_ref().is_none_or(|s| {
            s.momentum.moment_1.dtype() == DType::F32 && s.momentum.moment_2.dtype() == DType::F32
        });
        if !fusable(&tensor, &grad, moments_f32) {
            return self.builtin.step(lr, tensor, grad, state);
        }
        let (device, shape) = (tensor.device(), tensor.shape());
        let time = state.as_ref().map_or(0, |s| s.momentum.time) + 1;
        let fresh = state.is_none();
        let (mut param, grad) = (values(tensor), values(grad));
        let (mut m, mut v) = match state {
            Some(s) => (values(s.momentum.moment_1), values(s.momentum.moment_2)),
            None => (vec![0.0; param.len()], vec![0.0; param.len()]),
        };
        let (b1, b2) = (self.beta_1, self.beta_2);
        let (f1, f2) = (1.0 - b1, 1.0 - b2);
        // As burn: the bias corrections folded into one factor and into ε.
        let correction_2 = (1.0 - b2.powi(time as i32)).sqrt();
        let factor = correction_2 / (1.0 - b1.powi(time as i32));
        let epsilon = self.epsilon * correction_2;
        let lr = lr as f32;
        for (((p, g), m), v) in param.iter_mut().zip(&grad).zip(&mut m).zip(&mut v) {
            if fresh {
                *m = g * f1;
                *v = (g * g) * f2;
            } else {
                *m = *m * b1 + g * f1;
                *v = *v * b2 + (g * g) * f2;
            }
            let update = (*m * factor) / (v.sqrt() + epsilon);
            *p -= update * lr;
        }
        let tensor = |values: Vec<f32>| rebuild::<D>(values, &shape, &device);
        let momentum = AdaptiveMomentumState::new(time, tensor(m), tensor(v));
        (tensor(param), Some(AdamState::new(momentum)))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        // burn moves the state before every step; a move to the device it is on would copy.
        if state.momentum.moment_1.device() == *device {
            return state;
        }
        <Adam as Optimizer>::to_device(state, device)
    }
}

/// RMSProp's smoothing constant (burn's default, the WGAN paper's).
const ALPHA: f32 = 0.99;

/// RMSProp without momentum, not centred, no weight decay, with a fused CPU step.
#[derive(Clone)]
pub struct FusedRmsProp {
    builtin: RmsProp,
}

impl FusedRmsProp {
    pub fn new() -> FusedRmsProp {
        FusedRmsProp {
            builtin: RmsPropConfig::new()
                .with_alpha(ALPHA)
                .with_momentum(0.0)
                .with_epsilon(EPSILON)
                .build(),
        }
    }

    /// The optimizer for a whole module.
    pub fn init(self) -> ModuleOptimizer {
        ModuleOptimizer::from(self)
    }
}

impl Default for FusedRmsProp {
    fn default() -> Self {
        FusedRmsProp::new()
    }
}

impl Optimizer for FusedRmsProp {
    type State<const D: usize> = RmsPropState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let average_f32 = state
            .as_ref()
            .is_none_or(|s| s.square_avg.square_avg.dtype() == DType::F32);
        if !fusable(&tensor, &grad, average_f32) {
            return self.builtin.step(lr, tensor, grad, state);
        }
        let (device, shape) = (tensor.device(), tensor.shape());
        let fresh = state.is_none();
        let (mut param, grad) = (values(tensor), values(grad));
        let mut average = match state {
            Some(s) => values(s.square_avg.square_avg),
            None => vec![0.0; param.len()],
        };
        let (alpha, rest, lr) = (ALPHA, 1.0 - ALPHA, lr as f32);
        for ((p, g), a) in param.iter_mut().zip(&grad).zip(&mut average) {
            // As burn: the running average of g², then g / (√avg + ε), then the step.
            *a = if fresh {
                (g * g) * rest
            } else {
                *a * alpha + (g * g) * rest
            };
            let update = g / (a.sqrt() + EPSILON);
            *p -= update * lr;
        }
        let tensor = |values: Vec<f32>| rebuild::<D>(values, &shape, &device);
        let average = tensor(average);
        let centred = CenteredState::new(None, average.clone());
        let state = RmsPropState::new(SquareAvgState::new(average), centred, None);
        (tensor(param), Some(state))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        // As for Adam: no copy when the state is already there.
        if state.square_avg.square_avg.device() == *device {
            return state;
        }
        <RmsProp as Optimizer>::to_device(state, device)
    }
}
