//! The augmentation lab's data plumbing: a labelled set written by `files::write` reads back
//! through ganscope's own loaders (folder and IDX) with the same count, labels and pixels; a
//! cancelled or failed write leaves nothing behind; the low-data sampler takes exactly k per
//! class, nested across k, fixed by its seed.

use ganscope::data::files::{self, write};
use ganscope::data::subset;

/// `count` grey or colour images whose pixels encode their index and label.
fn images(count: usize, channels: usize, side: usize, classes: usize) -> (Vec<u8>, Vec<u32>) {
    let labels: Vec<u32> = (0..count).map(|i| ((i * 7) % classes) as u32).collect();
    let pixels = (0..count * channels * side * side)
        .map(|i| ((i * 31 + i / (side * side)) % 251) as u8)
        .collect();
    (pixels, labels)
}

/// Every image of a loaded set with its label, the held-out tenth of a folder included.
pub fn everything(set: &files::ImageSet) -> Vec<(u32, Vec<u8>)> {
    let per_image = set.channels * set.side * set.side;
    let own = set
        .labels
        .iter()
        .flatten()
        .copied()
        .zip(set.pixels.chunks_exact(per_image).map(<[u8]>::to_vec));
    let held: Vec<(u32, Vec<u8>)> = set.held_out.as_deref().map(everything).unwrap_or_default();
    own.chain(held).collect()
}

/// Images per class over a loaded set and its held-out part.
pub fn counts(set: &files::ImageSet, classes: usize) -> Vec<usize> {
    let mut counts = vec![0; classes];
    for (label, _) in everything(set) {
        counts[label as usize] += 1;
    }
    counts
}

fn names(classes: usize) -> Vec<String> {
    // Fashion-MNIST's first name has a slash: the folder name must not.
    (0..classes)
        .map(|c| {
            if c == 0 {
                "T-shirt/top".into()
            } else {
                format!("class {c}")
            }
        })
        .collect()
}

#[test]
fn a_written_set_reads_back_as_a_folder_and_as_idx_with_its_labels() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (channels, classes) in [(1, 12), (3, 3)] {
        let side = 8;
        let (pixels, labels) = images(30, channels, side, classes);
        let class_names = names(classes);
        let set = write::LabelledImages {
            channels,
            side,
            pixels: &pixels,
            labels: &labels,
            class_names: &class_names,
        };
        let dest = dir.path().join(format!("synthetic-{channels}"));
        let mut calls = 0;
        let written = write::write_set(&set, &dest, |done, total| {
            calls += 1;
            assert!(done <= total && total == 30);
            true
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((written, calls), (dest.clone(), 30));
        let folder =
            files::load(&dest.join("images"), side, channels).unwrap_or_else(|e| panic!("{e}"));
        assert!(folder.skipped.is_empty(), "{:?}", folder.skipped);
        assert_eq!(folder.class_names.len(), classes);
        assert!(
            folder.class_names[0].starts_with("00-T-shirt-top"),
            "{:?}",
            folder.class_names
        );
        // The folder is read in sorted order (class by class), a tenth held out: compare as
        // a multiset of (label, image).
        let per_image = channels * side * side;
        let mut expected: Vec<(u32, Vec<u8>)> = labels
            .iter()
            .copied()
            .zip(pixels.chunks_exact(per_image).map(<[u8]>::to_vec))
            .collect();
        let mut got = everything(&folder);
        expected.sort();
        got.sort();
        assert_eq!(
            got, expected,
            "{channels} channels: the same images under the same labels"
        );
        let idx = dest.join("synthetic-images-idx3-ubyte");
        if channels == 1 {
            let set = files::load(&idx, side, 1).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(set.labels.as_deref(), Some(&labels[..]));
            assert_eq!(set.pixels, pixels, "IDX keeps the order and the bytes");
        } else {
            assert!(!idx.exists(), "no IDX for colour images");
        }
        let text = std::fs::read_to_string(dest.join("classes.txt")).unwrap_or_default();
        assert_eq!(text.lines().next(), Some("T-shirt/top"));
        // Never over an existing folder.
        let again = write::write_set(&set, &dest, |_, _| true);
        assert!(
            matches!(again, Err(write::WriteError::Failed(ref e)) if e.contains("already exists"))
        );
    }
}

#[test]
fn a_cancelled_write_leaves_no_half_written_set() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (pixels, labels) = images(20, 1, 8, 4);
    let class_names = names(4);
    let set = write::LabelledImages {
        channels: 1,
        side: 8,
        pixels: &pixels,
        labels: &labels,
        class_names: &class_names,
    };
    let dest = dir.path().join("cancelled");
    let result = write::write_set(&set, &dest, |done, _| done < 7);
    assert_eq!(result, Err(write::WriteError::Cancelled));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "nothing left behind: {left:?}");
    // A set whose sizes do not add up is refused before anything is written.
    let short = write::LabelledImages {
        pixels: &pixels[..100],
        ..set
    };
    assert!(matches!(
        write::write_set(&short, &dest, |_, _| true),
        Err(write::WriteError::Failed(_))
    ));
    assert!(!dest.exists());
}

