//! ganscope's folded CPU convolutions against burn's own: forward, input and weight (and bias)
//! gradients through `.backward()` on an autodiff `Flex` device, over strides, paddings,
//! kernels, dilations, batch sizes and with or without bias.

use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
use ganscope::kernels::{self, Kernels};

/// What one side of a comparison produced: output, dx, dw, db.
struct Run {
    out: Vec<f32>,
    grads: Vec<Vec<f32>>,
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().expect("f32 data")
}

fn assert_close(what: &str, a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let scale = b.iter().fold(1e-3f32, |m, v| m.max(v.abs()));
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= 2e-5 * scale.max(1.0) + 1e-5,
            "{what}: element {i}: folded {x} vs burn {y} (scale {scale})"
        );
    }
}

fn random<const D: usize>(shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::random(shape, Distribution::Normal(0.0, 1.0), device)
}

/// Runs `op` with each kernel set on the same tensors and compares everything.
fn compare<F>(label: &str, x: [usize; 4], w: [usize; 4], bias: Option<usize>, op: F)
where
    F: Fn(Kernels, Tensor<4>, Tensor<4>, Option<Tensor<1>>) -> Tensor<4>,
{
    let device = Device::flex().autodiff();
    let (xv, wv) = (random(x, &device), random(w, &device));
    let bv = bias.map(|c| random([c], &device));
    // A random weighting of the output, so every output element's gradient differs.
    let shape = op(Kernels::Builtin, xv.clone(), wv.clone(), bv.clone()).dims();
    let weighting = random(shape, &device);
    let run = |kernels: Kernels| {
        let x = Tensor::<4>::from_data(xv.to_data(), &device).require_grad();
        let w = Tensor::<4>::from_data(wv.to_data(), &device).require_grad();
        let b = bv
            .as_ref()
            .map(|b| Tensor::<1>::from_data(b.to_data(), &device).require_grad());
        let out = op(kernels, x.clone(), w.clone(), b.clone());
        let grads = (out.clone() * weighting.clone()).sum().backward();
        let mut all = vec![
            values(x.grad(&grads).expect("dx")),
            values(w.grad(&grads).expect("dw")),
        ];
        if let Some(b) = b {
            all.push(values(b.grad(&grads).expect("db")));
        }
        Run {
            out: values(out),
            grads: all,
        }
    };
    let (folded, builtin) = (run(Kernels::Folded), run(Kernels::Builtin));
    assert_close(&format!("{label} forward"), &folded.out, &builtin.out);
    for (name, (a, b)) in ["dx", "dw", "db"]
        .iter()
        .zip(folded.grads.iter().zip(&builtin.grads))
    {
        assert_close(&format!("{label} {name}"), a, b);
    }
}

