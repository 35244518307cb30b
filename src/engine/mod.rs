//! The training engine: burn, devices, models in training, the step loop and the thread that
//! runs it, the recording of runs to disk, and the explorer thread that renders snapshots of
//! G beside it. It never touches egui; front ends reach it only through [`crate::protocol`].

pub mod classifier;
pub mod device;
pub mod explorer;
pub mod field;
pub mod grad_norm;
pub mod jobs;
pub mod lab;
pub mod labelling;
pub mod loss;
mod outbox;
pub mod profile;
mod recording;
pub mod remote;
pub mod resident;
pub mod session;
pub mod snapshot;
pub mod task;
pub mod trainer;
pub mod translator;
pub mod upscaler;

pub use session::spawn;
pub use trainer::{TrainError, Trainer};

/// The text a caught panic carried (the training and explorer threads report it).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Reading tensor values back to the host. Every tensor ganscope reads is f32 (its models
/// and inputs are built in f32), so the one conversion that could fail is checked here once.
pub(crate) trait HostValues {
    fn to_f32s(self) -> Vec<f32>;
}

impl HostValues for burn::tensor::TensorData {
    fn to_f32s(self) -> Vec<f32> {
        self.try_to_vec::<f32>()
            .unwrap_or_else(|e| unreachable!("ganscope's tensors are f32: {e:?}"))
    }
}

/// A float tensor's values on the host. A read from a remote device waits at most
/// [`remote::read_deadline`], as a step's read does: past it (a server that stalls while a
/// sample grid, a measurement or a render is read), or when the server is gone, this panics
/// with the reason, which the engine's session takes as the device lost and the explorer as
/// a failed render, rather than waiting for ever.
pub(crate) trait ReadBack {
    fn read_f32s(self) -> Vec<f32>;
}

impl<const D: usize> ReadBack for burn::prelude::Tensor<D> {
    fn read_f32s(self) -> Vec<f32> {
        if !remote::is_remote(&self.device()) {
            return self.into_data().to_f32s();
        }
        match remote::within(remote::read_deadline(), move || self.try_into_data()) {
            Ok(Ok(data)) => data.to_f32s(),
            Ok(Err(e)) => panic!(
                "the remote device stopped answering ({})",
                remote::read_error(&e)
            ),
            Err(why) => panic!("the remote device stopped answering ({why})"),
        }
    }
}
