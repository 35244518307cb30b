//! The procedural data sets: determinism, labels, ranges, and the toy mixtures' statistics.

use ganscope::data::toy2d::ToyMixture;
use ganscope::data::{DataSource, SampleShape, digits::Digits};

#[test]
fn digits_are_deterministic_under_a_seed() {
    let a = Digits::new(32, 7).batch(16);
    let b = Digits::new(32, 7).batch(16);
    let c = Digits::new(32, 8).batch(16);
    assert_eq!(a, b, "same seed, same digits");
    assert_ne!(a.x, c.x, "another seed gives other digits");
}

#[test]
fn digits_cover_every_label_with_values_in_range() {
    let mut digits = Digits::new(28, 1);
    assert_eq!(
        digits.shape(),
        SampleShape::Image {
            channels: 1,
            height: 28,
            width: 28
        }
    );
    let batch = digits.batch(400);
    let labels = batch.labels.expect("digits carry labels");
    for class in 0..10 {
        assert!(
            labels.contains(&class),
            "label {class} never drawn in 400 samples"
        );
    }
    assert!(
        batch.x.iter().all(|v| (-1.0..=1.0).contains(v)),
        "pixel values stay in [-1, 1]"
    );
    for (i, image) in batch.x.chunks(28 * 28).enumerate() {
        let ink = image.iter().filter(|&&v| v > 0.0).count();
        assert!(
            (20..500).contains(&ink),
            "image {i} (label {}) has {ink} inked pixels of 784",
            labels[i]
        );
    }
}

#[test]
fn digits_of_one_class_vary_in_style() {
    let mut digits = Digits::new(32, 3);
    let a = digits.render(4);
    let b = digits.render(4);
    let differing = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| (*x - *y).abs() > 0.5)
        .count();
    assert!(differing > 30, "two 4s differ in only {differing} pixels");
}

/// Per-mode sample mean and standard deviation of a mixture batch.
fn mode_statistics(mixture: &mut ToyMixture, n: usize) -> Vec<(usize, [f64; 2], f64)> {
    let batch = mixture.batch(n);
    let labels = batch.labels.expect("mixture samples carry their mode");
    let modes = mixture.means().len();
    (0..modes)
        .map(|k| {
            let pts: Vec<[f64; 2]> = labels
                .iter()
                .enumerate()
                .filter(|(_, l)| **l as usize == k)
                .map(|(i, _)| [batch.x[2 * i] as f64, batch.x[2 * i + 1] as f64])
                .collect();
            let count = pts.len() as f64;
            let mean = [
                pts.iter().map(|p| p[0]).sum::<f64>() / count,
                pts.iter().map(|p| p[1]).sum::<f64>() / count,
            ];
            let var = pts
                .iter()
                .map(|p| (p[0] - mean[0]).powi(2) + (p[1] - mean[1]).powi(2))
                .sum::<f64>()
                / (2.0 * count);
            (pts.len(), mean, var.sqrt())
        })
        .collect()
}

#[test]
fn toy_mixtures_have_the_literature_means_and_spreads() {
    for (mut mixture, std) in [
        (ToyMixture::ring(8, 1.0, 0.01, 5), 0.01),
        (ToyMixture::grid(5, 2.0, 0.05, 5), 0.05),
    ] {
        let means = mixture.means().to_vec();
        let stats = mode_statistics(&mut mixture, 50_000);
        for (k, (count, mean, spread)) in stats.into_iter().enumerate() {
            let expected = 50_000.0 / means.len() as f64;
            assert!(
                (count as f64 - expected).abs() < 0.1 * expected,
                "mode {k}: {count} samples, expected about {expected}"
            );
            let tolerance = 5.0 * std / (count as f64).sqrt();
            for axis in 0..2 {
                assert!(
                    (mean[axis] - means[k][axis] as f64).abs() < tolerance,
                    "mode {k} axis {axis}: mean {} vs {}",
                    mean[axis],
                    means[k][axis]
                );
            }
            assert!(
                (spread / std - 1.0).abs() < 0.08,
                "mode {k}: spread {spread} vs std {std}"
            );
        }
    }
}