#[test]
fn folded_conv2d_matches_burn_forward_and_backward() {
    for batch in [1, 3] {
        for kernel in [1, 3, 4] {
            for stride in [1, 2] {
                for padding in [0, 1] {
                    for bias in [false, true] {
                        let label = format!("conv b{batch} k{kernel} s{stride} p{padding} {bias}");
                        let (cin, cout) = (3, 5);
                        let options =
                            ConvOptions::new([stride, stride], [padding, padding], [1, 1], 1);
                        compare(
                            &label,
                            [batch, cin, 9, 8],
                            [cout, cin, kernel, kernel],
                            bias.then_some(cout),
                            |k, x, w, b| kernels::conv2d_with(k, x, w, b, options.clone()),
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn folded_conv2d_matches_burn_with_uneven_padding_and_dilation() {
    let options = ConvOptions::new_with_padding([2, 1], [(2, 0), (1, 3)], [2, 1], 1);
    compare(
        "conv uneven",
        [2, 4, 11, 7],
        [6, 4, 3, 2],
        Some(6),
        |k, x, w, b| kernels::conv2d_with(k, x, w, b, options.clone()),
    );
}

#[test]
fn folded_conv_transpose2d_matches_burn_forward_and_backward() {
    for batch in [1, 3] {
        for kernel in [1, 3, 4] {
            for stride in [1, 2] {
                for padding in [0, 1] {
                    for bias in [false, true] {
                        let label = format!("convT b{batch} k{kernel} s{stride} p{padding} {bias}");
                        let (cin, cout) = (4, 3);
                        let options = ConvTransposeOptions::new(
                            [stride, stride],
                            [padding, padding],
                            [0, 0],
                            [1, 1],
                            1,
                        );
                        compare(
                            &label,
                            [batch, cin, 5, 6],
                            [cin, cout, kernel, kernel],
                            bias.then_some(cout),
                            |k, x, w, b| {
                                kernels::conv_transpose2d_with(k, x, w, b, options.clone())
                            },
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn folded_conv_transpose2d_matches_burn_with_output_padding_and_dilation() {
    let options = ConvTransposeOptions::new([2, 3], [1, 0], [1, 2], [1, 2], 1);
    compare(
        "convT out-pad",
        [2, 3, 4, 5],
        [3, 5, 4, 3],
        Some(5),
        |k, x, w, b| kernels::conv_transpose2d_with(k, x, w, b, options.clone()),
    );
}

#[test]
fn the_dcgan_layer_shapes_match_burn() {
    // G's stride-2 ConvT and D's stride-2 Conv of the reference DCGAN, at batch 2.
    let up = ConvTransposeOptions::new([2, 2], [1, 1], [0, 0], [1, 1], 1);
    compare(
        "dcgan up",
        [2, 16, 4, 4],
        [16, 8, 4, 4],
        None,
        |k, x, w, b| kernels::conv_transpose2d_with(k, x, w, b, up.clone()),
    );
    let first = ConvTransposeOptions::new([1, 1], [0, 0], [0, 0], [1, 1], 1);
    compare(
        "dcgan first",
        [2, 10, 1, 1],
        [10, 8, 4, 4],
        None,
        |k, x, w, b| kernels::conv_transpose2d_with(k, x, w, b, first.clone()),
    );
    let down = ConvOptions::new([2, 2], [1, 1], [1, 1], 1);
    compare(
        "dcgan down",
        [2, 8, 8, 8],
        [16, 8, 4, 4],
        None,
        |k, x, w, b| kernels::conv2d_with(k, x, w, b, down.clone()),
    );
    let last = ConvOptions::new([1, 1], [0, 0], [1, 1], 1);
    compare(
        "dcgan last",
        [2, 16, 4, 4],
        [1, 16, 4, 4],
        None,
        |k, x, w, b| kernels::conv2d_with(k, x, w, b, last.clone()),
    );
}

#[test]
fn compare_kernels_lists_the_reference_dcgan_layers_and_times_them() {
    use ganscope::kernels::bench::{dcgan_layers, time_layer};
    let layers = dcgan_layers(100, 1, 32, 64, 64, 64);
    let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        ["G.1", "G.2", "G.3", "G.4", "D.1", "D.2", "D.3", "D.4"]
    );
    // G: z → 4×4×256 → 8×8×128 → 16×16×64 → 32×32×1; D mirrors it down to one logit.
    assert_eq!(layers[0].input, [64, 100, 1, 1]);
    assert_eq!(layers[0].weight, [100, 256, 4, 4]);
    assert_eq!(layers[3].input, [64, 64, 16, 16]);
    assert_eq!(layers[3].weight, [64, 1, 4, 4]);
    assert_eq!(layers[4].input, [64, 1, 32, 32]);
    assert_eq!(layers[6].weight, [256, 128, 4, 4]);
    assert_eq!((layers[7].input, layers[7].stride), ([64, 256, 4, 4], 1));
    // Timing a small layer both ways gives finite, non-negative times.
    let small = dcgan_layers(8, 1, 8, 4, 4, 2);
    for layer in &small {
        for kernels in [Kernels::Builtin, Kernels::Folded] {
            let t = time_layer(layer, kernels, 1);
            assert!(t.forward_ms.is_finite() && t.forward_ms >= 0.0, "{layer:?}");
            assert!(
                t.backward_ms.is_finite() && t.backward_ms >= 0.0,
                "{layer:?}"
            );
        }
    }
}

#[test]
fn compare_kernels_refuses_a_preset_without_a_dcgan_naming_it() {
    let err = ganscope::cli::bench::compare_kernels(&crate::common::preset("ring8-mlp"))
        .expect_err("an MLP preset has no convolutions to time");
    let message = err.to_string();
    assert!(
        message.contains("ring8-mlp") && message.contains("DCGAN"),
        "{message}"
    );
}

#[test]
fn a_convolution_too_large_for_one_column_matrix_is_computed_in_parts_with_the_same_result() {
    use ganscope::kernels::cpu::{Conv, forward_within};
    // (batch, channels, side, out channels, kernel, stride, padding): SRResNet's 9×9 head
    // and tail, a 3×3 body layer, D's strided 4×4, an odd side.
    let shapes = [
        (1, 3, 23, 5, 9, 1, 4),
        (1, 6, 17, 3, 9, 1, 4),
        (3, 4, 12, 4, 3, 1, 1),
        (1, 3, 16, 4, 4, 2, 1),
        (2, 2, 15, 3, 4, 2, 1),
    ];
    for (batch, channels, side, out_channels, k, s, p) in shapes {
        let out = (side + 2 * p - k) / s + 1;
        let g = Conv {
            batch,
            channels,
            height: side,
            width: side,
            out_channels,
            kernel: [k, k],
            stride: [s, s],
            dilation: [1, 1],
            pad_begin: [p, p],
            out_height: out,
            out_width: out,
        };
        let wave = |n: usize, f: f32| (0..n).map(|i| ((i as f32) * f).sin()).collect::<Vec<_>>();
        let image = wave(g.image_len(), 0.37);
        let weight = wave(g.weight_len(), 0.91);
        let whole = forward_within(&image, &weight, &g, usize::MAX);
        // Budgets down to a single output row of a single sample.
        for budget in [g.taps() * g.out_pixels(), g.taps() * out * 2, 1] {
            let parts = forward_within(&image, &weight, &g, budget);
            assert_close(&format!("{g:?} within {budget}"), &parts, &whole);
        }
    }
}
