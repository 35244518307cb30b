//! The matrix side of the folded convolutions: layout changes between NCHW tensors and
//! folded matrices, and `gemm`'s product on strided views.

use rayon::prelude::*;

/// `[batch, channels, pixels]` → `[channels, batch · pixels]` (and back with the roles
/// swapped): the layout change between NCHW tensors and the folded matrices.
pub fn fold_batch(data: &[f32], batch: usize, channels: usize, pixels: usize) -> Vec<f32> {
    assert_eq!(data.len(), batch * channels * pixels, "fold_batch: size");
    let mut out = vec![0.0f32; data.len()];
    if pixels == 0 || batch == 0 {
        return out;
    }
    out.par_chunks_mut(batch * pixels)
        .enumerate()
        .for_each(|(c, row)| {
            for (b, dst) in row.chunks_mut(pixels).enumerate() {
                dst.copy_from_slice(&data[(b * channels + c) * pixels..][..pixels]);
            }
        });
    out
}

/// The inverse of [`fold_batch`]: `[channels, batch · pixels]` → `[batch, channels, pixels]`.
pub fn unfold_batch(data: &[f32], batch: usize, channels: usize, pixels: usize) -> Vec<f32> {
    assert_eq!(data.len(), batch * channels * pixels, "unfold_batch: size");
    let mut out = vec![0.0f32; data.len()];
    if pixels == 0 || channels == 0 {
        return out;
    }
    out.par_chunks_mut(pixels)
        .enumerate()
        .for_each(|(index, dst)| {
            let (b, c) = (index / channels, index % channels);
            dst.copy_from_slice(&data[c * batch * pixels + b * pixels..][..pixels]);
        });
    out
}

/// The transpose of a row-major `rows × cols` matrix.
pub fn transpose(data: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    assert_eq!(data.len(), rows * cols, "transpose: size");
    let mut out = vec![0.0f32; data.len()];
    for (c, dst) in out.chunks_exact_mut(rows.max(1)).enumerate().take(cols) {
        for (r, d) in dst.iter_mut().enumerate() {
            *d = data[r * cols + c];
        }
    }
    out
}

