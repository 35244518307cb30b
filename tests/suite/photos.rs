//! Photo folders for super-resolution: crops are windows of the training photos (in one of
//! the 8 flips and turns), never of the held-out ones; the held-out crops are fixed and come
//! only from the held-out photos; the default split holds out every fifth photo; too few
//! photos, a missing name and photos too small are refused naming the cause; a run on a
//! photo folder resumes exactly; and, on the scikit-image sample photos where CI fetched
//! them, SRResNet with the bicubic skip passes bicubic on the held-out photos.

use super::common::{assert_resumes_exactly, preset};
use ganscope::data::DataSource;
use ganscope::data::files::photos::{self, PhotoCrops};
use ganscope::engine::{Trainer, device};
use ganscope::preset::DatasetSpec;
use std::path::Path;

/// A photo whose red channel is its row and green its column; blue marks the photo.
fn coded(path: &Path, w: u32, h: u32, blue: u8) {
    image::RgbImage::from_fn(w, h, |x, y| image::Rgb([y as u8, x as u8, blue]))
        .save(path)
        .unwrap_or_else(|e| panic!("{e}"));
}

fn folder(photos: &[(&str, u32, u32, u8)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for &(name, w, h, blue) in photos {
        coded(&dir.path().join(name), w, h, blue);
    }
    dir
}

/// The byte a float in [-1, 1] came from.
fn byte(v: f32) -> u8 {
    ((v + 1.0) * 127.5).round() as u8
}

/// Checks that every crop of `x` (3 × side² floats each) is a whole window of a photo with
/// one of `blues`, and returns the blues seen.
fn windows(x: &[f32], side: usize, blues: &[u8]) -> Vec<u8> {
    let plane = side * side;
    let mut seen = Vec::new();
    for crop in x.chunks_exact(3 * plane) {
        let blue = byte(crop[2 * plane]);
        assert!(blues.contains(&blue), "a crop of photo {blue}");
        assert!(crop[2 * plane..].iter().all(|&v| byte(v) == blue));
        for channel in [&crop[..plane], &crop[plane..2 * plane]] {
            let mut values: Vec<u8> = channel.iter().map(|&v| byte(v)).collect();
            values.sort_unstable();
            values.dedup();
            // A window of side s covers s consecutive rows and s consecutive columns.
            assert_eq!(values.len(), side, "{values:?}");
            assert_eq!(usize::from(values[side - 1] - values[0]), side - 1);
        }
        seen.push(blue);
    }
    seen.sort_unstable();
    seen.dedup();
    seen
}

#[test]
fn crops_are_windows_of_training_photos_and_the_held_out_ones_are_fixed() {
    let dir = folder(&[
        ("a.png", 80, 50, 10),
        ("b.png", 40, 40, 60),
        ("c.jpg", 64, 100, 120),
        ("tiny.png", 10, 10, 40),
    ]);
    std::fs::write(dir.path().join("broken.png"), b"not a png").unwrap_or_else(|e| panic!("{e}"));
    let set = photos::load(dir.path(), 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.photos.len(), 4);
    assert_eq!(set.skipped.len(), 1);
    let held = vec!["b".to_string()];
    let mut crops = PhotoCrops::new(set.clone(), 16, &held, 7).unwrap_or_else(|e| panic!("{e}"));
    // c.jpg is lossy: its crops are checked apart, by their blue alone.
    let batch = crops.batch(64);
    let lossless: Vec<f32> = batch
        .x
        .chunks_exact(3 * 256)
        .filter(|c| byte(c[512]) == 10)
        .flatten()
        .copied()
        .collect();
    assert!(!lossless.is_empty());
    assert_eq!(windows(&lossless, 16, &[10]), vec![10]);
    for crop in batch.x.chunks_exact(3 * 256) {
        let blue = byte(crop[512]);
        assert!(blue == 10 || blue.abs_diff(120) < 12, "blue {blue}");
    }
    let fixed = crops
        .held_out(5)
        .unwrap_or_else(|| panic!("no held-out crops"));
    assert_eq!(windows(&fixed.x, 16, &[60]), vec![60]);
    assert_eq!(crops.held_out(5).map(|b| b.x), Some(fixed.x));
    // The stream is the seed's: reseeding replays it.
    crops.reseed(7);
    assert_eq!(crops.batch(64).x, batch.x);
    let notice = crops.notice().unwrap_or_default();
    for needle in [
        "held out for measuring: b",
        "smaller than the crop",
        "skipped",
    ] {
        assert!(notice.contains(needle), "{notice}");
    }
}

#[test]
fn the_default_split_holds_out_every_fifth_photo_and_bad_splits_are_refused() {
    let names = ["p1.png", "p2.png", "p3.png", "p4.png", "p5.png", "p6.png"];
    let six: Vec<(&str, u32, u32, u8)> = names.iter().map(|&n| (n, 20, 20, 1)).collect();
    let dir = folder(&six);
    let set = photos::load(dir.path(), 3).unwrap_or_else(|e| panic!("{e}"));
    let flags = photos::split(&set, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(flags, [false, false, false, false, true, false]);
    let missing = photos::split(&set, &["p9".to_string()])
        .err()
        .unwrap_or_default();
    assert!(missing.contains("\"p9\""), "{missing}");
    let all: Vec<String> = (1..=6).map(|i| format!("p{i}")).collect();
    assert!(
        photos::split(&set, &all)
            .err()
            .unwrap_or_default()
            .contains("all held out")
    );

    let two = folder(&[("x.png", 20, 20, 1), ("y.png", 20, 20, 2)]);
    let set = photos::load(two.path(), 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(photos::split(&set, &[]), Ok(vec![false, true]));

    let one = folder(&[("only.png", 20, 20, 1)]);
    let set = photos::load(one.path(), 3).unwrap_or_else(|e| panic!("{e}"));
    let why = PhotoCrops::new(set, 16, &[], 1)
        .err()
        .map(|e| e.to_string());
    assert!(why.is_some_and(|w| w.contains("at least 2")));

    let small = folder(&[("s.png", 12, 40, 1), ("t.png", 40, 40, 2)]);
    let set = photos::load(small.path(), 3).unwrap_or_else(|e| panic!("{e}"));
    let why = PhotoCrops::new(set, 16, &["t".to_string()], 1).err();
    let why = why.map(|e| e.to_string()).unwrap_or_default();
    assert!(why.contains("training photos is at least 16"), "{why}");

    // Decoding stops once the photos kept pass the memory limit, saying so.
    let progress = ganscope::data::files::Progress::default();
    let why = photos::decode_within(dir.path(), 3, &progress, 2 * 20 * 20 * 3)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(why.contains("more than the limit"), "{why}");
    assert!(photos::decode_within(dir.path(), 3, &progress, 6 * 20 * 20 * 3).is_ok());

    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let why = photos::load(empty.path(), 3).err().map(|e| e.to_string());
    assert!(why.is_some_and(|w| w.contains("no image files")));
    let missing = empty.path().join("nowhere");
    let why = photos::load(&missing, 3).err().map(|e| e.to_string());
    assert!(why.is_some_and(|w| w.contains("Open data")));
}

/// photos-srresnet on the folder `path`, holding out `held`, checked.
fn on_folder(path: &Path, held: &[&str]) -> ganscope::preset::Preset {
    let mut p = preset("photos-srresnet");
    if let DatasetSpec::Photos {
        path: at, held_out, ..
    } = &mut p.dataset
    {
        *at = path.display().to_string();
        *held_out = held.iter().map(|h| h.to_string()).collect();
    } else {
        panic!("photos-srresnet does not read photos");
    }
    p.validate().unwrap_or_else(|e| panic!("{e}"));
    p
}

#[test]
fn a_run_on_a_photo_folder_resumes_exactly() {
    let dir = folder(&[("a.png", 70, 60, 10), ("b.png", 40, 48, 20)]);
    let mut p = on_folder(dir.path(), &["b"]);
    p.train.batch_size = 4;
    assert_resumes_exactly(&p, 2, 2);
}

/// The scikit-image sample photos, where `.ci/run` (or the user) put them:
/// `GANSCOPE_SAMPLE_PHOTOS`.
fn sample_photos() -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(std::env::var_os("GANSCOPE_SAMPLE_PHOTOS")?);
    dir.join("chelsea.png").is_file().then_some(dir)
}

#[test]
fn srresnet_passes_bicubic_on_held_out_real_photos() {
    let Some(dir) = sample_photos() else {
        eprintln!(
            "skipped: GANSCOPE_SAMPLE_PHOTOS does not name a folder of the scikit-image sample \
             photos (.ci/run makes one when pip can download scikit-image)"
        );
        return;
    };
    let p = on_folder(&dir, &["chelsea", "coffee"]);
    let mut trainer = Trainer::new(&p, &device::cpu());
    for _ in 0..300 {
        trainer.step().unwrap_or_else(|e| panic!("{e}"));
    }
    let s = trainer
        .diagnostics()
        .super_resolution
        .unwrap_or_else(|| panic!("no SR scores"));
    assert!(
        s.psnr > s.bicubic_psnr && s.ssim > s.bicubic_ssim,
        "SR {} dB / {} against bicubic {} dB / {}",
        s.psnr,
        s.ssim,
        s.bicubic_psnr,
        s.bicubic_ssim
    );
}

#[test]
fn a_photo_preset_on_another_folder_reads_photos_holding_out_every_fifth() {
    let dir = folder(&[("a.png", 40, 40, 1), ("b.png", 40, 40, 2)]);
    let moved = preset("photos-srgan")
        .on_files(dir.path(), 32, (3, 3), None)
        .unwrap_or_else(|e| panic!("{e}"));
    match &moved.dataset {
        DatasetSpec::Photos {
            path,
            size,
            channels,
            held_out,
        } => {
            assert_eq!(path, &dir.path().display().to_string());
            assert_eq!((*size, *channels), (32, 3));
            assert!(
                held_out.is_empty(),
                "the template's names were its own folder's"
            );
        }
        other => panic!("not photos: {other:?}"),
    }
    // The app's "Your data" window offers the photo presets for a folder of images.
    let library = ganscope::preset::library::PresetLibrary::load_dir(&super::common::presets_dir());
    let templates = ganscope::ui::data_import::templates(&library.presets, false);
    assert!(templates.iter().any(|p| p.name == "photos-srgan"));
    let mut trainer = Trainer::new(&moved, &device::cpu());
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    let notice = trainer.data_notice().unwrap_or_default();
    assert!(notice.contains("held out for measuring: b"), "{notice}");
}

#[test]
fn a_photo_run_upscales_after_its_photos_are_gone() {
    let dir = folder(&[("a.png", 70, 60, 10), ("b.png", 40, 48, 20)]);
    let mut p = on_folder(dir.path(), &["b"]);
    p.train.batch_size = 4;
    let mut trainer = Trainer::new(&p, &device::cpu());
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    let runs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = runs.path().join("run");
    trainer
        .save_checkpoint(&run)
        .unwrap_or_else(|e| panic!("{e}"));
    let photo = runs.path().join("photo.png");
    std::fs::copy(dir.path().join("a.png"), &photo).unwrap_or_else(|e| panic!("{e}"));
    drop(dir);
    let lines = ganscope::cli::upscale::run(
        &run,
        &photo,
        &runs.path().join("sr.png"),
        ganscope::cli::upscale::Scoring::Itself,
        ganscope::protocol::DeviceChoice::Cpu,
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(
        lines[0]["psnr"].as_f64().is_some_and(f64::is_finite),
        "{lines:?}"
    );
}
