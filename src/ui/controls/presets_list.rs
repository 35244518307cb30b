//! The preset picker's list: a filter field (type to narrow the list), the presets grouped
//! by what they do (2-D toys, image generation, progressive growing, transformers,
//! image-to-image, super-resolution, the user's own), and the description of the preset
//! under the pointer in a fixed place below the list, where it hides no entry (a tooltip
//! covered the next ones).

use crate::preset::{Preset, task::TaskSpec};

/// The group a preset is listed under, in the order groups are shown.
pub fn group(preset: &Preset) -> (usize, &'static str) {
    let networks = preset.networks_label();
    if preset.dataset.file_path().is_some_and(|p| p.is_absolute()) {
        (6, "Your data")
    } else if preset.dataset.is_points() {
        (0, "2-D toy mixtures")
    } else if matches!(preset.task, TaskSpec::Translate { .. }) {
        (4, "Image to image (pix2pix)")
    } else if matches!(preset.task, TaskSpec::Upscale { .. }) {
        (5, "Super-resolution")
    } else if networks.contains("ProGAN") {
        (2, "Progressive growing")
    } else if networks.contains("transformer") {
        (3, "Transformers")
    } else {
        (1, "Image generation")
    }
}

/// The presets whose name or description holds every word of `filter` (any case), by
/// group, then in the library's order: (index, group).
pub fn listed(presets: &[Preset], filter: &str) -> Vec<(usize, &'static str)> {
    let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
    let mut out: Vec<(usize, usize, &'static str)> = presets
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let text = format!("{} {}", p.name, p.description).to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .map(|(i, p)| {
            let (order, name) = group(p);
            (order, i, name)
        })
        .collect();
    out.sort_by_key(|&(order, i, _)| (order, i));
    out.into_iter().map(|(_, i, name)| (i, name)).collect()
}

/// Draws the list inside the picker's popup; the preset clicked, if another than `selected`.
pub fn show(ui: &mut egui::Ui, presets: &[Preset], selected: Option<usize>) -> Option<usize> {
    let id = ui.make_persistent_id("preset-filter");
    let mut filter: String = ui.data_mut(|d| d.get_temp(id).unwrap_or_default());
    let field = ui.add(
        egui::TextEdit::singleline(&mut filter)
            .hint_text("type to filter: digits, pix2pix, wgan…")
            .desired_width(f32::INFINITY),
    );
    // Typing goes to the filter as soon as the list opens (not to the app's shortcuts).
    if ui.memory(|m| m.focused().is_none()) {
        field.request_focus();
    }
    if field.changed() {
        ui.data_mut(|d| d.insert_temp(id, filter.clone()));
    }
    let list = listed(presets, &filter);
    let mut picked = None;
    let mut hovered = None;
    // Short enough that the description below stays inside the popup.
    egui::ScrollArea::vertical()
        .max_height(260.0)
        .id_salt("preset-list")
        .show(ui, |ui| {
            let mut shown_group = None;
            for &(i, group) in &list {
                if shown_group != Some(group) {
                    ui.add_space(2.0);
                    ui.weak(group);
                    shown_group = Some(group);
                }
                let chosen = selected == Some(i);
                let entry = ui.selectable_label(chosen, &presets[i].name);
                if entry.hovered() {
                    hovered = Some(i);
                }
                if entry.clicked() && !chosen {
                    picked = Some(i);
                }
            }
            if list.is_empty() {
                ui.weak("no preset matches");
            }
        });
    ui.separator();
    // The description of the preset under the pointer (or the selected one).
    if let Some(preset) = hovered.or(selected).and_then(|i| presets.get(i)) {
        ui.add(egui::Label::new(egui::RichText::new(&preset.description).small()).wrap());
    }
    if picked.is_some() {
        ui.data_mut(|d| d.remove::<String>(id));
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_grouped_by_what_they_do_and_filtered_by_words() {
        let presets = crate::preset::library::PresetLibrary::load_dir(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("presets"),
        )
        .presets;
        let name = |i: usize| presets[i].name.as_str();
        let all = listed(&presets, "");
        assert_eq!(all.len(), presets.len(), "every preset is listed once");
        let group_of = |wanted: &str| {
            all.iter()
                .find(|(i, _)| name(*i) == wanted)
                .map(|(_, g)| *g)
        };
        assert_eq!(group_of("ring8-mlp"), Some("2-D toy mixtures"));
        assert_eq!(group_of("digits-dcgan"), Some("Image generation"));
        assert_eq!(group_of("shapes-pix2pix"), Some("Image to image (pix2pix)"));
        assert_eq!(group_of("photos-srresnet"), Some("Super-resolution"));
        assert_eq!(group_of("digits-progan"), Some("Progressive growing"));
        assert_eq!(group_of("digits-transgan"), Some("Transformers"));
        // Groups come in order, each in one run.
        let groups: Vec<&str> = all.iter().map(|(_, g)| *g).collect();
        let mut runs = groups.clone();
        runs.dedup();
        let unique: std::collections::BTreeSet<&str> = groups.iter().copied().collect();
        assert_eq!(runs.len(), unique.len(), "{runs:?}");
        let pix2pix: Vec<&str> = listed(&presets, "Pix2Pix shapes")
            .into_iter()
            .map(|(i, _)| name(i))
            .collect();
        assert!(pix2pix.contains(&"shapes-pix2pix") && !pix2pix.contains(&"ring8-mlp"));
    }
}
