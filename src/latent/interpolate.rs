//! Paths between two latent vectors: straight (lerp) or along the great circle (slerp).
//!
//! Slerp is the better walk for a Gaussian prior in many dimensions: nearly all of its mass
//! sits near the sphere of radius √d, and the straight line between two samples dips inside
//! it, through latents G rarely saw in training. Slerp interpolates the angle and the norm
//! separately, so equal-norm endpoints give a path of constant norm.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum InterpMode {
    /// Linear: `(1 − t)·a + t·b`.
    Lerp,
    /// Spherical: constant angular speed, norm interpolated linearly.
    #[default]
    Slerp,
}

impl InterpMode {
    pub const ALL: [InterpMode; 2] = [InterpMode::Lerp, InterpMode::Slerp];

    pub fn label(self) -> &'static str {
        match self {
            InterpMode::Lerp => "lerp",
            InterpMode::Slerp => "slerp",
        }
    }
}

/// The point at `t` ∈ [0, 1] from `a` to `b`.
pub fn at(a: &[f32], b: &[f32], t: f32, mode: InterpMode) -> Vec<f32> {
    match mode {
        InterpMode::Lerp => lerp(a, b, t),
        InterpMode::Slerp => slerp(a, b, t),
    }
}

pub fn lerp(a: &[f32], b: &[f32], t: f32) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| x + t * (y - x)).collect()
}

/// Spherical interpolation of direction with linear interpolation of norm. Falls back to lerp
/// when either end is (nearly) zero or the two are (nearly) parallel, where the great circle
/// is undefined or numerically unstable.
pub fn slerp(a: &[f32], b: &[f32], t: f32) -> Vec<f32> {
    let (na, nb) = (super::norm(a), super::norm(b));
    if na < 1e-6 || nb < 1e-6 {
        return lerp(a, b, t);
    }
    let cos = (a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>() / (na * nb)).clamp(-1.0, 1.0);
    let omega = cos.acos();
    let sin = omega.sin();
    if sin < 1e-4 {
        return lerp(a, b, t);
    }
    // Unit directions combined on the great circle, then scaled to the interpolated norm.
    let (wa, wb) = (
        ((1.0 - t) * omega).sin() / sin / na,
        (t * omega).sin() / sin / nb,
    );
    let length = na + t * (nb - na);
    a.iter()
        .zip(b)
        .map(|(x, y)| length * (wa * x + wb * y))
        .collect()
}

/// `frames` points from `a` to `b` inclusive (evenly spaced in t); one frame gives `a`.
pub fn path(a: &[f32], b: &[f32], frames: usize, mode: InterpMode) -> Vec<Vec<f32>> {
    let last = frames.saturating_sub(1).max(1) as f32;
    (0..frames)
        .map(|i| at(a, b, i as f32 / last, mode))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{from_seed, norm};
    use super::*;

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5)
    }

    #[test]
    fn endpoints_are_the_inputs_in_both_modes() {
        let (a, b) = (from_seed(1, 64), from_seed(2, 64));
        for mode in InterpMode::ALL {
            let p = path(&a, &b, 9, mode);
            assert_eq!(p.len(), 9, "{mode:?} frame count");
            assert!(close(&p[0], &a), "{mode:?} starts at a");
            assert!(close(&p[8], &b), "{mode:?} ends at b");
        }
    }

    #[test]
    fn slerp_keeps_the_norm_of_equal_norm_endpoints_and_lerp_does_not() {
        let a = from_seed(1, 64);
        let mut b = from_seed(2, 64);
        let scale = norm(&a) / norm(&b);
        b.iter_mut().for_each(|v| *v *= scale);
        for z in path(&a, &b, 11, InterpMode::Slerp) {
            assert!((norm(&z) - norm(&a)).abs() < 1e-4 * norm(&a));
        }
        let middle = &path(&a, &b, 3, InterpMode::Lerp)[1];
        assert!(
            norm(middle) < 0.9 * norm(&a),
            "the straight line dips inside the sphere"
        );
    }

    #[test]
    fn frame_counts_and_degenerate_cases() {
        let (a, b) = (vec![1.0, 0.0], vec![0.0, 1.0]);
        assert_eq!(path(&a, &b, 1, InterpMode::Slerp), vec![a.clone()]);
        assert!(path(&a, &b, 0, InterpMode::Lerp).is_empty());
        let quarter = slerp(&a, &b, 0.5);
        assert!(close(&quarter, &[0.5f32.sqrt(), 0.5f32.sqrt()]));
        assert!(
            close(&slerp(&a, &a, 0.3), &a),
            "parallel ends fall back to lerp"
        );
        assert!(close(&slerp(&[0.0, 0.0], &b, 0.5), &[0.0, 0.5]), "zero end");
    }
}