#[test]
fn the_low_data_sampler_takes_exactly_k_per_class_nested_and_seeded() {
    let classes = 10;
    // Uneven classes: class c has 20 + 3c examples.
    let labels: Vec<u32> = (0..classes as u32)
        .flat_map(|c| std::iter::repeat_n(c, 20 + 3 * c as usize))
        .rev()
        .collect();
    for k in [1, 10, 20] {
        let picked = subset::per_class(&labels, classes, k, 5).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(picked.len(), classes * k);
        let mut counts = vec![0; classes];
        for &i in &picked {
            counts[labels[i] as usize] += 1;
        }
        assert_eq!(counts, vec![k; classes], "exactly {k} of every class");
        let mut unique = picked.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), picked.len(), "no example twice");
    }
    let small = subset::per_class(&labels, classes, 5, 5).unwrap_or_default();
    let large = subset::per_class(&labels, classes, 15, 5).unwrap_or_default();
    assert!(
        small.iter().all(|i| large.contains(i)),
        "k = 5 nests in k = 15"
    );
    assert_eq!(
        small,
        subset::per_class(&labels, classes, 5, 5).unwrap_or_default()
    );
    assert_ne!(
        small,
        subset::per_class(&labels, classes, 5, 6).unwrap_or_default()
    );
    let short = subset::per_class(&labels, classes, 21, 5)
        .err()
        .unwrap_or_default();
    assert!(short.contains("class 0 has 20 examples"), "{short}");
}

/// A conditional G's synthetic set: `per_class` of every class under its label, readable as
/// a data set; a job cancelled midway writes nothing; an unconditional G's samples are
/// labelled by the reference classifier, and a threshold they never reach is refused, naming
/// the classes short.
#[test]
fn a_conditional_generator_writes_a_labelled_set_and_a_cancel_writes_nothing() {
    use ganscope::engine::{Trainer, device, jobs};
    use ganscope::preset::DatasetSpec;
    use ganscope::protocol::{Job, Synthesis};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut p = super::common::preset("digits-cgan");
    p.dataset = DatasetSpec::Digits { size: 16 };
    p.train.batch_size = 10;
    let mut trainer = Trainer::new(&p, &device::cpu());
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    let snapshot = trainer.snapshot();
    let synthesis = |dest: &str| Synthesis {
        per_class: 3,
        psi: 0.7,
        min_confidence: 0.9,
        ema: true,
        class_names: (0..10).map(|d| d.to_string()).collect(),
        dest: dir.path().join(dest),
    };
    let job = Job::new("test");
    let written =
        jobs::write_synthetic(&snapshot, &synthesis("set"), &job).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (written.images, written.classes, written.idx),
        (30, 10, true)
    );
    assert!(job.fraction() > 0.99, "progress reached the end");
    let set = files::load(&written.folder.join("images"), 16, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&set, 10), vec![3; 10]);
    let idx = files::load(&written.folder.join("synthetic-images-idx3-ubyte"), 16, 1)
        .unwrap_or_else(|e| panic!("{e}"));
    let labels: Vec<u32> = (0..10).flat_map(|c| [c; 3]).collect();
    assert_eq!(idx.labels.as_deref(), Some(&labels[..]));
    // Different latents make different images of one class.
    assert_ne!(idx.pixels[..256], idx.pixels[256..512]);

    // A run that averages G's weights exports the average, or the training weights when
    // asked: two different sets.
    let mut averaged = p.clone();
    averaged.game.ema = 0.5;
    let mut trainer = Trainer::new(&averaged, &device::cpu());
    for _ in 0..3 {
        trainer.step().unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(trainer.info().ema);
    let snapshot_ema = trainer.snapshot();
    assert!(
        snapshot_ema.raw().is_some(),
        "the training weights ride along"
    );
    let pixels = |ema: bool, dest: &str| {
        let asked = Synthesis {
            ema,
            ..synthesis(dest)
        };
        let written = jobs::write_synthetic(&snapshot_ema, &asked, &Job::new("ema"))
            .unwrap_or_else(|e| panic!("{e}"));
        files::load(&written.folder.join("synthetic-images-idx3-ubyte"), 16, 1)
            .unwrap_or_else(|e| panic!("{e}"))
            .pixels
            .clone()
    };
    assert_ne!(pixels(true, "average"), pixels(false, "training"));

    let cancelled = Job::new("cancelled");
    cancelled.cancel();
    let refused = jobs::write_synthetic(&snapshot, &synthesis("never"), &cancelled)
        .err()
        .unwrap_or_default();
    assert!(refused.contains("nothing was written"), "{refused}");
    assert!(!dir.path().join("never").exists());

    let mut plain = super::common::preset("digits-dcgan");
    plain.dataset = DatasetSpec::Digits { size: 16 };
    plain.train.batch_size = 8;
    let unconditional = Trainer::new(&plain, &device::cpu()).snapshot();
    // An unconditional G's samples go through the digits' reference classifier: an untrained
    // G's blobs are never read as a digit with 99.99 % confidence, and the error says which
    // classes fell short, with nothing written.
    let sure = Synthesis {
        min_confidence: 0.9999,
        ..synthesis("plain")
    };
    let refused = jobs::write_synthetic(&unconditional, &sure, &Job::new("x"))
        .err()
        .unwrap_or_default();
    assert!(
        refused.contains("too few were read with confidence ≥ 0.9999"),
        "{refused}"
    );
    assert!(refused.contains("'7' "), "{refused}");
    assert!(!dir.path().join("plain").exists());
    // Data without labels (the ring of Gaussians) has no classifier to label by.
    let ring = Trainer::new(&super::common::preset("ring8-mlp"), &device::cpu()).snapshot();
    let refused = jobs::write_synthetic(&ring, &synthesis("ring"), &Job::new("ring"))
        .err()
        .unwrap_or_default();
    assert!(refused.contains("2-D points"), "{refused}");
}

