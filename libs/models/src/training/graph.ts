import * as tf from '@tensorflow/tfjs';

type Layer = tf.layers.Layer;
type SymbolicTensor = tf.SymbolicTensor;
type GraphNode = Layer['inboundNodes'][number];

/** The nodes of a functional model's own graph, in topological order (inputs first). */
export function modelNodes(model: tf.LayersModel): GraphNode[] {
  const seen = new Set<GraphNode>();
  const order: GraphNode[] = [];
  const visit = (t: SymbolicTensor): void => {
    const node = t.sourceLayer.inboundNodes[t.nodeIndex];
    if (!node || seen.has(node)) return;
    seen.add(node);
    for (const input of node.inputTensors) visit(input);
    order.push(node);
  };
  for (const out of model.outputs) visit(out);
  return order;
}

/**
 * Applies the layers of `nodes` again, starting from substitutes for some of their symbolic tensors
 * (shared layers: the new graph uses the same weights). Returns the map old tensor -> new tensor.
 * Nodes whose inputs are not all reachable from the substitutes are skipped.
 */
export function reapply(nodes: GraphNode[], substitutes: Map<SymbolicTensor, SymbolicTensor>): Map<SymbolicTensor, SymbolicTensor> {
  const map = new Map(substitutes);
  for (const node of nodes) {
    if (node.outputTensors.every((t) => map.has(t))) continue;
    if (node.inboundLayers.length === 0) continue; // an input layer
    const inputs = node.inputTensors.map((t) => map.get(t));
    if (inputs.some((t) => t === undefined)) continue;
    const ins = inputs as SymbolicTensor[];
    const out = node.outboundLayer.apply(ins.length === 1 ? ins[0]! : ins, node.callArgs) as SymbolicTensor | SymbolicTensor[];
    const outs = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((t, i) => map.set(t, outs[i]!));
  }
  return map;
}

/** The result of cutting a model after a set of frozen layers. */
export interface PrefixSplit {
  /** The model from the original inputs to the boundary tensors. */
  prefix: tf.LayersModel;
  /** The model from the boundary tensors (as new inputs) to the original outputs; shares layers. */
  suffix: tf.LayersModel;
  /** Names of the layers computed by `prefix`. */
  prefixLayers: Set<string>;
}

/**
 * Cuts `model` so that the layers named in `frozen` (plus the input layers) run in a separate
 * prefix model, when every input of those layers also comes from the prefix. Layers of `frozen`
 * whose inputs come from outside are left in the suffix. Returns null when nothing is cut.
 */
export function splitAtPrefix(model: tf.LayersModel, frozen: Set<string>): PrefixSplit | null {
  const nodes = modelNodes(model);
  const inPrefix = new Set<GraphNode>();
  for (const node of nodes) {
    const layer = node.outboundLayer;
    const isInput = node.inboundLayers.length === 0;
    const inputsInside = !isInput && node.inputTensors.every((t) => inPrefix.has(t.sourceLayer.inboundNodes[t.nodeIndex]!));
    if (isInput || (frozen.has(layer.name) && inputsInside)) inPrefix.add(node);
  }
  const prefixLayers = new Set<string>();
  for (const node of inPrefix) if (node.inboundLayers.length > 0) prefixLayers.add(node.outboundLayer.name);
  if (prefixLayers.size === 0) return null;
  // Boundary: prefix outputs consumed by suffix nodes (or that are model outputs).
  const boundary: SymbolicTensor[] = [];
  const add = (t: SymbolicTensor): void => {
    if (!boundary.includes(t)) boundary.push(t);
  };
  for (const node of nodes) {
    if (inPrefix.has(node)) continue;
    for (const t of node.inputTensors) if (inPrefix.has(t.sourceLayer.inboundNodes[t.nodeIndex]!)) add(t);
  }
  for (const t of model.outputs) if (inPrefix.has(t.sourceLayer.inboundNodes[t.nodeIndex]!)) return null;
  const prefix = tf.model({ inputs: model.inputs, outputs: boundary });
  const newInputs = boundary.map((t) => tf.input({ shape: t.shape.slice(1) as number[] }));
  const map = reapply(
    nodes.filter((n) => !inPrefix.has(n)),
    new Map(boundary.map((t, i) => [t, newInputs[i]!])),
  );
  const outputs = model.outputs.map((t) => map.get(t)!);
  const suffix = tf.model({ inputs: newInputs, outputs });
  return { prefix, suffix, prefixLayers };
}
