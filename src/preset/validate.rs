//! Checking a preset: the combinations and ranges a TOML schema cannot express, each refused
//! with the reason and the preset's name.

use super::{
    DatasetSpec, GeneratorSpec, ModelSpec, PenaltyKind, Preset, PresetError, TaskSpec, TransformerD,
};

/// The longest description kept: it is copied into every run folder and checkpoint.
const MAX_DESCRIPTION: usize = 4000;

/// The largest length scale a 2-D data set may have (its points are framed on screen).
const MAX_SCALE: f32 = 1000.0;

/// In (0, [`MAX_SCALE`]]: positive, finite and not absurd.
fn within(v: f32) -> bool {
    v > 0.0 && v <= MAX_SCALE
}

impl Preset {
    /// Refuse this preset with a reason.
    fn fail(&self, message: String) -> Result<(), PresetError> {
        Err(PresetError::Invalid {
            name: self.name.clone(),
            message,
        })
    }

    /// Check the combinations a TOML schema cannot express.
    pub fn validate(&self) -> Result<(), PresetError> {
        if self.description.len() > MAX_DESCRIPTION {
            return self.fail(format!(
                "description is {} bytes long; at most {MAX_DESCRIPTION} are kept",
                self.description.len()
            ));
        }
        if self.name.trim().is_empty() {
            return self.fail("name is empty".into());
        }
        let t = &self.train;
        if t.batch_size == 0 || t.batch_size > 4096 {
            return self.fail(format!("batch_size {} is not in 1..=4096", t.batch_size));
        }
        for (what, lr) in [("lr_g", t.lr_g), ("lr_d", t.lr_d)] {
            if !(lr.is_finite() && lr > 0.0 && lr < 1.0) {
                return self.fail(format!("{what} {lr} is not in (0, 1)"));
            }
        }
        for (what, beta) in [("beta1", t.beta1), ("beta2", t.beta2)] {
            if !(0.0..1.0).contains(&beta) {
                return self.fail(format!("{what} {beta} is not in [0, 1)"));
            }
        }
        if t.d_steps == 0 || t.d_steps > 100 {
            return self.fail(format!("d_steps {} is not in 1..=100", t.d_steps));
        }
        if t.sample_every == 0 {
            return self.fail("sample_every must be at least 1".into());
        }
        if t.metrics_every == 0 {
            return self.fail("metrics_every must be at least 1".into());
        }
        if t.samples == 0 || t.samples > 10_000 {
            return self.fail(format!("samples {} is not in 1..=10000", t.samples));
        }
        if let Some(k) = t.real_per_class {
            if k == 0 || k > 100_000 {
                return self.fail(format!("real_per_class {k} is not in 1..=100000"));
            }
            let labelled_images = matches!(
                self.dataset,
                DatasetSpec::Digits { .. } | DatasetSpec::Shapes { .. } | DatasetSpec::Files { .. }
            ) && self.dataset.classes().is_some();
            if !labelled_images {
                return self.fail(
                    "real_per_class needs a labelled image set (digits, shapes, or files with \
                     classes), not 2-D points or image pairs"
                        .into(),
                );
            }
        }
        self.validate_data()?;
        self.validate_task()?;
        self.validate_game()
    }

    fn validate_game(&self) -> Result<(), PresetError> {
        let game = &self.game;
        if let Some(problem) = game.problem() {
            return self.fail(problem);
        }
        if !self.train.batch_size.is_multiple_of(game.pack) {
            return self.fail(format!(
                "batch_size {} is not a multiple of pack {}",
                self.train.batch_size, game.pack
            ));
        }
        if let Some(why) = self
            .model
            .as_ref()
            .and_then(|m| m.penalty_unsupported(game.penalty))
        {
            return self.fail(why);
        }
        if self.growth.is_some() && !matches!(self.model, Some(ModelSpec::Progressive { .. })) {
            return self.fail(
                "[growth] schedules the progressive family: use [model] family = \"progressive\" \
                 or drop it"
                    .into(),
            );
        }
        if let Some(growth) = self.growth
            && growth.fade_steps == 0
        {
            return self.fail("[growth] fade_steps must be at least 1".into());
        }
        if self.model.is_none() && game.penalty != PenaltyKind::None {
            return self.fail(format!(
                "the {} needs D's input gradient per sample, which the {} does not provide \
                 (its normalisation layers): set penalty = \"none\"",
                game.penalty.label(),
                self.networks_label()
            ));
        }
        if self.conditional() {
            let Some(classes) = self.dataset.classes() else {
                return self
                    .fail("a conditional model needs a labelled data set (digits, shapes)".into());
            };
            if game.pack > 1 {
                return self.fail(
                    "packing (PacGAN) and a conditional D do not combine: set pack = 1".into(),
                );
            }
            if !self.train.samples.is_multiple_of(classes) {
                return self.fail(format!(
                    "samples {} must be a multiple of the {classes} classes (one row per class)",
                    self.train.samples
                ));
            }
        }
        Ok(())
    }