/// `ganscope synthesize` on a run folder `ganscope train` wrote: one JSON line saying what it
/// wrote, the set on disk, the class names from the run's data; a second run into the same
/// folder and a truncation outside [0, 1] are refused with the reason.
#[test]
fn the_synthesize_command_writes_a_set_from_a_run_folder_and_prints_json() {
    use super::common::{ganscope, trained_16px_run};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = trained_16px_run(dir.path(), "digits-cgan", 2);
    let out = dir.path().join("set");
    let synthesize = |out: &std::path::Path, run: &std::path::Path| {
        ganscope()
            .args([
                "synthesize",
                "--per-class",
                "4",
                "--psi",
                "0.5",
                "--checkpoint",
            ])
            .arg(run)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let made = synthesize(&out, &run);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let line: serde_json::Value =
        serde_json::from_slice(&made.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(line["images"], 40);
    assert_eq!(line["classes"], 10);
    assert_eq!(line["per_class"], 4);
    assert_eq!(line["idx"], true);
    let set = files::load(&out.join("images"), 16, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&set, 10), vec![4; 10]);
    let names = std::fs::read_to_string(out.join("classes.txt")).unwrap_or_default();
    assert_eq!(
        names.lines().collect::<Vec<_>>(),
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
    );
    let again = synthesize(&out, &run);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    // A truncation outside [0, 1] is refused before anything is loaded or written.
    let odd = dir.path().join("odd");
    let refused = ganscope()
        .args([
            "synthesize",
            "--per-class",
            "1",
            "--psi",
            "1.5",
            "--checkpoint",
        ])
        .arg(&run)
        .arg("--out")
        .arg(&odd)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--psi 1.5 is not in [0, 1]"));
    assert!(!odd.exists());
}

/// The low-data setting (`[train] real_per_class`): a run draws its batches from exactly k
/// distinct images of every class, the same ones for the same seed; presets without
/// labelled images refuse it, saying why.
#[test]
fn a_low_data_run_trains_on_k_images_of_every_class() {
    use ganscope::data::{DataSource, digits::Digits, subset::Subset};
    let cut = |seed| {
        Subset::cut(Box::new(Digits::new(16, seed)), 10, 5, seed).unwrap_or_else(|e| panic!("{e}"))
    };
    let mut data = cut(3);
    assert_eq!(data.len(), 50);
    let mut seen = std::collections::HashMap::new();
    for _ in 0..40 {
        let batch = data.batch(32);
        let labels = batch.labels.unwrap_or_default();
        for (image, label) in batch.x.chunks_exact(256).zip(labels) {
            let key: Vec<u32> = image.iter().map(|v| v.to_bits()).collect();
            seen.insert(key, label);
        }
    }
    assert_eq!(seen.len(), 50, "1 280 draws come from the 50 images kept");
    let mut per_class = [0; 10];
    for label in seen.values() {
        per_class[*label as usize] += 1;
    }
    assert_eq!(per_class, [5; 10]);
    let (mut a, mut b) = (cut(3), cut(3));
    a.reseed(9);
    b.reseed(9);
    assert_eq!(
        a.batch(8),
        b.batch(8),
        "the same seed keeps the same images and draws"
    );
    assert_ne!(cut(3).batch(8).x, cut(4).batch(8).x);

    let mut p = super::common::preset("digits-cgan-low");
    assert_eq!(p.train.real_per_class, Some(50));
    p.dataset = ganscope::preset::DatasetSpec::Digits { size: 16 };
    p.train.batch_size = 10;
    let mut trainer = ganscope::engine::Trainer::new(&p, &ganscope::engine::device::cpu());
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    let mut ring = super::common::preset("ring8-mlp");
    ring.train.real_per_class = Some(10);
    let refused = ring
        .validate()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("labelled image set"), "{refused}");
    let mut zero = super::common::preset("digits-cgan");
    zero.train.real_per_class = Some(0);
    assert!(zero.validate().is_err());
}
