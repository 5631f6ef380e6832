/**
 * A minimal WebAssembly binary writer for slt's SIMD kernels: functions of i32/f32 parameters and
 * locals over an imported memory (the wasm backend's own heap), with structured loops. Only the
 * instructions the kernels use are here. The module is built at run time (no compiler, no binary in
 * the repository) and validated by `WebAssembly.validate` before use.
 */

export type Code = number[];
export type ValType = 'i32' | 'f32' | 'v128';

const TYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

export function uleb(v: number): Code {
  const out: Code = [];
  let x = v >>> 0;
  do {
    let b = x & 0x7f;
    x >>>= 7;
    if (x !== 0) b |= 0x80;
    out.push(b);
  } while (x !== 0);
  return out;
}

export function sleb(v: number): Code {
  const out: Code = [];
  let x = v | 0;
  for (;;) {
    const b = x & 0x7f;
    x >>= 7;
    if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const simd = (op: number): Code => [0xfd, ...uleb(op)];
const f32bytes = (v: number): Code => [...new Uint8Array(new Float32Array([v]).buffer)];

/** Instructions (each a byte sequence; concatenate with `seq`). Memory offsets are in bytes. */
export const op = {
  get: (i: number): Code => [0x20, ...uleb(i)],
  set: (i: number): Code => [0x21, ...uleb(i)],
  tee: (i: number): Code => [0x22, ...uleb(i)],
  i32: (v: number): Code => [0x41, ...sleb(v)],
  f32: (v: number): Code => [0x43, ...f32bytes(v)],
  iadd: [0x6a], isub: [0x6b], imul: [0x6c], ishl: [0x74], iand: [0x71],
  iltu: [0x49], igtu: [0x4b], igeu: [0x4f], ieqz: [0x45], ine: [0x47],
  fload: (off = 0): Code => [0x2a, 2, ...uleb(off)],
  fstore: (off = 0): Code => [0x38, 2, ...uleb(off)],
  fadd: [0x92], fsub: [0x93], fmul: [0x94], fdiv: [0x95], fsqrt: [0x91],
  fgt: [0x5e], fge: [0x60], flt: [0x5d], fle: [0x5f],
  select: [0x1b], drop: [0x1a],
  vload: (off = 0): Code => [...simd(0x00), 0, ...uleb(off)],
  vstore: (off = 0): Code => [...simd(0x0b), 0, ...uleb(off)],
  /** v128.load32_splat: one float from memory into all four lanes. */
  vload32Splat: (off = 0): Code => [...simd(0x09), 2, ...uleb(off)],
  vsplat: simd(0x13),
  vand: simd(0x4e), vor: simd(0x50), vanyTrue: simd(0x53),
  veq: simd(0x41), vlt: simd(0x43), vgt: simd(0x44), vle: simd(0x45), vge: simd(0x46),
  vadd: simd(0xe4), vsub: simd(0xe5), vmul: simd(0xe6), vdiv: simd(0xe7), vsqrt: simd(0xe3), vpmin: simd(0xea), vpmax: simd(0xeb),
};

export const seq = (...parts: Code[]): Code => parts.flat();

/** `while (cond) body` (cond leaves an i32). */
export const whileLoop = (cond: Code, ...body: Code[]): Code =>
  seq([0x02, 0x40, 0x03, 0x40], cond, op.ieqz, [0x0d, 1], ...body, [0x0c, 0, 0x0b, 0x0b]);

/** `if (cond) then else otherwise` (cond leaves an i32; both arms leave nothing). */
export const ifElse = (cond: Code, then: Code, otherwise: Code): Code => seq(cond, [0x04, 0x40], then, [0x05], otherwise, [0x0b]);

/** local[i] += v (i32). */
export const inc = (i: number, v: Code): Code => seq(op.get(i), v, op.iadd, op.set(i));

export interface FuncDef {
  name: string;
  params: ValType[];
  locals: ValType[];
  body: Code;
}

/** A module importing `env.memory` and exporting `funcs` (no results; all output through memory). */
export function assemble(funcs: readonly FuncDef[]): Uint8Array {
  const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
  const section = (id: number, payload: Code): Code => [id, ...uleb(payload.length), ...payload];
  const name = (s: string): Code => [...uleb(s.length), ...[...s].map((ch) => ch.charCodeAt(0))];
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((t) => [TYPE[t]])), 0]);
  const imports = [[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]];
  const exports = funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const bodies = funcs.map((f) => {
    const locals = vec(f.locals.map((t) => [1, TYPE[t]]));
    const code = [...locals, ...f.body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}
