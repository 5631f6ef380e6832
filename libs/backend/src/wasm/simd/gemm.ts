/**
 * A register-blocked SIMD matrix product for slt's wasm module (see kernels.ts):
 * C[M, N] = A[M, K] B[K, N] (C += A B when `add` is 1), with A read through two strides, so that A may be a transposed view
 * (the filter gradient X^T dY reads X [K, M] in place: no transpose, and no packed copy of B, which
 * the backend's XNNPACK matMul makes on every call for a B it has not seen, e.g. dY).
 * Blocks of 4 rows x 8 columns (8 accumulators), then 4 x 4, then single rows; N must be a
 * multiple of 4. Pointers and strides are in bytes.
 */
import { type Code, type FuncDef, ifElse, inc, op, seq, type ValType, whileLoop } from './asm.js';

const { get, set, i32 } = op;
const many = (k: number, t: ValType): ValType[] => Array.from({ length: k }, () => t);

// params: a 0, aMs 1, aKs 2, b 3, bKs 4, c 5, cMs 6, M 7, N 8, K 9, add 10 (1: C += A B)
const [A, AMS, AKS, B, BKS, C, CMS, M, N, K, ADD] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
// i32 locals: m0 11, n0 12, k 13, pa 14, pb 15, pc 16, rowA 17..19 (1..3 rows of A), rowC 20..22
const [M0, N0, KK, PA, PB, PC] = [11, 12, 13, 14, 15, 16];
const ROW_A = [-1, 17, 18, 19];
const ROW_C = [-1, 20, 21, 22];
// v128 locals: acc 23..30 (row i, vector j at 23 + 2i + j), b 31..32, s 33
const ACC = (i: number, j: number): number => 23 + 2 * i + j;
const BV = [31, 32];
const S = 33;

/** `base + rowOffset[i]` (row 0: base itself). */
const row = (base: number, offsets: number[], i: number): Code => (i === 0 ? get(base) : seq(get(base), get(offsets[i]!), op.iadd));

/** One block of `mr` rows and `nv` vectors of 4 columns at (m0, n0): the whole K loop, then the stores. */
function block(mr: number, nv: number): Code {
  const zero: Code[] = [];
  const load: Code[] = [];
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nv; j++) {
      zero.push(seq(op.f32(0), op.vsplat, set(ACC(i, j))));
      load.push(seq(row(PC, ROW_C, i), op.vload(16 * j), set(ACC(i, j))));
    }
  }
  const perK: Code[] = [];
  for (let j = 0; j < nv; j++) perK.push(seq(get(PB), op.vload(16 * j), set(BV[j]!)));
  for (let i = 0; i < mr; i++) {
    perK.push(seq(row(PA, ROW_A, i), op.vload32Splat(), set(S)));
    for (let j = 0; j < nv; j++) perK.push(seq(get(ACC(i, j)), get(S), get(BV[j]!), op.vmul, op.vadd, set(ACC(i, j))));
  }
  const stores: Code[] = [];
  for (let i = 0; i < mr; i++) for (let j = 0; j < nv; j++) stores.push(seq(row(PC, ROW_C, i), get(ACC(i, j)), op.vstore(16 * j)));
  return seq(
    get(C), get(M0), get(CMS), op.imul, op.iadd, get(N0), i32(2), op.ishl, op.iadd, set(PC),
    ifElse(get(ADD), seq(...load), seq(...zero)),
    get(A), get(M0), get(AMS), op.imul, op.iadd, set(PA),
    get(B), get(N0), i32(2), op.ishl, op.iadd, set(PB),
    get(K), set(KK),
    whileLoop(get(KK), ...perK, inc(PA, get(AKS)), inc(PB, get(BKS)), get(KK), i32(1), op.isub, set(KK)),
    ...stores,
  );
}

/** All column blocks of one row block of `mr` rows (8 columns at a time, then 4). */
const columns = (mr: number): Code => seq(
  i32(0), set(N0),
  whileLoop(seq(get(N0), i32(8), op.iadd, get(N), op.igtu, op.ieqz), block(mr, 2), inc(N0, i32(8))),
  whileLoop(seq(get(N0), i32(4), op.iadd, get(N), op.igtu, op.ieqz), block(mr, 1), inc(N0, i32(4))),
);

/** The `gemm` function: C = A B (see the file's comment). */
export function gemm(): FuncDef {
  return {
    name: 'gemm', params: many(11, 'i32'), locals: [...many(12, 'i32'), ...many(11, 'v128')],
    body: seq(
      get(AMS), set(ROW_A[1]!), get(AMS), i32(1), op.ishl, set(ROW_A[2]!), get(AMS), i32(3), op.imul, set(ROW_A[3]!),
      get(CMS), set(ROW_C[1]!), get(CMS), i32(1), op.ishl, set(ROW_C[2]!), get(CMS), i32(3), op.imul, set(ROW_C[3]!),
      i32(0), set(M0),
      whileLoop(seq(get(M0), i32(4), op.iadd, get(M), op.igtu, op.ieqz), columns(4), inc(M0, i32(4))),
      whileLoop(seq(get(M0), get(M), op.iltu), columns(1), inc(M0, i32(1))),
    ),
  };
}
