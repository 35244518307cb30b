//! Small dense linear algebra on f64 for the few places that need it (principal directions,
//! the Fréchet distance): symmetric eigen-decomposition by cyclic Jacobi rotations.

/// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations. Returns the
/// eigenvalues and the matrix whose columns are the eigenvectors; `a` is destroyed.
pub fn jacobi_eigen(a: &mut [Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let m = a.len();
    let mut v: Vec<Vec<f64>> = (0..m)
        .map(|i| (0..m).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for _sweep in 0..100 {
        let off: f64 = (0..m)
            .flat_map(|i| (0..m).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let scale: f64 = (0..m).map(|i| a[i][i] * a[i][i]).sum();
        if off <= 1e-24 * scale.max(1e-300) {
            break;
        }
        for p in 0..m {
            for q in p + 1..m {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                rotate_columns(a, p, q, c, s);
                rotate_rows(a, p, q, c, s);
                rotate_columns(&mut v, p, q, c, s);
            }
        }
    }
    ((0..m).map(|i| a[i][i]).collect(), v)
}

/// Apply the plane rotation (c, s) to columns p and q of every row.
fn rotate_columns(rows: &mut [Vec<f64>], p: usize, q: usize, c: f64, s: f64) {
    for row in rows {
        let (xp, xq) = (row[p], row[q]);
        row[p] = c * xp - s * xq;
        row[q] = s * xp + c * xq;
    }
}

/// Apply the plane rotation (c, s) to rows p < q.
fn rotate_rows(rows: &mut [Vec<f64>], p: usize, q: usize, c: f64, s: f64) {
    let (head, tail) = rows.split_at_mut(q);
    for (xp, xq) in head[p].iter_mut().zip(tail[0].iter_mut()) {
        let (vp, vq) = (*xp, *xq);
        *xp = c * vp - s * vq;
        *xq = s * vp + c * vq;
    }
}
