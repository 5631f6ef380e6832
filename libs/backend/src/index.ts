export { BackendError, BackendOptionError, BackendUnavailableError, KernelInputError } from './errors.js';
export type { BackendErrorContext } from './errors.js';
export { BACKEND_PREFERENCES, TENSORFLOW_MODULES, resolvePreference, selectBackend } from './select.js';
export type { BackendAttempt, BackendChoice, BackendName, BackendPreference, SelectBackendOptions } from './select.js';
export { WASM_GRADIENT_KERNELS, WASM_REPLACED_KERNELS, registerWasmGradients } from './wasm/register.js';
export { CUDA_LIBRARIES, doctor, findLibraries, formatDoctorReport } from './doctor.js';
export type { DoctorCheck, DoctorOptions, DoctorReport, DoctorStatus } from './doctor.js';
