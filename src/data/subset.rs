//! Low-data subsets: exactly `k` examples of every class, drawn from a seeded stream, for the
//! augmentation lab's fair comparison (the GAN and every classifier arm see the same `k` per
//! class). Which examples are taken depends only on the labels, `k` and the seed; a larger
//! `k` with the same seed takes a superset of a smaller one's (each class's order is one
//! shuffle, cut at `k`), so the arms at k = 10, 50, 100 nest.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Indices into `labels` (each below `classes`), `k` of every class, in class order then
/// drawn order; an error naming the first class with fewer than `k` examples.
pub fn per_class(
    labels: &[u32],
    classes: usize,
    k: usize,
    seed: u64,
) -> Result<Vec<usize>, String> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (i, &label) in labels.iter().enumerate() {
        if let Some(m) = members.get_mut(label as usize) {
            m.push(i);
        }
    }
    let mut out = Vec::with_capacity(classes * k);
    for (class, mut m) in members.into_iter().enumerate() {
        if m.len() < k {
            return Err(format!(
                "class {class} has {} examples, fewer than the {k} per class asked for",
                m.len()
            ));
        }
        // One stream per class, so a class's draw does not depend on the others' sizes.
        let mut rng =
            StdRng::seed_from_u64(seed ^ (class as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        m.shuffle(&mut rng);
        out.extend_from_slice(&m[..k]);
    }
    Ok(out)
}
