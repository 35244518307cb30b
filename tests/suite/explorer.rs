//! The explorer thread through the protocol: snapshots follow training, renders answer with
//! the right shapes, a latent renders the same alone or in a batch, principal directions.

use super::session::{loaded, stopped_at, wait_for};
use ganscope::engine;
use ganscope::latent;
use ganscope::protocol::{Command, Event, ExploreRequest, Link, RenderTarget, Rendered};

/// Ask for a render and wait for its answer.
fn render(link: &Link, id: u64, target: RenderTarget, latents: Vec<Vec<f32>>) -> (u64, Rendered) {
    link.request(ExploreRequest::Render {
        id,
        target,
        latents,
        class: None,
    });
    wait_for(link, |e| match e {
        Event::Rendered {
            id: got,
            step,
            output,
            ..
        } if *got == id => Some((*step, output.clone())),
        _ => None,
    })
    .0
}

fn snapshot_at(link: &Link, wanted: u64) {
    wait_for(link, |e| {
        matches!(e, Event::Snapshot { step } if *step == wanted).then_some(())
    });
}

#[test]
fn snapshots_follow_training_and_renders_use_the_newest() {
    let link = engine::spawn(|| {});
    loaded(&link, "ring8-mlp");
    snapshot_at(&link, 0);
    let z = latent::from_seed(5, 2);
    let (step, before) = render(&link, 1, RenderTarget::Main, vec![z.clone()]);
    assert_eq!(step, 0);
    link.send(Command::Step(40));
    snapshot_at(&link, 40);
    let (step, after) = render(&link, 2, RenderTarget::Main, vec![z]);
    assert_eq!(step, 40, "the render used the new snapshot");
    let (Rendered::Points(a), Rendered::Points(b)) = (before, after) else {
        panic!("a 2-D model renders points");
    };
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_ne!(a, b, "40 steps of training moved G(z)");

    // While training runs flat out, newer snapshots keep arriving; pausing publishes the
    // final weights.
    link.send(Command::Run);
    let (newer, _) = wait_for(&link, |e| match e {
        Event::Snapshot { step } if *step > 40 => Some(*step),
        _ => None,
    });
    link.send(Command::Pause);
    let (paused_at, seen) = stopped_at(&link);
    assert!(paused_at >= newer);
    // Already delivered when the pause came right after that snapshot, or on the way here.
    let delivered = paused_at == newer
        || seen
            .iter()
            .any(|e| matches!(e, Event::Snapshot { step } if *step == paused_at));
    if !delivered {
        snapshot_at(&link, paused_at);
    }
    link.send(Command::Shutdown);
}

#[test]
fn image_renders_are_batch_independent_and_directions_are_ranked() {
    let link = engine::spawn(|| {});
    loaded(&link, "digits-dcgan");
    snapshot_at(&link, 0);
    let path = latent::path(
        &latent::from_seed(0, 64),
        &latent::from_seed(1, 64),
        5,
        latent::InterpMode::Slerp,
    );
    let (_, strip) = render(&link, 7, RenderTarget::Strip, path.clone());
    let (_, single) = render(&link, 8, RenderTarget::Main, vec![path[2].clone()]);
    let (Rendered::Images(strip), Rendered::Images(single)) = (strip, single) else {
        panic!("an image model renders images");
    };
    assert_eq!(strip.len(), 5);
    assert_eq!((single[0].width, single[0].height), (32, 32));
    let differing = strip[2]
        .pixels
        .iter()
        .zip(&single[0].pixels)
        .filter(|(a, b)| a.abs_diff(**b) > 1)
        .count();
    assert_eq!(
        differing, 0,
        "the middle frame alone matches it in the batch"
    );
    assert_ne!(strip[0], strip[4], "the walk's ends differ");

    link.request(ExploreRequest::Directions { components: 4 });
    let (directions, seen) = wait_for(&link, |e| match e {
        Event::Directions { directions, .. } => Some(directions.clone()),
        _ => None,
    });
    let progress: Vec<(usize, usize)> = seen
        .iter()
        .filter_map(|e| match e {
            Event::DirectionsProgress { done, total } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    assert!(progress.len() > 2, "progress while computing: {progress:?}");
    assert!(progress.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(progress.last().map(|(d, t)| d == t), Some(true));
    assert_eq!(directions.latent.len(), 4);
    assert!(directions.latent.iter().all(|d| d.len() == 64));
    let shares = &directions.explained;
    assert!(
        shares.windows(2).all(|w| w[0] >= w[1]),
        "ranked: {shares:?}"
    );
    assert!(shares.iter().sum::<f32>() <= 1.0 + 1e-4, "{shares:?}");
    assert!(shares[0] > 0.0);
    link.send(Command::Shutdown);
}

#[test]
fn principal_directions_can_be_cancelled_midway_and_the_slider_still_answers() {
    let link = engine::spawn(|| {});
    loaded(&link, "dcgan32-ref");
    snapshot_at(&link, 0);
    link.request(ExploreRequest::Directions { components: 4 });
    let (total, _) = wait_for(&link, |e| match e {
        Event::DirectionsProgress { total, .. } => Some(*total),
        _ => None,
    });
    link.request(ExploreRequest::CancelDirections);
    // A render asked after the cancel is answered, and no directions come before it.
    let z = latent::from_seed(1, 100);
    link.request(ExploreRequest::Render {
        id: 9,
        target: RenderTarget::Main,
        latents: vec![z],
        class: None,
    });
    let (_, seen) = wait_for(&link, |e| {
        matches!(e, Event::Rendered { id: 9, .. }).then_some(())
    });
    assert!(
        !seen.iter().any(|e| matches!(e, Event::Directions { .. })),
        "a cancelled computation gives no answer"
    );
    let last = seen.iter().rev().find_map(|e| match e {
        Event::DirectionsProgress { done, .. } => Some(*done),
        _ => None,
    });
    assert!(last.is_none_or(|d| d < total), "it stopped before the end");
    link.send(Command::Shutdown);
}
