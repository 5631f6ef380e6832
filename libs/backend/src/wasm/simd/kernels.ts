/**
 * slt's SIMD kernels for the wasm backend: a small WebAssembly module (written by asm.ts at run
 * time) that imports the backend's own memory, so the kernels read and write tensors in place with
 * 128-bit SIMD, where plain JavaScript over the heap is 5-20x slower per element than the backend's
 * SIMD kernels. Pointers and strides are in bytes, counts in floats.
 */
import * as tf from '@tensorflow/tfjs';
import { assemble, type Code, type FuncDef, ifElse, inc, op, seq, type ValType, whileLoop } from './asm.js';
import { gemm } from './gemm.js';

const { get, set, tee, i32 } = op;
const many = (k: number, t: ValType): ValType[] => Array.from({ length: k }, () => t);
const at = (...locals: number[]): Code => seq(get(locals[0]!), ...locals.slice(1).map((l) => seq(get(l), op.iadd)));

/** out = dy where x is inside (lo, hi) (bounds inclusive per the variant), else 0. */
function rangeGrad(name: string, loIn: boolean, hiIn: boolean): FuncDef {
  // params: dy 0, x 1, out 2, n 3, lo 4, hi 5; locals: i 6, end4 7, end 8, vlo 9, vhi 10, xv 11
  const vLo = loIn ? op.vge : op.vgt, vHi = hiIn ? op.vle : op.vlt;
  const sLo = loIn ? op.fge : op.fgt, sHi = hiIn ? op.fle : op.flt;
  return {
    name, params: ['i32', 'i32', 'i32', 'i32', 'f32', 'f32'], locals: ['i32', 'i32', 'i32', 'v128', 'v128', 'v128'],
    body: seq(
      get(4), op.vsplat, set(9), get(5), op.vsplat, set(10),
      get(3), i32(-4), op.iand, i32(2), op.ishl, set(7),
      get(3), i32(2), op.ishl, set(8),
      whileLoop(seq(get(6), get(7), op.iltu),
        at(2, 6), at(0, 6), op.vload(), at(1, 6), op.vload(), tee(11), get(9), vLo, get(11), get(10), vHi, op.vand, op.vand, op.vstore(),
        inc(6, i32(16))),
      whileLoop(seq(get(6), get(8), op.iltu),
        at(2, 6), at(0, 6), op.fload(), op.f32(0), at(1, 6), op.fload(), get(4), sLo, at(1, 6), op.fload(), get(5), sHi, op.iand, op.select, op.fstore(),
        inc(6, i32(4))),
    ),
  };
}

/**
 * Rows of c channels: for each row and channel j, `vec(j)` then `scalar(j)` are emitted for the
 * SIMD part (c & ~3 channels) and the rest. Locals p (row offset, bytes), j (channel offset),
 * c4b, cb, total are given by index.
 */
function rowsLoop(rows: number, c: number, l: { p: number; j: number; c4b: number; cb: number; total: number }, vec: Code, scalar: Code): Code {
  return seq(
    get(c), i32(-4), op.iand, i32(2), op.ishl, set(l.c4b),
    get(c), i32(2), op.ishl, set(l.cb),
    get(rows), get(l.cb), op.imul, set(l.total),
    whileLoop(seq(get(l.p), get(l.total), op.iltu),
      i32(0), set(l.j),
      whileLoop(seq(get(l.j), get(l.c4b), op.iltu), vec, inc(l.j, i32(16))),
      whileLoop(seq(get(l.j), get(l.cb), op.iltu), scalar, inc(l.j, i32(4))),
      inc(l.p, get(l.cb))),
  );
}

/** BatchNorm: out = (x - mean) * scale / nf + offset per channel (nf = sqrt(variance + eps)), as tfjs' wasm kernel computes it. */
function bnAffine(): FuncDef {
  // params: x 0, mean 1, scale 2, nf 3, offset 4, out 5, rows 6, c 7; locals p 8, j 9, c4b 10, cb 11, total 12
  const l = { p: 8, j: 9, c4b: 10, cb: 11, total: 12 };
  const body = (vec: boolean): Code => {
    const load = vec ? op.vload : op.fload;
    const [sub, mul, div, add] = vec ? [op.vsub, op.vmul, op.vdiv, op.vadd] : [op.fsub, op.fmul, op.fdiv, op.fadd];
    return seq(at(5, 8, 9), at(0, 8, 9), load(), at(1, 9), load(), sub, at(2, 9), load(), mul, at(3, 9), load(), div, at(4, 9), load(), add, (vec ? op.vstore : op.fstore)());
  };
  return { name: 'bnAffine', params: many(8, 'i32'), locals: many(5, 'i32'), body: rowsLoop(6, 7, l, body(true), body(false)) };
}

