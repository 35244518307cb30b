//! The training engine: burn, devices, models in training, the step loop and the thread that
//! runs it. It never touches egui; front ends reach it only through [`crate::protocol`].

pub mod device;
pub mod loss;
pub mod profile;
pub mod session;
pub mod trainer;

pub use session::spawn;
pub use trainer::{TrainError, Trainer};
