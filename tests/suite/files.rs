//! Data sets from files: MNIST-format IDX sets round-trip through files the tests write,
//! hostile files get a message naming the file and never a panic (random and mutated bytes),
//! runs on file data resume exactly, and the real Fashion-MNIST loads whole where Debian's
//! package is installed.

use super::common::preset;
use ganscope::data::files::{self, idx};
use ganscope::engine::trainer::checkpoint;
use ganscope::engine::{Trainer, device};
use ganscope::preset::DatasetSpec;
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::io::{Cursor, Write};
use std::path::Path;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Write an IDX set of `n` images of `side`² (image i filled with value i) with labels
/// `i mod 3` (gzipped) into `dir`.
fn write_set(dir: &Path, n: usize, side: usize) {
    let pixels: Vec<u8> = (0..n).flat_map(|i| vec![i as u8; side * side]).collect();
    let images = idx::encode(&[n as u32, side as u32, side as u32], &pixels);
    let labels: Vec<u8> = (0..n).map(|i| (i % 3) as u8).collect();
    std::fs::write(dir.join("train-images-idx3-ubyte"), images).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("train-labels-idx1-ubyte.gz"),
        gzip(&idx::encode(&[n as u32], &labels)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn an_idx_set_round_trips_with_its_labels_and_class_names() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write_set(dir.path(), 12, 6);
    let set = files::load(dir.path(), 8, 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((set.count, set.channels, set.side), (12, 3, 8));
    assert_eq!(set.class_names[..3], ["0", "1", "2"]);
    assert_eq!(set.class_counts()[..3], [4, 4, 4]);
    // Image 5: a 6 px square of 5s centred in 8 px of zero, in each of three channels.
    let image = &set.pixels[5 * 3 * 64..6 * 3 * 64];
    assert_eq!((image[0], image[9], image[64 + 9]), (0, 5, 5));
    // No t10k files: no held-out split; with them, one (its labels checked too).
    assert!(set.held_out.is_none());
    let test_pixels: Vec<u8> = (0..4).flat_map(|i| vec![100 + i as u8; 36]).collect();
    std::fs::write(
        dir.path().join("t10k-images-idx3-ubyte"),
        idx::encode(&[4, 6, 6], &test_pixels),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("t10k-labels-idx1-ubyte"),
        idx::encode(&[4], &[2, 1, 0, 2]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let set = files::load(dir.path(), 8, 3).unwrap_or_else(|e| panic!("{e}"));
    let held = set
        .held_out
        .as_ref()
        .unwrap_or_else(|| panic!("a held-out split"));
    assert_eq!(
        (held.count, held.labels.clone()),
        (4, Some(vec![2, 1, 0, 2]))
    );
    let data = ganscope::data::files::FileData::new(set.clone(), 1);
    use ganscope::data::DataSource as _;
    let batch = data
        .held_out(256)
        .unwrap_or_else(|| panic!("held-out images"));
    assert_eq!(batch.n, 4);
    assert!(
        (batch.x[9] - (100.0 / 127.5 - 1.0)).abs() < 1e-6,
        "image 0, inside the padding"
    );
    // A second open shares the decoded set.
    let again = files::load(dir.path(), 8, 3).unwrap_or_else(|e| panic!("{e}"));
    assert!(std::sync::Arc::ptr_eq(&set, &again), "decoded once");
    let report = ganscope::cli::data::run(dir.path());
    assert!(report.is_ok(), "{report:?}");
}

#[test]
fn hostile_sets_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let error = |path: &Path| {
        files::load(path, 32, 1)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert!(
        error(dir.path()).contains("holds no data set"),
        "empty folder"
    );
    assert!(error(&dir.path().join("missing")).contains("cannot be read"));
    // Labels that do not match the images.
    write_set(dir.path(), 5, 4);
    std::fs::write(
        dir.path().join("train-labels-idx1-ubyte.gz"),
        gzip(&idx::encode(&[4], &[0, 1, 2, 3])),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let message = error(dir.path());
    assert!(
        message.contains("train-labels-idx1-ubyte.gz") && message.contains("4 labels for the 5"),
        "{message}"
    );
    // A Fashion-MNIST folder with a label past its ten classes.
    let fashion = dir.path().join("fashion-copy");
    std::fs::create_dir_all(&fashion).unwrap_or_else(|e| panic!("{e}"));
    write_set(&fashion, 2, 4);
    std::fs::write(
        fashion.join("train-labels-idx1-ubyte.gz"),
        gzip(&idx::encode(&[2], &[3, 12])),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        error(&fashion).contains("label 12 of image 1"),
        "{}",
        error(&fashion)
    );
    // A file named like IDX that is not one.
    let fake = dir.path().join("fake-images-idx3-ubyte");
    std::fs::write(&fake, b"PNG?").unwrap_or_else(|e| panic!("{e}"));
    let message = error(&fake);
    assert!(
        message.contains("fake-images-idx3-ubyte") && message.contains("IDX"),
        "{message}"
    );
    // A preset on a missing set fails to build, saying so; the CLI's `data` too.
    let mut p = preset("digits-dcgan");
    p.dataset = DatasetSpec::Files {
        path: dir.path().join("nowhere").display().to_string(),
        size: 32,
        channels: 1,
        classes: None,
    };
    let refused = Trainer::try_new(&p, &device::cpu())
        .err()
        .map(|e| e.to_string());
    assert!(refused.unwrap_or_default().contains("nowhere"));
    assert!(ganscope::cli::data::run(&dir.path().join("nowhere")).is_err());
}

/// Cases of random and mutated bytes the IDX parsers get (`GANSCOPE_CASES` for a long run).
fn cases() -> usize {
    std::env::var("GANSCOPE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

#[test]
fn idx_parsers_answer_random_and_mutated_bytes_without_panicking() {
    let mut rng = StdRng::seed_from_u64(17);
    let images = idx::encode(&[3, 4, 5], &(0..60).map(|i| i as u8).collect::<Vec<_>>());
    let labels = idx::encode(&[3], &[1, 2, 0]);
    let valid = [images.clone(), gzip(&images), labels.clone(), gzip(&labels)];
    let n = cases();
    let mut accepted = 0;
    for case in 0..n {
        let bytes: Vec<u8> = if case % 5 == 0 {
            (0..rng.random_range(0..64)).map(|_| rng.random()).collect()
        } else {
            let mut out = valid[case % valid.len()].clone();
            for _ in 0..rng.random_range(1..=4) {
                let at = rng.random_range(0..=out.len());
                match rng.random_range(0..4) {
                    0 if at < out.len() => out[at] ^= 1 << rng.random_range(0..8),
                    1 => out.insert(at, rng.random()),
                    2 => out.truncate(at),
                    _ if at < out.len() => out[at] = rng.random(),
                    _ => {}
                }
            }
            out
        };
        // Ok with consistent sizes, or an error: never a panic (a header that lies is
        // refused before allocating what it claims).
        if let Ok(parsed) = idx::images(&bytes) {
            assert_eq!(
                parsed.pixels.len(),
                parsed.count * parsed.rows * parsed.columns
            );
            accepted += 1;
        }
        let _ = idx::labels(&bytes);
    }
    eprintln!("idx parsers: {n} cases, {accepted} images files accepted");
}

/// Train `p` 3 steps, checkpoint into `run`, train 3 more; a run resumed from the
/// checkpoint must repeat those 3 bit for bit. Returns the resumed run.
fn resumes_exactly(p: &ganscope::preset::Preset, run: &Path) -> Trainer {
    super::common::resumed_exactly(p, run, 3, 3)
}

#[test]
fn a_run_on_file_data_resumes_exactly() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write_set(dir.path(), 40, 16);
    let mut p = preset("digits-dcgan");
    p.dataset = DatasetSpec::Files {
        path: dir.path().display().to_string(),
        size: 16,
        channels: 1,
        classes: None,
    };
    p.train.batch_size = 8;
    p.train.samples = 8;
    let cpu = device::cpu();
    let runs = dir.path().join("run");
    let resumed = resumes_exactly(&p, &runs);
    assert_eq!(resumed.info().class_names[..3], ["0", "1", "2"]);
    assert!(resumed.data_changed().is_none(), "the same data");
    // The data changes under the run: resuming says so.
    write_set(dir.path(), 41, 16);
    let mut changed = Trainer::new(&p, &cpu);
    changed
        .load_checkpoint(&checkpoint::resolve(&runs).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"));
    let note = changed.data_notice().unwrap_or_default();
    assert!(
        note.contains("changed since this checkpoint") && note.contains("41 images"),
        "{note}"
    );
}

#[test]
fn fashion_mnist_loads_whole_and_trains_where_debian_ships_it() {
    let path = Path::new("/usr/share/datasets/fashion-mnist");
    if !path.is_dir() {
        eprintln!(
            "skipped: {} is missing (sudo apt-get install dataset-fashion-mnist)",
            path.display()
        );
        return;
    }
    let set = files::load(path, 32, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.count, 60_000, "the training split");
    assert_eq!(
        set.held_out.as_ref().map(|h| h.count),
        Some(10_000),
        "the t10k files are the held-out split"
    );
    assert_eq!(set.sizes, vec![(28, 28)]);
    assert_eq!(set.class_counts(), vec![6_000; 10]);
    assert_eq!(set.class_names[9], "Ankle boot");
    let mut trainer = Trainer::new(&preset("fashion-dcgan"), &device::cpu());
    for _ in 0..2 {
        trainer.step().unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(trainer.info().class_names[0], "T-shirt/top");
}

/// A `w`×`h` RGB PNG of one colour at `path`.
fn png(path: &Path, w: u32, h: u32, rgb: [u8; 3]) {
    image::RgbImage::from_pixel(w, h, image::Rgb(rgb))
        .save(path)
        .unwrap_or_else(|e| panic!("{e}"));
}

/// One subfolder per class under `root`, `n` one-colour PNGs each, image i `side + i` wide
/// and `side` high.
fn class_folders(root: &Path, classes: &[(&str, [u8; 3])], n: u32, side: u32) {
    for (class, colour) in classes {
        std::fs::create_dir_all(root.join(class)).unwrap_or_else(|e| panic!("{e}"));
        for i in 0..n {
            png(
                &root.join(class).join(format!("{i}.png")),
                side + i,
                side,
                *colour,
            );
        }
    }
}

#[test]
fn class_folders_give_labels_names_and_a_list_of_what_was_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    for (class, colour) in [("cats", [200, 10, 10]), ("dogs", [10, 200, 10])] {
        std::fs::create_dir_all(root.join(class)).unwrap_or_else(|e| panic!("{e}"));
        for i in 0..3 {
            png(
                &root.join(class).join(format!("{i}.png")),
                40 + i,
                30,
                colour,
            );
        }
    }
    // A JPEG, a 16-bit grey PNG with a name that is not UTF-8, an RGBA image.
    image::RgbImage::from_pixel(20, 20, image::Rgb([10, 10, 200]))
        .save(root.join("dogs/blue.jpg"))
        .unwrap_or_else(|e| panic!("{e}"));
    let odd = std::ffi::OsStr::from_bytes(b"gr\xffy.png");
    image::ImageBuffer::<image::Luma<u16>, Vec<u16>>::from_pixel(8, 8, image::Luma([40_000]))
        .save(root.join("cats").join(odd))
        .unwrap_or_else(|e| panic!("{e}"));
    image::RgbaImage::from_pixel(8, 8, image::Rgba([255, 255, 255, 0]))
        .save(root.join("cats/clear.png"))
        .unwrap_or_else(|e| panic!("{e}"));
    // Not images, an empty class folder, a link back to the root (not followed).
    std::fs::write(root.join("cats/fake.png"), b"not a png").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(root.join("dogs/empty.png"), b"").unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(root.join("empty")).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::os::unix::fs::symlink(root, root.join("cats/loop"));
    // A PNG whose header declares 100 000 × 100 000 pixels.
    let mut huge = Vec::new();
    image::RgbImage::from_pixel(1, 1, image::Rgb([0, 0, 0]))
        .write_to(&mut Cursor::new(&mut huge), image::ImageFormat::Png)
        .unwrap_or_else(|e| panic!("{e}"));
    huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    huge[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    std::fs::write(root.join("dogs/huge.png"), huge).unwrap_or_else(|e| panic!("{e}"));

    let set = files::load(root, 16, 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.class_names, ["cats", "dogs"]);
    assert_eq!(
        set.class_counts(),
        [5, 4],
        "3 + grey + clear cats; 3 + blue dogs"
    );
    let skipped: Vec<String> = set
        .skipped
        .iter()
        .map(|(f, why)| format!("{} {why}", f.display()))
        .collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert!(skipped.iter().any(|s| s.contains("fake.png")));
    assert!(skipped.iter().any(|s| s.contains("empty.png")));
    assert!(
        skipped.iter().any(|s| s.contains("huge.png")),
        "{skipped:?}"
    );
    // A red cat, centre-cropped and area-reduced, stays red; a clear one is black.
    let plane = 16 * 16;
    let first = &set.pixels[..3 * plane];
    assert!(first[100] > 190 && first[plane + 100] < 20, "red");
    assert!(set.sizes.contains(&(30, 40)));
    // A run on the folder says what was skipped.
    let mut p = preset("digits-dcgan");
    p.dataset = DatasetSpec::Files {
        path: root.display().to_string(),
        size: 16,
        channels: 3,
        classes: None,
    };
    let trainer = Trainer::new(&p, &device::cpu());
    let notice = trainer.data_notice().unwrap_or_default();
    assert!(notice.contains("3 of 12 files were skipped"), "{notice}");
    assert_eq!(trainer.info().class_names, ["cats", "dogs"]);
    // A flat folder is unlabelled.
    let flat = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    png(&flat.path().join("a.png"), 8, 8, [1, 2, 3]);
    let set = files::load(flat.path(), 8, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((set.count, set.labels.is_none()), (1, true));
    // A folder of nothing usable says why.
    let bad = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(bad.path().join("x.png"), b"junk").unwrap_or_else(|e| panic!("{e}"));
    let message = files::load(bad.path(), 8, 1).err().map(|e| e.to_string());
    assert!(
        message
            .unwrap_or_default()
            .contains("none of its 1 image files")
    );
}

#[test]
fn image_decoding_answers_mutated_bytes_without_panicking() {
    let mut rng = StdRng::seed_from_u64(23);
    let mut valid = Vec::new();
    for format in [
        image::ImageFormat::Png,
        image::ImageFormat::Jpeg,
        image::ImageFormat::Bmp,
    ] {
        let mut bytes = Vec::new();
        image::RgbImage::from_fn(12, 9, |x, y| image::Rgb([x as u8 * 20, y as u8 * 25, 7]))
            .write_to(&mut Cursor::new(&mut bytes), format)
            .unwrap_or_else(|e| panic!("{e}"));
        valid.push(bytes);
    }
    let n = cases() / 10;
    for case in 0..n {
        let mut bytes = valid[case % valid.len()].clone();
        for _ in 0..rng.random_range(1..=3) {
            if bytes.is_empty() {
                break;
            }
            let at = rng.random_range(0..bytes.len());
            match rng.random_range(0..3) {
                0 => bytes[at] ^= 1 << rng.random_range(0..8),
                1 => bytes.truncate(at),
                _ => bytes[at] = rng.random(),
            }
        }
        if let Ok((pixels, _)) = files::folder::decode_bytes(&bytes, 8, 3) {
            assert_eq!(pixels.len(), 3 * 64);
        }
    }
    eprintln!("image decoding: {n} mutated files");
}

#[test]
fn cifar_batches_give_rgb_images_with_their_names_and_bad_ones_are_named() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let record = |label: u8, rgb: [u8; 3]| {
        let mut r = vec![label];
        for value in rgb {
            r.extend(vec![value; 1024]);
        }
        r
    };
    let batch = |records: &[(u8, [u8; 3])]| -> Vec<u8> {
        records.iter().flat_map(|&(l, c)| record(l, c)).collect()
    };
    let names = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n";
    std::fs::write(dir.path().join("batches.meta.txt"), names).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("data_batch_1.bin"),
        batch(&[(3, [200, 0, 0]), (9, [0, 0, 200])]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("data_batch_2.bin"),
        batch(&[(3, [0, 200, 0])]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // The test batch stays out of the training set.
    std::fs::write(dir.path().join("test_batch.bin"), batch(&[(0, [1, 1, 1])]))
        .unwrap_or_else(|e| panic!("{e}"));
    let set = files::load(dir.path(), 32, 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.count, 3);
    assert_eq!(
        set.held_out.as_ref().map(|h| h.count),
        Some(1),
        "the test batch is held out"
    );
    assert_eq!(set.class_names[3], "cat");
    assert_eq!(set.labels, Some(vec![3, 9, 3]));
    let plane = 32 * 32;
    assert_eq!(
        (
            set.pixels[0],
            set.pixels[plane],
            set.pixels[3 * plane + plane]
        ),
        (200, 0, 0),
        "red, then the blue truck's green plane"
    );
    let grey = files::load(dir.path(), 16, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(grey.pixels[0], (299 * 200 / 1000) as u8);
    // A cut batch and a label without a name are refused, naming the file.
    std::fs::write(dir.path().join("data_batch_2.bin"), vec![1u8; 1000])
        .unwrap_or_else(|e| panic!("{e}"));
    let message = files::load(dir.path(), 32, 3).err().map(|e| e.to_string());
    let message = message.unwrap_or_default();
    assert!(
        message.contains("data_batch_2.bin") && message.contains("3073"),
        "{message}"
    );
    std::fs::write(
        dir.path().join("data_batch_2.bin"),
        batch(&[(12, [0, 0, 0])]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let message = files::load(dir.path(), 32, 3).err().map(|e| e.to_string());
    assert!(message.unwrap_or_default().contains("label 12"));
}

#[test]
fn paired_folders_and_side_by_side_images_train_the_translate_task() {
    // A/ and B/ matched by name: A grey squares, B the same in red; one A without a partner.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    for side in ["A", "B"] {
        std::fs::create_dir_all(root.join(side)).unwrap_or_else(|e| panic!("{e}"));
    }
    for i in 0..12u8 {
        png(&root.join(format!("A/{i}.png")), 20, 20, [i * 10; 3]);
        png(&root.join(format!("B/{i}.png")), 20, 20, [i * 10, 0, 0]);
    }
    png(&root.join("A/lonely.png"), 20, 20, [1, 1, 1]);
    let set = files::load_pairs(root, 16, 1, 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((set.count, set.train), (12, 11), "one held out");
    assert_eq!(set.skipped.len(), 1);
    assert!(set.skipped[0].1.contains("no image named lonely"));
    // Pair 3 (sorted by name: 0, 1, 10, 11, 2, …): A is grey 20, B red 20.
    assert_eq!(
        (set.a[4 * 256], set.b[4 * 3 * 256], set.b[4 * 3 * 256 + 256]),
        (20, 20, 0)
    );

    // Side by side: A on the left half, B on the right.
    let ab = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for i in 0..4u8 {
        let image = image::RgbImage::from_fn(32, 16, |x, _| {
            image::Rgb(if x < 16 { [i * 30; 3] } else { [0, 0, 200] })
        });
        image
            .save(ab.path().join(format!("{i}.png")))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    png(&ab.path().join("odd.png"), 15, 16, [0; 3]);
    let pairs = files::load_pairs(ab.path(), 16, 3, 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pairs.count, 4);
    assert_eq!(
        (pairs.a[3 * 768], pairs.b[2 * 256]),
        (90, 200),
        "left A, right B (blue)"
    );
    assert!(
        pairs.skipped[0].1.contains("side by side"),
        "{:?}",
        pairs.skipped
    );

    // A pix2pix run on the A/B folder: batches never hold the held-out pair.
    let mut p = preset("shapes-colorize");
    p.dataset = DatasetSpec::PairedFiles {
        path: root.display().to_string(),
        size: 16,
        source_channels: 1,
        target_channels: 3,
    };
    p.generator = Some(ganscope::preset::GeneratorSpec::Unet {
        base: 8,
        dropout: 0.5,
    });
    p.train.batch_size = 4;
    p.train.samples = 4;
    p.validate().unwrap_or_else(|e| panic!("{e}"));
    let mut trainer = Trainer::new(&p, &device::cpu());
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    let scores = trainer.diagnostics().translation;
    assert!(scores.is_some_and(|t| t.l1.is_finite()));
    let mut data = ganscope::data::open(&p.dataset, 3).unwrap_or_else(|e| panic!("{e}"));
    let held = data
        .held_out(256)
        .unwrap_or_else(|| panic!("a held-out split"));
    assert_eq!(held.n, 1);
    let batch = data.batch(200);
    let features = 3 * 256;
    assert!(
        batch
            .x
            .chunks_exact(features)
            .all(|b| b != &held.x[..features]),
        "the held-out pair is never trained on"
    );
}

#[test]
fn a_file_set_is_read_beside_the_command_loop_with_progress_and_can_be_stopped() {
    use ganscope::protocol::{Command, DeviceChoice, Event};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for i in 0..40u8 {
        png(
            &dir.path().join(format!("{i}.png")),
            40,
            40,
            [i * 6, 100, 50],
        );
    }
    // A stopped reading ends with its reason, and nothing is kept.
    let progress = files::Progress::default();
    progress.cancel();
    let stopped = files::load_with(dir.path(), 16, 3, &progress).err();
    assert!(
        stopped
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("cancelled")
    );

    let link = ganscope::engine::spawn(|| {});
    let mut p = preset("digits-dcgan");
    p.name = "folder-dcgan".into();
    p.train.sample_every = 1000;
    p.dataset = DatasetSpec::Files {
        path: dir.path().display().to_string(),
        size: 16,
        channels: 3,
        classes: None,
    };
    p.train.batch_size = 8;
    link.send(Command::Load {
        preset: Box::new(p.clone()),
        device: DeviceChoice::Cpu,
    });
    // The engine answers while it reads (a cancel of nothing is harmless), then loads.
    link.send(Command::Pause);
    let (info, events) = super::session::wait_for(&link, |e| match e {
        Event::Loaded(info) => Some(info.clone()),
        _ => None,
    });
    assert_eq!(info.preset, "folder-dcgan");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::DataProgress { preset, .. } if preset == "folder-dcgan")),
        "progress was reported"
    );
    link.send(Command::CancelLoad);
    link.send(Command::Step(1));
    super::session::wait_for(&link, |e| match e {
        Event::Metrics(batch) => batch.last().map(|m| m.step),
        _ => None,
    });
    // Train pressed while the data is read: the run starts once it exists, and says so.
    link.send(Command::Load {
        preset: Box::new(p),
        device: DeviceChoice::Cpu,
    });
    link.send(Command::Run);
    super::session::wait_for(&link, |e| match e {
        Event::Running { running: true, .. } => Some(()),
        _ => None,
    });
    super::session::wait_for(&link, |e| match e {
        Event::Metrics(batch) => batch.last().map(|m| m.step),
        _ => None,
    });
    link.send(Command::Pause);
}

#[test]
fn a_labelled_file_set_gets_its_own_classifier_class_coverage_and_a_frechet_distance() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    class_folders(
        dir.path(),
        &[
            ("red", [220, 30, 30]),
            ("green", [30, 220, 30]),
            ("blue", [30, 30, 220]),
        ],
        8,
        12,
    );
    let set = files::load(dir.path(), 16, 3).unwrap_or_else(|e| panic!("{e}"));
    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cpu = burn::prelude::Device::flex();
    let (model, cached) = ganscope::engine::classifier::load_or_train_set(&set, cache.path(), &cpu)
        .unwrap_or_else(|| panic!("a labelled set has a classifier"));
    assert!(!cached);
    assert_eq!(model.classes(), 3);
    let images: Vec<f32> = set
        .pixels
        .iter()
        .map(|&v| f32::from(v) / 127.5 - 1.0)
        .collect();
    let probabilities = model.probabilities(&images, 3 * 256, &cpu);
    let correct = probabilities
        .chunks_exact(3)
        .zip(set.labels.iter().flatten())
        .filter(|(p, l)| {
            let best = (0..3).max_by(|a, b| p[*a].total_cmp(&p[*b])).unwrap_or(0);
            best == **l as usize
        })
        .count();
    assert_eq!(set.count, 22, "every tenth image of 24 is held out");
    assert_eq!(set.held_out.as_ref().map(|h| h.count), Some(2));
    assert_eq!(correct, 22, "colours are told apart");
    let (_, cached) = ganscope::engine::classifier::load_or_train_set(&set, cache.path(), &cpu)
        .unwrap_or_else(|| panic!("cached"));
    assert!(cached, "the second time it comes from the cache");

    // A run on the set measures class coverage and the Fréchet distance once it is ready.
    let mut p = preset("digits-dcgan");
    p.dataset = DatasetSpec::Files {
        path: dir.path().display().to_string(),
        size: 16,
        channels: 3,
        classes: None,
    };
    p.train.batch_size = 8;
    let mut trainer = Trainer::new(&p, &device::cpu());
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let measured = loop {
        let d = trainer.diagnostics();
        if d.classes.is_some() && d.frechet.is_some() {
            break d;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the classifier never came"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!(measured.classes.map(|c| c.classes), Some(3));
    assert!(measured.frechet.is_some_and(|f| f.is_finite() && f > 0.0));
}

#[test]
fn a_conditional_model_trains_on_class_folders_with_one_row_per_class() {
    use ganscope::protocol::{SampleView, Tiles};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    class_folders(
        dir.path(),
        &[
            ("ants", [200, 40, 40]),
            ("bees", [200, 200, 40]),
            ("cats", [40, 40, 200]),
        ],
        4,
        16,
    );
    // From the command line's --data: the classes are read from the data.
    let p = ganscope::cli::data::on_data(preset("digits-cgan"), dir.path())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.dataset.classes(), Some(3));
    assert_eq!(p.train.samples, 99, "a whole number of rows per class");
    let mut small = p.clone();
    small.train.batch_size = 8;
    let mut trainer = Trainer::new(&small, &device::cpu());
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    let info = trainer.info();
    assert_eq!(
        (info.classes, info.class_names.clone()),
        (
            Some(3),
            vec!["ants".to_string(), "bees".into(), "cats".into()]
        )
    );
    match trainer.samples() {
        SampleView::Grid {
            meaning,
            columns,
            tiles,
            ..
        } => {
            assert_eq!((meaning, columns, tiles), (Tiles::SeedsByClass, 33, 99));
        }
        SampleView::Points { .. } => panic!("images"),
    }
    // A preset expecting other classes than the data has is refused, saying so.
    let mut wrong = small.clone();
    if let DatasetSpec::Files { classes, .. } = &mut wrong.dataset {
        *classes = Some(4);
    }
    let refused = Trainer::try_new(&wrong, &device::cpu())
        .err()
        .map(|e| e.to_string());
    assert!(
        refused
            .unwrap_or_default()
            .contains("has 3 classes where the preset expects 4")
    );
}

/// An 8×8 CMYK JPEG (C 0, M 255, Y 255, K 0: red), 353 bytes, saved by Pillow.
const CMYK_JPEG: [u8; 353] = [
    255, 216, 255, 238, 0, 14, 65, 100, 111, 98, 101, 0, 100, 0, 0, 0, 0, 0, 255, 219, 0, 67, 0, 3,
    2, 2, 3, 2, 2, 3, 3, 3, 3, 4, 3, 3, 4, 5, 8, 5, 5, 4, 4, 5, 10, 7, 7, 6, 8, 12, 10, 12, 12, 11,
    10, 11, 11, 13, 14, 18, 16, 13, 14, 17, 14, 11, 11, 16, 22, 16, 17, 19, 20, 21, 21, 21, 12, 15,
    23, 24, 22, 20, 24, 18, 20, 21, 20, 255, 192, 0, 20, 8, 0, 8, 0, 8, 4, 67, 17, 0, 77, 17, 0,
    89, 17, 0, 75, 17, 0, 255, 196, 0, 31, 0, 0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255, 196, 0, 181, 16, 0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0,
    1, 125, 1, 2, 3, 0, 4, 17, 5, 18, 33, 49, 65, 6, 19, 81, 97, 7, 34, 113, 20, 50, 129, 145, 161,
    8, 35, 66, 177, 193, 21, 82, 209, 240, 36, 51, 98, 114, 130, 9, 10, 22, 23, 24, 25, 26, 37, 38,
    39, 40, 41, 42, 52, 53, 54, 55, 56, 57, 58, 67, 68, 69, 70, 71, 72, 73, 74, 83, 84, 85, 86, 87,
    88, 89, 90, 99, 100, 101, 102, 103, 104, 105, 106, 115, 116, 117, 118, 119, 120, 121, 122, 131,
    132, 133, 134, 135, 136, 137, 138, 146, 147, 148, 149, 150, 151, 152, 153, 154, 162, 163, 164,
    165, 166, 167, 168, 169, 170, 178, 179, 180, 181, 182, 183, 184, 185, 186, 194, 195, 196, 197,
    198, 199, 200, 201, 202, 210, 211, 212, 213, 214, 215, 216, 217, 218, 225, 226, 227, 228, 229,
    230, 231, 232, 233, 234, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 255, 218, 0, 14, 4,
    67, 0, 77, 0, 89, 0, 75, 0, 0, 63, 0, 253, 83, 175, 202, 170, 252, 170, 175, 213, 58, 255, 217,
];

#[test]
fn a_cmyk_jpeg_is_decoded_to_rgb() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("red.jpg");
    std::fs::write(&path, CMYK_JPEG).unwrap_or_else(|e| panic!("{e}"));
    let (pixels, size) = files::folder::decode_file(&path, 8, 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(size, (8, 8));
    assert_eq!(
        (pixels[0], pixels[64], pixels[128]),
        (255, 0, 0),
        "red, in RGB planes"
    );
}

#[test]
fn cifar_parsing_answers_random_and_mutated_bytes_without_panicking() {
    let mut rng = StdRng::seed_from_u64(29);
    let mut valid = vec![3u8];
    valid.extend(vec![7u8; 3072]);
    for case in 0..cases() {
        let bytes: Vec<u8> = if case % 3 == 0 {
            (0..rng.random_range(0..7000))
                .map(|_| rng.random())
                .collect()
        } else {
            let mut out = valid.clone();
            let at = rng.random_range(0..out.len());
            match rng.random_range(0..3) {
                0 => out.truncate(at),
                1 => out.insert(at, rng.random()),
                _ => out[at] = rng.random(),
            }
            out
        };
        if let Ok((labels, images)) = files::cifar::parse(&bytes) {
            assert_eq!(images.len(), labels.len() * 3072);
        }
    }
}

#[test]
fn a_run_on_an_image_folder_resumes_exactly() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    class_folders(
        &dir.path().join("data"),
        &[("a", [200, 60, 20]), ("b", [20, 60, 200])],
        6,
        16,
    );
    let mut p = preset("digits-dcgan");
    p.dataset = DatasetSpec::Files {
        path: dir.path().join("data").display().to_string(),
        size: 16,
        channels: 3,
        classes: Some(2),
    };
    p.train.batch_size = 8;
    resumes_exactly(&p, &dir.path().join("run"));
}

#[test]
fn a_file_that_cannot_be_read_any_more_is_skipped_with_the_reason() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for i in 0..3u8 {
        png(&dir.path().join(format!("{i}.png")), 8, 8, [i * 50, 0, 0]);
    }
    // Listed, then gone before it is read (as a file on a vanishing share would be).
    let listing = files::folder::list(dir.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("three images"));
    std::fs::remove_file(dir.path().join("1.png")).unwrap_or_else(|e| panic!("{e}"));
    let decoded = files::folder::decode_all(&listing, 8, 3, &files::Progress::default());
    assert!(decoded[0].is_ok() && decoded[2].is_ok());
    let why = decoded[1].as_ref().err().cloned().unwrap_or_default();
    assert!(
        why.contains("1.png") || why.to_lowercase().contains("no such file"),
        "{why}"
    );
}
