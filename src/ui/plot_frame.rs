//! The house rules of every plot in the app, in one place: the mouse wheel scrolls the page
//! around the plot (it never pans the plot), Ctrl+wheel zooms, dragging pans, and a
//! **reset** button in the plot's top-left corner (or a double-click) fits the view to the data again.
//! Hovering near a line shows its name and the value there; a log10 axis is labelled in
//! values (0.1, 1, 10), not exponents.

use egui::Color32;
use egui_plot::{
    GridInput, GridMark, HoverPosition, Line, Plot, PlotMemory, PlotPoints, PlotResponse, PlotUi,
    Points,
};

/// What the x axis counts, for the hover text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XAxis {
    Step,
    /// A value axis (histograms, bars).
    Value,
}

/// `plot` under the house rules; `log_y` says the y values are log10 of what they show.
pub fn styled<'a>(plot: Plot<'a>, x: XAxis, log_y: bool) -> Plot<'a> {
    let mut plot = plot
        .allow_scroll(false)
        .allow_zoom(true)
        .label_formatter(move |position| hover_text(position, x, log_y));
    if x == XAxis::Step {
        // From step 0: a single measurement sits at its step instead of in the middle of a
        // range padded around it (−600 … 900 for one point at 150).
        plot = plot.x_grid_spacer(steps).include_x(0.0);
    }
    if log_y {
        plot.y_grid_spacer(decades)
            .y_axis_formatter(|mark: GridMark, _| value_label(10f64.powf(mark.value)))
    } else {
        plot
    }
}

/// Show `plot` (styled) with its reset button, under the id `name` makes in `ui` (the id its
/// memory is kept under: [`plot_id`]).
pub fn show<'a, R>(
    ui: &mut egui::Ui,
    name: &str,
    plot: Plot<'a>,
    x: XAxis,
    log_y: bool,
    build: impl FnOnce(&mut PlotUi<'a>) -> R + 'a,
) -> PlotResponse<R> {
    let id = plot_id(ui, name);
    let shown = styled(plot.id(id), x, log_y).show(ui, build);
    reset_button(ui, id, shown.response.rect);
    shown
}

/// The line and the dots of a series measured every few steps (diagnostics, quality scores):
/// a dot at each measurement, so a single one shows (a line through one point draws
/// nothing); both carry the name and the colour, so the legend has one coloured entry.
pub fn measured<'a>(
    name: impl Into<String>,
    points: Vec<[f64; 2]>,
    color: Color32,
) -> (Line<'a>, Points<'a>) {
    let name = name.into();
    let line = Line::new(name.clone(), PlotPoints::new(points.clone())).color(color);
    let dots = Points::new(name, PlotPoints::new(points))
        .radius(2.5)
        .color(color);
    (line, dots)
}

/// Draws [`measured`]'s line and dots in `plot`.
pub fn draw_measured(
    plot: &mut PlotUi<'_>,
    name: impl Into<String>,
    points: Vec<[f64; 2]>,
    color: Color32,
) {
    let (line, dots) = measured(name, points, color);
    plot.line(line);
    plot.points(dots);
}

/// The id under which [`show`] keeps the memory (view bounds) of the plot `name` in `ui`.
pub fn plot_id(ui: &egui::Ui, name: &str) -> egui::Id {
    ui.make_persistent_id(("ganscope-plot", name))
}

/// A small button in the plot's top-left corner that fits the view to the data again.
fn reset_button(ui: &mut egui::Ui, id: egui::Id, rect: egui::Rect) {
    let size = egui::vec2(44.0, 18.0);
    // Top left: legends sit at the top right.
    let corner = rect.left_top() + egui::vec2(4.0, 4.0);
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(egui::Rect::from_min_size(corner, size))
            .layout(egui::Layout::left_to_right(egui::Align::Min)),
    );
    // The button senses drags too: otherwise the plot under it would take the press as
    // the start of a pan, which ends auto-fitting.
    let clicked = child
        .add(
            egui::Button::new("reset")
                .small()
                .sense(egui::Sense::click_and_drag()),
        )
        .on_hover_text(
            "Fit the view to the data again (or double-click the plot). \
             Ctrl+wheel zooms, dragging pans, the wheel scrolls the page.",
        )
        .clicked();
    if clicked && let Some(mut memory) = PlotMemory::load(ui.ctx(), id) {
        memory.auto_bounds = true.into();
        memory.store(ui.ctx(), id);
        ui.ctx().request_repaint();
    }
}

