/**
 * `@slt/backend`: picks the tfjs backend at run time (tfjs-node-gpu, tfjs-node, wasm, cpu), checks the
 * machine (`doctor`, GPUs), and registers the training kernels slt adds (wasm gradients, SIMD, fused).
 */
export { BackendError, BackendOptionError, BackendUnavailableError, KernelInputError } from './errors.js';
export type { BackendErrorContext } from './errors.js';
export { BACKEND_PREFERENCES, selectBackend } from './select.js';
export type { BackendAttempt, BackendChoice, BackendName, BackendPreference, SelectBackendOptions } from './select.js';
export { registerWasmGradients } from './wasm/register.js';
export { doctor, formatDoctorReport } from './doctor.js';
export { listGpuDevices } from './devices.js';
export type { GpuDevice, GpuDeviceList, ListGpuDevicesOptions } from './devices.js';
export type { DoctorCheck, DoctorOptions, DoctorReport, DoctorStatus } from './doctor.js';
export { batchNormActivation, categoricalCrossEntropy, fusedKernelsEnabled, setFusedKernels } from './fused/gradients.js';
export type { BatchNormActivation } from './fused/gradients.js';
export { createAdam } from './fused/adam.js';
export { setSimdKernels, simdKernelsEnabled } from './wasm/simd/kernels.js';