/**
 * BatchNorm then its activation: out = pmin(hi, pmax(0, z)) with z as {@link bnAffine} computes it
 * (hi Infinity: ReLU, 6: ReLU6), XNNPACK's clamp on x86 as the backend's Relu6 and Relu run it: 0
 * for z <= 0 (also -0), hi for z >= hi. (wasm's NaN-propagating min and max lower to about eight
 * x86 instructions each; these are one each.)
 */
function bnAct(): FuncDef {
  // params: x 0, mean 1, scale 2, nf 3, offset 4, out 5, rows 6, c 7, hi 8; locals p 9, j 10, c4b 11, cb 12, total 13, vzero 14, vhi 15, sz 16
  const l = { p: 9, j: 10, c4b: 11, cb: 12, total: 13 };
  const z = (vec: boolean): Code => {
    const load = vec ? op.vload : op.fload;
    const [sub, mul, div, add] = vec ? [op.vsub, op.vmul, op.vdiv, op.vadd] : [op.fsub, op.fmul, op.fdiv, op.fadd];
    return seq(at(0, 9, 10), load(), at(1, 10), load(), sub, at(2, 10), load(), mul, at(3, 10), load(), div, at(4, 10), load(), add);
  };
  // pmax(0, z) = 0 < z ? z : 0, then pmin(hi, a) = a < hi ? a : hi; the scalar tail as selects
  const vec = seq(at(5, 9, 10), get(15), get(14), z(true), op.vpmax, op.vpmin, op.vstore());
  const scalar = seq(
    z(false), set(16),
    get(16), op.f32(0), op.f32(0), get(16), op.flt, op.select, set(16),
    at(5, 9, 10), get(16), get(8), get(16), get(8), op.flt, op.select, op.fstore(),
  );
  return {
    name: 'bnAct', params: [...many(8, 'i32'), 'f32'], locals: [...many(5, 'i32'), 'v128', 'v128', 'f32'],
    body: seq(op.f32(0), op.vsplat, set(14), get(8), op.vsplat, set(15), rowsLoop(6, 7, l, vec, scalar)),
  };
}

/**
 * The gradients of {@link bnAct} in one pass: dz = dy where 0 < z <= hi (tfjs' ReLU6 gradient; ReLU
 * with hi Infinity) else 0, then as {@link bnGrad}: dx = dz * f; accOffset += dz; accScale += dz *
 * (x - mean). The mask comes from the output y: 0 < y < hi is 0 < z < hi; where y is hi (z >= hi),
 * z is computed again from x as {@link bnAffine} computes it (the same float32 value), for the
 * vectors that have such a lane (and for the scalar tail).
 */
