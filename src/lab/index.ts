/** The lab: disposable real Debian hosts on this machine. See api.ts for the contract. */
export type { Lab, LabHost, LabUpOptions } from './api.js';
export { labUp } from './up.js';
export { labDown } from './down.js';
export { labStatus, loadLab, hostExec, type LabStatus } from './status.js';
