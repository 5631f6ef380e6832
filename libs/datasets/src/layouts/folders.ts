/**
 * The class-folder layout: one sub-folder per class, each holding audio files (WAV, FLAC, Ogg
 * Vorbis, MP3) or PNG/JPEG images (one kind of media for the whole set). Class names are the
 * folder names in natural order. An entry with a media extension that is not a regular file (a
 * folder, a FIFO, a dangling link) is never dropped silently: it is listed as unusable.
 */
import { extname, join } from 'node:path';
import { AUDIO_EXTENSIONS, regularFileProblem } from '@slt/audio';
import { DatasetEmptyClassError, DatasetLayoutError } from '../errors.js';
import { listDir } from '../files.js';
import type { Catalog, CatalogItem, Media } from './catalog.js';

const AUDIO_EXT = new Set(AUDIO_EXTENSIONS);
/** How the audio files of a set are named in messages. */
export const AUDIO_FILES = 'audio (WAV/FLAC/OGG/MP3)';
const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);

/** The media of a file by its extension, or undefined for files this layout ignores. */
export function mediaOf(file: string): Media | undefined {
  const ext = extname(file).toLowerCase();
  if (AUDIO_EXT.has(ext)) return 'audio';
  if (IMAGE_EXT.has(ext)) return 'image';
  return undefined;
}

/** Class folders and their media files, without judging them (for `inspect`). */
export interface FolderScan {
  classes: { name: string; files: string[] }[];
  /** Files of a known extension per media. */
  media: Record<'audio' | 'image', number>;
  /** Files ignored (unknown extension, or at the root instead of a class folder). */
  ignored: string[];
  /** Entries with a media extension that are not readable regular files, and why (never dropped silently). */
  unusable: { file: string; error: string }[];
}

/** Lists the class folders of `root` and their files (relative paths). */
export async function scanFolders(root: string): Promise<FolderScan> {
  const scan: FolderScan = { classes: [], media: { audio: 0, image: 0 }, ignored: [], unusable: [] };
  for (const e of await listDir(root)) {
    if (!e.isDir) {
      scan.ignored.push(e.name);
      continue;
    }
    const files: string[] = [];
    for (const f of await listDir(join(root, e.name))) {
      const rel = `${e.name}/${f.name}`;
      const m = mediaOf(f.name);
      if (m !== undefined && f.isFile) {
        files.push(rel);
        scan.media[m as 'audio' | 'image']++;
      } else if (m !== undefined) {
        const problem = f.isDir ? 'is a folder, not a file' : await regularFileProblem(join(root, rel));
        scan.unusable.push({ file: rel, error: problem ?? 'is not a regular file' });
      } else scan.ignored.push(rel);
    }
    scan.classes.push({ name: e.name, files });
  }
  return scan;
}

/** The media of a scan: one kind only, or an error naming both. */
export function scanMedia(root: string, scan: FolderScan): 'audio' | 'image' {
  if (scan.media.audio > 0 && scan.media.image > 0) {
    throw new DatasetLayoutError(
      root,
      `class folders mix ${scan.media.audio} ${AUDIO_FILES} file(s) and ${scan.media.image} image(s); a data set holds one kind`,
    );
  }
  if (scan.media.audio === 0 && scan.media.image === 0) {
    const why = scan.unusable.length > 0 ? `; ${scan.unusable.length} unusable: ${scan.unusable.slice(0, 3).map((u) => `${u.file} ${u.error}`).join('; ')}` : '';
    throw new DatasetLayoutError(root, `no class folder holds an ${AUDIO_FILES}, PNG or JPEG file${why}`);
  }
  return scan.media.audio > 0 ? 'audio' : 'image';
}

/** Builds the catalog of a class-folder set; an empty class folder is an error naming it. */
export async function catalogFolders(root: string, name: string): Promise<Catalog> {
  const scan = await scanFolders(root);
  if (scan.classes.length < 2) {
    throw new DatasetLayoutError(root, `class-folder layout needs at least 2 class folders, found ${scan.classes.length}`);
  }
  const media = scanMedia(root, scan);
  const items: CatalogItem[] = [];
  scan.classes.forEach((c, label) => {
    const unusable = scan.unusable.some((u) => u.file.startsWith(`${c.name}/`));
    if (c.files.length === 0 && !unusable) throw new DatasetEmptyClassError(c.name, join(root, c.name), `holds no ${AUDIO_FILES}, PNG or JPEG file`);
    for (const f of c.files) items.push({ id: f, label, file: join(root, f) });
  });
  const unusable = scan.unusable.map((u) => ({ id: u.file, file: join(root, u.file), error: u.error }));
  return { kind: 'folders', name, root, media, classNames: scan.classes.map((c) => c.name), items, ...(unusable.length ? { unusable } : {}) };
}
