//! The before/after view of the super-resolution explorer ([`super::compare`]): one picture
//! whose left part shows the comparison (bicubic, G's input enlarged pixel by pixel, or the
//! original) and whose right part shows G's result, split by a divider the user drags. Both
//! parts share one zoom and pan, so the same pixels are always side by side: the scroll
//! wheel zooms about the pointer, dragging away from the divider pans, a double click fits
//! the picture to the view. Above 100 % pixels are drawn as squares (nearest), so what the
//! networks made is seen, not the screen's smoothing.

use super::compare::Compare;
use egui::{Color32, Pos2, Rect, Sense, Stroke, Vec2, pos2, vec2};

/// What the left of the divider shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Left {
    #[default]
    Bicubic,
    /// G's input, each pixel enlarged to `scale`².
    Input,
    /// The original the input was shrunk from.
    Original,
}

impl Left {
    fn label(self) -> &'static str {
        match self {
            Left::Bicubic => "bicubic",
            Left::Input => "G's input (nearest)",
            Left::Original => "original",
        }
    }
}

/// How the view is framed.
#[derive(Clone, Debug)]
pub struct ViewState {
    pub left: Left,
    /// Where the divider is, as a fraction of the view's width.
    pub split: f32,
    /// Screen points per output pixel.
    pub zoom: f32,
    /// The output pixel at the view's centre.
    pub centre: Vec2,
    /// Fit the whole picture at the next frame.
    pub fit: bool,
    dragging_divider: bool,
}

impl Default for ViewState {
    fn default() -> Self {
        ViewState {
            left: Left::Bicubic,
            split: 0.5,
            zoom: 1.0,
            centre: Vec2::ZERO,
            fit: true,
            dragging_divider: false,
        }
    }
}

/// The most a picture is magnified (a pixel 32 points wide).
const MAX_ZOOM: f32 = 32.0;
/// How near the divider (points) a drag moves it rather than panning.
const GRAB: f32 = 10.0;

/// Draw the comparison of `compare`'s latest answer, and handle zoom, pan and the divider.
pub fn show(ui: &mut egui::Ui, compare: &mut Compare) {
    let has_original = compare.answer.as_ref().is_some_and(|a| a.images.len() > 3);
    ui.horizontal(|ui| {
        ui.label("Left of the divider:");
        let view = &mut compare.view;
        for left in [Left::Bicubic, Left::Input, Left::Original] {
            if left != Left::Original || has_original {
                ui.selectable_value(&mut view.left, left, left.label());
            }
        }
        ui.separator();
        ui.add(egui::Slider::new(&mut view.split, 0.0..=1.0).text("divider"));
        if ui.button("Fit").clicked() {
            view.fit = true;
        }
        if ui
            .button("1:1")
            .on_hover_text("One output pixel per screen pixel")
            .clicked()
        {
            view.zoom = 1.0 / ui.ctx().pixels_per_point();
        }
        let screen_px = view.zoom * ui.ctx().pixels_per_point();
        ui.label(format!("zoom {:.0} %", 100.0 * screen_px))
            .on_hover_text(format!(
                "One pixel of the result is {screen_px:.2} screen pixels"
            ));
    });
    let size = ui.available_size().max(vec2(64.0, 64.0));
    let (rect, response) = ui.allocate_exact_size(size, Sense::click_and_drag());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, ui.visuals().extreme_bg_color);
    let Some(answer) = &compare.answer else {
        if compare.busy() {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "upscaling...",
                egui::FontId::proportional(18.0),
                ui.visuals().text_color(),
            );
        }
        return;
    };
    let (Some((sr, sr_texture)), Some((_, left_texture))) =
        (answer.sr(), answer.image(compare.view.left))
    else {
        return;
    };
    let picture = vec2(sr.width as f32, sr.height as f32);
    let view = &mut compare.view;
    if view.fit || response.double_clicked() {
        view.zoom = (rect.width() / picture.x).min(rect.height() / picture.y);
        view.centre = picture / 2.0;
        view.fit = false;
    }
    handle_input(ui, &response, rect, view);
    view.centre = view.centre.clamp(Vec2::ZERO, picture);
    let at = rect.center() - view.centre * view.zoom;
    let shown = Rect::from_min_size(at, picture * view.zoom);
    let divider = rect.left() + view.split * rect.width();
    let uv = Rect::from_min_max(Pos2::ZERO, pos2(1.0, 1.0));
    let left_clip = rect.intersect(Rect::from_x_y_ranges(rect.left()..=divider, rect.y_range()));
    let right_clip = rect.intersect(Rect::from_x_y_ranges(
        divider..=rect.right(),
        rect.y_range(),
    ));
    painter
        .with_clip_rect(left_clip)
        .image(left_texture.id(), shown, uv, Color32::WHITE);
    painter
        .with_clip_rect(right_clip)
        .image(sr_texture.id(), shown, uv, Color32::WHITE);
    let line = Stroke::new(2.0, Color32::WHITE);
    painter.line_segment(
        [pos2(divider, rect.top()), pos2(divider, rect.bottom())],
        line,
    );
    painter.circle(
        pos2(divider, rect.center().y),
        7.0,
        Color32::from_gray(40),
        line,
    );
    let label = |pos: Pos2, align, text: &str| {
        let galley = painter.layout_no_wrap(
            text.to_string(),
            egui::FontId::proportional(14.0),
            Color32::WHITE,
        );
        let placed = align_rect(pos, align, galley.size());
        painter.rect_filled(placed.expand(3.0), 3.0, Color32::from_black_alpha(150));
        painter.galley(placed.min, galley, Color32::WHITE);
    };
    let top = rect.top() + 8.0;
    label(
        pos2(divider - 8.0, top),
        egui::Align2::RIGHT_TOP,
        view.left.label(),
    );
    label(pos2(divider + 8.0, top), egui::Align2::LEFT_TOP, "SR (G)");
    if let Some(pointer) = response.hover_pos() {
        let pixel = (pointer - at) / view.zoom;
        if pixel.x >= 0.0 && pixel.y >= 0.0 && pixel.x < picture.x && pixel.y < picture.y {
            let text = format!("pixel ({}, {})", pixel.x as usize, pixel.y as usize);
            label(
                rect.left_bottom() + vec2(8.0, -8.0),
                egui::Align2::LEFT_BOTTOM,
                &text,
            );
        }
    }
}