    fn validate_data(&self) -> Result<(), PresetError> {
        match &self.dataset {
            // Finite and of a size the 2-D view can frame (infinity once became unit noise).
            DatasetSpec::Ring8 { radius, std } if !(within(*radius) && within(*std)) => self.fail(
                format!("ring8 needs radius and std in (0, {MAX_SCALE}] (got {radius}, {std})"),
            ),
            DatasetSpec::Grid25 { spacing, std } if !(within(*spacing) && within(*std)) => self
                .fail(format!(
                    "grid25 needs spacing and std in (0, {MAX_SCALE}] (got {spacing}, {std})"
                )),
            DatasetSpec::Spiral { noise } if !(*noise == 0.0 || within(*noise)) => self.fail(
                format!("spiral needs noise in [0, {MAX_SCALE}] (got {noise})"),
            ),
            DatasetSpec::PairedFiles {
                path,
                source_channels,
                target_channels,
                ..
            } if path.trim().is_empty()
                || ![1, 3].contains(source_channels)
                || ![1, 3].contains(target_channels) =>
            {
                self.fail(format!(
                    "a paired_files data set needs a path and 1 or 3 channels on each side \
                     (got '{path}', {source_channels}, {target_channels})"
                ))
            }
            DatasetSpec::Files { path, channels, .. }
                if path.trim().is_empty() || ![1, 3].contains(channels) =>
            {
                self.fail(format!(
                    "a files data set needs a path and 1 or 3 channels (got '{path}', {channels})"
                ))
            }
            DatasetSpec::Photos { path, channels, .. }
                if path.trim().is_empty() || ![1, 3].contains(channels) =>
            {
                self.fail(format!(
                    "a photos data set needs a path and 1 or 3 channels (got '{path}', {channels})"
                ))
            }
            _ => match self.dataset.image_size() {
                Some(size) if ![16, 32, 64].contains(&size) => {
                    self.fail(format!("image size {size} is not one of 16, 32, 64"))
                }
                _ => Ok(()),
            },
        }
    }

    /// The task, and networks that can play it.
    fn validate_task(&self) -> Result<(), PresetError> {
        if let Some(problem) = self.task.problem() {
            return self.fail(problem);
        }
        match (
            &self.task,
            &self.model,
            &self.generator,
            &self.discriminator,
        ) {
            (TaskSpec::Generate, Some(model), None, None) => {
                if self.dataset.is_paired() {
                    return self.fail(
                        "a paired data set is for the translate task: add [task] kind = \
                         \"translate\""
                            .into(),
                    );
                }
                self.validate_model(model)
            }
            (TaskSpec::Generate, ..) => self.fail(
                "the generate task takes its networks from [model] (family mlp or dcgan), \
                 without [generator] or [discriminator]"
                    .into(),
            ),
            (TaskSpec::Translate { .. }, None, Some(g), Some(d)) => {
                if !matches!(g, GeneratorSpec::Unet { .. }) {
                    return self
                        .fail("the translate task needs [generator] family = \"unet\"".into());
                }
                if !self.dataset.is_paired() {
                    return self.fail(
                        "the translate task needs a paired data set (shapes_outline, \
                         digit_skeletons, shapes_grey, paired_files)"
                            .into(),
                    );
                }
                if let Some(problem) = g.problem().or_else(|| d.problem()) {
                    return self.fail(problem);
                }
                if self.game.pack != 1 {
                    return self
                        .fail("packing (PacGAN) is for the generate task: set pack = 1".into());
                }
                if self.game.mode_seeking > 0.0 {
                    return self.fail(
                        "mode seeking compares outputs of two latents, and the U-Net has no \
                         latent: set mode_seeking = 0"
                            .into(),
                    );
                }
                Ok(())
            }
            (TaskSpec::Translate { .. }, ..) => self.fail(
                "the translate task names its networks in [generator] (family unet) and \
                 [discriminator] (family patch_gan), without [model]"
                    .into(),
            ),
            (TaskSpec::Upscale { scale, .. }, None, Some(g), Some(d)) => {
                if self.dataset.is_points() || self.dataset.is_paired() {
                    return self.fail(
                        "the upscale task makes its low-resolution inputs from an image set \
                         (digits, shapes or files), not from points or pairs"
                            .into(),
                    );
                }
                if !matches!(g, GeneratorSpec::Srresnet { .. }) {
                    return self
                        .fail("the upscale task needs [generator] family = \"srresnet\"".into());
                }
                if let Some(problem) = g.problem().or_else(|| d.problem()) {
                    return self.fail(problem);
                }
                let side = self.dataset.image_size().unwrap_or(0);
                if !side.is_multiple_of(*scale) || side / scale < 4 {
                    return self.fail(format!(
                        "images of {side} px cannot be shrunk {scale}× to a whole side of at \
                         least 4 px"
                    ));
                }
                if self.game.pack != 1 || self.game.mode_seeking > 0.0 {
                    return self.fail(
                        "packing and mode seeking are for the generate task: set pack = 1 and \
                         mode_seeking = 0"
                            .into(),
                    );
                }
                Ok(())
            }
            (TaskSpec::Upscale { .. }, ..) => self.fail(
                "the upscale task names its networks in [generator] (family srresnet) and \
                 [discriminator] (family patch_gan), without [model]"
                    .into(),
            ),
        }
    }