function bnActGrad(): FuncDef {
  // params: dy 0, x 1, mean 2, scale 3, nf 4, offset 5, f 6, y 7, dx 8, accS 9, accO 10, rows 11, c 12, hi 13
  // locals: p 14, j 15, c4b 16, cb 17, total 18; vzero 19, vhi 20, vt 21, vd 22, vm 23, ve 24; st 25, sd 26
  const l = { p: 14, j: 15, c4b: 16, cb: 17, total: 18 };
  const z = (vec: boolean, t: number): Code => {
    const load = vec ? op.vload : op.fload;
    const [mul, div, add] = vec ? [op.vmul, op.vdiv, op.vadd] : [op.fmul, op.fdiv, op.fadd];
    return seq(get(t), at(3, 15), load(), mul, at(4, 15), load(), div, at(5, 15), load(), add);
  };
  const body = (vec: boolean): Code => {
    const load = vec ? op.vload : op.fload, store = vec ? op.vstore : op.fstore;
    const [sub, mul, add] = vec ? [op.vsub, op.vmul, op.vadd] : [op.fsub, op.fmul, op.fadd];
    const [t, d] = vec ? [21, 22] : [25, 26];
    const masked = vec
      ? seq(
        at(7, 14, 15), load(), set(d),
        get(d), get(19), op.vgt, get(d), get(20), op.vlt, op.vand, set(23),
        get(d), get(20), op.veq, set(24),
        ifElse(seq(get(24), op.vanyTrue), seq(get(23), get(24), z(true, t), get(20), op.vle, op.vand, op.vor, set(23)), []),
        at(0, 14, 15), load(), get(23), op.vand)
      : seq(z(false, t), set(d), at(0, 14, 15), load(), op.f32(0), get(d), op.f32(0), op.fgt, get(d), get(13), op.fle, op.iand, op.select);
    return seq(
      at(1, 14, 15), load(), at(2, 15), load(), sub, set(t),
      masked, set(d),
      at(8, 14, 15), get(d), at(6, 15), load(), mul, store(),
      at(10, 15), at(10, 15), load(), get(d), add, store(),
      at(9, 15), at(9, 15), load(), get(d), get(t), mul, add, store(),
    );
  };
  return {
    name: 'bnActGrad', params: [...many(13, 'i32'), 'f32'], locals: [...many(5, 'i32'), ...many(6, 'v128'), 'f32', 'f32'],
    body: seq(op.f32(0), op.vsplat, set(19), get(13), op.vsplat, set(20), rowsLoop(11, 12, l, body(true), body(false))),
  };
}

/**
 * Inference BatchNorm gradients in one pass: dx = dz * f; accOffset += dz; accScale += dz * (x - mean)
 * (per channel; the caller zeroes the accumulators and scales accScale by 1 / sqrt(variance + eps)).
 */
function bnGrad(): FuncDef {
  // params: dz 0, x 1, mean 2, f 3, dx 4, accS 5, accO 6, rows 7, c 8; locals p 9, j 10, c4b 11, cb 12, total 13, vd 14, sd 15
  const l = { p: 9, j: 10, c4b: 11, cb: 12, total: 13 };
  const body = (load: (off?: number) => Code, store: (off?: number) => Code, sub: Code, mul: Code, add: Code, d: number): Code => seq(
    at(0, 9, 10), load(), set(d),
    at(4, 9, 10), get(d), at(3, 10), load(), mul, store(),
    at(6, 10), at(6, 10), load(), get(d), add, store(),
    at(5, 10), at(5, 10), load(), get(d), at(1, 9, 10), load(), at(2, 10), load(), sub, mul, add, store(),
  );
  return {
    name: 'bnGrad', params: many(9, 'i32'), locals: ['i32', 'i32', 'i32', 'i32', 'i32', 'v128', 'f32'],
    body: rowsLoop(7, 8, l, body(op.vload, op.vstore, op.vsub, op.vmul, op.vadd, 14), body(op.fload, op.fstore, op.fsub, op.fmul, op.fadd, 15)),
  };
}

/** One Adam step over n floats (see fused/adam.ts for the formula). */
function adam(): FuncDef {
  // params: x 0, m 1, v 2, g 3, xo 4, mo 5, vo 6, n 7, lr 8, b1 9, ob1 10, b2 11, ob2 12, eps 13, c1 14, c2 15
  // locals: i 16, end4 17, end 18, then v128 splats of params 8..15 at 19..26, vg 27, vm 28, vv 29; scalar sg 30, sm 31, sv 32
  const S = (p: number): number => 19 + (p - 8);
  const step = (vec: boolean): Code => {
    const load = vec ? op.vload : op.fload, store = vec ? op.vstore : op.fstore;
    const [add, sub, mul, div, sqrt] = vec ? [op.vadd, op.vsub, op.vmul, op.vdiv, op.vsqrt] : [op.fadd, op.fsub, op.fmul, op.fdiv, op.fsqrt];
    const k = (p: number): Code => (vec ? get(S(p)) : get(p));
    const [g, m, v] = vec ? [27, 28, 29] : [30, 31, 32];
    return seq(
      at(3, 16), load(), set(g),
      at(1, 16), load(), k(9), mul, get(g), k(10), mul, add, set(m),
      at(2, 16), load(), k(11), mul, get(g), get(g), mul, k(12), mul, add, set(v),
      at(5, 16), get(m), store(),
      at(6, 16), get(v), store(),
      at(4, 16), at(0, 16), load(), k(8), get(m), k(14), div, mul, get(v), k(15), div, sqrt, k(13), add, div, sub, store(),
    );
  };
  return {
    name: 'adam', params: [...many(8, 'i32'), ...many(8, 'f32')],
    locals: [...many(3, 'i32'), ...many(11, 'v128'), ...many(3, 'f32')],
    body: seq(
      ...[8, 9, 10, 11, 12, 13, 14, 15].map((p) => seq(get(p), op.vsplat, set(S(p)))),
      get(7), i32(-4), op.iand, i32(2), op.ishl, set(17),
      get(7), i32(2), op.ishl, set(18),
      whileLoop(seq(get(16), get(17), op.iltu), step(true), inc(16, i32(16))),
      whileLoop(seq(get(16), get(18), op.iltu), step(false), inc(16, i32(4))),
    ),
  };
}

