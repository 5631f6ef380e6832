/**
 * Masks (genomes): strings of '0'/'1', bit i = backbone layer i, '1' = trainable. The shape every
 * lib passes across its boundary (docs/CONTRACTS.md); each lib wraps {@link maskProblem} in its
 * own error class.
 */

/**
 * What is wrong with `mask` as a mask of `length` bits, as a phrase ("has 5 characters",
 * "character 3 is 'x'", "not a string but number") that a caller completes with the expected
 * length, or undefined when it is one.
 */
export function maskProblem(mask: unknown, length: number): string | undefined {
  if (typeof mask !== 'string') return `not a string but ${mask === null ? 'null' : typeof mask}`;
  if (mask.length !== length) return `has ${mask.length} characters`;
  const bad = mask.search(/[^01]/);
  return bad >= 0 ? `character ${bad} is '${mask[bad]}'` : undefined;
}

/** The number of '1' characters (trainable layers) of a mask. */
export function countSetBits(mask: string): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask.charCodeAt(i) === 49) n++;
  return n;
}
