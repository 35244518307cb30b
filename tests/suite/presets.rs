//! Presets: every shipped file loads and validates; broken files are reported by name.

use super::common::{VARIANT_PRESETS, presets_dir};
use ganscope::preset::library::PresetLibrary;
use ganscope::preset::{Preset, PresetError};

#[test]
fn every_shipped_preset_parses_and_validates() {
    let library = PresetLibrary::load_dir(&presets_dir());
    let errors: Vec<String> = library.errors.iter().map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "shipped presets failed: {errors:?}");
    let basics = ["ring8-mlp", "grid25-mlp", "digits-dcgan", "dcgan32-ref"];
    for name in basics.into_iter().chain(VARIANT_PRESETS) {
        assert!(library.get(name).is_some(), "{name} is not shipped");
    }
}

#[test]
fn the_reference_dcgan_preset_is_the_reference() {
    let library = PresetLibrary::load_dir(&presets_dir());
    let p = library.get("dcgan32-ref").expect("shipped");
    let text = toml::to_string(p).expect("serialises");
    for needle in [
        "latent_dim = 100",
        "ngf = 64",
        "ndf = 64",
        "bias = false",
        "batch_size = 64",
    ] {
        assert!(
            text.contains(needle),
            "dcgan32-ref lacks `{needle}`:\n{text}"
        );
    }
    assert_eq!(
        (p.train.lr_g, p.train.lr_d, p.train.beta1),
        (2e-4, 2e-4, 0.5)
    );
}

#[test]
fn a_syntax_error_names_the_file() {
    let err = Preset::from_toml("name = \"x\"\n[dataset\n", "presets/broken.toml")
        .expect_err("unterminated table header must fail");
    assert!(matches!(err, PresetError::Parse { .. }), "{err:?}");
    assert!(err.to_string().contains("presets/broken.toml"), "{err}");
}

#[test]
fn a_dcgan_on_points_is_refused_with_a_reason() {
    let text = r#"
        name = "bad"
        [dataset]
        kind = "ring8"
        [model]
        family = "dcgan"
        latent_dim = 8
        ngf = 8
        ndf = 8
        [train]
        batch_size = 8
        lr_g = 1e-3
        lr_d = 1e-3
        seed = 0
    "#;
    let err = Preset::from_toml(text, "bad.toml").expect_err("DCGAN needs images");
    assert!(err.to_string().contains("image data set"), "{err}");
}

#[test]
fn one_broken_file_does_not_hide_the_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        presets_dir().join("ring8-mlp.toml"),
        dir.path().join("good.toml"),
    )
    .expect("copy");
    std::fs::write(dir.path().join("typo.toml"), "name = \"typo\"\nbatch = [").expect("write");
    let library = PresetLibrary::load_dir(dir.path());
    assert_eq!(library.presets.len(), 1, "the good preset still loads");
    assert_eq!(library.errors.len(), 1, "the broken one is reported");
    assert!(library.errors[0].to_string().contains("typo.toml"));
}

/// A digits DCGAN preset with `model` and `game` lines added.
fn digits_with(model: &str, game: &str) -> Result<Preset, PresetError> {
    let text = format!(
        r#"
        name = "variant"
        [dataset]
        kind = "digits"
        [model]
        family = "dcgan"
        latent_dim = 8
        ngf = 8
        ndf = 8
        {model}
        [train]
        batch_size = 8
        lr_g = 1e-3
        lr_d = 1e-3
        seed = 1
        samples = 20
        [game]
        {game}
    "#
    );
    Preset::from_toml(&text, "variant.toml")
}

#[test]
fn games_the_model_cannot_play_are_refused_saying_why() {
    let bn = digits_with("", "penalty = \"gradient\"")
        .expect_err("a gradient penalty through BatchNorm");
    let text = bn.to_string();
    assert!(
        text.contains("BatchNorm") && text.contains("d_batch_norm = false"),
        "{text}"
    );
    assert!(digits_with("d_batch_norm = false", "penalty = \"r1\"").is_ok());
    let packed = digits_with("conditional = true", "pack = 2").expect_err("pack + labels");
    assert!(packed.to_string().contains("pack"), "{packed}");
    let odd = digits_with("", "pack = 3").expect_err("8 is not a multiple of 3");
    assert!(odd.to_string().contains("multiple of pack 3"), "{odd}");
    let smoothing = digits_with("", "label_smoothing = 0.7").expect_err("too much");
    assert!(
        smoothing.to_string().contains("label_smoothing"),
        "{smoothing}"
    );
    assert!(
        digits_with("conditional = true", "").is_ok(),
        "20 samples, 10 rows"
    );
}