/**
 * `rows` runs of `count` strided vectors of c floats: acc[j] += a[j] * b[j] (rowMac) or
 * acc[j] += a[j] (rowAdd). Within a run a, b and acc advance by their strides aS, bS, accS after
 * each vector; each run starts aR, bR, accR bytes after the previous one (0 keeps a pointer).
 */
function rowOp(mac: boolean): FuncDef {
  // rowMac params: a 0, aS 1, aR 2, b 3, bS 4, bR 5, acc 6, accS 7, accR 8, count 9, rows 10, c 11
  // rowAdd params: a 0, aS 1, aR 2, acc 3, accS 4, accR 5, count 6, rows 7, c 8
  // locals (after the params): j, c4b, cb, pa, pb, pacc, n
  const [a, aS, aR, b, bS, bR, acc, accS, accR, count, rows, c] = mac ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] : [0, 1, 2, -1, -1, -1, 3, 4, 5, 6, 7, 8];
  const [j, c4b, cb, pa, pb, pacc, n] = [c + 1, c + 2, c + 3, c + 4, c + 5, c + 6, c + 7];
  const term = (vec: boolean): Code => seq(
    at(pacc, j), at(pacc, j), (vec ? op.vload : op.fload)(), at(pa, j), (vec ? op.vload : op.fload)(),
    mac ? seq(at(pb, j), (vec ? op.vload : op.fload)(), vec ? op.vmul : op.fmul) : [],
    vec ? op.vadd : op.fadd, (vec ? op.vstore : op.fstore)());
  return {
    name: mac ? 'rowMac' : 'rowAdd', params: many(mac ? 12 : 9, 'i32'), locals: many(7, 'i32'),
    body: seq(
      get(c), i32(-4), op.iand, i32(2), op.ishl, set(c4b),
      get(c), i32(2), op.ishl, set(cb),
      whileLoop(get(rows),
        get(a), set(pa), mac ? seq(get(b), set(pb)) : [], get(acc), set(pacc), get(count), set(n),
        whileLoop(get(n),
          i32(0), set(j),
          whileLoop(seq(get(j), get(c4b), op.iltu), term(true), inc(j, i32(16))),
          whileLoop(seq(get(j), get(cb), op.iltu), term(false), inc(j, i32(4))),
          inc(pa, get(aS)), mac ? inc(pb, get(bS)) : [], inc(pacc, get(accS)),
          get(n), i32(1), op.isub, set(n)),
        inc(a, get(aR)), mac ? inc(b, get(bR)) : [], inc(acc, get(accR)),
        get(rows), i32(1), op.isub, set(rows)),
    ),
  };
}

/**
 * out[b, c, r] = src[b, r, c] for `batch` matrices of R x C floats, eight source rows at a time (the
 * rows stay in cache while each column's eight values are written side by side).
 */
