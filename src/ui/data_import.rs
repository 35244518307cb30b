//! "Your data": a data set dropped on the window or picked with *Open data…*. A helper
//! thread examines it (format, images, classes with counts, sizes, files skipped and why, a
//! grid of real samples); the window lets the user pick the image size, the channels and a
//! model/game template from the presets, and saves the result as a user preset (TOML in the
//! user presets folder, listed beside the shipped ones from then on) that the app loads.

use crate::data::files;
use crate::imaging::{self, RgbaImage};
use crate::preset::{Preset, TaskSpec};
use crossbeam_channel::Receiver;
use egui::TextureHandle;
use std::path::{Path, PathBuf};

/// Real samples shown in the window.
const SHOWN: usize = 24;
/// Side the examination decodes at (the size picked later may differ).
const EXAMINED_SIDE: usize = 32;

/// What the examination found.
#[derive(Clone, Debug)]
pub struct Examined {
    pub format: String,
    pub count: usize,
    /// Images held out for measurements, never trained on.
    pub held_out: usize,
    pub classes: Vec<(String, usize)>,
    pub sizes: Vec<(usize, usize)>,
    pub skipped: Vec<(String, String)>,
    /// Grey when every image is (IDX sets, grey folders).
    pub grey: bool,
    grid: RgbaImage,
}

/// Decode `path` as the app would (on the calling thread) and summarise it.
pub fn examine(path: &Path) -> Result<Examined, String> {
    let set = files::load(path, EXAMINED_SIDE, 3).map_err(|e| e.to_string())?;
    let plane = EXAMINED_SIDE * EXAMINED_SIDE;
    let image = |i: usize| &set.pixels[i * 3 * plane..(i + 1) * 3 * plane];
    let grey = (0..set.count).all(|i| {
        let p = image(i);
        (0..plane).all(|j| p[j] == p[plane + j] && p[j] == p[2 * plane + j])
    });
    let tiles: Vec<RgbaImage> = (0..SHOWN.min(set.count))
        .map(|k| {
            let values: Vec<f32> = image(k * set.count / SHOWN.min(set.count))
                .iter()
                .map(|&v| f32::from(v) / 127.5 - 1.0)
                .collect();
            imaging::to_rgba(&values, 3, EXAMINED_SIDE)
        })
        .collect();
    Ok(Examined {
        format: set.found.format().to_string(),
        count: set.count,
        held_out: set.held_out.as_ref().map_or(0, |h| h.count),
        classes: set
            .class_names
            .iter()
            .cloned()
            .zip(set.class_counts())
            .collect(),
        sizes: set.sizes.clone(),
        skipped: set
            .skipped
            .iter()
            .map(|(f, why)| (f.display().to_string(), why.clone()))
            .collect(),
        grey,
        grid: imaging::mosaic(&tiles, 8),
    })
}

/// Presets that can take a file data set: the generate and upscale tasks on images
/// (conditional ones only for a labelled set).
pub fn templates(presets: &[Preset], labelled: bool) -> Vec<&Preset> {
    presets
        .iter()
        .filter(|p| {
            matches!(p.task, TaskSpec::Generate | TaskSpec::Upscale { .. })
                && !p.dataset.is_points()
                && !p.dataset.is_paired()
                && (labelled || !p.conditional())
        })
        .collect()
}

/// The preset `template` on the data at `path` (of `classes` when labelled), named `name`.
pub fn preset_for(
    template: &Preset,
    path: &Path,
    name: &str,
    (size, channels): (usize, usize),
    classes: Option<usize>,
) -> Result<Preset, String> {
    let mut named = template.clone();
    named.name = name.trim().to_string();
    named.description = format!(
        "{} on the data at {} (made from the {} preset).",
        template.networks_label(),
        path.display(),
        template.name
    );
    named
        .on_files(path, size, (channels, channels), classes)
        .map_err(|e| e.to_string())
}

