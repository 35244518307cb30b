//! ganscope's integration tests, one binary (linking burn once instead of once per file).

mod attention;
mod checkpoints;
mod common;
mod data;
mod explorer;
mod files;
mod fused;
mod game;
mod hostile;
mod interpolate;
mod kernels;
mod kill;
mod learning;
mod mutated;
mod optimizer;
mod photos;
mod presets;
mod progressive;
mod runs;
mod seeded;
mod session;
mod translate;
mod ui;
mod ui_files;
mod ui_runs;
mod upscale;
