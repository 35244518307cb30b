//! Checkpoints of a run: G, D, both Adam states, the step and the training time, with the
//! preset beside them, in `RUN/checkpoints/step_NNNNNNN/`. Randomness is keyed by step (see
//! `Trainer::rng`), so the step is all the RNG state there is: a resumed run draws exactly
//! the noise and data an uninterrupted one would.
//!
//! A checkpoint is written into a temporary folder and renamed into place, so a crash or a
//! kill during a save never leaves a half-written checkpoint under a final name. Loading
//! checks the architecture first and reports any unreadable file by name.

use super::Trainer;
use crate::data::SampleShape;
use crate::files;
use crate::preset::Preset;
use crate::runs::{checkpoint_complete, checkpoint_path, checkpoint_step, checkpoints};
use anyhow::Context;
use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const STATE: &str = "state.json";
const FORMAT: u32 = 1;
/// Steps beyond this are not believed (a damaged or hand-edited `state.json`): a run would
/// need centuries to get there, and counting on would overflow.
const MAX_STEP: u64 = 1 << 48;

#[derive(Serialize, Deserialize)]
struct State {
    format: u32,
    step: u64,
    trained_s: f64,
    /// What the weights fit: the model spec and sample shape, as text.
    architecture: String,
    /// File name → checksum ([`files::checksum`]) of each weight file, checked before
    /// loading (older checkpoints have none).
    #[serde(default)]
    checksums: BTreeMap<String, String>,
    /// PacGAN packing: D's input is `pack` samples wide, so it is part of D's shape (older
    /// checkpoints do not say).
    #[serde(default)]
    pack: Option<usize>,
    /// What identified the file data when saved (see `DataSource::identity`; generated data
    /// and older checkpoints have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<String>,
}

/// The largest `state.json` read (a real one is a few hundred bytes).
const MAX_STATE_BYTES: u64 = 64 * 1024;
/// The largest weight or optimizer file read (the largest shipped model's are a few MB).
const MAX_WEIGHT_BYTES: u64 = 1 << 30;
/// The weight and optimizer files, whose checksums `state.json` keeps.
const WEIGHTS: [&str; 4] = [
    "generator.bpk",
    "discriminator.bpk",
    "optimizer_g.bpk",
    "optimizer_d.bpk",
];

/// A checkpoint folder, or the newest complete checkpoint of a run folder.
pub fn resolve(path: &Path) -> anyhow::Result<PathBuf> {
    if path.join(STATE).is_file() {
        return Ok(path.to_path_buf());
    }
    checkpoints(path)
        .pop()
        .map(|(_, p)| p)
        .with_context(|| format!("{} holds no complete checkpoint", path.display()))
}

/// The run folder a checkpoint belongs to (`RUN` of `RUN/checkpoints/step_N`).
pub fn run_of(checkpoint: &Path) -> anyhow::Result<PathBuf> {
    checkpoint
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .with_context(|| format!("{} is not inside a run folder", checkpoint.display()))
}

/// The preset saved with a checkpoint.
pub fn preset_of(checkpoint: &Path) -> anyhow::Result<Preset> {
    Ok(Preset::from_file(&checkpoint.join("preset.toml"))?)
}

impl Trainer {
    fn architecture(&self) -> String {
        format!("{} on {:?}", self.preset.architecture(), self.shape)
    }