    fn validate_model(&self, model: &ModelSpec) -> Result<(), PresetError> {
        let latent = model.latent_dim();
        if latent == 0 || latent > 1024 {
            return self.fail(format!("latent_dim {latent} is not in 1..=1024"));
        }
        match (model, self.dataset.is_points()) {
            (ModelSpec::Mlp { hidden, layers, .. }, _) => {
                if *hidden == 0 || *hidden > 4096 || *layers == 0 || *layers > 16 {
                    return self.fail(format!(
                        "mlp needs hidden in 1..=4096 and layers in 1..=16 (got {hidden}, {layers})"
                    ));
                }
                Ok(())
            }
            (ModelSpec::Dcgan { .. }, true) => {
                self.fail("the DCGAN family needs an image data set, not 2-D points".into())
            }
            (ModelSpec::Dcgan { ngf, ndf, .. }, false) => {
                if *ngf == 0 || *ndf == 0 || *ngf > 512 || *ndf > 512 {
                    return self.fail(format!("ngf and ndf must be in 1..=512 (got {ngf}, {ndf})"));
                }
                Ok(())
            }
            (ModelSpec::Transformer { .. }, true) => {
                self.fail("the transformer family needs an image data set, not 2-D points".into())
            }
            (
                ModelSpec::Transformer {
                    dim,
                    heads,
                    depth,
                    ndf,
                    discriminator,
                    patch,
                    overlap,
                    ..
                },
                false,
            ) => {
                if *dim == 0 || !dim.is_multiple_of(16) || *dim > 512 {
                    return self.fail(format!("dim {dim} is not a multiple of 16 in 16..=512"));
                }
                if *heads == 0 || !(dim / 4).is_multiple_of(*heads) {
                    return self.fail(format!(
                        "{heads} heads do not divide the second stage's width {}",
                        dim / 4
                    ));
                }
                if *depth == 0 || *depth > 8 || *ndf == 0 || *ndf > 512 {
                    return self.fail(format!(
                        "depth must be in 1..=8 and ndf in 1..=512 (got {depth}, {ndf})"
                    ));
                }
                let side = self.dataset.image_size().unwrap_or(0);
                if !side.is_multiple_of(4) {
                    return self.fail(format!(
                        "the transformer G needs a side divisible by 4 (got {side})"
                    ));
                }
                if *discriminator == TransformerD::Vit
                    && (*patch == 0 || !side.is_multiple_of(*patch) || !dim.is_multiple_of(*heads))
                {
                    return self.fail(format!(
                        "the ViT needs a patch side dividing the image side {side} and heads \
                         dividing dim {dim} (got patch {patch}, {heads} heads)"
                    ));
                }
                if *discriminator == TransformerD::Vit && *overlap > *patch {
                    return self.fail(format!(
                        "a ViT patch's overlap must be at most its side (got overlap {overlap} \
                         with patch {patch})"
                    ));
                }
                Ok(())
            }
            (ModelSpec::Progressive { .. }, true) => {
                self.fail("the progressive family needs an image data set, not 2-D points".into())
            }
            (ModelSpec::Progressive { width, .. }, false) => {
                if *width == 0 || *width > 512 {
                    return self.fail(format!("width {width} is not in 1..=512"));
                }
                let Some(growth) = self.growth() else {
                    return self.fail("the progressive family needs square images".into());
                };
                if let Some(problem) = growth.problem() {
                    return self.fail(format!("{problem} (start and the data's side)"));
                }
                if growth.levels() > 1 && self.growth.is_none() {
                    return self.fail(format!(
                        "growing from {} to {} px needs a [growth] table with fade_steps and \
                         stable_steps",
                        growth.start, growth.end
                    ));
                }
                if self.game.pack != 1 || self.game.spectral_norm {
                    return self.fail(
                        "the progressive family judges one sample at a time and keeps its \
                         weights in scale with the equalised learning rate: set pack = 1 and \
                         spectral_norm = false"
                            .into(),
                    );
                }
                Ok(())
            }
        }
    }
}
