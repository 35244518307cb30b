//! A finite data set kept on the training device for the whole run, so that a step sends
//! the indices of its batch (a few hundred bytes) rather than its images: what makes a
//! remote device's steps cheap on a slow link, where a 64-image batch of 64-px colour
//! photos is 3 MB a step. The batch is the same one the host path would build: the indices
//! come from the data set's own stream ([`DataSource::draw`]) and select rows of the very
//! values [`DataSource::batch`] would have sent.
//!
//! Kept only where it pays: on a device other than the CPU (where an upload is a copy in
//! the same memory), and for sets of at most [`RESIDENT_LIMIT`] bytes; anything else
//! (generated data, random crops, larger sets) takes the host path.

use crate::data::DataSource;
use burn::prelude::*;
use burn::tensor::TensorData;

/// The largest set (as `f32` values) kept on the device: Fashion-MNIST's 60 000 images are
/// 188 MB.
pub const RESIDENT_LIMIT: usize = 256 << 20;

/// The whole set on the device, one sample per row, with its labels on the host.
pub struct Resident {
    x: Tensor<2>,
    labels: Option<Vec<u32>>,
}

impl Resident {
    /// `data`'s whole set uploaded to `device` once, when it is finite and small enough.
    pub fn upload(data: &dyn DataSource, device: &Device) -> Option<Resident> {
        let features = data.shape().numel();
        let all = data.all()?;
        if all.n == 0 || all.x.len() * 4 > RESIDENT_LIMIT || all.x.len() != all.n * features {
            return None;
        }
        Some(Resident {
            x: Tensor::from_data(TensorData::new(all.x, [all.n, features]), device),
            labels: all.labels,
        })
    }

    /// The rows at `indices` (on the device) and their labels.
    pub fn rows(&self, indices: &[usize], device: &Device) -> (Tensor<2>, Option<Vec<u32>>) {
        let picked: Vec<i64> = indices.iter().map(|&i| i as i64).collect();
        let at = Tensor::<1, Int>::from_data(TensorData::new(picked, [indices.len()]), device);
        let labels = self
            .labels
            .as_ref()
            .map(|l| indices.iter().map(|&i| l[i]).collect());
        (self.x.clone().select(0, at), labels)
    }
}
