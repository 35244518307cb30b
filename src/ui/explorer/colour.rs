//! The canvas pen's colour picker: a swatch and a menu with egui's hue and value sliders and a
//! few set colours. (egui's own colour button adds a copy button whose glyph the app's fonts
//! lack: a box beside "U8".)

/// The colours offered beside the pen's colour sliders.
const SET_COLOURS: [egui::Color32; 6] = [
    egui::Color32::BLACK,
    egui::Color32::WHITE,
    egui::Color32::from_rgb(220, 40, 40),
    egui::Color32::from_rgb(40, 170, 60),
    egui::Color32::from_rgb(40, 90, 220),
    egui::Color32::from_rgb(240, 200, 40),
];

/// The swatch and menu for `colour_rgb` (linear RGB, as the canvas keeps it).
pub fn picker(ui: &mut egui::Ui, colour_rgb: &mut [f32; 3]) {
    use egui::widgets::color_picker::{Alpha, color_picker_color32, show_color};
    // The canvas keeps linear RGB, as egui's colour button did.
    let [r, g, b] = *colour_rgb;
    let mut colour = egui::Color32::from(egui::Rgba::from_rgb(r, g, b));
    show_color(ui, colour, egui::vec2(16.0, 16.0));
    let before = colour;
    ui.menu_button("Colour", |ui| {
        color_picker_color32(ui, &mut colour, Alpha::Opaque);
        ui.horizontal(|ui| {
            for set in SET_COLOURS {
                let swatch = egui::Button::new("")
                    .fill(set)
                    .min_size(egui::vec2(18.0, 18.0));
                if ui.add(swatch).clicked() {
                    colour = set;
                }
            }
        });
    })
    .response
    .on_hover_text("The pen's colour");
    if colour != before {
        let rgba = egui::Rgba::from(colour);
        *colour_rgb = [rgba.r(), rgba.g(), rgba.b()];
    }
}
