//! Progressive growing's parts (the first step of the ProGAN family): the schedule is a pure
//! function of the step with α = 0 where a fade starts and 1 where the preset says; the fade,
//! nearest upsampling and average pooling, PixelNorm and minibatch standard deviation
//! against hand computations; the equalised learning rate's N(0, 1) weights and run-time
//! scale.

use burn::prelude::*;
use ganscope::models::progressive::{
    EqualConv2d, Growth, Stage, downsample, fade, minibatch_stddev, pixel_norm, upsample,
};
use ganscope::models::seeded;

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap_or_default()
}

fn tensor<const D: usize>(v: Vec<f32>, shape: [usize; D]) -> Tensor<D> {
    Tensor::from_data(TensorData::new(v, shape), &Device::flex())
}

fn close(a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-5, "{a:?} vs {b:?}");
    }
}

#[test]
fn the_schedule_is_a_function_of_the_step_and_alpha_reaches_one_when_it_says() {
    let growth = Growth {
        start: 4,
        end: 32,
        fade_steps: 10,
        stable_steps: 5,
    };
    assert_eq!(growth.problem(), None);
    assert_eq!(growth.levels(), 4);
    let stage = |step| growth.stage(step);
    let at = |level, side, alpha| Stage { level, side, alpha };
    assert_eq!(stage(0), at(0, 4, 1.0));
    assert_eq!(stage(4), at(0, 4, 1.0));
    // Level 1 fades in over steps 5..15, then trains 5 steps at α = 1.
    assert_eq!(growth.fade_start(1), 5);
    assert_eq!(stage(5), at(1, 8, 0.0));
    assert_eq!(stage(10), at(1, 8, 0.5));
    assert_eq!(stage(15), at(1, 8, 1.0));
    assert_eq!(stage(19), at(1, 8, 1.0));
    assert_eq!(growth.fade_start(2), 20);
    assert_eq!(stage(20), at(2, 16, 0.0));
    assert_eq!(growth.fade_start(3), 35);
    assert_eq!(stage(44), at(3, 32, 0.9));
    assert_eq!(stage(45), at(3, 32, 1.0));
    assert_eq!(stage(1_000_000), at(3, 32, 1.0));
    // α never falls within a level and the level never falls.
    let mut last = stage(0);
    for step in 1..60 {
        let now = stage(step);
        assert!(now.level > last.level || (now.level == last.level && now.alpha >= last.alpha));
        last = now;
    }
    for bad in [
        Growth {
            start: 4,
            end: 24,
            ..growth
        },
        Growth {
            start: 64,
            end: 32,
            ..growth
        },
        Growth {
            start: 2,
            end: 32,
            ..growth
        },
        Growth {
            fade_steps: 0,
            ..growth
        },
    ] {
        assert!(bad.problem().is_some(), "{bad:?}");
    }
    assert_eq!(
        Growth {
            start: 32,
            ..growth
        }
        .stage(7),
        at(0, 32, 1.0)
    );
}

#[test]
fn a_fade_starts_at_the_previous_level_upsampled_and_ends_at_the_new_one() {
    // One 2×2 map, and a 4×4 one.
    let old = tensor(vec![1.0, 2.0, 3.0, 4.0], [1, 1, 2, 2]);
    let new = tensor((0..16).map(|v| v as f32).collect(), [1, 1, 4, 4]);
    let up = values(upsample(old.clone(), 2));
    #[rustfmt::skip]
    let expected = vec![
        1.0, 1.0, 2.0, 2.0,
        1.0, 1.0, 2.0, 2.0,
        3.0, 3.0, 4.0, 4.0,
        3.0, 3.0, 4.0, 4.0,
    ];
    assert_eq!(up, expected);
    assert_eq!(values(fade(old.clone(), new.clone(), 0.0)), expected);
    assert_eq!(
        values(fade(old.clone(), new.clone(), 1.0)),
        values(new.clone())
    );
    let quarter: Vec<f32> = expected
        .iter()
        .zip(0..16)
        .map(|(o, n)| 0.75 * o + 0.25 * n as f32)
        .collect();
    close(&values(fade(old.clone(), new.clone(), 0.25)), &quarter);
    // Average pooling undoes nearest upsampling, and averages 2×2 blocks.
    assert_eq!(values(downsample(upsample(old.clone(), 2))), values(old));
    close(&values(downsample(new)), &[2.5, 4.5, 10.5, 12.5]);
}

#[test]
fn pixel_norm_and_minibatch_stddev_match_hand_computations() {
    // Two channels, one pixel holding (3, 4), one holding (0, 2): RMS √12.5 and √2.
    let x = tensor(vec![3.0, 0.0, 4.0, 2.0], [1, 2, 1, 2]);
    let r = 12.5f32.sqrt();
    close(
        &values(pixel_norm(x)),
        &[3.0 / r, 0.0, 4.0 / r, 2.0 / 2f32.sqrt()],
    );
    // Four samples of one 1×1 feature, groups of 2: sample i is in group i mod 2. Group 0
    // holds samples 0 and 2 (1, 3): std 1; group 1 holds 1 and 3 (10, 20): std 5.
    let x = tensor(vec![1.0, 10.0, 3.0, 20.0], [4, 1, 1, 1]);
    let out = minibatch_stddev(x, 2);
    assert_eq!(out.dims(), [4, 2, 1, 1]);
    close(&values(out), &[1.0, 1.0, 10.0, 5.0, 3.0, 1.0, 20.0, 5.0]);
    // Over 2 features and 2 pixels the stds are averaged; a group of identical samples
    // gives (almost) 0, repeated over the map.
    let same = tensor(vec![0.5; 2 * 2 * 2], [2, 2, 1, 2]);
    let extra: Vec<f32> = values(minibatch_stddev(same, 4))
        .chunks(2)
        .skip(2)
        .step_by(3)
        .flatten()
        .copied()
        .collect();
    assert!(extra.iter().all(|v| v.abs() < 1e-3), "{extra:?}");
}

#[test]
fn the_equalised_learning_rate_keeps_unit_weights_and_scales_them_at_run_time() {
    let device = Device::flex();
    let layer = seeded(&device, 3, || EqualConv2d::new(64, 64, 3, &device));
    assert!((layer.scale() - (2.0f32 / (64.0 * 9.0)).sqrt()).abs() < 1e-7);
    let w = values(layer.raw_weight());
    let mean = w.iter().sum::<f32>() / w.len() as f32;
    let std = (w.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / w.len() as f32).sqrt();
    assert!(
        mean.abs() < 0.02 && (std - 1.0).abs() < 0.02,
        "mean {mean}, std {std}"
    );
    // The forward pass is the convolution by the scaled weights (biases start at 0).
    let x = seeded(&device, 4, || {
        Tensor::<4>::random([2, 64, 5, 5], burn::tensor::Distribution::Default, &device)
    });
    let by_hand = burn::tensor::module::conv2d(
        x.clone(),
        layer.raw_weight().mul_scalar(f64::from(layer.scale())),
        None,
        burn::tensor::ops::ConvOptions::new([1, 1], [1, 1], [1, 1], 1),
    );
    close(&values(layer.forward(x)), &values(by_hand));
}