/// Write `preset` into `dir` as NAME.toml (refusing to overwrite another file); its path.
pub fn save_user_preset(preset: &Preset, dir: &Path) -> Result<PathBuf, String> {
    let safe: String = preset
        .name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{safe}.toml"));
    if path.exists() {
        return Err(format!(
            "{} already exists: pick another name",
            path.display()
        ));
    }
    let text = toml::to_string(preset).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

enum State {
    Examining(Receiver<Result<Examined, String>>),
    Ready(Box<Form>),
    Failed(String),
}

struct Form {
    examined: Examined,
    size: usize,
    channels: usize,
    template: String,
    name: String,
    /// The user typed a name: changing the template no longer renames the preset.
    name_edited: bool,
    /// The data's folder or file name, the first part of the proposed names.
    stem: String,
    error: Option<String>,
    texture: Option<TextureHandle>,
}

/// What the window's user decided.
pub enum ImportOutcome {
    Open,
    Cancelled,
    /// Load this preset (saved at the path).
    Create(Box<Preset>, PathBuf),
}

pub struct DataImport {
    path: PathBuf,
    state: State,
}

impl DataImport {
    /// Start examining `path` on a helper thread.
    pub fn start(path: PathBuf) -> DataImport {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let examined = path.clone();
        let spawned = std::thread::Builder::new()
            .name("ganscope-data".into())
            .spawn(move || {
                let _ = tx.send(examine(&examined));
            });
        let state = match spawned {
            Ok(_) => State::Examining(rx),
            Err(e) => State::Failed(format!("could not start examining: {e}")),
        };
        DataImport { path, state }
    }

    /// The examination's outcome, once known (for tests).
    pub fn examined(&self) -> Option<&Examined> {
        match &self.state {
            State::Ready(form) => Some(&form.examined),
            _ => None,
        }
    }

    /// Draw the window; what the user decided.
    pub fn ui(&mut self, ctx: &egui::Context, presets: &[Preset], dir: &Path) -> ImportOutcome {
        if let State::Examining(rx) = &self.state
            && let Ok(outcome) = rx.try_recv()
        {
            self.state = match outcome {
                Ok(examined) => State::Ready(Box::new(form(&self.path, examined, presets))),
                Err(e) => State::Failed(e),
            };
        }
        let mut outcome = ImportOutcome::Open;
        let mut open = true;
        egui::Window::new("Your data")
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .collapsible(false)
            .resizable(false)
            .open(&mut open)
            .show(ctx, |ui| {
                ui.label(self.path.display().to_string());
                match &mut self.state {
                    State::Examining(_) => {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.label("Reading every file…");
                        });
                        ctx.request_repaint_after(std::time::Duration::from_millis(50));
                    }
                    State::Failed(e) => {
                        ui.colored_label(ui.visuals().error_fg_color, e.as_str());
                        if ui.button("Close").clicked() {
                            outcome = ImportOutcome::Cancelled;
                        }
                    }
                    State::Ready(form) => {
                        outcome = form.ui(ui, &self.path, presets, dir);
                    }
                }
            });
        if !open {
            outcome = ImportOutcome::Cancelled;
        }
        outcome
    }
}

/// The form's first values: the examined set's own channels, the template that fits it
/// ([`proposed_template`]) and a free name after the folder and the template.
fn form(path: &Path, examined: Examined, presets: &[Preset]) -> Form {
    let labelled = !examined.classes.is_empty();
    let names: Vec<&str> = templates(presets, labelled)
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let template = proposed_template(&examined, &names);
    let stem = path
        .file_name()
        .map_or_else(|| "data".into(), |n| n.to_string_lossy().into_owned());
    Form {
        channels: if examined.grey { 1 } else { 3 },
        examined,
        size: 32,
        name: proposed_name(&stem, &template, presets),
        template,
        name_edited: false,
        stem,
        error: None,
        texture: None,
    }
}

/// Photos: few images (under 500) whose smaller side is at least 128 px. A GAN learns little
/// from a handful of images, and super-resolution crops them at full size.
fn photos(examined: &Examined) -> bool {
    examined.count < 500
        && !examined.sizes.is_empty()
        && examined.sizes.iter().all(|&(h, w)| h.min(w) >= 128)
}

/// The template proposed for `examined` among the template names offered: the photo
/// super-resolution preset for a few large photos, else the DCGAN of Fashion-MNIST or of the
/// digits, else the first offered.
fn proposed_template(examined: &Examined, offered: &[&str]) -> String {
    let wanted: &[&str] = if photos(examined) {
        &["photos-srresnet", "fashion-dcgan", "digits-dcgan"]
    } else {
        &["fashion-dcgan", "digits-dcgan"]
    };
    wanted
        .iter()
        .find(|n| offered.contains(n))
        .or(offered.first())
        .copied()
        .unwrap_or_default()
        .to_string()
}

/// `<folder>-<the template's family>` ("pets-dcgan", "holiday-srresnet"), with `-2`, `-3`…
/// added when a preset has that name already.
fn proposed_name(stem: &str, template: &str, presets: &[Preset]) -> String {
    let family = template.rsplit('-').next().unwrap_or(template);
    let base = format!("{stem}-{family}");
    let taken = |name: &str| presets.iter().any(|p| p.name == name);
    std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|name| !taken(name))
        .unwrap_or(base)
}

