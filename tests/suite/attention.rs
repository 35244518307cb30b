//! The transformer family's parts (issue 17, first step): self-attention against a host
//! computation from the layer's own weights, in both kinds; L2 attention's logits are minus
//! squared distances with the query and key weights tied (every token's largest logit is its
//! own); improved spectral normalisation keeps σ at its initial value whatever the weight
//! becomes.

use burn::prelude::*;
use ganscope::models::attention::{AttentionKind, SelfAttention, logits};
use ganscope::models::norm_linear::Normalisation;
use ganscope::models::{seeded, spectral};

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap_or_default()
}

/// Row-major [rows, cols] product of host matrices.
fn product(a: &[f64], b: &[f64], rows: usize, inner: usize, cols: usize) -> Vec<f64> {
    let mut out = vec![0.0; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            out[r * cols + c] = (0..inner).map(|i| a[r * inner + i] * b[i * cols + c]).sum();
        }
    }
    out
}

/// The layer's output and weights computed on the host in f64 from its own weights.
fn by_hand(
    layer: &SelfAttention,
    x: &[f32],
    (tokens, dim, heads): (usize, usize, usize),
) -> (Vec<f64>, Vec<f64>) {
    let w: Vec<Vec<f64>> = layer
        .weights()
        .into_iter()
        .map(|t| values(t).into_iter().map(f64::from).collect())
        .collect();
    let x: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let [q, k, v] = [0, 1, 2].map(|i| product(&x, &w[i], tokens, dim, dim));
    let d = dim / heads;
    let mut mixed = vec![0.0; tokens * dim];
    let mut weights = Vec::new();
    for h in 0..heads {
        for i in 0..tokens {
            let row: Vec<f64> = (0..tokens)
                .map(|j| {
                    let (qi, kj) = (&q[i * dim + h * d..][..d], &k[j * dim + h * d..][..d]);
                    let value = match layer.kind() {
                        AttentionKind::Dot => qi.iter().zip(kj).map(|(a, b)| a * b).sum(),
                        AttentionKind::L2 => {
                            -qi.iter().zip(kj).map(|(a, b)| (a - b).powi(2)).sum::<f64>()
                        }
                    };
                    value / (d as f64).sqrt()
                })
                .collect();
            let top = row.iter().cloned().fold(f64::MIN, f64::max);
            let exp: Vec<f64> = row.iter().map(|l| (l - top).exp()).collect();
            let total: f64 = exp.iter().sum();
            for (j, e) in exp.iter().enumerate() {
                let a = e / total;
                weights.push(a);
                for c in 0..d {
                    mixed[i * dim + h * d + c] += a * v[j * dim + h * d + c];
                }
            }
        }
    }
    (product(&mixed, &w[3], tokens, dim, dim), weights)
}

