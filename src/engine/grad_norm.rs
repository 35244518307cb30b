//! The global L2 norm of a module's gradients, as one device tensor (read back with the
//! losses, so it costs no extra sync).

use burn::module::{Module, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::Gradients;

struct SquaredSum<'a> {
    grads: &'a Gradients,
    total: Option<Tensor<1>>,
}

impl ModuleVisitor for SquaredSum<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(grad) = param.val().grad(self.grads) {
            let sum = grad.powi_scalar(2).sum();
            self.total = Some(match self.total.take() {
                Some(total) => total + sum,
                None => sum,
            });
        }
    }
}

/// ‖∇θ‖² over every float parameter of `module` that has a gradient in `grads`, as a [1]
/// tensor on `device` (zero when none has).
pub fn squared(module: &impl Module, grads: &Gradients, device: &Device) -> Tensor<1> {
    let mut visitor = SquaredSum { grads, total: None };
    module.visit(&mut visitor);
    visitor.total.unwrap_or_else(|| Tensor::zeros([1], device))
}
