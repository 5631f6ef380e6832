/**
 * `@slt/audio`: WAV, FLAC, Ogg Vorbis, MP3 -> mono float32 -> log-mel equal to librosa's defaults -> image arrays.
 * Plain typed arrays only; no tensors.
 */
export { AudioDecodeError, AudioError, AudioOptionError, FeatureCacheError, WavDecodeError } from './errors.js';
export {
  AUDIO_EXTENSIONS,
  AUDIO_FORMATS,
  decodeAudio,
  decodeAudioFile,
  readAudioBytes,
  readAudioInfo,
  regularFileProblem,
  sniffAudioFormat,
} from './decode.js';
export type { AudioFormat, AudioInfo, DecodedAudio } from './decode.js';
export { FEATURE_PRESET_NAMES, FEATURE_PRESETS, featureImageShape, featurePreset } from './presets.js';
export type { FeaturePreset, FeaturePresetName } from './presets.js';
export { decodeWav, decodeWavFile, readWavInfo } from './wav.js';
export type { DecodedWav, WavInfo } from './wav.js';
export { encodeWav } from './wav-encode.js';
export type { EncodeWavOptions } from './wav-encode.js';
export { polyphaseFilter, resample } from './resample.js';
export { frameCount, hannWindow, powerSpectrogram } from './spectrum.js';
export type { Matrix } from './spectrum.js';
export { applyFilterBank, hzToMel, melFilterBank, melToHz, mfccFromDb, powerToDb } from './mel.js';
export type { MelBankOptions, PowerToDbOptions } from './mel.js';
export { fixLength, trailingSoundEnd } from './duration.js';
export type { PadMode } from './duration.js';
export {
  audioFileToImage,
  computeFeatures,
  featureToImage,
  logMelFromFile,
  resolveFeatureOptions,
} from './features.js';
export type {
  AudioImage,
  FeatureKind,
  FeatureImageOptions,
  FeatureMatrix,
  FeatureOptions,
  FileFeatureOptions,
  ImageOptions,
  ResolvedFeatureOptions,
} from './features.js';
export { FeatureCache } from './cache.js';
export type { FeatureCacheStats } from './cache.js';
export { featureToPng, writeFeatureF32, writeFeaturePng } from './output.js';