impl Form {
    fn ui(
        &mut self,
        ui: &mut egui::Ui,
        path: &Path,
        presets: &[Preset],
        dir: &Path,
    ) -> ImportOutcome {
        let e = &self.examined;
        if e.held_out > 0 {
            ui.strong(format!(
                "{}: {} images (and {} held out for measurements)",
                e.format, e.count, e.held_out
            ));
        } else {
            ui.strong(format!("{}: {} images", e.format, e.count));
        }
        if !e.classes.is_empty() {
            let classes: Vec<String> = e
                .classes
                .iter()
                .map(|(n, c)| format!("{n} ({c})"))
                .collect();
            ui.label(format!(
                "{} classes: {}",
                e.classes.len(),
                classes.join(", ")
            ));
        }
        let sizes: Vec<String> = e.sizes.iter().map(|(h, w)| format!("{w}×{h}")).collect();
        ui.label(format!("Sizes seen: {}", sizes.join(", ")));
        if !e.skipped.is_empty() {
            let files = if e.skipped.len() == 1 {
                "file"
            } else {
                "files"
            };
            egui::CollapsingHeader::new(format!("{} {files} skipped", e.skipped.len())).show(
                ui,
                |ui| {
                    egui::ScrollArea::vertical()
                        .max_height(100.0)
                        .show(ui, |ui| {
                            for (file, why) in &e.skipped {
                                ui.small(format!("{file}: {why}"));
                            }
                        });
                },
            );
        }
        let texture = self.texture.get_or_insert_with(|| {
            let color = egui::ColorImage::from_rgba_unmultiplied(
                [e.grid.width, e.grid.height],
                &e.grid.pixels,
            );
            ui.ctx()
                .load_texture("data-import", color, egui::TextureOptions::NEAREST)
        });
        ui.add(egui::Image::new((texture.id(), texture.size_vec2() * 1.5)));
        ui.separator();
        egui::Grid::new("data-import-form").show(ui, |ui| {
            ui.label("Image size");
            ui.horizontal(|ui| {
                for size in [16, 32, 64] {
                    ui.selectable_value(&mut self.size, size, format!("{size} px"));
                }
            });
            ui.end_row();
            ui.label("Channels");
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.channels, 1, "grey");
                ui.selectable_value(&mut self.channels, 3, "colour");
            });
            ui.end_row();
            ui.label("Model and game from");
            let before = self.template.clone();
            egui::ComboBox::from_id_salt("data-import-template")
                .selected_text(self.template.as_str())
                .show_ui(ui, |ui| {
                    for p in templates(presets, !self.examined.classes.is_empty()) {
                        ui.selectable_value(&mut self.template, p.name.clone(), p.name.as_str());
                    }
                });
            if self.template != before {
                self.error = None;
                if !self.name_edited {
                    // The proposed name follows the template until the user types one.
                    self.name = proposed_name(&self.stem, &self.template, presets);
                }
            }
            ui.end_row();
            ui.label("Preset name");
            if ui.text_edit_singleline(&mut self.name).changed() {
                self.name_edited = true;
                self.error = None;
            }
            ui.end_row();
        });
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, error.as_str());
        }
        let mut outcome = ImportOutcome::Open;
        ui.horizontal(|ui| {
            if ui
                .button("Create preset and load")
                .on_hover_text(format!("Saved in {}", dir.display()))
                .clicked()
            {
                outcome = self.create(path, presets, dir);
            }
            if ui.button("Cancel").clicked() {
                outcome = ImportOutcome::Cancelled;
            }
        });
        outcome
    }

    fn create(&mut self, path: &Path, presets: &[Preset], dir: &Path) -> ImportOutcome {
        let Some(template) = presets.iter().find(|p| p.name == self.template) else {
            self.error = Some("pick a template preset".into());
            return ImportOutcome::Open;
        };
        if presets.iter().any(|p| p.name == self.name.trim()) {
            self.error = Some(format!(
                "a preset named {} exists: pick another name",
                self.name
            ));
            return ImportOutcome::Open;
        }
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let classes = (!self.examined.classes.is_empty()).then_some(self.examined.classes.len());
        let made = preset_for(
            template,
            &absolute,
            &self.name,
            (self.size, self.channels),
            classes,
        )
        .and_then(|preset| save_user_preset(&preset, dir).map(|saved| (preset, saved)));
        match made {
            Ok((preset, saved)) => ImportOutcome::Create(Box::new(preset), saved),
            Err(e) => {
                self.error = Some(e);
                ImportOutcome::Open
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examined(count: usize, sizes: Vec<(usize, usize)>) -> Examined {
        Examined {
            format: "image folder".into(),
            count,
            held_out: 0,
            classes: Vec::new(),
            sizes,
            skipped: Vec::new(),
            grey: false,
            grid: imaging::to_rgba(&[0.0; 3], 3, 1),
        }
    }

    fn shipped() -> Vec<Preset> {
        crate::preset::library::PresetLibrary::load_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("presets"),
        )
        .presets
    }

    #[test]
    fn a_few_large_photos_get_the_photo_template_and_names_follow_it_free_of_clashes() {
        let presets = shipped();
        let offered: Vec<&str> = templates(&presets, false)
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        let three_photos = examined(3, vec![(512, 600), (1200, 900)]);
        assert_eq!(
            proposed_template(&three_photos, &offered),
            "photos-srresnet"
        );
        let thumbnails = examined(3000, vec![(28, 28)]);
        assert_eq!(proposed_template(&thumbnails, &offered), "fashion-dcgan");
        assert_eq!(
            proposed_name("holiday", "photos-srresnet", &presets),
            "holiday-srresnet"
        );
        // digits-dcgan ships: the proposal is free, not refused on Create.
        assert_eq!(
            proposed_name("digits", "fashion-dcgan", &presets),
            "digits-dcgan-2"
        );
    }
}