#[test]
fn attention_of_both_kinds_matches_a_host_computation_from_its_weights() {
    let device = Device::flex();
    let (tokens, dim, heads) = (5, 8, 2);
    let x: Vec<f32> = (0..tokens * dim)
        .map(|i| ((i * 7 % 13) as f32 - 6.0) / 4.0)
        .collect();
    for kind in [AttentionKind::Dot, AttentionKind::L2] {
        let layer = seeded(&device, 2, || {
            SelfAttention::new(dim, heads, kind, Normalisation::None, &device)
        });
        assert_eq!(layer.kind(), kind);
        let [q, k, ..] = layer.weights();
        // L2 attention ties the key weights to the query's; dot-product keeps its own.
        assert_eq!(
            values(q.clone()) == values(k.clone()),
            kind == AttentionKind::L2
        );
        let input = Tensor::<3>::from_data(TensorData::new(x.clone(), [1, tokens, dim]), &device);
        let (out, weights) = layer.forward(input);
        assert_eq!(weights.dims(), [1, heads, tokens, tokens]);
        let (want_out, want_weights) = by_hand(&layer, &x, (tokens, dim, heads));
        for (got, want) in values(out).iter().zip(&want_out) {
            assert!(
                (f64::from(*got) - want).abs() < 1e-4,
                "{kind:?}: {got} vs {want}"
            );
        }
        for (got, want) in values(weights).iter().zip(&want_weights) {
            assert!(
                (f64::from(*got) - want).abs() < 1e-5,
                "{kind:?}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn l2_logits_are_minus_squared_distances_and_a_token_attends_most_to_itself() {
    let device = Device::flex();
    // One head, two tokens of two features: q0 = (1, 0), q1 = (0, 2); tied keys.
    let q = Tensor::<4>::from_data(
        TensorData::new(vec![1.0, 0.0, 0.0, 2.0], [1, 1, 2, 2]),
        &device,
    );
    let got = values(logits(q.clone(), q.clone(), AttentionKind::L2));
    // ‖q0 − q1‖² = 1 + 4 = 5, over √2; the diagonal is 0.
    let s = 5.0 / 2f32.sqrt();
    for (a, b) in got.iter().zip([0.0, -s, -s, 0.0]) {
        assert!((a - b).abs() < 1e-6, "{got:?}");
    }
    let dot = values(logits(q.clone(), q, AttentionKind::Dot));
    for (a, b) in dot
        .iter()
        .zip([1.0 / 2f32.sqrt(), 0.0, 0.0, 4.0 / 2f32.sqrt()])
    {
        assert!((a - b).abs() < 1e-6, "{dot:?}");
    }
    // With tied weights, every row's largest weight is on the diagonal.
    let layer = seeded(&device, 5, || {
        SelfAttention::new(8, 2, AttentionKind::L2, Normalisation::None, &device)
    });
    let x = seeded(&device, 6, || {
        Tensor::<3>::random(
            [3, 6, 8],
            burn::tensor::Distribution::Normal(0.0, 1.0),
            &device,
        )
    });
    let weights = values(layer.forward(x).1);
    for (r, row) in weights.chunks(6).enumerate() {
        let best = row
            .iter()
            .enumerate()
            .fold((0, f32::MIN), |b, (j, &w)| if w > b.1 { (j, w) } else { b });
        assert_eq!(best.0, r % 6, "row {r}: {row:?}");
    }
}

#[test]
fn improved_spectral_normalisation_keeps_sigma_at_its_initial_value() {
    let device = Device::flex();
    let w0 = seeded(&device, 8, || {
        Tensor::<2>::random(
            [8, 6],
            burn::tensor::Distribution::Normal(0.0, 0.5),
            &device,
        )
    });
    let (initial, mut u) = spectral::measured_sigma(w0.clone(), 200);
    // The weight grows threefold and drifts.
    let drift = seeded(&device, 9, || {
        Tensor::<2>::random(
            [8, 6],
            burn::tensor::Distribution::Normal(0.0, 0.3),
            &device,
        )
    });
    let w1 = w0.mul_scalar(3.0) + drift;
    let mut used = w1.clone();
    for _ in 0..200 {
        let (w, next) = spectral::improved(w1.clone(), &u, initial);
        used = w;
        u = next;
    }
    let (sigma, _) = spectral::measured_sigma(used, 500);
    assert!(
        (sigma - initial).abs() < 1e-3 * initial,
        "σ of the weight used {sigma}, initial σ {initial}"
    );
    let (raw, _) = spectral::measured_sigma(w1, 500);
    assert!(
        raw > 2.0 * initial,
        "the raw weight grew: {raw} vs {initial}"
    );
}

/// The ViT pair of `digits-transgan-vit` at 16 px, small.
fn small_vit() -> ganscope::preset::Preset {
    use ganscope::preset::{DatasetSpec, ModelSpec};
    let mut p = super::learning::family_preset("digits-transgan-vit");
    p.dataset = DatasetSpec::Digits { size: 16 };
    if let Some(ModelSpec::Transformer { depth, dim, .. }) = &mut p.model {
        (*depth, *dim) = (1, 32);
    }
    p.train.batch_size = 8;
    p.validate().unwrap_or_else(|e| panic!("{e}"));
    p
}

#[test]
fn the_attention_view_shows_where_the_class_token_looks_and_its_entropy() {
    use ganscope::engine::{Trainer, device};
    let mut trainer = Trainer::new(&small_vit(), &device::cpu());
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    let diagnostics = trainer.diagnostics();
    let attention = diagnostics
        .attention
        .unwrap_or_else(|| panic!("a ViT D has an attention view"));
    assert_eq!(attention.grid, 4, "16 px in 4 px patches");
    let tokens = 1 + 16;
    assert!((attention.uniform_entropy - (tokens as f32).ln()).abs() < 1e-6);
    assert_eq!(attention.entropy.len(), 4, "one entropy per head");
    for e in &attention.entropy {
        assert!(*e > 0.0 && *e <= attention.uniform_entropy + 1e-4, "{e}");
    }
    let labels: Vec<&str> = attention.samples.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "sample 0", "sample 1", "sample 2", "sample 3", "sample 4", "sample 5", "real 0",
            "real 1"
        ]
    );
    for sample in &attention.samples {
        assert_eq!((sample.image.width, sample.image.height), (16, 16));
        assert_eq!(sample.heads.len(), 4);
        for (weights, itself) in sample.heads.iter().zip(&sample.to_class) {
            assert_eq!(weights.len(), 16);
            let total: f32 = weights.iter().sum::<f32>() + itself;
            assert!((total - 1.0).abs() < 1e-4, "softmax weights sum to {total}");
        }
    }
    // The entropy goes to metrics.jsonl; the maps do not.
    let line = serde_json::to_string(&trainer.diagnostics()).unwrap_or_default();
    assert!(line.contains("\"attention\":{\"entropy\":["), "{line}");
    assert!(!line.contains("samples"), "{line}");
    // A convolutional D has no attention to show.
    let mut hybrid = super::learning::family_preset("digits-transgan-hybrid");
    hybrid.dataset = ganscope::preset::DatasetSpec::Digits { size: 16 };
    let mut trainer = Trainer::new(&hybrid, &device::cpu());
    assert!(trainer.diagnostics().attention.is_none());
}

#[test]
fn the_vit_with_minibatch_stddev_judges_a_varied_batch_apart_from_copies() {
    use ganscope::preset::ModelSpec;
    let mut p = small_vit();
    if let Some(ModelSpec::Transformer {
        minibatch_stddev, ..
    }) = &mut p.model
    {
        *minibatch_stddev = true;
    }
    let device = Device::flex();
    let (_, d) = seeded(&device, 4, || {
        ganscope::models::build(
            &p,
            ganscope::data::SampleShape::Image {
                channels: 1,
                height: 16,
                width: 16,
            },
            None,
            &device,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    });
    // Four copies of one image, and the same image among three others: its verdict
    // changes with its group's variety (a D without the statistic judges each alone).
    let one: Vec<f32> = (0..256)
        .map(|i| ((i * 37) % 17) as f32 / 8.5 - 1.0)
        .collect();
    let mut copies = one.repeat(4);
    let mut varied = one.clone();
    for k in 1..4 {
        varied.extend((0..256).map(|i| ((i * (37 + 13 * k)) % 23) as f32 / 11.5 - 1.0));
    }
    let judge = |v: &mut Vec<f32>| {
        let x = Tensor::<2>::from_data(TensorData::new(std::mem::take(v), [4, 256]), &device);
        values(d.forward(x, None))[0]
    };
    let (alone, among) = (judge(&mut copies), judge(&mut varied));
    assert!((alone - among).abs() > 1e-6, "{alone} vs {among}");
}
