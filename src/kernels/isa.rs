//! The instruction set a CPU run's arithmetic uses, and what holds it fixed across CPUs.
//!
//! A seeded CPU run replays bit for bit on any x86-64 with AVX2 and FMA, with or without
//! AVX-512, because nothing in a step picks its arithmetic from the CPU it runs on:
//! - burn-flex's kernels (sums, means, reciprocals, softmax, pooling, …) dispatch through
//!   macerator, which upstream picks the widest vector unit the CPU has. Its 512-bit kernels
//!   sum in 16 lanes where the 256-bit ones sum in 8, and approximate reciprocals with
//!   another instruction, so on an AVX-512 CPU a full sum (a loss's mean, a gradient's norm)
//!   rounded differently. ganscope builds a patched macerator (`vendor/macerator`) that stays
//!   on 256-bit vectors unless [`allow_wide_vectors`] says otherwise.
//! - gemm's products run its AVX2+FMA kernels (its `x86-v4` feature is off) and are handed
//!   the shared dimension in blocks of at most 512 ([`super::cpu`]), so the level-1 cache's
//!   size, from which gemm sizes its blocks, no longer changes the sums.
//! - ganscope's own reductions (batch-norm statistics, Adam) use fixed lane counts and
//!   orders, and the folded convolutions are independent of the thread count.
//!
//! [`Arithmetic::host`] describes the running process's side of this (the golden runs record
//! it and a mismatch names what moved).

use std::fmt;

/// What decides the rounding of a CPU step on this host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arithmetic {
    /// The processor architecture (`x86_64`, `aarch64`, …).
    pub arch: String,
    /// The vector extensions that matter here, of those the CPU has (`avx2`, `fma`,
    /// `avx512f` on x86-64; empty elsewhere).
    pub features: Vec<String>,
    /// The vector unit burn-flex's kernels dispatch to: `V3` (256-bit AVX2+FMA), `V4`
    /// (512-bit AVX-512), `V2` (128-bit SSE4.2), `Scalar`, or another architecture's name.
    pub vectors: String,
    /// rayon's thread count (the folded kernels' results do not depend on it; burn-flex's
    /// sums of 4 Mi elements or more are split across threads).
    pub threads: usize,
}

impl Arithmetic {
    /// This process, now.
    pub fn host() -> Arithmetic {
        Arithmetic {
            arch: std::env::consts::ARCH.to_string(),
            features: features(),
            vectors: format!("{:?}", macerator::Arch::detect()),
            threads: rayon::current_num_threads(),
        }
    }

    /// `key=value` pairs, one line: `arch=x86_64 features=avx2,fma,avx512f vectors=V3
    /// threads=2`.
    pub fn to_line(&self) -> String {
        format!(
            "arch={} features={} vectors={} threads={}",
            self.arch,
            if self.features.is_empty() {
                "-".to_string()
            } else {
                self.features.join(",")
            },
            self.vectors,
            self.threads
        )
    }

    /// Reads [`Arithmetic::to_line`]'s form back; `None` when a key is missing or a value
    /// does not parse.
    pub fn from_line(line: &str) -> Option<Arithmetic> {
        let value = |key: &str| {
            line.split_whitespace()
                .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
        };
        let features = value("features")?;
        Some(Arithmetic {
            arch: value("arch")?.to_string(),
            features: features
                .split(',')
                .filter(|f| !f.is_empty() && *f != "-")
                .map(str::to_string)
                .collect(),
            vectors: value("vectors")?.to_string(),
            threads: value("threads")?.parse().ok()?,
        })
    }

    /// The keys whose values differ from `other`'s, each as `key: ours → theirs`.
    pub fn differences(&self, other: &Arithmetic) -> Vec<String> {
        let mut out = Vec::new();
        let mut note = |key: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{key}: {a} → {b}"));
            }
        };
        note("arch", self.arch.clone(), other.arch.clone());
        note(
            "features",
            self.features.join(","),
            other.features.join(","),
        );
        note("vectors", self.vectors.clone(), other.vectors.clone());
        note(
            "threads",
            self.threads.to_string(),
            other.threads.to_string(),
        );
        out
    }
}

impl fmt::Display for Arithmetic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_line())
    }
}

/// Lets burn-flex's kernels use vector units wider than 256 bits (AVX-512) from now on, in
/// the whole process, or forbids them again. Off by default: with them a seeded run rounds
/// differently on CPUs that have them (see the module's documentation).
pub fn allow_wide_vectors(allowed: bool) {
    macerator::allow_wide_vectors(allowed);
}

#[cfg(target_arch = "x86_64")]
fn features() -> Vec<String> {
    let mut out = Vec::new();
    if std::arch::is_x86_feature_detected!("avx2") {
        out.push("avx2".to_string());
    }
    if std::arch::is_x86_feature_detected!("fma") {
        out.push("fma".to_string());
    }
    if std::arch::is_x86_feature_detected!("avx512f") {
        out.push("avx512f".to_string());
    }
    out
}

#[cfg(not(target_arch = "x86_64"))]
fn features() -> Vec<String> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::prelude::*;

    #[test]
    fn the_line_reads_back_and_differences_name_the_key() {
        let host = Arithmetic::host();
        assert_eq!(Arithmetic::from_line(&host.to_line()), Some(host.clone()));
        let other = Arithmetic {
            threads: host.threads + 1,
            features: vec![],
            ..host.clone()
        };
        assert_eq!(Arithmetic::from_line(&other.to_line()), Some(other.clone()));
        let moved = host.differences(&other);
        assert!(
            moved.iter().any(|d| d.starts_with("threads: ")),
            "{moved:?}"
        );
        assert!(Arithmetic::from_line("arch=x86_64 vectors=V3").is_none());
    }

    /// burn-flex's full sum, as the 256-bit kernels compute it, on any CPU: 128 numbers where
    /// 8 lanes add 10⁸ and −10⁸ first (exactly 0, then + 1) and 16 lanes add 10⁸ and 1 first
    /// (10⁸, losing the 1). Upstream macerator gave 0 on an AVX-512 CPU.
    #[test]
    fn a_cpu_sum_groups_in_eight_lanes_whatever_the_vector_unit() {
        let mut xs = vec![0.0f32; 128];
        xs[0] = 1e8;
        xs[16] = 1.0;
        xs[64] = -1e8;
        let device = Device::flex();
        let sum = Tensor::<1>::from_floats(xs.as_slice(), &device).sum();
        let got = sum.into_data().try_to_vec::<f32>().unwrap_or_default();
        assert_eq!(got, [1.0], "{}", Arithmetic::host());
        assert_ne!(Arithmetic::host().vectors, "V4");
    }
}
