/**
 * Reads the weights of a Keras 2 `save_weights` HDF5 file (the layout of keras.applications'
 * `*_notop.h5` / `*_no_top.h5` files) with h5wasm: root attributes `layer_names`, `backend`,
 * `keras_version`; one group per layer with attribute `weight_names`; each weight a dataset at
 * `<layer>/<weight_name>` (e.g. `/conv1/conv1/kernel:0`). A whole-model file (`model.save`) is read
 * from its `model_weights` group.
 */
import { open, stat } from 'node:fs/promises';
import type H5wasmModule from 'h5wasm/node';
import { InvalidWeightsFileError } from './errors.js';
import { type StoredWeight, type WeightSet, splitWeightName } from './weight-set.js';

/** The 8-byte signature every HDF5 file starts with (without a user block). */
const HDF5_SIGNATURE = Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What a Keras HDF5 weights file says about itself, beside its weights. */
export interface KerasH5Info {
  /** Root attribute `layer_names`: every layer of the saved model, weightless ones included. */
  layerNames: string[];
  /** Root attribute `backend` (e.g. `tensorflow`), if present. */
  backend?: string;
  /** Root attribute `keras_version`, if present. */
  kerasVersion?: string;
}

/**
 * The h5wasm library, loaded on first use by {@link h5}: its module and wasm cost a noticeable
 * part of a process start, and most processes (a pool worker on tfjs weights, `slt --help`) never
 * read an `.h5` file.
 */
let h5wasm: typeof H5wasmModule;
let ready: Promise<void> | undefined;

/** Loads the wasm HDF5 library once; errors become JS exceptions (HDF5 prints nothing to stderr). */
function h5(): Promise<void> {
  ready ??= import('h5wasm/node').then(async (m) => {
    h5wasm = m.default;
    const module = await h5wasm.ready;
    module.activate_throwing_error_handler();
  });
  return ready;
}

/** A short reason out of an HDF5 error stack ("truncated: ..." or the last `minor:` line). */
function hdf5Reason(err: unknown): string {
  const text = String((err as Error)?.message ?? err);
  const trunc = /truncated file: eof = (\d+).*stored_eof = (\d+)/.exec(text);
  if (trunc) return `truncated: ${trunc[1]} bytes on disk but the file's superblock says ${trunc[2]} (an interrupted download or copy?)`;
  const minors = [...text.matchAll(/minor: (.+)/g)].map((m) => m[1]!.trim());
  return minors.length ? `not readable as HDF5 (${minors[minors.length - 1]})` : `not readable as HDF5 (${text.split('\n')[0]})`;
}

/** Checks that `file` is a regular file that starts like HDF5 (clear messages before h5wasm runs). */
async function precheck(file: string, source: string): Promise<void> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new InvalidWeightsFileError(source, 'not a regular file');
    size = s.size;
  } catch (cause) {
    if (cause instanceof InvalidWeightsFileError) throw cause;
    throw new InvalidWeightsFileError(source, 'no such file (expected a Keras .h5 weights file)', { cause });
  }
  if (size < HDF5_SIGNATURE.length) throw new InvalidWeightsFileError(source, `only ${size} bytes: not an HDF5 file (empty or truncated)`);
  const fh = await open(file, 'r');
  try {
    const head = new Uint8Array(8);
    await fh.read(head, 0, 8, 0);
    if (!head.every((b, i) => b === HDF5_SIGNATURE[i])) {
      throw new InvalidWeightsFileError(source, 'not an HDF5 file (no HDF5 signature at its start): expected a Keras .h5 weights file');
    }
  } finally {
    await fh.close();
  }
}

type H5Group = InstanceType<typeof h5wasm.Group>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  if (ArrayBuffer.isView(value) && (value as unknown as ArrayLike<unknown>).length === 0) return [];
  return undefined;
}

function attrString(group: H5Group, name: string): string | undefined {
  const v = group.attrs[name]?.value;
  return typeof v === 'string' ? v : undefined;
}

/** A dataset's values as float32 (float64, integer and 64-bit integer datasets are converted). */
function float32Of(value: unknown): Float32Array | undefined {
  if (value instanceof Float32Array) return value.slice();
  if (typeof value === 'number') return Float32Array.of(value);
  if (typeof value === 'bigint') return Float32Array.of(Number(value));
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) return Float32Array.from(value, (v) => Number(v));
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Float32Array.from(value as unknown as ArrayLike<number>);
  return undefined;
}

/**
 * Reads every weight of a Keras HDF5 weights file into a {@link WeightSet} (layer name -> weights
 * in the file's order, short names such as `kernel`, `gamma`).
 * @param file local path of the `.h5` file
 * @param source what to name in errors and in `WeightSet.source` (default: `file`)
 * @throws InvalidWeightsFileError naming the file (missing, truncated, not HDF5, not the Keras layout, unreadable dataset)
 */
