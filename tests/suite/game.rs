//! The game's variants in real training: every new preset trains a few finite steps, a
//! conditional G follows its label and its D reads it, a conditional grid has one row per
//! class, and the weight-clipped critic stays inside its box.

use super::common::{VARIANT_PRESETS, preset};
use burn::prelude::*;
use ganscope::engine::{Trainer, device};
use ganscope::models::{self, label_tensor};
use ganscope::protocol::SampleView;

#[test]
fn every_variant_preset_trains_finite_steps() {
    let cpu = device::cpu();
    for name in VARIANT_PRESETS {
        let mut trainer = Trainer::new(&preset(name), &cpu);
        for _ in 0..2 {
            let m = trainer.step().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                [m.g_loss, m.d_loss, m.g_grad_norm, m.d_grad_norm]
                    .iter()
                    .all(|v| v.is_finite()),
                "{name}: {m:?}"
            );
        }
    }
}

#[test]
fn a_conditional_generator_follows_its_label_and_its_discriminator_reads_it() {
    let p = preset("digits-cgan");
    let device = Device::flex();
    let shape = ganscope::data::open(&p.dataset, 1)
        .unwrap_or_else(|e| panic!("{e}"))
        .shape();
    let (g, d) = models::build(&p, shape, None, &device).unwrap_or_else(|e| panic!("{e}"));
    let z = Tensor::<2>::from_data(
        TensorData::new(ganscope::latent::from_seeds(0, 2, 64), [2, 64]),
        &device,
    );
    let of = |labels: &[u32]| {
        g.forward(z.clone(), Some(&label_tensor(labels, &device)))
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default()
    };
    let (threes, sevens) = (of(&[3, 3]), of(&[7, 7]));
    let change: f32 = threes.iter().zip(&sevens).map(|(a, b)| (a - b).abs()).sum();
    assert!(
        change > 1.0,
        "G's output moves with the label at fixed z ({change})"
    );
    let x = Tensor::<2>::from_data(TensorData::new(threes, [2, shape.numel()]), &device);
    let judge = |labels: &[u32]| {
        d.forward(x.clone(), Some(&label_tensor(labels, &device)))
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default()
    };
    assert_ne!(
        judge(&[3, 3]),
        judge(&[7, 7]),
        "D's verdict depends on the label"
    );

    let mut trainer = Trainer::new(&p, &device::cpu());
    assert_eq!(trainer.info().classes, Some(10));
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    match trainer.samples() {
        SampleView::Grid { columns, tiles, .. } => {
            assert_eq!((columns, tiles), (10, 100), "one row of ten per digit")
        }
        SampleView::Points { .. } => panic!("an image grid"),
    }
}

#[test]
fn a_live_change_the_model_cannot_play_is_refused_saying_which_layer() {
    let mut trainer = Trainer::new(&preset("digits-dcgan"), &device::cpu());
    let before = trainer.balance();
    let mut asked = before.clone();
    asked.penalty = ganscope::preset::PenaltyKind::R1;
    let refused = trainer.set_balance(asked).err().unwrap_or_default();
    assert!(refused.contains("BatchNorm"), "{refused}");
    assert_eq!(trainer.balance(), before, "nothing changed");
    let mut faster = before.clone();
    faster.lr_d *= 2.0;
    let changes = trainer
        .set_balance(faster)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(changes.len(), 1, "{changes:?}");
}

#[test]
fn diff_augment_translates_and_cuts_out_each_sample_as_its_draws_say() {
    use burn::prelude::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};
    let (side, c, b) = (8usize, 2usize, 3usize);
    let values: Vec<f32> = (0..b * c * side * side).map(|i| 1.0 + i as f32).collect();
    let x = Tensor::<2>::from_data(
        TensorData::new(values.clone(), [b, c * side * side]),
        &Device::flex(),
    );
    let got =
        ganscope::engine::trainer::augment::diff_augment(x, side, &mut StdRng::seed_from_u64(5))
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default();
    // The same draws, applied by hand: shift by (dy, dx) with zero fill, then a 4×4 hole
    // centred at (cy, cx).
    let mut rng = StdRng::seed_from_u64(5);
    let mut holes = 0;
    for i in 0..b {
        let (dy, dx) = (rng.random_range(-1i64..=1), rng.random_range(-1i64..=1));
        let (cy, cx) = (rng.random_range(0..side), rng.random_range(0..side));
        let (y0, x0) = (cy.saturating_sub(2), cx.saturating_sub(2));
        for ch in 0..c {
            for y in 0..side {
                for x in 0..side {
                    let (fy, fx) = (y as i64 - dy, x as i64 - dx);
                    let inside = (0..side as i64).contains(&fy) && (0..side as i64).contains(&fx);
                    let cut = (y0..y0 + 4).contains(&y) && (x0..x0 + 4).contains(&x);
                    let want = if inside && !cut {
                        values[((i * c + ch) * side + fy as usize) * side + fx as usize]
                    } else {
                        0.0
                    };
                    holes += usize::from(cut);
                    assert_eq!(
                        got[((i * c + ch) * side + y) * side + x],
                        want,
                        "{i} {ch} {y} {x}"
                    );
                }
            }
        }
    }
    assert!(holes > 0);
}
