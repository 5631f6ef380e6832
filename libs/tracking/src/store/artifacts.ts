/** Artifacts under a local (`file:`) artifact root, written directly. */
import { isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';

/** Local folder of a `file:` URI or plain path; undefined for remote schemes (s3:, gs:, ...). */
export function localPathOfUri(uri: string): string | undefined {
  if (uri.startsWith('file:')) return fileURLToPath(uri.startsWith('file://') ? uri : `file://${uri.slice(5)}`);
  if (isAbsolute(uri)) return uri;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(uri)) return resolve(uri);
  return undefined;
}

/** Writes `content` at `path` under the local artifact root `rootUri` (temp file + rename). */
export async function writeLocalArtifact(rootUri: string, path: string, content: Uint8Array): Promise<void> {
  const root = localPathOfUri(rootUri);
  if (root === undefined) {
    throw new StoreError(
      'UNSUPPORTED_ARTIFACT_URI',
      `Artifact root '${rootUri}' is neither mlflow-artifacts: (served by the tracking server) nor a local file: path; start the server with --serve-artifacts`,
    );
  }
  const target = resolve(join(root, path));
  if (!target.startsWith(resolve(root) + sep)) {
    throw new StoreError('INVALID_PARAMETER_VALUE', `Artifact path '${path}' leaves the artifact root '${rootUri}'`);
  }
  await writeFileAtomic(target, content);
}