/// The hover text: the nearest line's name and value, nothing away from the lines.
fn hover_text(position: &HoverPosition<'_>, x: XAxis, log_y: bool) -> Option<String> {
    let HoverPosition::NearDataPoint {
        plot_name,
        position,
        ..
    } = position
    else {
        return None;
    };
    let y = if log_y {
        10f64.powf(position.y)
    } else {
        position.y
    };
    let y = value_label(y);
    let name = if plot_name.is_empty() {
        String::new()
    } else {
        format!("{plot_name}\n")
    };
    Some(match x {
        XAxis::Step => format!("{name}step {:.0}: {y}", position.x),
        XAxis::Value => format!("{name}{:.3}: {y}", position.x),
    })
}

/// Grid marks of a step axis: multiples of 1, 2 or 5 × 10^k, chosen so that about six are
/// labelled across the view, with fifths between them (egui_plot's own spacing labels only
/// powers of ten, so a run of 747 steps showed just "0").
fn steps(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    let rough = (hi - lo) / 6.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= rough)
        .unwrap_or(10.0 * power)
        .max(1.0);
    let minor = (step / 5.0).max(1.0);
    let first = (lo / minor).floor() as i64;
    let last = (hi / minor).ceil() as i64;
    if last - first > 10_000 {
        return Vec::new();
    }
    (first..=last)
        .map(|i| {
            let value = i as f64 * minor;
            let major = (value / step).round() * step == value;
            GridMark {
                value,
                step_size: if major { step } else { minor },
            }
        })
        .collect()
}

/// Grid marks of a log10 axis: whole decades, with 2× and 5× between them when few decades
/// are in view (and every multiple when less than one is).
fn decades(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    let span = hi - lo;
    let every = (span / 8.0).ceil().max(1.0);
    let multiples: &[f64] = if span > 3.0 {
        &[1.0]
    } else if span > 0.8 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    };
    let mut marks = Vec::new();
    let mut decade = lo.floor();
    while decade <= hi.ceil() {
        if decade.rem_euclid(every) == 0.0 {
            for &m in multiples {
                let value = decade + m.log10();
                if (lo..=hi).contains(&value) {
                    let step_size = if m == 1.0 { every } else { every / 10.0 };
                    marks.push(GridMark { value, step_size });
                }
            }
        }
        decade += 1.0;
    }
    marks
}

/// A value as a person writes it: 0.001, 0.25, 3, 1.2e5.
pub fn value_label(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || !v.is_finite() {
        format!("{v}")
    } else if !(1e-3..1e5).contains(&a) {
        format!("{v:.1e}")
    } else {
        // Four significant digits, trailing zeros dropped.
        let decimals = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
        let text = format!("{v:.decimals$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::value_label;

    #[test]
    fn a_step_axis_labels_several_round_steps() {
        let marks = super::steps(egui_plot::GridInput {
            bounds: (0.0, 747.0),
            base_step_size: 1.0,
        });
        let majors: Vec<f64> = marks
            .iter()
            .filter(|m| m.step_size == 200.0)
            .map(|m| m.value)
            .collect();
        assert_eq!(majors, [0.0, 200.0, 400.0, 600.0]);
        assert!(marks.iter().any(|m| m.value == 40.0 && m.step_size == 40.0));
    }

    #[test]
    fn values_read_as_people_write_them() {
        assert_eq!(value_label(0.1), "0.1");
        assert_eq!(value_label(1.0), "1");
        assert_eq!(value_label(10.0), "10");
        assert_eq!(value_label(0.01), "0.01");
        assert_eq!(value_label(0.25), "0.25");
        assert_eq!(value_label(1234.5678), "1235");
        assert_eq!(value_label(1e-4), "1.0e-4");
        assert_eq!(value_label(-0.5), "-0.5");
    }
}