/// A translate preset with `dataset` and `extra` sections, networks named one by one.
fn translate_with(dataset: &str, networks: &str, extra: &str) -> Result<Preset, PresetError> {
    let text = format!(
        r#"
        name = "translate"
        [dataset]
        kind = "{dataset}"
        size = 16
        [task]
        kind = "translate"
        {networks}
        [train]
        batch_size = 4
        lr_g = 2e-4
        lr_d = 2e-4
        seed = 1
        samples = 4
        {extra}
    "#
    );
    Preset::from_toml(&text, "translate.toml")
}

const UNET_PATCH: &str = "[generator]\nfamily = \"unet\"\n[discriminator]\nfamily = \"patch_gan\"";

#[test]
fn tasks_are_refused_with_networks_or_data_they_cannot_play_with() {
    assert!(translate_with("shapes_outline", UNET_PATCH, "").is_ok());
    let unpaired = translate_with("shapes", UNET_PATCH, "").expect_err("no sources");
    assert!(unpaired.to_string().contains("paired"), "{unpaired}");
    let pair = translate_with(
        "digit_skeletons",
        "[model]\nfamily = \"dcgan\"\nlatent_dim = 8\nngf = 8\nndf = 8",
        "",
    )
    .expect_err("a latent pair for a translation");
    assert!(pair.to_string().contains("[generator]"), "{pair}");
    for (game, says) in [
        ("[game]\npenalty = \"r1\"", "penalty"),
        ("[game]\nmode_seeking = 1.0", "mode_seeking"),
        ("[game]\npack = 2", "pack"),
    ] {
        let refused = translate_with("shapes_grey", UNET_PATCH, game).expect_err(game);
        assert!(refused.to_string().contains(says), "{game}: {refused}");
    }
    let empty = Preset::from_toml(
        &format!(
            "name = \"x\"\n[dataset]\nkind = \"shapes_grey\"\n[task]\nkind = \"translate\"\n\
             l1_weight = 0.0\nadversarial = false\n{UNET_PATCH}\n[train]\nbatch_size = 4\n\
             lr_g = 1e-3\nlr_d = 1e-3\nseed = 1"
        ),
        "x.toml",
    )
    .expect_err("an empty G loss");
    assert!(empty.to_string().contains("empty"), "{empty}");
    // A generate preset on paired data is told to translate.
    let generate = digits_with("", "").map(|mut p| {
        p.dataset = ganscope::preset::DatasetSpec::ShapesGrey { size: 32 };
        p.validate()
    });
    let said = generate
        .ok()
        .and_then(Result::err)
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(said.contains("translate"), "{said}");
}

/// A progressive preset on `dataset` with `model` lines added, then `rest` (tables).
fn progressive_with(dataset: &str, model: &str, rest: &str) -> Result<Preset, PresetError> {
    let text = format!(
        r#"
        name = "growing"
        [dataset]
        {dataset}
        [model]
        family = "progressive"
        latent_dim = 8
        width = 8
        {model}
        [train]
        batch_size = 8
        lr_g = 1e-3
        lr_d = 1e-3
        seed = 1
        {rest}
    "#
    );
    Preset::from_toml(&text, "growing.toml")
}

#[test]
fn growing_presets_are_refused_with_schedules_or_data_they_cannot_have() {
    let digits = "kind = \"digits\"\nsize = 32";
    let schedule = "[growth]\nfade_steps = 10\nstable_steps = 10";
    assert!(progressive_with(digits, "", schedule).is_ok());
    let why = |dataset: &str, model: &str, rest: &str| {
        progressive_with(dataset, model, rest)
            .expect_err("refused")
            .to_string()
    };
    let unscheduled = why(digits, "", "");
    assert!(unscheduled.contains("[growth]"), "{unscheduled}");
    // Full size from the start needs no schedule.
    assert!(progressive_with(digits, "start = 32", "").is_ok());
    let no_fade = why(digits, "", "[growth]\nfade_steps = 0\nstable_steps = 10");
    assert!(no_fade.contains("fade_steps"), "{no_fade}");
    let odd = why(digits, "start = 6", schedule);
    assert!(odd.contains("powers of two"), "{odd}");
    let too_big = why(digits, "start = 64", schedule);
    assert!(too_big.contains("start <= end"), "{too_big}");
    let points = why("kind = \"ring8\"", "", schedule);
    assert!(points.contains("image data set"), "{points}");
    let spectral = why(
        digits,
        "",
        &format!("[game]\nspectral_norm = true\n{schedule}"),
    );
    assert!(spectral.contains("spectral_norm = false"), "{spectral}");
    let drift = why(digits, "", &format!("[game]\ndrift = -1.0\n{schedule}"));
    assert!(drift.contains("drift"), "{drift}");
    // A schedule for a model that does not grow.
    let stray = digits_with("", "").map(|mut p| {
        p.growth = Some(ganscope::preset::GrowthSpec {
            fade_steps: 1,
            stable_steps: 1,
        });
        p.validate()
    });
    let stray = stray
        .unwrap_or_else(|e| panic!("{e}"))
        .expect_err("refused")
        .to_string();
    assert!(stray.contains("[growth]"), "{stray}");
}