/// A read-only matrix inside a slice, with element strides for rows and columns.
#[derive(Clone, Copy)]
pub struct Matrix<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> Matrix<'a> {
    /// A row-major `rows × cols` matrix filling `data`.
    pub fn rows(data: &'a [f32], rows: usize, cols: usize) -> Matrix<'a> {
        assert_eq!(data.len(), rows * cols, "matrix size");
        Matrix {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose, as a view of the same data.
    pub fn t(self) -> Matrix<'a> {
        Matrix {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }
}

/// Products at least this big (m·n·k) use every thread of rayon's pool.
const PARALLEL_WORK: usize = 64 * 64 * 64;

/// `a · b` into a new row-major `[a.rows, b.cols]` matrix.
pub fn matmul(a: Matrix, b: Matrix) -> Vec<f32> {
    let len = a.rows * b.cols;
    let mut dst: Vec<f32> = Vec::with_capacity(len);
    // SAFETY: `dst` has room for `len` elements; with `accumulate = false` `product` writes
    // all of them without reading any, so they are initialised when the length is set.
    unsafe {
        product(a, b, dst.as_mut_ptr(), false);
        dst.set_len(len);
    }
    dst
}

/// `dst + a · b`, in `dst`'s buffer (row-major `[a.rows, b.cols]`).
pub fn matmul_onto(a: Matrix, b: Matrix, mut dst: Vec<f32>) -> Vec<f32> {
    assert_eq!(dst.len(), a.rows * b.cols, "matmul_onto: destination size");
    // SAFETY: `dst` holds the a.rows × b.cols initialised elements `product` reads and writes.
    unsafe { product(a, b, dst.as_mut_ptr(), true) };
    dst
}

/// `dst (+)= a · b` through `gemm`, `dst` row-major `[a.rows, b.cols]`.
///
/// # Safety
/// `dst` must be valid for writes of `a.rows · b.cols` elements (and for reads, initialised,
/// when `accumulate`), exclusively owned and not overlapping `a` or `b`.
unsafe fn product(a: Matrix, b: Matrix, dst: *mut f32, accumulate: bool) {
    assert_eq!(a.cols, b.rows, "matmul: inner sizes");
    let (m, n, k) = (a.rows, b.cols, a.cols);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            // SAFETY: the caller's contract: `dst` is valid for m × n writes.
            unsafe { std::ptr::write_bytes(dst, 0, m * n) };
        }
        return;
    }
    let parallelism = if m * n * k >= PARALLEL_WORK {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    // The largest element either view touches is inside its slice (checked here), so the
    // raw pointers below stay in bounds.
    for v in [&a, &b] {
        assert!((v.rows - 1) * v.row_stride + (v.cols - 1) * v.col_stride < v.data.len());
    }
    let mut depth = 0;
    for (index, kb) in depth_blocks(m, n, k).enumerate() {
        // SAFETY: `a` and `b` are in bounds (asserted above) and so is every block of their
        // shared dimension; `dst` as the caller guarantees. gemm computes
        // dst = alpha·dst + beta·a·b, reading dst only when asked: after the first block
        // always, so each block's partial sums are added onto the previous blocks'.
        unsafe {
            gemm::gemm(
                m,
                n,
                kb,
                dst,
                1,
                n as isize,
                accumulate || index > 0,
                a.data.as_ptr().add(depth * a.col_stride),
                a.col_stride as isize,
                a.row_stride as isize,
                b.data.as_ptr().add(depth * b.row_stride),
                b.col_stride as isize,
                b.row_stride as isize,
                1.0,
                1.0,
                false,
                false,
                false,
                parallelism,
            );
        }
        depth += kb;
    }
}

/// The longest run of the shared dimension that gemm sums in registers before adding it
/// onto the destination, on a CPU whose level-1 data cache is 32 KiB and 8-way (every
/// x86-64 this project has run on).
const DEPTH_BLOCK: usize = 512;

/// The blocks of the shared dimension `k` that [`product`] hands to gemm one at a time.
///
/// gemm splits a long `k` itself into blocks sized from the level-1 data cache it finds (at
/// least 512; 1024 on a 48 KiB 12-way cache) whenever one side of the product exceeds 64,
/// and rounds each block's sum onto the destination, so such a product rounded differently
/// on CPUs with other caches. Handed blocks of at most 512, gemm never splits further, so
/// the sums are those of the 512 case on every CPU: the same balanced split gemm makes there
/// (`k` over ⌈k/512⌉ blocks). Products whose sides are both at most 64 go whole: gemm's
/// paths for them split `k` by fixed sizes, without asking the cache.
fn depth_blocks(m: usize, n: usize, k: usize) -> impl Iterator<Item = usize> {
    let block = if m.max(n) <= 64 || k <= DEPTH_BLOCK {
        k
    } else {
        k.div_ceil(k.div_ceil(DEPTH_BLOCK))
    };
    let block = block.max(1);
    (0..k.div_ceil(block)).map(move |i| block.min(k - i * block))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_blocks_cover_k_in_balanced_runs_of_at_most_512() {
        assert_eq!(
            depth_blocks(100, 100, 1500).collect::<Vec<_>>(),
            [500, 500, 500]
        );
        assert_eq!(
            depth_blocks(100, 100, 1025).collect::<Vec<_>>(),
            [342, 342, 341]
        );
        assert_eq!(depth_blocks(100, 100, 512).collect::<Vec<_>>(), [512]);
        assert_eq!(depth_blocks(64, 64, 5000).collect::<Vec<_>>(), [5000]);
        assert_eq!(depth_blocks(65, 1, 600).collect::<Vec<_>>(), [300, 300]);
        assert_eq!(depth_blocks(3, 3, 0).count(), 0);
    }

    /// Numbers that make every rounding visible: mixed signs and magnitudes.
    fn values(len: usize, salt: u32) -> Vec<f32> {
        (0..len as u32)
            .map(|i| {
                let h = (i.wrapping_mul(2_654_435_761) ^ salt).wrapping_mul(2_246_822_519);
                ((h >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * (1 + (h & 7)) as f32
            })
            .collect()
    }

    /// A long product is, element by element, the 512-block arithmetic whatever the CPU's
    /// caches: each block summed from zero with fused multiply-adds in order, and the
    /// blocks' sums added in order. Without the split, on a CPU whose level-1 cache makes
    /// gemm's blocks 1024 long, this failed (the last bits of most elements moved).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn long_products_sum_in_blocks_of_the_512_case() {
        if !std::arch::is_x86_feature_detected!("fma") {
            eprintln!(
                "skipped: the reference sums with fused multiply-adds, as gemm does with FMA"
            );
            return;
        }
        let (m, n, k) = (70, 90, 1300);
        let (a, b) = (values(m * k, 1), values(k * n, 2));
        let got = matmul(Matrix::rows(&a, m, k), Matrix::rows(&b, k, n));
        let blocks: Vec<usize> = depth_blocks(m, n, k).collect();
        for i in 0..m {
            for j in 0..n {
                let (mut total, mut start) = (0.0f32, 0);
                for &len in &blocks {
                    let mut acc = 0.0f32;
                    for p in start..start + len {
                        acc = a[i * k + p].mul_add(b[p * n + j], acc);
                    }
                    total += acc;
                    start += len;
                }
                assert_eq!(
                    got[i * n + j].to_bits(),
                    total.to_bits(),
                    "element ({i}, {j})"
                );
            }
        }
    }
}
