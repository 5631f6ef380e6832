/**
 * Errors of `@slt/models`: one base class ({@link ModelsError}) and subclasses that carry the
 * context of what went wrong (model name, file, layer, shapes) and the underlying `cause`.
 */

/** Base class of every error thrown by `@slt/models`. */
export class ModelsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A model name that is not in the zoo. */
export class UnknownModelError extends ModelsError {
  constructor(
    /** The name asked for. */
    readonly model: string,
    /** The valid names. */
    readonly validNames: readonly string[],
  ) {
    super(`unknown model '${model}': valid names are ${validNames.join(', ')}`);
  }
}

/** An option with a bad value (input shape, classes, head, adapter, mask ...). */
export class InvalidOptionError extends ModelsError {
  constructor(
    /** The option's name, e.g. `inputShape`. */
    readonly option: string,
    /** The rejected value. */
    readonly value: unknown,
    /** What is expected instead. */
    readonly expected: string,
  ) {
    super(`invalid ${option} ${formatValue(value)}: expected ${expected}`);
  }
}

/** A genome/mask that is not a string of '0'/'1' of the model's genome length. */
export class InvalidMaskError extends ModelsError {
  constructor(
    /** The rejected mask (truncated in the message when long). */
    readonly mask: string,
    /** The model's genome length. */
    readonly genomeLength: number,
    /** What is wrong. */
    readonly reason: string,
  ) {
    super(`invalid mask '${mask.length > 40 ? `${mask.slice(0, 40)}...` : mask}': ${reason} (expected ${genomeLength} characters, each '0' or '1')`);
  }
}

/** Base class of the errors while reading or applying weights. */
export class WeightsError extends ModelsError {
  constructor(
    message: string,
    /** Where the weights were read from (directory, file or URL). */
    readonly source: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A `model.json` that is missing, unreadable or not a TensorFlow.js layers model. */
export class InvalidModelJsonError extends WeightsError {
  constructor(source: string, reason: string, options?: { cause?: unknown }) {
    super(`bad model.json at ${source}: ${reason}`, source, options);
  }
}

/** A weight shard named in the manifest that cannot be read. */
export class MissingShardError extends WeightsError {
  constructor(
    source: string,
    /** The shard's file name as given in `weightsManifest[].paths`. */
    readonly shard: string,
    /** Where it was looked for (path or URL). */
    readonly location: string,
    options?: { cause?: unknown },
  ) {
    super(`weight shard '${shard}' of ${source} is missing or unreadable (looked at ${location})`, source, options);
  }
}

/** A weight whose stored shape differs from the shape the builder gives the layer. */
export class ShapeMismatchError extends WeightsError {
  constructor(
    source: string,
    /** The layer's name. */
    readonly layer: string,
    /** The weight's short name, e.g. `kernel`. */
    readonly weight: string,
    /** The shape the model's layer has. */
    readonly expectedShape: readonly number[],
    /** The shape in the weights file. */
    readonly actualShape: readonly number[],
  ) {
    super(
      `weight ${layer}/${weight}: the model has shape [${expectedShape.join(', ')}] but ${source} has [${actualShape.join(', ')}]`,
      source,
    );
  }
}

/** A layer of the model that has weights but finds none in the weights file. */
export class MissingWeightError extends WeightsError {
  constructor(
    source: string,
    /** The layer's name. */
    readonly layer: string,
    /** The missing weight's short name (or `*` for the whole layer). */
    readonly weight: string,
  ) {
    super(`weight ${layer}/${weight} is not in ${source} (does the file belong to another model?)`, source);
  }
}

/** Weights that could not be downloaded and are not cached. */
export class WeightsUnavailableError extends WeightsError {
  constructor(
    source: string,
    /** The cache directory that was looked at. */
    readonly cacheDir: string,
    options?: { cause?: unknown },
  ) {
    const why = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(
      `cannot download ${source} and no cached copy in ${cacheDir}${why}. Offline, fill the cache from a folder holding the weights (slt cache add DIR) or pass --weights DIR`,
      source,
      options,
    );
  }
}

function formatValue(value: unknown): string {
  try {
    return typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