function transpose(): FuncDef {
  // params: src 0, dst 1, batch 2, R 3, C 4; locals r0 5, c 6, r 7, rend 8, sp 9, dp 10, cb 11, rb 12
  const [src, dst, batch, R, C, r0, c, r, rend, sp, dp, cb, rb] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  return {
    name: 'transpose', params: many(5, 'i32'), locals: many(8, 'i32'),
    body: seq(
      get(C), i32(2), op.ishl, set(cb),
      get(R), i32(2), op.ishl, set(rb),
      whileLoop(get(batch),
        i32(0), set(r0),
        whileLoop(seq(get(r0), get(R), op.iltu),
          get(R), get(r0), i32(8), op.iadd, get(r0), i32(8), op.iadd, get(R), op.igtu, op.select, set(rend),
          i32(0), set(c),
          whileLoop(seq(get(c), get(C), op.iltu),
            get(src), get(r0), get(cb), op.imul, op.iadd, get(c), i32(2), op.ishl, op.iadd, set(sp),
            get(dst), get(c), get(rb), op.imul, op.iadd, get(r0), i32(2), op.ishl, op.iadd, set(dp),
            get(r0), set(r),
            whileLoop(seq(get(r), get(rend), op.iltu),
              get(dp), get(sp), op.fload(), op.fstore(),
              inc(sp, get(cb)), inc(dp, i32(4)), inc(r, i32(1))),
            inc(c, i32(1))),
          inc(r0, i32(8))),
        inc(src, seq(get(R), get(cb), op.imul)), inc(dst, seq(get(R), get(cb), op.imul)),
        get(batch), i32(1), op.isub, set(batch)),
    ),
  };
}

const FUNCS: FuncDef[] = [
  rangeGrad('range00', false, false), rangeGrad('range01', false, true), rangeGrad('range10', true, false), rangeGrad('range11', true, true),
  bnAffine(), bnAct(), bnGrad(), bnActGrad(), adam(), rowOp(true), rowOp(false), transpose(), gemm(),
];

type Fn = (...args: number[]) => void;
/** The SIMD kernels, bound to one wasm memory. */
export interface SimdKernels {
  range00: Fn; range01: Fn; range10: Fn; range11: Fn;
  bnAffine: Fn; bnGrad: Fn; adam: Fn; rowMac: Fn; rowAdd: Fn; transpose: Fn;
  /** bnAct(x, mean, scale, nf, offset, out, rows, c, hi); bnActGrad(dy, x, mean, scale, nf, offset, f, y, dx, accS, accO, rows, c, hi). */
  bnAct: Fn; bnActGrad: Fn;
  /** gemm(a, aMs, aKs, b, bKs, c, cMs, M, N, K, add): C = A B (add 1: C += A B), N a multiple of 4 (gemm.ts). */
  gemm: Fn;
}

/** The parts of the WebAssembly global used here (the lib's TypeScript setup has no DOM types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: abstract new (...args: never[]) => object;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let bytes: Uint8Array | undefined;
let valid: boolean | undefined;
const bound = new WeakMap<object, SimdKernels>();
let disabled = process.env.SLT_SIMD === '0';

/** Turns the SIMD kernels off or on (SLT_SIMD=0 turns them off); slt's JavaScript paths run when off. */
export function setSimdKernels(on: boolean): void {
  disabled = !on;
}

/** Whether the active backend runs slt's SIMD kernels (wasm with SIMD, not turned off). */
export function simdKernelsEnabled(): boolean {
  return simdKernels(tf.backend()) !== undefined;
}

/** The module's bytes and whether this runtime accepts them (WebAssembly SIMD). */
export function simdModule(): { bytes: Uint8Array; valid: boolean } {
  bytes ??= assemble(FUNCS);
  valid ??= WA.validate(bytes);
  return { bytes, valid };
}

/** The SIMD kernels on `backend`'s heap (tfjs-backend-wasm), or undefined (not wasm, no SIMD, turned off). */
export function simdKernels(backend: unknown): SimdKernels | undefined {
  if (disabled) return undefined;
  const memory = (backend as { wasm?: { asm?: { memory?: unknown } } } | undefined)?.wasm?.asm?.memory;
  if (!(memory instanceof WA.Memory)) return undefined;
  const have = bound.get(memory);
  if (have) return have;
  const m = simdModule();
  if (!m.valid) return undefined;
  const instance = new WA.Instance(new WA.Module(m.bytes), { env: { memory } });
  const k = instance.exports as unknown as SimdKernels;
  bound.set(memory, k);
  return k;
}