/// The rectangle of `size` placed at `pos` by `align`.
fn align_rect(pos: Pos2, align: egui::Align2, size: Vec2) -> Rect {
    align.anchor_size(pos, size)
}

/// Scroll zooms about the pointer; a drag near the divider moves it, elsewhere it pans.
fn handle_input(ui: &egui::Ui, response: &egui::Response, rect: Rect, view: &mut ViewState) {
    let divider = rect.left() + view.split * rect.width();
    // Where the press began decides: the divider, or the picture (panned).
    if response.drag_started()
        && let Some(pos) = ui.input(|i| i.pointer.press_origin())
    {
        view.dragging_divider = (pos.x - divider).abs() <= GRAB;
    }
    if response.dragged() {
        if view.dragging_divider {
            if let Some(pos) = response.interact_pointer_pos() {
                view.split = ((pos.x - rect.left()) / rect.width()).clamp(0.0, 1.0);
            }
        } else {
            view.centre -= response.drag_delta() / view.zoom;
        }
    }
    if response.drag_stopped() {
        view.dragging_divider = false;
    }
    if let Some(pointer) = response.hover_pos() {
        let scroll = ui.input(|i| i.smooth_scroll_delta.y);
        if scroll != 0.0 {
            let before = view.centre + (pointer - rect.center()) / view.zoom;
            view.zoom = (view.zoom * (scroll / 600.0).exp()).clamp(0.02, MAX_ZOOM);
            // Keep the pixel under the pointer where it is.
            view.centre = before - (pointer - rect.center()) / view.zoom;
        }
    }
}

/// Sizes, G's step and how long the upscaling took.
pub(super) fn caption(compare: &Compare) -> String {
    let Some(source) = compare.source() else {
        return "Open an image (or drop one here), or load a held-out crop, to upscale it \
                with G."
            .into();
    };
    let s = compare.info.scale;
    let (h, w) = source.size;
    let (lh, lw) = if compare.shrink {
        (h / s, w / s)
    } else {
        (h, w)
    };
    let input = if compare.shrink {
        format!("{w}x{h} px, shrunk to {lw}x{lh} px", w = lw * s, h = lh * s)
    } else {
        format!("{w}x{h} px")
    };
    let status = match (&compare.answer, compare.busy()) {
        (_, true) => "upscaling...".to_string(),
        (Some(a), false) => format!(
            "G as of step {}, {:.0} ms{}",
            a.step,
            a.ms,
            if compare.stale() {
                "; a newer G is ready (Upscale again)"
            } else {
                ""
            }
        ),
        (None, false) => "waiting for G".into(),
    };
    format!(
        "{}: {input} -> SR {}x{} px ({s}x); {status}",
        source.name,
        lw * s,
        lh * s
    )
}
