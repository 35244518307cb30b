//! `ganscope sample`: generated 2-D points as CSV (`x,y` per line, with a header), so anyone can
//! recompute the mode metrics with their own code; the metrics ganscope computes on the same
//! points are printed as one JSON line.
//!
//! The generator is either a saved run (`--checkpoint`) or a fresh run of a preset trained for
//! `--steps` steps first (`--preset`, optionally with another `--seed`).

use crate::data::{self, SampleShape};
use crate::engine::snapshot::Snapshot;
use crate::engine::{Trainer, device};
use crate::latent;
use crate::metrics::modes;
use crate::preset::Preset;
use crate::protocol::{DeviceChoice, Rendered};
use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// Where the generator comes from.
pub enum Source {
    Checkpoint(std::path::PathBuf),
    Preset { preset: Box<Preset>, steps: u64 },
}

/// Seeds of the latents drawn from a saved generator (away from the grid's 0, 1, 2…).
const SAMPLE_SEEDS: u64 = 3 << 40;

pub fn run(source: Source, n: usize, device: DeviceChoice, out: &Path) -> anyhow::Result<()> {
    let (points, preset) = match source {
        Source::Checkpoint(path) => {
            let (snapshot, preset) = Snapshot::load(&path, device)?;
            let latents: Vec<Vec<f32>> = latent::from_seeds(SAMPLE_SEEDS, n, snapshot.latent_dim())
                .chunks(snapshot.latent_dim())
                .map(<[f32]>::to_vec)
                .collect();
            match snapshot.render(&latents, None) {
                Some(Rendered::Points(points)) => (points, preset),
                _ => anyhow::bail!("'{}' makes images; sample writes 2-D points", preset.name),
            }
        }
        Source::Preset { preset, steps } => {
            let opened = device::open(device, preset.dataset.is_points())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let shape = data::open(&preset.dataset, preset.train.seed)?.shape();
            if shape != SampleShape::Points2 {
                anyhow::bail!("'{}' makes images; sample writes 2-D points", preset.name);
            }
            let mut trainer = Trainer::try_new(&preset, &opened)?;
            for _ in 0..steps {
                trainer.step()?;
            }
            let flat = trainer.generate(n);
            let points = flat.chunks_exact(2).map(|p| [p[0], p[1]]).collect();
            (points, *preset)
        }
    };
    write_csv(&points, out).with_context(|| format!("cannot write {}", out.display()))?;
    if let Some((means, std)) = data::mixture(&preset.dataset) {
        let metrics = modes::mode_metrics(&points, &means, std);
        println!("{}", serde_json::to_string(&metrics)?);
    }
    eprintln!(
        "wrote {} points of {} to {}",
        points.len(),
        preset.name,
        out.display()
    );
    Ok(())
}

fn write_csv(points: &[[f32; 2]], out: &Path) -> anyhow::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    writeln!(file, "x,y")?;
    for p in points {
        writeln!(file, "{},{}", p[0], p[1])?;
    }
    file.flush()?;
    Ok(())
}
