//! A fully connected layer (`x · W + b`) as one operation on the CPU, forward and backward.
//!
//! burn computes it as a matrix product and a broadcast addition: two autodiff nodes, a
//! zeroed output that burn-flex then copies into an aligned buffer, and a reduction for the
//! bias gradient. For the 2-D toys' small MLPs that overhead is a large part of a step. Here
//! the product is one `gemm` call onto the bias rows, and the backward node computes
//! `dy · Wᵀ`, `xᵀ · dy` and the column sums of `dy`, each only when its input wants a
//! gradient. Other devices keep burn's [`burn::tensor::module::linear`].

use super::cpu::{Matrix, matmul, matmul_onto};
use super::extension::values;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Dispatch, Flex, TensorMetadata, backend_extension};
use burn::prelude::*;
use burn::tensor::{DType, TensorData};

#[backend_extension(Flex, Autodiff)]
pub trait FusedLinear: Backend {
    /// `x` `[n, in]` times `weight` `[in, out]`, plus `bias` `[out]` on every row.
    fn fused_linear(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

/// (rows, inputs, outputs) of `x · weight`.
fn sizes(x: &FlexTensor, weight: &FlexTensor) -> (usize, usize, usize) {
    for t in [x, weight] {
        assert_eq!(
            t.dtype(),
            DType::F32,
            "the fused linear layer takes f32 tensors"
        );
    }
    let [n, inputs] = x.shape().dims::<2>();
    let [rows, outputs] = weight.shape().dims::<2>();
    assert_eq!(
        inputs, rows,
        "linear: x has {inputs} features, the weight {rows} rows"
    );
    (n, inputs, outputs)
}

fn forward(x: &FlexTensor, weight: &FlexTensor, bias: &FlexTensor) -> FlexTensor {
    let (n, inputs, outputs) = sizes(x, weight);
    let bias = values(bias);
    assert_eq!(bias.len(), outputs, "linear: bias size");
    let mut rows = Vec::with_capacity(n * outputs);
    for _ in 0..n {
        rows.extend_from_slice(&bias);
    }
    let (x, weight) = (values(x), values(weight));
    let out = matmul_onto(
        Matrix::rows(&x, n, inputs),
        Matrix::rows(&weight, inputs, outputs),
        rows,
    );
    FlexTensor::from_data(TensorData::new(out, [n, outputs]))
}

impl FusedLinear for Flex {
    fn fused_linear(x: FlexTensor, weight: FlexTensor, bias: FlexTensor) -> FlexTensor {
        forward(&x, &weight, &bias)
    }
}

/// Backward of the linear layer: its input and weight.
#[derive(Debug)]
struct LinearBackward;

impl Backward<Flex, 3> for LinearBackward {
    type State = (FlexTensor, FlexTensor);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_w, node_b] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        let (x, weight) = ops.state;
        let (n, inputs, outputs) = sizes(&x, &weight);
        let dy = values(&grad);
        let dy = Matrix::rows(&dy, n, outputs);
        let tensor =
            |v: Vec<f32>, shape: [usize; 2]| FlexTensor::from_data(TensorData::new(v, shape));
        if let Some(node) = node_x {
            let w = values(&weight);
            let dx = matmul(dy, Matrix::rows(&w, inputs, outputs).t());
            grads.register::<Flex>(node.id, tensor(dx, [n, inputs]));
        }
        if let Some(node) = node_w {
            let xs = values(&x);
            let dw = matmul(Matrix::rows(&xs, n, inputs).t(), dy);
            grads.register::<Flex>(node.id, tensor(dw, [inputs, outputs]));
        }
        if let Some(node) = node_b {
            let mut db = vec![0.0f32; outputs];
            for row in values(&grad).chunks_exact(outputs.max(1)) {
                db.iter_mut().zip(row).for_each(|(d, g)| *d += g);
            }
            let len = db.len();
            grads.register::<Flex>(node.id, FlexTensor::from_data(TensorData::new(db, [len])));
        }
    }
}

impl<C: CheckpointStrategy> FusedLinear for Autodiff<Flex, C> {
    fn fused_linear(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        match LinearBackward
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (x, weight) = (x.into_primitive(), weight.into_primitive());
                let out = forward(&x, &weight, bias.primitive());
                prep.finish((x, weight), out)
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(forward(x.primitive(), weight.primitive(), bias.primitive()))
            }
        }
    }
}

/// `x · weight (+ bias)` as burn's [`burn::tensor::module::linear`] on 2-D inputs: fused on
/// the tensors the CPU kernels serve (with a bias), burn's elsewhere.
pub fn linear(x: Tensor<2>, weight: Tensor<2>, bias: Option<Tensor<1>>) -> Tensor<2> {
    match bias {
        Some(bias)
            if super::kernels() == super::Kernels::Folded
                && super::folds_on(&x.device(), x.dtype()) =>
        {
            let out = <Dispatch as FusedLinear>::fused_linear(
                x.into_dispatch(),
                weight.into_dispatch(),
                bias.into_dispatch(),
            );
            Tensor::from_dispatch(out)
        }
        bias => burn::tensor::module::linear(x, weight, bias),
    }
}

/// burn's [`burn::nn::Linear`] layer on a 2-D input, through [`linear`].
pub fn layer(layer: &burn::nn::Linear, x: Tensor<2>) -> Tensor<2> {
    linear(x, layer.weight.val(), layer.bias.as_ref().map(|b| b.val()))
}