export async function readKerasH5(file: string, source = file): Promise<WeightSet & { info: KerasH5Info }> {
  await precheck(file, source);
  await h5();
  let f: InstanceType<typeof h5wasm.File>;
  try {
    f = new h5wasm.File(file, 'r');
  } catch (cause) {
    throw new InvalidWeightsFileError(source, hdf5Reason(cause), { cause });
  }
  try {
    let root: H5Group = f;
    if (!f.attrs.layer_names && f.keys().includes('model_weights')) root = f.get('model_weights') as H5Group;
    const layerNames = stringList(root.attrs.layer_names?.value);
    if (!layerNames) {
      throw new InvalidWeightsFileError(source, "no root attribute 'layer_names': not a Keras save_weights file (keras.applications *_notop.h5 layout)");
    }
    const layers = new Map<string, StoredWeight[]>();
    for (const layer of layerNames) {
      const group = root.get(layer);
      if (!(group instanceof h5wasm.Group)) throw new InvalidWeightsFileError(source, `layer '${layer}' is listed in layer_names but has no group`);
      const weightNames = stringList(group.attrs.weight_names?.value);
      if (!weightNames) throw new InvalidWeightsFileError(source, `layer '${layer}' has no attribute 'weight_names'`);
      const list: StoredWeight[] = [];
      for (const wn of weightNames) {
        const where = `${layer}/${wn}`;
        let ds: unknown;
        let values: Float32Array | undefined;
        try {
          ds = root.get(where);
          if (ds instanceof h5wasm.Dataset) values = float32Of((ds as H5Dataset).value);
        } catch (cause) {
          throw new InvalidWeightsFileError(source, `dataset /${where} cannot be read: ${hdf5Reason(cause)}`, { cause });
        }
        if (!(ds instanceof h5wasm.Dataset)) throw new InvalidWeightsFileError(source, `weight '${wn}' of layer '${layer}' has no dataset at /${where}`);
        const shape = [...((ds as H5Dataset).shape ?? [])];
        if (!values) throw new InvalidWeightsFileError(source, `dataset /${where} is not numeric (dtype ${JSON.stringify((ds as H5Dataset).dtype)})`);
        const expected = shape.reduce((a, b) => a * b, 1);
        if (values.length !== expected) throw new InvalidWeightsFileError(source, `dataset /${where} holds ${values.length} values for shape [${shape.join(', ')}]`);
        list.push({ name: splitWeightName(wn)[1], shape, values });
      }
      if (list.length > 0) layers.set(layer, list);
    }
    const info: KerasH5Info = { layerNames, backend: attrString(root, 'backend') ?? attrString(f, 'backend'), kerasVersion: attrString(root, 'keras_version') ?? attrString(f, 'keras_version') };
    return { source, layers, format: 'keras-h5', info };
  } finally {
    f.close();
  }
}

/** Options of {@link writeKerasH5}. */
export interface WriteKerasH5Options {
  /** Root attribute `layer_names`; default: the layers of `weights` in order. Weightless names get an empty group. */
  layerNames?: string[];
  /** Root attribute `keras_version` (default `2.2.4`). */
  kerasVersion?: string;
  /** Root attribute `backend` (default `tensorflow`). */
  backend?: string;
}

/**
 * Writes weights in the Keras 2 `save_weights` HDF5 layout (`<layer>/<layer>/<weight>:0`), as
 * keras.applications' files have them. Used by tests and `slt` tools that make small files.
 */
export async function writeKerasH5(file: string, layers: ReadonlyMap<string, readonly StoredWeight[]>, options: WriteKerasH5Options = {}): Promise<void> {
  await h5();
  const names = options.layerNames ?? [...layers.keys()];
  const f = new h5wasm.File(file, 'w');
  try {
    f.create_attribute('backend', options.backend ?? 'tensorflow');
    f.create_attribute('keras_version', options.kerasVersion ?? '2.2.4');
    f.create_attribute('layer_names', names);
    for (const layer of names) {
      const g = f.create_group(layer);
      const weights = layers.get(layer) ?? [];
      g.create_attribute('weight_names', weights.length ? weights.map((w) => `${layer}/${w.name}:0`) : new Float32Array(0), weights.length ? undefined : [0], weights.length ? undefined : '<f');
      if (weights.length === 0) continue;
      const inner = g.create_group(layer);
      for (const w of weights) inner.create_dataset({ name: `${w.name}:0`, data: w.values, shape: w.shape, dtype: '<f' });
    }
  } finally {
    f.close();
  }
}