    /// Save a checkpoint of the current step into `run`; returns its folder. A complete
    /// checkpoint of this step already there is kept as it is (the state of a step is a
    /// function of the run, so it is the same one): a save never removes a good copy. The
    /// new one is written into a temporary folder (removed again if the write fails) and
    /// renamed into place once whole.
    pub fn save_checkpoint(&self, run: &Path) -> anyhow::Result<PathBuf> {
        let target = checkpoint_path(run, self.step);
        if checkpoint_complete(&target) {
            return Ok(target);
        }
        let partial = target.with_extension(format!("partial-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&partial);
        let written = self.write_checkpoint(&partial);
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
        // What is under the final name is not a checkpoint (a crash's remains): replace it.
        if target.exists() {
            std::fs::remove_dir_all(&target)
                .with_context(|| format!("cannot replace {}", target.display()))?;
        }
        std::fs::rename(&partial, &target)
            .with_context(|| format!("cannot move the checkpoint to {}", target.display()))?;
        Ok(target)
    }

    /// Write every file of a checkpoint into `partial`, `state.json` last.
    fn write_checkpoint(&self, partial: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(partial)
            .with_context(|| format!("cannot create {}", partial.display()))?;
        let record = |what: &str, e: burn::store::RecordError| {
            anyhow::anyhow!("cannot save the {what}: {e}")
        };
        self.g()
            .clone()
            .save_file(partial.join("generator.bpk"))
            .map_err(|e| record("generator", e))?;
        self.d()
            .clone()
            .save_file(partial.join("discriminator.bpk"))
            .map_err(|e| record("discriminator", e))?;
        self.opt_g
            .save(partial.join("optimizer_g.bpk"))
            .map_err(|e| record("generator's optimizer", e))?;
        self.opt_d
            .save(partial.join("optimizer_d.bpk"))
            .map_err(|e| record("discriminator's optimizer", e))?;
        std::fs::write(partial.join("preset.toml"), toml::to_string(&self.preset)?)?;
        let mut checksums = BTreeMap::new();
        for name in WEIGHTS {
            checksums.insert(name.to_string(), files::checksum(&partial.join(name))?);
        }
        let state = State {
            format: FORMAT,
            step: self.step,
            trained_s: self.trained_s,
            architecture: self.architecture(),
            checksums,
            pack: Some(self.preset.game.pack),
            data: self.data.identity(),
        };
        std::fs::write(partial.join(STATE), serde_json::to_string_pretty(&state)?)
            .with_context(|| format!("cannot write into {}", partial.display()))?;
        Ok(())
    }

    /// Write G alone (inference mode) with its preset into `folder`, for use elsewhere.
    pub fn export_generator(&self, folder: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        std::fs::write(folder.join("preset.toml"), toml::to_string(&self.preset)?)?;
        self.generator_for_export()
            .save_file(folder.join("generator.bpk"))
            .map_err(|e| anyhow::anyhow!("cannot save the generator: {e}"))
    }

    /// Continue from a checkpoint: weights, optimizer states, step and training time. The
    /// trainer must have been built for the same architecture (its preset may differ in
    /// hyper-parameters: that is a fork).
    pub fn load_checkpoint(&mut self, checkpoint: &Path) -> anyhow::Result<()> {
        let state = read_state(checkpoint)?;
        if state.architecture != self.architecture() {
            anyhow::bail!(
                "the checkpoint is for a different architecture:\n  checkpoint: {}\n  this run:   {}",
                state.architecture,
                self.architecture()
            );
        }
        if let Some(pack) = state.pack
            && pack != self.preset.game.pack
        {
            anyhow::bail!(
                "the checkpoint's D judges packs of {pack} sample(s) and this preset's packs \
                 {}: packing changes D's input, so set pack = {pack} to continue or fork it",
                self.preset.game.pack
            );
        }
        let file = |name: &str| checkpoint.join(name);
        let read = |name: &str| read_checked(checkpoint, &state, name);
        let [g_file, d_file, opt_g_file, opt_d_file] = WEIGHTS;
        let (g_bytes, d_bytes) = (read(g_file)?, read(d_file)?);
        let (opt_g_bytes, opt_d_bytes) = (read(opt_g_file)?, read(opt_d_file)?);
        let damaged = |name: &str, e: burn::store::RecordError| {
            anyhow::anyhow!(
                "{} is damaged or not from this model: {e}",
                file(name).display()
            )
        };
        let module = |name: &str, bytes: Bytes| {
            ModuleRecord::from_bytes(bytes).map_err(|e| damaged(name, e))
        };
        let generator = self
            .g()
            .clone()
            .try_load_record(module(g_file, g_bytes)?)
            .map_err(|e| damaged(g_file, e))?;
        let discriminator = self
            .d()
            .clone()
            .try_load_record(module(d_file, d_bytes)?)
            .map_err(|e| damaged(d_file, e))?;
        let opt_g = self
            .opt_g
            .clone()
            .from_bytes(opt_g_bytes)
            .map_err(|e| damaged(opt_g_file, e))?;
        let opt_d = self
            .opt_d
            .clone()
            .from_bytes(opt_d_bytes)
            .map_err(|e| damaged(opt_d_file, e))?;
        self.generator = Some(generator);
        self.discriminator = Some(discriminator);
        self.opt_g = opt_g;
        self.opt_d = opt_d;
        self.step = state.step;
        self.sync_stage();
        self.trained_s = state.trained_s;
        let now = self.data.identity();
        self.data_changed = match (state.data, now) {
            (Some(then), Some(now)) if then != now => Some(format!(
                "the data changed since this checkpoint was saved: then {then}; now {now}"
            )),
            _ => None,
        };
        Ok(())
    }
}

/// The checked `state.json` of `checkpoint`.
fn read_state(checkpoint: &Path) -> anyhow::Result<State> {
    if !checkpoint.join(STATE).exists() {
        anyhow::bail!(
            "{} is not a checkpoint (it has no {STATE})",
            checkpoint.display()
        );
    }
    let text = files::read_text(&checkpoint.join(STATE), MAX_STATE_BYTES)?;
    let state: State = serde_json::from_str(&text)
        .with_context(|| format!("{} is damaged", checkpoint.join(STATE).display()))?;
    if let Some(named) = checkpoint_step(checkpoint)
        && named != state.step
    {
        anyhow::bail!(
            "{} says step {} but its folder is named for step {named}: the checkpoint is \
             inconsistent and is not used (nothing was changed)",
            checkpoint.join(STATE).display(),
            state.step
        );
    }
    if state.step > MAX_STEP || !state.trained_s.is_finite() || state.trained_s < 0.0 {
        anyhow::bail!(
            "{} is damaged: step {} and training time {} s are out of range",
            checkpoint.join(STATE).display(),
            state.step,
            state.trained_s
        );
    }
    if state.format != FORMAT {
        anyhow::bail!(
            "checkpoint format {} is not supported (this build reads {FORMAT})",
            state.format
        );
    }
    Ok(state)
}

/// Weight file `name` of `checkpoint`, read whole into memory and checked against `state`'s
/// checksum before any is used: nothing is read lazily from disk later (a checkpoint removed
/// or rewritten after loading cannot pull the weights away), a FIFO is refused, and flipped
/// bits or swapped files do not load.
fn read_checked(checkpoint: &Path, state: &State, name: &str) -> anyhow::Result<Bytes> {
    let file = checkpoint.join(name);
    let bytes = files::read_limited(&file, MAX_WEIGHT_BYTES)?;
    if let Some(expected) = state.checksums.get(name)
        && files::checksum_bytes(&bytes) != *expected
    {
        anyhow::bail!(
            "{} is damaged or not the one saved with this checkpoint (its checksum does not \
             match {STATE}); nothing was loaded",
            file.display()
        );
    }
    Ok(Bytes::from_bytes_vec(bytes))
}

/// The generator of `checkpoint` alone, built from its preset without its data (a run
/// moved to another machine still upscales or translates), with the checkpoint's step.
pub fn generator_of(
    checkpoint: &Path,
    device: &burn::prelude::Device,
) -> anyhow::Result<(crate::models::Generator, Preset, u64)> {
    let state = read_state(checkpoint)?;
    let preset = preset_of(checkpoint)?;
    let (shape, source) = shapes(&preset);
    let architecture = format!("{} on {shape:?}", preset.architecture());
    if state.architecture != architecture {
        anyhow::bail!(
            "{} does not match its own preset.toml (architecture {} against {architecture}): \
             nothing was loaded",
            checkpoint.join(STATE).display(),
            state.architecture,
        );
    }
    let (generator, _) = crate::models::try_seeded(device, preset.train.seed, || {
        crate::models::build(&preset, shape, source, device)
    })
    .map_err(|e| anyhow::anyhow!("preset '{}': {e}", preset.name))?;
    let [g_file, ..] = WEIGHTS;
    let record = ModuleRecord::from_bytes(read_checked(checkpoint, &state, g_file)?)
        .and_then(|record| generator.try_load_record(record))
        .map_err(|e| {
            anyhow::anyhow!(
                "{} is damaged or not from this model: {e}",
                checkpoint.join(g_file).display()
            )
        })?;
    let mut record = record;
    if let Some(growth) = preset.growth() {
        record.set_stage(growth.stage(state.step));
    }
    Ok((record, preset, state.step))
}

/// The shape of `preset`'s samples and, for a paired set, of its source images, as its data
/// set would report them (every data set gives images of the preset's size).
fn shapes(preset: &Preset) -> (SampleShape, Option<SampleShape>) {
    let (source, target) = preset.image_channels();
    let Some(side) = preset.dataset.image_size() else {
        return (SampleShape::Points2, None);
    };
    let image = |channels| SampleShape::Image {
        channels,
        height: side,
        width: side,
    };
    (
        image(target),
        preset.dataset.is_paired().then(|| image(source)),
    )
}
