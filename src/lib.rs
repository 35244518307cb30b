//! ganscope: train GANs interactively and watch them learn.
//!
//! `engine` (burn) and `ui` (egui) never see each other; they meet only in [`protocol`].

pub mod cli;
pub mod data;
pub mod engine;
pub mod files;
pub mod imaging;
pub mod kernels;
pub mod latent;
pub mod linalg;
pub mod metrics;
pub mod models;
pub mod preset;
pub mod protocol;
pub mod runs;
pub mod ui;
